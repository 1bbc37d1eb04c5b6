// The tokens this browser tab holds. sessionStorage only: they die with the tab, are never written to
// localStorage, a cookie or a URL, and other tabs do not see them.
const MANAGE = 'kickoff.manageToken';
const API = 'kickoff.apiToken';
const NOTICE = 'kickoff.notice';

function read(key) {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;  // storage disabled: the tab simply holds no token
  }
}

export const session = {
  manageToken: () => read(MANAGE),
  setManageToken: (token) => sessionStorage.setItem(MANAGE, token),
  /** An API token (workflows:execute), asked for only when the user starts a run from the dashboard. */
  apiToken: () => read(API),
  setApiToken: (token) => sessionStorage.setItem(API, token),
  forgetApiToken: () => sessionStorage.removeItem(API),
  signedIn: () => Boolean(read(MANAGE)),
  /** A message for the next page shown ("Saved as version 3"); tone is ok, warn or error. */
  setNotice: (text, tone = 'ok') => sessionStorage.setItem(NOTICE, JSON.stringify({ text, tone })),
  takeNotice() {
    const stored = read(NOTICE);
    if (!stored) return null;
    sessionStorage.removeItem(NOTICE);
    try {
      return JSON.parse(stored);
    } catch {
      return null;
    }
  },
  clear() {
    sessionStorage.removeItem(MANAGE);
    sessionStorage.removeItem(API);
    sessionStorage.removeItem(NOTICE);
  },
};

/** The start of a token, as the token list shows it (its prefix, never the rest). */
export function tokenPrefix(token) {
  return token ? token.slice(0, 8) + '…' : '';
}
