// examples/lambda's two functions under cargo-lambda's local emulator
// (`cargo lambda watch`: the Lambda runtime API and a Function URL
// front end that turns HTTP requests into Lambda events, cookies array
// and all), over loopback. Run by scripts/edge-test.sh after the build:
//   node --test tests/edge/lambda.test.mjs
// SESSION_KEYS reaches the function as its environment, as on Lambda.

import { test } from "node:test";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { routeSuite } from "./lib/routes.mjs";
import { Jar, median, newKey, request } from "./lib/http.mjs";

const example = resolve(import.meta.dirname, "../../examples/lambda");

async function freePort() {
  const server = createServer();
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  await new Promise((ok) => server.close(ok));
  return port;
}

/**
 * Starts `cargo lambda watch` for the package's functions with
 * SESSION_KEYS = keys; resolves to { url, stop, readyMs } for `bin`, once
 * the emulator accepts connections.
 */
async function startLambda(bin, keys) {
  const port = await freePort();
  // An env file, not --env-var: that option splits its value at commas,
  // and a ring is comma-separated.
  const dir = mkdtempSync(join(tmpdir(), "sealed-session-lambda-"));
  const envFile = join(dir, "env");
  writeFileSync(envFile, `SESSION_KEYS=${keys}\n`, { mode: 0o600 });
  const started = performance.now();
  const child = spawn(
    "cargo",
    ["lambda", "watch", "--ignore-changes", "--quiet",
      "--invoke-address", "127.0.0.1", "--invoke-port", String(port),
      "--env-file", envFile],
    // Its own process group, so stop() ends the function with it.
    { cwd: example, detached: true, stdio: ["ignore", "inherit", "inherit"] },
  );
  const exited = new Promise((ok) => child.once("exit", ok));
  const stop = async () => {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      // already gone
    }
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}/lambda-url/${bin}/`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`cargo lambda watch exited with ${child.exitCode}`);
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      return { url, stop, readyMs: performance.now() - started };
    } catch {
      await sleep(100);
    }
  }
  await stop();
  throw new Error("cargo lambda watch did not listen within 60 s");
}

for (const [bin, options] of [
  ["sealed-session-lambda-example", { revokes: false }],
  ["lambda-axum", { revokes: false, tooLargeStatus: 500 }],
]) {
  routeSuite(`lambda ${bin} under cargo lambda watch`, (keys) => startLambda(bin, keys), options);

  // Printed for the record, not asserted: the emulator's first request
  // starts the function binary, the later ones reuse it.
  test(`lambda ${bin}: timings`, async () => {
    const t0 = performance.now();
    const server = await startLambda(bin, newKey(1));
    try {
      const first = await request(server.url, "GET", "/me");
      const cold = performance.now() - t0;
      const jar = new Jar();
      await request(server.url, "POST", "/login", { jar, json: { user: "timing" } });
      const reads = [];
      for (let i = 0; i < 100; i++) reads.push((await request(server.url, "GET", "/me", { jar })).ms);
      const ms = (x) => x.toFixed(2);
      console.log(
        `TIMING ${bin} under cargo lambda watch: emulator up ${ms(server.readyMs)} ms, ` +
          `first reply ${ms(cold)} ms (status ${first.status}); median GET /me ${ms(median(reads))} ms`,
      );
    } finally {
      await server.stop();
    }
  });
}
