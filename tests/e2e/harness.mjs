// Plumbing for e2e.test.mjs: the consumer project, the tools (deno, bun, miniflare from the root's
// devDependencies), a PNG, the assets server, the per-runtime plan (bots registered on the mock,
// faults scripted), and running one runtime (a child process, or a Worker in Miniflare).
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";

import { importMiniflare as importWorkerdMiniflare, fileModules, packageModules, resolveExports, startWorkerd } from "../support/workerd.mjs";

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, "..", "..");
export const MARK = "@@E2E-REPORT@@";
/** Files copied into the consumer project (so `webhook-push` resolves from its node_modules). */
const RUN_FILES = ["scenarios.mjs", "run.mjs", "run.cjs", "worker.mjs"];
/** A runtime must finish its scenarios within this, and exit within EXIT_MS of reporting. */
export const RUN_TIMEOUT_MS = 60_000;
const EXIT_MS = 5_000;

// ---- the consumer project: scripts/pack-install.sh's install, or E2E_CONSUMER ---------------

export function prepareConsumer() {
  const consumer = path.resolve(ROOT, process.env.E2E_CONSUMER || "target/consumer");
  const pkgDir = path.join(consumer, "node_modules", "webhook-push");
  if (!fs.existsSync(path.join(pkgDir, "package.json"))) {
    throw new Error(`${pkgDir} is missing: run scripts/pack-install.sh (or set E2E_CONSUMER to a project with the tarball installed)`);
  }
  const dir = path.join(consumer, "e2e");
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const f of RUN_FILES) fs.copyFileSync(path.join(HERE, f), path.join(dir, f));
  return { consumer, pkgDir, dir };
}

// ---- tools ---------------------------------------------------------------------------------

export function toolBin(name) {
  const bin = path.join(ROOT, "node_modules", ".bin", name);
  if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: run \`npm install\` at the repository root (${name} is a devDependency)`);
  return bin;
}

/** Miniflare from the root's devDependencies (the module: `{ Miniflare, ... }`). */
export const importMiniflare = () => importWorkerdMiniflare();

// ---- assets: a real PNG and a text file, served on loopback --------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
/** A valid w x h RGB PNG (a gradient). */
export function makePng(w = 8, h = 8) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit, truecolour, deflate, no filter, no interlace
  const rows = [];
  for (let y = 0; y < h; y++) {
    const row = Buffer.alloc(1 + w * 3);
    for (let x = 0; x < w; x++) row.set([(x * 255) / (w - 1), (y * 255) / (h - 1), 128], 1 + x * 3);
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", zlib.deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

export const md5 = (b) => crypto.createHash("md5").update(b).digest("hex");

/** GET /<runtime>/pixel.png and /<runtime>/report.txt; every request is recorded in `hits`. */
export async function startAssets() {
  const png = makePng();
  const report = Buffer.from("name,value\nalpha,1\nbeta,2\n".repeat(20), "utf8");
  const hits = [];
  const server = http.createServer((req, res) => {
    hits.push({ method: req.method, url: req.url, ua: req.headers["user-agent"] ?? null });
    const file = req.url.split("/").pop();
    const body = file === "pixel.png" ? png : file === "report.txt" ? report : null;
    if (req.method !== "GET" || !body) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "Content-Type": file.endsWith(".png") ? "image/png" : "text/plain", "Content-Length": body.length });
    res.end(body);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    png,
    report,
    hits,
    close: () => new Promise((r) => { server.close(() => r()); server.closeAllConnections(); }),
  };
}

/** A loopback port nobody listens on (bound, then released). */
export async function closedPort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

// ---- the plan: bots per runtime, faults -----------------------------------------------------

const hex = (n) => crypto.randomBytes(n).toString("hex");
const dingSecret = () => `SEC${hex(32)}`;
const feishuSecret = () => crypto.randomBytes(16).toString("base64url");

/** [name, platform, signed, extra] for each bot a runtime uses. */
const BOTS = [
  ["okWecom", "wecom"], ["okDingtalk", "dingtalk", true], ["okFeishu", "feishu", true], ["okLark", "lark"],
  ["retryWecom", "wecom", false, { faults: [{ type: "http", status: 500 }, { type: "busy" }, { type: "reset" }] }],
  ["retryDingtalk", "dingtalk", true, { faults: [{ type: "reset" }, { type: "busy" }] }],
  ["retryFeishu", "feishu", true, { faults: [{ type: "http", status: 502 }, { type: "malformed" }] }],
  ["retryLark", "lark", false, { faults: [{ type: "reset" }] }],
  ["timeoutWecom", "wecom", false, { faults: [{ type: "delay", ms: 1500, times: 3 }] }],
  ["keywordDingtalk", "dingtalk", true, { keywords: ["E2E-KEYWORD"] }],
  ["wrongSecretDingtalk", "dingtalk", true], ["wrongSecretFeishu", "feishu", true],
  ["burstWecom", "wecom"],
  ["multiWecom", "wecom", false, { faults: [{ type: "delay", ms: 700 }] }],
  ["multiDingtalk", "dingtalk", true, { faults: [{ type: "delay", ms: 700 }] }],
  ["multiFeishu", "feishu", true, { faults: [{ type: "delay", ms: 700 }] }],
  ["autoWecom", "wecom"], ["autoDingtalk", "dingtalk", true],
  ["dedupWecom", "wecom"], ["dedupWecom2", "wecom"],
  ["splitWecom", "wecom"], ["imageWecom", "wecom"], ["fileWecom", "wecom"],
  // more resets than attempts: a runtime whose fetch replays a POST after a reset still fails
  ["resetDingtalk", "dingtalk", true, { faults: [{ type: "reset", times: 6 }] }],
  ["resetFeishu", "feishu", true, { faults: [{ type: "reset", times: 6 }] }],
  // not registered: sent to a closed port
  ["closedWecom", "wecom", false, { unregistered: true }], ["closedDingtalk", "dingtalk", true, { unregistered: true }],
];

/** The environment variables sendAuto reads, and the ones a child must not inherit. */
export const AUTO_VARS = ["WECOM_WEBHOOK_KEY", "DINGTALK_ACCESS_TOKEN", "DINGTALK_SECRET", "FEISHU_WEBHOOK_ID", "FEISHU_SECRET", "LARK_WEBHOOK_ID", "LARK_SECRET"];

export function makePlan(runtime, mock, assets, closedUrl) {
  const tag = runtime.replace(/[^a-z]/g, "");
  const bots = {};
  for (const [name, platform, signed, extra = {}] of BOTS) {
    const key = `${tag}-${name}-${hex(6)}`;
    const secret = signed ? (platform === "dingtalk" ? dingSecret() : feishuSecret()) : undefined;
    bots[name] = { platform, key, ...(secret ? { secret } : {}) };
    if (!extra.unregistered) mock.addBot({ platform, key, secret, keywords: extra.keywords });
    if (extra.faults) mock.script(platform, key, extra.faults.map((f) => ({ ...f })));
  }
  const env = {
    WECOM_WEBHOOK_KEY: bots.autoWecom.key,
    DINGTALK_ACCESS_TOKEN: bots.autoDingtalk.key,
    DINGTALK_SECRET: bots.autoDingtalk.secret,
  };
  return {
    runtime,
    mockUrl: mock.url,
    assetsUrl: assets.url,
    closedUrl,
    idPrefix: `${tag}-${hex(3)}`,
    bots,
    env,
    wrongSecret: dingSecret(),
    unknownWecomKey: `${tag}-unknown-${hex(6)}`,
    leakProbeKey: `${tag}-probe-${hex(6)}`,
    ...(process.env.E2E_ONLY ? { only: process.env.E2E_ONLY.split(",") } : {}),
  };
}

/** Every credential a plan uses, for the leak search (the mock adds the signatures it saw). */
export function planSecrets(plan) {
  const out = new Set([plan.wrongSecret, plan.unknownWecomKey, plan.leakProbeKey]);
  for (const b of Object.values(plan.bots)) {
    out.add(b.key);
    if (b.secret) out.add(b.secret);
  }
  return out;
}

// ---- running a runtime ----------------------------------------------------------------------

function childEnv(plan, extra = {}) {
  const env = { ...process.env };
  for (const k of AUTO_VARS) delete env[k];
  for (const k of Object.keys(env)) if (k.startsWith("NODE_TEST") || k === "NODE_OPTIONS") delete env[k];
  return { ...env, ...plan.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1", ...extra };
}

/**
 * Spawn a runtime on a runner script; resolves { report, info, stdout, stderr, lines, code,
 * signal, exitedOnItsOwn, wallMs }. A child that does not report within RUN_TIMEOUT_MS, or does not
 * exit within EXIT_MS of reporting, is killed (by its pid) and that is recorded, not hidden.
 */
export function runChild(cmd, args, { cwd, plan, env: extraEnv }) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(cmd, [...args, JSON.stringify(plan)], { cwd, env: childEnv(plan, extraEnv), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let killedBy = null;
    let reportedAt = null;
    let exitTimer = null;
    const kill = (why) => {
      if (child.exitCode === null && child.signalCode === null) {
        killedBy = why;
        child.kill("SIGKILL");
      }
    };
    const runTimer = setTimeout(() => kill(`no report within ${RUN_TIMEOUT_MS} ms`), RUN_TIMEOUT_MS);
    child.stdout.on("data", (d) => {
      stdout += d;
      if (reportedAt === null && stdout.includes(MARK)) {
        reportedAt = Date.now();
        clearTimeout(runTimer);
        exitTimer = setTimeout(() => kill(`still running ${EXIT_MS} ms after its report`), EXIT_MS);
      }
    });
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", (e) => (stderr += `\n[spawn error] ${e.message}`));
    child.on("close", (code, signal) => {
      clearTimeout(runTimer);
      clearTimeout(exitTimer);
      const line = stdout.split("\n").find((l) => l.startsWith(MARK));
      let parsed = null;
      try {
        parsed = line ? JSON.parse(line.slice(MARK.length)) : null;
      } catch (e) {
        stderr += `\n[report is not JSON] ${e.message}`;
      }
      resolve({
        report: parsed?.report ?? null,
        info: parsed?.info ?? null,
        stdout,
        stderr,
        lines: [...stdout.split("\n"), ...stderr.split("\n")].filter((l) => l && !l.startsWith(MARK)),
        code,
        signal,
        killedBy,
        wallMs: Date.now() - t0,
      });
    });
  });
}

/** The file an exports map gives for a set of conditions (the first matching key wins). */
export { resolveExports };

/**
 * The Worker's modules, unbundled: worker.mjs and scenarios.mjs, and the package as a Worker
 * importing it by name sees it (tests/support/workerd.mjs: packageModules).
 */
export function workerModules(dir, pkgDir) {
  const { modules, entry } = packageModules({ dir, pkgDir });
  return { modules: [...fileModules(dir, ["worker.mjs", "scenarios.mjs"]), ...modules], entry };
}

/** Run worker.mjs in workerd through Miniflare; same result shape as runChild. */
export async function runWorker({ dir, pkgDir, plan }) {
  const { modules, entry } = workerModules(dir, pkgDir);
  const t0 = Date.now();
  let worker = null;
  let report = null;
  let info = null;
  let killedBy = null;
  let disposeError = "";
  let timer;
  try {
    worker = await startWorkerd({ modules, modulesRoot: dir, bindings: plan.env });
    const res = await Promise.race([
      worker.mf.dispatchFetch("http://e2e.invalid/", { method: "POST", body: JSON.stringify({ ...plan, workerEntry: entry }) }),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${RUN_TIMEOUT_MS} ms`)), RUN_TIMEOUT_MS))),
    ]);
    const text = await res.text();
    if (res.status !== 200) throw new Error(`the Worker answered ${res.status}: ${text.slice(0, 2000)}`);
    ({ report, info } = JSON.parse(text));
  } catch (e) {
    killedBy = String(e?.stack ?? e);
  } finally {
    clearTimeout(timer);
    if (worker) await worker.dispose().catch((e) => (disposeError = `\n[dispose] ${e}`));
  }
  const stdout = worker ? worker.stdout() : "";
  const stderr = (worker ? worker.stderr() : "") + disposeError;
  return {
    report,
    info,
    stdout,
    stderr,
    lines: [...stdout.split("\n"), ...stderr.split("\n")].filter(Boolean),
    code: killedBy ? 1 : 0,
    signal: null,
    killedBy,
    wallMs: Date.now() - t0,
  };
}
