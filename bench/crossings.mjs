#!/usr/bin/env node
// The JS <-> wasm crossings of a render and a send, and their cost, for two builds side by side
// (bench/LEVERS.md, "Fewer crossings per render and per send").
//
//   node bench/crossings.mjs BASE_PKG_DIR NEW_PKG_DIR   (each an installed `webhook-push` package dir)
//
// 1. Counts the wasm's imports called per `render(text_mentions, "wecom")` and per `send` (WeCom
//    with a key; DingTalk with { webhookUrl, secret }), by wrapping every import of each instance.
// 2. Interleaved A/B of the same calls: µs of CPU per call, medians, and new/base (median of
//    per-round ratios), the transport replaced by one answering an object at once.
// Env: WP_CROSS_ROUNDS (41 render, 31 send), WP_CROSS_N (3000 renders / 1500 sends a round).
import path from "node:path";
import { pathToFileURL } from "node:url";
import { MESSAGES } from "./lib/messages.mjs";

const [baseDir, newDir] = process.argv.slice(2);
if (!baseDir || !newDir) {
  console.error("usage: node bench/crossings.mjs BASE_PKG_DIR NEW_PKG_DIR");
  process.exit(2);
}
let counting = null;
const Instance = WebAssembly.Instance;
WebAssembly.Instance = function (module, imports) {
  for (const mod of Object.keys(imports)) {
    const o = { ...imports[mod] };
    imports[mod] = o;
    for (const [k, f] of Object.entries(o)) {
      if (typeof f !== "function") continue;
      const name = k.replace(/^__wbg_/, "").replace(/_[0-9a-f]{16}$/, "");
      o[k] = function (...a) {
        if (counting) counting.set(name, (counting.get(name) || 0) + 1);
        return f.apply(this, a);
      };
    }
  }
  return new Instance(module, imports);
};
WebAssembly.Instance.prototype = Instance.prototype;
const load = async (dir) => import(pathToFileURL(path.resolve(dir, "node.mjs")).href);
const builds = { base: await load(baseDir), new: await load(newDir) };

const TRANSPORT = Symbol.for("webhook-push.transport.1");
const answer = new TextEncoder().encode('{"errcode":0,"errmsg":"ok","code":0}');
globalThis[TRANSPORT] = () => Promise.resolve({ kind: 0, status: 200, body: answer });
const msg = MESSAGES.text_mentions;
const opts = { webhook: "benchwecomkey01" };
const calls = {
  "render wecom": (wp) => () => wp.render(msg, "wecom", opts),
  "send wecom (key)": (wp) => {
    const s = new wp.MessageSender({ rateLimit: false });
    return () => s.send(msg, "wecom", "benchwecomkey01");
  },
  "send dingtalk ({ webhookUrl, secret })": (wp) => {
    const s = new wp.MessageSender({ rateLimit: false });
    return () => s.send(msg, "dingtalk", { webhookUrl: "benchdingtalkkey01", secret: "SECbench0123456789" });
  },
};

console.log("imports called per call (name: calls)");
for (const [name, make] of Object.entries(calls)) {
  for (const [b, wp] of Object.entries(builds)) {
    const f = make(wp);
    await f();
    counting = new Map();
    const N = 100;
    for (let i = 0; i < N; i++) await f();
    const rows = [...counting].sort((x, y) => y[1] - x[1]);
    counting = null;
    const total = rows.reduce((a, [, n]) => a + n, 0) / N;
    console.log(`  ${name.padEnd(40)} ${b.padEnd(4)} ${String(total).padStart(3)}: ${rows.map(([k, n]) => `${k} ${n / N}`).join(", ")}`);
  }
}

const med = (x) => x.slice().sort((p, q) => p - q)[x.length >> 1];
async function cpu(f, n, sync) {
  const c0 = process.cpuUsage();
  if (sync) for (let i = 0; i < n; i++) f();
  else for (let i = 0; i < n; i++) await f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / n;
}
console.log("\nµs CPU per call, interleaved (median base, median new, new/base: median of per-round ratios)");
for (const [name, make] of Object.entries(calls)) {
  const sync = name.startsWith("render");
  const rounds = Number(process.env.WP_CROSS_ROUNDS || (sync ? 41 : 31));
  const n = Number(process.env.WP_CROSS_N || (sync ? 3000 : 1500));
  const fns = { base: make(builds.base), new: make(builds.new) };
  for (let i = 0; i < 3; i++) for (const f of Object.values(fns)) await cpu(f, n * 5, sync);
  const t = { base: [], new: [] };
  const ratios = [];
  for (let r = 0; r < rounds; r++) {
    const got = {};
    for (const k of r % 2 ? ["base", "new"] : ["new", "base"]) got[k] = await cpu(fns[k], n, sync);
    t.base.push(got.base);
    t.new.push(got.new);
    ratios.push(got.new / got.base);
  }
  console.log(`  ${name.padEnd(40)} base ${med(t.base).toFixed(2)}  new ${med(t.new).toFixed(2)}  new/base ${med(ratios).toFixed(3)}`);
}
