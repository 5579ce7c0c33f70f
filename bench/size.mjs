#!/usr/bin/env node
// Part 1 of `make bench` (bench/run.sh), also runnable alone: how big is what users download? Builds if needed (scripts/build.sh is
// incremental), then measures:
//   the wasm as cargo wrote it, as wasm-bindgen wrote it (the input of wasm-opt), after
//   wasm-opt, and the optimised wasm gzipped (zlib level 9) and brotli'd (quality 11);
//   the JS glue (raw and gzip -9); the npm tarball and its unpacked size; and every wasm the
//   package ships (the main entry's, and the full one of webhook-push/webhook and /inbound) with
//   the entries that load it.
// Also what each crate costs: a `wasm-opt -Oz --debuginfo` build of the same wasm-bindgen output
// (build.sh's flags with --debuginfo for --strip-debug, so the name section stays) is read by
// bench/lib/wasm-attr.mjs: function bodies summed by crate, data segments, the HTML entity table.
// That build is kept at target/bench-wasm/webhook_push_bg.debuginfo.wasm (bench/profile.mjs uses it).
// Writes bench/out/size.json and prints a table. Measurements only: nothing is asserted.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import { attribute, parseWasm } from "./lib/wasm-attr.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const at = (...p) => path.join(ROOT, ...p);

execFileSync("bash", [at("scripts", "build.sh")], { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, WP_BUILD_QUIET: "1" } });

const read = (p) => fs.readFileSync(at(p));
const gzip = (b) => zlib.gzipSync(b, { level: 9 }).length;
const brotli = (b) =>
  zlib.brotliCompressSync(b, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
      [zlib.constants.BROTLI_PARAM_LGWIN]: zlib.constants.BROTLI_MAX_WINDOW_BITS,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: b.length,
    },
  }).length;

// build.sh says which toolchain built the wasm and where cargo wrote it (the nightly build has its own target dir)
const info = fs.existsSync(at("target/wasm-opt/build-info.json")) ? JSON.parse(fs.readFileSync(at("target/wasm-opt/build-info.json"), "utf8")) : {};
const toolchainDesc = fs.existsSync(at("target/wasm-opt/toolchain.txt")) ? fs.readFileSync(at("target/wasm-opt/toolchain.txt"), "utf8").trim() : null;
const cargoWasm = read(info.cargo_wasm ?? "target/wasm32-unknown-unknown/release/webhook_push.wasm");
const bindgenWasm = read("target/wasm-bindgen/webhook_push_bg.wasm");
const optWasm = read("pkg/webhook_push_bg.wasm");
const glue = read("pkg/webhook_push.js");
const [packed] = JSON.parse(
  execFileSync("npm", ["pack", "./pkg", "--dry-run", "--json", "--loglevel=error"], { cwd: ROOT, encoding: "utf8" }),
);

const version = JSON.parse(read("pkg/package.json")).version;
const result = {
  package: `webhook-push@${version}`,
  measured_at: new Date().toISOString(),
  toolchain: info.toolchain ?? null,
  toolchain_desc: toolchainDesc,
  bytes: {
    wasm_cargo: cargoWasm.length,
    wasm_before_opt: bindgenWasm.length,
    wasm_opt: optWasm.length,
    wasm_opt_gzip9: gzip(optWasm),
    wasm_opt_brotli11: brotli(optWasm),
    js_glue: glue.length,
    js_glue_gzip9: gzip(glue),
    tarball: packed.size,
    tarball_unpacked: packed.unpackedSize,
  },
  tarball_files: Object.fromEntries(packed.files.map((f) => [f.path, f.size])),
};
// --- every wasm the package ships, and which entries load it ---------------------------------
// An entry's wasm: the .wasm files its module graph (relative imports, from the Node import
// entry of each exports subpath) names. The main wasm (".") has no generic webhook engine; the
// full one (features webhook + inbound) serves "./webhook" and "./inbound".
const pkgJson = JSON.parse(read("pkg/package.json"));
const wasmsOf = (file, seen = new Set()) => {
  if (seen.has(file)) return new Set();
  seen.add(file);
  const text = fs.readFileSync(at("pkg", file), "utf8");
  const found = new Set([...text.matchAll(/["']\.\/([\w.-]+_bg\.wasm)["']/g)].map((m) => m[1]));
  for (const m of text.matchAll(/(?:from|import)\s*["']\.\/([\w.-]+\.m?js)["']/g)) for (const w of wasmsOf(m[1], seen)) found.add(w);
  return found;
};
const loadedBy = {};
for (const [sub, target] of Object.entries(pkgJson.exports)) {
  const entry = target?.node?.import;
  if (!entry) continue;
  for (const w of wasmsOf(entry.replace(/^\.\//, ""))) (loadedBy[w] ??= []).push(sub === "." ? "webhook-push" : `webhook-push/${sub.slice(2)}`);
}
result.wasm_files = pkgJson.files
  .filter((f) => f.endsWith(".wasm"))
  .map((f) => {
    const b = read(path.join("pkg", f));
    return { file: f, bytes: b.length, gzip9: gzip(b), brotli11: brotli(b), loaded_by: loadedBy[f] ?? [] };
  });

// --- attribution by crate, from a debuginfo build with build.sh's own wasm-opt flags ---
const buildSh = fs.readFileSync(at("scripts", "build.sh"), "utf8");
const flags = /WASM_OPT_FLAGS=\(([^)]*)\)/.exec(buildSh)?.[1].split(/\s+/).filter(Boolean);
if (!flags?.includes("--strip-debug")) throw new Error("size.mjs: cannot read WASM_OPT_FLAGS from scripts/build.sh");
const dbgFlags = flags.map((f) => (f === "--strip-debug" ? "--debuginfo" : f));
fs.mkdirSync(at("target", "bench-wasm"), { recursive: true });
const dbgPath = at("target", "bench-wasm", "webhook_push_bg.debuginfo.wasm");
execFileSync(at("node_modules", ".bin", "wasm-opt"), [...dbgFlags, at("target/wasm-bindgen/webhook_push_bg.wasm"), "-o", dbgPath], { stdio: ["ignore", "ignore", "inherit"] });
const attribution = attribute(fs.readFileSync(dbgPath), ROOT);
const shipped = parseWasm(optWasm);
attribution.wasm_opt_flags = dbgFlags.join(" ");
attribution.shipped = {
  code_bytes: shipped.funcs.reduce((a, f) => a + f.size, 0),
  data_bytes: shipped.segments.reduce((a, s) => a + s.bytes.length, 0),
  functions: shipped.funcs.length,
};
attribution.same_code_as_shipped = attribution.shipped.code_bytes === attribution.code_bytes && attribution.shipped.data_bytes === attribution.data_bytes;
result.attribution = attribution;

const OUT = process.env.WP_BENCH_OUT || at("bench", "out");
fs.mkdirSync(OUT, { recursive: true });
fs.writeFileSync(path.join(OUT, "size.json"), `${JSON.stringify(result, null, 2)}\n`);

const rows = [
  ["wasm, cargo output (release, lto, opt z)", result.bytes.wasm_cargo],
  ["wasm, wasm-bindgen output (before wasm-opt)", result.bytes.wasm_before_opt],
  ["wasm, after wasm-opt -Oz", result.bytes.wasm_opt],
  ["  gzip -9", result.bytes.wasm_opt_gzip9],
  ["  brotli q11", result.bytes.wasm_opt_brotli11],
  ["JS glue (webhook_push.js)", result.bytes.js_glue],
  ["  gzip -9", result.bytes.js_glue_gzip9],
  ["npm tarball (.tgz)", result.bytes.tarball],
  ["  unpacked", result.bytes.tarball_unpacked],
];
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`${result.package} sizes`);
for (const [label, n] of rows) console.log(`  ${label.padEnd(46)} ${String(n).padStart(9)} B  ${kib(n).padStart(10)}`);
console.log("every wasm the package ships (after wasm-opt; gzip -9; brotli q11), and the entries that load it");
for (const w of result.wasm_files) {
  console.log(`  ${w.file.padEnd(30)} ${String(w.bytes).padStart(9)} B ${String(w.gzip9).padStart(8)} B ${String(w.brotli11).padStart(8)} B  ${w.loaded_by.join(", ")}`);
}
console.log(`code by crate (of ${attribution.code_bytes} B of code; ${attribution.data_bytes} B of data, of which the HTML entity table ${attribution.entity_table?.total_bytes ?? "?"} B)`);
for (const c of attribution.crates.slice(0, 12)) console.log(`  ${c.crate.padEnd(46)} ${String(c.bytes).padStart(9)} B  ${(100 * c.share_of_code).toFixed(1).padStart(5)} %`);
console.log(`wrote ${path.relative(ROOT, path.join(OUT, "size.json"))}`);
