#!/usr/bin/env node
// Memory across the JS/wasm boundary: the wasm linear memory and the process (RSS, V8 heap after
// a full GC) sampled at 0, 25k, 50k, 75k and 100k operations, for 100k renders (the 4 typical
// messages x 3 platforms, cycled) and then 100k sends through one long-lived MessageSender
// (the 3 short messages x 3 platforms, concurrency 32, rate limiter off, each message with its own
// message_id so the dedup cache fills to its bound, 10,000 entries by default). Flat = no leak.
// Run with --expose-gc (bench/run.sh does). Writes bench/out/memory.json.
import { loadavg, loadPackage, writeJson } from "./lib/common.mjs";
import { MESSAGES, PLATFORMS, SECRETS, SHORT } from "./lib/messages.mjs";
import { startMockProcess } from "./lib/mock.mjs";
import { makeCombos, pool } from "./lib/workloads.mjs";

const TOTAL = Number(process.env.WP_BENCH_MEMORY_N || 100_000);
const STEP = TOTAL / 4;
const wp = await loadPackage();
const wasm = wp.__wasmExports();
const load = [loadavg()];

function sample(done) {
  globalThis.gc?.();
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { done, wasm_memory_bytes: wasm.memory.buffer.byteLength, rss_bytes: m.rss, heap_used_bytes: m.heapUsed, external_bytes: m.external, array_buffers_bytes: m.arrayBuffers };
}

// ---- renders ----
const renderCombos = [];
for (const m of Object.keys(MESSAGES)) for (const p of PLATFORMS) renderCombos.push([MESSAGES[m], p, { webhook: `mem${p}key01`, ...(SECRETS[p] ? { secret: SECRETS[p] } : {}) }]);
const renders = [sample(0)];
const t0 = performance.now();
for (let i = 1; i <= TOTAL; i++) {
  const [m, p, o] = renderCombos[i % renderCombos.length];
  wp.render(m, p, o);
  if (i % STEP === 0) renders.push(sample(i));
}
const renderSecs = (performance.now() - t0) / 1000;
console.log(`  renders: wasm ${renders.map((s) => (s.wasm_memory_bytes / 2 ** 20).toFixed(1)).join(" → ")} MiB; rss ${renders.map((s) => (s.rss_bytes / 2 ** 20).toFixed(0)).join(" → ")} MiB (${renderSecs.toFixed(0)} s)`);

// ---- sends ----
const mock = await startMockProcess({ rateLimits: false });
let sends;
let sendSecs;
let failed = 0;
try {
  const { combos } = await makeCombos(mock, { prefix: "mem-", messages: SHORT });
  const sender = new wp.MessageSender({ rateLimit: false, baseUrls: mock.baseUrls });
  sends = [sample(0)];
  const t1 = performance.now();
  for (let k = 0; k < 4; k++) {
    failed += await pool(STEP, 32, async (j) => {
      const i = k * STEP + j;
      const c = combos[i % combos.length];
      const r = await sender.send({ ...c.message, metadata: { message_id: `mem-${i}` } }, c.platform, c.target);
      return r.success;
    });
    sends.push(sample((k + 1) * STEP));
  }
  sendSecs = (performance.now() - t1) / 1000;
} finally {
  await mock.close();
}
console.log(`  sends:   wasm ${sends.map((s) => (s.wasm_memory_bytes / 2 ** 20).toFixed(1)).join(" → ")} MiB; rss ${sends.map((s) => (s.rss_bytes / 2 ** 20).toFixed(0)).join(" → ")} MiB (${sendSecs.toFixed(0)} s, ${failed} failed)`);

const growth = (xs, k) => xs.at(-1)[k] - xs[1][k];
load.push(loadavg());
const file = writeJson("memory.json", {
  total: TOTAL,
  gc_exposed: typeof globalThis.gc === "function",
  renders: { seconds: renderSecs, series: renders },
  sends: { seconds: sendSecs, failed, series: sends },
  growth_after_first_quarter: {
    renders_wasm_bytes: growth(renders, "wasm_memory_bytes"),
    renders_heap_bytes: growth(renders, "heap_used_bytes"),
    renders_rss_bytes: growth(renders, "rss_bytes"),
    sends_wasm_bytes: growth(sends, "wasm_memory_bytes"),
    sends_heap_bytes: growth(sends, "heap_used_bytes"),
    sends_rss_bytes: growth(sends, "rss_bytes"),
  },
  load,
});
console.log(`memory: wrote ${file}`);
