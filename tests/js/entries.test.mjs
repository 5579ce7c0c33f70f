// The package's files and its other runtime entries, exercised from Node:
// browser.mjs through a fetch that serves the package's files, workerd.mjs and deno.mjs
// through module hooks that import a .wasm file as a WebAssembly.Module (what workerd and a
// source-phase import in Deno do); see entry-child.mjs.
import assert from "node:assert/strict";
import fs from "node:fs";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import test from "node:test";
import { fileURLToPath } from "node:url";
import { render as nodeRender } from "webhook-push";
import { loadExamples, renderAll } from "./shared.mjs";

const require = createRequire(import.meta.url);
const pkgDir = path.dirname(require.resolve("webhook-push/package.json"));
const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8"));
const examples = loadExamples();

test("package.json: name, module type, no side effects, only the listed files", () => {
  assert.equal(pkg.name, "webhook-push");
  assert.match(pkg.version, /^\d+\.\d+\.\d+/);
  assert.equal(pkg.type, "module");
  // the entries initialise the wasm when imported: a bundler must keep them (tests/bundlers)
  // every JS entry of `exports` (the sender's, webhook-push/inbound's and webhook-push/webhook's) is listed
  assert.deepEqual(pkg.sideEffects, [
    "./browser.mjs",
    "./node.mjs",
    "./node.cjs",
    "./deno.mjs",
    "./workerd.mjs",
    "./inbound-browser.mjs",
    "./inbound-node.mjs",
    "./inbound-node.cjs",
    "./inbound-deno.mjs",
    "./inbound-workerd.mjs",
    "./webhook-browser.mjs",
    "./webhook-node.mjs",
    "./webhook-node.cjs",
    "./webhook-deno.mjs",
    "./webhook-workerd.mjs",
  ]);
  const leaves = (v) => (typeof v === "string" ? [v] : Object.values(v).flatMap(leaves));
  const entries = new Set([pkg.exports["."], pkg.exports["./inbound"], pkg.exports["./webhook"]].flatMap(leaves).filter((f) => /\.(mjs|cjs)$/.test(f)));
  assert.deepEqual([...entries].sort(), [...pkg.sideEffects].sort(), "sideEffects lists exactly the JS entries");
  const shipped = fs.readdirSync(pkgDir).sort();
  const allowed = new Set([...pkg.files, "package.json", "LICENSE"]);
  assert.deepStrictEqual(shipped.filter((f) => !allowed.has(f)), [], "nothing unlisted is shipped");
  // the sender's wasm, and the full one (webhook-push/webhook and /inbound) that the main entries never load
  assert.deepStrictEqual(shipped.filter((f) => f.endsWith(".wasm")), ["webhook_push_bg.wasm", "webhook_push_full_bg.wasm"], "the two .wasm files");
  for (const f of ["node.mjs", "node.cjs", "deno.mjs", "workerd.mjs", "browser.mjs", "webhook_push.js"]) {
    assert.ok(!fs.readFileSync(path.join(pkgDir, f), "utf8").includes("webhook_push_full"), `${f} does not load the full wasm`);
  }
});

test("package.json: every exports target exists; runtime conditions in the right order", () => {
  const targets = [];
  const walk = (v) => (typeof v === "string" ? targets.push(v) : Object.values(v).forEach(walk));
  walk(pkg.exports);
  for (const t of targets) assert.ok(fs.existsSync(path.join(pkgDir, t)), `${t} exists`);
  const dot = pkg.exports["."];
  const order = Object.keys(dot);
  assert.equal(order[0], "types", "types comes first");
  assert.equal(order.at(-1), "default", "default comes last");
  assert.ok(order.indexOf("workerd") < order.indexOf("browser") && order.indexOf("deno") < order.indexOf("node"));
  assert.equal(dot.workerd, "./workerd.mjs");
  assert.deepStrictEqual(dot.node, { import: "./node.mjs", require: "./node.cjs" });
  assert.equal(pkg.exports["./webhook_push_bg.wasm"], "./webhook_push_bg.wasm");
});

test("the wasm is optimised: valid, no name or producers section", () => {
  const bytes = fs.readFileSync(path.join(pkgDir, "webhook_push_bg.wasm"));
  const mod = new WebAssembly.Module(bytes);
  assert.deepStrictEqual(WebAssembly.Module.customSections(mod, "name"), [], "debug names stripped");
  assert.deepStrictEqual(WebAssembly.Module.customSections(mod, "producers"), [], "producers stripped");
});

// Each entry runs in its own process: in this one node.mjs has already initialised the
// shared glue module, so another entry importing it would not initialise anything.
for (const entry of ["browser.mjs", "deno.mjs", "workerd.mjs"]) {
  test(`${entry}: initialises itself and renders like node.mjs`, () => {
    const child = spawnSync(process.execPath, [fileURLToPath(new URL("./entry-child.mjs", import.meta.url)), path.join(pkgDir, entry)], {
      encoding: "utf8",
      maxBuffer: 64 << 20,
    });
    assert.equal(child.status, 0, `entry-child.mjs ${entry} failed:\n${child.stderr}`);
    assert.equal(child.stderr, "", `${entry} printed nothing on stderr (no wasm-bindgen warnings)`);
    const out = JSON.parse(child.stdout);
    assert.ok(out.exports.includes("render"), `${entry} exports render`);
    assert.ok(!out.exports.includes("initSync") && !out.exports.includes("default"), `${entry} hides the init API: ${out.exports}`);
    // browser fetches the wasm next to it; workerd and deno import it and never fetch.
    const wasm = path.join(pkgDir, "webhook_push_bg.wasm");
    assert.deepStrictEqual(out.fetched, entry === "browser.mjs" ? [wasm] : []);
    const expected = JSON.parse(JSON.stringify(renderAll(nodeRender, examples)));
    assert.deepStrictEqual(out.rendered, expected, `${entry} renders like node.mjs`);
  });
}
