// Sign-in: the user pastes a manage token. It is checked with one cheap authenticated GET, then kept in this tab's
// sessionStorage. The input has no name attribute, so even a form submitted without JavaScript sends nothing and
// never puts the token in a URL.
import { api, ApiError } from './api.js';
import { session } from './session.js';
import { h, field, showFormError, announce, busy, add } from './ui.js';

export function renderSignIn(main, done) {
  const input = h('input', { type: 'password', id: 'manage-token', autocomplete: 'off', spellcheck: 'false',
    'data-pointer': '/token', 'aria-required': 'true' });
  const slot = h('div');
  const submit = h('button', { type: 'submit' }, 'Sign in');
  const form = h('form', { method: 'post', action: '#', 'aria-labelledby': 'signin-title', novalidate: true },
    slot,
    field('Manage token', input, 'Starts with mgt_. It stays in this browser tab only (sessionStorage) and is sent as an '
      + 'Authorization header to this site\'s API, nowhere else.'),
    h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = input.value.trim();
    if (!token) {
      showFormError(form, slot, new Error('Paste a manage token first.'));
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    await busy(submit, async () => {
      let warning = null;
      try {
        await api.get('/api/manage/v1/workflows', { query: { limit: 1 }, token });
      } catch (e) {
        if (!(e instanceof ApiError) || e.status !== 403) {
          showFormError(form, slot, e);
          input.setAttribute('aria-invalid', 'true');
          return;
        }
        // The token is valid but cannot read workflows (a custom token): sign in, and say what it cannot do.
        warning = e.message;
      }
      input.value = '';
      session.setManageToken(token);
      if (warning) session.setNotice(`Signed in, but this token cannot read workflows: ${warning}`, 'warn');
      announce('Signed in.');
      done();
    });
  });
  add(main, 
    h('h1', { id: 'signin-title', tabindex: '-1' }, 'Sign in to Kickoff'),
    h('p', {}, 'Use a manage token of your organization (from ', h('code', {}, './kickoff start'),
      ' locally, or from the admin function\'s create-org answer).'),
    form);
}
