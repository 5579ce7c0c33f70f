#!/usr/bin/env node
// A text send's own CPU in Node, Deno and Bun with a stub fetch (no network): bench/lib/rt-stub.mjs
// in each runtime, steps as variants, one or two builds side by side (A/B in one process), µs of
// CPU per send, median of the rounds. The runtime's Response machinery is in "Response stub" and
// not in "object stub" (a plain answer object read by arrayBuffer()).
//
//   node bench/send-stub-rt.mjs [node|deno|bun ...]
// Env: WP_BENCH_CONSUMER (the package installed: target/consumer), WP_BENCH_BASE (a base package
// dir, measured beside), WP_STUB_ROUNDS (7), WP_STUB_N (2000 sends a variant a round),
// WP_STUB_C (1,32), WP_STUB_ONLY (comma list of substrings of variant names), WP_STUB_FLAGS
// (extra runtime flags, e.g. --cpu-prof-md for Bun).
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { CONSUMER, median, ROOT } from "./lib/common.mjs";

const runtimes = process.argv.slice(2).length ? process.argv.slice(2) : ["node", "deno", "bun"];
const pkgs = {};
if (process.env.WP_BENCH_BASE) pkgs.base = path.resolve(process.env.WP_BENCH_BASE);
pkgs.ours = path.join(CONSUMER, "node_modules", "webhook-push");
const dir = path.join(CONSUMER, "bench-stub");
fs.mkdirSync(dir, { recursive: true });
for (const f of ["rt-stub.mjs", "rt-loop.mjs", "messages.mjs"]) fs.copyFileSync(path.join(ROOT, "bench", "lib", f), path.join(dir, f));
const cfg = {
  pkgs,
  rounds: Number(process.env.WP_STUB_ROUNDS || 7),
  n: Number(process.env.WP_STUB_N || 2000),
  concurrency: (process.env.WP_STUB_C || "1,32").split(",").map(Number),
  only: process.env.WP_STUB_ONLY ? process.env.WP_STUB_ONLY.split(",") : null,
};
const cfgFile = path.join(dir, "stub.json");
fs.writeFileSync(cfgFile, JSON.stringify(cfg));
const flags = process.env.WP_STUB_FLAGS ? process.env.WP_STUB_FLAGS.split(" ") : [];
for (const rt of runtimes) {
  const bin = rt === "node" ? process.execPath : path.join(ROOT, "node_modules", ".bin", rt);
  const args =
    rt === "deno"
      ? ["run", "--no-lock", "--no-prompt", "--allow-read", "--allow-env", ...flags, "rt-stub.mjs", cfgFile]
      : [...flags, "rt-stub.mjs", cfgFile];
  const env = { ...process.env, DENO_NO_UPDATE_CHECK: "1", DENO_DIR: path.join(CONSUMER, ".deno-cache"), NO_COLOR: "1" };
  const stdout = await new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: dir, env, stdio: ["ignore", "pipe", "inherit"] });
    let s = "";
    child.stdout.on("data", (d) => (s += d));
    child.on("error", reject);
    child.on("close", () => resolve(s));
  });
  const l = stdout.split("\n").find((x) => x.startsWith("@@RT-STUB@@"));
  if (!l) {
    console.error(`${rt}: no report\n${stdout.slice(-3000)}`);
    continue;
  }
  const { result } = JSON.parse(l.slice("@@RT-STUB@@".length));
  for (const [c, runs] of Object.entries(result)) {
    console.log(`\n${rt}, concurrency ${c} (µs CPU per send, median of ${cfg.rounds} rounds of ${cfg.n})\n| variant | CPU µs | failed |\n|---|---:|---:|`);
    for (const [k, r] of Object.entries(runs)) {
      console.log(`| ${k} | ${median(r.map((x) => x.cpuUs)).toFixed(1)} | ${r.reduce((a, x) => a + x.failed, 0)} |`);
    }
  }
}
