// Starting a run from a workflow's page. Manage tokens cannot start runs (that is the workflows:execute scope,
// which only API tokens hold, and the execute limit counts per API token), so this one action asks for an API
// token. Like the manage token it is kept in this tab's sessionStorage only, and sent only to this site's API.
import { api, ApiError } from './api.js';
import { hasRoute } from './app.js';
import { session, tokenPrefix } from './session.js';
import { h, field, facts, json, badge, time, showFormError, busy, parseJson, announce, clear, add, put } from './ui.js';

const FINISHED = new Set(['completed', 'failed', 'skipped']);

function tone(status) {
  if (status === 'completed') return 'ok';
  if (status === 'failed') return 'bad';
  if (status === 'suspended') return 'warn';
  return 'neutral';
}

function section(workflow, ctx) {
  const slot = h('div');
  // Not a live region: it changes every second while the run goes on; announce() says when it starts and ends.
  const result = h('div', { 'data-testid': 'run-result' });
  const input = h('textarea', { class: 'short', rows: 6, spellcheck: 'false', 'data-pointer': '/input', 'data-testid': 'run-input' });
  input.value = '{}';
  const tokenInput = h('input', { type: 'password', autocomplete: 'off', spellcheck: 'false', 'data-testid': 'api-token' });
  const tokenArea = h('div');
  const submit = h('button', { type: 'submit', 'data-testid': 'start-run' }, 'Start run');
  const form = h('form', { novalidate: true, 'aria-labelledby': 'trigger-title' }, slot,
    field('Input (JSON object)', input, 'Checked against the workflow\'s inputSchema before any run exists.'),
    tokenArea,
    h('div', { class: 'actions' }, submit));

  function renderToken() {
    clear(tokenArea);
    const saved = session.apiToken();
    if (saved) {
      add(tokenArea, h('p', {}, 'Starts the run with the API token this tab holds (', h('code', {}, tokenPrefix(saved)), '). ',
        h('button', { type: 'button', class: 'secondary', on: { click: () => { session.forgetApiToken(); renderToken(); announce('The API token was removed from this tab.'); } } },
          'Forget this API token')));
    } else {
      add(tokenArea, field('API token', tokenInput, 'Starts with api_ and holds workflows:execute (manage tokens cannot start '
        + 'runs). Kept in this tab only, like the manage token; make one under Tokens.'));
    }
  }
  renderToken();

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await busy(submit, async () => {
      const token = session.apiToken() ?? tokenInput.value.trim();
      try {
        if (!token) throw new Error('Paste an API token to start a run.');
        const body = { input: parseJson(input.value, 'The input') };
        const answer = await api.post(`/api/external/v1/workflows/${workflow.id}/runs`, body, { token });
        showFormError(form, slot, null);
        if (!session.apiToken()) {
          session.setApiToken(token);
          tokenInput.value = '';
          renderToken();
        }
        watch(answer.workflow_run, token);
      } catch (e) {
        showFormError(form, slot, e);
        if (e instanceof ApiError && e.status === 401 && session.apiToken()) {
          // The saved token no longer works (revoked): offer the field again.
          session.forgetApiToken();
          renderToken();
        }
      }
    });
  });

  function show(run) {
    const runPath = `/workflows/${workflow.id}/runs/${run.id}`;
    put(result, 
      h('h3', {}, `Run ${run.id}`),
      facts([
        ['Status', badge(run.status, tone(run.status))],
        ['Version', String(run.workflow_version)],
        ['Created', time(run.created_at)],
        ['Updated', time(run.updated_at)],
      ]),
      run.output !== null && run.output !== undefined ? [h('h4', {}, 'Output'), json(run.output)] : null,
      run.error ? [h('h4', {}, 'Error'), json(run.error)] : null,
      hasRoute(runPath) ? h('p', {}, h('a', { href: ctx.href(runPath) }, 'Open the run')) : null);
  }

  /** Reads the run back (runs:read, with the same API token) until it finishes, while this page is open. */
  function watch(run, token) {
    show(run);
    announce(`Run ${run.id} started: ${run.status}.`);
    if (FINISHED.has(run.status) || run.status === 'suspended') return;
    ctx.every(1000, async () => {
      try {
        const { workflow_run: now } = await api.get(`/api/external/v1/workflows/${workflow.id}/runs/${run.id}`, { token, signal: ctx.signal });
        show(now);
        if (FINISHED.has(now.status) || now.status === 'suspended') {
          announce(`Run ${now.id} ${now.status}.`);
          return false;
        }
        return true;
      } catch (e) {
        if (e.name === 'AbortError') throw e;
        add(result, h('div', { class: 'alert error', role: 'alert' }, h('p', {}, `Stopped watching the run: ${e.message}`)));
        return false;
      }
    });
  }

  return h('section', { class: 'panel', 'aria-labelledby': 'trigger-title' },
    h('h2', { id: 'trigger-title' }, 'Start a run'),
    workflow.published_version === null
      ? h('p', {}, 'Publish a version first: only published workflows run.')
      : [form, result]);
}

export default {
  extend: {
    workflow(workflow, ctx) {
      // Direct case and ticketing workflows start from cases, not from the runs API.
      return workflow.kind === 'standard' ? section(workflow, ctx) : null;
    },
  },
};
