// Shared by the browser checks: Debian's headless Chromium in a throwaway
// profile, with `*.localhost` and `*.test` resolving to 127.0.0.1 (the
// planted-cookie checks need sibling hosts), and a pass/fail tally.
// Every step is bounded in time (playwright timeouts; the caller wraps
// each script in `timeout`).
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function launch() {
  const userDataDir = mkdtempSync(join(tmpdir(), 'sealed-session-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    timeout: 60_000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--host-resolver-rules=MAP *.localhost 127.0.0.1, MAP *.test 127.0.0.1'],
  });
  context.setDefaultTimeout(15_000);
  let failures = 0;
  const check = (ok, what) => {
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
    if (!ok) failures += 1;
  };
  const close = async () => {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  };
  // After close(), when no step threw.
  const report = (name) => {
    if (failures > 0) {
      console.error(`${failures} ${name} check(s) failed`);
      process.exit(1);
    }
    console.log(`${name} checks passed`);
  };
  return { context, check, close, report };
}

// fetch() from the page itself, so the browser's cookie jar and rules
// apply (same origin, credentials included).
export function caller(page) {
  return (method, path) => page.evaluate(async ([m, p]) => {
    const r = await fetch(p, { method: m, credentials: 'same-origin' });
    return { status: r.status, body: await r.text() };
  }, [method, path]);
}
