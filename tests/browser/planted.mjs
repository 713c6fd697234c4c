// Planted cookies from a sibling host, in headless Chromium: a server of
// the attacker's on `evil.app.localhost` / `evil.app.test` sets cookies for
// the parent domain, the browser stores them and sends them to the app
// beside the victim's genuine cookie, before it (planted first) or after
// it; the app must use the genuine session and delete nothing.
//
// 1. `__Host-session` on http://app.localhost:$APP_PORT (a secure context,
//    so Chromium stores the Secure cookie): look-alike names, a Unicode
//    space before `__Host-session`, holding the attacker's own valid
//    session (fixation) or garbage (which the old reader answered by
//    deleting the genuine cookie).
// 2. The unprefixed `session` on http://www.app.test:$PLAIN_PORT (plain
//    HTTP, no Secure; the sibling evil.app.test is not a secure context):
//    the exact name planted for `.app.test`, so the browser sends two
//    `session` cookies; only a single copy that opens is used.
//
// A recorder between the browser and each app server keeps the exact
// Cookie bytes the app received, so the checks show what reached it.
import { connect, createServer } from 'node:net';
import { caller, launch } from './browser.mjs';

const { APP_PORT, PLAIN_PORT } = process.env;
if (!APP_PORT || !PLAIN_PORT) throw new Error('APP_PORT and PLAIN_PORT must be set');

// Both helpers below speak HTTP/1.1 over raw sockets: Node's http module
// writes header strings as the UTF-8 of their latin1 reading, which would
// re-encode the very bytes under test. Requests here have no body (GETs
// and body-less POSTs), so a header block ends each one.
function headerBlocks(socket, onBlock) {
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    for (let end; (end = pending.indexOf('\r\n\r\n')) >= 0; pending = pending.subarray(end + 4)) {
      onBlock(pending.subarray(0, end).toString('latin1').split('\r\n'));
    }
  });
}

// The attacker's server: `/plant?c=<Set-Cookie line>&c=...` answers with
// those lines, as UTF-8 bytes.
const evil = createServer((socket) => {
  headerBlocks(socket, ([requestLine]) => {
    const target = requestLine.split(' ')[1];
    const lines = new URL(target, 'http://evil').searchParams.getAll('c');
    const head = ['HTTP/1.1 200 OK', 'Content-Type: text/plain', 'Content-Length: 8',
      ...lines.map((l) => `Set-Cookie: ${l}`)];
    socket.write(Buffer.from(`${head.join('\r\n')}\r\n\r\nplanted\n`, 'utf8'));
  });
  socket.on('error', () => socket.destroy());
});

// In front of each app server: forwards the bytes both ways unchanged and
// keeps each request's Cookie header, decoded as UTF-8.
function recorder(port) {
  const sent = [];
  const server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    headerBlocks(client, (lines) => {
      const cookie = lines.find((l) => /^cookie:/i.test(l)) || 'cookie:';
      // Only SP and HTAB: JavaScript's trim() would eat U+00A0 as well.
      const value = cookie.slice('cookie:'.length).replace(/^[ \t]+/, '');
      sent.push(Buffer.from(value, 'latin1').toString('utf8'));
    });
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.pipe(client);
    client.on('end', () => upstream.end());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  return { server, sent };
}

const listen = (server) => new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server.address().port)));
const EVIL_PORT = await listen(evil);
const app = recorder(APP_PORT);
const plain = recorder(PLAIN_PORT);
const [APP_SEEN, PLAIN_SEEN] = [await listen(app.server), await listen(plain.server)];

// The look-alike spaces.
const SPACES = ['\u2000', '\u00a0', '\u3000', '\u0085', '\u1680', '\u205f', '\u2028'];

// The attacker's own valid session: a login of theirs, by hand.
async function attackerValue(port, name) {
  const r = await fetch(`http://127.0.0.1:${port}/login?user=mallory`, { method: 'POST' });
  const line = r.headers.getSetCookie().find((l) => l.startsWith(`${name}=`));
  return line.split(';')[0].slice(name.length + 1);
}

const { context, check, close, report } = await launch();
try {
  const page = await context.newPage();
  const plant = async (host, lines) => {
    const query = lines.map((l) => `c=${encodeURIComponent(l)}`).join('&');
    await page.goto(`http://${host}:${EVIL_PORT}/plant?${query}`);
    return page.evaluate(() => window.isSecureContext);
  };
  // A GET by navigation: the pairs of the Cookie header the app got for
  // it (a favicon request may follow), and the answer.
  const visit = async (url, seen) => {
    const before = seen.sent.length;
    const r = await page.goto(url);
    return { body: await r.text(), pairs: seen.sent[before].split('; '), setCookie: await r.headerValue('set-cookie') };
  };
  const jar = async (domain) => (await context.cookies()).filter((c) => c.domain === domain);
  const names = async (domain) => (await jar(domain)).map((c) => c.name);

  // 1. __Host-session on app.localhost.
  const APP = `http://app.localhost:${APP_SEEN}`;
  const NAME = '__Host-session';
  const mallory = await attackerValue(APP_PORT, NAME);
  const lookalikes = SPACES.map((c) => `${c}${NAME}`);
  const forParent = (value) => `=${value}; Domain=app.localhost; Path=/`;
  // Names that start with __Host- fall under the prefix rules in the
  // browser, so only the leading-space look-alikes get through.
  const refused = SPACES.flatMap((c) => [`${NAME}${c}`, `__Host-${c}session`]).concat([NAME]);
  await plant('evil.app.localhost', [...lookalikes, ...refused].map((n) => n + forParent(mallory)));
  const planted = await names('.app.localhost');
  check(lookalikes.every((n) => planted.includes(n)), `the sibling planted ${lookalikes.length} look-alikes for .app.localhost`);
  check(refused.every((n) => !planted.includes(n)), 'the browser refused the exact name and names starting with __Host- from the sibling');

  let v = await visit(`${APP}/whoami`, app);
  check(lookalikes.every((n) => v.pairs.includes(`${n}=${mallory}`)), 'the planted cookies reach the app');
  check(v.body.startsWith('no session') && v.setCookie === null, `not signed in as the attacker (${v.body.trim()})`);
  const call = caller(page);
  check((await call('POST', '/login?user=alice')).body.startsWith('user=alice'), 'the victim logs in after the planting');
  const genuine = (await jar('app.localhost')).find((c) => c.name === NAME);
  check(genuine !== undefined && genuine.secure, 'the genuine host-only Secure __Host-session is stored');

  v = await visit(`${APP}/whoami`, app);
  check(SPACES.includes(v.pairs[0][0]) && v.pairs.at(-1) === `${NAME}=${genuine?.value}`, 'planted first, genuine last');
  check(v.body.startsWith('user=alice'), `the genuine session is used, not the attacker's (${v.body.trim()})`);
  check(v.setCookie === null, 'no Set-Cookie');
  v = await visit(`${APP}/`, app);
  check(v.body.startsWith('user=alice visits=1'), 'a change to the session');
  const lines = (v.setCookie || '').split('\n');
  check(lines.length === 1 && lines[0].startsWith(`${NAME}=`) && !lines[0].includes('Max-Age=0'), 're-seals the genuine cookie only, deletes nothing');
  const resealed = (await jar('app.localhost')).find((c) => c.name === NAME)?.value;
  check(resealed !== undefined && resealed !== genuine?.value, 'the genuine cookie is the one updated');

  // Planted after the login: the genuine cookie is sent first.
  await plant('evil.app.localhost', lookalikes.map((n) => `${n}=; Domain=app.localhost; Path=/; Max-Age=0`));
  check((await names('.app.localhost')).length === 0, 'the sibling removed its cookies');
  await plant('evil.app.localhost', lookalikes.map((n) => n + forParent('garbage')));
  v = await visit(`${APP}/whoami`, app);
  check(v.pairs[0] === `${NAME}=${resealed}` && lookalikes.every((n) => v.pairs.includes(`${n}=garbage`)), 'genuine first, planted garbage after');
  check(v.body.startsWith('user=alice visits=1') && v.setCookie === null, 'the genuine session, no Set-Cookie');
  check((await jar('app.localhost')).find((c) => c.name === NAME)?.value === resealed, 'the genuine cookie is untouched');

  // 2. The unprefixed `session` over plain HTTP on www.app.test.
  const PLAIN = `http://www.app.test:${PLAIN_SEEN}`;
  const mallory2 = await attackerValue(PLAIN_PORT, 'session');
  const parent = (value) => `=${value}; Domain=app.test; Path=/`;
  const secure = await plant('evil.app.test', [`session${parent('garbage')}`, ...SPACES.map((c) => `${c}session${parent(mallory2)}`)]);
  check(secure === false, 'the sibling evil.app.test is plain HTTP, not a secure context');
  check((await names('.app.test')).length === SPACES.length + 1, 'it planted session and its look-alikes for .app.test');
  await page.goto(`${PLAIN}/whoami`);
  check((await caller(page)('POST', '/login?user=alice')).body.startsWith('user=alice'), 'the victim logs in');
  // The jar is read from the browser process, which may learn of the
  // fetch's Set-Cookie a moment after the page does: wait for it (once
  // seen under load in CI), and say so if it never comes.
  let victim;
  for (let i = 0; i < 50 && victim === undefined; i += 1) {
    victim = (await jar('www.app.test')).find((c) => c.name === 'session')?.value;
    if (victim === undefined) await new Promise((ok) => setTimeout(ok, 100));
  }
  check(victim !== undefined, "the browser stored the victim's host-only session cookie");
  v = await visit(`${PLAIN}/whoami`, plain);
  check(v.pairs.filter((p) => p.startsWith('session=')).length === 2, 'the browser sends two exact session cookies');
  check(v.body.startsWith('user=alice') && v.setCookie === null, 'planted garbage: the one copy that opens is used, nothing deleted');

  await plant('evil.app.test', [`session${parent(mallory2)}`]);
  v = await visit(`${PLAIN}/whoami`, plain);
  check(v.pairs.includes(`session=${mallory2}`) && v.pairs.includes(`session=${victim}`), "the attacker's valid session beside the victim's");
  check(v.body.startsWith('no session') && v.setCookie === null, 'two copies open: neither is used, nothing deleted');
  check((await jar('www.app.test')).find((c) => c.name === 'session')?.value === victim, "the victim's cookie is still there");
  await plant('evil.app.test', [`session=; Domain=app.test; Path=/; Max-Age=0`]);
  check((await visit(`${PLAIN}/whoami`, plain)).body.startsWith('user=alice'), 'without the planted copy the victim is signed in');
} finally {
  await close();
  for (const server of [evil, app.server, plain.server]) server.close();
}
report('planted-cookie');
