// Shared helpers for the benchmarks: paths, the installed package, statistics, machine facts.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const BENCH = path.join(ROOT, "bench");
/** Where the JSON of a run goes: bench/run.sh gives each kind of run its own folder. */
export const OUT = process.env.WP_BENCH_OUT || path.join(BENCH, "out");
export const at = (...p) => path.join(ROOT, ...p);
/** The consumer project that bench/run.sh installs the packed tarball into. */
export const CONSUMER = process.env.WP_BENCH_CONSUMER || at("target", "bench-consumer");
export const QUICK = process.env.QUICK === "1";

/** The package as a user installed it (the exports map picks node.mjs for Node). */
export async function loadPackage() {
  const loader = path.join(CONSUMER, "bench-load.mjs");
  if (!fs.existsSync(loader)) {
    // A module inside the consumer so that `webhook-push` resolves through its node_modules and
    // the package's exports map, as in a user's project.
    fs.writeFileSync(
      loader,
      `export * from "webhook-push";\n` +
        `// The same module instance node.mjs initialised: initSync() returns its wasm exports.\n` +
        `export { initSync as __wasmExports } from "./node_modules/webhook-push/webhook_push.js";\n`,
    );
  }
  return import(pathToFileURL(loader).href);
}

export function writeJson(name, value) {
  fs.mkdirSync(OUT, { recursive: true });
  const file = path.join(OUT, name);
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
  return file;
}

export function readJson(name) {
  const file = path.join(OUT, name);
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : null;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (!n) return NaN;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/** { median, min, max, n } of a series (the raw samples too, rounded). */
export function stats(xs, digits = 4) {
  const r = (x) => Number(x.toPrecision(digits));
  return { median: r(median(xs)), min: r(Math.min(...xs)), max: r(Math.max(...xs)), n: xs.length, samples: xs.map(r) };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * `wp.render(...)`, or the error when it refuses the message as INVALID_MESSAGE (a 1 MiB body of
 * only link definitions, an unclosed comment or empty code blocks renders to nothing on some
 * platforms): what a bench times is the call either way.
 */
export function renderOrRefused(wp, message, platform, opts) {
  try {
    return wp.render(message, platform, opts);
  } catch (e) {
    if (e?.code !== "INVALID_MESSAGE") throw e;
    return { refused: e.message, payloads: [] };
  }
}

export function loadavg() {
  const [a, b, c] = os.loadavg();
  return { uptime: safe(() => execFileSync("uptime", { encoding: "utf8" }).trim()), load1: a, load5: b, load15: c, at: new Date().toISOString() };
}

function safe(f, d = null) {
  try {
    return f();
  } catch {
    return d;
  }
}

/** The machine and tool versions, for RESULTS.md. */
export function machine() {
  const cpu = os.cpus()[0]?.model ?? "unknown";
  const sh = (cmd, args) => safe(() => execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim());
  const cargoToml = fs.readFileSync(at("Cargo.toml"), "utf8");
  const wb = /^wasm-bindgen\s*=\s*"=?([^"]+)"/m.exec(cargoToml)?.[1] ?? null;
  const pkgVersion = safe(() => JSON.parse(fs.readFileSync(path.join(CONSUMER, "node_modules", "webhook-push", "package.json"), "utf8")).version);
  return {
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpu,
    memory_gib: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    versions: {
      "webhook-push": pkgVersion,
      node: process.version,
      rustc: sh("rustc", ["--version"]),
      "wasm-bindgen": wb,
      "wasm-opt": sh(at("node_modules", ".bin", "wasm-opt"), ["--version"]),
      npm: sh("npm", ["--version"]),
    },
  };
}
