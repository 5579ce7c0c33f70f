#!/usr/bin/env node
// 1 MiB inputs (render.mjs's LARGE_INPUTS, and more with escapes or no ASCII) through two builds
// in one process, alternating the builds per render (CPU ms): per platform × type × overflow, the median
// ms of each input in each build and its ratio to plain text (issue 8: the worst within 3x).
// Also checks that the two builds' payloads are equal (timestamps and signatures left out, a
// refusal by its message): exit code 1 when any differ.
//
//   node bench/large-ab.mjs BASE_PKG_DIR NEW_PKG_DIR
//   env: WP_BENCH_LARGE_RUNS (5), WP_BENCH_LARGE_OVERFLOW (split,truncate),
//        WP_BENCH_LARGE_ONLY (comma-separated input names; plain is always run),
//        WP_BENCH_LARGE_TYPES (text,markdown), WP_BENCH_LARGE_PLATFORMS (all three),
//        WP_BENCH_LARGE_STAT (median, or min: on a loaded machine another process only ever adds
//        time, so the fastest run of each is the steadier figure)
import path from "node:path";
import { pathToFileURL } from "node:url";
import { renderOrRefused, stats } from "./lib/common.mjs";
import { LARGE_DEFS, LARGE_EXTRA, LARGE_INPUTS, PLATFORMS, SECRETS } from "./lib/messages.mjs";

const [baseDir, newDir] = process.argv.slice(2);
if (!baseDir || !newDir) {
  console.error("usage: node bench/large-ab.mjs BASE_PKG_DIR NEW_PKG_DIR");
  process.exit(2);
}
const load = async (dir) => import(pathToFileURL(path.resolve(dir, "node.mjs")).href);
const builds = { base: await load(baseDir), new: await load(newDir) };
const RUNS = Number(process.env.WP_BENCH_LARGE_RUNS || 5);
const OVERFLOW = (process.env.WP_BENCH_LARGE_OVERFLOW || "split,truncate").split(",");
const MIB = (1 << 20) - 8;
const ALL = { ...LARGE_INPUTS, ...LARGE_EXTRA, ...LARGE_DEFS };
const only = process.env.WP_BENCH_LARGE_ONLY?.split(",");
const TYPES = (process.env.WP_BENCH_LARGE_TYPES || "text,markdown").split(",");
const PLATS = process.env.WP_BENCH_LARGE_PLATFORMS?.split(",") ?? PLATFORMS;
const STAT = process.env.WP_BENCH_LARGE_STAT === "min" ? "min" : "median";
// a render's payloads without what changes from one render to the next
const bare = (r) => JSON.stringify(r.refused ?? r.payloads.map((p) => ({ ...p, timestamp: undefined, sign: undefined })));
const differ = [];
const INPUTS = Object.fromEntries(Object.entries(ALL).filter(([k]) => k === "plain" || !only || only.includes(k)));

// CPU time (process.cpuUsage), not wall time: on a loaded machine a process waiting for a core
// is not charged (render.mjs measures wall time)
const ms = (wp, message, platform, opts) => {
  const c0 = process.cpuUsage();
  renderOrRefused(wp, message, platform, opts);
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};
const worstAll = { base: 0, new: 0 };
for (const overflow of OVERFLOW) {
  for (const type of TYPES) {
    for (const platform of PLATS) {
      const opts = { webhook: `bench${platform}key01`, overflow, ...(SECRETS[platform] ? { secret: SECRETS[platform] } : {}) };
      const m = { base: {}, new: {} };
      for (const [name, unit] of Object.entries(INPUTS)) {
        // a whole number of characters within 1 MiB of UTF-8
        const s = typeof unit === "function" ? unit(MIB) : unit.repeat(Math.floor(MIB / Buffer.byteLength(unit)));
        const message = { content: { type, body: type === "text" ? { text: s } : { content: s } } };
        const t = { base: [], new: [] };
        // the warm-up render, whose payloads are compared
        const [a, b] = ["base", "new"].map((k) => bare(renderOrRefused(builds[k], message, platform, opts)));
        if (a !== b) differ.push(`${type} ${platform} ${overflow} ${name}`);
        for (let i = 0; i < RUNS; i++) {
          for (const b of i % 2 ? ["new", "base"] : ["base", "new"]) t[b].push(ms(builds[b], message, platform, opts));
        }
        for (const b of ["base", "new"]) m[b][name] = stats(t[b])[STAT];
      }
      const line = [];
      for (const b of ["base", "new"]) {
        const names = Object.keys(INPUTS).filter((k) => k !== "plain");
        const worst = names.reduce((a, k) => (m[b][k] > m[b][a] ? k : a), names[0]);
        const r = m[b][worst] / m[b].plain;
        worstAll[b] = Math.max(worstAll[b], r);
        line.push(`${b} worst ${worst} ${r.toFixed(2)}x; ` + Object.keys(INPUTS).map((k) => `${k} ${m[b][k].toFixed(1)}`).join(", "));
      }
      console.log(`1 MiB ${type.padEnd(8)} ${platform.padEnd(9)} ${overflow.padEnd(8)}\n    ${line.join("\n    ")}`);
    }
  }
}
console.log(`worst over plain: base ${worstAll.base.toFixed(2)}x, new ${worstAll.new.toFixed(2)}x (goal <= 3x)`);
console.log(differ.length ? `payloads differ (${differ.length}): ${differ.join("; ")}` : "payloads equal");
process.exitCode = differ.length ? 1 : 0;
