// Usage: a month's metered runs and cost (GET /api/manage/v1/usage?month=), with a chart of runs per day by how they
// finished (completed, failed), drawn here as SVG with DOM calls (no library, no inline style: the CSP forbids it),
// and the same numbers as a table, which is what screen readers read; the month's totals, the quota, the prices and
// the cost per workflow.
import { api } from './api.js';
import { h, table, facts, field, add } from './ui.js';

const SVG = 'http://www.w3.org/2000/svg';
const MONTH = /^\d{4}-\d{2}$/;

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined) el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function thisMonth() {
  return new Date().toISOString().slice(0, 7);  // UTC, as the API counts
}

function shiftMonth(month, by) {
  const [y, m] = month.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 + by, 1));
  return d.toISOString().slice(0, 7);
}

/** Cents as the API gives them (exact decimals), and in dollars for a reader. */
function cents(value) {
  const n = Number(value);
  return `${value} ¢ ($${(n / 100).toFixed(n !== 0 && Math.abs(n) < 1 ? 4 : 2)})`;
}

/** A scale top that is a round number at or above the busiest day: 1, 2, 5, 10, 20, 50, … */
function niceTop(max) {
  if (max <= 0) return 1;
  const step = 10 ** Math.floor(Math.log10(max));
  for (const f of [1, 2, 5, 10]) {
    if (f * step >= max) return f * step;
  }
  return 10 * step;
}

/**
 * Stacked bars per day: completed at the bottom, failed above, and (for counters from before runs were split by
 * status) the rest in grey. Decorative for assistive technology: the table after it carries the same numbers.
 */
function chart(month, days) {
  const width = 720;
  const height = 240;
  const left = 36;
  const bottom = 28;
  const top = 12;
  const plotW = width - left - 8;
  const plotH = height - top - bottom;
  const max = niceTop(Math.max(0, ...days.map((d) => d.runs)));
  const slot = plotW / days.length;
  const barW = Math.max(2, slot * 0.7);
  const y = (v) => top + plotH - (v / max) * plotH;
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', 'aria-hidden': 'true', focusable: 'false',
    'data-testid': 'usage-chart', preserveAspectRatio: 'xMidYMid meet' });
  // Whole runs only: the middle line is drawn when it falls on one.
  for (const tick of [0, max / 2, max].filter(Number.isInteger)) {
    svg.appendChild(s('line', { x1: left, x2: width - 8, y1: y(tick), y2: y(tick), class: tick === 0 ? 'axis' : 'grid' }));
    svg.appendChild(s('text', { x: left - 6, y: y(tick) + 4, class: 'tick', 'text-anchor': 'end' }, tick));
  }
  days.forEach((d, i) => {
    const x = left + i * slot + (slot - barW) / 2;
    const other = Math.max(0, d.runs - d.completed - d.failed);
    const g = s('g', { class: 'day', 'data-day': d.day, 'data-runs': d.runs, 'data-completed': d.completed, 'data-failed': d.failed },
      s('title', {}, `${d.day}: ${d.runs} runs, ${d.completed} completed, ${d.failed} failed`));
    let base = 0;
    for (const [value, cls] of [[d.completed, 'completed'], [d.failed, 'failed'], [other, 'other']]) {
      if (value > 0) {
        g.appendChild(s('rect', { x, width: barW, y: y(base + value), height: y(base) - y(base + value), class: `bar ${cls}` }));
        base += value;
      }
    }
    svg.appendChild(g);
    const dayOfMonth = Number(d.day.slice(8));
    if (dayOfMonth === 1 || dayOfMonth % 5 === 0) {
      svg.appendChild(s('text', { x: x + barW / 2, y: height - bottom + 16, class: 'tick', 'text-anchor': 'middle' }, dayOfMonth));
    }
  });
  return svg;
}

async function usage(ctx) {
  const month = MONTH.test(ctx.query.month ?? '') ? ctx.query.month : thisMonth();
  ctx.title(`Usage ${month}`);
  const picker = h('input', { type: 'month', value: month, 'data-testid': 'usage-month', pattern: '\\d{4}-\\d{2}', placeholder: 'yyyy-mm' });
  const form = h('form', { class: 'row', 'aria-label': 'Choose a month' }, field('Month (UTC)', picker), h('button', { type: 'submit' }, 'Show'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    ctx.navigate('/usage', { month: picker.value.trim() });
  });
  add(ctx.main, h('h1', {}, `Usage in ${month}`), form,
    h('p', {}, h('a', { href: ctx.href('/usage', { month: shiftMonth(month, -1) }) }, '← Previous month'), ' · ',
      h('a', { href: ctx.href('/usage', { month: shiftMonth(month, 1) }) }, 'Next month →')));
  // The API checks the month: a bad one typed into the address is shown in its words.
  const [{ usage: u }, names] = await Promise.all([
    api.get('/api/manage/v1/usage', { query: { month: ctx.query.month ? ctx.query.month : month }, signal: ctx.signal }),
    // Names for the newest 100 workflows; older ones are shown by ID (the report names workflows by ID only).
    api.get('/api/manage/v1/workflows', { query: { limit: 100 }, signal: ctx.signal })
      .then((page) => new Map(page.workflows.map((w) => [w.id, w.name])), () => new Map())]);
  const days = u.days ?? [];
  const completed = days.reduce((n, d) => n + d.completed, 0);
  const failed = days.reduce((n, d) => n + d.failed, 0);
  const quota = u.monthly_run_quota;
  const prices = u.prices ?? {};
  const shownDays = days.filter((d) => d.runs > 0 || d.completed > 0 || d.failed > 0 || Number(d.cost_cents) !== 0);

  add(ctx.main,
    h('section', { 'aria-labelledby': 'usage-totals-title' },
      h('h2', { id: 'usage-totals-title' }, 'This month'),
      facts([
        ['Runs', h('span', { 'data-testid': 'usage-runs' }, String(u.runs))],
        ['Completed · failed', `${completed} · ${failed}`],
        ['Step executions', String(u.step_executions)],
        ['Step time', `${(u.step_ms / 1000).toFixed(1)} s`],
        ['Outbound requests', String(u.outbound_requests)],
        ['Cost', h('span', { 'data-testid': 'usage-cost' }, cents(u.cost_cents))],
        ['Monthly run quota', quota === null || quota === undefined ? 'none'
          : `${u.runs} of ${quota} runs used (${quota > 0 ? Math.round((100 * u.runs) / quota) : 100}%)`],
      ])),
    h('section', { class: 'panel', 'aria-labelledby': 'usage-chart-title' },
      h('h2', { id: 'usage-chart-title' }, 'Runs per day'),
      h('p', { class: 'hint' }, 'UTC days. A run counts on the day it first finished, as completed or failed; the table below has the same numbers.'),
      h('figure', { class: 'chart-figure' },
        chart(month, days),
        h('figcaption', {},
          h('ul', { class: 'legend' },
            h('li', {}, h('span', { class: 'swatch completed' }), 'Completed'),
            h('li', {}, h('span', { class: 'swatch failed' }), 'Failed'),
            days.some((d) => d.runs > d.completed + d.failed) ? h('li', {}, h('span', { class: 'swatch other' }), 'Not split by status (metered before the split)') : null))),
      table({
        caption: 'Runs and cost per day (days without runs or cost are left out)',
        testid: 'usage-days',
        empty: 'No runs were metered this month.',
        rows: shownDays,
        columns: [
          { label: 'Day', cell: (d) => h('time', { datetime: d.day }, d.day) },
          { label: 'Runs', cell: (d) => String(d.runs) },
          { label: 'Completed', cell: (d) => String(d.completed) },
          { label: 'Failed', cell: (d) => String(d.failed) },
          { label: 'Cost (cents)', cell: (d) => String(d.cost_cents) },
        ],
      })),
    h('section', { class: 'panel', 'aria-labelledby': 'usage-workflows-title' },
      h('h2', { id: 'usage-workflows-title' }, 'By workflow'),
      table({
        caption: 'Usage per workflow, costliest first',
        testid: 'usage-workflows',
        empty: 'No workflow ran this month.',
        rows: u.by_workflow,
        columns: [
          { label: 'Workflow', cell: (w) => h('a', { href: ctx.href(`/workflows/${w.workflow_id}`) }, names.get(w.workflow_id) ?? `Workflow ${w.workflow_id}`) },
          { label: 'ID', class: 'mono', cell: (w) => String(w.workflow_id) },
          { label: 'Runs', cell: (w) => String(w.runs) },
          { label: 'Step executions', cell: (w) => String(w.step_executions) },
          { label: 'Step time', cell: (w) => `${(w.step_ms / 1000).toFixed(1)} s` },
          { label: 'Outbound requests', cell: (w) => String(w.outbound_requests) },
          { label: 'Cost (cents)', cell: (w) => String(w.cost_cents) },
        ],
      })),
    h('section', { class: 'panel', 'aria-labelledby': 'usage-prices-title' },
      h('h2', { id: 'usage-prices-title' }, 'Prices'),
      h('p', {}, `In cents (${String(prices.currency ?? 'usd').toUpperCase()}), exact decimals; the admin function can set an organization's own.`),
      facts([
        ['Per run', String(prices.per_run)],
        ...Object.entries(prices.per_step ?? {}).map(([type, price]) => [`Per step execution (${type === '*' ? 'any other type' : type})`, String(price)]),
        ['Per second of step time', String(prices.per_step_second)],
        ['Per outbound request', String(prices.per_outbound_request)],
      ])));
}

export default {
  nav: { label: 'Usage', path: '/usage', order: 50 },
  routes: { '/usage': usage },
};
