// Boot: load every view module the server listed in the shell (<meta name="kickoff-views">), register them, route.
import { register, start } from './app.js';
import { session } from './session.js';

const listed = document.querySelector('meta[name="kickoff-views"]')?.content ?? '';
const names = listed.split(/\s+/).filter((name) => /^view-[a-z0-9-]+\.js$/.test(name));
const results = await Promise.allSettled(names.map((name) => import(`./${name}`)));
results.forEach((result, i) => {
  if (result.status === 'fulfilled') {
    register(result.value.default);
  } else {
    // One broken view must not take the others down; say which one, on the next page shown.
    console.error(`the view module ${names[i]} did not load`, result.reason);
    session.setNotice(`Part of the dashboard (${names[i]}) did not load: ${result.reason?.message ?? result.reason}`, 'error');
  }
});
start();
