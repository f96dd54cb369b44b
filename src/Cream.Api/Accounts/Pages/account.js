// The pages that account emails link to (docs/decisions/0018-account-pages.md). The link carries the
// token in its query string: it is taken out of the address bar at once and kept only in memory here.
'use strict';

(() => {
  const endpoint = document.body.dataset.endpoint;
  const form = document.getElementById('action');
  const button = form.querySelector('button');
  const problem = document.getElementById('problem');
  let token = new URLSearchParams(location.search).get('token');
  if (location.search || location.hash) {
    history.replaceState(null, '', location.pathname);
  }

  // Relative to the page, so a service published under a path (example.com/cream) calls its own API.
  const url = new URL(`../api/auth/${endpoint}`, location.href);

  const finish = (state) => {
    token = null;
    form.hidden = true;
    document.getElementById(state).hidden = false;
  };

  const complain = (message) => {
    problem.textContent = message;
    problem.hidden = false;
  };

  // Hints only, so nobody waits for an answer the page can give; the service decides.
  const checkPassword = () => {
    const password = document.getElementById('new-password');
    const confirmation = document.getElementById('confirm-password');
    const length = [...password.value].length; // code points, as the service counts them
    if (length < 8 || length > 128) {
      password.focus();
      return { hint: 'The password must be 8 to 128 characters long.' };
    }

    if (password.value !== confirmation.value) {
      confirmation.focus();
      return { hint: 'The two passwords do not match.' };
    }

    return { fields: { new_password: password.value } };
  };

  const read = endpoint === 'reset-password' ? checkPassword : () => ({ fields: {} });

  const reasonOf = async (response) => {
    const details = await response.json().catch(() => null);
    return details?.errors?.new_password?.[0] ?? details?.detail
      ?? `Something went wrong (${response.status}). Try again in a moment.`;
  };

  const send = async () => {
    const { hint, fields } = read();
    if (hint) {
      complain(hint);
      return;
    }

    problem.hidden = true;
    button.disabled = true;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ token, ...fields }),
        credentials: 'omit',
        cache: 'no-store',
      });
      if (response.ok) {
        finish('done');
      } else if (response.status === 400) {
        finish('invalid');
      } else {
        complain(await reasonOf(response));
      }
    } catch {
      complain('The service could not be reached. Check your connection and try again.');
    } finally {
      button.disabled = false;
    }
  };

  if (!token) {
    finish('invalid');
    return;
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!button.disabled) {
      send();
    }
  });
})();
