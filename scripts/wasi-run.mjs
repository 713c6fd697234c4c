#!/usr/bin/env -S node --no-warnings
// Runs a wasm32-wasip1 program under Node's built-in WASI (node:wasi), as a
// cargo target runner: `scripts/wasi-run.mjs <module.wasm> [args...]`.
//
// Cargo runs test binaries with the package root as the working directory,
// and tests find their fixtures through absolute paths baked in at compile
// time (env!("CARGO_MANIFEST_DIR")). So the working directory is preopened
// under its own absolute path, which makes those paths resolve unchanged.
// WASI_RUN_PREOPENS (colon-separated host directories) adds more.
//
// The process's environment and arguments are passed through, so libtest
// filters and flags (`--test-threads`, `--nocapture`, a test name) and
// variables like PROPTEST_CASES work as they do natively. The exit code is
// the module's own `proc_exit` code; a trap (a Rust panic aborts on this
// target) exits with 134, like SIGABRT natively; a module that cannot be
// loaded exits with 1.
//
// Node 20 needs no flag for node:wasi (only an ExperimentalWarning, which
// the shebang's --no-warnings silences); `version: "preview1"` is
// mandatory since Node 20. Run it directly or as `node wasi-run.mjs ...`.
import { readFile } from "node:fs/promises";
import { WASI } from "node:wasi";
import process from "node:process";
import path from "node:path";

const [modulePath, ...args] = process.argv.slice(2);
if (!modulePath) {
  console.error("usage: wasi-run.mjs <module.wasm> [args...]");
  process.exit(2);
}

const preopens = {};
const cwd = process.cwd();
preopens[cwd] = cwd;
for (const dir of (process.env.WASI_RUN_PREOPENS ?? "").split(":")) {
  if (dir) preopens[path.resolve(dir)] = path.resolve(dir);
}

const wasi = new WASI({
  version: "preview1",
  args: [path.basename(modulePath), ...args],
  env: { ...process.env },
  preopens,
  returnOnExit: true,
});

let instance;
try {
  const module = await WebAssembly.compile(await readFile(modulePath));
  instance = await WebAssembly.instantiate(module, wasi.getImportObject());
} catch (err) {
  console.error(`wasi-run: cannot load ${modulePath}: ${err.message}`);
  process.exit(1);
}

let code;
try {
  // undefined when _start returns without calling proc_exit.
  code = wasi.start(instance) ?? 0;
} catch (err) {
  // `unreachable` after a Rust panic message (panics abort on this target).
  console.error(`wasi-run: ${modulePath}: ${err}`);
  code = 134;
}
process.exit(code);
