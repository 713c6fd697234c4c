// examples/worker, as built by worker-build, in workerd (through
// miniflare's API, which runs the same workerd binary `wrangler dev` does),
// over loopback. Run by scripts/edge-test.sh after the build:
//   node --test tests/edge/worker.test.mjs
//
// Configuration as in examples/worker/wrangler.toml, given to workerd the
// way wrangler passes it: SESSION_KEYS as a secret text binding, and the
// REVOCATIONS Durable Object binding (SQLite-backed) whose storage is kept
// in a directory across restarts, as a deployed object keeps its own.

import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Miniflare } from "miniflare";
import { routeSuite } from "./lib/routes.mjs";
import { Jar, median, newKey, request } from "./lib/http.mjs";

const example = resolve(import.meta.dirname, "../../examples/worker");
const wrangler = readFileSync(join(example, "wrangler.toml"), "utf8");
const persist = mkdtempSync(join(tmpdir(), "sealed-session-do-"));
after(() => rmSync(persist, { recursive: true, force: true }));

// The names the Worker and wrangler.toml agree on: a drift fails here.
const compatibilityDate = wrangler.match(/^compatibility_date = "([^"]+)"/m)?.[1];
test("wrangler.toml binds the Durable Object the Worker uses", () => {
  assert.ok(compatibilityDate);
  assert.match(wrangler, /name = "REVOCATIONS"\s*\nclass_name = "SessionRevocations"/);
  assert.match(wrangler, /new_sqlite_classes = \["SessionRevocations"\]/);
});

/** Starts workerd with the built Worker; resolves to { url, stop, readyMs }. */
export async function startWorker(keys) {
  const started = performance.now();
  const mf = new Miniflare({
    host: "127.0.0.1",
    port: 0,
    modules: true,
    modulesRoot: join(example, "build"),
    scriptPath: join(example, "build/index.js"),
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"], fallthrough: true }],
    compatibilityDate,
    bindings: { SESSION_KEYS: keys },
    durableObjects: { REVOCATIONS: { className: "SessionRevocations", useSQLite: true } },
    durableObjectsPersist: persist,
  });
  const url = await mf.ready;
  return { url, stop: () => mf.dispose(), readyMs: performance.now() - started };
}

routeSuite("worker in workerd", startWorker, { revokes: true });

// Timings for BENCHMARKS.md, printed, not asserted (a shared machine).
// Cold start: from spawning workerd to the first reply (which loads and
// instantiates the module and builds the sealer); then per-request times
// of GET /me (open + Durable Object check), POST /login (Durable Object
// status + seal) and GET /me without a cookie (no crypto, no subrequest).
test("worker in workerd: timings", async () => {
  const t0 = performance.now();
  const server = await startWorker(newKey(1));
  try {
    const first = await request(server.url, "GET", "/me");
    const cold = performance.now() - t0;
    assert.equal(first.status, 401);
    const jar = new Jar();
    const logins = [];
    for (let i = 0; i < 50; i++) {
      logins.push((await request(server.url, "POST", "/login", { jar, json: { user: `u${i}` } })).ms);
    }
    const reads = [];
    for (let i = 0; i < 200; i++) {
      const reply = await request(server.url, "GET", "/me", { jar });
      assert.equal(reply.status, 200);
      reads.push(reply.ms);
    }
    // The same route without a cookie: the runtime and loopback alone
    // (no open, no Durable Object check).
    const bare = [];
    for (let i = 0; i < 200; i++) bare.push((await request(server.url, "GET", "/me")).ms);
    const ms = (x) => x.toFixed(2);
    console.log(
      `TIMING workerd: ready ${ms(server.readyMs)} ms, cold start to first reply ${ms(cold)} ms ` +
        `(first request ${ms(first.ms)} ms); median POST /login ${ms(median(logins))} ms, ` +
        `median GET /me ${ms(median(reads))} ms, without a cookie ${ms(median(bare))} ms, over loopback`,
    );
  } finally {
    await server.stop();
  }
});
