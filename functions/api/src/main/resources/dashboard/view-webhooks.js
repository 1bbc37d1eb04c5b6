// Webhooks: subscriptions (create: the signing secret is shown once), one subscription (rotate its secret, enable
// it again, delete it) and its delivery log with response excerpts, each delivery replayable.
import { api } from './api.js';
import { session } from './session.js';
import { h, table, time, facts, field, choice, badge, showFormError, busy, announce, secretOnce, confirmDialog, errorBox, clear, pager, add, put } from './ui.js';

const EVENTS = [
  ['run.completed', 'a run completed'],
  ['run.failed', 'a run failed'],
  ['run.suspended', 'a run is suspended'],
  ['case.created', 'a case was created'],
  ['case.status_changed', 'a case changed status'],
];
const PAGE = 20;

function statusBadge(webhook) {
  return webhook.status === 'enabled' ? badge('enabled', 'ok') : badge('disabled', 'bad');
}

function deliveryBadge(status) {
  return badge(status, status === 'succeeded' ? 'ok' : status === 'failed' ? 'bad' : 'neutral');
}

function createForm(ctx, secretSlot) {
  const slot = h('div');
  const url = h('input', { type: 'url', autocomplete: 'off', spellcheck: 'false', 'data-pointer': '/url', placeholder: 'https://example.com/hooks/kickoff' });
  const events = h('fieldset', { 'data-pointer': '/events' }, h('legend', {}, 'Events'),
    h('div', { class: 'choices' }, EVENTS.map(([event, what], i) => choice('checkbox', 'events', event, `${event} (${what})`, i < 2))));
  const workflow = h('input', { type: 'text', inputmode: 'numeric', autocomplete: 'off', 'data-pointer': '/workflow_id' });
  const submit = h('button', { type: 'submit' }, 'Create webhook');
  const form = h('form', { novalidate: true, 'aria-labelledby': 'new-webhook-title' }, slot,
    field('Endpoint URL', url, 'https only (locally, http://localhost works too). Kickoff POSTs each event there, signed.'),
    events,
    field('Only this workflow (optional)', workflow, 'A workflow ID; empty means every workflow.'),
    h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = { url: url.value.trim(), events: [...form.querySelectorAll('input[name="events"]:checked')].map((c) => c.value) };
    const wf = workflow.value.trim();
    if (wf) body.workflow_id = /^\d{1,15}$/.test(wf) ? Number(wf) : wf;
    await busy(submit, async () => {
      try {
        const created = await api.post('/api/manage/v1/webhooks', body);
        announce(`Webhook created for ${created.webhook.url}. Its signing secret is shown once.`);
        // The secret is in this answer only: show it here, then go to the new subscription's page.
        put(secretSlot, secretOnce('The signing secret of the new webhook', created.secret,
          'Copy it now and give it to the receiver (it verifies signatures with it): it is shown only this once.'),
          h('p', {}, h('a', { href: ctx.href(`/webhooks/${created.webhook.id}`) }, `Open the webhook for ${created.webhook.url}`)));
        form.reset();
        showFormError(form, slot, null);
        await ctx.refresh();
      } catch (e) {
        showFormError(form, slot, e);
      }
    });
  });
  return form;
}

async function list(ctx) {
  ctx.title('Webhooks');
  const secretSlot = h('div');
  const listSlot = h('div');
  ctx.refresh = async () => {
    const { webhooks } = await api.get('/api/manage/v1/webhooks', { signal: ctx.signal });
    put(listSlot, table({
      caption: 'Webhook subscriptions',
      testid: 'webhooks',
      empty: 'No webhooks yet.',
      rows: webhooks,
      columns: [
        { label: 'Endpoint', class: 'mono', cell: (w) => h('a', { href: ctx.href(`/webhooks/${w.id}`) }, w.url) },
        { label: 'Events', cell: (w) => w.events.join(', ') },
        { label: 'Workflow', cell: (w) => (w.workflow_id === null ? 'all' : String(w.workflow_id)) },
        { label: 'Status', cell: statusBadge },
        { label: 'Created', cell: (w) => time(w.created_at) },
      ],
    }));
  };
  add(ctx.main, 
    h('h1', {}, 'Webhooks'),
    secretSlot,
    h('section', { 'aria-labelledby': 'webhook-list-title' }, h('h2', { id: 'webhook-list-title' }, 'Subscriptions'), listSlot),
    h('section', { class: 'panel', 'aria-labelledby': 'new-webhook-title' },
      h('h2', { id: 'new-webhook-title' }, 'New webhook'),
      createForm(ctx, secretSlot)));
  await ctx.refresh();
}

async function one(ctx) {
  const { webhook } = await api.get(`/api/manage/v1/webhooks/${encodeURIComponent(ctx.params.id)}`, { signal: ctx.signal });
  ctx.title(`Webhook ${webhook.url}`);
  const id = webhook.id;
  const cursor = ctx.query.cursor ?? null;
  const secretSlot = h('div');
  const actionSlot = h('div');

  const rotate = h('button', { type: 'button', class: 'secondary' }, 'Rotate secret');
  rotate.addEventListener('click', async () => {
    const ok = await confirmDialog({
      title: 'Rotate the signing secret?',
      body: 'A new secret signs every delivery from now on; the old one keeps signing too for 24 hours, so the receiver can switch.',
      confirm: 'Rotate secret',
      danger: false,
    });
    if (!ok) return rotate.focus();
    await busy(rotate, async () => {
      try {
        const answer = await api.post(`/api/manage/v1/webhooks/${id}/rotate-secret`);
        clear(actionSlot);
        put(secretSlot, secretOnce('The new signing secret', answer.secret,
          'Copy it now and give it to the receiver: it is shown only this once. The old secret still signs for 24 hours.'));
        announce('The secret was rotated. The new one is shown once.');
      } catch (e) {
        put(actionSlot, errorBox(e, 'The secret was not rotated'));
      }
    });
  });

  const enable = h('button', { type: 'button' }, 'Enable');
  enable.addEventListener('click', () => busy(enable, async () => {
    try {
      await api.post(`/api/manage/v1/webhooks/${id}/enable`);
      session.setNotice('The webhook is enabled again; its failures are forgotten.');
      ctx.navigate(`/webhooks/${id}`);
    } catch (e) {
      put(actionSlot, errorBox(e, 'The webhook was not enabled'));
    }
  }));

  const remove = h('button', { type: 'button', class: 'danger' }, 'Delete');
  remove.addEventListener('click', async () => {
    const ok = await confirmDialog({ title: 'Delete this webhook?', body: `Deliveries to ${webhook.url} stop, pending ones are dropped.`, confirm: 'Delete webhook' });
    if (!ok) return remove.focus();
    await busy(remove, async () => {
      try {
        await api.del(`/api/manage/v1/webhooks/${id}`);
        session.setNotice(`The webhook for ${webhook.url} was deleted.`);
        ctx.navigate('/webhooks');
      } catch (e) {
        put(actionSlot, errorBox(e, 'The webhook was not deleted'));
      }
    });
  });

  const deliveries = await api.get(`/api/manage/v1/webhooks/${id}/deliveries`, { query: { limit: PAGE, cursor }, signal: ctx.signal });
  const replayButton = (d) => {
    const button = h('button', { type: 'button', class: 'secondary', 'aria-label': `Replay delivery ${d.id}` }, 'Replay');
    button.addEventListener('click', () => busy(button, async () => {
      try {
        const { delivery } = await api.post(`/api/manage/v1/webhooks/deliveries/${encodeURIComponent(d.id)}/replay`);
        session.setNotice(`Replaying: delivery ${delivery.id} sends the event again.`);
        ctx.navigate(`/webhooks/${id}`);
      } catch (e) {
        put(actionSlot, errorBox(e, `Delivery ${d.id} was not replayed`));
        actionSlot.querySelector('[role="alert"]')?.focus();
      }
    }));
    return button;
  };

  add(ctx.main, 
    h('p', {}, h('a', { href: ctx.href('/webhooks') }, '← All webhooks')),
    h('h1', {}, 'Webhook'),
    secretSlot,
    facts([
      ['Endpoint', h('code', {}, webhook.url)],
      ['ID', h('code', {}, String(id))],
      ['Events', webhook.events.join(', ')],
      ['Workflow', webhook.workflow_id === null ? 'all' : String(webhook.workflow_id)],
      ['Status', statusBadge(webhook)],
      webhook.disabled_reason ? ['Disabled because', webhook.disabled_reason] : null,
      webhook.disabled_at ? ['Disabled at', time(webhook.disabled_at)] : null,
      webhook.failing_since ? ['Failing since', time(webhook.failing_since)] : null,
      webhook.previous_secret_expires_at ? ['Old secret signs until', time(webhook.previous_secret_expires_at)] : null,
      ['Created', time(webhook.created_at)],
      ['Updated', time(webhook.updated_at)],
    ]),
    actionSlot,
    h('div', { class: 'actions' }, webhook.status === 'disabled' ? enable : null, rotate, remove),
    h('section', { class: 'panel', 'aria-labelledby': 'deliveries-title' },
      h('h2', { id: 'deliveries-title' }, 'Delivery log'),
      h('p', { class: 'hint' }, 'Newest first; kept 30 days. A replay sends the same event again as a new delivery.'),
      table({
        caption: 'Deliveries',
        testid: 'deliveries',
        empty: cursor ? 'No more deliveries.' : 'No deliveries yet.',
        rows: deliveries.deliveries,
        columns: [
          { label: 'Delivery', cell: (d) => [h('div', {}, d.event_type), h('code', { class: 'hint' }, d.id),
            d.replay_of ? h('div', { class: 'hint' }, `replay of ${d.replay_of}`) : null] },
          { label: 'Status', cell: (d) => [deliveryBadge(d.status), h('div', { class: 'hint' }, `${d.attempts} attempt${d.attempts === 1 ? '' : 's'}`)] },
          { label: 'Last answer', cell: (d) => [d.last_status_code === null ? '—' : `HTTP ${d.last_status_code}`,
            d.last_latency_ms === null ? null : ` in ${d.last_latency_ms} ms`, h('div', { class: 'hint' }, time(d.last_attempt_at))] },
          { label: 'Response excerpt', class: 'excerpt', cell: (d) => [d.response_excerpt ? h('code', {}, d.response_excerpt) : null,
            d.last_error ? h('div', {}, `Error: ${d.last_error}`) : null] },
          { label: 'Next attempt', cell: (d) => time(d.next_attempt_at) },
          { label: 'Actions', cell: replayButton },
        ],
      }),
      pager(ctx, `/webhooks/${id}`, cursor, deliveries.next_cursor)));
}

export default {
  nav: { label: 'Webhooks', path: '/webhooks', order: 20 },
  routes: { '/webhooks': list, '/webhooks/:id': one },
};
