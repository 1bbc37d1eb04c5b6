// Workflows: the list (paged, newest first), one workflow (its definition, versions and publishing), creating one
// and saving a new version. Other modules add sections to one workflow's page through extend.workflow (cases,
// starting a run; the run views will add theirs the same way).
import { api } from './api.js';
import { session } from './session.js';
import { extend } from './app.js';
import { h, table, facts, json, time, badge, field, showFormError, busy, parseJson, copyButton, errorBox, pager, add, put } from './ui.js';

const PAGE = 25;
const SAMPLE = {
  name: 'Process Customer Order',
  description: 'Compute an order total',
  trigger: { type: 'api' },
  steps: [{
    id: 'calculate-total', type: 'transform', name: 'Calculate Order Total',
    config: { mapping: { total: "{{input.items | map: 'quantity * price' | sum | times: 1.08}}" } },
  }],
};

export function statusBadge(workflow) {
  return workflow.status === 'published' ? badge('published', 'ok') : badge(workflow.status, 'warn');
}

async function list(ctx) {
  ctx.title('Workflows');
  const cursor = ctx.query.cursor ?? null;
  const page = await api.get('/api/manage/v1/workflows', { query: { limit: PAGE, cursor }, signal: ctx.signal });
  add(ctx.main, 
    h('div', { class: 'toolbar' },
      h('h1', {}, 'Workflows'),
      h('a', { class: 'button', href: ctx.href('/workflows/new') }, 'New workflow')),
    table({
      caption: cursor ? 'Workflows, newest first (a later page)' : 'Workflows, newest first',
      testid: 'workflows',
      empty: cursor ? 'No more workflows.' : 'No workflows yet. Create one with "New workflow".',
      rows: page.workflows,
      columns: [
        { label: 'Name', cell: (w) => h('a', { href: ctx.href(`/workflows/${w.id}`) }, w.name) },
        { label: 'ID', class: 'mono', cell: (w) => String(w.id) },
        { label: 'Kind', cell: (w) => w.kind },
        { label: 'Status', cell: statusBadge },
        { label: 'Latest version', cell: (w) => String(w.version) },
        { label: 'Published version', cell: (w) => w.published_version ?? '—' },
        { label: 'Updated', cell: (w) => time(w.updated_at) },
      ],
    }),
    pager(ctx, '/workflows', cursor, page.next_cursor));
}

async function one(ctx) {
  const { workflow } = await api.get(`/api/manage/v1/workflows/${encodeURIComponent(ctx.params.id)}`, { signal: ctx.signal });
  ctx.title(workflow.name);
  const id = workflow.id;
  const publishSlot = h('div');

  const publish = async (button, version) => busy(button, async () => {
    try {
      const answer = await api.post(`/api/manage/v1/workflows/${id}/publish`, version ? { version } : undefined);
      session.setNotice(`Version ${answer.workflow.published_version} is published: new runs use it.`);
      ctx.navigate(`/workflows/${id}`);
    } catch (e) {
      put(publishSlot, errorBox(e, 'Not published'));
    }
  });

  const latestButton = h('button', { type: 'button', 'data-testid': 'publish-latest' }, `Publish version ${workflow.version}`);
  latestButton.addEventListener('click', () => publish(latestButton));
  const versionInput = h('input', { type: 'number', min: 1, max: workflow.version, step: 1, inputmode: 'numeric',
    value: workflow.published_version ?? workflow.version });
  const versionButton = h('button', { type: 'submit', class: 'secondary' }, 'Publish this version');
  const versionForm = h('form', { class: 'row', 'aria-label': 'Publish a chosen version' },
    field('Version', versionInput), versionButton);
  versionForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const n = Number(versionInput.value);
    publish(versionButton, Number.isInteger(n) ? n : versionInput.value);
  });

  add(ctx.main, 
    h('p', {}, h('a', { href: ctx.href('/workflows') }, '← All workflows')),
    h('h1', {}, workflow.name),
    facts([
      ['ID', h('code', {}, String(id))],
      ['Kind', workflow.kind],
      ['Status', statusBadge(workflow)],
      ['Latest version', String(workflow.version)],
      ['Published version', workflow.published_version === null ? 'none yet' : String(workflow.published_version)],
      ['Created', time(workflow.created_at)],
      ['Updated', time(workflow.updated_at)],
    ]),
    h('section', { class: 'panel', 'aria-labelledby': 'versions-title' },
      h('h2', { id: 'versions-title' }, 'Versions and publishing'),
      h('p', {}, `Versions 1 to ${workflow.version} exist; `,
        workflow.published_version === null ? 'none is published yet, so the workflow cannot run.'
          : `runs use version ${workflow.published_version}.`,
        ' Saving the definition makes a new draft version; publishing makes a version the one new runs use.'),
      h('p', { class: 'hint' }, 'The API shows the latest version\'s definition only; earlier versions can be published by number.'),
      publishSlot,
      h('div', { class: 'actions' },
        workflow.published_version !== workflow.version ? latestButton : h('span', {}, badge(`version ${workflow.version} is published`, 'ok'))),
      workflow.version > 1 ? versionForm : null),
    extend('workflow', workflow, ctx),
    h('section', { class: 'panel', 'aria-labelledby': 'definition-title' },
      h('h2', { id: 'definition-title' }, `Definition (version ${workflow.version})`),
      h('div', { class: 'actions' },
        h('a', { class: 'button secondary', href: ctx.href(`/workflows/${id}/edit`) }, 'Edit (saves a new version)'),
        copyButton(JSON.stringify(workflow.definition, null, 2), 'Copy definition')),
      h('p'),
      json(workflow.definition)));
}

function definitionForm(ctx, { title, intro, initial, submitLabel, send }) {
  ctx.title(title);
  const slot = h('div');
  const area = h('textarea', { id: 'definition', rows: 24, spellcheck: 'false', 'data-pointer': '', 'data-testid': 'definition' });
  area.value = JSON.stringify(initial, null, 2);
  const submit = h('button', { type: 'submit' }, submitLabel);
  const form = h('form', { novalidate: true }, slot,
    field('Definition (JSON)', area, 'Seed 003\'s workflow document plus kind (standard, direct_case, ticketing). '
      + 'Problems are listed with a JSON Pointer into it.'),
    h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await busy(submit, async () => {
      try {
        await send(parseJson(area.value, 'The definition'));
      } catch (e) {
        showFormError(form, slot, e);
      }
    });
  });
  add(ctx.main, h('h1', {}, title), intro, form);
}

async function create(ctx) {
  definitionForm(ctx, {
    title: 'New workflow',
    intro: h('p', {}, h('a', { href: ctx.href('/workflows') }, '← All workflows')),
    initial: SAMPLE,
    submitLabel: 'Create workflow',
    async send(definition) {
      const { workflow } = await api.post('/api/manage/v1/workflows', definition);
      session.setNotice(`Workflow ${workflow.name} created: version ${workflow.version} is a draft until you publish it.`);
      ctx.navigate(`/workflows/${workflow.id}`);
    },
  });
}

async function edit(ctx) {
  const { workflow } = await api.get(`/api/manage/v1/workflows/${encodeURIComponent(ctx.params.id)}`, { signal: ctx.signal });
  definitionForm(ctx, {
    title: `Edit ${workflow.name}`,
    intro: h('p', {}, h('a', { href: ctx.href(`/workflows/${workflow.id}`) }, `← ${workflow.name}`),
      ' · Saving makes version ', String(workflow.version + 1), ', a draft; the published version keeps serving runs.'),
    initial: workflow.definition,
    submitLabel: 'Save new version',
    async send(definition) {
      const answer = await api.put(`/api/manage/v1/workflows/${workflow.id}`, definition);
      session.setNotice(`Saved as version ${answer.workflow.version}: a draft until you publish it.`);
      ctx.navigate(`/workflows/${workflow.id}`);
    },
  });
}

export default {
  nav: { label: 'Workflows', path: '/workflows', order: 10 },
  routes: {
    '/workflows': list,
    '/workflows/new': create,
    '/workflows/:id': one,
    '/workflows/:id/edit': edit,
  },
};
