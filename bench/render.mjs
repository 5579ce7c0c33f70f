#!/usr/bin/env node
// Render throughput: `render(message, platform, { webhook, secret })` per second for each typical
// message and platform (DingTalk and Feishu signed), against the floor of
// `JSON.parse(JSON.stringify(payloads))` of the very payloads that render produced. Rounds
// alternate the two (and their order), each sample ~150 ms; the ratio is taken per round.
// Goal: the geometric mean within 4x of the floor, no case worse than 8x. Writes bench/out/render.json.
import { loadPackage, loadavg, renderOrRefused, stats, writeJson } from "./lib/common.mjs";
import { LARGE_EXTRA, LARGE_INPUTS, MESSAGES, MESSAGE_LABELS, PLATFORMS, SECRETS } from "./lib/messages.mjs";

const ROUNDS = Number(process.env.WP_BENCH_ROUNDS || 9);
const SAMPLE_MS = 150;
const wp = await loadPackage();

function rate(fn, iters) {
  const t0 = performance.now();
  for (let i = 0; i < iters; i++) fn();
  return iters / ((performance.now() - t0) / 1000);
}

function calibrate(fn) {
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 60) {
    fn();
    n++;
  }
  const per = (performance.now() - t0) / n;
  return Math.max(10, Math.round(SAMPLE_MS / per));
}

const load = [loadavg()];
const cases = [];
for (const [key, message] of Object.entries(MESSAGES)) {
  for (const platform of PLATFORMS) {
    const opts = { webhook: `bench${platform}key01`, ...(SECRETS[platform] ? { secret: SECRETS[platform] } : {}) };
    const out = wp.render(message, platform, opts);
    const payloads = out.payloads;
    const doRender = () => wp.render(message, platform, opts);
    const doFloor = () => JSON.parse(JSON.stringify(payloads));
    for (let i = 0; i < 50; i++) doRender(), doFloor(); // warm up
    const nr = calibrate(doRender);
    const nf = calibrate(doFloor);
    const r = [];
    const f = [];
    const ratio = [];
    for (let k = 0; k < ROUNDS; k++) {
      let a;
      let b;
      if (k % 2 === 0) {
        a = rate(doRender, nr);
        b = rate(doFloor, nf);
      } else {
        b = rate(doFloor, nf);
        a = rate(doRender, nr);
      }
      r.push(a);
      f.push(b);
      ratio.push(b / a);
    }
    const c = {
      message: key,
      label: MESSAGE_LABELS[key],
      platform,
      parts: out.parts,
      payload_bytes: Buffer.byteLength(JSON.stringify(payloads)),
      degraded: out.degraded.map((d) => `${d.from}→${d.to}`),
      render_per_s: stats(r),
      floor_per_s: stats(f),
      render_us: stats(r.map((x) => 1e6 / x)),
      ratio_floor_over_render: stats(ratio),
    };
    cases.push(c);
    console.log(`  ${key.padEnd(16)} ${platform.padEnd(9)} render ${String(Math.round(c.render_per_s.median)).padStart(7)}/s  floor ${String(Math.round(c.floor_per_s.median)).padStart(8)}/s  ratio ${c.ratio_floor_over_render.median.toFixed(1)}x`);
  }
}
// Large inputs (issue 8): 1 MiB of markup-heavy text against 1 MiB of plain text, as text and
// as markdown, per platform and overflow mode; the median of LARGE_RUNS renders each. The
// inputs are the worst found: one tree item per character for the markdown parser (`[`, `]`,
// `<`, `<a`, `\\[`), links, and `*a` (an emphasis span per two characters: a Feishu post element
// each). Goal: the worst within 3x of plain, per platform, type and overflow mode.
const LARGE_RUNS = Number(process.env.WP_BENCH_LARGE_RUNS || 5);
// with the escape-heavy and non-ASCII shapes (JSON in text, backslashes, log lines, CJK)
const LARGE = { ...LARGE_INPUTS, ...LARGE_EXTRA };
const LARGE_OVERFLOW = (process.env.WP_BENCH_LARGE_OVERFLOW || "split,truncate").split(",");
const MIB = (1 << 20) - 8;
const large = [];
for (const overflow of LARGE_OVERFLOW) {
  for (const type of ["text", "markdown"]) {
    for (const platform of PLATFORMS) {
      const opts = { webhook: `bench${platform}key01`, overflow, ...(SECRETS[platform] ? { secret: SECRETS[platform] } : {}) };
      const ms = {};
      for (const [name, unit] of Object.entries(LARGE)) {
        const s = unit.repeat(Math.floor(MIB / Buffer.byteLength(unit)));
        const message = { content: { type, body: type === "text" ? { text: s } : { content: s } } };
        renderOrRefused(wp, message, platform, opts); // warm up
        const t = [];
        for (let i = 0; i < LARGE_RUNS; i++) {
          const t0 = performance.now();
          renderOrRefused(wp, message, platform, opts);
          t.push(performance.now() - t0);
        }
        ms[name] = stats(t);
      }
      const worst = Object.keys(LARGE).filter((k) => k !== "plain").reduce((a, k) => (ms[k].median > ms[a].median ? k : a), "brackets");
      const c = { type, platform, overflow, ms, worst, ratio_worst_over_plain: ms[worst].median / ms.plain.median };
      large.push(c);
      const each = Object.keys(LARGE).map((k) => `${k} ${ms[k].median.toFixed(1)}`).join(", ");
      console.log(`  1 MiB ${type.padEnd(8)} ${platform.padEnd(9)} ${overflow.padEnd(8)} worst (${worst}) ${c.ratio_worst_over_plain.toFixed(1)}x plain; ms: ${each}`);
    }
  }
}
const largeWorst = Math.max(...large.map((c) => c.ratio_worst_over_plain));
// the worst per content type, each against its own plain (text is defect 2's own input)
for (const type of ["text", "markdown"]) {
  const w = large.filter((c) => c.type === type).reduce((a, c) => (c.ratio_worst_over_plain > a.ratio_worst_over_plain ? c : a));
  console.log(`render, 1 MiB ${type}: worst ${w.ratio_worst_over_plain.toFixed(1)}x plain (${w.platform} ${w.overflow} ${JSON.stringify(LARGE[w.worst])}; goal <= 3x)`);
}

load.push(loadavg());
const geo = Math.exp(cases.reduce((a, c) => a + Math.log(c.ratio_floor_over_render.median), 0) / cases.length);
const file = writeJson("render.json", { rounds: ROUNDS, sample_ms: SAMPLE_MS, goal_ratio: 4, goal_worst_ratio: 8, cases, geomean_ratio: geo, worst_ratio: Math.max(...cases.map((c) => c.ratio_floor_over_render.median)), best_ratio: Math.min(...cases.map((c) => c.ratio_floor_over_render.median)), large, large_worst_ratio: largeWorst, load });
console.log(`render: geometric mean ${geo.toFixed(1)}x the floor (goal <= 4x, no case over 8x); wrote ${file}`);
