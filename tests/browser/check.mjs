// Drives headless Chromium (Debian's /usr/bin/chromium) against the example
// server at $BASE: the browser must store the session cookie with the exact
// attributes the server set, send it back, and do the same for a cookie
// within a few bytes of the 4096-byte limit and for a chunked session.
// Planted look-alike cookies from sibling hosts: planted.mjs.
import { caller, launch } from './browser.mjs';

const BASE = process.env.BASE;
if (!BASE) throw new Error('BASE is not set');
const NAME = '__Host-session';

const { context, check, close, report } = await launch();
try {
  const page = await context.newPage();
  await page.goto(`${BASE}/whoami`);
  const call = caller(page);
  const ours = async () => (await context.cookies(BASE)).filter((c) => c.name.startsWith(NAME));
  const names = async () => (await ours()).map((c) => c.name).sort().join(',');

  check((await call('GET', '/whoami')).body.startsWith('no session'), 'no session at first');

  const before = Date.now() / 1000;
  const login = await call('POST', '/login?user=alice');
  check(login.status === 200 && login.body.startsWith('user=alice'), 'login');
  const [cookie] = await ours();
  check(cookie !== undefined && cookie.name === NAME, 'the browser stored __Host-session');
  if (cookie) {
    check(cookie.path === '/', `Path=/ (${cookie.path})`);
    check(cookie.secure === true, 'Secure');
    check(cookie.httpOnly === true, 'HttpOnly');
    check(cookie.sameSite === 'Lax', `SameSite=Lax (${cookie.sameSite})`);
    check(cookie.domain === 'localhost', `host-only cookie for localhost (${cookie.domain})`);
    const maxAge = cookie.expires - before;
    check(Math.abs(maxAge - 8 * 3600) < 60, `Max-Age=28800 (${Math.round(maxAge)})`);
    check(/^[A-Za-z0-9_-]+$/.test(cookie.value), 'value is base64url');
  }
  check(await page.evaluate(() => document.cookie) === '', 'HttpOnly: invisible to scripts');
  check((await call('GET', '/whoami')).body.startsWith('user=alice'), 'the browser sends it back');

  const rotate = await call('POST', '/admin/rotate');
  check(rotate.status === 200, 'key rotation');
  const oldValue = (await ours())[0]?.value;
  check((await call('GET', '/whoami')).body.startsWith('user=alice'), 'still signed in after rotation');
  check((await ours())[0]?.value !== oldValue, 're-sealed under the new key');

  const near = await call('POST', '/pad?line=4096');
  check(near.status === 200, 'padded to a 4093..4096-byte Set-Cookie line');
  check(await names() === NAME, `one cookie near the limit (${await names()})`);
  const big = (await ours())[0];
  if (big) {
    const line = `${big.name}=${big.value}; Max-Age=28800; Path=/; Secure; HttpOnly; SameSite=Lax`.length;
    check(line > 4090 && line <= 4096, `stored near the limit (${line} bytes)`);
  }
  const shown = await call('GET', '/whoami');
  check(shown.body.startsWith('user=alice') && !shown.body.includes('pad=0 '), 'and sent back');

  const chunked = await call('POST', '/pad?bytes=3500');
  check(chunked.status === 200, 'a session larger than one cookie');
  check(await names() === `${NAME}.0,${NAME}.1`, `stored as two chunks (${await names()})`);
  for (const c of await ours()) {
    check(c.secure && c.httpOnly && c.sameSite === 'Lax' && c.path === '/', `${c.name} has the same attributes`);
  }
  check((await call('GET', '/whoami')).body.includes('pad=3500'), 'the chunks are sent back and open');

  await call('POST', '/pad?bytes=10');
  check(await names() === NAME, `shrunk back to one cookie, chunks cleared (${await names()})`);
  check((await call('GET', '/whoami')).body.includes('pad=10'), 'and it opens');

  const out = await call('POST', '/logout');
  check(out.status === 200, 'logout');
  check(await names() === '', 'the cookie is deleted');
  check((await call('GET', '/whoami')).body.startsWith('no session'), 'no session after logout');
} finally {
  await close();
}
report('browser');
