#!/usr/bin/env node
// `make bench`: how big is what users download? Builds if needed (scripts/build.sh is
// incremental), then measures:
//   the wasm as cargo wrote it, as wasm-bindgen wrote it (the input of wasm-opt), after
//   wasm-opt, and the optimised wasm gzipped (zlib level 9) and brotli'd (quality 11);
//   the JS glue (raw and gzip -9); the npm tarball and its unpacked size.
// Writes bench/out/size.json and prints a table. Measurements only: nothing is asserted.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";

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

const cargoWasm = read("target/wasm32-unknown-unknown/release/webhook_push.wasm");
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
fs.mkdirSync(at("bench", "out"), { recursive: true });
fs.writeFileSync(at("bench", "out", "size.json"), `${JSON.stringify(result, null, 2)}\n`);

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
console.log(`wrote ${path.relative(ROOT, at("bench", "out", "size.json"))}`);
