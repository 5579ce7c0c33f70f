#!/usr/bin/env node
// Where the time goes: runs workloads under `node --cpu-prof` against a copy of the installed
// package whose wasm is the same -Oz build with its name section kept (bench/size.mjs writes it),
// and sums the samples by function, by crate (wasm) or area (JS), self and inclusive. Function
// names of our crate are mapped to their source file (webhook_push::platform::feishu::post ->
// src/platform/feishu.rs). Writes bench/out/profile.json.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { at, CONSUMER, readJson, ROOT, writeJson } from "./lib/common.mjs";
import { crateOf } from "./lib/wasm-attr.mjs";

// WP_PROFILE_WASM: another wasm with names (e.g. a variant built with `wasm-opt --no-inline=PATTERN`)
const DBG = process.env.WP_PROFILE_WASM ? path.resolve(process.env.WP_PROFILE_WASM) : at("target", "bench-wasm", "webhook_push_bg.debuginfo.wasm");
const PROFILE_CONSUMER = at("target", "bench-profile");
if (!fs.existsSync(DBG)) throw new Error(`${DBG} is missing: run bench/size.mjs first`);

fs.rmSync(PROFILE_CONSUMER, { recursive: true, force: true });
fs.mkdirSync(path.join(PROFILE_CONSUMER, "node_modules"), { recursive: true });
fs.cpSync(path.join(CONSUMER, "node_modules", "webhook-push"), path.join(PROFILE_CONSUMER, "node_modules", "webhook-push"), { recursive: true });
fs.copyFileSync(path.join(CONSUMER, "package.json"), path.join(PROFILE_CONSUMER, "package.json"));
fs.copyFileSync(DBG, path.join(PROFILE_CONSUMER, "node_modules", "webhook-push", "webhook_push_bg.wasm"));

const known = new Set(["webhook_push", "pulldown_cmark", "serde_json", "serde_core", "js_sys", "wasm_bindgen", "wasm_bindgen_futures", "sha2", "hmac", "md5", "base64", "percent_encoding", "unicase", "memchr", "digest", "itoa", "zmij", "hybrid_array", "block_buffer", "crypto_common", "md_events"]);

function clean(name) {
  return name.replace(/\[[0-9a-f]{16}\]/g, "").replace(/::h[0-9a-f]{16}$/, "");
}

/** src/ file of a webhook_push function, when there is one. */
function sourceOf(name) {
  const m = /webhook_push::([a-z_]+(?:::[a-z_]+)*)::/.exec(clean(name));
  if (!m) return null;
  const segs = m[1].split("::");
  for (let k = segs.length; k > 0; k--) {
    const base = path.join(ROOT, "src", ...segs.slice(0, k));
    if (fs.existsSync(`${base}.rs`)) return path.relative(ROOT, `${base}.rs`);
    if (fs.existsSync(path.join(base, "mod.rs"))) return path.relative(ROOT, path.join(base, "mod.rs"));
  }
  return null;
}

function areaOf(frame) {
  const url = frame.url || "";
  const fn = frame.functionName;
  if (/\.wasm/.test(url) || url.startsWith("wasm://")) {
    const c = crateOf(fn, known);
    return c === "webhook-push" ? "wasm: webhook-push (our code)" : `wasm: ${c}`;
  }
  if (fn === "(garbage collector)") return "V8 garbage collector";
  if (fn === "(program)") return "V8 / native (program)";
  if (fn === "(idle)") return "(idle)";
  if (/webhook_push\.js$/.test(url)) return "JS: wasm-bindgen glue (JSON.stringify / JSON.parse / string copies)";
  if (/undici|internal\/deps/.test(url)) return "JS: fetch (undici)";
  if (/^node:|internal\//.test(url)) return "JS: node internals (streams, timers, encoding)";
  if (/bench\//.test(url)) return "JS: benchmark harness";
  return url ? `JS: ${path.basename(url)}` : "native / builtin";
}

function analyse(file) {
  const prof = JSON.parse(fs.readFileSync(file, "utf8"));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children || []) parent.set(c, n.id);
  const counts = new Map();
  for (const s of prof.samples) counts.set(s, (counts.get(s) || 0) + 1);
  const key = (n) => `${clean(n.callFrame.functionName || "(anonymous)")}\t${path.basename(n.callFrame.url || "")}`;
  const self = new Map();
  const incl = new Map();
  const areas = new Map();
  let total = 0;
  for (const [id, c] of counts) {
    const n = byId.get(id);
    if (n.callFrame.functionName === "(idle)") continue;
    total += c;
    self.set(key(n), (self.get(key(n)) || 0) + c);
    const a = areaOf(n.callFrame);
    areas.set(a, (areas.get(a) || 0) + c);
    const seen = new Set();
    for (let x = id; x !== undefined; x = parent.get(x)) {
      const k = key(byId.get(x));
      if (!seen.has(k)) {
        seen.add(k);
        incl.set(k, (incl.get(k) || 0) + c);
      }
    }
  }
  const row = ([k, v]) => {
    const [fn, file] = k.split("\t");
    return { function: fn.length > 160 ? `${fn.slice(0, 157)}...` : fn, where: sourceOf(fn) ?? (file || null), share: Number((v / total).toFixed(4)) };
  };
  const interesting = /^(webhook_push::|<webhook_push::|js_sys::JSON|render$|handleError|passStringToWasm0|getStringFromWasm0|__wbg_(parse|stringify)|pulldown_cmark::|<pulldown_cmark|md_events::|serde_json::de::from_str|core::ptr::drop_in_place<serde_json)/;
  return {
    samples: total,
    interval_us: (prof.endTime - prof.startTime) / prof.samples.length,
    areas: [...areas].sort((a, b) => b[1] - a[1]).map(([area, v]) => ({ area, share: Number((v / total).toFixed(4)) })),
    top_self: [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.WP_PROFILE_TOP || 20)).map(row),
    top_inclusive: [...incl]
      .filter(([k]) => interesting.test(k.split("\t")[0]))
      .sort((a, b) => b[1] - a[1])
      .slice(0, Number(process.env.WP_PROFILE_TOP || 25))
      .map(row),
  };
}

function run(name, args) {
  const dir = at("target", "bench-profile", "cpuprofile", name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  execFileSync(process.execPath, ["--cpu-prof", "--cpu-prof-dir", dir, "--cpu-prof-interval", "250", at("bench", "lib", "profile-target.mjs"), ...args], {
    env: { ...process.env, WP_BENCH_CONSUMER: PROFILE_CONSUMER },
    stdio: ["ignore", "inherit", "inherit"],
  });
  // The parent's profile is the largest (the mock process, forked, writes its own).
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".cpuprofile")).map((f) => path.join(dir, f));
  const main = files.sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
  return { workload: name, args, ...analyse(main) };
}

const out = { note: "shares of non-idle samples; inclusive = time in the function and what it calls", runs: [] };
const render = readJson("render.json");
const worst = render?.cases?.slice().sort((a, b) => b.ratio_floor_over_render.median - a.ratio_floor_over_render.median)[0];
const jobs = [
  ["render text_mentions/wecom", ["render", "text_mentions", "wecom", "20000"]],
  ["render alert_card/dingtalk", ["render", "alert_card", "dingtalk", "8000"]],
  ["render markdown_10kb/feishu", ["render", "markdown_10kb", "feishu", "600"]],
  ["send mix, concurrency 32", ["sendmix", "3000", "32"]],
  ["send text, concurrency 32", ["sendtext", "6000", "32"]],
];
if (worst && !jobs.some(([n]) => n === `render ${worst.message}/${worst.platform}`)) {
  jobs.splice(3, 0, [`render ${worst.message}/${worst.platform}`, ["render", worst.message, worst.platform, "2000"]]);
}
// WP_PROFILE_LARGE=input/type/platform/overflow[,…] (WP_PROFILE_ITERATIONS, 40): those 1 MiB
// inputs of bench/large-ab.mjs instead of the jobs above, e.g. emphasis/markdown/dingtalk/truncate;
// WP_PROFILE_RENDER=message/platform[,…] (WP_PROFILE_ITERATIONS, 2000): those bench messages rendered
if (process.env.WP_PROFILE_LARGE || process.env.WP_PROFILE_RENDER) jobs.length = 0;
for (const spec of process.env.WP_PROFILE_LARGE?.split(",") ?? []) jobs.push([`large ${spec}`, ["large", spec, process.env.WP_PROFILE_ITERATIONS || "40"]]);
for (const spec of process.env.WP_PROFILE_RENDER?.split(",") ?? []) jobs.push([`render ${spec}`, ["render", ...spec.split("/"), process.env.WP_PROFILE_ITERATIONS || "2000"]]);
for (const [name, args] of jobs) {
  const r = run(name.replace(/[^a-z0-9_-]+/gi, "_"), args);
  r.workload = name;
  out.runs.push(r);
  console.log(`  ${name}: ${r.areas.slice(0, 4).map((a) => `${a.area} ${(100 * a.share).toFixed(0)}%`).join(", ")}`);
}
console.log(`profile: wrote ${writeJson("profile.json", out)}`);
