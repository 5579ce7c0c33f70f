#!/usr/bin/env node
// Turns bench/out/*.json into the report and the chart. A full run writes bench/RESULTS.md and
// bench/ratios.svg; QUICK=1 writes RESULTS-quick.md and ratios-quick.svg into bench/out/quick/ (the
// committed report is the full run's). Reads the JSON from WP_BENCH_OUT (bench/run.sh sets it). Every "goal met / not met" is computed from the numbers.
import fs from "node:fs";
import path from "node:path";
import { BENCH, machine, OUT, QUICK, readJson } from "./lib/common.mjs";
import { MESSAGE_LABELS } from "./lib/messages.mjs";

const size = readJson("size.json");
const cold = readJson("cold.json");
const render = readJson("render.json");
const send = readJson("send.json");
const sendRt = readJson("send-runtimes.json");
const multi = readJson("multi.json");
const apprise = readJson("apprise.json");
const memory = readJson("memory.json");
const profile = readJson("profile.json");
const cli = readJson("cli.json");
const run = readJson("run.json") ?? {};
const m = run.machine ?? machine();

const mdFile = QUICK ? path.join(OUT, "RESULTS-quick.md") : path.join(BENCH, "RESULTS.md");
const svgFile = QUICK ? path.join(OUT, "ratios-quick.svg") : path.join(BENCH, "ratios.svg");

const L = [];
const p = (...xs) => L.push(...xs);
const f = (x, d = 2) => (x === null || x === undefined || Number.isNaN(x) ? "–" : Number(x).toFixed(d));
const fi = (x) => (x === null || x === undefined ? "–" : Math.round(x).toLocaleString("en-US"));
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const mmm = (s, d = 2) => (s ? `${f(s.median, d)} (${f(s.min, d)}–${f(s.max, d)})` : "–");
const mmmi = (s) => (s ? `${fi(s.median)} (${fi(s.min)}–${fi(s.max)})` : "–");
const ft = (t) => (Number.isInteger(t) ? (t >= 10000 ? fi(t) : String(t)) : f(t, 2));
const yes = (ok) => (ok ? "✅ met" : "❌ **not met**");

// ---- goals: one row each, for the summary and the chart ------------------------------------
// score = how far along the goal: >= 1 met. For "at most" goals goal/value, for "at least" value/goal.
const goals = [];
function goal(name, value, target, kind, shown, chartLabel, chartShown) {
  if (value === null || value === undefined || Number.isNaN(value)) return;
  const score = kind === "max" ? (value === 0 ? 10 : target / value) : value / target;
  goals.push({ name, value, target, kind, shown, score, met: kind === "max" ? value <= target : value >= target, chartLabel: chartLabel ?? name, chartShown: chartShown ?? shown.replace(/ \(.*$/, "") });
}
if (cli) {
  goal("CLI one-shot `webhook-push send` vs a minimal fetch script, wall time (x)", cli.ratio_cli_to_minimal, cli.goal, "max", `${f(cli.ratio_cli_to_minimal)}x (${f(cli.wall_ms.cli.median, 0)} ms vs ${f(cli.wall_ms.minimal_fetch.median, 0)} ms)`, "CLI / minimal script");
}
if (size) {
  // KB = 1,000 bytes, as in the goal (issue 11).
  goal("Wasm after wasm-opt, bytes", size.bytes.wasm_opt, 250_000, "max", `${fi(size.bytes.wasm_opt)} B (${size.toolchain ?? "?"} build)`, "wasm after wasm-opt (B)", fi(size.bytes.wasm_opt));
  goal("Wasm after wasm-opt, gzip -9, bytes", size.bytes.wasm_opt_gzip9, 100_000, "max", `${fi(size.bytes.wasm_opt_gzip9)} B`, "wasm gzip (B)", fi(size.bytes.wasm_opt_gzip9));
}
if (cold?.oneshot?.ratio_added_over_pushoo !== undefined) {
  const o = cold.oneshot;
  goal(`One-shot cold start (fresh node: import + one send), added over doing nothing, vs pushoo ${o.pushoo} (x)`, o.ratio_added_over_pushoo, 1.3, "max", `${f(o.ratio_added_over_pushoo, 3)} (ours +${f(o.added_ms.ours.median, 0)} ms, pushoo +${f(o.added_ms.pushoo.median, 0)} ms)`, "one-shot vs pushoo");
}
if (render) {
  const g = render.goal_ratio ?? 4;
  const w = render.goal_worst_ratio ?? 8;
  goal(`Render vs JSON floor, geometric mean of ${render.cases.length} cases (x slower)`, render.geomean_ratio, g, "max", `${f(render.geomean_ratio, 1)}x (best ${f(render.best_ratio, 1)}x, worst ${f(render.worst_ratio, 1)}x)`, "render / floor (geomean)");
  goal("Render vs JSON floor, worst case (x slower)", render.worst_ratio, w, "max", `${f(render.worst_ratio, 1)}x`, "render / floor (worst)");
  if (render.large) {
    // the worst per content type, each against its own plain: text is defect 2's own input (issue 8)
    const byType = {};
    for (const c of render.large) if (!byType[c.type] || c.ratio_worst_over_plain > byType[c.type].ratio_worst_over_plain) byType[c.type] = c;
    for (const [type, c] of Object.entries(byType)) {
      const shapes = Object.keys(c.ms).length - 1;
      const of = (k) => new Set(render.large.map((x) => x[k])).size;
      const what = `${c.platform} \`${c.overflow}\` \`${c.worst}\`: ${f(c.ms[c.worst].median, 1)} ms vs ${f(c.ms.plain.median, 1)} ms`;
      goal(`Render of 1 MiB ${type}, worst of ${shapes} markup, escape and non-ASCII shapes × ${of("platform")} platforms × ${of("overflow")} modes vs 1 MiB of plain ${type} (x slower)`, c.ratio_worst_over_plain, 3, "max", `${f(c.ratio_worst_over_plain, 1)}x (${what})`, `1 MiB ${type} worst / plain`);
    }
  }
}
if (multi) {
  goal(
    "sendMulti to 3 platforms vs one send, latency (x; loopback: CPU-bound, no network wait to overlap)",
    multi.ratio.median,
    1.3,
    "max",
    `${mmm(multi.ratio)} (${multi.multi_ms.median} ms vs ${multi.single_ms.median} ms)`,
    "sendMulti / send",
  );
}
if (send) {
  const gr = typeof send.goal_ratio === "object" ? send.goal_ratio : { text: 0.9, mix: 0.8 };
  const gc = typeof send.goal_cpu_ms === "object" ? send.goal_cpu_ms : { text: 0.1, mix: 0.25 };
  for (const c of ["1", "32"]) {
    const t = send.text?.[c];
    if (t) goal(`Send throughput vs plain fetch, text, concurrency ${c}`, t.ratio_ours_over_fetch.median, gr.text, "min", mmm(t.ratio_ours_over_fetch), `send / fetch, text, c=${c}`);
    const r = send.mix[c];
    if (r) goal(`Send throughput vs plain fetch, mix with the 10 KB markdown, concurrency ${c}`, r.ratio_ours_over_fetch.median, gr.mix, "min", mmm(r.ratio_ours_over_fetch), `send / fetch, mix, c=${c}`);
  }
  const t = send.text?.["32"] ?? send.by_message?.find((x) => x.message === "text_mentions");
  if (t) goal("CPU per message over plain fetch (text + mentions, c=32), ms", t.cpu_ms_per_msg_over_fetch.median, gc.text, "max", `${mmm(t.cpu_ms_per_msg_over_fetch, 3)} ms`, "CPU ms/msg (text)");
  const r = send.mix["32"];
  if (r) goal("CPU per message over plain fetch (mix, c=32), ms", r.cpu_ms_per_msg_over_fetch.median, gc.mix, "max", `${mmm(r.cpu_ms_per_msg_over_fetch, 3)} ms`, "CPU ms/msg (mix)");
}
// the same goals in Deno, Bun and workerd (bench/send-runtimes.mjs), against each runtime's own fetch
const RT_NAMES = { deno: "Deno", bun: "Bun", workerd: "workerd (Miniflare)" };
for (const [rt, res] of Object.entries(sendRt?.runtimes ?? {})) {
  if (res.error) continue;
  const gr = sendRt.goal_ratio;
  const gc = sendRt.goal_cpu_ms;
  for (const w of ["text", "mix"]) {
    for (const c of ["1", "32"]) {
      const r = res[w]?.[c];
      if (r) goal(`${RT_NAMES[rt] ?? rt}: send throughput vs its plain fetch, ${w === "text" ? "text" : "mix with the 10 KB markdown"}, concurrency ${c}`, r.ratio_ours_over_fetch.median, gr[w], "min", mmm(r.ratio_ours_over_fetch), `${rt}: send / fetch, ${w}, c=${c}`);
    }
    const r = res[w]?.["32"];
    if (r?.cpu_ms_per_msg_over_fetch) goal(`${RT_NAMES[rt] ?? rt}: CPU per message over its plain fetch (${w === "text" ? "text + mentions" : "mix"}, c=32), ms${rt === "workerd" ? " (the workerd process's CPU)" : ""}`, r.cpu_ms_per_msg_over_fetch.median, gc[w], "max", `${mmm(r.cpu_ms_per_msg_over_fetch, 3)} ms`, `${rt}: CPU ms/msg (${w})`);
  }
}
if (apprise?.raw?.length) {
  for (const r of apprise.raw) {
    goal(`Raw speed vs Apprise (concurrency 1), ${r.platform}: at the host's limit, i.e. ours / plain fetch`, r.ratio_ours_over_fetch.median, 0.9, "min", `ours ${f(r.ratio_ours_over_apprise.median)}x Apprise, fetch ${f(r.ratio_fetch_over_apprise.median)}x (ours/fetch ${mmm(r.ratio_ours_over_fetch)})`, `vs Apprise ${r.platform}: ours/fetch`, `${f(r.ratio_ours_over_fetch.median)} (ours ${f(r.ratio_ours_over_apprise.median)}x Apprise, fetch ${f(r.ratio_fetch_over_apprise.median)}x)`);
  }
}
const bursts = apprise?.bursts?.runs ?? [];
const oursBursts = (n, plat) => bursts.filter((b) => b.tool === "ours" && b.n === n && b.platform === plat);
for (const plat of ["wecom", "dingtalk", "feishu"]) {
  const b20 = oursBursts(20, plat);
  if (b20.length) {
    const worst = Math.max(...b20.map((b) => (b.all_delivered_s ?? Infinity)));
    const floor = b20[0].platform_floor_s;
    const target = Math.max(1, floor + 1);
    goal(`Burst of 20 to one ${plat} bot: all delivered (s, worst of ${b20.length}); goal ${floor ? `the platform's floor ${floor} s + 1 s` : "< 1 s"}`, worst, target, "max", `${f(worst)} s`, `burst 20 ${plat} (s)`);
    const errs = Math.max(...b20.map((b) => b.rate_limit_errors));
    goal(`Burst of 20 to one ${plat} bot: rate-limit errors (worst of ${b20.length})`, errs, 0, "max", String(errs), `burst 20 ${plat}: rate-limit errs`);
  }
  const b50 = oursBursts(50, plat);
  if (b50.length) {
    const b = b50[0];
    const shown = b.all_delivered_s !== null ? `${f(b.all_delivered_s)} s` : `not all delivered: ${b.delivered}/${b.n} (last request at ${f(b.last_request_s)} s)`;
    goal(`Burst of 50 to one ${plat} bot: all delivered (s); goal the platform windows' floor ${b.platform_floor_s} s + 2 % + 1 s`, b.all_delivered_s ?? Infinity, b.platform_floor_s * 1.02 + 1, "max", `${shown}, ${b.rate_limit_errors} rate-limit errors`, `burst 50 ${plat} (s)`);
    goal(`Burst of 50 to one ${plat} bot: rate-limit errors`, b.rate_limit_errors, 0, "max", String(b.rate_limit_errors), `burst 50 ${plat}: rate-limit errs`);
  }
}
if (memory) {
  const g = memory.growth_after_first_quarter;
  // Flat: at most 1 MiB from 25k to 100k operations (< 14 bytes per operation; wasm grows in 64 KiB pages).
  const MB = 2 ** 20;
  goal("Memory flat, renders: wasm memory growth 25k→100k (MiB)", g.renders_wasm_bytes / MB, 1, "max", `${(g.renders_wasm_bytes / MB).toFixed(2)} MiB`, "wasm growth, renders (MiB)");
  goal("Memory flat, renders: V8 heap growth 25k→100k (MiB)", Math.max(0, g.renders_heap_bytes / MB), 1, "max", `${(g.renders_heap_bytes / MB).toFixed(2)} MiB`, "heap growth, renders (MiB)");
  goal("Memory flat, sends: wasm memory growth 25k→100k (MiB; the dedup cache is full, 10,000 entries, from 10k on)", g.sends_wasm_bytes / MB, 1, "max", `${(g.sends_wasm_bytes / MB).toFixed(2)} MiB`, "wasm growth, sends (MiB)");
  goal("Memory flat, sends: V8 heap growth 25k→100k (MiB)", Math.max(0, g.sends_heap_bytes / MB), 1, "max", `${(g.sends_heap_bytes / MB).toFixed(2)} MiB`, "heap growth, sends (MiB)");
}

// ---- header ---------------------------------------------------------------------------------
const v = { ...(m.versions ?? {}), apprise: apprise?.versions?.apprise, python: apprise?.versions?.python, requests: apprise?.versions?.requests, miniflare: cold?.workerd?.miniflare };
p(
  `# webhook-push benchmarks${QUICK ? " (QUICK run)" : ""}`,
  "",
  `Generated by \`make bench${QUICK ? " QUICK=1" : ""}\` (bench/run.sh) on ${run.finished_at ?? new Date().toISOString()}; the whole run took ${run.seconds ? `${(run.seconds / 60).toFixed(1)} minutes` : "–"}.`,
  "Measurements, not tests: medians of repeated runs with (min–max), and ratios taken against a baseline measured in the same run, interleaved with it.",
  "Nothing here is asserted by `make test`.",
  "",
  `**Machine**: ${m.nproc} cores, ${m.cpu}, ${m.memory_gib} GiB, ${m.os}. Shared with other work while this ran: load at the start \`${run.load_start?.uptime ?? "–"}\`, at the end \`${run.load_end?.uptime ?? "–"}\` (2 cores: a load near 2 means the benchmark got about half the machine; the interleaved baselines see the same load).`,
  "",
  `**Versions**: ${Object.entries(v).filter(([, x]) => x).map(([k, x]) => `${k} ${String(x).replace(/^(rustc|wasm-opt) /, "")}`).join(", ")}.`,
  "",
);

// ---- summary -----------------------------------------------------------------------------------
p("## Goals", "", "| goal | measured | target | |", "|---|---|---|---|");
for (const g of goals) p(`| ${g.name} | ${g.shown} | ${g.kind === "max" ? "≤" : "≥"} ${ft(g.target)} | ${yes(g.met)} |`);
p("", `![ratios against goals](${QUICK ? "ratios-quick.svg" : "ratios.svg"})`, "");
const short = goals.filter((g) => !g.met);
if (short.length) {
  p("**Where we fall short**:", "");
  for (const g of short) p(`- ${g.name}: ${g.shown}, goal ${g.kind === "max" ? "at most" : "at least"} ${ft(g.target)}.`);
  p("");
}

// ---- 1. size --------------------------------------------------------------------------------
if (size) {
  const b = size.bytes;
  p(
    "## 1. Size",
    "",
    "| what | bytes | |",
    "|---|---:|---:|",
    `| wasm, cargo output (release, LTO, opt-level z; ${size.toolchain_desc ?? size.toolchain ?? "?"}) | ${fi(b.wasm_cargo)} | ${kib(b.wasm_cargo)} |`,
    `| wasm, wasm-bindgen output (input of wasm-opt) | ${fi(b.wasm_before_opt)} | ${kib(b.wasm_before_opt)} |`,
    `| **wasm, after wasm-opt -Oz** (shipped) | ${fi(b.wasm_opt)} | ${kib(b.wasm_opt)} |`,
    `| … gzip -9 | ${fi(b.wasm_opt_gzip9)} | ${kib(b.wasm_opt_gzip9)} |`,
    `| … brotli q11 | ${fi(b.wasm_opt_brotli11)} | ${kib(b.wasm_opt_brotli11)} |`,
    `| JS glue (webhook_push.js) | ${fi(b.js_glue)} | ${kib(b.js_glue)} |`,
    `| … gzip -9 | ${fi(b.js_glue_gzip9)} | ${kib(b.js_glue_gzip9)} |`,
    `| **npm tarball** (.tgz) | ${fi(b.tarball)} | ${kib(b.tarball)} |`,
    `| … unpacked | ${fi(b.tarball_unpacked)} | ${kib(b.tarball_unpacked)} |`,
    "",
  );
  if (size.wasm_files) {
    p(
      "Every wasm the package ships (after wasm-opt), and the entries that load it:",
      "",
      "| wasm | bytes | gzip -9 | brotli q11 | loaded by |",
      "|---|---:|---:|---:|---|",
      ...size.wasm_files.map((w) => `| ${w.file} | ${fi(w.bytes)} | ${fi(w.gzip9)} | ${fi(w.brotli11)} | ${w.loaded_by.map((e) => `\`${e}\``).join(", ")} |`),
      "",
    );
  }
  const a = size.attribution;
  if (a) {
    p(
      "### What each dependency costs",
      "",
      `From a \`wasm-opt ${a.wasm_opt_flags}\` build of the same wasm-bindgen output (build.sh's flags, the name section kept): its code and data are ${a.same_code_as_shipped ? "byte for byte the same size as" : "**not** the same size as"} the shipped wasm's (code ${fi(a.code_bytes)} B vs ${fi(a.shipped.code_bytes)} B, data ${fi(a.data_bytes)} B vs ${fi(a.shipped.data_bytes)} B).`,
      "Each function body counts for the crate its name belongs to; a std generic instantiated for a crate's type (`drop_in_place<serde_json::Value>`) counts for that crate. With LTO much dependency code is inlined into its callers and counts for them: `webhook_push::markdown::parse` holds pulldown-cmark's parser loop, for instance.",
      "",
      "| crate | version | pulled in by | functions | code bytes | share of code | largest function |",
      "|---|---|---|---:|---:|---:|---|",
    );
    for (const c of a.crates) {
      if (c.bytes < 100) continue;
      p(`| ${c.crate} | ${c.version ?? ""} | ${c.via ? c.via.join(", ") : ""} | ${c.functions} | ${fi(c.bytes)} | ${(100 * c.share_of_code).toFixed(1)} % | \`${(c.largest[0]?.name ?? "").replace(/\|/g, "\\|").slice(0, 70)}\` (${fi(c.largest[0]?.bytes)} B) |`);
    }
    const e = a.entity_table;
    p(
      `| **all code** | | | ${a.functions} | **${fi(a.code_bytes)}** | 100 % | |`,
      "",
      "| data | bytes | share of the wasm |",
      "|---|---:|---:|",
    );
    const layout = e?.format === "front-coded" ? `names front-coded in runs of 16, values end to end, ${fi(e.table_bytes)} B of run offsets (crates/pulldown-cmark)` : e?.format === "records" ? "one string of name/value records (crates/pulldown-cmark)" : `${fi(e?.table_bytes)} B of (name, value) slices + ${fi(e?.string_bytes)} B of strings`;
    if (e) p(`| pulldown-cmark's HTML entity table (${e.entries} entries, \`${e.first}\` … \`${e.last}\`: ${layout}) | ${fi(e.total_bytes)} | ${((100 * e.total_bytes) / a.total_bytes).toFixed(1)} % |`);
    p(
      `| other data (string constants, tables, ${a.data_segments.length} segments in all) | ${fi(a.data_bytes - (e?.total_bytes ?? 0))} | ${((100 * (a.data_bytes - (e?.total_bytes ?? 0))) / a.total_bytes).toFixed(1)} % |`,
      `| **all data** | **${fi(a.data_bytes)}** | |`,
      "",
    );
    const other = a.sections.filter((s) => !["code", "data", "custom:name"].includes(s.kind)).reduce((x, s) => x + s.bytes, 0);
    p(`The rest of the shipped wasm is ${fi(b.wasm_opt - a.shipped.code_bytes - a.shipped.data_bytes)} B of section headers, types, imports and exports (${fi(other)} B in the debuginfo build, which also carries a ${fi(a.sections.find((s) => s.kind === "custom:name")?.bytes)} B name section the shipped wasm does not).`, "");
  }
}

// ---- 2. cold start ----------------------------------------------------------------------------
if (cold) {
  const n = cold.node;
  p(
    "## 2. Cold start",
    "",
    `A fresh process or Worker that imports the installed package, instantiates the wasm and renders one message (${n.message}), against the same doing nothing; wall time; ${n.runs} pairs for Node, ${cold.workerd?.runs ?? 0} for workerd, interleaved.`,
    "",
    "| runtime | with the package, ms | doing nothing, ms | added, ms | ratio |",
    "|---|---|---|---|---|",
    `| Node ${m.versions?.node ?? ""}, spawn → exit | ${mmm(n.package_wall_ms, 1)} | ${mmm(n.nothing_wall_ms, 1)} | ${mmm(n.added_ms, 1)} | ${mmm(n.ratio)} |`,
  );
  if (n.no_tierup) p(`| Node, same, with \`${n.no_tierup.node_flags}\` | ${mmm(n.no_tierup.package_wall_ms, 1)} | | ${mmm(n.no_tierup.added_ms, 1)} | |`);
  const w = cold.workerd;
  if (w && !w.error) p(`| workerd (Miniflare ${w.miniflare}), \`new Miniflare\` → first response | ${mmm(w.package_first_response_ms, 1)} | ${mmm(w.nothing_first_response_ms, 1)} | ${mmm(w.added_ms, 1)} | ${mmm(w.ratio)} |`);
  p("");
  p(
    `Inside the Node process: \`import("webhook-push")\` (read + compile + instantiate the wasm) ${mmm(n.import_ms, 1)} ms, the first render ${mmm(n.first_render_ms, 1)} ms; the script is done ${f(n.script_done_ms?.median, 0)} ms after the process started (${f(n.nothing_script_done_ms?.median, 0)} ms doing nothing).`,
  );
  if (n.no_tierup && n.no_tierup.added_ms.median < 0.6 * n.added_ms.median) {
    p(
      `The rest of the added wall time comes after the script is done: the first render of a markdown message makes V8 tier hot wasm functions up to TurboFan on background threads, and Node waits for those tasks before it exits. With dynamic tier-up pushed out of reach (\`${n.no_tierup.node_flags}\`) the added time is ${f(n.no_tierup.added_ms.median, 1)} ms instead of ${f(n.added_ms.median, 1)} ms. A short-lived process (a CLI, a cron job) pays it; a server pays it once.`,
    );
  }
  const o = cold.oneshot;
  if (o && !o.error) {
    p(
      "",
      `### One-shot: import + one send`,
      "",
      `A fresh \`node\` that imports the package, sends one text message to the loopback mock (WeCom) and exits, against the same doing nothing and against pushoo ${o.pushoo ?? "(not installed)"} sending the same text (its axios request reaches the mock through \`https_proxy\`; nothing leaves the machine); ${o.runs} rounds, interleaved; wall time from spawn to exit.`,
      "",
      "| process | wall, ms | added over doing nothing, ms |",
      "|---|---|---|",
      `| doing nothing | ${mmm(o.wall_ms.nothing, 1)} | |`,
      `| webhook-push: import + send | ${mmm(o.wall_ms.ours, 1)} | ${mmm(o.added_ms.ours, 1)} |`,
      `| webhook-push, \`v8.setFlagsFromString("--liftoff-only")\` first | ${mmm(o.wall_ms.ours_liftoff, 1)} | ${mmm(o.added_ms.ours_liftoff, 1)} |`,
    );
    if (o.wall_ms.fetch_only) p(`| no package: the same request with \`fetch\` alone | ${mmm(o.wall_ms.fetch_only, 1)} | ${mmm(o.added_ms.fetch_only, 1)} |`);
    if (o.wall_ms.pushoo) p(`| pushoo ${o.pushoo}: import + send | ${mmm(o.wall_ms.pushoo, 1)} | ${mmm(o.added_ms.pushoo, 1)} |`);
    if (o.ratio_added_over_pushoo !== undefined) p("", `Added time, ours over pushoo's: ${f(o.ratio_added_over_pushoo, 3)} (with Liftoff only: ${f(o.ratio_added_over_pushoo_liftoff)}: a one-shot process, a CLI, can set that flag before it imports the package; Node then has no background TurboFan compilation to wait for at exit); wall time ${f(o.ratio_wall_over_pushoo)}x pushoo's. ${o.pushoo_delivered !== undefined ? `The mock counted ${o.pushoo_delivered} of pushoo's ${o.pushoo_runs} requests (with the warm-up and the traced run) delivered.` : "Each pushoo process checked the mock's answer (errcode 0)."}`);
    if (o.ratio_added_over_fetch_only !== undefined) p("", `Added time, ours over the \`fetch\`-only script's: ${f(o.ratio_added_over_fetch_only, 3)}${o.ratio_fetch_only_added_over_pushoo !== undefined ? `; the \`fetch\`-only script's over pushoo's: ${f(o.ratio_fetch_only_added_over_pushoo, 3)} (Node's \`fetch\` alone, with no package, is that far from pushoo's \`http\` client)` : ""}.`);
    if (o.turbofan) {
      const tf = Object.entries(o.turbofan).map(([k, v]) => `${k}: ${v.functions} (${v.ms} ms; body ${v.body_bytes.map((b) => fi(b)).join(", ") || "-"} B; ${v.ours} of them ours)`);
      p("", `Wasm functions V8 compiled with TurboFan in one traced run of each (\`--trace-wasm-compilation-times\`; the background work Node waits for before it exits; "ours" = a function of that body size exists in the package's wasm): ${tf.join("; ")}. A function that is not ours is in undici's HTTP parser (llhttp, a wasm module inside Node's \`fetch\`): every \`fetch\` one-shot pays it, pushoo's \`http\` client does not.`);
    }
  } else if (o?.error) p("", `One-shot: not measured: ${o.error}`);
  if (w && !w.error) p("", `workerd: ready after ${mmm(w.package_ready_ms, 0)} ms with the package vs ${mmm(w.nothing_ready_ms, 0)} ms without (the wasm is compiled while the Worker loads); the first request then takes ${mmm(w.package_first_request_ms, 1)} ms vs ${mmm(w.nothing_first_request_ms, 1)} ms. Miniflare from ${w.miniflare_from === "." ? "the repository's devDependencies" : w.miniflare_from}.`);
  else if (w?.error) p("", `workerd: not measured: ${w.error}`);
  p("");
}

// ---- 2b. the command line, one shot --------------------------------------------------------------
if (cli) {
  const w = cli.wall_ms;
  p(
    "### The command line, one shot",
    "",
    `\`webhook-push send wecom KEY --content …\` (the installed bin) to the loopback mock, spawn → exit, against \`node -e 0\` and a minimal Node script doing the same single fetch; ${cli.runs} interleaved rounds, ${cli.delivered}/${cli.expected_deliveries} delivered (bench/cli.mjs).`,
    "",
    "| what | wall ms | vs the minimal script |",
    "|---|---|---|",
    `| \`node -e 0\` | ${mmm(w.node_e0, 1)} | ${f(w.node_e0.median / w.minimal_fetch.median)}x |`,
    `| minimal script: fetch, read the answer, let Node exit | ${mmm(w.minimal_fetch, 1)} | 1.00x |`,
    `| the same, \`process.exit\` once the answer is read | ${mmm(w.minimal_fetch_exit, 1)} | ${f(w.minimal_fetch_exit.median / w.minimal_fetch.median)}x |`,
    `| **\`webhook-push send\`** as shipped (Liftoff only, exits once output is flushed) | ${mmm(w.cli, 1)} | **${f(cli.ratio_cli_to_minimal)}x** |`,
    `| the bin with V8's default wasm tiering | ${mmm(w.cli_default_tiering, 1)} | ${f(cli.ratio_default_tiering_to_minimal)}x |`,
    `| the bin with \`--no-wasm-tier-up\` | ${mmm(w.cli_no_wasm_tier_up, 1)} | ${f(cli.ratio_no_wasm_tier_up_to_minimal)}x |`,
    ...(w.cli_full_wasm ? [`| the bin on webhook-push/webhook's wasm (what it loads when its config has a webhook channel) | ${mmm(w.cli_full_wasm, 1)} | ${f(cli.ratio_full_wasm_to_minimal)}x |`] : []),
    "",
    "The bin sets V8's `--liftoff-only` before the wasm compiles (a one-shot command runs little wasm; TurboFan's background tier-up would only be waited for at exit) and exits as soon as its output is flushed instead of waiting for the keep-alive connection to wind down.",
    "",
  );
}

// ---- 3. render -------------------------------------------------------------------------------
if (render) {
  p(
    "## 3. Render throughput",
    "",
    `\`render(message, platform, { webhook, secret })\` per second (DingTalk and Feishu signed) against the floor \`JSON.parse(JSON.stringify(payloads))\` of the very payloads it produced; ${render.rounds} interleaved rounds of ~${render.sample_ms} ms each; ratio = floor / render per round. Goal: the geometric mean within ${render.goal_ratio}x, no case worse than ${render.goal_worst_ratio ?? 8}x.`,
    "",
    "| message | platform | parts | payload bytes | renders/s | floor/s | ratio (x slower) | |",
    "|---|---|---:|---:|---|---|---|---|",
  );
  for (const c of render.cases) p(`| ${c.label} | ${c.platform} | ${c.parts} | ${fi(c.payload_bytes)} | ${mmmi(c.render_per_s)} | ${mmmi(c.floor_per_s)} | ${mmm(c.ratio_floor_over_render, 1)} | ${c.ratio_floor_over_render.median <= (render.goal_worst_ratio ?? 8) ? "✅" : "❌"} |`);
  p("", `Geometric mean ${f(render.geomean_ratio, 1)}x the floor (goal ${render.goal_ratio}x); ${render.cases.filter((c) => c.ratio_floor_over_render.median <= (render.goal_worst_ratio ?? 8)).length} of ${render.cases.length} cases within ${render.goal_worst_ratio ?? 8}x, ${render.cases.filter((c) => c.ratio_floor_over_render.median <= render.goal_ratio).length} within ${render.goal_ratio}x.`, "");
  const pr = profile?.runs?.find((r) => r.workload === "render text_mentions/wecom");
  if (pr) {
    const share = (re) => pr.top_inclusive.filter((x) => re.test(x.function)).reduce((a, x) => Math.max(a, x.share), 0);
    const boundary = share(/^webhook_push::bindings::stringify$/) + share(/^webhook_push::model::UnifiedMessage::from_json$/) + share(/^webhook_push::json::to_string$/) + share(/^webhook_push::bindings::parse$/);
    const own = share(/^webhook_push::render::render$/);
    p(`Values cross the JS/wasm boundary as JSON both ways (src/bindings.rs: \`JSON.stringify\` of the message, copied into wasm, parsed by serde_json into a \`Value\` and then the model; the result built as a \`Value\`, written out, copied back and \`JSON.parse\`d). In the profile of the text message to WeCom (below) that round trip (\`bindings::stringify\`, \`UnifiedMessage::from_json\`, \`json::to_string\`, \`bindings::parse\`) takes ${f(100 * boundary, 0)} % of the time and the rendering itself (\`render::render\`) ${f(100 * own, 0)} %, so the round trip alone comes to about ${f(boundary * (render.cases.find((c) => c.message === "text_mentions" && c.platform === "wecom")?.ratio_floor_over_render.median ?? NaN), 1)}x the floor's one stringify + parse of the payload.`, "");
  }
}

// ---- 4. send -----------------------------------------------------------------------------------
if (send) {
  p(
    "## 4. Send throughput",
    "",
    "To the loopback mock platforms in a separate process (rate limits off there; `rateLimit: false` in the sender), against a plain `fetch` loop posting the same precomputed payloads (bodies already JSON) at the same concurrency and reading each answer. The mix is the 4 typical messages × 3 platforms; the 10 KB one is several requests on WeCom and Feishu, for both. CPU per message: `process.cpuUsage()` over the run divided by the messages, ours minus the plain loop's in the same round — render + sign + the sender's own work; the network waits and the mock's CPU are not in it.",
    "",
    "| workload | concurrency | ours, msg/s | plain fetch, msg/s | ours / fetch | CPU ms/msg ours | CPU ms/msg fetch | CPU ms/msg over fetch |",
    "|---|---:|---|---|---|---|---|---|",
  );
  for (const c of ["1", "32"]) {
    const t = send.text?.[c];
    if (t) p(`| text + 2 mentions (×3 platforms) | ${c} | ${mmmi(t.ours_per_s)} | ${mmmi(t.fetch_per_s)} | ${mmm(t.ratio_ours_over_fetch)} | ${mmm(t.ours_cpu_ms_per_msg, 3)} | ${mmm(t.fetch_cpu_ms_per_msg, 3)} | ${mmm(t.cpu_ms_per_msg_over_fetch, 3)} |`);
  }
  for (const c of ["1", "32"]) {
    const r = send.mix[c];
    if (r) p(`| mix (${f(r.requests_per_message, 2)} requests/msg) | ${c} | ${mmmi(r.ours_per_s)} | ${mmmi(r.fetch_per_s)} | ${mmm(r.ratio_ours_over_fetch)} | ${mmm(r.ours_cpu_ms_per_msg, 3)} | ${mmm(r.fetch_cpu_ms_per_msg, 3)} | ${mmm(r.cpu_ms_per_msg_over_fetch, 3)} |`);
  }
  for (const r of send.by_message ?? []) p(`| ${r.label} (×3 platforms) | 32 | ${mmmi(r.ours_per_s)} | ${mmmi(r.fetch_per_s)} | ${mmm(r.ratio_ours_over_fetch)} | ${mmm(r.ours_cpu_ms_per_msg, 3)} | ${mmm(r.fetch_cpu_ms_per_msg, 3)} | ${mmm(r.cpu_ms_per_msg_over_fetch, 3)} |`);
  const fails = [...Object.values(send.mix), ...Object.values(send.text ?? {})].reduce((a, r) => a + r.failures.ours + r.failures.fetch, 0);
  if (render && send.mix["32"]) {
    // render's own CPU per message of the same mix (section 3: 12 cases, equal shares)
    const renderMs = render.cases.reduce((a, c) => a + 1000 / c.render_per_s.median, 0) / render.cases.length;
    const over = send.mix["32"].cpu_ms_per_msg_over_fetch.median;
    p("", `Render alone (section 3) costs ${f(renderMs, 3)} ms per message of this mix on average, about ${f((100 * renderMs) / over, 0)} % of the ${f(over, 3)} ms CPU per message the sender adds over plain fetch at concurrency 32; the rest is the sender's own work around each request (see \`send mix\` under 'Where the time goes').${(() => {
      const by = (send.by_message ?? []).slice().sort((a, b) => b.cpu_ms_per_msg_over_fetch.median - a.cpu_ms_per_msg_over_fetch.median);
      return by.length ? ` By message (table above), the most expensive is the ${by[0].label} at ${f(by[0].cpu_ms_per_msg_over_fetch.median, 3)} ms over fetch, the cheapest the ${by.at(-1).label} at ${f(by.at(-1).cpu_ms_per_msg_over_fetch.median, 3)} ms.` : "";
    })()}`);
  }
  p("", `Goals: text at least 0.9 of plain fetch and at most 0.1 ms CPU per message above it; the mix at least 0.8 and at most 0.25 ms (Workers' free plan allows 10 ms of CPU per request). Failed sends in these runs: ${fails}.`, "");
}
if (sendRt) {
  p(
    "### Send in Deno, Bun and workerd",
    "",
    `The same workloads (bench/send-runtimes.mjs) in each runtime against that runtime's own plain \`fetch\` loop, from the packed package imported by name (Deno: deno.mjs; Bun: node.mjs, which leaves Bun's fetch in place; workerd: workerd.mjs in Miniflare). ${sendRt.rounds} interleaved rounds of ${sendRt.n[1]} (concurrency 1) / ${sendRt.n[32]} (32) messages per runner. CPU per message: Deno and Bun \`process.cpuUsage()\` in the runtime around each run; workerd: the workerd process's utime + stime from /proc (all its threads, including its own HTTP client work, 10 ms ticks; wall time from outside, one dispatch per run).`,
    "",
  );
  for (const [rt, res] of Object.entries(sendRt.runtimes)) {
    if (res.error) {
      p(`**${RT_NAMES[rt] ?? rt}**: not measured (${res.error.split("\n")[0]}).`, "");
      continue;
    }
    p(`**${RT_NAMES[rt] ?? rt}** ${res.version} (${res.seconds.toFixed(0)} s)`, "", "| workload | concurrency | ours, msg/s | plain fetch, msg/s | ours / fetch | CPU ms/msg ours | CPU ms/msg fetch | CPU ms/msg over fetch |", "|---|---:|---|---|---|---|---|---|");
    for (const w of ["text", "mix"]) {
      for (const c of ["1", "32"]) {
        const r = res[w]?.[c];
        if (!r) continue;
        const label = w === "text" ? "text + 2 mentions (×3 platforms)" : `mix (${f(r.requests_per_message, 2)} requests/msg)`;
        p(`| ${label} | ${c} | ${mmmi(r.ours_per_s)} | ${mmmi(r.fetch_per_s)} | ${mmm(r.ratio_ours_over_fetch)} | ${mmm(r.ours_cpu_ms_per_msg, 3)} | ${mmm(r.fetch_cpu_ms_per_msg, 3)} | ${mmm(r.cpu_ms_per_msg_over_fetch, 3)} |`);
      }
    }
    const fails = ["text", "mix"].flatMap((w) => Object.values(res[w] ?? {})).reduce((a, r) => a + r.failures.ours + r.failures.fetch, 0);
    p("", `Failed sends: ${fails}.`, "");
  }
}

// ---- 5. apprise --------------------------------------------------------------------------------
if (apprise) {
  p("## 5. Against Apprise", "", `Apprise ${apprise.versions.apprise} (PyPI, in bench/.venv) on Python ${apprise.versions.python}, driven by bench/apprise_shim.py, which points its plugins' host constants at the loopback mock. Notes:`, "");
  for (const n of apprise.notes) p(`- ${n}`);
  p("", "### What each one delivers", "", "What arrived at the mock for one message of each kind (type, bytes, structured @mentions, links or buttons that are clickable, and the mock platform's answer).", "", "| platform | message | webhook-push | Apprise | Apprise said |", "|---|---|---|---|---|");
  const desc = (parts) => parts.map((x) => `${x.type}, ${fi(x.bytes)} B, ${x.mentions} @, ${x.links} links${x.delivered ? "" : `: **rejected** ${x.outcome.replace(/\|/g, "\\|")}`}`).join("<br>") || "nothing";
  for (const d of apprise.delivered) p(`| ${d.platform} | ${d.label} | ${desc(d.ours.parts)} | ${desc(d.apprise.parts)} | ${d.apprise.success ? "ok" : "failed"} |`);
  p("");
  const rej = apprise.delivered.filter((d) => d.apprise.parts.some((x) => !x.delivered));
  const okButRejected = rej.filter((d) => d.apprise.success);
  if (rej.length) p(`Apprise's requests were rejected by the mock platform for ${rej.length} of ${apprise.delivered.length} messages, and for ${okButRejected.length} of those Apprise reported success.`, "");
  const oursRej = apprise.delivered.filter((d) => d.ours.parts.some((x) => !x.delivered));
  p(`webhook-push's requests rejected: ${oursRej.length} of ${apprise.delivered.length}.`, "");
  const dt = apprise.delivered.find((d) => d.platform === "dingtalk" && d.apprise.parts.some((x) => /sign not match/.test(x.outcome)));
  if (dt) p("Apprise's DingTalk signature fails on the mock: its plugin URL-encodes the signature itself (`quote(..., safe=\"\")`) and then hands it to `requests` as a query parameter, which encodes it again (`sign=...%252B...`). The mock decodes the query once, as DingTalk documents, so the signature does not match; other clients that encoded the signature twice got DingTalk's `310000 sign not match` for it (x-cold/dingtalk-robot#7). Whether the real DingTalk accepts it was not checked (no network here).", "");
  if (apprise.raw?.length) {
    p(
      "### Raw sending speed, concurrency 1",
      "",
      "The 3 short messages cycled, one bot per tool; Apprise's throttle (`request_rate_per_sec`) set to 0 and our rate limiter off, so both measure the sender itself; the plain fetch loop is the host's limit. Interleaved rounds; ratios per round.",
      "",
      "| platform | webhook-push, msg/s | plain fetch, msg/s | Apprise, msg/s | ours / Apprise | fetch / Apprise | ours / fetch | CPU ms/msg ours · fetch · Apprise | mock answers to Apprise |",
      "|---|---|---|---|---|---|---|---|---|",
    );
    for (const r of apprise.raw) {
      const ma = r.mock_answers?.apprise;
      p(`| ${r.platform} | ${mmmi(r.ours_per_s)} | ${mmmi(r.fetch_per_s)} | ${mmmi(r.apprise_per_s)} | ${mmm(r.ratio_ours_over_apprise)} | ${mmm(r.ratio_fetch_over_apprise)} | ${mmm(r.ratio_ours_over_fetch)} | ${f(r.cpu_ms_per_msg.ours.median, 3)} · ${f(r.cpu_ms_per_msg.fetch.median, 3)} · ${f(r.cpu_ms_per_msg.apprise.median, 3)} | ${ma ? `${fi(ma.delivered)} delivered, ${fi(ma.rejected)} rejected` : "–"} |`);
    }
    p("", "The goal is to be at the host's limit: ours / Apprise as high as fetch / Apprise (ours / fetch ≥ 0.9).", "");
  }
  if (bursts.length) {
    p(
      "### A burst to one bot, each tool's defaults",
      "",
      "Mock rate limits on (real 60 s windows: WeCom and DingTalk 20 per minute, Feishu 5 per second and 100 per minute). Ours: `new MessageSender({ baseUrls })` and n `send()`s started at once; Apprise: one `Apprise()` object and n `notify()` calls in a row (its default pause between requests is 5.5 s). The 3 short messages cycled, with no mentions for Apprise (one URL). Times from the first call; 'floor' is the least time the platform's windows allow.",
      "",
      "| tool | platform | n | delivered | all delivered after, s | platform floor, s | last request at, s | rate-limit errors | other errors | tool reported ok |",
      "|---|---|---:|---:|---|---:|---|---:|---:|---:|",
    );
    const groups = new Map();
    for (const b of bursts) {
      const k = `${b.tool}|${b.platform}|${b.n}`;
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k).push(b);
    }
    const agg = (xs, k) => {
      const vals = xs.map((x) => x[k]).filter((x) => x !== null && x !== undefined);
      if (!vals.length) return "–";
      if (vals.length === 1) return f(vals[0]);
      const s = [...vals].sort((a, b) => a - b);
      return `${f(s[(s.length - 1) >> 1])} (${f(s[0])}–${f(s.at(-1))})`;
    };
    for (const [, xs] of [...groups].sort()) {
      const b = xs[0];
      p(`| ${b.tool === "ours" ? "webhook-push" : "Apprise"} | ${b.platform} | ${b.n}${xs.length > 1 ? ` ×${xs.length}` : ""} | ${xs.map((x) => x.delivered).join(", ")} | ${xs.every((x) => x.all_delivered_s !== null) ? agg(xs, "all_delivered_s") : "not all delivered"} | ${b.platform_floor_s} | ${agg(xs, "last_request_s")} | ${xs.map((x) => x.rate_limit_errors).join(", ")} | ${xs.map((x) => x.other_errors).join(", ")} | ${xs.map((x) => x.client_ok).join(", ")} |`);
    }
    const bad = bursts.filter((b) => b.tool === "ours" && b.rate_limit_errors > 0 && b.posted_s?.length);
    if (bad.length) {
      p("", "**Where our sender drew rate-limit errors**: the platform counts arrivals; our sender keeps each bot's windows in src/policy.rs (`RateWindow`, its `margin()`) and takes a slot in src/sender.rs (`post_one`). When and how each request of these bursts left, and when the first one landed:", "");
      for (const b of bad) {
        const ps = b.posted_s;
        const perWin = b.platform === "feishu" ? 5 : 20;
        const next = ps[perWin];
        p(`- ${b.platform}, ${b.n} messages: request 1 left at ${f(ps[0])} s and reached the mock at ${f(b.first_arrival_s)} s; requests 1–${perWin} left between ${f(ps[0])} and ${f(ps[Math.min(perWin, ps.length) - 1])} s${next !== undefined ? `, request ${perWin + 1} at ${f(next)} s` : ""}; ${b.rate_limit_errors} rate-limit errors, ${b.delivered}/${b.n} delivered.`);
      }
      const ding = bad.find((b) => b.platform === "dingtalk" && b.rate_limit_errors > 1);
      if (ding) p("", `On DingTalk one refused request starts a 10-minute block: ${ding.rate_limit_errors} rate-limit errors and ${ding.delivered} of ${ding.n} delivered.`);
    }
    p("", apprise.bursts.quick ? "**QUICK run: the 50-message bursts and Apprise's bursts were skipped.**" : "The long bursts ran concurrently, each to its own bot (the mock's windows are per bot); Apprise's started 8 s before ours so that its Python start-up did not load the machine in our bursts' first seconds.", "");
  }
}

// ---- 6. memory ---------------------------------------------------------------------------------
if (memory) {
  const mib = (x) => (x / 2 ** 20).toFixed(2);
  p("## 6. Memory", "", `Sampled after a full GC (${memory.gc_exposed ? "--expose-gc" : "no GC exposed"}) at 0, 25k, 50k, 75k, 100k operations. Renders: the 4 typical messages × 3 platforms cycled (${f(memory.renders.seconds, 0)} s). Sends: one long-lived MessageSender, the 3 short messages × 3 platforms, concurrency 32, each with its own message_id, so the dedup cache fills to its bound of 10,000 entries (${f(memory.sends.seconds, 0)} s, ${memory.sends.failed} failed).`, "");
  for (const [name, s] of [["renders", memory.renders.series], ["sends", memory.sends.series]]) {
    p(`| ${name} | ${s.map((x) => fi(x.done)).join(" | ")} |`, `|---|${s.map(() => "---:").join("|")}|`);
    p(`| wasm memory, MiB | ${s.map((x) => mib(x.wasm_memory_bytes)).join(" | ")} |`);
    p(`| RSS, MiB | ${s.map((x) => mib(x.rss_bytes)).join(" | ")} |`);
    p(`| V8 heap used, MiB | ${s.map((x) => mib(x.heap_used_bytes)).join(" | ")} |`, "");
  }
  const g = memory.growth_after_first_quarter;
  p(`Growth from 25k to 100k: renders wasm ${mib(g.renders_wasm_bytes)} MiB, heap ${mib(g.renders_heap_bytes)} MiB, RSS ${mib(g.renders_rss_bytes)} MiB; sends wasm ${mib(g.sends_wasm_bytes)} MiB, heap ${mib(g.sends_heap_bytes)} MiB, RSS ${mib(g.sends_rss_bytes)} MiB. Wasm memory never shrinks; a flat series after the first quarter means nothing accumulates across the boundary.`, "");
}

// ---- hot spots -----------------------------------------------------------------------------------
if (profile?.runs?.length) {
  p("## Where the time goes", "", "`node --cpu-prof` (250 µs sampling) over the same workloads, against the same -Oz wasm with its name section kept; shares of non-idle samples. Self = in the function itself; inclusive = with what it calls. Our functions are mapped to their source file.", "");
  for (const r of profile.runs) {
    p(`### ${r.workload} (${fi(r.samples)} samples)`, "", `By area: ${r.areas.filter((a) => a.share >= 0.02).map((a) => `${a.area} ${(100 * a.share).toFixed(0)} %`).join(", ")}.`, "", "| inclusive | function | where |", "|---:|---|---|");
    for (const x of r.top_inclusive.slice(0, 12)) p(`| ${(100 * x.share).toFixed(1)} % | \`${x.function.replace(/\|/g, "\\|").slice(0, 110)}\` | ${x.where ?? ""} |`);
    p("", "| self | function | where |", "|---:|---|---|");
    for (const x of r.top_self.slice(0, 8)) p(`| ${(100 * x.share).toFixed(1)} % | \`${x.function.replace(/\|/g, "\\|").slice(0, 110)}\` | ${x.where ?? ""} |`);
    p("");
  }
}

if (run.not_done?.length) {
  p("## Not measured in this run", "");
  for (const x of run.not_done) p(`- ${x}`);
  p("");
}
p("## Reproduce", "", "```sh", "make bench          # everything, ~15 minutes (the bursts wait for real 60 s rate windows)", "make bench QUICK=1  # skips the long bursts; writes bench/out/quick/RESULTS-quick.md", "```", "", "Raw numbers: bench/out/full/*.json (not committed).", "");
fs.writeFileSync(mdFile, `${L.join("\n")}`);

// ---- chart -------------------------------------------------------------------------------------
const rowH = 26;
const left = 230;
const barW = 420;
const cap = 2;
const top = 56;
const H = top + goals.length * rowH + 40;
const W = left + barW + 400;
const x = (s) => left + (Math.min(s, cap) / cap) * barW;
const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const svg = [
  `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`,
  `<rect width="${W}" height="${H}" fill="#fff"/>`,
  `<text x="12" y="22" font-size="15" font-weight="bold">webhook-push: measured against goals${QUICK ? " (QUICK run)" : ""}</text>`,
  `<text x="12" y="40" fill="#555">bar = share of the goal reached (goal ÷ value for "at most", value ÷ goal for "at least"); the line at 1 is the goal; capped at ${cap}</text>`,
];
for (let t = 0; t <= cap; t += 0.5) svg.push(`<line x1="${x(t)}" y1="${top - 6}" x2="${x(t)}" y2="${top + goals.length * rowH}" stroke="${t === 1 ? "#222" : "#ddd"}" stroke-width="${t === 1 ? 2 : 1}"/>`, `<text x="${x(t)}" y="${top + goals.length * rowH + 16}" text-anchor="middle" fill="#555">${t}</text>`);
goals.forEach((g, i) => {
  const y = top + i * rowH;
  const w = Math.max(1, x(g.score) - left);
  svg.push(
    `<text x="${left - 8}" y="${y + 16}" text-anchor="end">${esc(g.chartLabel)}</text>`,
    `<rect x="${left}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowH - 10}" fill="${g.met ? "#2e9d4f" : "#d0413a"}"/>`,
    `<text x="${left + barW + 10}" y="${y + 16}" fill="#333">${esc(`${g.chartShown}  (goal ${g.kind === "max" ? "≤" : "≥"} ${ft(g.target)})`)}</text>`,
  );
});
svg.push(`<text x="12" y="${H - 8}" fill="#777">${esc(`${m.nproc} cores, ${m.cpu}; node ${m.versions?.node ?? ""}; ${run.finished_at ?? ""}`)}</text>`, "</svg>");
fs.writeFileSync(svgFile, `${svg.join("\n")}\n`);
console.log(`report: wrote ${path.relative(process.cwd(), mdFile)} and ${path.relative(process.cwd(), svgFile)}`);
