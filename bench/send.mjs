#!/usr/bin/env node
// Send throughput to the loopback mock platforms (in their own process, rate limits off), our
// MessageSender ({ rateLimit: false }) against a plain fetch loop posting the same precomputed
// payloads (render's output, bodies already JSON) at the same concurrency, 1 and 32. Each message
// of the mix (4 typical messages x 3 platforms, DingTalk and Feishu signed) is one send; the
// split one is several requests for both. Rounds alternate the two and their order; ratios per
// round. CPU per delivered message: process.cpuUsage() over the run / messages, ours minus the
// plain loop's, so what remains is render + sign + the sender's own overhead (the network wait
// and the mock's CPU are not in it). Goals: text >= 0.9 of plain fetch and <= 0.1 ms CPU per
// message above it; the mix >= 0.8 and <= 0.25 ms. Last, the CPU per send with the host's fetch
// replaced by an in-process stub (no network: the package's own work, without the noise of the
// loopback round trip). A plain node:http loop runs beside plain fetch (ratios and CPU over both:
// in Node the package posts through node:http, so the gain over fetch is the transport's and
// what remains over node:http is ours). WP_BENCH_BASE=DIR adds a base build (an installed
// webhook-push package dir) to every round; WP_BENCH_NO_BREAKDOWN=1 skips the per-message rows.
// Writes bench/out/send.json.
import { loadavg, loadPackage, stats, writeJson } from "./lib/common.mjs";
import { MESSAGES, MESSAGE_LABELS, SECRETS } from "./lib/messages.mjs";
import { startMockProcess } from "./lib/mock.mjs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { fetchRunner, httpRunner, makeCombos, oursRunner, pool, precompute, timed } from "./lib/workloads.mjs";

const ROUNDS = Number(process.env.WP_BENCH_ROUNDS || 5);
const N = { 1: 600, 32: 2400 };
const BREAKDOWN_N = 600;

const wp = await loadPackage();
/** WP_BENCH_BASE=DIR (an installed webhook-push package dir): a base build run beside, interleaved. */
const base = process.env.WP_BENCH_BASE ? await import(pathToFileURL(path.resolve(process.env.WP_BENCH_BASE, "node.mjs")).href) : null;
const mock = await startMockProcess({ rateLimits: false });
const load = [loadavg()];
try {
  const out = { rounds: ROUNDS, goal_ratio: { text: 0.9, mix: 0.8 }, goal_cpu_ms: { text: 0.1, mix: 0.25 }, mix: {}, by_message: [], load };

  // Four runners per round, in an order that rotates each round: ours, plain fetch, plain
  // node:http (the cheapest transport: in Node ours posts through it, pkg-template/host-node.mjs),
  // and, with WP_BENCH_BASE, a base build of the package loaded beside (an A/B in one process).
  async function compare(combos, n, concurrency, rounds) {
    const pre = precompute(wp, combos, mock.baseUrls);
    const reqPerMsg = pre.reduce((a, p) => a + p.bodies.length, 0) / pre.length;
    const runners = { ours: oursRunner(wp, combos, mock.baseUrls), fetch: fetchRunner(pre), http: await httpRunner(pre) };
    if (base) runners.base = oursRunner(base, combos, mock.baseUrls);
    const names = Object.keys(runners);
    for (const name of names) await runners[name](Math.min(200, n), concurrency); // warm up: JIT, connections
    const runs = Object.fromEntries(names.map((k) => [k, []]));
    for (let k = 0; k < rounds; k++) {
      for (let j = 0; j < names.length; j++) {
        const name = names[(j + k) % names.length];
        runs[name].push(await timed(() => runners[name](n, concurrency)));
      }
    }
    const rate = (r) => n / (r.ms / 1000);
    const ratio = (a, b) => stats(runs[a].map((r, i) => rate(r) / rate(runs[b][i])));
    const cpuOver = (a, b) => stats(runs[a].map((r, i) => (r.cpuMs - runs[b][i].cpuMs) / n));
    const out = {
      concurrency,
      messages_per_round: n,
      requests_per_message: reqPerMsg,
      ours_per_s: stats(runs.ours.map(rate)),
      fetch_per_s: stats(runs.fetch.map(rate)),
      http_per_s: stats(runs.http.map(rate)),
      ratio_ours_over_fetch: ratio("ours", "fetch"),
      ratio_ours_over_http: ratio("ours", "http"),
      ratio_http_over_fetch: ratio("http", "fetch"),
      ours_cpu_ms_per_msg: stats(runs.ours.map((r) => r.cpuMs / n)),
      fetch_cpu_ms_per_msg: stats(runs.fetch.map((r) => r.cpuMs / n)),
      http_cpu_ms_per_msg: stats(runs.http.map((r) => r.cpuMs / n)),
      cpu_ms_per_msg_over_fetch: cpuOver("ours", "fetch"),
      cpu_ms_per_msg_over_http: cpuOver("ours", "http"),
      failures: Object.fromEntries(names.map((k) => [k, runs[k].reduce((a, r) => a + r.failed, 0)])),
    };
    if (base) {
      Object.assign(out, {
        base_per_s: stats(runs.base.map(rate)),
        ratio_base_over_fetch: ratio("base", "fetch"),
        ratio_ours_over_base: ratio("ours", "base"),
        base_cpu_ms_per_msg: stats(runs.base.map((r) => r.cpuMs / n)),
        base_cpu_ms_per_msg_over_fetch: cpuOver("base", "fetch"),
      });
    }
    return out;
  }
  const line = (what, c, r) =>
    console.log(
      `  ${what}, concurrency ${String(c).padStart(2)}: ours ${r.ours_per_s.median.toFixed(0)}/s, fetch ${r.fetch_per_s.median.toFixed(0)}/s, node:http ${r.http_per_s.median.toFixed(0)}/s; ` +
        `ratio ours/fetch ${r.ratio_ours_over_fetch.median.toFixed(2)}, ours/http ${r.ratio_ours_over_http.median.toFixed(2)}; CPU/msg ours-fetch ${r.cpu_ms_per_msg_over_fetch.median.toFixed(3)} ms, ours-http ${r.cpu_ms_per_msg_over_http.median.toFixed(3)} ms` +
        (base ? `; base ${r.base_per_s.median.toFixed(0)}/s, base/fetch ${r.ratio_base_over_fetch.median.toFixed(2)}, base-fetch ${r.base_cpu_ms_per_msg_over_fetch.median.toFixed(3)} ms` : ""),
    );

  const { combos } = await makeCombos(mock, { prefix: "send-mix-" });
  for (const c of [1, 32]) {
    const r = await compare(combos, N[c], c, ROUNDS);
    out.mix[c] = r;
    line("mix", c, r);
  }
  // Text messages alone (text + 2 mentions to each platform), at both concurrencies: goal >= 0.9
  // of plain fetch and <= 0.1 ms CPU per message above it (the mix: >= 0.8 and <= 0.25 ms).
  out.text = {};
  {
    const { combos: textCombos } = await makeCombos(mock, { prefix: "send-text-", messages: ["text_mentions"] });
    for (const c of [1, 32]) {
      const r = await compare(textCombos, N[c], c, ROUNDS);
      out.text[c] = r;
      line("text", c, r);
    }
  }
  for (const m of process.env.WP_BENCH_NO_BREAKDOWN === "1" ? [] : Object.keys(MESSAGES)) {
    const { combos: one } = await makeCombos(mock, { prefix: `send-${m}-`, messages: [m] });
    const r = await compare(one, BREAKDOWN_N, 32, 3);
    out.by_message.push({ message: m, label: MESSAGE_LABELS[m], ...r });
    console.log(`  ${m.padEnd(16)} c=32: ours ${r.ours_per_s.median.toFixed(0)}/s, fetch ${r.fetch_per_s.median.toFixed(0)}/s, ratio ${r.ratio_ours_over_fetch.median.toFixed(2)}; CPU/msg ours-fetch ${r.cpu_ms_per_msg_over_fetch.median.toFixed(3)} ms`);
  }
  // Our CPU per send without the network: the host's fetch replaced, in this process, by a stub
  // that answers every request at once with the platform's "ok" (a real Response, read as a
  // stream like any), so what is measured is the package's own work per send (message in,
  // render, sign, the request's plumbing, the result out) plus the stub's; `stub_fetch_us` is
  // the stub alone (fetch + res.json()), the floor. Rounds alternate the two; medians in µs.
  out.cpu_stub_fetch = await cpuWithStub();
  for (const [k, r] of Object.entries(out.cpu_stub_fetch)) {
    console.log(`  ${k.padEnd(5)} with a stub fetch: ${r.ours_us.median.toFixed(1)} µs CPU per send, the stub alone ${r.stub_fetch_us.median.toFixed(1)} µs`);
  }
  out.mock = await mock.stats();
  load.push(loadavg());
  console.log(`send: wrote ${writeJson("send.json", out)}`);
} finally {
  await mock.close();
}

async function cpuWithStub() {
  const OK = { wecom: '{"errcode":0,"errmsg":"ok"}', dingtalk: '{"errcode":0,"errmsg":"ok"}', feishu: '{"code":0,"msg":"success","data":{}}' };
  const platformOf = (url) => (url.includes("/hook/") ? "feishu" : url.includes("access_token") ? "dingtalk" : "wecom");
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (url) => new Response(OK[platformOf(String(url))], { headers: { "content-type": "application/json" } });
  const base = "http://127.0.0.1:9"; // never reached: the stub answers
  const baseUrls = { wecom: base, dingtalk: base, feishu: base };
  const cpuUs = async (n, fn) => {
    const c0 = process.cpuUsage();
    await fn(n);
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / n;
  };
  const result = {};
  try {
    for (const [name, messages, n] of [["text", ["text_mentions"], 2000], ["mix", Object.keys(MESSAGES), 600]]) {
      const combos = [];
      for (const m of messages) {
        for (const p of ["wecom", "dingtalk", "feishu"]) {
          const target = SECRETS[p] ? { webhookUrl: `cpustub${p}key01`, secret: SECRETS[p] } : { webhookUrl: `cpustub${p}key01` };
          combos.push({ message: MESSAGES[m], platform: p, target });
        }
      }
      const sender = new wp.MessageSender({ rateLimit: false, baseUrls });
      const ours = (k) =>
        pool(k, 8, async (i) => {
          const c = combos[i % combos.length];
          return (await sender.send(c.message, c.platform, c.target)).success;
        }).then((failed) => {
          if (failed) throw new Error(`send with a stub fetch: ${failed} failed`);
        });
      const stub = (k) =>
        pool(k, 8, async () => {
          const res = await fetch(`${base}/x`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
          return (await res.json()).errcode === 0;
        });
      await ours(200);
      await stub(200);
      const o = [];
      const f = [];
      for (let k = 0; k < 9; k++) {
        if (k % 2 === 0) o.push(await cpuUs(n, ours)), f.push(await cpuUs(n, stub));
        else f.push(await cpuUs(n, stub)), o.push(await cpuUs(n, ours));
      }
      result[name] = { sends_per_round: n, ours_us: stats(o), stub_fetch_us: stats(f), ours_over_stub_us: stats(o.map((x, i) => x - f[i])) };
    }
  } finally {
    globalThis.fetch = realFetch;
  }
  return result;
}
