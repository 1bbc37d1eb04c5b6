// Tokens: create one (a bundle or chosen scopes, optionally limited to some workflows; the secret is shown once),
// list them (prefixes, never secrets), revoke one (it stops working on the next request).
import { api } from './api.js';
import { session } from './session.js';
import { h, table, time, field, choice, showFormError, busy, announce, secretOnce, confirmDialog, errorBox, clear, add, put } from './ui.js';

const SCOPES = [
  ['workflows:execute', 'start runs'],
  ['runs:read', 'read runs'],
  ['cases:write', 'create cases'],
  ['cases:read', 'read cases'],
  ['workflows:read', 'read workflows and their cases'],
  ['workflows:write', 'create, edit, publish workflows'],
  ['tokens:read', 'list tokens'],
  ['tokens:write', 'create and revoke tokens'],
  ['webhooks:read', 'read webhooks and deliveries'],
  ['webhooks:write', 'manage webhooks, replay deliveries'],
  ['connections:read', 'read connections'],
  ['connections:write', 'manage connections and their secrets'],
];

function createForm(onCreated) {
  const slot = h('div');
  const name = h('input', { type: 'text', id: 'token-name', maxlength: 100, autocomplete: 'off', 'data-pointer': '/name' });
  const access = h('fieldset', { 'data-pointer': '/scope' },
    h('legend', {}, 'Access'),
    h('div', { class: 'choices' },
      choice('radio', 'access', 'api', 'API bundle: start runs, read runs, create and read cases', true),
      choice('radio', 'access', 'manage', 'Manage bundle: the management API (what this dashboard uses)'),
      choice('radio', 'access', 'custom', 'Chosen scopes')));
  const scopes = h('fieldset', { hidden: true, 'data-pointer': '/scopes' },
    h('legend', {}, 'Scopes'),
    h('div', { class: 'choices columns' }, SCOPES.map(([scope, what]) => choice('checkbox', 'scopes', scope, `${scope} (${what})`))));
  const workflows = h('input', { type: 'text', inputmode: 'numeric', autocomplete: 'off', 'data-pointer': '/workflow_ids' });
  const submit = h('button', { type: 'submit' }, 'Create token');
  const form = h('form', { novalidate: true, 'aria-labelledby': 'new-token-title' }, slot,
    field('Name', name, 'Up to 100 characters, e.g. "ci" or "zapier".'),
    access, scopes,
    field('Only these workflows (optional)', workflows, 'Workflow IDs separated by commas; empty means every workflow.'),
    h('div', { class: 'actions' }, submit));
  access.addEventListener('change', () => {
    scopes.hidden = form.querySelector('input[name="access"]:checked').value !== 'custom';
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = { name: name.value };
    const chosen = form.querySelector('input[name="access"]:checked').value;
    if (chosen === 'custom') {
      body.scopes = [...form.querySelectorAll('input[name="scopes"]:checked')].map((c) => c.value);
    } else {
      body.scope = chosen;
    }
    const ids = workflows.value.split(/[\s,]+/).filter(Boolean);
    if (ids.length) {
      // Numbers as typed; anything else goes as text, and the API says what is wrong with it.
      body.workflow_ids = ids.map((id) => (/^\d{1,15}$/.test(id) ? Number(id) : id));
    }
    await busy(submit, async () => {
      try {
        const created = await api.post('/api/manage/v1/tokens', body);
        showFormError(form, slot, null);
        form.reset();
        scopes.hidden = true;
        onCreated(created);
      } catch (e) {
        showFormError(form, slot, e);
      }
    });
  });
  return form;
}

async function tokens(ctx) {
  ctx.title('Tokens');
  const secretSlot = h('div');
  const listSlot = h('div');

  async function refresh() {
    const { tokens: all } = await api.get('/api/manage/v1/tokens', { signal: ctx.signal });
    const mine = session.manageToken();
    put(listSlot, table({
      caption: 'Tokens of this organization',
      testid: 'tokens',
      empty: 'No tokens.',
      rows: all,
      columns: [
        { label: 'Name', cell: (t) => t.name },
        { label: 'Access', cell: (t) => (t.scope === 'custom' ? t.scopes.join(', ') : `${t.scope} bundle`) },
        { label: 'Workflows', cell: (t) => (t.workflow_ids ? t.workflow_ids.join(', ') : 'all') },
        { label: 'Prefix', class: 'mono', cell: (t) => h('code', {}, t.prefix + '…') },
        { label: 'Created', cell: (t) => time(t.created_at) },
        { label: 'Actions', cell: (t) => revokeButton(t, mine && mine.startsWith(t.prefix)) },
      ],
    }));
  }

  function revokeButton(token, maybeMine) {
    const button = h('button', { type: 'button', class: 'danger', 'data-testid': `revoke-${token.id}`,
      'aria-label': `Revoke ${token.name} (${token.prefix}…)` }, 'Revoke');
    button.addEventListener('click', async () => {
      const ok = await confirmDialog({
        title: `Revoke ${token.name}?`,
        body: (maybeMine ? 'This looks like the token this dashboard is signed in with: you will be signed out. ' : '')
          + 'Anything using it is refused from its next request on. This cannot be undone.',
        confirm: 'Revoke token',
      });
      if (!ok) {
        button.focus();
        return;
      }
      await busy(button, async () => {
        try {
          await api.del(`/api/manage/v1/tokens/${token.id}`);
          announce(`Token ${token.name} revoked.`);
          await refresh();
          listSlot.querySelector('caption')?.setAttribute('tabindex', '-1');
          listSlot.querySelector('caption')?.focus();
        } catch (e) {
          listSlot.prepend(errorBox(e, `${token.name} was not revoked`));
        }
      });
    });
    return button;
  }

  add(ctx.main, 
    h('h1', {}, 'Tokens'),
    secretSlot,
    h('section', { 'aria-labelledby': 'new-token-title' },
      h('h2', { id: 'new-token-title' }, 'New token'),
      createForm(async (created) => {
        put(secretSlot, secretOnce(`The secret of ${created.token.name}`, created.secret));
        announce(`Token ${created.token.name} created. Its secret is shown once.`);
        await refresh();
      })),
    h('section', { class: 'panel', 'aria-labelledby': 'token-list-title' },
      h('h2', { id: 'token-list-title' }, 'All tokens'),
      listSlot));
  await refresh();
}

export default {
  nav: { label: 'Tokens', path: '/tokens', order: 40 },
  routes: { '/tokens': tokens },
};
