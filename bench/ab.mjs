#!/usr/bin/env node
// Two builds side by side in one process: `render()` of every bench case and the CPU per send
// with a stub fetch, rounds alternating the builds (and their order), ratios taken per round.
// For comparing a change against a base on a noisy machine (interleaved, so load drifts hit both).
//
//   node bench/ab.mjs BASE_PKG_DIR NEW_PKG_DIR   (each an installed `webhook-push` package dir)
//
// Prints, per case: µs of CPU per render (medians) of each build, new/base, and each build's
// render / JSON floor (`JSON.parse(JSON.stringify(payloads))`); then the geometric means; then
// µs CPU per send (text, mix) with `fetch` replaced by a stub answering "ok" at once.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { stats } from "./lib/common.mjs";
import { MESSAGES, PLATFORMS, SECRETS } from "./lib/messages.mjs";
import { pool } from "./lib/workloads.mjs";

const [baseDir, newDir] = process.argv.slice(2);
if (!baseDir || !newDir) {
  console.error("usage: node bench/ab.mjs BASE_PKG_DIR NEW_PKG_DIR");
  process.exit(2);
}
const ROUNDS = Number(process.env.WP_BENCH_ROUNDS || 15);
const SAMPLE_MS = Number(process.env.WP_AB_SAMPLE_MS || 60);
const load = async (dir) => import(pathToFileURL(path.resolve(dir, "node.mjs")).href);
const builds = { base: await load(baseDir), new: await load(newDir) };

// CPU time, not wall time: on a loaded machine a process waiting for a core is not charged.
function usPer(fn, iters) {
  const c0 = process.cpuUsage();
  for (let i = 0; i < iters; i++) fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / iters;
}
function calibrate(fn) {
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 40) fn(), n++;
  return Math.max(5, Math.round(SAMPLE_MS / ((performance.now() - t0) / n)));
}
const geo = (xs) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
const CASES = process.env.WP_AB_CASES ? process.env.WP_AB_CASES.split(",") : Object.keys(MESSAGES);

const rows = [];
if (!process.env.WP_AB_SEND_ONLY) {
  // warm both builds on every case first (V8 tiers hot wasm functions up in the background;
  // a case measured while that runs is measured against a moving target)
  const t0 = performance.now();
  while (performance.now() - t0 < 3000) {
    for (const key of CASES) {
      for (const platform of PLATFORMS) {
        const opts = { webhook: `bench${platform}key01`, ...(SECRETS[platform] ? { secret: SECRETS[platform] } : {}) };
        for (const wp of Object.values(builds)) wp.render(MESSAGES[key], platform, opts);
      }
    }
  }
  for (const key of CASES) {
    for (const platform of PLATFORMS) {
      const message = MESSAGES[key];
      const opts = { webhook: `bench${platform}key01`, ...(SECRETS[platform] ? { secret: SECRETS[platform] } : {}) };
      const fns = {};
      for (const [name, wp] of Object.entries(builds)) {
        const payloads = wp.render(message, platform, opts).payloads;
        const r = () => wp.render(message, platform, opts);
        const f = () => JSON.parse(JSON.stringify(payloads));
        for (let i = 0; i < 50; i++) r(), f();
        fns[name] = { r, f, nr: calibrate(r), nf: calibrate(f) };
      }
      // same JSON value from both builds (key order aside)
      const canon = (v) => JSON.stringify(v, (k, x) => (x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort()) : x));
      const a = builds.base.render(message, platform, { ...opts, timestamp: 1700000000000 });
      const b = builds.new.render(message, platform, { ...opts, timestamp: 1700000000000 });
      if (canon(a.payloads) !== canon(b.payloads)) console.log(`  ! ${key} ${platform}: the payloads differ`);
      const t = { base: [], new: [], baseFloor: [], newFloor: [], ratio: [] };
      for (let k = 0; k < ROUNDS; k++) {
        const order = k % 2 === 0 ? ["base", "new"] : ["new", "base"];
        const got = {};
        for (const n of order) {
          got[n] = usPer(fns[n].r, fns[n].nr);
          t[`${n}Floor`].push(got[n] / usPer(fns[n].f, fns[n].nf));
        }
        t.base.push(got.base);
        t.new.push(got.new);
        t.ratio.push(got.new / got.base);
      }
      const row = {
        key,
        platform,
        base_us: stats(t.base).median,
        new_us: stats(t.new).median,
        new_over_base: stats(t.ratio).median,
        base_floor: stats(t.baseFloor).median,
        new_floor: stats(t.newFloor).median,
      };
      rows.push(row);
      console.log(
        `  ${key.padEnd(16)} ${platform.padEnd(9)} base ${row.base_us.toFixed(1).padStart(7)} µs  new ${row.new_us.toFixed(1).padStart(7)} µs  new/base ${row.new_over_base.toFixed(3)}  x floor ${row.base_floor.toFixed(1)} -> ${row.new_floor.toFixed(1)}`,
      );
    }
  }
  console.log(
    `  geometric mean: new/base ${geo(rows.map((r) => r.new_over_base)).toFixed(3)}; x floor ${geo(rows.map((r) => r.base_floor)).toFixed(2)} -> ${geo(rows.map((r) => r.new_floor)).toFixed(2)}; worst ${Math.max(...rows.map((r) => r.base_floor)).toFixed(1)} -> ${Math.max(...rows.map((r) => r.new_floor)).toFixed(1)}`,
  );
}

// CPU per send with a stub fetch (as bench/send.mjs's cpu_stub_fetch), the two builds alternating.
if (!process.env.WP_AB_RENDER_ONLY) {
  const OK = { wecom: '{"errcode":0,"errmsg":"ok"}', dingtalk: '{"errcode":0,"errmsg":"ok"}', feishu: '{"code":0,"msg":"success","data":{}}' };
  const platformOf = (url) => (url.includes("/hook/") ? "feishu" : url.includes("access_token") ? "dingtalk" : "wecom");
  globalThis.fetch = async (url) => new Response(OK[platformOf(String(url))], { headers: { "content-type": "application/json" } });
  const base = "http://127.0.0.1:9"; // never reached: the stub answers
  const cpuUs = async (n, fn) => {
    const c0 = process.cpuUsage();
    await fn(n);
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / n;
  };
  for (const [name, messages, n] of [["text", ["text_mentions"], 2000], ["mix", Object.keys(MESSAGES), 600]]) {
    const runners = {};
    for (const [b, wp] of Object.entries(builds)) {
      const combos = [];
      for (const m of messages) {
        for (const p of PLATFORMS) {
          const target = SECRETS[p] ? { webhookUrl: `cpustub${p}key01`, secret: SECRETS[p] } : { webhookUrl: `cpustub${p}key01` };
          combos.push({ message: MESSAGES[m], platform: p, target });
        }
      }
      const sender = new wp.MessageSender({ rateLimit: false, baseUrls: { wecom: base, dingtalk: base, feishu: base } });
      runners[b] = (k) =>
        pool(k, 8, async (i) => {
          const c = combos[i % combos.length];
          return (await sender.send(c.message, c.platform, c.target)).success;
        }).then((failed) => {
          if (failed) throw new Error(`${b}: ${failed} sends failed`);
        });
      await runners[b](200);
    }
    const t = { base: [], new: [], ratio: [] };
    for (let k = 0; k < 9; k++) {
      const order = k % 2 === 0 ? ["base", "new"] : ["new", "base"];
      const got = {};
      for (const b of order) got[b] = await cpuUs(n, runners[b]);
      t.base.push(got.base);
      t.new.push(got.new);
      t.ratio.push(got.new / got.base);
    }
    console.log(
      `  send ${name.padEnd(4)} with a stub fetch: base ${stats(t.base).median.toFixed(1)} µs CPU  new ${stats(t.new).median.toFixed(1)} µs  new/base ${stats(t.ratio).median.toFixed(3)}`,
    );
  }
}
