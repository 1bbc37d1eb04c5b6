// Schedules: a workflow's managed schedules (EventBridge Scheduler expressions in a time zone): the list with their
// next fires, creating one (the API's validation messages shown with their pointers), pause and resume, delete; one
// schedule with its fire counts and recent fires. The API lists schedules per workflow, so the menu page lists the
// schedules of the workflows on one page of the workflows list.
import { api } from './api.js';
import { session } from './session.js';
import { h, table, facts, json, time, badge, field, errorBox, showFormError, busy, parseJson, pager, announce,
  confirmDialog, add, put } from './ui.js';

const PAGE = 25;
const EXAMPLES = 'cron(0 9 ? * MON-FRI *) · rate(15 minutes) · at(2027-01-01T09:00:00)';

function schedulesPath(workflowId) {
  return `/api/manage/v1/workflows/${encodeURIComponent(workflowId)}/schedules`;
}

function statusBadge(schedule) {
  return schedule.status === 'active' ? badge('active', 'ok') : badge(schedule.status, 'warn');
}

function nextFire(schedule) {
  return schedule.next_fire_times.length ? time(schedule.next_fire_times[0]) : (schedule.status === 'paused' ? 'none (paused)' : 'none');
}

function fireCounts(schedule) {
  const f = schedule.fires;
  return `${f.started} started · ${f.failed} failed · ${f.skipped} skipped · ${f.missed} missed`;
}

function outcomeBadge(outcome) {
  return badge(outcome, outcome === 'started' ? 'ok' : outcome === 'failed' ? 'bad' : 'warn');
}

/** Pause or resume (one PATCH); onDone gets the schedule as the API answered it. */
function toggleButton(schedule, label, onDone, onError) {
  const pausing = schedule.status === 'active';
  const button = h('button', { type: 'button', class: 'secondary', 'data-testid': `${pausing ? 'pause' : 'resume'}-${schedule.id}`,
    'aria-label': `${pausing ? 'Pause' : 'Resume'} ${label}` }, pausing ? 'Pause' : 'Resume');
  button.addEventListener('click', () => busy(button, async () => {
    try {
      const answer = await api.patch(`${schedulesPath(schedule.workflow_id)}/${schedule.id}`, { status: pausing ? 'paused' : 'active' });
      announce(`${label} is ${answer.schedule.status}.`);
      await onDone(answer.schedule);
    } catch (e) {
      onError(e, `${label} was not ${pausing ? 'paused' : 'resumed'}`);
    }
  }));
  return button;
}

function deleteButton(schedule, label, onDone, onError) {
  const button = h('button', { type: 'button', class: 'danger', 'data-testid': `delete-${schedule.id}`, 'aria-label': `Delete ${label}` }, 'Delete');
  button.addEventListener('click', async () => {
    const ok = await confirmDialog({ title: `Delete ${label}?`, body: 'It starts no more runs; fires already sent start nothing. Runs it started are kept.',
      confirm: 'Delete schedule' });
    if (!ok) {
      button.focus();
      return;
    }
    await busy(button, async () => {
      try {
        await api.del(`${schedulesPath(schedule.workflow_id)}/${schedule.id}`);
        announce(`${label} deleted.`);
        await onDone();
      } catch (e) {
        onError(e, `${label} was not deleted`);
      }
    });
  });
  return button;
}

function scheduleLabel(schedule) {
  return `schedule ${schedule.id} (${schedule.expression})`;
}

/** The schedules table; withWorkflow adds a column naming each one's workflow (name by ID in `names`). */
function schedulesTable(ctx, rows, { refresh, onError, names = null, caption }) {
  const columns = [
    { label: 'Expression', class: 'mono', cell: (s) => h('a', { href: ctx.href(`/workflows/${s.workflow_id}/schedules/${s.id}`) }, s.expression) },
    { label: 'Time zone', cell: (s) => s.timezone },
    { label: 'Status', cell: statusBadge },
    { label: 'Next fire', cell: nextFire },
    { label: 'Last fired', cell: (s) => time(s.last_fired_at) },
    { label: 'Fires', cell: fireCounts },
    { label: 'Description', cell: (s) => s.description ?? '—' },
    { label: 'Actions', cell: (s) => h('div', { class: 'actions' },
      toggleButton(s, scheduleLabel(s), refresh, onError), deleteButton(s, scheduleLabel(s), refresh, onError)) },
  ];
  if (names) {
    columns.unshift({ label: 'Workflow', cell: (s) => h('a', { href: ctx.href(`/workflows/${s.workflow_id}/schedules`) }, names.get(s.workflow_id) ?? String(s.workflow_id)) });
  }
  return table({ caption, testid: 'schedules', empty: 'No schedules yet.', rows, columns });
}

// ---- the menu page: the schedules of one page of workflows

async function overview(ctx) {
  ctx.title('Schedules');
  const cursor = ctx.query.cursor ?? null;
  const page = await api.get('/api/manage/v1/workflows', { query: { limit: PAGE, cursor }, signal: ctx.signal });
  // Only standard workflows can have schedules (a case or ticketing workflow's are refused by the API).
  const standard = page.workflows.filter((w) => w.kind === 'standard');
  const names = new Map(standard.map((w) => [w.id, w.name]));
  const messages = h('div');
  const slot = h('div');
  add(ctx.main,
    h('h1', {}, 'Schedules'),
    h('p', {}, 'Workflows that start themselves on a cron, rate or one-time expression, in a time zone. Create a schedule from its workflow\'s schedules page.'),
    messages, slot);
  const refresh = async () => {
    const lists = await Promise.all(standard.map((w) =>
      api.get(schedulesPath(w.id), { signal: ctx.signal }).then((r) => r.schedules)));
    const all = lists.flat();
    put(slot,
      schedulesTable(ctx, all, {
        refresh, names, onError: (e, title) => put(messages, errorBox(e, title)),
        caption: cursor ? 'Schedules of the workflows on this page of the workflows list' : 'Schedules of the newest workflows',
      }),
      h('h2', {}, 'Schedules by workflow'),
      table({
        caption: 'Standard workflows, newest first',
        testid: 'schedule-workflows',
        empty: 'No standard workflows on this page.',
        rows: standard,
        columns: [
          { label: 'Workflow', cell: (w) => h('a', { href: ctx.href(`/workflows/${w.id}/schedules`) }, `Schedules of ${w.name}`) },
          { label: 'ID', class: 'mono', cell: (w) => String(w.id) },
          { label: 'Schedules', cell: (w) => String(all.filter((s) => s.workflow_id === w.id).length) },
        ],
      }),
      pager(ctx, '/schedules', cursor, page.next_cursor));
  };
  await refresh();
}

// ---- one workflow's schedules, and a new one

function createForm(workflow, onCreated) {
  const slot = h('div');
  const expression = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', class: 'mono', 'data-pointer': '/expression',
    'data-testid': 'schedule-expression', placeholder: 'cron(0 9 ? * MON-FRI *)' });
  const zone = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', value: 'UTC', 'data-pointer': '/timezone',
    'data-testid': 'schedule-timezone', list: 'schedule-zones' });
  let guess = null;
  try {
    guess = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    guess = null;
  }
  const zones = h('datalist', { id: 'schedule-zones' }, [...new Set(['UTC', guess].filter(Boolean))].map((z) => h('option', { value: z })));
  const input = h('textarea', { class: 'short', rows: 5, spellcheck: 'false', 'data-pointer': '/input', 'data-testid': 'schedule-input' });
  input.value = '{}';
  const description = h('input', { type: 'text', maxlength: 500, autocomplete: 'off', 'data-pointer': '/description', 'data-testid': 'schedule-description' });
  const submit = h('button', { type: 'submit' }, 'Create schedule');
  const form = h('form', { novalidate: true, 'aria-labelledby': 'new-schedule-title' }, slot,
    field('Expression', expression, `EventBridge Scheduler's syntax, e.g. ${EXAMPLES}.`),
    field('Time zone', zone, 'An IANA zone such as Europe/Berlin; cron and at times are read in it.'),
    zones,
    field('Input (JSON object)', input, 'The run\'s input at each fire; checked against the workflow\'s inputSchema when saved.'),
    field('Description (optional)', description, 'Up to 500 characters.'),
    h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await busy(submit, async () => {
      try {
        const body = { expression: expression.value.trim(), timezone: zone.value.trim() || 'UTC',
          input: parseJson(input.value || '{}', 'The input') };
        if (description.value.trim()) body.description = description.value.trim();
        const { schedule } = await api.post(schedulesPath(workflow.id), body);
        showFormError(form, slot, null);
        expression.value = '';
        description.value = '';
        await onCreated(schedule);
      } catch (e) {
        showFormError(form, slot, e);
      }
    });
  });
  return form;
}

async function list(ctx) {
  const { workflow } = await api.get(`/api/manage/v1/workflows/${encodeURIComponent(ctx.params.id)}`, { signal: ctx.signal });
  ctx.title(`Schedules of ${workflow.name}`);
  const messages = h('div');
  const slot = h('div');
  const refresh = async () => {
    const { schedules } = await api.get(schedulesPath(workflow.id), { signal: ctx.signal });
    put(slot, schedulesTable(ctx, schedules, {
      refresh, onError: (e, title) => put(messages, errorBox(e, title)), caption: `Schedules of ${workflow.name}, oldest first`,
    }));
  };
  add(ctx.main,
    h('p', {}, h('a', { href: ctx.href(`/workflows/${workflow.id}`) }, `← ${workflow.name}`), ' · ', h('a', { href: ctx.href('/schedules') }, 'All schedules')),
    h('h1', {}, `Schedules of ${workflow.name}`),
    workflow.published_version === null
      ? h('div', { class: 'alert warn', role: 'status' }, h('p', {}, 'No version is published yet: a fire starts the published version, so fires fail until one is.'))
      : h('p', {}, `Each fire starts the version published at the time of the fire (now ${workflow.published_version}) with the schedule's input.`),
    messages, slot,
    h('section', { class: 'panel', 'aria-labelledby': 'new-schedule-title' },
      h('h2', { id: 'new-schedule-title' }, 'New schedule'),
      createForm(workflow, async (schedule) => {
        announce(`Schedule ${schedule.id} created; its next fire is ${schedule.next_fire_times[0] ?? 'none'}.`);
        put(messages, h('div', { class: 'alert ok', role: 'status', 'data-testid': 'notice' },
          h('p', {}, `Schedule ${schedule.id} created.`, schedule.next_fire_times.length ? [' Next fire: ', time(schedule.next_fire_times[0]), '.'] : null)));
        await refresh();
      })));
  await refresh();
}

// ---- one schedule

/** The expression, time zone, input and description, saved with one PATCH of the fields that changed. */
function editForm(ctx, workflow, schedule) {
  const slot = h('div');
  const expression = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', class: 'mono', value: schedule.expression,
    'data-pointer': '/expression', 'data-testid': 'edit-expression' });
  const zone = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', value: schedule.timezone, 'data-pointer': '/timezone' });
  const input = h('textarea', { class: 'short', rows: 5, spellcheck: 'false', 'data-pointer': '/input' });
  input.value = JSON.stringify(schedule.input, null, 2);
  const description = h('input', { type: 'text', maxlength: 500, autocomplete: 'off', value: schedule.description ?? '',
    'data-pointer': '/description' });
  const submit = h('button', { type: 'submit' }, 'Save changes');
  const form = h('form', { novalidate: true, 'aria-labelledby': 'edit-schedule-title' }, slot,
    field('Expression', expression, `e.g. ${EXAMPLES}`),
    field('Time zone', zone),
    field('Input (JSON object)', input),
    field('Description', description),
    h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await busy(submit, async () => {
      try {
        const body = {};
        if (expression.value.trim() !== schedule.expression) body.expression = expression.value.trim();
        if (zone.value.trim() !== schedule.timezone) body.timezone = zone.value.trim();
        const parsed = parseJson(input.value || '{}', 'The input');
        if (JSON.stringify(parsed) !== JSON.stringify(schedule.input)) body.input = parsed;
        if (description.value.trim() !== (schedule.description ?? '')) body.description = description.value.trim() || null;
        if (!Object.keys(body).length) {
          throw new Error('Nothing changed.');
        }
        const answer = await api.patch(`${schedulesPath(workflow.id)}/${schedule.id}`, body);
        session.setNotice(`Saved. Next fire: ${answer.schedule.next_fire_times[0] ?? 'none'}.`);
        ctx.navigate(`/workflows/${workflow.id}/schedules/${schedule.id}`);
      } catch (e) {
        showFormError(form, slot, e);
      }
    });
  });
  return form;
}

async function one(ctx) {
  const path = `${schedulesPath(ctx.params.id)}/${encodeURIComponent(ctx.params.scheduleId)}`;
  const [{ workflow }, { schedule }] = await Promise.all([
    api.get(`/api/manage/v1/workflows/${encodeURIComponent(ctx.params.id)}`, { signal: ctx.signal }),
    api.get(path, { signal: ctx.signal })]);
  const label = scheduleLabel(schedule);
  ctx.title(`Schedule ${schedule.id}`);
  const actionSlot = h('div');
  const onError = (e, title) => put(actionSlot, errorBox(e, title));
  const back = `/workflows/${workflow.id}/schedules`;
  add(ctx.main,
    h('p', {}, h('a', { href: ctx.href(back) }, `← Schedules of ${workflow.name}`)),
    h('h1', {}, `Schedule ${schedule.id}`),
    facts([
      ['Expression', h('code', {}, schedule.expression)],
      ['Time zone', schedule.timezone],
      ['Status', statusBadge(schedule)],
      ['Workflow', h('a', { href: ctx.href(`/workflows/${workflow.id}`) }, workflow.name)],
      ['Description', schedule.description],
      ['Last fired', time(schedule.last_fired_at)],
      ['Last run', schedule.last_run_id ? h('a', { href: ctx.href(`/workflows/${workflow.id}/runs/${schedule.last_run_id}`) }, String(schedule.last_run_id)) : null],
      ['Fires', fireCounts(schedule)],
      ['Created', time(schedule.created_at)],
      ['Updated', time(schedule.updated_at)],
    ]),
    h('h2', {}, 'Next fires'),
    schedule.next_fire_times.length
      ? h('ol', { 'data-testid': 'next-fires' }, schedule.next_fire_times.map((t) => h('li', {}, time(t), ' ', h('code', {}, t))))
      : h('p', { class: 'empty' }, schedule.status === 'paused' ? 'None: the schedule is paused.' : 'None: it will not fire again.'),
    h('section', { class: 'panel', 'aria-labelledby': 'schedule-actions-title' },
      h('h2', { id: 'schedule-actions-title' }, 'Pause, resume, delete'),
      actionSlot,
      h('div', { class: 'actions' },
        toggleButton(schedule, label, async (changed) => {
          session.setNotice(`Schedule ${changed.id} is ${changed.status}.`);
          ctx.navigate(`/workflows/${workflow.id}/schedules/${changed.id}`);
        }, onError),
        deleteButton(schedule, label, async () => {
          session.setNotice(`Schedule ${schedule.id} deleted.`);
          ctx.navigate(back);
        }, onError))),
    h('section', { class: 'panel', 'aria-labelledby': 'edit-schedule-title' },
      h('h2', { id: 'edit-schedule-title' }, 'Change it'),
      editForm(ctx, workflow, schedule)),
    h('h2', {}, 'Recent fires'),
    table({
      caption: 'The last fires, newest first',
      testid: 'recent-fires',
      empty: 'It has not fired yet.',
      rows: schedule.recent_fires,
      columns: [
        { label: 'Fire time', cell: (f) => time(f.fire_time) },
        { label: 'Outcome', cell: (f) => outcomeBadge(f.outcome) },
        { label: 'Run', cell: (f) => (f.run_id ? h('a', { href: ctx.href(`/workflows/${workflow.id}/runs/${f.run_id}`) }, String(f.run_id)) : '—') },
        { label: 'Why', cell: (f) => (f.code ? `${f.code}: ${f.message ?? ''}` : '—') },
        { label: 'Count', cell: (f) => String(f.count ?? 1) },
      ],
    }),
    h('h2', {}, 'Input'),
    json(schedule.input));
}

export default {
  nav: { label: 'Schedules', path: '/schedules', order: 25 },
  routes: {
    '/schedules': overview,
    '/workflows/:id/schedules': list,
    '/workflows/:id/schedules/:scheduleId': one,
  },
  extend: {
    workflow(workflow, ctx) {
      if (workflow.kind !== 'standard') return null;
      return h('section', { class: 'panel', 'aria-labelledby': 'schedules-title' },
        h('h2', { id: 'schedules-title' }, 'Schedules'),
        h('p', {}, 'Start this workflow on a cron, rate or one-time expression, with a fixed input.'),
        h('a', { class: 'button secondary', href: ctx.href(`/workflows/${workflow.id}/schedules`), 'data-testid': 'schedules-link' }, 'Schedules of this workflow'));
    },
  },
};
