// Loads the wasm-bindgen (--target nodejs) build of this crate and seals and
// opens a session through it, so the `js` backends (crypto.getRandomValues
// for keys and nonces, Date for the clock) run for real. Exits non-zero on
// any mismatch. Usage: node run.mjs <dir with sealed_session_wasm_size.js>
import { createRequire } from "node:module";
import path from "node:path";

const dir = path.resolve(process.argv[2] ?? "pkg");
const wasm = createRequire(import.meta.url)(path.join(dir, "sealed_session_wasm_size.js"));

const key = wasm.new_key();
if (!key.startsWith("ss1:xaes256gcm:1:")) throw new Error("unexpected key text");
if (wasm.new_key() === key) throw new Error("two keys are equal: no randomness");
const a = wasm.seal(key, "alice");
const b = wasm.seal(key, "alice");
if (!a || a === b) throw new Error("sealing failed or repeated a nonce");
if (wasm.open(key, a) !== "alice") throw new Error("round trip failed");
if (wasm.open(wasm.new_key(), a) !== undefined) throw new Error("opened under another key");

const rounds = 2000;
const start = process.hrtime.bigint();
for (let i = 0; i < rounds; i++) wasm.open(key, wasm.seal(key, "alice"));
const ns = Number(process.hrtime.bigint() - start) / rounds;
console.log(`js backends ok; seal+open through JS (key parsed and sealer built per call): ${ns.toFixed(0)} ns`);
