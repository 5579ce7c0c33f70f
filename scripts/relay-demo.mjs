#!/usr/bin/env node
// The relay demo: no account, no internet. Builds the package (if needed), starts the mock
// WeCom / DingTalk / Feishu platforms on 127.0.0.1 and the relay Worker (worker-example/) in
// workerd through Miniflare, then:
//   1. posts a firing Alertmanager notification to /v1/alertmanager
//   2. posts one of the seed's example messages to /v1/send
//   3. makes DingTalk fail for a while and posts the "resolved" notification: the relay answers
//      202, its queue consumer re-sends with backoff, and DingTalk gets it a few seconds later
// and prints what each platform received and the relay's per-channel results. Stops by itself.
//
//   node scripts/relay-demo.mjs [--full] [--no-build]
//     --full      print the platform payloads unabridged
//     --no-build  use pkg/ as it is
//   node scripts/relay-demo.mjs --serve [--port 8787]     (make relay-local)
//     keep the relay and the mock platforms running on 127.0.0.1 for trying it by hand (curl, a
//     real Alertmanager or Grafana posting to it); prints what each platform receives; Ctrl-C stops
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);
const args = new Set(argv);
const FULL = args.has("--full");
const SERVE = args.has("--serve");
const PORT = argv.includes("--port") ? Number(argv[argv.indexOf("--port") + 1]) : 8787;
const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code, s) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
const bold = (s) => paint("1", s);
const dim = (s) => paint("2", s);
const indent = (s, n = 4) => String(s).replace(/^/gm, " ".repeat(n));
const OUTCOME_COLOR = { delivered: "32", duplicate: "36", queued: "33", failed: "31" };

const t0 = Date.now();
const since = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
const step = (s) => console.log(`\n${bold(paint("36", `━━ ${s}`))} ${dim(`(${since()})`)}`);

/** scripts/build.sh with its step lines shown, and a line every 15 s while a step runs long. */
async function buildWithProgress(root, log = console.log) {
  const started = Date.now();
  const child = spawn("bash", [path.join(root, "scripts", "build.sh")], { stdio: ["ignore", "pipe", "inherit"] });
  let last = Date.now();
  child.stdout.on("data", (d) => {
    last = Date.now();
    process.stdout.write(dim(String(d).replace(/(^|\n)(?=.)/g, "$1  ")));
  });
  const tick = setInterval(() => {
    if (Date.now() - last >= 15_000) {
      last = Date.now();
      log(dim(`  … still building (${Math.round((Date.now() - started) / 1000)} s; the first build compiles the Rust crate and takes a minute or two)`));
    }
  }, 1000);
  const code = await new Promise((resolve) => child.on("close", resolve));
  clearInterval(tick);
  return code;
}

if (!args.has("--no-build")) {
  step("building the package (scripts/build.sh; incremental: the first build takes a minute or two, later ones seconds)");
  if ((await buildWithProgress(ROOT)) !== 0) {
    console.error("relay-demo: the build failed (see above)");
    process.exit(1);
  }
}

const { BOTS, RELAY_TOKEN, fixture, prepareWorker, startMock, startRelay, visibleText, waitFor } = await import("../tests/relay/harness.mjs");

let mock;
let relay;
let exitCode = 0;
const cleanup = async () => {
  await relay?.dispose().catch(() => {});
  await mock?.close().catch(() => {});
};
// Stop on Ctrl-C, and never run for more than 2 minutes.
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.once(sig, async () => {
    await cleanup();
    process.exit(130);
  });
}
const guard = setTimeout(async () => {
  if (SERVE) return;
  console.error("relay-demo: took longer than 2 minutes; stopping");
  await cleanup();
  process.exit(1);
}, 120_000);
guard.unref();

function maskPath(rec) {
  const q = Object.entries(rec.query ?? {}).map(([k, v]) => `${k}=${["key", "access_token", "sign"].includes(k) ? "***" : v}`);
  const p = rec.platform === "feishu" ? rec.path.replace(/hook\/[^/?]+/, "hook/***") : rec.path;
  return q.length ? `${p}?${q.join("&")}` : p;
}

/** The payload with its long text field replaced by a pointer to the text printed above it. */
function abridged(platform, body) {
  if (FULL) return body;
  const b = structuredClone(body);
  const note = (s) => `«the text above, ${[...s].length} characters»`;
  if (platform === "wecom" && b.markdown?.content) b.markdown.content = note(b.markdown.content);
  if (platform === "dingtalk" && b.actionCard?.text) b.actionCard.text = note(b.actionCard.text);
  if (platform === "dingtalk" && b.markdown?.text) b.markdown.text = note(b.markdown.text);
  if ((platform === "feishu" || platform === "lark") && b.card?.elements) {
    for (const el of b.card.elements) if (el.text?.content && el.text.content.length > 80) el.text.content = note(el.text.content);
  }
  if (b.sign) b.sign = "***";
  return b;
}

/** JSON with short objects and arrays kept on one line. */
function compactJson(v, pad = "") {
  const flat = JSON.stringify(v);
  if (flat === undefined || flat.length + pad.length <= 100 || v === null || typeof v !== "object") return flat;
  const inner = `${pad}  `;
  if (Array.isArray(v)) return `[\n${v.map((x) => inner + compactJson(x, inner)).join(",\n")}\n${pad}]`;
  return `{\n${Object.entries(v).map(([k, x]) => `${inner}${JSON.stringify(k)}: ${compactJson(x, inner)}`).join(",\n")}\n${pad}}`;
}

const ORDER = ["wecom", "dingtalk", "feishu", "lark"];

function printReceived(records) {
  // per platform, in arrival order within each
  const sorted = [...records].sort((a, b) => ORDER.indexOf(a.platform) - ORDER.indexOf(b.platform));
  for (const rec of sorted) {
    const o = rec.outcome;
    const answer = o ? `${o.status} ${JSON.stringify(o.body)}` : "(no answer)";
    const good = o?.status === 200 && (o.body?.errcode === 0 || o.body?.code === 0);
    console.log(`\n  ${bold(paint("35", `▸ ${rec.platform}`))}  ${rec.method} ${maskPath(rec)}  ${dim("→")} ${paint(good ? "32" : "31", answer)}`);
    if (!good) continue;
    console.log(dim("    what the group sees:"));
    console.log(paint("37", indent(visibleText(rec.platform, rec.body), 6)));
    console.log(dim("    payload:"));
    console.log(dim(indent(compactJson(abridged(rec.platform, rec.body)), 6)));
  }
}

function printResult(res) {
  console.log(`\n  ${bold("relay answered")} HTTP ${res.status}  ${dim(JSON.stringify(res.body.summary))}`);
  for (const c of res.body.channels) {
    const extra = [
      `attempts ${c.attempts}`,
      c.parts > 1 ? `${c.parts} parts` : null,
      c.alerts !== undefined ? `${c.alerts} alerts` : null,
      c.error ? `${c.error.code}${c.error.platformCode !== null ? ` (${c.error.platformCode})` : ""}` : null,
      c.queue ? `retry in ${c.queue.delaySeconds}s` : null,
      ...c.degraded.map((d) => `degraded ${d.from}→${d.to}`),
    ].filter(Boolean);
    console.log(`    ${c.channel.padEnd(9)} ${paint(OUTCOME_COLOR[c.outcome] ?? "0", c.outcome.padEnd(10))} ${dim(extra.join(" · "))}`);
  }
}

/** The sample with its times moved so the alerts started minutes ago (the sample files are fixed). */
function fresh(name) {
  const body = fixture(name);
  const starts = body.alerts.map((a) => Date.parse(a.startsAt));
  const shift = Date.now() - 25 * 60_000 - Math.min(...starts);
  const move = (s) => (Date.parse(s) > 0 ? new Date(Date.parse(s) + shift).toISOString() : s);
  for (const a of body.alerts) {
    a.startsAt = move(a.startsAt);
    a.endsAt = move(a.endsAt);
  }
  return body;
}

/** --serve: the relay on a fixed port until Ctrl-C, printing what reaches each platform. */
async function serve(built) {
  if (!Number.isInteger(PORT) || PORT < 1 || PORT > 65535) throw new Error(`--port: ${argv[argv.indexOf("--port") + 1]} is not a port`);
  mock = await startMock();
  relay = await startRelay({ built, mock, port: PORT, env: { RETRY_BASE_SECONDS: "5", RETRY_MAX_SECONDS: "30" } });
  const url = `http://127.0.0.1:${PORT}`;
  step("the relay is running (Ctrl-C stops it)");
  console.log(`  relay            ${bold(url)}   token: ${bold(RELAY_TOKEN)}   (a test token; the bots are the mock's)`);
  console.log(`  mock platforms   ${mock.url}  (WeCom, DingTalk and Feishu bots; strict checks, real rate limits)`);
  console.log(`\n  try it:`);
  console.log(`    curl -H 'Authorization: Bearer ${RELAY_TOKEN}' -H 'content-type: application/json' \\`);
  console.log(`      -d @tests/relay/fixtures/alertmanager-firing.json ${url}/v1/alertmanager`);
  console.log(`    curl -H 'Authorization: Bearer ${RELAY_TOKEN}' -H 'content-type: application/json' \\`);
  console.log(`      -d '{"content":{"type":"text","body":{"text":"hello"}}}' ${url}/v1/send`);
  console.log(`\n  a real Alertmanager (alertmanager.yml):`);
  console.log(dim(`    receivers:\n      - name: relay\n        webhook_configs:\n          - url: ${url}/v1/alertmanager\n            send_resolved: true\n            http_config: { authorization: { type: Bearer, credentials: ${RELAY_TOKEN} } }`));
  console.log(`\n  ${bold("what the platforms receive")} ${dim("(and the relay's log lines)")}`);
  let seen = 0;
  let logged = 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    const recs = mock.received;
    if (recs.length > seen) {
      printReceived(recs.slice(seen));
      seen = recs.length;
    }
    const events = relay.events();
    for (const e of events.slice(logged)) {
      const { level, event, ...rest } = e;
      console.log(`    ${paint(level === "error" ? "31" : level === "warn" ? "33" : "32", String(event).padEnd(16))} ${dim(JSON.stringify(rest))}`);
    }
    logged = events.length;
  }
}

try {
  if (SERVE) {
    step("packing the package and bundling the relay Worker (worker-example/)");
    await serve(await prepareWorker());
  }
  step("packing the package and bundling the relay Worker (worker-example/) as a user's project would");
  const built = await prepareWorker();
  console.log(`  webhook-push@${built.version} (${built.tarball}) → ${path.relative(ROOT, built.scriptPath)}`);

  step("starting the mock platforms and the relay in workerd");
  mock = await startMock();
  relay = await startRelay({
    built,
    mock,
    env: { RETRY_BASE_SECONDS: "1", RETRY_MAX_SECONDS: "2", TIMEZONE: "Asia/Shanghai" },
    queue: { maxBatchTimeout: 0.1, maxRetries: 3 },
  });
  console.log(`  mock platforms   ${mock.url}  (bots: ${Object.values(BOTS).map((b) => b.platform).join(", ")})`);
  console.log(`  relay (workerd)  channels from the seed's variables; PLATFORM_BASE_URL=${mock.url}`);
  const health = await relay.get("/healthz");
  console.log(`  GET /healthz     ${health.status} ${dim(JSON.stringify(health.body))}`);

  // 1. Alertmanager
  step("1. POST /v1/alertmanager: a firing alert group (tests/relay/fixtures/alertmanager-firing.json)");
  console.log(dim(`  curl -H 'Authorization: Bearer ${RELAY_TOKEN.slice(0, 6)}…' -d @alertmanager-firing.json $RELAY/v1/alertmanager`));
  mock.reset();
  let res = await relay.post("/v1/alertmanager", fresh("alertmanager-firing.json"));
  printReceived(mock.received);
  printResult(res);
  if (res.status !== 200) exitCode = 1;

  // 2. a seed example
  const seeds = JSON.parse(fs.readFileSync(path.join(ROOT, "tests", "fixtures", "seed_examples.json"), "utf8"));
  const example = seeds.find((e) => e.name === "deployment-report-markdown") ?? seeds[0];
  step(`2. POST /v1/send: the seed's example "${example.name}"`);
  console.log(indent(dim(compactJson(example.message)), 2));
  mock.reset();
  res = await relay.post("/v1/send", example.message);
  printReceived(mock.received);
  printResult(res);
  if (res.status !== 200) exitCode = 1;

  // 3. durability
  step("3. DingTalk is down for a while: the relay queues, its consumer re-sends with backoff");
  mock.reset();
  mock.script("dingtalk", BOTS.dingtalk.key, [{ type: "busy", times: 4 }]);
  console.log(dim("  mock: DingTalk answers {errcode: -1, \"system busy\"} to the next 4 requests"));
  res = await relay.post("/v1/alertmanager", fresh("alertmanager-resolved.json"));
  printResult(res);
  if (res.status !== 202) exitCode = 1;
  console.log(dim("\n  waiting for the queue consumer…"));
  await waitFor(() => relay.events("delivered").some((e) => e.id === res.body.id && e.channel === "dingtalk"), {
    timeout: 30_000,
    what: "the queue consumer to deliver to DingTalk",
  });
  console.log(`\n  ${bold("the relay's log")} ${dim("(one JSON object per line; channel names, outcomes and codes, never keys or secrets)")}`);
  for (const e of relay.events().filter((x) => x.id === res.body.id)) {
    const { level, event, ...rest } = e;
    const c = level === "error" ? "31" : level === "warn" ? "33" : "32";
    const keep = ["channel", "status", "outcome", "queueAttempt", "attempts", "delaySeconds", "code", "platformCode", "via"];
    console.log(`    ${paint(c, event.padEnd(16))} ${dim(JSON.stringify(Object.fromEntries(keep.filter((k) => k in rest).map((k) => [k, rest[k]]))))}`);
  }
  console.log(`\n  ${bold("what DingTalk received")}`);
  printReceived(mock.receivedFor("dingtalk"));

  step(exitCode === 0 ? paint("32", "done: the relay delivered every message") : paint("31", "done, with unexpected results (see above)"));
} catch (e) {
  console.error(`\nrelay-demo: ${e?.stack ?? e}`);
  exitCode = 1;
} finally {
  await cleanup();
  clearTimeout(guard);
}
process.exit(exitCode);
