// webhook-push/webhook in every runtime entry the package has, from the packed tarball: Node ESM
// (webhook-node.mjs) and CommonJS (webhook-node.cjs), Deno (webhook-deno.mjs), Bun and workerd
// (webhook-workerd.mjs), each importing the subpath by name from a consumer project. Each sends
// to a loopback receiver by "webhook" and by a named service, and checks that the main entry
// (whose wasm has no webhook engine) answers each webhook use with UNSUPPORTED naming the subpath.
// (The browser entry: tests/bundlers.)
//
//   bash scripts/pack-install.sh target/consumer
//   node --test tests/webhook/            (WEBHOOK_CONSUMER=dir; WEBHOOK_RUNTIMES=node,workerd for a subset)
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

import { toolBin } from "../e2e/harness.mjs";
import { fileModules, joinModules, packageModules, startWorkerd } from "../support/workerd.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "..", "..");
const CONSUMER = path.resolve(ROOT, process.env.WEBHOOK_CONSUMER || "target/consumer");
const PKG = path.join(CONSUMER, "node_modules", "webhook-push");
const DIR = path.join(CONSUMER, "webhook-entries");
const ALL = ["node", "node-cjs", "deno", "bun", "workerd"];
const RUNTIMES = (process.env.WEBHOOK_RUNTIMES ?? ALL.join(",")).split(",").filter((r) => ALL.includes(r));
const MARK = "@@PROBE@@";

// ---- the receiver: records each request by path ----------------------------------------------
const received = [];
let server;
let base;
before(async () => {
  assert.ok(fs.existsSync(path.join(PKG, "package.json")), `${PKG} is missing: run scripts/pack-install.sh`);
  fs.rmSync(DIR, { recursive: true, force: true });
  fs.mkdirSync(DIR, { recursive: true });
  for (const f of fs.readdirSync(path.join(HERE, "runtime"))) fs.copyFileSync(path.join(HERE, "runtime", f), path.join(DIR, f));
  server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      received.push({ method: req.method, path: req.url, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => new Promise((r) => server.close(r)));

// ---- running the probe in a runtime ----------------------------------------------------------
function runChild(runtime) {
  const cmds = {
    node: [process.execPath, ["run.mjs"]],
    "node-cjs": [process.execPath, ["run.cjs"]],
    deno: [toolBin("deno"), ["run", "--no-lock", "--no-prompt", "--allow-net=127.0.0.1", "--allow-env", "--allow-read", "run.mjs"]],
    bun: [toolBin("bun"), ["--no-install", "run", "run.mjs"]],
  };
  const [cmd, args] = cmds[runtime];
  const env = { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1", DENO_DIR: path.join(CONSUMER, ".deno-cache"), BUN_RUNTIME_TRANSPILER_CACHE_PATH: "0" };
  for (const k of Object.keys(env)) if (k.startsWith("NODE_TEST") || k === "NODE_OPTIONS") delete env[k];
  const child = spawn(cmd, [...args, runtime, base], { cwd: DIR, env, stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  child.stdout.on("data", (d) => (text += d));
  child.stderr.on("data", (d) => (text += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${runtime} did not finish in 60 s:\n${text}`));
    }, 60_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      const line = text.split("\n").find((l) => l.startsWith(MARK));
      if (code !== 0 || !line) reject(new Error(`${runtime} exited ${code}:\n${text}`));
      else resolve(JSON.parse(line.slice(MARK.length)));
    });
  });
}

async function runWorker() {
  const webhook = packageModules({ dir: DIR, pkgDir: PKG, subpath: "./webhook" });
  const main = packageModules({ dir: DIR, pkgDir: PKG, subpath: "." });
  const modules = joinModules(fileModules(DIR, ["worker.mjs", "probe.mjs"]), webhook.modules, main.modules);
  const w = await startWorkerd({ modules, modulesRoot: DIR });
  try {
    const res = await w.mf.dispatchFetch(`http://localhost/?url=${encodeURIComponent(base)}`);
    const text = await res.text();
    assert.equal(res.status, 200, `${text}\n${w.output()}`);
    return JSON.parse(text);
  } finally {
    await w.dispose();
  }
}

const UNSUPPORTED = /^UNSUPPORTED: .*import from "webhook-push\/webhook"/;

for (const runtime of RUNTIMES) {
  describe(`webhook-push/webhook in ${runtime}`, () => {
    let out;
    before(async () => {
      out = runtime === "workerd" ? await runWorker() : await runChild(runtime);
    });

    test("sends by \"webhook\" and by a named service; renders; same exports as the main entry", () => {
      assert.deepEqual(out.send, { success: true, platform: "webhook", code: null });
      assert.deepEqual(out.sendTo, { successCount: 1, service: "recv" });
      assert.deepEqual(out.services, ["recv"]);
      assert.equal(out.render, `{"text": "from ${runtime}", "via": "text"}`);
      assert.equal(out.sameExports, true);
      // run.mjs / run.cjs also load webhook-push/inbound: the same glue, so the full wasm once
      if (runtime !== "workerd") assert.equal(out.oneWasm, true, "webhook-push/webhook and /inbound share one glue and wasm instance");
      // and /inbound does not read the 600 KB wasm again once /webhook has
      if (runtime === "node" || runtime === "node-cjs") assert.equal(out.fullWasmReads, 1, "the full wasm read once");
      const got = received.filter((r) => r.path.startsWith(`/${runtime}/`) || r.path === `/${runtime}`);
      assert.deepEqual(
        got.map((r) => [r.method, r.path, r.body]).sort(),
        [
          ["POST", `/${runtime}`, `{"text": "from ${runtime}", "via": "text"}`],
          ["POST", `/${runtime}/service`, `{"text": "from ${runtime}", "via": "text"}`],
        ],
      );
    });

    test("the main entry answers every webhook use with UNSUPPORTED naming the subpath, and still renders the chat platforms", () => {
      for (const k of ["send", "render", "services", "sendTo", "list"]) assert.match(out.main[k], UNSUPPORTED, `${k}: ${out.main[k]}`);
      assert.equal(out.main.wecom, "text");
      assert.equal(out.main.noServices, "no error");
      assert.equal(out.sameFacts, true, "platformInfo, detectPlatform and botId answer alike from both entries");
      // platformInfo("webhook"): what is fixed about the target, from both entries
      assert.equal(out.webhookInfo, "no error");
      for (const e of ["main", "wp"]) {
        const f = out.webhookFacts[e];
        assert.match(f.webhook, /^configured per target: \{ url, /, e);
        assert.equal(f.env, "WEBHOOK_CONFIG");
        assert.equal(f.rateLimits, 0);
      }
      // the engine's entry renders each type through the default body; the main entry names that entry
      assert.equal(out.webhookFacts.wp.maxBodyBytes, 1048576);
      assert.ok(out.webhookFacts.wp.types.includes("text: native"), out.webhookFacts.wp.types.join());
      assert.equal(out.webhookFacts.main.maxBodyBytes, null);
      assert.ok(out.webhookFacts.main.types.every((t) => t.endsWith("refused UNSUPPORTED")), out.webhookFacts.main.types.join());
    });
  });
}
