// Connections: the Stripe, SMTP and HTTP accounts steps act through. Create, list, read, replace (name, config,
// default, secrets) and delete. Secrets go in through password fields and never come back: the API answers only
// their names, and this page never shows or keeps a value.
import { api } from './api.js';
import { session } from './session.js';
import { h, table, time, facts, field, json, badge, showFormError, busy, parseJson, confirmDialog, errorBox, clear, uid, add, put } from './ui.js';

const PROVIDERS = {
  stripe: { label: 'Stripe', config: {}, secrets: ['apiKey'],
    hint: 'config.baseUrl is optional (Stripe\'s API by default); the secret apiKey is a secret or restricted key.' },
  smtp: { label: 'SMTP (email)', config: { host: 'smtp.example.com', port: 587, from: 'orders@example.com', starttls: true }, secrets: ['username', 'password'],
    hint: 'config: host, port (587), from, starttls (true); secrets: username and password.' },
  http: { label: 'HTTP API', config: { baseUrl: 'https://api.example.com', headers: { Authorization: 'Bearer {{secrets.token}}' } }, secrets: ['token'],
    hint: 'config: baseUrl (required) and headers, whose values may use {{secrets.<name>}}; requests go only under baseUrl.' },
};

/** Rows of secret name + value (a password field); values are read once, on submit, and the fields emptied. */
function secretRows(names) {
  const rows = h('div', { class: 'stack', 'data-pointer': '/secrets' });
  const add = (name = '') => {
    const nameInput = h('input', { type: 'text', value: name, autocomplete: 'off', spellcheck: 'false', class: 'secret-name' });
    const valueInput = h('input', { type: 'password', autocomplete: 'new-password', spellcheck: 'false', class: 'secret-value' });
    const row = h('div', { class: 'row' },
      field('Secret name', nameInput),
      field('Value', valueInput),
      h('button', { type: 'button', class: 'secondary', 'aria-label': `Remove the secret ${name || 'row'}`,
        on: { click: () => { row.remove(); } } }, 'Remove'));
    nameInput.addEventListener('input', () => {
      nameInput.closest('.row').querySelector('.secret-value').setAttribute('data-pointer', `/secrets/${nameInput.value}`);
    });
    valueInput.setAttribute('data-pointer', `/secrets/${name}`);
    rows.append(row);
  };
  names.forEach((n) => add(n));
  const addButton = h('button', { type: 'button', class: 'secondary', on: { click: () => add() } }, 'Add a secret');
  return {
    node: h('div', {}, rows, h('div', { class: 'actions' }, addButton)),
    reset(list) {
      clear(rows);
      list.forEach((n) => add(n));
    },
    /** {name: value} of the filled rows, and the value fields emptied. */
    take() {
      const out = {};
      for (const row of rows.querySelectorAll('.row')) {
        const name = row.querySelector('.secret-name').value.trim();
        const valueInput = row.querySelector('.secret-value');
        if (name || valueInput.value) out[name] = valueInput.value;
        valueInput.value = '';
      }
      return out;
    },
  };
}

function defaultSelect(current) {
  return h('select', { 'data-pointer': '/default' },
    current === undefined ? h('option', { value: '' }, 'Automatic: the first connection of a provider is its default') : h('option', { value: '' }, `Keep as it is (${current ? 'default' : 'not default'})`),
    h('option', { value: 'true' }, 'Yes: steps of this provider use it when nothing else is named'),
    h('option', { value: 'false' }, 'No'));
}

async function list(ctx) {
  ctx.title('Connections');
  const { connections } = await api.get('/api/manage/v1/connections', { signal: ctx.signal });
  add(ctx.main, 
    h('div', { class: 'toolbar' }, h('h1', {}, 'Connections'), h('a', { class: 'button', href: ctx.href('/connections/new') }, 'New connection')),
    h('p', {}, 'The accounts steps act through. Their secrets are sealed when saved and never shown again, here or anywhere.'),
    table({
      caption: 'Connections of this organization',
      testid: 'connections',
      empty: 'No connections yet.',
      rows: connections,
      columns: [
        { label: 'Name', cell: (c) => h('a', { href: ctx.href(`/connections/${c.id}`) }, c.name) },
        { label: 'Provider', cell: (c) => PROVIDERS[c.provider]?.label ?? c.provider },
        { label: 'ID', class: 'mono', cell: (c) => c.id },
        { label: 'Default', cell: (c) => (c.default ? badge('default', 'ok') : '—') },
        { label: 'Secrets', cell: (c) => (c.secret_keys.length ? c.secret_keys.join(', ') : 'none') },
        { label: 'Updated', cell: (c) => time(c.updated_at) },
      ],
    }));
}

async function create(ctx) {
  ctx.title('New connection');
  const slot = h('div');
  const provider = h('select', { 'data-pointer': '/provider', 'data-testid': 'provider' },
    Object.entries(PROVIDERS).map(([value, p]) => h('option', { value }, p.label)));
  const name = h('input', { type: 'text', maxlength: 100, autocomplete: 'off', 'data-pointer': '/name', 'data-testid': 'connection-name' });
  const isDefault = defaultSelect(undefined);
  const config = h('textarea', { class: 'short', rows: 6, spellcheck: 'false', 'data-pointer': '/config', 'data-testid': 'connection-config' });
  const hintId = uid('hint');
  const providerHint = h('p', { class: 'hint', id: hintId });
  const secrets = secretRows([]);
  let configTouched = false;
  config.addEventListener('input', () => { configTouched = true; });
  const choose = () => {
    const p = PROVIDERS[provider.value];
    providerHint.textContent = p.hint;
    if (!configTouched) config.value = JSON.stringify(p.config, null, 2);
    secrets.reset(p.secrets);
  };
  provider.addEventListener('change', choose);
  choose();
  const submit = h('button', { type: 'submit' }, 'Create connection');
  const form = h('form', { novalidate: true, 'aria-labelledby': 'new-connection-title' }, slot,
    field('Provider', provider), providerHint,
    field('Name', name, 'Up to 100 characters, e.g. "Stripe live".'),
    field('Default for its provider', isDefault),
    field('Config (JSON object)', config, 'Not secret: hosts, URLs, header templates.'),
    h('fieldset', {}, h('legend', {}, 'Secrets'), h('p', { class: 'hint' }, 'Sealed before they are stored; never shown again.'), secrets.node),
    h('div', { class: 'actions' }, submit));
  config.setAttribute('aria-describedby', `${config.getAttribute('aria-describedby')} ${hintId}`);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await busy(submit, async () => {
      try {
        const body = { provider: provider.value, name: name.value, config: parseJson(config.value || '{}', 'The config'), secrets: secrets.take() };
        if (isDefault.value) body.default = isDefault.value === 'true';
        const { connection } = await api.post('/api/manage/v1/connections', body);
        session.setNotice(`Connection ${connection.name} created; its secrets are sealed.`);
        ctx.navigate(`/connections/${connection.id}`);
      } catch (e) {
        secrets.take();  // never leave a secret in a field after a refusal: the user types it again
        showFormError(form, slot, e);
      }
    });
  });
  add(ctx.main, 
    h('p', {}, h('a', { href: ctx.href('/connections') }, '← All connections')),
    h('h1', { id: 'new-connection-title' }, 'New connection'),
    form);
}

async function one(ctx) {
  const { connection } = await api.get(`/api/manage/v1/connections/${encodeURIComponent(ctx.params.id)}`, { signal: ctx.signal });
  ctx.title(connection.name);
  const slot = h('div');
  const actionSlot = h('div');
  const name = h('input', { type: 'text', maxlength: 100, value: connection.name, autocomplete: 'off', 'data-pointer': '/name' });
  const isDefault = defaultSelect(connection.default);
  const config = h('textarea', { class: 'short', rows: 6, spellcheck: 'false', 'data-pointer': '/config' });
  config.value = JSON.stringify(connection.config, null, 2);
  const replaceSecrets = h('input', { type: 'checkbox', id: uid('c') });
  const secrets = secretRows(connection.secret_keys);
  const secretsBox = h('div', { hidden: true }, secrets.node);
  replaceSecrets.addEventListener('change', () => { secretsBox.hidden = !replaceSecrets.checked; });
  const submit = h('button', { type: 'submit' }, 'Save changes');
  const form = h('form', { novalidate: true, 'aria-labelledby': 'edit-connection-title' }, slot,
    field('Name', name),
    field('Default for its provider', isDefault),
    field('Config (JSON object)', config, PROVIDERS[connection.provider]?.hint),
    h('fieldset', {}, h('legend', {}, 'Secrets'),
      h('p', {}, 'Stored: ', connection.secret_keys.length ? connection.secret_keys.map((k) => h('code', {}, k)).flatMap((c, i) => (i ? [', ', c] : [c])) : 'none', '. Values are never shown.'),
      h('div', { class: 'choice' }, replaceSecrets, h('label', { for: replaceSecrets.id }, 'Replace all secrets (the stored ones are discarded)')),
      secretsBox),
    h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await busy(submit, async () => {
      try {
        const body = { name: name.value, config: parseJson(config.value || '{}', 'The config') };
        if (isDefault.value) body.default = isDefault.value === 'true';
        if (replaceSecrets.checked) body.secrets = secrets.take();
        await api.put(`/api/manage/v1/connections/${encodeURIComponent(connection.id)}`, body);
        session.setNotice(replaceSecrets.checked ? 'Saved; the new secrets are sealed.' : 'Saved.');
        ctx.navigate(`/connections/${connection.id}`);
      } catch (e) {
        secrets.take();
        showFormError(form, slot, e);
      }
    });
  });
  const remove = h('button', { type: 'button', class: 'danger' }, 'Delete connection');
  remove.addEventListener('click', async () => {
    const ok = await confirmDialog({ title: `Delete ${connection.name}?`, body: 'Steps that use it fail until another connection takes its place. Its secrets are gone for good.', confirm: 'Delete connection' });
    if (!ok) return remove.focus();
    await busy(remove, async () => {
      try {
        await api.del(`/api/manage/v1/connections/${encodeURIComponent(connection.id)}`);
        session.setNotice(`Connection ${connection.name} deleted.`);
        ctx.navigate('/connections');
      } catch (e) {
        put(actionSlot, errorBox(e, 'The connection was not deleted'));
      }
    });
  });
  add(ctx.main, 
    h('p', {}, h('a', { href: ctx.href('/connections') }, '← All connections')),
    h('h1', {}, connection.name),
    facts([
      ['ID', h('code', {}, connection.id)],
      ['Provider', PROVIDERS[connection.provider]?.label ?? connection.provider],
      ['Default', connection.default ? badge('default', 'ok') : 'no'],
      ['Secrets', connection.secret_keys.length ? connection.secret_keys.join(', ') : 'none'],
      ['Created', time(connection.created_at)],
      ['Updated', time(connection.updated_at)],
    ]),
    h('h2', {}, 'Config'),
    json(connection.config),
    h('section', { class: 'panel', 'aria-labelledby': 'edit-connection-title' },
      h('h2', { id: 'edit-connection-title' }, 'Change it'),
      form),
    h('section', { class: 'panel', 'aria-labelledby': 'delete-connection-title' },
      h('h2', { id: 'delete-connection-title' }, 'Delete it'),
      actionSlot,
      remove));
}

export default {
  nav: { label: 'Connections', path: '/connections', order: 30 },
  routes: { '/connections': list, '/connections/new': create, '/connections/:id': one },
};
