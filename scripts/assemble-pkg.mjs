#!/usr/bin/env node
// Assemble the npm package directory from pkg-template/, the wasm-bindgen glue and the
// optimised wasm. Called by scripts/build.sh; usable alone:
//
//   node scripts/assemble-pkg.mjs --version 0.1.0 --glue target/wasm-bindgen \
//        --wasm target/wasm-opt/webhook_push_bg.wasm --out pkg
//
// The entry shims in pkg-template/ carry markers that are replaced by what the glue
// really exports, so the package follows src/bindings.rs without hand edits:
//   `/* @exports */`  -> the glue's runtime exports minus initSync / default init
//   `/* @declarations */` -> the declarations of webhook_push.d.ts minus the init API
//
// The second wasm ("full": features webhook + inbound, --full-glue / --full-wasm) serves the
// subpaths webhook-push/webhook (webhook-*.mjs: the main entry's exports from the full glue;
// webhook.d.ts: index.d.ts, the same API) and webhook-push/inbound (inbound-*.mjs, inbound.d.ts:
// `{ /* @inbound-exports */ }` and `/* @inbound-declarations */`, the full glue's).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const NAME = "webhook_push";
const INIT_VALUES = new Set(["default", "initSync"]);
const INIT_TYPES = new Set(["InitInput", "InitOutput", "SyncInitInput"]);
// The sender's HTTP helper: imported by the glue from snippets/, not copied to the package root.
const HOST_JS = "host.js";

const { values: args } = parseArgs({
  options: {
    version: { type: "string" },
    glue: { type: "string", default: "target/wasm-bindgen" },
    wasm: { type: "string", default: "target/wasm-opt/webhook_push_bg.wasm" },
    template: { type: "string", default: "pkg-template" },
    out: { type: "string", default: "pkg" },
    // the second wasm, built with the features "webhook" and "inbound", for the subpaths
    // webhook-push/webhook and webhook-push/inbound
    "full-glue": { type: "string" },
    "full-wasm": { type: "string" },
  },
});
const abs = (p) => path.resolve(ROOT, p);
const fail = (msg) => {
  console.error(`assemble-pkg: ${msg}`);
  process.exit(1);
};
if (!args.version) fail("--version is required");

const glueDir = abs(args.glue);
const glueJs = path.join(glueDir, `${NAME}.js`);
const glueDts = path.join(glueDir, `${NAME}.d.ts`);
for (const f of [glueJs, glueDts, abs(args.wasm)]) if (!fs.existsSync(f)) fail(`missing ${f}`);

// What the glue exports at run time (importing it does not instantiate the wasm).
const glue = await import(pathToFileURL(glueJs).href);
const values = Object.keys(glue).filter((n) => !INIT_VALUES.has(n)).sort();

// webhook_push.d.ts = the public declarations, then the init API (InitInput ... default init).
// index.d.ts gets the public part only; the cut is checked to drop nothing but init names.
const dts = fs.readFileSync(glueDts, "utf8");
const cut = dts.search(/^export type InitInput\b/m);
if (cut < 0) fail(`${NAME}.d.ts has no "export type InitInput": wasm-bindgen's layout changed, update assemble-pkg.mjs`);
const declRe = /^export\s+(?:declare\s+)?(?:default\s+)?(?:abstract\s+)?(?:class|function|interface|type|const|let|enum|namespace)\s+([A-Za-z_$][\w$]*)/gm;
const names = (text) => [...text.matchAll(declRe)].map((m) => m[1]);
const publicDts = dts.slice(0, cut).trimEnd();
const declared = new Set(names(publicDts));
const dropped = names(dts.slice(cut)).filter((n) => !INIT_VALUES.has(n) && !INIT_TYPES.has(n) && n !== "__wbg_init");
if (dropped.length) fail(`the init part of ${NAME}.d.ts also declares ${dropped.join(", ")}`);
const undeclared = values.filter((v) => !declared.has(v));
if (undeclared.length) fail(`runtime exports without a declaration in ${NAME}.d.ts: ${undeclared.join(", ")}`);
const types = [...declared].filter((n) => !values.includes(n)).sort();

// The full build (optional): its glue exports everything the main one does plus the inbound
// functions; its public declarations replace `/* @inbound-declarations */` in inbound.d.ts.
const INB = `${NAME}_full`;
let inbound = null;
if (args["full-glue"] || args["full-wasm"]) {
  const dir = abs(args["full-glue"] ?? "target/wasm-bindgen-full");
  const js = path.join(dir, `${INB}.js`);
  const dtsFile = path.join(dir, `${INB}.d.ts`);
  const wasm = abs(args["full-wasm"] ?? `target/wasm-opt-full/${INB}_bg.wasm`);
  for (const f of [js, dtsFile, wasm]) if (!fs.existsSync(f)) fail(`missing ${f}`);
  const g = await import(pathToFileURL(js).href);
  const ivalues = Object.keys(g).filter((n) => !INIT_VALUES.has(n)).sort();
  const idts = fs.readFileSync(dtsFile, "utf8");
  const icut = idts.search(/^export type InitInput\b/m);
  if (icut < 0) fail(`${INB}.d.ts has no "export type InitInput"`);
  const ipublic = idts.slice(0, icut).trimEnd();
  const ideclared = new Set(names(ipublic));
  const iundeclared = ivalues.filter((v) => !ideclared.has(v));
  if (iundeclared.length) fail(`full runtime exports without a declaration: ${iundeclared.join(", ")}`);
  // webhook-push/webhook re-exports the main entry's names from the full glue
  const missing = values.filter((v) => !ivalues.includes(v));
  if (missing.length) fail(`the full glue lacks the main entry's exports ${missing.join(", ")}`);
  inbound = { js, dtsFile, wasm, values: ivalues, publicDts: ipublic };
}
// the subpaths' files (webhook-push/inbound, webhook-push/webhook): only with the full build
const isInboundFile = (f) => /^(inbound|webhook)[-.]/.test(f);

// Fresh output directory, swapped in at the end so a failed build never leaves half a package.
const out = abs(args.out);
const tmp = `${out}.tmp-${process.pid}`;
fs.rmSync(tmp, { recursive: true, force: true });
fs.mkdirSync(tmp, { recursive: true });

const templateDir = abs(args.template);
const list = (names) => (names.length ? ` ${names.join(", ")} ` : " ");
for (const file of fs.readdirSync(templateDir)) {
  if (isInboundFile(file) && !inbound) continue; // no inbound build: the subpath is left out
  if (file === HOST_JS) continue; // the glue's snippet (src/host.rs imports it): shipped under snippets/
  let text = fs.readFileSync(path.join(templateDir, file), "utf8");
  if (inbound && isInboundFile(file)) {
    text = text
      .replaceAll("{ /* @inbound-exports */ }", `{${list(inbound.values)}}`)
      .replace("/* @inbound-declarations */", () => inbound.publicDts);
    if (/@inbound-(exports|declarations)/.test(text)) fail(`${file}: an inbound marker was not replaced`);
  }
  if (file === "package.json") {
    const pkg = JSON.parse(text);
    pkg.version = args.version;
    if (!inbound) {
      delete pkg.exports["./inbound"];
      delete pkg.exports["./webhook"];
      delete pkg.exports[`./${INB}_bg.wasm`];
      pkg.files = pkg.files.filter((f) => !isInboundFile(f) && !f.startsWith(INB));
      pkg.sideEffects = pkg.sideEffects.filter((f) => !isInboundFile(f.replace(/^\.\//, "")));
    }
    if (!pkg.files.includes("snippets")) pkg.files.push("snippets"); // the JS the glue imports (HOST_JS)
    text = `${JSON.stringify(pkg, null, 2)}\n`;
  } else {
    text = text.replaceAll("{ /* @exports */ }", `{${list(values)}}`).replace("/* @declarations */", () => publicDts);
    if (/@exports|@declarations/.test(text)) fail(`${file}: a marker was not replaced ("{ /* @exports */ }", "/* @declarations */")`);
  }
  fs.writeFileSync(path.join(tmp, file), text);
}
// The CommonJS twin of the typings: same names, resolved as CJS by TypeScript.
fs.copyFileSync(path.join(tmp, "index.d.ts"), path.join(tmp, "index.d.cts"));
fs.copyFileSync(glueJs, path.join(tmp, `${NAME}.js`));
fs.copyFileSync(glueDts, path.join(tmp, `${NAME}.d.ts`));
fs.copyFileSync(abs(args.wasm), path.join(tmp, `${NAME}_bg.wasm`));
if (inbound) {
  // webhook-push/webhook has the main entry's API (sendTo, services and "webhook" working)
  fs.copyFileSync(path.join(tmp, "index.d.ts"), path.join(tmp, "webhook.d.ts"));
  fs.copyFileSync(path.join(tmp, "index.d.ts"), path.join(tmp, "webhook.d.cts"));
  fs.copyFileSync(path.join(tmp, "inbound.d.ts"), path.join(tmp, "inbound.d.cts"));
  fs.copyFileSync(inbound.js, path.join(tmp, `${INB}.js`));
  fs.copyFileSync(inbound.dtsFile, path.join(tmp, `${INB}.d.ts`));
  fs.copyFileSync(inbound.wasm, path.join(tmp, `${INB}_bg.wasm`));
}
// The JS snippets the glue imports (wasm-bindgen `module = "/pkg-template/host.js"`), as it laid them out.
for (const dir of [glueDir, inbound && path.dirname(inbound.js)].filter(Boolean)) {
  const snippets = path.join(dir, "snippets");
  if (fs.existsSync(snippets)) fs.cpSync(snippets, path.join(tmp, "snippets"), { recursive: true });
}
if (!fs.existsSync(path.join(tmp, "snippets"))) fail("the glue has no snippets/ (src/host.rs imports pkg-template/host.js)");
if (fs.existsSync(abs("LICENSE"))) fs.copyFileSync(abs("LICENSE"), path.join(tmp, "LICENSE"));

// node.cjs = node.mjs + glue bundled to CommonJS. import.meta.url becomes this file's URL,
// so the wasm is read from the package directory (__filename / __dirname).
const esbuild = abs("node_modules/.bin/esbuild");
const res = execFileSync(
  esbuild,
  [
    path.join(tmp, "node.mjs"),
    "--bundle",
    "--format=cjs",
    "--platform=node",
    "--target=node18",
    `--outfile=${path.join(tmp, "node.cjs")}`,
    "--define:import.meta.url=__wp_import_meta_url",
    "--banner:js=\"use strict\";\nconst __wp_import_meta_url = require(\"node:url\").pathToFileURL(__filename).href;",
    "--log-level=warning",
  ],
  { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
);
if (res.trim()) console.log(res.trim());
// inbound-node.cjs, webhook-node.cjs: the CommonJS twins of the subpaths' Node entries, same way,
// but over one shared CommonJS copy of the full glue (${INB}.cjs): bundled into each, the glue
// would be two modules, and an app requiring both subpaths would compile and instantiate the full
// wasm twice (as ESM, both entries import the one ${INB}.js and its initSync runs once).
for (const entry of inbound ? [INB, "inbound-node", "webhook-node"] : []) {
  const src = entry === INB ? `${INB}.js` : `${entry}.mjs`;
  const outFile = path.join(tmp, `${entry}.cjs`);
  const r2 = execFileSync(
    esbuild,
    [
      path.join(tmp, src),
      "--bundle",
      "--format=cjs",
      "--platform=node",
      "--target=node18",
      ...(entry === INB ? [] : [`--external:./${INB}.js`]),
      // inbound-node starts the wasm through webhook-node: required, not bundled (one read)
      ...(entry === "inbound-node" ? ["--external:./webhook-node.mjs"] : []),
      `--outfile=${outFile}`,
      "--define:import.meta.url=__wp_import_meta_url",
      "--banner:js=\"use strict\";\nconst __wp_import_meta_url = require(\"node:url\").pathToFileURL(__filename).href;",
      "--log-level=warning",
    ],
    { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
  if (r2.trim()) console.log(r2.trim());
  if (entry !== INB) {
    const code = fs.readFileSync(outFile, "utf8");
    const glueRequire = `require("./${INB}.js")`;
    if (!code.includes(glueRequire)) fail(`${entry}.cjs does not require ./${INB}.js`);
    let out = code.replaceAll(glueRequire, `require("./${INB}.cjs")`);
    if (entry === "inbound-node") {
      if (!out.includes('require("./webhook-node.mjs")')) fail("inbound-node.cjs does not require ./webhook-node.mjs");
      out = out.replaceAll('require("./webhook-node.mjs")', 'require("./webhook-node.cjs")');
    }
    fs.writeFileSync(outFile, out);
  }
}

// cli.mjs = the `webhook-push` command, bundled with its TOML parser so the package keeps
// no dependencies; it loads the core through ./node.mjs (Node, Bun, Deno), or through
// ./webhook-node.mjs (webhook-push/webhook) when its config has `platform = "webhook"` channels.
const cliRes = execFileSync(
  esbuild,
  [
    path.join(templateDir, "cli.mjs"),
    "--bundle",
    "--format=esm",
    "--platform=node",
    "--target=node18",
    "--external:./node.mjs",
    "--external:./webhook-node.mjs",
    `--outfile=${path.join(tmp, "cli.mjs")}`,
    "--legal-comments=inline",
    "--log-level=warning",
  ],
  { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
);
if (cliRes.trim()) console.log(cliRes.trim());
fs.chmodSync(path.join(tmp, "cli.mjs"), 0o755);

// The package must list every file it ships, ship exactly one wasm, and point its
// exports map only at files that exist.
const pkg = JSON.parse(fs.readFileSync(path.join(tmp, "package.json"), "utf8"));
const present = fs.readdirSync(tmp);
const wasms = present.filter((f) => f.endsWith(".wasm"));
const wantWasms = inbound ? 2 : 1;
if (wasms.length !== wantWasms) fail(`expected ${wantWasms} .wasm file(s), found ${wasms.join(", ")}`);
for (const f of pkg.files) if (!present.includes(f)) fail(`package.json "files" lists ${f}, which was not produced`);
const targets = [];
const walk = (v) => (typeof v === "string" ? targets.push(v) : Object.values(v).forEach(walk));
walk(pkg.exports);
for (const t of [...targets, pkg.main, pkg.module, pkg.types, ...Object.values(pkg.bin || {})]) {
  if (!fs.existsSync(path.join(tmp, t))) fail(`package.json points at ${t}, which does not exist`);
}

fs.rmSync(out, { recursive: true, force: true });
fs.renameSync(tmp, out);
console.log(
  `assemble-pkg: ${path.relative(ROOT, out)}/ ${pkg.name}@${pkg.version}: exports [${values.join(", ")}], types [${types.join(", ")}]`,
);
