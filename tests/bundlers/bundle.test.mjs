// The packed package in a browser app's production bundle: webpack 5 and vite build an app that
// imports `webhook-push` (the package's `browser` entry, which loads the .wasm next to itself at
// import), and the bundle runs: render works and errors are typed. A package marked wholly
// side-effect-free lets webpack drop the entry's wasm initialisation, and render then throws.
//
// Needs scripts/pack-install.sh first (the tarball installed into target/consumer, or BUNDLER_CONSUMER).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const CONSUMER = path.resolve(ROOT, process.env.BUNDLER_CONSUMER ?? "target/consumer");
const INSTALLED = path.join(CONSUMER, "node_modules", "webhook-push");
const WORK = path.join(ROOT, "target", "bundlers");

// Both apps: render a message, and check a bad one throws a typed error (its code).
const RENDER_AND_CODE = `const r = render({ content: { type: "markdown", title: "Bundled", body: { content: "**built** by a bundler" } } }, "dingtalk");
let code = "no error";
try {
  render({ content: { type: "text", body: { text: "" } } }, "wecom");
} catch (e) {
  code = isWebhookPushError(e) ? e.code : "untyped: " + String(e);
}
`;

const APP = `import { render, isWebhookPushError } from "webhook-push";
${RENDER_AND_CODE}console.log("RESULT " + JSON.stringify({ payload: r.payloads[0], code }));
`;

// webhook-push/inbound in a bundle: its browser entry initialises the inbound wasm at import too.
// The handler checks a (badly signed) DingTalk callback in the wasm core: 401, not a TypeError.
const INBOUND_APP = `import { dingtalkHandler, render, isWebhookPushError } from "webhook-push/inbound";
${RENDER_AND_CODE}const handle = dingtalkHandler({ appSecret: "bundled-app-secret", onMessage() {}, log: null });
const res = await handle(new Request("http://127.0.0.1/bot", { method: "POST", headers: { timestamp: String(Date.now()), sign: "AAAA" }, body: "{}" }));
console.log("RESULT " + JSON.stringify({ payload: r.payloads[0], code, status: res.status, reason: await res.text() }));
`;

// webhook-push/webhook (the generic webhook target) beside webhook-push/inbound in one app: both
// subpaths are served by one wasm, emitted and initialised once; "webhook" renders, and the main
// entry (its own, smaller wasm) answers "webhook" with UNSUPPORTED naming the subpath.
const WEBHOOK_APP = `import { render, isWebhookPushError, MessageSender } from "webhook-push/webhook";
import { dingtalkHandler } from "webhook-push/inbound";
import * as main from "webhook-push";
${RENDER_AND_CODE}const hook = render({ content: { type: "text", body: { text: "to any URL" } } }, "webhook", { webhook: { url: "https://example.com/hook", body: '{"text": {{message}}}' } });
let mainCode = "no error";
try {
  main.render({ content: { type: "text", body: { text: "x" } } }, "webhook", { webhook: { url: "https://example.com/hook" } });
} catch (e) {
  mainCode = main.isWebhookPushError(e) ? e.code + ": " + e.message : "untyped: " + String(e);
}
const services = new MessageSender({ services: { a: { url: "https://example.com/a" } } }).services().map((s) => s.name);
const res = await dingtalkHandler({ appSecret: "bundled-app-secret", onMessage() {}, log: null })(new Request("http://127.0.0.1/bot", { method: "POST", headers: { timestamp: String(Date.now()), sign: "AAAA" }, body: "{}" }));
console.log("RESULT " + JSON.stringify({ payload: r.payloads[0], code, hook: hook.payloads[0], mainCode, services, status: res.status }));
`;

/** Run a bundled ES module in Node, serving its file: URLs (the wasm asset) as a browser would fetch them. */
function runBundle(file) {
  const runner = `
    import fs from "node:fs";
    import { fileURLToPath } from "node:url";
    const real = globalThis.fetch;
    globalThis.fetch = async (u, init) => {
      const s = String(u instanceof Request ? u.url : u);
      if (!s.startsWith("file:")) return real(u, init);
      return new Response(fs.readFileSync(fileURLToPath(s)), { headers: { "content-type": "application/wasm" } });
    };
    await import(${JSON.stringify(pathToFileURL(file).href)});
  `;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", runner], { encoding: "utf8", stdio: "pipe", timeout: 60_000 });
  const line = out.split("\n").find((l) => l.startsWith("RESULT "));
  assert.ok(line, `the bundle printed no result:\n${out}`);
  return JSON.parse(line.slice(7));
}

function checkResult(r) {
  assert.equal(r.payload.msgtype, "markdown");
  assert.match(r.payload.markdown.text, /\*\*built\*\* by a bundler/);
  assert.equal(r.code, "INVALID_MESSAGE");
}

/** A scratch app with the installed package linked in as a dependency. */
function app(name, source = APP) {
  const dir = path.join(WORK, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, "src"), { recursive: true });
  fs.mkdirSync(path.join(dir, "node_modules"), { recursive: true });
  fs.cpSync(INSTALLED, path.join(dir, "node_modules", "webhook-push"), { recursive: true });
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: `bundle-${name}`, private: true, type: "module" }));
  fs.writeFileSync(path.join(dir, "src", "app.mjs"), source);
  return dir;
}

async function tool(name) {
  try {
    return await import(name);
  } catch {
    assert.fail(`${name} is not installed: run \`npm install\` at the repository root (it is a devDependency)`);
  }
}

before(() => {
  assert.ok(fs.existsSync(path.join(INSTALLED, "package.json")), `no installed package in ${CONSUMER}: run scripts/pack-install.sh`);
  fs.mkdirSync(WORK, { recursive: true });
});
after(() => fs.rmSync(WORK, { recursive: true, force: true }));

async function webpackBuild(dir) {
  const { default: webpack } = await tool("webpack");
  const config = {
    mode: "production",
    context: dir,
    entry: "./src/app.mjs",
    target: "web",
    experiments: { outputModule: true },
    output: { path: path.join(dir, "dist"), filename: "app.js", module: true, publicPath: "auto" },
    resolve: { modules: [path.join(dir, "node_modules")] },
    performance: { hints: false },
  };
  const stats = await new Promise((resolve, reject) => webpack(config, (err, s) => (err ? reject(err) : resolve(s))));
  assert.ok(!stats.hasErrors(), stats.toString("errors-only"));
  return path.join(dir, "dist", "app.js");
}

test("webpack 5, production: the bundle initialises the wasm and renders", async () => {
  const dir = app("webpack");
  const out = await webpackBuild(dir);
  const files = fs.readdirSync(path.dirname(out));
  assert.ok(files.some((f) => f.endsWith(".wasm")), `the wasm is emitted as an asset: ${files}`);
  checkResult(runBundle(out));
});

test("webpack 5, production: webhook-push/inbound initialises the inbound wasm; its handler runs", async () => {
  const dir = app("webpack-inbound", INBOUND_APP);
  const out = await webpackBuild(dir);
  const files = fs.readdirSync(path.dirname(out));
  assert.ok(files.some((f) => f.endsWith(".wasm")), `the inbound wasm is emitted as an asset: ${files}`);
  const r = runBundle(out);
  checkResult(r);
  assert.equal(r.status, 401);
  assert.equal(r.reason, "bad_signature");
});

test("webpack 5, production: webhook-push/webhook and /inbound share one wasm; the main entry says UNSUPPORTED for webhook", async () => {
  const dir = app("webpack-webhook", WEBHOOK_APP);
  const out = await webpackBuild(dir);
  const files = fs.readdirSync(path.dirname(out));
  const wasms = files.filter((f) => f.endsWith(".wasm"));
  // the full wasm (both subpaths) and the main entry's
  assert.equal(wasms.length, 2, `two wasm assets: ${files}`);
  const r = runBundle(out);
  checkResult(r);
  assert.deepEqual(r.hook, { method: "POST", headers: { "content-type": "application/json" }, body: '{"text": "to any URL"}' });
  assert.match(r.mainCode, /^UNSUPPORTED: .*"webhook-push\/webhook"/);
  assert.deepEqual(r.services, ["a"]);
  assert.equal(r.status, 401);
});

test("sideEffects lists every entry file the exports map names (each initialises its wasm at import)", () => {
  const meta = JSON.parse(fs.readFileSync(path.join(INSTALLED, "package.json"), "utf8"));
  const targets = [];
  const walk = (v) => (typeof v === "string" ? targets.push(v) : Object.values(v).forEach(walk));
  walk(meta.exports);
  const entries = [...new Set(targets.filter((t) => /\.(mjs|cjs)$/.test(t)))];
  assert.ok(entries.includes("./webhook-browser.mjs") && entries.includes("./inbound-browser.mjs"), entries.join());
  for (const e of entries) assert.ok(meta.sideEffects.includes(e), `${e} is not in sideEffects: ${meta.sideEffects}`);
});

test('webpack 5 with the package marked "sideEffects": false drops the initialisation (why the entries are listed)', async () => {
  const dir = app("webpack-no-side-effects");
  const pj = path.join(dir, "node_modules", "webhook-push", "package.json");
  const meta = JSON.parse(fs.readFileSync(pj, "utf8"));
  assert.ok(Array.isArray(meta.sideEffects) && meta.sideEffects.includes("./browser.mjs"), JSON.stringify(meta.sideEffects));
  fs.writeFileSync(pj, JSON.stringify({ ...meta, sideEffects: false }));
  const out = await webpackBuild(dir);
  // render finds no initialised wasm instance
  assert.throws(() => runBundle(out), /Cannot read properties of undefined|is not a function|no result/);
});

test("vite, production: the bundle initialises the wasm and renders", async () => {
  const dir = app("vite");
  const { build } = await tool("vite");
  await build({
    root: dir,
    logLevel: "silent",
    configFile: false,
    build: {
      outDir: path.join(dir, "dist"),
      target: "esnext",
      minify: true,
      assetsInlineLimit: 0,
      lib: { entry: path.join(dir, "src", "app.mjs"), formats: ["es"], fileName: () => "app.js" },
    },
  });
  const out = path.join(dir, "dist", "app.js");
  // library mode inlines assets: the wasm travels as a data: URL inside the bundle
  assert.ok(fs.statSync(out).size > 100_000, "the wasm is in the bundle");
  checkResult(runBundle(out));
});
