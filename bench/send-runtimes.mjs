#!/usr/bin/env node
// Send throughput and CPU per message in Deno, Bun and workerd (issue 11), as bench/send.mjs
// measures it in Node: our MessageSender ({ rateLimit: false }) against that runtime's own plain
// fetch loop posting the same precomputed payloads (render's output in Node, bodies already JSON)
// at the same concurrency, 1 and 32, text (text + 2 mentions × 3 platforms) and the mix (the 4
// typical messages × 3 platforms, with the 10 KB markdown), to the loopback mock platforms in
// their own Node process (rate limits off; its CPU not counted). The package is the packed one,
// installed as a user installs it (WP_BENCH_CONSUMER, default target/bench-consumer), imported by
// name so the runtime's export conditions pick the entry (Deno: deno.mjs; Bun: node.mjs, which
// keeps Bun's fetch; workerd: workerd.mjs).
//
// Deno and Bun: a child process runs the rounds itself (bench/lib/rt-child.mjs + rt-loop.mjs,
// copied into the consumer project), CPU from the runtime's own `process.cpuUsage()` (node:process)
// around each run. workerd: one Miniflare instance, a Worker (bench/lib/rt-worker.mjs) that runs
// one workload per request; wall time from here around the request (one dispatch per run of
// hundreds of messages), CPU as the workerd process's utime + stime from /proc (all its threads;
// 10 ms ticks; it includes workerd's own HTTP work for the dispatch, one request a run).
// Rounds alternate the runners and rotate their order; ratios and CPU differences per round,
// medians over rounds. Goals (issue 11): text >= 0.9x plain fetch and <= 0.1 ms CPU per message
// over it, the mix >= 0.8x and <= 0.25 ms.
//
// Env: WP_BENCH_RT=deno,bun,workerd (which), WP_BENCH_RT_ROUNDS (default 3), WP_BENCH_RT_N1 /
// WP_BENCH_RT_N32 (messages a run: 200 / 800; make bench's phase takes about 1.5 min), WP_BENCH_BASE=DIR
// (an installed webhook-push package dir: a base build run beside in every round, an A/B),
// WP_BENCH_RT_WORKLOADS=text,mix. Writes bench/out/send-runtimes.json.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { CONSUMER, loadavg, loadPackage, ROOT, stats, writeJson } from "./lib/common.mjs";
import { startMockProcess } from "./lib/mock.mjs";
import { importMiniflare, packageModules } from "./lib/miniflare.mjs";
import { makeCombos, precompute } from "./lib/workloads.mjs";
import { startWorkerd } from "../tests/support/workerd.mjs";

const ROUNDS = Number(process.env.WP_BENCH_RT_ROUNDS || 3);
const N = { 1: Number(process.env.WP_BENCH_RT_N1 || 200), 32: Number(process.env.WP_BENCH_RT_N32 || 800) };
const WARMUP = 150;
const RUNTIMES = (process.env.WP_BENCH_RT || "deno,bun,workerd").split(",").filter(Boolean);
const WORKLOADS = (process.env.WP_BENCH_RT_WORKLOADS || "text,mix").split(",").filter(Boolean);
const BASE = process.env.WP_BENCH_BASE ? path.resolve(process.env.WP_BENCH_BASE) : null;
const CHILD_TIMEOUT_MS = 300_000;
const MARK = "@@RT-BENCH@@";

const wp = await loadPackage();
const mock = await startMockProcess({ rateLimits: false });
const load = [loadavg()];
const dir = path.join(CONSUMER, "bench-rt");
fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(dir, { recursive: true });
for (const f of ["rt-loop.mjs", "rt-child.mjs", "rt-worker.mjs"]) fs.copyFileSync(path.join(ROOT, "bench", "lib", f), path.join(dir, f));

const out = { rounds: ROUNDS, n: N, goal_ratio: { text: 0.9, mix: 0.8 }, goal_cpu_ms: { text: 0.1, mix: 0.25 }, base: BASE ? path.relative(ROOT, BASE) : null, runtimes: {}, load };
let failed = false;
try {
  const workloads = [];
  for (const name of WORKLOADS) {
    const { combos } = await makeCombos(mock, { prefix: `rt-${name}-`, ...(name === "text" ? { messages: ["text_mentions"] } : {}) });
    workloads.push({ name, combos: combos.map(({ message, platform, target }) => ({ message, platform, target })), pre: precompute(wp, combos, mock.baseUrls) });
  }
  const cfg = { baseUrls: mock.baseUrls, workloads, concurrencies: [1, 32], n: N, rounds: ROUNDS, warmup: WARMUP, basePkg: BASE };
  const cfgFile = path.join(dir, "config.json");
  fs.writeFileSync(cfgFile, JSON.stringify(cfg));

  for (const rt of RUNTIMES) {
    const t0 = Date.now();
    let r;
    try {
      r = rt === "workerd" ? await runWorkerd(cfg) : await runChild(rt, cfgFile);
    } catch (e) {
      failed = true;
      console.error(`  ${rt}: ${e?.stack ?? e}`);
      out.runtimes[rt] = { error: String(e?.message ?? e) };
      continue;
    }
    const res = { version: r.info.version, entry: r.info.entry, cpu_from: r.cpuFrom, seconds: (Date.now() - t0) / 1000, errors: r.errors };
    for (const w of WORKLOADS) {
      res[w] = {};
      for (const c of cfg.concurrencies) {
        res[w][c] = summarize(r.runs[w][c], N[c], workloads.find((x) => x.name === w));
        line(rt, w, c, res[w][c]);
      }
    }
    out.runtimes[rt] = res;
  }
  load.push(loadavg());
  out.mock = await mock.stats();
  console.log(`send-runtimes: wrote ${writeJson("send-runtimes.json", out)}`);
} finally {
  await mock.close();
}
process.exitCode = failed ? 1 : 0;

function summarize(runs, n, w) {
  const rate = (r) => n / (r.ms / 1000);
  const ratio = (a, b) => stats(runs[a].map((r, i) => rate(r) / rate(runs[b][i])));
  const hasCpu = runs.ours.every((r) => r.cpuMs !== null);
  const cpuOver = (a, b) => stats(runs[a].map((r, i) => (r.cpuMs - runs[b][i].cpuMs) / n));
  const s = {
    messages_per_round: n,
    requests_per_message: w.pre.reduce((a, p) => a + p.bodies.length, 0) / w.pre.length,
    ours_per_s: stats(runs.ours.map(rate)),
    fetch_per_s: stats(runs.fetch.map(rate)),
    ratio_ours_over_fetch: ratio("ours", "fetch"),
    failures: Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, v.reduce((a, r) => a + r.failed, 0)])),
  };
  if (hasCpu) {
    Object.assign(s, {
      ours_cpu_ms_per_msg: stats(runs.ours.map((r) => r.cpuMs / n)),
      fetch_cpu_ms_per_msg: stats(runs.fetch.map((r) => r.cpuMs / n)),
      cpu_ms_per_msg_over_fetch: cpuOver("ours", "fetch"),
    });
  }
  if (runs.base) {
    Object.assign(s, { base_per_s: stats(runs.base.map(rate)), ratio_base_over_fetch: ratio("base", "fetch"), ratio_ours_over_base: ratio("ours", "base") });
    if (hasCpu) Object.assign(s, { base_cpu_ms_per_msg: stats(runs.base.map((r) => r.cpuMs / n)), base_cpu_ms_per_msg_over_fetch: cpuOver("base", "fetch") });
  }
  return s;
}

function line(rt, w, c, r) {
  const cpu = r.cpu_ms_per_msg_over_fetch ? `; CPU/msg ours ${r.ours_cpu_ms_per_msg.median.toFixed(3)} ms, fetch ${r.fetch_cpu_ms_per_msg.median.toFixed(3)} ms, over ${r.cpu_ms_per_msg_over_fetch.median.toFixed(3)} ms` : "";
  const base = r.base_per_s ? `; base/fetch ${r.ratio_base_over_fetch.median.toFixed(2)}, ours/base ${r.ratio_ours_over_base.median.toFixed(2)}${r.base_cpu_ms_per_msg_over_fetch ? `, base over fetch ${r.base_cpu_ms_per_msg_over_fetch.median.toFixed(3)} ms` : ""}` : "";
  const fails = Object.entries(r.failures).filter(([, v]) => v).map(([k, v]) => `${k} ${v}`).join(", ");
  console.log(`  ${rt.padEnd(7)} ${w.padEnd(4)} c=${String(c).padStart(2)}: ours ${r.ours_per_s.median.toFixed(0)}/s, fetch ${r.fetch_per_s.median.toFixed(0)}/s, ratio ${r.ratio_ours_over_fetch.median.toFixed(2)}${cpu}${base}${fails ? `; FAILED: ${fails}` : ""}`);
}

/** Deno or Bun on rt-child.mjs; resolves its report. */
function runChild(rt, cfgFile) {
  const bin = path.join(ROOT, "node_modules", ".bin", rt);
  if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: run \`npm install\` at the repository root`);
  const args =
    rt === "deno"
      ? ["run", "--no-lock", "--no-prompt", "--allow-net=127.0.0.1", `--allow-read=${cfgFile}`, "rt-child.mjs", cfgFile]
      : ["--no-install", "run", "rt-child.mjs", cfgFile];
  const env = { ...process.env, DENO_NO_UPDATE_CHECK: "1", DENO_DIR: path.join(CONSUMER, ".deno-cache"), BUN_RUNTIME_TRANSPILER_CACHE_PATH: "0", NO_COLOR: "1" };
  delete env.NODE_OPTIONS;
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), CHILD_TIMEOUT_MS);
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const l = stdout.split("\n").find((x) => x.startsWith(MARK));
      if (!l) return reject(new Error(`${rt} exited ${code ?? signal} without a report:\n${stdout.slice(-2000)}\n${stderr.slice(-4000)}`));
      const rep = JSON.parse(l.slice(MARK.length));
      resolve({ ...rep, cpuFrom: "process.cpuUsage() in the runtime" });
    });
  });
}

/** utime + stime of a process (all threads), ms. */
function procCpuMs(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // fields 14, 15 in clock ticks (USER_HZ 100)
}

/** The workerd process Miniflare started (a child of this process). */
function workerdPid() {
  for (const p of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === process.pid && comm.startsWith("workerd")) return Number(p);
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

/** The Worker in workerd: one request per run, timed here; CPU of the workerd process from /proc. */
async function runWorkerd(cfg) {
  const pkgDir = path.join(CONSUMER, "node_modules", "webhook-push");
  const modules = [
    { type: "ESModule", path: path.join(dir, "rt-worker.mjs"), contents: fs.readFileSync(path.join(dir, "rt-worker.mjs"), "utf8") },
    { type: "ESModule", path: path.join(dir, "rt-loop.mjs"), contents: fs.readFileSync(path.join(dir, "rt-loop.mjs"), "utf8") },
    ...packageModules(dir, pkgDir),
  ];
  if (BASE) {
    // the base build's files under base/, and a module "webhook-push-base" re-exporting its entry
    const [alias, ...rest] = packageModules(path.join(dir, "base"), BASE);
    const target = /from "(.*)"/.exec(alias.contents)[1];
    modules.push({ type: "ESModule", path: path.join(dir, "webhook-push-base"), contents: `export * from "./base/${target.replace(/^\.\//, "")}";\n` }, ...rest);
  }
  const miniflare = await importMiniflare();
  const w = await startWorkerd({ miniflare, modules, modulesRoot: dir });
  try {
    const pid = workerdPid();
    const call = async (p, body) => {
      const res = await w.mf.dispatchFetch(`http://bench.invalid${p}`, { method: "POST", body: JSON.stringify(body) });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`the Worker answered ${res.status}: ${text.slice(0, 2000)}\n${w.output().slice(-2000)}`);
      return JSON.parse(text);
    };
    const setup = await call("/setup", cfg);
    const runs = {};
    const errors = [];
    const names = ["ours", "fetch", ...(BASE ? ["base"] : [])];
    for (const wl of cfg.workloads) {
      runs[wl.name] = {};
      for (const c of cfg.concurrencies) {
        const n = cfg.n[c];
        for (const name of names) await call("/run", { workload: wl.name, runner: name, n: Math.min(cfg.warmup, n), concurrency: c });
        const r = Object.fromEntries(names.map((k) => [k, []]));
        for (let k = 0; k < cfg.rounds; k++) {
          for (let j = 0; j < names.length; j++) {
            const name = names[(j + k) % names.length];
            const c0 = pid ? procCpuMs(pid) : null;
            const t0 = performance.now();
            const a = await call("/run", { workload: wl.name, runner: name, n, concurrency: c });
            const ms = performance.now() - t0;
            r[name].push({ ms, cpuMs: pid ? procCpuMs(pid) - c0 : null, failed: a.failed });
            errors.push(...a.errors.slice(0, 3 - errors.length));
          }
        }
        runs[wl.name][c] = r;
      }
    }
    const { version } = miniflare;
    return { info: { version: `miniflare ${version}, ${setup.userAgent}`, entry: "workerd.mjs" }, runs, errors, cpuFrom: pid ? "/proc/<workerd pid>/stat utime + stime (10 ms ticks)" : null };
  } finally {
    await w.dispose();
  }
}
