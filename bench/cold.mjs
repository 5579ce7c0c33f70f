#!/usr/bin/env node
// Cold start. Node: a fresh `node` process that imports the installed package (which reads and
// instantiates the wasm), renders one message and exits, against the same script doing nothing;
// wall time from spawn to exit, pairs in alternating order. workerd: a fresh Miniflare (a new
// workerd process) running a Worker that imports the package and renders one message per
// request, against a Worker that answers without it; time from `new Miniflare` to the first
// response. Then one-shots (import + one send) against pushoo, fetch alone and http.request alone
// (WP_BENCH_BASE_CONSUMER adds a base build; WP_BENCH_ONESHOT_ONLY=1 runs only those). Writes
// bench/out/cold.json.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { BENCH, CONSUMER, loadavg, median, stats, writeJson } from "./lib/common.mjs";
import { startMockProcess } from "./lib/mock.mjs";
import { MESSAGES } from "./lib/messages.mjs";
import { importMiniflare, packageModules } from "./lib/miniflare.mjs";
import { parseWasm } from "./lib/wasm-attr.mjs";

const N_NODE = Number(process.env.WP_BENCH_COLD_N || 25);
const N_WORKERD = Number(process.env.WP_BENCH_COLD_WORKERD_N || 20);
const MSG = MESSAGES.markdown_report;
const load = [loadavg()];

// ---- Node ---------------------------------------------------------------------------------
const script = path.join(CONSUMER, "bench-cold.mjs");
fs.writeFileSync(
  script,
  `// bench/cold.mjs: one cold start. argv[2]: "package" or "nothing".
const MSG = ${JSON.stringify(MSG)};
if (process.argv[2] === "package") {
  const t0 = performance.now();
  const { render } = await import("webhook-push");
  const t1 = performance.now();
  const r = render(MSG, "wecom", { webhook: "benchwecomkey01" });
  const t2 = performance.now();
  if (r.parts !== 1) process.exit(3);
  console.log(JSON.stringify({ import_ms: t1 - t0, render_ms: t2 - t1, since_start_ms: t2 }));
} else {
  console.log(JSON.stringify({ since_start_ms: performance.now() }));
}
`,
);

// "package, no tier-up": the same with V8's dynamic wasm tier-up pushed out of reach, which
// shows how much of the wall time is TurboFan compiling hot wasm functions in the background
// (Node waits for those tasks before it exits).
const NO_TIERUP = ["--wasm-tiering-budget=1000000000"];

function once(mode) {
  const t0 = process.hrtime.bigint();
  const flags = mode === "package_no_tierup" ? NO_TIERUP : [];
  const r = spawnSync(process.execPath, [...flags, script, mode === "package_no_tierup" ? "package" : mode], { cwd: CONSUMER, encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`cold ${mode}: exit ${r.status}: ${r.stderr}`);
  return { wall_ms: ms, ...JSON.parse(r.stdout.trim().split("\n").pop()) };
}

// WP_BENCH_ONESHOT_ONLY=1: only the one-shot section below (no render cold start, no workerd).
const ONESHOT_ONLY = process.env.WP_BENCH_ONESHOT_ONLY === "1";
let node = null;
if (!ONESHOT_ONLY) {
  once("package");
  once("nothing");
  const pkg = [];
  const nothing = [];
  const noTier = [];
  for (let i = 0; i < N_NODE; i++) {
    if (i % 2 === 0) {
      pkg.push(once("package"));
      nothing.push(once("nothing"));
      noTier.push(once("package_no_tierup"));
    } else {
      noTier.push(once("package_no_tierup"));
      nothing.push(once("nothing"));
      pkg.push(once("package"));
    }
  }
  node = {
    runs: N_NODE,
    message: "markdown_report -> wecom",
    package_wall_ms: stats(pkg.map((r) => r.wall_ms)),
    nothing_wall_ms: stats(nothing.map((r) => r.wall_ms)),
    added_ms: stats(pkg.map((r, i) => r.wall_ms - nothing[i].wall_ms)),
    ratio: stats(pkg.map((r, i) => r.wall_ms / nothing[i].wall_ms)),
    import_ms: stats(pkg.map((r) => r.import_ms)),
    first_render_ms: stats(pkg.map((r) => r.render_ms)),
    script_done_ms: stats(pkg.map((r) => r.since_start_ms)),
    nothing_script_done_ms: stats(nothing.map((r) => r.since_start_ms)),
    no_tierup: {
      node_flags: NO_TIERUP.join(" "),
      package_wall_ms: stats(noTier.map((r) => r.wall_ms)),
      added_ms: stats(noTier.map((r, i) => r.wall_ms - nothing[i].wall_ms)),
    },
  };
  console.log(`  node: ${node.package_wall_ms.median.toFixed(1)} ms vs ${node.nothing_wall_ms.median.toFixed(1)} ms doing nothing (+${node.added_ms.median.toFixed(1)} ms; import ${node.import_ms.median.toFixed(1)} ms, first render ${node.first_render_ms.median.toFixed(2)} ms; without wasm tier-up +${node.no_tierup.added_ms.median.toFixed(1)} ms)`);
}

// ---- one-shot: import + one send, against pushoo -------------------------------------------------
// What a CLI or a cron job pays: a fresh `node` that imports the package, sends one text message to
// the loopback mock (WeCom) and exits, against the same doing nothing and against pushoo (the
// lightest npm alternative, axios-based) sending the same text. pushoo's WeCom URL is fixed to the
// real host, so its process gets `https_proxy` = the mock: axios then sends the request to the
// mock (absolute-form request line) and nothing leaves the machine; its answer is checked. Also
// ours with `v8.setFlagsFromString("--liftoff-only")` before the import (no TurboFan at all, so
// Node has no background tier-up to wait for at exit). Goal: ours added over doing nothing <=
// 1.3x pushoo's.
const N_ONESHOT = Number(process.env.WP_BENCH_ONESHOT_N || 15);
let oneshot = null;
const PUSHOO_DIR = path.join(BENCH, ".deps");
let pushooVersion = null;
try {
  pushooVersion = JSON.parse(fs.readFileSync(path.join(PUSHOO_DIR, "node_modules", "pushoo", "package.json"), "utf8")).version;
} catch {}
const mock = await startMockProcess({ rateLimits: false });
try {
  await mock.addBot({ platform: "wecom", key: "oneshotkey" });
  await mock.addBot({ platform: "wecom", key: "oneshotpushoo" });
  const TEXT = "Deployed v1.2.3 to production: all checks green";
  const oursScript = path.join(CONSUMER, "bench-oneshot.mjs");
  fs.writeFileSync(
    oursScript,
    `// bench/cold.mjs: one-shot import + one send. argv[2] "liftoff": what a CLI can do first
// (Liftoff only, no TurboFan: nothing left to wait for at exit).
if (process.argv[2] === "liftoff") (await import("node:v8")).setFlagsFromString("--liftoff-only");
const { MessageSender } = await import("webhook-push");
const s = new MessageSender({ baseUrls: { wecom: process.env.WP_MOCK_URL }, rateLimit: false });
const r = await s.send({ content: { type: "text", body: { text: ${JSON.stringify(TEXT)} } } }, "wecom", { webhookUrl: "oneshotkey" });
if (!r.success) { console.error(JSON.stringify(r)); process.exit(3); }
`,
  );
  // The same request with nothing but the host's fetch: Node's own cost of a one-shot fetch (its
  // HTTP client, undici, and undici's HTTP parser, a wasm module of its own).
  const fetchScript = path.join(CONSUMER, "bench-oneshot-fetch.mjs");
  fs.writeFileSync(
    fetchScript,
    `// bench/cold.mjs: one-shot, the same WeCom text posted with fetch alone (no package)
const r = await fetch(process.env.WP_MOCK_URL + "/cgi-bin/webhook/send?key=oneshotkey", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ msgtype: "text", text: { content: ${JSON.stringify(TEXT)} } }) });
const j = await r.json();
if (j.errcode !== 0) { console.error(JSON.stringify(j)); process.exit(3); }
`,
  );
  // The cheapest way there in Node: the same request with http.request alone (node:http's global
  // agent). In Node the package posts through node:http (pkg-template/host-node.mjs).
  const httpScript = path.join(CONSUMER, "bench-oneshot-http.mjs");
  fs.writeFileSync(
    httpScript,
    `// bench/cold.mjs: one-shot, the same WeCom text posted with http.request alone (no package)
import http from "node:http";
const body = JSON.stringify({ msgtype: "text", text: { content: ${JSON.stringify(TEXT)} } });
const text = await new Promise((resolve, reject) => {
  const req = http.request(process.env.WP_MOCK_URL + "/cgi-bin/webhook/send?key=oneshotkey", { method: "POST", headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
    const chunks = [];
    res.on("data", (c) => chunks.push(c));
    res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
  req.on("error", reject);
  req.end(body);
});
const j = JSON.parse(text);
if (j.errcode !== 0) { console.error(JSON.stringify(j)); process.exit(3); }
`,
  );
  // WP_BENCH_BASE_CONSUMER=DIR (a project with a base build in node_modules/webhook-push): the
  // same one-shot with it, interleaved with the others.
  const BASE_CONSUMER = process.env.WP_BENCH_BASE_CONSUMER ? path.resolve(process.env.WP_BENCH_BASE_CONSUMER) : null;
  if (BASE_CONSUMER) fs.copyFileSync(oursScript, path.join(BASE_CONSUMER, "bench-oneshot.mjs"));
  const pushooScript = path.join(PUSHOO_DIR, "bench-oneshot-pushoo.mjs");
  if (pushooVersion) {
    fs.writeFileSync(
      pushooScript,
      `// bench/cold.mjs: one-shot import + one send with pushoo (https_proxy = the loopback mock)
import pushoo from "pushoo";
console.debug = () => {};
const notice = pushoo.default ?? pushoo;
const r = await notice("wecombot", { token: "oneshotpushoo", content: ${JSON.stringify(TEXT)} });
if (r?.errcode !== 0) { console.error(JSON.stringify(r)); process.exit(3); }
`,
    );
  }
  const env = { ...process.env, WP_MOCK_URL: mock.url };
  const variants = {
    nothing: [["-e", "0"], CONSUMER, env],
    ours: [[oursScript], CONSUMER, env],
    ours_liftoff: [[oursScript, "liftoff"], CONSUMER, env],
    fetch_only: [[fetchScript], CONSUMER, env],
    http_only: [[httpScript], CONSUMER, env],
    ...(BASE_CONSUMER
      ? { base: [[path.join(BASE_CONSUMER, "bench-oneshot.mjs")], BASE_CONSUMER, env], base_liftoff: [[path.join(BASE_CONSUMER, "bench-oneshot.mjs"), "liftoff"], BASE_CONSUMER, env] }
      : {}),
    ...(pushooVersion ? { pushoo: [[pushooScript], PUSHOO_DIR, { ...env, https_proxy: mock.url, HTTPS_PROXY: mock.url, no_proxy: "", NO_PROXY: "" }] } : {}),
  };
  const spawnTimed = ([args, cwd, e]) => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { cwd, env: e, encoding: "utf8" });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`one-shot ${args.join(" ")}: exit ${r.status}: ${r.stderr}`);
    return ms;
  };
  const keys = Object.keys(variants);
  for (const k of keys) spawnTimed(variants[k]); // warm the file cache
  // Which wasm functions V8 compiles with TurboFan in one such process (the background work Node
  // waits for before it exits): one traced run of each, untimed. Each is told by its body size,
  // and whether a function of that body size is in our wasm at all.
  const ourBodies = new Set(parseWasm(fs.readFileSync(path.join(CONSUMER, "node_modules", "webhook-push", "webhook_push_bg.wasm"))).funcs.map((f) => f.body));
  const turbofan = {};
  for (const k of keys.filter((k) => k !== "nothing")) {
    const [args, cwd, e] = variants[k];
    const r = spawnSync(process.execPath, ["--trace-wasm-compilation-times", ...args], { cwd, env: e, encoding: "utf8" });
    const fns = [...`${r.stdout}${r.stderr}`.matchAll(/using TurboFan, took (\d+) ms .*?bodysize (\d+)/g)].map((m) => ({ ms: Number(m[1]), body_bytes: Number(m[2]), ours: ourBodies.has(Number(m[2])) }));
    turbofan[k] = { functions: fns.length, ms: fns.reduce((a, x) => a + x.ms, 0), ours: fns.filter((x) => x.ours).length, body_bytes: fns.map((x) => x.body_bytes) };
  }
  const t = Object.fromEntries(keys.map((k) => [k, []]));
  for (let i = 0; i < N_ONESHOT; i++) for (const k of i % 2 ? [...keys].reverse() : keys) t[k].push(spawnTimed(variants[k]));
  const added = (k) => stats(t[k].map((x, i) => x - t.nothing[i]));
  oneshot = {
    runs: N_ONESHOT,
    message: "text -> wecom (loopback mock)",
    wall_ms: Object.fromEntries(keys.map((k) => [k, stats(t[k])])),
    added_ms: Object.fromEntries(keys.filter((k) => k !== "nothing").map((k) => [k, added(k)])),
    pushoo: pushooVersion,
    turbofan,
  };
  const fm = median(t.fetch_only) - median(t.nothing);
  oneshot.ratio_added_over_fetch_only = Number(((median(t.ours) - median(t.nothing)) / fm).toFixed(3));
  if (pushooVersion) {
    const pm = median(t.pushoo) - median(t.nothing);
    oneshot.ratio_added_over_pushoo = Number(((median(t.ours) - median(t.nothing)) / pm).toFixed(3));
    oneshot.ratio_added_over_pushoo_liftoff = Number(((median(t.ours_liftoff) - median(t.nothing)) / pm).toFixed(3));
    oneshot.ratio_wall_over_pushoo = Number((median(t.ours) / median(t.pushoo)).toFixed(3));
    oneshot.ratio_fetch_only_added_over_pushoo = Number((fm / pm).toFixed(3));
    oneshot.ratio_http_only_added_over_pushoo = Number(((median(t.http_only) - median(t.nothing)) / pm).toFixed(3));
    if (BASE_CONSUMER) oneshot.ratio_base_added_over_pushoo = Number(((median(t.base) - median(t.nothing)) / pm).toFixed(3));
    oneshot.pushoo_delivered = (await mock.stats(["wecom:oneshotpushoo"]))["wecom:oneshotpushoo"]?.delivered ?? null;
    oneshot.pushoo_runs = N_ONESHOT + 2; // + the warm-up run and the traced run
  }
  console.log(`  one-shot: ${keys.map((k) => `${k} ${median(t[k]).toFixed(0)} ms`).join(", ")}${pushooVersion ? `; ours added / pushoo added ${oneshot.ratio_added_over_pushoo}` : " (pushoo not installed)"}`);
} catch (e) {
  oneshot = { error: String(e?.message || e) };
  console.error(`  one-shot: not measured: ${oneshot.error}`);
} finally {
  await mock.close();
}

// ---- workerd (Miniflare) --------------------------------------------------------------------
let workerd = null;
if (!ONESHOT_ONLY) try {
  const { Miniflare, version, from } = await importMiniflare();
  const dir = path.join(CONSUMER, "bench-worker");
  const pkgDir = path.join(CONSUMER, "node_modules", "webhook-push");
  const pkgModules = packageModules(dir, pkgDir);
  const workerPkg = `import { render } from "webhook-push";
const MSG = ${JSON.stringify(MSG)};
export default { async fetch() { const r = render(MSG, "wecom", { webhook: "benchwecomkey01" }); return Response.json({ parts: r.parts }); } };
`;
  const workerNothing = `const MSG = ${JSON.stringify(MSG)};
export default { async fetch() { return Response.json({ parts: MSG ? 1 : 0 }); } };
`;
  async function start(mode) {
    const modules = mode === "package"
      ? [{ type: "ESModule", path: path.join(dir, "worker.mjs"), contents: workerPkg }, ...pkgModules]
      : [{ type: "ESModule", path: path.join(dir, "worker.mjs"), contents: workerNothing }];
    const t0 = performance.now();
    // cf: false: no cf.json download; nothing leaves the machine
    const mf = new Miniflare({ modules, modulesRoot: dir, compatibilityDate: "2026-07-30", cf: false });
    try {
      await mf.ready;
      const t1 = performance.now();
      const res = await mf.dispatchFetch("http://bench.invalid/");
      const body = await res.json();
      const t2 = performance.now();
      if (body.parts !== 1) throw new Error(`workerd ${mode}: unexpected answer ${JSON.stringify(body)}`);
      return { ready_ms: t1 - t0, first_response_ms: t2 - t0, first_request_ms: t2 - t1 };
    } finally {
      await mf.dispose();
    }
  }
  await start("package");
  await start("nothing");
  const p = [];
  const z = [];
  for (let i = 0; i < N_WORKERD; i++) {
    if (i % 2 === 0) {
      p.push(await start("package"));
      z.push(await start("nothing"));
    } else {
      z.push(await start("nothing"));
      p.push(await start("package"));
    }
  }
  workerd = {
    runs: N_WORKERD,
    miniflare: version,
    miniflare_from: from,
    package_first_response_ms: stats(p.map((r) => r.first_response_ms)),
    nothing_first_response_ms: stats(z.map((r) => r.first_response_ms)),
    added_ms: stats(p.map((r, i) => r.first_response_ms - z[i].first_response_ms)),
    ratio: stats(p.map((r, i) => r.first_response_ms / z[i].first_response_ms)),
    package_ready_ms: stats(p.map((r) => r.ready_ms)),
    nothing_ready_ms: stats(z.map((r) => r.ready_ms)),
    package_first_request_ms: stats(p.map((r) => r.first_request_ms)),
    nothing_first_request_ms: stats(z.map((r) => r.first_request_ms)),
  };
  console.log(`  workerd (miniflare ${version}): ${workerd.package_first_response_ms.median.toFixed(0)} ms vs ${workerd.nothing_first_response_ms.median.toFixed(0)} ms without the package (+${workerd.added_ms.median.toFixed(0)} ms; first request ${workerd.package_first_request_ms.median.toFixed(1)} vs ${workerd.nothing_first_request_ms.median.toFixed(1)} ms)`);
} catch (e) {
  workerd = { error: String(e?.message || e) };
  console.error(`  workerd: not measured: ${workerd.error}`);
}
load.push(loadavg());
console.log(`cold: wrote ${writeJson("cold.json", { node, oneshot, workerd, load })}`);
