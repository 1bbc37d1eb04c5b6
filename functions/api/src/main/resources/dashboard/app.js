// The dashboard's core: the registry the view modules (view-*.js) add themselves to, the hash router, the
// navigation and the signed-in frame. A view module's default export is
//
//   {
//     nav: {label: 'Tokens', path: '/tokens', order: 40},          // optional: a menu entry
//     routes: {'/tokens': render, '/tokens/:id': renderOne},        // path patterns → async render(ctx)
//     extend: {workflow: (workflow, ctx) => node | null},           // optional: sections added to other views
//   }
//
// so adding a view (runs, say) is adding one file: the server lists view-*.js in the shell and main.js loads
// them. render(ctx) gets {params, query, main, signal, every, title, navigate, href}; ctx.signal aborts and
// ctx.every's timers stop when the user leaves the page.
import { ApiError } from './api.js';
import { session, tokenPrefix } from './session.js';
import { h, clear, errorBox, announce } from './ui.js';
import { renderSignIn } from './signin.js';

const routes = [];
const navItems = [];
const extensions = new Map();
let current = null;  // {controller, timers}

export function register(view) {
  for (const [pattern, render] of Object.entries(view.routes ?? {})) {
    const keys = [];
    const source = pattern.split('/').map((part) => {
      if (part.startsWith(':')) {
        keys.push(part.slice(1));
        return '([^/]+)';
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }).join('/');
    // Literal segments outrank parameters: /workflows/new before /workflows/:id.
    const literal = pattern.split('/').filter((p) => p && !p.startsWith(':')).length;
    routes.push({ pattern, regex: new RegExp(`^${source}$`), keys, render, literal });
  }
  routes.sort((a, b) => b.literal - a.literal || b.pattern.length - a.pattern.length);
  if (view.nav) {
    navItems.push(view.nav);
    navItems.sort((a, b) => (a.order ?? 100) - (b.order ?? 100));
  }
  for (const [name, fn] of Object.entries(view.extend ?? {})) {
    if (!extensions.has(name)) extensions.set(name, []);
    extensions.get(name).push(fn);
  }
}

/** What other modules add to the view called `name` (e.g. 'workflow'): their nodes, in registration order. */
export function extend(name, ...args) {
  return (extensions.get(name) ?? []).map((fn) => fn(...args)).filter(Boolean);
}

/** True when some module serves `path` (so a link to it can be offered). */
export function hasRoute(path) {
  return routes.some((r) => r.regex.test(path));
}

export function href(path, query) {
  const q = query ? new URLSearchParams(Object.entries(query).filter(([, v]) => v !== null && v !== undefined && v !== '')) : null;
  return '#' + path + (q && q.toString() ? '?' + q : '');
}

export function navigate(path, query) {
  const target = href(path, query);
  if (location.hash === target) {
    render();
  } else {
    location.hash = target;
  }
}

function decoded(text, decode) {
  try {
    return decode(text);
  } catch {
    return text;  // a malformed escape in a hand-typed address: match it as it is (no route will)
  }
}

function parseHash() {
  const raw = location.hash.startsWith('#/') ? location.hash.slice(1) : '/';
  const [path, search] = raw.split('?');
  return { path: decoded(path, decodeURI) || '/', query: Object.fromEntries(new URLSearchParams(search ?? '')) };
}

function renderFrame() {
  const nav = document.getElementById('nav');
  const sessionBox = document.getElementById('session');
  clear(nav);
  clear(sessionBox);
  if (!session.signedIn()) {
    nav.hidden = true;
    sessionBox.hidden = true;
    return;
  }
  const { path } = parseHash();
  nav.appendChild(h('ul', {}, navItems.map((item) => h('li', {},
    h('a', { href: href(item.path), 'aria-current': path === item.path || path.startsWith(item.path + '/') ? 'page' : null },
      item.label)))));
  nav.hidden = false;
  sessionBox.appendChild(h('span', {}, 'Signed in with ', h('code', {}, tokenPrefix(session.manageToken()))));
  sessionBox.appendChild(h('button', { type: 'button', class: 'secondary', 'data-testid': 'sign-out', on: { click: signOut } }, 'Sign out'));
  sessionBox.hidden = false;
}

export function signOut() {
  session.clear();
  announce('Signed out. The tokens were removed from this tab.');
  navigate('/');
}

function leave() {
  if (current) {
    current.controller.abort();
    current.timers.forEach(clearTimeout);
  }
  const controller = new AbortController();
  current = { controller, timers: [] };
  return current;
}

/**
 * Shows the page the hash names. After an in-app navigation focus moves to the new page's heading (so screen
 * readers announce it and Tab continues from there); on the first load it stays at the top, where the skip link is.
 */
export async function render({ initial = false } = {}) {
  if (location.hash && !location.hash.startsWith('#/') && !initial) {
    return;  // an in-page anchor, not a route
  }
  const page = leave();
  const root = document.getElementById('main');
  renderFrame();
  clear(root).removeAttribute('aria-busy');
  // Each page renders into its own element: a page the user has left may still finish a request and append to
  // it, but it is no longer in the document.
  const main = root.appendChild(h('div', { class: 'view' }));
  if (!session.signedIn()) {
    document.title = 'Sign in · Kickoff';
    renderSignIn(main, () => render());
    if (!initial) focusHeading(main);
    return;
  }
  let { path, query } = parseHash();
  if (path === '/' && navItems.length) {
    // The start page is the first menu entry; replaceState changes the address without another render.
    path = navItems[0].path;
    history.replaceState(null, '', href(path));
    renderFrame();
  }
  const notice = session.takeNotice();
  if (notice) {
    main.appendChild(h('div', { class: `alert ${notice.tone}`, role: notice.tone === 'error' ? 'alert' : 'status',
      'data-testid': 'notice' }, h('p', {}, notice.text)));
  }
  const route = routes.find((r) => r.regex.test(path));
  const ctx = {
    params: {},
    query,
    main,
    signal: page.controller.signal,
    navigate,
    href,
    title(text) {
      document.title = `${text} · Kickoff`;
    },
    /** Calls fn every `ms` until it returns false or the user leaves; never two calls at once. */
    every(ms, fn) {
      const tick = async () => {
        if (page.controller.signal.aborted) return;
        let again = true;
        try {
          again = (await fn()) !== false;
        } catch (e) {
          if (e.name === 'AbortError') return;
          throw e;
        }
        if (again && !page.controller.signal.aborted) page.timers.push(setTimeout(tick, ms));
      };
      page.timers.push(setTimeout(tick, ms));
    },
  };
  if (!route) {
    ctx.title('Not found');
    main.appendChild(h('h1', { tabindex: '-1' }, 'Page not found'));
    main.appendChild(h('p', {}, 'The dashboard has no page at ', h('code', {}, path), '. ', h('a', { href: '#/' }, 'Go to the start page'), '.'));
    if (!initial) focusHeading(main);
    return;
  }
  route.regex.exec(path).slice(1).forEach((value, i) => {
    ctx.params[route.keys[i]] = decoded(value, decodeURIComponent);
  });
  // Busy until the page has what it loads: assistive technology waits, and so can a test.
  root.setAttribute('aria-busy', 'true');
  try {
    await route.render(ctx);
  } catch (e) {
    if (e.name === 'AbortError' || page.controller.signal.aborted) return;
    if (!main.querySelector('h1')) {
      ctx.title('Error');
      main.appendChild(h('h1', { tabindex: '-1' }, 'Something went wrong'));
    }
    main.appendChild(errorBox(e));
    if (e instanceof ApiError && e.status === 401) {
      // The tab's token stopped working (revoked, or mistyped): offer a way back in.
      main.appendChild(h('p', {}, h('button', { type: 'button', on: { click: signOut } }, 'Sign in with another token')));
    }
  } finally {
    if (!page.controller.signal.aborted) root.removeAttribute('aria-busy');
  }
  if (!initial && !page.controller.signal.aborted) focusHeading(main);
}

function focusHeading(main) {
  const heading = main.querySelector('h1');
  if (heading) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: false });
  }
}

export function start() {
  window.addEventListener('hashchange', () => render());
  // The skip link moves focus to the page's content without touching the address (the hash holds the route).
  document.querySelector('.skip-link')?.addEventListener('click', (event) => {
    event.preventDefault();
    const main = document.getElementById('main');
    const target = main.querySelector('h1') ?? main;
    target.tabIndex = -1;
    target.focus();
  });
  render({ initial: true });
}
