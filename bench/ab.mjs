#!/usr/bin/env node
// Two builds side by side in one process, rounds alternating (the machine is noisy: only ratios
// from one run compare). Each argument is a folder that holds an installed package
// (`<dir>/node_modules/webhook-push`), e.g. target/consumer-base and target/consumer.
//   node bench/ab.mjs A_DIR B_DIR [render|send|all]
// render: CPU µs per `render()` of every bench message to every platform (as bench/render.mjs calls
//   it), and each build's ratio to the JSON floor of its payloads; medians over the rounds.
// send: CPU µs per send with a stub fetch (as bench/send.mjs's cpu_stub_fetch), text and mix.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { stats } from "./lib/common.mjs";
import { MESSAGES, PLATFORMS, SECRETS } from "./lib/messages.mjs";

const [dirA, dirB, what = "all"] = process.argv.slice(2);
if (!dirA || !dirB) {
  console.error("usage: node bench/ab.mjs A_DIR B_DIR [render|send|all]");
  process.exit(2);
}
const ROUNDS = Number(process.env.WP_BENCH_ROUNDS || 9);
const load = (d) => import(pathToFileURL(path.resolve(d, "node_modules", "webhook-push", "node.mjs")).href);
const builds = [
  { name: path.basename(dirA), wp: await load(dirA) },
  { name: path.basename(dirB), wp: await load(dirB) },
];

// CPU time of this process (not wall time: on a loaded machine a sample may wait for a core)
function usPer(fn, iters) {
  const c0 = process.cpuUsage();
  for (let i = 0; i < iters; i++) fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / iters;
}

function calibrate(fn, ms = 100) {
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 40) fn(), n++;
  return Math.max(10, Math.round(ms / ((performance.now() - t0) / n)));
}

const geomean = (xs) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);

if (what === "render" || what === "all") {
  console.log(`render: CPU µs per render (median of ${ROUNDS} alternating rounds); x floor = render / JSON floor`);
  console.log(`| case | ${builds[0].name} µs | ${builds[1].name} µs | B/A | ${builds[0].name} x floor | ${builds[1].name} x floor |`);
  console.log("|---|---:|---:|---:|---:|---:|");
  // warm both builds on every case first (V8 tiers the wasm up in the background)
  const warm = performance.now();
  while (performance.now() - warm < 3000) {
    for (const message of Object.values(MESSAGES)) {
      for (const platform of PLATFORMS) for (const b of builds) b.wp.render(message, platform, { webhook: "warmkey01" });
    }
  }
  const ratios = [];
  const floors = [[], []];
  for (const [key, message] of Object.entries(MESSAGES)) {
    for (const platform of PLATFORMS) {
      const opts = { webhook: `bench${platform}key01`, ...(SECRETS[platform] ? { secret: SECRETS[platform] } : {}) };
      const fns = builds.map((b) => () => b.wp.render(message, platform, opts));
      const payloads = builds[0].wp.render(message, platform, opts).payloads;
      const floor = () => JSON.parse(JSON.stringify(payloads));
      for (let i = 0; i < 50; i++) fns[0](), fns[1](), floor();
      const n = calibrate(fns[0]);
      const nf = calibrate(floor);
      const t = [[], []];
      const f = [];
      const r = [];
      for (let k = 0; k < ROUNDS; k++) {
        const order = k % 2 === 0 ? [0, 1] : [1, 0];
        const x = [];
        for (const i of order) x[i] = usPer(fns[i], n);
        f.push(usPer(floor, nf));
        t[0].push(x[0]);
        t[1].push(x[1]);
        r.push(x[1] / x[0]);
      }
      const a = stats(t[0]).median;
      const b = stats(t[1]).median;
      const fl = stats(f).median;
      const ratio = stats(r).median;
      ratios.push(ratio);
      floors[0].push(a / fl);
      floors[1].push(b / fl);
      console.log(`| ${key}/${platform} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${ratio.toFixed(3)} | ${(a / fl).toFixed(1)} | ${(b / fl).toFixed(1)} |`);
    }
  }
  console.log(`| geometric mean | | | ${geomean(ratios).toFixed(3)} | ${geomean(floors[0]).toFixed(1)} | ${geomean(floors[1]).toFixed(1)} |`);
}

if (what === "send" || what === "all") {
  const OK = { wecom: '{"errcode":0,"errmsg":"ok"}', dingtalk: '{"errcode":0,"errmsg":"ok"}', feishu: '{"code":0,"msg":"success","data":{}}' };
  const platformOf = (url) => (url.includes("/hook/") ? "feishu" : url.includes("access_token") ? "dingtalk" : "wecom");
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (url) => new Response(OK[platformOf(String(url))], { headers: { "content-type": "application/json" } });
  const base = "http://127.0.0.1:9"; // never reached: the stub answers
  const baseUrls = { wecom: base, dingtalk: base, feishu: base };
  async function pool(n, width, fn) {
    let next = 0;
    let failed = 0;
    const worker = async () => {
      while (next < n) if (!(await fn(next++))) failed++;
    };
    await Promise.all(Array.from({ length: width }, worker));
    return failed;
  }
  const cpuUs = async (n, fn) => {
    const c0 = process.cpuUsage();
    await fn(n);
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / n;
  };
  try {
    console.log(`\nsend with a stub fetch: CPU µs per send (median of ${ROUNDS} alternating rounds)`);
    console.log(`| messages | ${builds[0].name} | ${builds[1].name} | B/A |`);
    console.log("|---|---:|---:|---:|");
    for (const [name, messages, n] of [["text", ["text_mentions"], 2000], ["mix", Object.keys(MESSAGES), 600]]) {
      const combos = [];
      for (const m of messages) {
        for (const p of PLATFORMS) {
          const target = SECRETS[p] ? { webhookUrl: `cpustub${p}key01`, secret: SECRETS[p] } : { webhookUrl: `cpustub${p}key01` };
          combos.push({ message: MESSAGES[m], platform: p, target });
        }
      }
      const runs = builds.map((b) => {
        const sender = new b.wp.MessageSender({ rateLimit: false, baseUrls });
        return (k) =>
          pool(k, 8, async (i) => {
            const c = combos[i % combos.length];
            return (await sender.send(c.message, c.platform, c.target)).success;
          }).then((failed) => {
            if (failed) throw new Error(`send with a stub fetch: ${failed} failed`);
          });
      });
      await runs[0](200);
      await runs[1](200);
      const t = [[], []];
      const r = [];
      for (let k = 0; k < ROUNDS; k++) {
        const order = k % 2 === 0 ? [0, 1] : [1, 0];
        const x = [];
        for (const i of order) x[i] = await cpuUs(n, runs[i]);
        t[0].push(x[0]);
        t[1].push(x[1]);
        r.push(x[1] / x[0]);
      }
      console.log(`| ${name} | ${stats(t[0]).median.toFixed(1)} | ${stats(t[1]).median.toFixed(1)} | ${stats(r).median.toFixed(3)} |`);
    }
  } finally {
    globalThis.fetch = realFetch;
  }
}
