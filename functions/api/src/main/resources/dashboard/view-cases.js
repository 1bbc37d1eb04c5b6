// Cases of a direct case workflow, one status at a time (the management API's list: newest first, paged).
import { api } from './api.js';
import { h, table, time, field, badge, pager, add } from './ui.js';

const BUILT_IN = ['Open', 'Closed', 'Error'];
const PAGE = 25;

function statusesOf(workflow) {
  const own = Array.isArray(workflow.definition?.statuses) ? workflow.definition.statuses.filter((s) => typeof s === 'string') : [];
  return [...BUILT_IN, ...own.filter((s) => !BUILT_IN.includes(s))];
}

async function cases(ctx) {
  const { workflow } = await api.get(`/api/manage/v1/workflows/${encodeURIComponent(ctx.params.id)}`, { signal: ctx.signal });
  const status = ctx.query.status || 'Open';
  const cursor = ctx.query.cursor ?? null;
  ctx.title(`Cases of ${workflow.name}`);
  const select = h('select', { id: 'case-status', name: 'status' },
    statusesOf(workflow).map((s) => h('option', { value: s, selected: s === status }, s)));
  const form = h('form', { class: 'row', 'aria-label': 'Choose a status' }, field('Status', select), h('button', { type: 'submit' }, 'Show'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    ctx.navigate(`/workflows/${workflow.id}/cases`, { status: select.value });
  });
  add(ctx.main, 
    h('p', {}, h('a', { href: ctx.href(`/workflows/${workflow.id}`) }, `← ${workflow.name}`)),
    h('h1', {}, `Cases of ${workflow.name}`),
    form);
  // The API decides what may be listed (a standard workflow is a 422 not_a_case_workflow, shown as it says).
  const page = await api.get(`/api/manage/v1/workflows/${workflow.id}/cases`, { query: { status, limit: PAGE, cursor }, signal: ctx.signal });
  add(ctx.main, 
    h('h2', {}, `In status ${status}`),
    table({
      caption: `Cases in ${status}, newest first`,
      testid: 'cases',
      empty: `No cases in ${status}.`,
      rows: page.cases,
      columns: [
        { label: 'Case', class: 'mono', cell: (c) => String(c.id) },
        { label: 'Subject', cell: (c) => c.subject },
        { label: 'Status', cell: (c) => badge(c.status, c.status === 'Error' ? 'bad' : c.status === 'Closed' ? 'ok' : 'neutral') },
        { label: 'Attributes', class: 'excerpt mono', cell: (c) => JSON.stringify(c.attributes) },
        { label: 'Created', cell: (c) => time(c.created_at) },
        { label: 'Updated', cell: (c) => time(c.updated_at) },
      ],
    }),
    pager(ctx, `/workflows/${workflow.id}/cases`, cursor, page.next_cursor, { status }));
}

export default {
  routes: { '/workflows/:id/cases': cases },
  extend: {
    workflow(workflow, ctx) {
      if (workflow.kind !== 'direct_case') return null;
      return h('section', { class: 'panel', 'aria-labelledby': 'cases-title' },
        h('h2', { id: 'cases-title' }, 'Cases'),
        h('p', {}, 'Cases come in through the API (seed 001) and move through the statuses the workflow declares: ',
          statusesOf(workflow).join(', '), '.'),
        h('a', { class: 'button secondary', href: ctx.href(`/workflows/${workflow.id}/cases`) }, 'Cases by status'));
    },
  },
};
