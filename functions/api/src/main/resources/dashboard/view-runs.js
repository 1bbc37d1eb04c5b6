// Runs: a workflow's runs (newest first, one status at a time or all, refreshed while any is unfinished), one run
// (status, input, output, error, its steps as a timeline, its signals) and the run controls (cancel, retry from the
// failed step, replay, signal). All through the management API (runs:inspect to read, runs:operate for the
// controls), so the manage token the tab signed in with is enough: no API token is asked for here.
import { api } from './api.js';
import { session } from './session.js';
import { h, table, facts, json, time, badge, field, errorBox, showFormError, busy, parseJson, pager, announce,
  confirmDialog, choice, add, put, clear } from './ui.js';

const PAGE = 25;
const STATUSES = ['pending', 'in_progress', 'suspended', 'completed', 'failed', 'skipped'];
const FINISHED = new Set(['completed', 'failed', 'skipped']);
const LIST_REFRESH_MS = 2000;
const RUN_REFRESH_MS = 1000;

export function runTone(status) {
  if (status === 'completed') return 'ok';
  if (status === 'failed') return 'bad';
  if (status === 'suspended' || status === 'in_progress') return 'warn';
  return 'neutral';
}

function runBadge(status) {
  return badge(status ?? 'unknown', runTone(status));
}

function runPath(run) {
  return `/workflows/${run.workflow_id}/runs/${run.id}`;
}

function duration(ms) {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60000);
  return `${minutes} min ${Math.round((ms % 60000) / 1000)} s`;
}

function errorText(error) {
  if (!error) return null;
  if (typeof error === 'string') return error;
  return error.code && error.message ? `${error.code}: ${error.message}` : (error.message ?? error.code ?? JSON.stringify(error));
}

// ---- a workflow's runs

async function list(ctx) {
  const { workflow } = await api.get(`/api/manage/v1/workflows/${encodeURIComponent(ctx.params.id)}`, { signal: ctx.signal });
  const status = STATUSES.includes(ctx.query.status) ? ctx.query.status : '';
  const cursor = ctx.query.cursor ?? null;
  const path = `/workflows/${workflow.id}/runs`;
  ctx.title(`Runs of ${workflow.name}`);

  const select = h('select', { name: 'status', 'data-testid': 'run-status-filter' },
    h('option', { value: '', selected: status === '' }, 'All statuses'),
    STATUSES.map((s) => h('option', { value: s, selected: s === status }, s)));
  const form = h('form', { class: 'row', 'aria-label': 'Filter runs by status' }, field('Status', select),
    h('button', { type: 'submit' }, 'Show'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    ctx.navigate(path, { status: select.value });
  });
  const live = h('div', { class: 'hint', 'data-testid': 'live-state' });
  const slot = h('div');
  add(ctx.main,
    h('p', {}, h('a', { href: ctx.href(`/workflows/${workflow.id}`) }, `← ${workflow.name}`)),
    h('h1', {}, `Runs of ${workflow.name}`),
    form, live, slot);

  let shown = null;
  const load = async () => {
    const page = await api.get(`/api/manage/v1/workflows/${workflow.id}/runs`,
      { query: { status, limit: PAGE, cursor }, signal: ctx.signal });
    const unfinished = page.workflow_runs.filter((r) => !FINISHED.has(r.status)).length;
    put(slot,
      table({
        caption: `${status ? `Runs ${status}` : 'Runs'}, newest first${cursor ? ' (a later page)' : ''}`,
        testid: 'runs',
        empty: cursor ? 'No more runs.' : status ? `No ${status} runs.` : 'No runs yet. Start one from the workflow\'s page.',
        rows: page.workflow_runs,
        columns: [
          { label: 'Run', class: 'mono', cell: (r) => h('a', { href: ctx.href(runPath(r)) }, String(r.id)) },
          { label: 'Status', cell: (r) => runBadge(r.status) },
          { label: 'Version', cell: (r) => r.workflow_draft ? `${r.workflow_version} (draft)` : String(r.workflow_version) },
          { label: 'Created', cell: (r) => time(r.created_at) },
          { label: 'Updated', cell: (r) => time(r.updated_at) },
          { label: 'Error', class: 'excerpt', cell: (r) => errorText(r.error) ?? '—' },
          { label: 'Replay of', class: 'mono', cell: (r) => r.replay_of ? h('a', { href: ctx.href(`/workflows/${workflow.id}/runs/${r.replay_of}`) }, String(r.replay_of)) : '—' },
        ],
      }),
      pager(ctx, path, cursor, page.next_cursor, { status }));
    put(live, unfinished
      ? `${unfinished} unfinished on this page: refreshing every ${LIST_REFRESH_MS / 1000} seconds while any is.`
      : 'Every run on this page has finished; the list is not refreshing. Reload the page to look again.');
    // Say what changed, not the whole table (the table is not a live region: it is redrawn every refresh).
    const now = page.workflow_runs.map((r) => `${r.id}:${r.status}`).join(' ');
    if (shown !== null && shown !== now) {
      const finished = page.workflow_runs.filter((r) => FINISHED.has(r.status) && !shown.includes(`${r.id}:${r.status}`));
      if (finished.length) announce(finished.map((r) => `Run ${r.id} ${r.status}.`).join(' '));
    }
    shown = now;
    return unfinished > 0;
  };
  if (await load()) {
    ctx.every(LIST_REFRESH_MS, async () => {
      try {
        return await load();
      } catch (e) {
        if (e.name === 'AbortError') throw e;
        put(live, '');
        add(live, errorBox(e, 'Stopped refreshing'));
        return false;
      }
    });
  }
}

// ---- one run

function stepItem(step, index, open) {
  const details = h('details', { 'data-step': step.id, open: open.has(step.id) },
    h('summary', {},
      h('span', { class: 'step-title' }, h('span', { class: 'step-index' }, `${index + 1}.`), ' ', h('code', {}, step.id),
        ' ', h('span', { class: 'step-type' }, step.type)),
      ' ', runBadge(step.status),
      h('span', { class: 'step-meta' }, ` ${duration(step.duration_ms)} · ${step.attempts} attempt${step.attempts === 1 ? '' : 's'}`)),
    h('div', { class: 'step-body' },
      facts([
        ['Type', step.type],
        ['Status', runBadge(step.status)],
        ['Attempts', String(step.attempts)],
        ['Started', time(step.started_at)],
        ['Completed', time(step.completed_at)],
        ['Duration', duration(step.duration_ms)],
        step.error ? ['Error', h('span', { class: 'error-text' }, step.error)] : null,
      ]),
      h('h4', {}, 'Input'),
      step.input === null || step.input === undefined ? h('p', { class: 'empty' }, 'None recorded.') : json(step.input),
      h('h4', {}, 'Output'),
      step.output === null || step.output === undefined ? h('p', { class: 'empty' }, 'None.') : json(step.output)));
  details.addEventListener('toggle', () => {
    if (details.open) open.add(step.id); else open.delete(step.id);
  });
  return h('li', { class: `step ${runTone(step.status)}` }, details);
}

async function one(ctx) {
  const runId = ctx.params.runId;
  const get = () => api.get(`/api/manage/v1/runs/${encodeURIComponent(runId)}`, { signal: ctx.signal });
  let { workflow_run: run } = await get();
  ctx.title(`Run ${run.id}`);
  const open = new Set();        // the steps the user opened stay open across refreshes
  const state = h('div', { 'data-testid': 'run' });
  const controlsSlot = h('div');
  const controls = h('section', { class: 'panel', 'aria-labelledby': 'controls-title' },
    h('h2', { id: 'controls-title' }, 'Controls'), controlsSlot);

  /** Runs one control; on success shows what the API answered, on refusal the API's own message. */
  const act = (button, what, send) => busy(button, async () => {
    const slot = controls.querySelector('[data-slot=control-error]');
    clear(slot);
    try {
      return await send();
    } catch (e) {
      const box = add(slot, errorBox(e, `${what}: refused`)).lastChild;
      box.tabIndex = -1;
      box.focus();
      return null;
    }
  });

  function renderControls() {
    const unfinished = !FINISHED.has(run.status);
    const errorSlot = h('div', { 'data-slot': 'control-error' });
    const cancel = h('button', { type: 'button', class: 'danger', 'data-testid': 'cancel-run' }, 'Cancel run');
    cancel.addEventListener('click', async () => {
      if (!await confirmDialog({ title: `Cancel run ${run.id}?`, body: 'The run ends failed with the code cancelled. '
        + 'A step already running finishes, but its result is discarded.', confirm: 'Cancel run' })) return;
      const reason = reasonInput.value.trim();
      const answer = await act(cancel, 'Cancel', () => api.post(`/api/manage/v1/runs/${run.id}/cancel`, reason ? { reason } : {}));
      if (answer) {
        session.setNotice(`Run ${run.id} cancelled.`);
        ctx.navigate(runPath(answer.workflow_run));
      }
    });
    const reasonInput = h('input', { type: 'text', maxlength: 500, autocomplete: 'off', 'data-testid': 'cancel-reason' });
    const retry = h('button', { type: 'button', 'data-testid': 'retry-run' }, 'Retry from the failed step');
    retry.addEventListener('click', async () => {
      const answer = await act(retry, 'Retry', () => api.post(`/api/manage/v1/runs/${run.id}/retry`, {}));
      if (answer) {
        session.setNotice(`Run ${run.id} is retrying from its failed step.`);
        ctx.navigate(runPath(answer.workflow_run));
      }
    });
    const latest = choice('checkbox', 'latest', 'latest', 'Use the published version instead of this run\'s version');
    const replay = h('button', { type: 'button', class: 'secondary', 'data-testid': 'replay-run' }, 'Replay');
    replay.addEventListener('click', async () => {
      const useLatest = latest.querySelector('input').checked;
      const answer = await act(replay, 'Replay', () => api.post(`/api/manage/v1/runs/${run.id}/replay`, {},
        { query: { version: useLatest ? 'latest' : null } }));
      if (answer) {
        session.setNotice(`Run ${answer.workflow_run.id} replays run ${run.id}.`);
        ctx.navigate(runPath(answer.workflow_run));
      }
    });

    const signalName = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', 'data-pointer': '/signal',
      'data-testid': 'signal-name', value: run.signals?.awaiting ?? '' });
    const signalPayload = h('textarea', { class: 'short', rows: 4, spellcheck: 'false', 'data-pointer': '/payload',
      'data-testid': 'signal-payload' });
    signalPayload.value = '{}';
    const signalSlot = h('div');
    const send = h('button', { type: 'submit', class: 'secondary', 'data-testid': 'send-signal' }, 'Send signal');
    const signalForm = h('form', { novalidate: true, 'aria-labelledby': 'signal-title' }, signalSlot,
      field('Signal', signalName, run.signals?.awaiting ? `The run waits for ${run.signals.awaiting}.`
        : 'Kept on the run until a wait_for_signal step takes it.'),
      field('Payload (JSON object)', signalPayload),
      h('div', { class: 'actions' }, send));
    signalForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      await busy(send, async () => {
        try {
          const body = { signal: signalName.value.trim(), payload: parseJson(signalPayload.value, 'The payload') };
          await api.post(`/api/manage/v1/runs/${run.id}/signals`, body);
          showFormError(signalForm, signalSlot, null);
          session.setNotice(`Signal ${body.signal} sent to run ${run.id}.`);
          ctx.navigate(runPath(run));
        } catch (e) {
          showFormError(signalForm, signalSlot, e);
        }
      });
    });

    put(controlsSlot,
      errorSlot,
      h('p', { class: 'hint' }, unfinished
        ? 'The run is unfinished: it can be cancelled or sent a signal. Replay starts a new run with the same input.'
        : run.status === 'failed'
          ? 'The run failed: retry runs it again from the failed step; replay starts a new run with the same input.'
          : 'The run has finished: replay starts a new run with the same input.'),
      unfinished ? h('div', { class: 'row' }, field('Reason (optional)', reasonInput), cancel) : null,
      h('div', { class: 'actions' }, run.status === 'failed' ? retry : null, replay),
      latest,
      unfinished ? [h('h3', { id: 'signal-title' }, 'Send a signal'), signalForm] : null);
  }

  function renderState() {
    const steps = run.steps ?? [];
    const kept = run.signals?.kept ?? [];
    put(state,
      facts([
        ['Status', h('span', { 'data-testid': 'run-status' }, runBadge(run.status))],
        ['Workflow', h('a', { href: ctx.href(`/workflows/${run.workflow_id}`) }, String(run.workflow_id))],
        ['Version', run.workflow_draft ? `${run.workflow_version} (draft)` : String(run.workflow_version)],
        ['Mode', run.mode],
        ['Created', time(run.created_at)],
        ['Updated', time(run.updated_at)],
        run.replay_of ? ['Replay of', h('a', { href: ctx.href(`/workflows/${run.workflow_id}/runs/${run.replay_of}`) }, String(run.replay_of))] : null,
        run.retries ? ['Retries', String(run.retries)] : null,
        run.case_id ? ['Case', h('code', {}, String(run.case_id))] : null,
        run.signals?.awaiting ? ['Waiting for signal', h('code', {}, run.signals.awaiting)] : null,
      ]),
      run.error ? h('div', { class: 'alert error', 'data-testid': 'run-error' },
        h('p', {}, h('strong', {}, 'Error: '), run.error.message ?? errorText(run.error)),
        run.error.code ? h('p', { class: 'meta' }, run.error.code) : null) : null,
      h('h2', {}, 'Input'), json(run.input ?? {}),
      h('h2', {}, 'Output'), run.output === null || run.output === undefined ? h('p', { class: 'empty' }, FINISHED.has(run.status) ? 'None.' : 'Not yet.') : json(run.output),
      h('h2', { id: 'steps-title' }, `Steps (${steps.length})`),
      steps.length
        ? h('ol', { class: 'timeline', 'aria-labelledby': 'steps-title', 'data-testid': 'steps' }, steps.map((s, i) => stepItem(s, i, open)))
        : h('p', { class: 'empty' }, FINISHED.has(run.status) ? 'No step ran.' : 'No step has run yet.'),
      kept.length ? [h('h2', {}, 'Signals kept for a later wait'),
        h('ul', {}, kept.map((s) => h('li', {}, h('code', {}, s.signal), ' received ', time(s.received_at))))] : null);
  }

  add(ctx.main,
    h('p', {}, h('a', { href: ctx.href(`/workflows/${run.workflow_id}/runs`) }, '← Runs of this workflow')),
    h('h1', {}, `Run ${run.id}`),
    state, controls);
  renderState();
  renderControls();

  if (!FINISHED.has(run.status)) {
    ctx.every(RUN_REFRESH_MS, async () => {
      let now;
      try {
        ({ workflow_run: now } = await get());
      } catch (e) {
        if (e.name === 'AbortError') throw e;
        add(state, errorBox(e, 'Stopped refreshing the run'));
        return false;
      }
      const changed = now.status !== run.status;
      run = now;
      renderState();
      if (changed) {
        announce(`Run ${run.id} ${run.status}.`);
        renderControls();  // what may be done depends on the status; a half-typed signal is lost only then
      }
      return !FINISHED.has(run.status);
    });
  }
}

// ---- runs without a workflow at hand: open one by its ID (a webhook payload or a log line names it)

async function find(ctx) {
  ctx.title('Runs');
  const slot = h('div');
  const idInput = h('input', { type: 'text', inputmode: 'numeric', autocomplete: 'off', spellcheck: 'false',
    'data-testid': 'run-id' });
  const submit = h('button', { type: 'submit' }, 'Open run');
  const form = h('form', { novalidate: true, 'aria-label': 'Open a run by its ID' }, slot,
    field('Run ID', idInput, 'As a webhook payload or the runs API names it.'), h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await busy(submit, async () => {
      try {
        const { workflow_run: run } = await api.get(`/api/manage/v1/runs/${encodeURIComponent(idInput.value.trim())}`);
        ctx.navigate(runPath(run));
      } catch (e) {
        showFormError(form, slot, e);
      }
    });
  });
  const page = await api.get('/api/manage/v1/workflows', { query: { limit: PAGE, cursor: ctx.query.cursor }, signal: ctx.signal });
  add(ctx.main,
    h('h1', {}, 'Runs'),
    h('p', {}, 'Runs belong to a workflow: choose one to list its runs, or open a run by its ID.'),
    form,
    h('h2', {}, 'Runs by workflow'),
    table({
      caption: 'Workflows, newest first',
      testid: 'run-workflows',
      empty: 'No workflows yet.',
      rows: page.workflows,
      columns: [
        { label: 'Workflow', cell: (w) => h('a', { href: ctx.href(`/workflows/${w.id}/runs`) }, `Runs of ${w.name}`) },
        { label: 'ID', class: 'mono', cell: (w) => String(w.id) },
        { label: 'Kind', cell: (w) => w.kind },
      ],
    }),
    pager(ctx, '/runs', ctx.query.cursor ?? null, page.next_cursor));
}

export default {
  nav: { label: 'Runs', path: '/runs', order: 15 },
  routes: {
    '/runs': find,
    '/workflows/:id/runs': list,
    '/workflows/:id/runs/:runId': one,
  },
  extend: {
    workflow(workflow, ctx) {
      return h('section', { class: 'panel', 'aria-labelledby': 'runs-title' },
        h('h2', { id: 'runs-title' }, 'Runs'),
        h('p', {}, 'Every run of this workflow, newest first, with each step\'s input, output and attempts.'),
        h('div', { class: 'actions' },
          h('a', { class: 'button secondary', href: ctx.href(`/workflows/${workflow.id}/runs`), 'data-testid': 'runs-link' }, 'Runs of this workflow'),
          h('a', { class: 'button secondary', href: ctx.href(`/workflows/${workflow.id}/runs`, { status: 'failed' }) }, 'Failed runs')));
    },
  },
};
