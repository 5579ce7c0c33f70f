#!/usr/bin/env node
// One-shot command cold start: wall time from spawn to exit of
//   - `node -e 0` (the floor),
//   - a minimal Node script doing the same single fetch (POST one WeCom text, read the answer),
//   - `webhook-push send wecom KEY --content …` (the installed bin, as shipped: Liftoff only),
//   - the same bin with V8's default wasm tiering (its setFlagsFromString line removed), and
//     with `--no-wasm-tier-up` instead, to show what the shipped choice buys,
// each sending to the loopback mock (rate limits off), in interleaved rounds.
// Goal: the shipped bin ≤ 1.3x the minimal script. WP_BENCH_BASE_CONSUMER=DIR adds a base build's
// bin (DIR/node_modules/webhook-push/cli.mjs) to the rounds. Writes bench/out/cli.json.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { CONSUMER, loadavg, stats, writeJson } from "./lib/common.mjs";
import { startMockPlatforms } from "../tests/mock/platforms.mjs";

const N = Number(process.env.WP_BENCH_CLI_N || 20);
const KEY = "benchclikey0001";
const PKG = path.join(CONSUMER, "node_modules", "webhook-push");
const BIN = path.join(CONSUMER, "node_modules", ".bin", "webhook-push");
if (!fs.existsSync(path.join(PKG, "cli.mjs"))) throw new Error(`${PKG}/cli.mjs is missing: run scripts/pack-install.sh ${CONSUMER}`);

const mock = await startMockPlatforms({ port: 0, rateLimits: false, bots: [{ platform: "wecom", key: KEY }] });
const url = mock.webhookUrl("wecom", KEY);

// The minimal script: what a user would write instead, with nothing but fetch.
const minimal = path.join(CONSUMER, "bench-cli-minimal.mjs");
fs.writeFileSync(
  minimal,
  `// bench/cli.mjs: the same single send with nothing but fetch.
const r = await fetch(process.argv[2], { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ msgtype: "text", text: { content: process.argv[3] } }) });
const t = await r.text();
if (!t.includes('"errcode":0')) process.exit(1);
console.log("sent");
`,
);
// The same, exiting as soon as it has the answer (as the bin does) instead of letting Node
// wind down its keep-alive connection: shows how much of the gap is that alone.
const minimalExit = path.join(CONSUMER, "bench-cli-minimal-exit.mjs");
fs.writeFileSync(minimalExit, fs.readFileSync(minimal, "utf8").replace('console.log("sent");', 'process.stdout.write("sent\\n", () => process.exit(0));'));
// Variants of the shipped bin for comparison only (next to it, so ./node.mjs resolves).
const shipped = fs.readFileSync(path.join(PKG, "cli.mjs"), "utf8");
if (!shipped.includes('setFlagsFromString("--liftoff-only")')) throw new Error("cli.mjs no longer sets --liftoff-only: update bench/cli.mjs");
const tiering = path.join(PKG, "bench-cli-tiering.mjs");
fs.writeFileSync(tiering, shipped.replace('.setFlagsFromString("--liftoff-only")', '.setFlagsFromString("--wasm-tier-up")'));
const noTierUp = path.join(PKG, "bench-cli-no-tier-up.mjs");
fs.writeFileSync(noTierUp, shipped.replace('.setFlagsFromString("--liftoff-only")', '.setFlagsFromString("--no-wasm-tier-up")'));
// The bin loads the main entry's wasm unless its config has a `platform = "webhook"` channel; then
// webhook-push/webhook's larger one (with the generic webhook engine). The same send on that wasm:
if (!shipped.includes('return import("./node.mjs");')) throw new Error("cli.mjs no longer imports ./node.mjs: update bench/cli.mjs");
const fullWasm = path.join(PKG, "bench-cli-full-wasm.mjs");
fs.writeFileSync(fullWasm, shipped.replace('return import("./node.mjs");', 'return import("./webhook-node.mjs");'));

const env = { PATH: process.env.PATH, HOME: process.env.HOME, WEBHOOK_PUSH_BASE_URL: mock.url };
const send = ["send", "wecom", KEY, "--content", "cold start"];
const VARIANTS = {
  node_e0: [process.execPath, "-e", "0"],
  minimal_fetch: [process.execPath, minimal, url, "cold start"],
  minimal_fetch_exit: [process.execPath, minimalExit, url, "cold start"],
  cli: [BIN, ...send],
  cli_default_tiering: [process.execPath, tiering, ...send],
  cli_no_wasm_tier_up: [process.execPath, noTierUp, ...send],
  cli_full_wasm: [process.execPath, fullWasm, ...send],
  // WP_BENCH_BASE_CONSUMER=DIR: a base build's bin (DIR/node_modules/webhook-push/cli.mjs), interleaved
  ...(process.env.WP_BENCH_BASE_CONSUMER
    ? { cli_base: [process.execPath, path.resolve(process.env.WP_BENCH_BASE_CONSUMER, "node_modules", "webhook-push", "cli.mjs"), ...send] }
    : {}),
};

function once([cmd, ...args]) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const c = spawn(cmd, args, { cwd: CONSUMER, env, stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    c.stderr.on("data", (d) => (err += d));
    c.stdout.resume();
    c.on("error", reject);
    c.on("close", (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) reject(new Error(`${cmd} ${args.join(" ")}: exit ${code}: ${err}`));
      else resolve(ms);
    });
  });
}

const load = [loadavg()];
for (const v of Object.values(VARIANTS)) await once(v); // warm the file cache
const times = Object.fromEntries(Object.keys(VARIANTS).map((k) => [k, []]));
const before = mock.received.length;
for (let i = 0; i < N; i++) {
  const order = Object.keys(VARIANTS);
  if (i % 2) order.reverse();
  for (const k of order) times[k].push(await once(VARIANTS[k]));
}
load.push(loadavg());
const delivered = mock.received.length - before;
const sends = Object.keys(VARIANTS).filter((k) => k.startsWith("cli") || k.startsWith("minimal")).length;
await mock.close();
fs.rmSync(tiering, { force: true });
fs.rmSync(noTierUp, { force: true });
fs.rmSync(fullWasm, { force: true });

const s = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, stats(v)]));
const ratio = (a, b) => s[a].median / s[b].median;
const out = {
  runs: N,
  node: process.version,
  wall_ms: s,
  ratio_cli_to_minimal: ratio("cli", "minimal_fetch"),
  ratio_cli_to_node_e0: ratio("cli", "node_e0"),
  ratio_cli_to_minimal_exit: ratio("cli", "minimal_fetch_exit"),
  ratio_default_tiering_to_minimal: ratio("cli_default_tiering", "minimal_fetch"),
  ratio_no_wasm_tier_up_to_minimal: ratio("cli_no_wasm_tier_up", "minimal_fetch"),
  ratio_full_wasm_to_minimal: ratio("cli_full_wasm", "minimal_fetch"),
  ...(s.cli_base ? { ratio_base_to_minimal: ratio("cli_base", "minimal_fetch"), ratio_cli_to_base: ratio("cli", "cli_base") } : {}),
  goal: 1.3,
  delivered,
  expected_deliveries: N * sends,
  loadavg: load,
};
writeJson("cli.json", out);
for (const [k, v] of Object.entries(s)) console.log(`${k.padEnd(22)} median ${v.median.toFixed(1)} ms  min ${v.min.toFixed(1)}  max ${v.max.toFixed(1)}`);
console.log(`cli / minimal fetch script: ${out.ratio_cli_to_minimal.toFixed(2)}x (goal ≤ ${out.goal}x); ${delivered}/${N * sends} delivered`);
if (delivered !== N * sends) process.exit(1);
