#!/usr/bin/env node
// The parser-class floor in JavaScript (issue 8, defect 2): four well-kept CommonMark parsers,
// markdown → HTML, on bench/lib/messages.mjs's 1 MiB markdown inputs against 1 MiB of plain `a`:
// how much markup-dense markdown costs relative to plain in a parser alone. Not part of
// `make bench` (minutes: the slowest parsers take seconds per input); the parsers are installed
// at exact versions into bench/.deps/parser-floor on first use. Upstream pulldown-cmark,
// natively: crates/md-upstream/examples/floor.rs.
//
//   node bench/parser-floor.mjs [RUNS=1] [LIMIT_S=20] [input,input,...]
//
// Each parse runs in a worker thread, ended after LIMIT_S seconds (shown as "> LIMIT_S s"); the
// minimum of RUNS, ms, and the ratio to the same parser's plain. A parser that throws (a stack
// overflow) is shown as such.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { LARGE_INPUTS } from "./lib/messages.mjs";

const PARSERS = { "markdown-it": "15.0.3", marked: "18.2.1", micromark: "4.0.3", commonmark: "0.31.2" };
const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), ".deps", "parser-floor");
const MIB = (1 << 20) - 8;

if (!isMainThread) {
  // one parser on one input, RUNS times: the best ms back to the main thread
  const { parser, name, runs } = workerData;
  const req = createRequire(path.join(dir, "package.json"));
  const load = async (n) => import(pathToFileURL(req.resolve(n)).href);
  let parse;
  if (parser === "markdown-it") {
    const md = new (await load("markdown-it")).default();
    parse = (s) => md.render(s);
  } else if (parser === "marked") {
    const { marked } = await load("marked");
    parse = (s) => marked.parse(s);
  } else if (parser === "micromark") {
    const { micromark } = await load("micromark");
    parse = (s) => micromark(s);
  } else {
    const cm = await load("commonmark");
    const p = new cm.Parser();
    const r = new cm.HtmlRenderer();
    parse = (s) => r.render(p.parse(s));
  }
  const unit = LARGE_INPUTS[name];
  const src = unit.repeat(Math.floor(MIB / Buffer.byteLength(unit)));
  let best = Infinity;
  try {
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      parse(src);
      best = Math.min(best, performance.now() - t);
    }
    parentPort.postMessage({ ms: best });
  } catch (e) {
    parentPort.postMessage({ error: e?.constructor?.name ?? "error" });
  }
} else {
  // the installed version, read from the file (a package's `exports` may not list package.json)
  const have = (name, v) => {
    try {
      return JSON.parse(readFileSync(path.join(dir, "node_modules", name, "package.json"), "utf8")).version === v;
    } catch {
      return false;
    }
  };
  if (!Object.entries(PARSERS).every(([n, v]) => have(n, v))) {
    mkdirSync(dir, { recursive: true });
    if (!existsSync(path.join(dir, "package.json"))) writeFileSync(path.join(dir, "package.json"), '{ "private": true }\n');
    const specs = Object.entries(PARSERS).map(([n, v]) => `${n}@${v}`);
    console.error(`installing ${specs.join(" ")} into ${dir}`);
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", "--save-exact", ...specs], { cwd: dir, stdio: "inherit" });
  }
  const RUNS = Number(process.argv[2] || 1);
  const LIMIT_S = Number(process.argv[3] || 20);
  const only = process.argv[4]?.split(",");
  const one = (parser, name) =>
    new Promise((resolve) => {
      const w = new Worker(fileURLToPath(import.meta.url), { workerData: { parser, name, runs: RUNS } });
      const timer = setTimeout(() => {
        w.terminate();
        resolve({ over: true });
      }, LIMIT_S * 1000);
      w.once("message", (m) => {
        clearTimeout(timer);
        w.terminate();
        resolve(m);
      });
      w.once("error", (e) => {
        clearTimeout(timer);
        resolve({ error: e?.constructor?.name ?? "error" });
      });
    });
  const plain = {};
  console.log(["input", ...Object.entries(PARSERS).map(([n, v]) => `${n === "commonmark" ? "commonmark.js" : n} ${v}`)].join("\t"));
  for (const name of Object.keys(LARGE_INPUTS)) {
    if (only && name !== "plain" && !only.includes(name)) continue;
    const cells = [name];
    for (const parser of Object.keys(PARSERS)) {
      const r = await one(parser, name);
      if (r.over) cells.push(`> ${LIMIT_S} s (> ${((LIMIT_S * 1000) / plain[parser]).toFixed(0)}x)`);
      else if (r.error) cells.push(`throws (${r.error})`);
      else {
        if (name === "plain") plain[parser] = r.ms;
        cells.push(`${r.ms.toFixed(1)} ms (${(r.ms / plain[parser]).toFixed(1)}x)`);
      }
    }
    console.log(cells.join("\t"));
  }
}
