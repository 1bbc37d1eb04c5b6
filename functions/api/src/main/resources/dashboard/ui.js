// Small DOM helpers. Everything is built with createElement and text nodes, never parsed from a string, so nothing the API
// returns (names, URLs, response excerpts) can become markup; and nothing uses inline styles or handlers, which the
// Content-Security-Policy forbids.
import { ApiError } from './api.js';

let nextId = 0;
/** A document-unique id for label/aria wiring. */
export function uid(prefix = 'k') {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

/**
 * h('button', {class: 'secondary', type: 'button', on: {click: fn}}, 'Save'). Attributes set to false, null or
 * undefined are left out; true sets a boolean attribute. Children may be nodes, strings, numbers, arrays, or null.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === false || value === null || value === undefined) {
      continue;
    }
    if (key === 'on') {
      for (const [event, handler] of Object.entries(value)) {
        el.addEventListener(event, handler);
      }
    } else if (key === 'value' && 'value' in el) {
      el.value = value;
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  return add(el, ...children);
}

/**
 * Appends children with h's rules (null, undefined and false are skipped, arrays flattened, anything else is
 * text). Use it instead of Element.append, which would print "null" or "[object HTMLElement]".
 */
export function add(el, ...children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    if (Array.isArray(child)) {
      add(el, ...child);
    } else if (child instanceof Node) {
      el.appendChild(child);
    } else {
      el.appendChild(document.createTextNode(String(child)));
    }
  }
  return el;
}

/** Replaces an element's children (same rules as add). */
export function put(el, ...children) {
  return add(clear(el), ...children);
}

export function clear(el) {
  while (el.firstChild) {
    el.removeChild(el.firstChild);
  }
  return el;
}

/** Says something to screen readers (the polite live region in the shell). */
export function announce(message) {
  const region = document.getElementById('announcer');
  if (region) {
    region.textContent = '';
    setTimeout(() => { region.textContent = message; }, 50);
  }
}

/** An error as the API said it: its message, its code and status, and every validation problem with its pointer. */
export function errorBox(error, title) {
  const box = h('div', { class: 'alert error', role: 'alert', 'data-testid': 'api-error' });
  if (title) {
    box.appendChild(h('p', {}, h('strong', {}, title)));
  }
  if (error instanceof ApiError) {
    box.appendChild(h('p', { class: 'error-message' }, error.message));
    const meta = [];
    if (error.status) meta.push(`HTTP ${error.status}`);
    if (error.code && error.code !== error.message) meta.push(error.code);
    if (meta.length) box.appendChild(h('p', { class: 'meta' }, meta.join(' · ')));
    if (error.problems.length) {
      box.appendChild(h('ul', { class: 'problems' }, error.problems.map((p) =>
        h('li', {}, p.path ? [h('code', {}, p.path), ': '] : null, p.error))));
    }
  } else {
    box.appendChild(h('p', { class: 'error-message' }, error?.message ?? String(error)));
  }
  return box;
}

/**
 * Shows an error at the top of a form and marks the fields whose data-pointer the API's validation_errors point
 * at (or into) as invalid; focuses the message so keyboard and screen-reader users land on it.
 */
export function showFormError(form, slot, error) {
  clear(slot);
  for (const el of form.querySelectorAll('[aria-invalid]')) {
    el.removeAttribute('aria-invalid');
  }
  if (!error) {
    return;
  }
  const box = errorBox(error);
  box.tabIndex = -1;
  slot.appendChild(box);
  for (const problem of error.problems ?? []) {
    for (const el of form.querySelectorAll('[data-pointer]')) {
      const pointer = el.getAttribute('data-pointer');
      if (problem.path === pointer || problem.path.startsWith(pointer + '/')) {
        el.setAttribute('aria-invalid', 'true');
      }
    }
  }
  box.focus();
}

/** A labelled field: field('Name', h('input', {...}), 'hint'). The control gets an id, and the hint aria-describedby. */
export function field(label, control, hint) {
  if (!control.id) control.id = uid('f');
  const parts = [h('label', { for: control.id }, label)];
  if (hint) {
    const hintId = uid('hint');
    control.setAttribute('aria-describedby', hintId);
    parts.push(h('p', { class: 'hint', id: hintId }, hint));
  }
  return h('div', { class: 'field' }, parts[0], control, parts.slice(1));
}

/** A checkbox or radio with its label. */
export function choice(type, name, value, label, checked = false) {
  const input = h('input', { type, name, value, id: uid('c'), checked });
  return h('div', { class: 'choice' }, input, h('label', { for: input.id }, label));
}

/**
 * A table whose cells are labelled with their column (phones show one card per row).
 * columns: [{label, cell: (row) => node|string}]
 */
export function table({ caption, columns, rows, empty, testid }) {
  if (!rows.length) {
    return h('p', { class: 'empty' }, empty ?? 'Nothing here yet.');
  }
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'cards', 'data-testid': testid },
      caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c.label)))),
      h('tbody', {}, rows.map((row) => h('tr', {}, columns.map((c) =>
        h('td', { 'data-label': c.label, class: c.class }, h('div', { class: 'cell' }, c.cell(row)))))))));
}

export function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(Boolean).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v ?? '—')]));
}

export function json(value) {
  return h('pre', { class: 'json' }, h('code', {}, JSON.stringify(value, null, 2)));
}

/** An ISO timestamp in the reader's locale, with the exact value kept in datetime. */
export function time(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return h('time', { datetime: iso, title: iso }, date.toLocaleString());
}

export function badge(text, tone = 'neutral') {
  return h('span', { class: `badge ${tone}` }, text);
}

/** Copies text to the clipboard (falling back to selecting it), and says so. */
export function copyButton(text, label = 'Copy', target = null) {
  return h('button', {
    type: 'button', class: 'secondary', on: {
      click: async () => {
        try {
          await navigator.clipboard.writeText(text);
          announce('Copied to the clipboard.');
        } catch {
          if (target) {
            target.focus();
            target.select();
          }
          announce('Copying is not allowed here: the text is selected, press Ctrl+C or Cmd+C.');
        }
      },
    },
  }, label);
}

/**
 * A secret shown exactly once: in a read-only field with a copy button, and gone (from the page too) once the
 * user says they have it. Nothing keeps it anywhere else.
 */
export function secretOnce(title, secret, note) {
  const input = h('input', { type: 'text', readonly: true, value: secret, class: 'mono', 'data-testid': 'secret',
    'aria-label': title, autocomplete: 'off', spellcheck: 'false' });
  const panel = h('div', { class: 'secret-once', role: 'region', 'aria-label': title, tabindex: '-1' },
    h('h2', {}, title),
    h('p', {}, note ?? 'Copy it now: it is shown only this once, and Kickoff keeps only a hash of it.'),
    h('div', { class: 'row' }, h('div', { class: 'field' }, input)),
    h('div', { class: 'actions' },
      copyButton(secret, 'Copy secret', input),
      h('button', { type: 'button', on: { click: () => { input.value = ''; panel.remove(); announce('The secret was removed from the page.'); } } },
        'I have copied it')));
  queueMicrotask(() => panel.focus());
  return panel;
}

/** A modal confirmation (the native dialog: focus is trapped, Escape cancels). Resolves true when confirmed. */
export function confirmDialog({ title, body, confirm, danger = true }) {
  return new Promise((resolve) => {
    const titleId = uid('dlg');
    const dialog = h('dialog', { 'aria-labelledby': titleId },
      h('h2', { id: titleId }, title),
      h('p', {}, body),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: danger ? 'danger solid' : '', 'data-testid': 'confirm',
          on: { click: () => dialog.close('yes') } }, confirm),
        h('button', { type: 'button', class: 'secondary', autofocus: true, on: { click: () => dialog.close('no') } }, 'Cancel')));
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(dialog.returnValue === 'yes');
    });
    document.body.appendChild(dialog);
    dialog.showModal();
  });
}

/** Disables a button while `work` runs (so a double click sends one request), then re-enables it. */
export async function busy(button, work) {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

/** Parses a JSON textarea, or throws an error that names the field (shown like an API error). */
export function parseJson(text, what) {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${what} is not valid JSON: ${e.message}`);
  }
}

/** "First page" / "Next page" links for a cursor-paged list (the browser's Back goes to the page before). */
export function pager(ctx, path, cursor, next, extra = {}) {
  if (!cursor && !next) return null;
  return h('nav', { class: 'pager', 'aria-label': 'Pages' },
    cursor ? h('a', { href: ctx.href(path, { ...extra }) }, 'First page') : null,
    next ? h('a', { href: ctx.href(path, { ...extra, cursor: next }), rel: 'next' }, 'Next page') : null);
}

