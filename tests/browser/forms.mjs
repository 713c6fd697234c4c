// Drives the example server's HTML showcase (/app) as a user would: real
// form submissions in headless Chromium, each carrying the session's CSRF
// token; flash messages across the redirects, shown once; "remember me"
// as a persistent cookie and without it a browser-session cookie; a form
// posted without the token refused; sign out and sign out everywhere.
import { launch } from './browser.mjs';

const BASE = process.env.BASE;
if (!BASE) throw new Error('BASE is not set');
const NAME = '__Host-session';

const { context, check, close, report } = await launch();
try {
  const page = await context.newPage();
  const session = async () => (await context.cookies(BASE)).find((c) => c.name === NAME);
  const submit = async (button) => {
    await Promise.all([page.waitForURL(`${BASE}/app`), page.click(`button:has-text("${button}")`)]);
  };
  const flash = async () => (await page.locator('.flash').allTextContents()).join('|');

  await page.goto(`${BASE}/app`);
  check(await page.locator('input[name=csrf_token]').count() === 1, 'the login form carries a CSRF token');
  await page.fill('input[name=user]', 'carol');
  await submit('Sign in');
  check((await page.textContent('#who')) === 'Signed in as carol', 'signed in through the form');
  check(await flash() === 'Welcome, carol.', 'a flash after the redirect');
  const browserSession = await session();
  check(browserSession !== undefined && browserSession.expires === -1,
    `without "remember me": a browser-session cookie (expires ${browserSession?.expires})`);
  await page.reload();
  check(await flash() === '', 'the flash is shown once');

  await page.fill('input[name=text]', '<b>hi</b>');
  await submit('Save note');
  check((await page.textContent('#note')) === 'Note: <b>hi</b>', 'the note is saved, and shown as text');
  check(await flash() === 'Saved.', 'flash: Saved.');

  // A cross-site form cannot know the token: the same post without it, or
  // with a made-up one, is refused before the handler runs.
  const post = (body) => page.evaluate(async (body) => (await fetch('/app/note', {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body,
  })).status, body);
  check(await post('text=pwned') === 403, 'a form post without the token: 403');
  check(await post(`text=pwned&csrf_token=${'A'.repeat(43)}`) === 403, 'with a made-up token: 403');
  await page.reload();
  check((await page.textContent('#note')) === 'Note: <b>hi</b>', 'and the note is unchanged');

  await submit('Sign out');
  check(await flash() === 'Signed out.', 'signed out, with a flash');
  check(await page.locator('input[name=user]').count() === 1, 'the login form again');

  await page.fill('input[name=user]', 'dave');
  await page.check('input[name=remember]');
  await submit('Sign in');
  const remembered = await session();
  check(remembered !== undefined && remembered.expires > Date.now() / 1000 + 3600,
    `"remember me": a persistent cookie (expires ${remembered?.expires})`);
  await submit('Sign out everywhere');
  check(await flash() === 'Signed out on every device.', 'signed out everywhere');
} finally {
  await close();
}
report('forms');
