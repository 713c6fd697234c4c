// The route list every edge example is tested on, in its real runtime:
// login, read, tampered cookie, chunked session, key rotation (restart
// with a two-key ring: old cookie accepted and re-sealed under the new
// primary), logout. `start(keys)` starts the runtime with SESSION_KEYS set
// to `keys` and resolves to { url, stop }; the same state (a Durable
// Object's storage) survives a restart.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Jar, newKey, request, tamper } from "./http.mjs";

const COOKIE = "__Host-session";

/**
 * Registers the tests. `revokes`: logout also revokes the session id, so
 * a copy of the cookie is refused afterwards (the Worker's Durable Object
 * store); otherwise logout only deletes the cookies. `tooLargeStatus`: the
 * status of a login whose session does not fit four cookies.
 */
export function routeSuite(name, start, { revokes, tooLargeStatus = 413 }) {
  const oldKey = newKey(1);
  const newPrimary = newKey(2);
  let server;
  const alice = new Jar();
  const carol = new Jar();

  test(`${name}: starts with a one-key ring`, async () => {
    server = await start(oldKey);
  });

  test(`${name}: login sets one sealed, host-only, HttpOnly cookie`, async () => {
    const reply = await request(server.url, "POST", "/login", { jar: alice, json: { user: "alice" } });
    assert.equal(reply.status, 200, reply.body);
    assert.equal(reply.setCookies.length, 1);
    const line = reply.setCookies[0];
    assert.match(line, new RegExp(`^${COOKIE}=[A-Za-z0-9_-]{40,};`));
    for (const attribute of ["Secure", "HttpOnly", "Path=/", "SameSite=Lax"]) {
      assert.ok(line.includes(attribute), `${attribute} in ${line}`);
    }
    assert.deepEqual(alice.names(), [COOKIE]);
  });

  test(`${name}: read opens the session and sends no cookie`, async () => {
    const reply = await request(server.url, "GET", "/me", { jar: alice });
    assert.equal(reply.status, 200);
    assert.equal(reply.body, "hello alice\n");
    assert.deepEqual(reply.setCookies, []);
  });

  test(`${name}: no cookie, garbage, or one tampered character is 401`, async () => {
    assert.equal((await request(server.url, "GET", "/me")).status, 401);
    const garbage = await request(server.url, "GET", "/me", { cookie: `${COOKIE}=AQEAAAAB` });
    assert.equal(garbage.status, 401);
    const tampered = await request(server.url, "GET", "/me", { cookie: tamper(alice.header()) });
    assert.equal(tampered.status, 401);
    assert.equal(tampered.body, "not logged in\n");
    assert.ok(tampered.setCookies.some((l) => l.startsWith(`${COOKIE}=;`) && l.includes("Max-Age=0")));
  });

  test(`${name}: a session too large for one cookie is chunked and reads back whole`, async () => {
    const note = "n".repeat(3500);
    const login = await request(server.url, "POST", "/login", { jar: carol, json: { user: "carol", note } });
    assert.equal(login.status, 200, login.body);
    assert.deepEqual(carol.names(), [`${COOKIE}.0`, `${COOKIE}.1`]);
    assert.ok(login.setCookies.every((line) => line.length <= 4096));
    assert.match(carol.cookies.get(`${COOKIE}.0`), /^2\./);
    const me = await request(server.url, "GET", "/me", { jar: carol });
    assert.equal(me.status, 200);
    assert.equal(me.body, `hello carol\nnote: ${note}\n`);
    // A missing chunk, or chunks swapped, open nothing.
    const first = `${COOKIE}.0=${carol.cookies.get(`${COOKIE}.0`)}`;
    assert.equal((await request(server.url, "GET", "/me", { cookie: first })).status, 401);
    const swapped = `${COOKIE}.0=${carol.cookies.get(`${COOKIE}.1`)}; ${COOKIE}.1=${carol.cookies.get(`${COOKIE}.0`)}`;
    assert.equal((await request(server.url, "GET", "/me", { cookie: swapped })).status, 401);
    // Larger than four cookies: refused, nothing set (413 from the
    // examples' own routes; the web layer answers 500, a sealing failure).
    const huge = await request(server.url, "POST", "/login", { json: { user: "dave", note: "x".repeat(20000) } });
    assert.equal(huge.status, tooLargeStatus);
    assert.deepEqual(huge.setCookies, []);
  });

  test(`${name}: after a restart with a rotated ring the old cookie opens and is re-sealed`, async () => {
    await server.stop();
    server = await start(`${newPrimary},${oldKey}`);
    const before = alice.header();
    const me = await request(server.url, "GET", "/me", { jar: alice });
    assert.equal(me.status, 200, me.body);
    assert.equal(me.body, "hello alice\n");
    assert.equal(me.setCookies.length, 1, "sealed under an old key: re-sealed");
    assert.notEqual(alice.header(), before);
    // Chunked sessions are re-sealed too, chunk for chunk.
    const carolMe = await request(server.url, "GET", "/me", { jar: carol });
    assert.equal(carolMe.status, 200);
    assert.equal(carolMe.setCookies.length, 2);
    // Only the new key left: the re-sealed cookies open, the old ones not.
    const stale = before;
    await server.stop();
    server = await start(newPrimary);
    assert.equal((await request(server.url, "GET", "/me", { jar: alice })).body, "hello alice\n");
    assert.equal((await request(server.url, "GET", "/me", { jar: carol })).status, 200);
    assert.equal((await request(server.url, "GET", "/me", { cookie: stale })).status, 401);
  });

  test(`${name}: logout deletes every cookie${revokes ? " and a kept copy is refused" : ""}`, async () => {
    // A copy of the cookies kept elsewhere (sent as is: a replay does not
    // obey the removals it gets back).
    const copy = carol.header();
    const reply = await request(server.url, "POST", "/logout", { jar: carol });
    assert.equal(reply.status, 200, reply.body);
    assert.equal(reply.setCookies.length, 2, "both chunks removed");
    assert.deepEqual(carol.names(), []);
    assert.equal((await request(server.url, "GET", "/me", { jar: carol })).status, 401);
    const replay = await request(server.url, "GET", "/me", { cookie: copy });
    if (revokes) {
      assert.equal(replay.status, 401);
      assert.equal(replay.body, "session revoked\n");
      // Still refused after a restart: the deny-list was persisted.
      await server.stop();
      server = await start(newPrimary);
      const again = await request(server.url, "GET", "/me", { cookie: copy });
      assert.equal(again.body, "session revoked\n");
      // Other sessions are untouched.
      assert.equal((await request(server.url, "GET", "/me", { jar: alice })).status, 200);
    } else {
      // Without a revocation store a copy stays valid until it expires
      // (README, "Serverless and edge"): asserted, so a change shows.
      assert.equal(replay.status, 200);
    }
  });

  test(`${name}: stops`, async () => {
    await server?.stop();
  });
}
