#!/usr/bin/env node
// bench/fetch-cost.mjs's question in Deno and Bun: where a text send's CPU above the runtime's
// plain fetch loop goes, step by step (bench/lib/rt-steps.mjs runs in the runtime; the loopback
// mock in its own Node process). Variants measured in every round, order rotated; µs CPU per
// request (the runtime's process.cpuUsage), median and median per-round difference to plain.
//
//   node bench/fetch-cost-rt.mjs [deno|bun ...]
// Env: WP_FC_ROUNDS (7), WP_FC_N (c=32 requests a variant a round: 800; c=1: a third), WP_FC_C
// (32,1), WP_FC_ONLY (comma list of substrings of variant names), WP_BENCH_CONSUMER.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { CONSUMER, loadPackage, median, ROOT } from "./lib/common.mjs";
import { startMockProcess } from "./lib/mock.mjs";
import { makeCombos, precompute } from "./lib/workloads.mjs";

const runtimes = process.argv.slice(2).length ? process.argv.slice(2) : ["deno", "bun"];
const ROUNDS = Number(process.env.WP_FC_ROUNDS || 7);
const N32 = Number(process.env.WP_FC_N || 800);
const CONC = (process.env.WP_FC_C || "32,1").split(",").map(Number);
const pkgDir = path.join(CONSUMER, "node_modules", "webhook-push");
const snippets = path.join(pkgDir, "snippets");
const hostJs = fs.readdirSync(snippets).map((d) => path.join(snippets, d, "pkg-template", "host.js")).find((f) => fs.existsSync(f));
const dir = path.join(CONSUMER, "bench-rt");
fs.mkdirSync(dir, { recursive: true });
for (const f of ["rt-steps.mjs", "rt-loop.mjs"]) fs.copyFileSync(path.join(ROOT, "bench", "lib", f), path.join(dir, f));

const wp = await loadPackage();
const mock = await startMockProcess({ rateLimits: false });
try {
  const { combos } = await makeCombos(mock, { prefix: "fcrt-", messages: ["text_mentions"] });
  const cfg = {
    baseUrls: mock.baseUrls,
    workloads: [{ name: "text", combos: combos.map(({ message, platform, target }) => ({ message, platform, target })), pre: precompute(wp, combos, mock.baseUrls) }],
    hostJs,
    rounds: ROUNDS,
    stepConcurrencies: CONC,
    stepN: { 32: N32, 1: Math.round(N32 / 3) },
    only: process.env.WP_FC_ONLY ? process.env.WP_FC_ONLY.split(",") : null,
  };
  const cfgFile = path.join(dir, "steps.json");
  fs.writeFileSync(cfgFile, JSON.stringify(cfg));
  for (const rt of runtimes) {
    const bin = path.join(ROOT, "node_modules", ".bin", rt);
    const args = rt === "deno" ? ["run", "--no-lock", "--no-prompt", "--allow-net=127.0.0.1", "--allow-read", "rt-steps.mjs", cfgFile] : ["--no-install", "run", "rt-steps.mjs", cfgFile];
    const env = { ...process.env, DENO_NO_UPDATE_CHECK: "1", DENO_DIR: path.join(CONSUMER, ".deno-cache"), NO_COLOR: "1", ...(process.env.WP_FC_EXTRA_ENV ? JSON.parse(process.env.WP_FC_EXTRA_ENV) : {}) };
    const flags = process.env.WP_FC_FLAGS ? process.env.WP_FC_FLAGS.split(" ") : [];
    const stdout = await new Promise((resolve, reject) => {
      const child = spawn(bin, rt === "deno" ? [args[0], ...flags, ...args.slice(1)] : [...flags, ...args], { cwd: dir, env, stdio: ["ignore", "pipe", "inherit"] });
      let s = "";
      child.stdout.on("data", (d) => (s += d));
      child.on("error", reject);
      child.on("close", () => resolve(s));
    });
    const l = stdout.split("\n").find((x) => x.startsWith("@@RT-BENCH@@"));
    if (!l) {
      console.error(`${rt}: no report\n${stdout.slice(-3000)}`);
      continue;
    }
    const { result } = JSON.parse(l.slice("@@RT-BENCH@@".length));
    for (const [c, runs] of Object.entries(result)) {
      console.log(`\n${rt}, concurrency ${c} (µs per request, median of ${ROUNDS} rounds)\n| variant | CPU | over plain | wall | failed |\n|---|---:|---:|---:|---:|`);
      const names = Object.keys(runs);
      const plain = runs[names[0]];
      for (const k of names) {
        const r = runs[k];
        const over = median(r.map((x, i) => x.cpuUs - plain[i].cpuUs));
        console.log(`| ${k} | ${median(r.map((x) => x.cpuUs)).toFixed(1)} | ${over >= 0 ? "+" : ""}${over.toFixed(1)} | ${median(r.map((x) => x.wallUs)).toFixed(1)} | ${r.reduce((a, x) => a + x.failed, 0)} |`);
      }
    }
  }
} finally {
  await mock.close();
}
