#!/usr/bin/env node
// Against Apprise (bench/.venv, driven by bench/apprise_shim.py, its plugins' host constants
// pointed at the loopback mock): for the same messages to DingTalk (signed), Feishu and WeCom,
//   1. what each delivers: the bodies that arrive at the mock, described side by side;
//   2. raw sending speed at concurrency 1, messages per second, Apprise's throttle off and our
//      rate limiter off, with the plain fetch loop as the host's limit, in the same rounds;
//   3. bursts to one bot with each tool's defaults (mock rate limits on, real 60 s windows): the
//      time until all of 20 and of 50 messages are delivered, and the rate-limit errors the mock
//      answered. QUICK=1 runs only our 20-message bursts (the rest takes ~5 minutes).
// Writes bench/out/apprise.json.
import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { at, BENCH, loadavg, loadPackage, QUICK, stats, writeJson } from "./lib/common.mjs";
import { forApprise, MESSAGE_LABELS, MESSAGES, PLATFORMS, SECRETS, SHORT } from "./lib/messages.mjs";
import { startMockProcess } from "./lib/mock.mjs";
import { fetchRunner, precompute, timed } from "./lib/workloads.mjs";

const PY = path.join(BENCH, ".venv", "bin", "python");
const SHIM = path.join(BENCH, "apprise_shim.py");
const ROUNDS = Number(process.env.WP_BENCH_ROUNDS || 5);
const N_RAW = Number(process.env.WP_BENCH_APPRISE_N || 300);
if (!fs.existsSync(PY)) throw new Error(`${PY} is missing: bench/run.sh installs Apprise there`);

const wp = await loadPackage();
const load = [loadavg()];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wp-bench-apprise-"));
let jobNo = 0;

function shim(job, timeoutMs = 15 * 60_000) {
  const file = path.join(tmp, `job${jobNo++}.json`);
  fs.writeFileSync(file, JSON.stringify(job));
  return new Promise((resolve, reject) => {
    execFile(PY, [SHIM, file], { timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`apprise_shim ${job.mode} ${job.platform}: ${err.message}\n${stderr}`));
      resolve(JSON.parse(stdout.trim().split("\n").pop()));
    });
  });
}

function appriseVersions() {
  return new Promise((resolve) => {
    execFile(PY, ["-c", "import apprise, sys, requests; print(apprise.__version__); print(sys.version.split()[0]); print(requests.__version__)"], (err, out) => {
      const [a, p, r] = err ? [] : out.trim().split("\n");
      resolve({ apprise: a ?? null, python: p ?? null, requests: r ?? null });
    });
  });
}

/** What a delivered body is: type, mentions that notify, links/buttons, bytes. */
function describe(platform, rec) {
  let b;
  try {
    b = JSON.parse(rec.raw);
  } catch {
    return { type: "(not JSON)", bytes: Buffer.byteLength(rec.raw || "") };
  }
  const type = platform === "feishu" ? b.msg_type : b.msgtype;
  const inner = platform === "feishu" ? (b.card ?? b.content) : b[b.msgtype];
  let mentions = 0;
  let links = 0;
  const walk = (v, k) => {
    if (typeof v === "string") {
      links += (v.match(/\]\(https?:/g) || []).length + (v.match(/<a href=/g) || []).length;
      if (/^(url|href|actionURL|singleURL|messageURL|picURL|pc_url|default_url)$/.test(k) && /^https?:/.test(v)) links++;
      mentions += (v.match(/<at [^>]*>/g) || []).length + (v.match(/<@[^>]+>/g) || []).length;
    } else if (Array.isArray(v)) v.forEach((x) => walk(x, k));
    else if (v && typeof v === "object") {
      if (v.tag === "at" && (v.user_id || v.open_id)) mentions++;
      for (const [kk, x] of Object.entries(v)) walk(x, kk);
    }
  };
  walk(inner, "");
  if (platform === "wecom" && b.msgtype === "text") mentions += (inner?.mentioned_mobile_list?.length || 0) + (inner?.mentioned_list?.length || 0);
  if (platform === "dingtalk") mentions += (b.at?.atMobiles?.length || 0) + (b.at?.atUserIds?.length || 0) + (b.at?.isAtAll ? 1 : 0);
  const sub = b.msgtype === "template_card" ? `/${inner?.card_type}` : "";
  const ok = rec.outcome?.status === 200 && (rec.outcome.body?.errcode ?? rec.outcome.body?.code) === 0;
  return { type: `${type}${sub}`, bytes: Buffer.byteLength(rec.raw), mentions, links, delivered: ok, outcome: ok ? "ok" : JSON.stringify(rec.outcome?.body).slice(0, 160), warnings: rec.warnings?.length || 0 };
}

/** The least time the platform's rate windows allow for n messages sent at t=0 (seconds). */
function platformFloor(platform, n) {
  const windows = platform === "feishu" ? [{ max: 5, span: 1 }, { max: 100, span: 60 }] : [{ max: 20, span: 60 }];
  const t = [];
  for (let i = 0; i < n; i++) {
    let x = 0;
    for (const w of windows) if (i >= w.max) x = Math.max(x, t[i - w.max] + w.span);
    t.push(x);
  }
  return t[n - 1];
}

const out = { versions: await appriseVersions(), delivered: [], raw: [], bursts: null, load, notes: [] };
out.notes.push("Apprise's Feishu plugin posts to .../hook/TOKEN/ (trailing slash); the shim drops the slash because the mock routes only the documented path.");
out.notes.push("Apprise's notify() returns True when the HTTP status is 200, whatever the platform's errcode in the body: 'Apprise said ok' and 'delivered' (the mock's answer) are reported separately.");
out.notes.push("Apprise's Feishu plugin has no signing: its Feishu bot on the mock has no secret, and in the raw-speed and burst parts ours sends to an unsigned Feishu bot too. DingTalk is signed for both.");

// ---- 1 + 2: rate limits off ------------------------------------------------------------------
let mock = await startMockProcess({ rateLimits: false });
try {
  // 1. what arrives
  for (const p of PLATFORMS) {
    for (const m of Object.keys(MESSAGES)) {
      const secret = p === "dingtalk" ? SECRETS.dingtalk : null;
      const oursBot = await mock.addBot({ platform: p, key: `capours${p}${m.replace(/_/g, "")}`, ...(SECRETS[p] ? { secret: SECRETS[p] } : {}), capture: true });
      const appBot = await mock.addBot({ platform: p, key: `capapprise${p}${m.replace(/_/g, "")}`, ...(secret ? { secret } : {}), capture: true });
      const sender = new wp.MessageSender({ rateLimit: false, baseUrls: mock.baseUrls });
      const r = await sender.send(MESSAGES[m], p, SECRETS[p] ? { webhookUrl: oursBot.key, secret: SECRETS[p] } : { webhookUrl: oursBot.key });
      const a = await shim({ mode: "once", base: mock.url, platform: p, key: appBot.key, secret, messages: [forApprise(MESSAGES[m])] });
      const oursRecs = await mock.captured(`${p}:${oursBot.key}`);
      const appRecs = await mock.captured(`${p}:${appBot.key}`);
      const sample = (recs) => recs.map((x) => x.raw).join("\n").slice(0, 600);
      out.delivered.push({
        platform: p,
        message: m,
        label: MESSAGE_LABELS[m],
        ours: { success: r.success, requests: oursRecs.length, parts: oursRecs.map((x) => describe(p, x)), degraded: r.degraded.map((d) => `${d.from}→${d.to}`), sample: sample(oursRecs) },
        apprise: { success: a.ok[0], requests: appRecs.length, parts: appRecs.map((x) => describe(p, x)), sample: sample(appRecs) },
      });
    }
  }
  console.log(`  delivered: ${out.delivered.map((d) => `${d.platform}/${d.message}: ours ${d.ours.parts.map((x) => x.type).join("+")} vs apprise ${d.apprise.parts.map((x) => x.type).join("+") || "nothing"}`).join("; ")}`);

  // 2. raw speed, concurrency 1
  for (const p of PLATFORMS) {
    const secret = p === "dingtalk" ? SECRETS.dingtalk : null;
    const oursBot = await mock.addBot({ platform: p, key: `rawours${p}`, ...(secret ? { secret } : {}) });
    const appBot = await mock.addBot({ platform: p, key: `rawapprise${p}`, ...(secret ? { secret } : {}) });
    const combos = SHORT.map((m) => ({ message: MESSAGES[m], platform: p, target: secret ? { webhookUrl: oursBot.key, secret } : { webhookUrl: oursBot.key } }));
    const pre = precompute(wp, combos, mock.baseUrls);
    const plain = fetchRunner(pre);
    const sender = new wp.MessageSender({ rateLimit: false, baseUrls: mock.baseUrls });
    const ours = async (n) => {
      let failed = 0;
      for (let i = 0; i < n; i++) {
        const c = combos[i % combos.length];
        if (!(await sender.send(c.message, p, c.target)).success) failed++;
      }
      return failed;
    };
    const appJob = { mode: "raw", base: mock.url, platform: p, key: appBot.key, secret, messages: SHORT.map((m) => forApprise(MESSAGES[m])), n: N_RAW, throttle: false };
    await ours(50);
    await plain(50, 1);
    await shim({ ...appJob, n: 20 });
    const rows = { ours: [], fetch: [], apprise: [], apprise_cpu_ms: [], ours_cpu_ms: [], fetch_cpu_ms: [] };
    let failures = { ours: 0, fetch: 0, apprise: 0 };
    for (let k = 0; k < ROUNDS; k++) {
      const order = [["ours", "fetch", "apprise"], ["fetch", "apprise", "ours"], ["apprise", "ours", "fetch"]][k % 3];
      for (const who of order) {
        if (who === "apprise") {
          const r = await shim(appJob);
          rows.apprise.push(r.n / r.elapsed_s);
          rows.apprise_cpu_ms.push((r.cpu_s * 1000) / r.n);
          failures.apprise += r.n - r.ok;
        } else {
          const r = await timed(() => (who === "ours" ? ours(N_RAW) : plain(N_RAW, 1)));
          rows[who].push(N_RAW / (r.ms / 1000));
          rows[`${who}_cpu_ms`].push(r.cpuMs / N_RAW);
          failures[who] += r.failed;
        }
      }
    }
    const row = {
      platform: p,
      messages_per_round: N_RAW,
      ours_per_s: stats(rows.ours),
      fetch_per_s: stats(rows.fetch),
      apprise_per_s: stats(rows.apprise),
      ratio_ours_over_apprise: stats(rows.ours.map((x, i) => x / rows.apprise[i])),
      ratio_fetch_over_apprise: stats(rows.fetch.map((x, i) => x / rows.apprise[i])),
      ratio_ours_over_fetch: stats(rows.ours.map((x, i) => x / rows.fetch[i])),
      cpu_ms_per_msg: { ours: stats(rows.ours_cpu_ms), fetch: stats(rows.fetch_cpu_ms), apprise: stats(rows.apprise_cpu_ms) },
      failures,
      mock_answers: Object.fromEntries(Object.entries(await mock.stats([`${p}:${oursBot.key}`, `${p}:${appBot.key}`])).map(([k, v]) => [k.startsWith(`${p}:rawours`) ? "ours" : "apprise", { requests: v.requests, delivered: v.delivered, rejected: v.requests - v.delivered, error_samples: v.errorSamples }])),
    };
    out.raw.push(row);
    console.log(`  raw ${p.padEnd(8)}: ours ${row.ours_per_s.median.toFixed(0)}/s, fetch ${row.fetch_per_s.median.toFixed(0)}/s, apprise ${row.apprise_per_s.median.toFixed(0)}/s (ours/apprise ${row.ratio_ours_over_apprise.median.toFixed(2)}, fetch/apprise ${row.ratio_fetch_over_apprise.median.toFixed(2)})`);
  }
} finally {
  await mock.close();
}

// ---- 3: bursts, rate limits on ----------------------------------------------------------------
function oursBurst(job) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [at("bench", "lib", "burst-ours.mjs"), JSON.stringify(job)], { stdio: ["ignore", "pipe", "inherit"] });
    let s = "";
    child.stdout.on("data", (d) => (s += d));
    const t = setTimeout(() => child.kill("SIGKILL"), 10 * 60_000);
    child.on("exit", (code) => {
      clearTimeout(t);
      if (code !== 0) return reject(new Error(`burst-ours ${job.platform} ${job.n}: exit ${code}`));
      resolve(JSON.parse(s.trim().split("\n").pop()));
    });
  });
}

mock = await startMockProcess({ rateLimits: true });
try {
  const runs = [];
  const burst = async (tool, p, n, rep) => {
    const key = `b${n}${tool}${p}r${rep}`;
    const secret = p === "dingtalk" ? SECRETS.dingtalk : null;
    await mock.addBot({ platform: p, key, ...(secret ? { secret } : {}) });
    const r = tool === "ours"
      ? await oursBurst({ platform: p, n, key, secret, baseUrls: mock.baseUrls })
      : await shim({ mode: "burst", base: mock.url, platform: p, key, secret, messages: SHORT.map((m) => ({ ...forApprise(MESSAGES[m]), mobiles: [] })), n });
    const st = (await mock.stats([`${p}:${key}`]))[`${p}:${key}`] ?? {};
    const run = {
      tool,
      platform: p,
      n,
      repeat: rep,
      delivered: st.delivered ?? 0,
      rate_limit_errors: st.rateLimited ?? 0,
      other_errors: st.otherErrors ?? 0,
      requests: st.requests ?? 0,
      all_delivered_s: st.delivered >= n ? (st.lastDeliveredAt - r.started_at) / 1000 : null,
      last_delivered_s: st.lastDeliveredAt ? (st.lastDeliveredAt - r.started_at) / 1000 : null,
      last_request_s: st.lastAt ? (st.lastAt - r.started_at) / 1000 : null,
      first_arrival_s: st.firstAt ? (st.firstAt - r.started_at) / 1000 : null,
      client_done_s: (r.finished_at - r.started_at) / 1000,
      client_ok: r.ok,
      client_errors: r.errors ?? null,
      platform_floor_s: platformFloor(p, n),
      posted_s: r.posted_s ?? null,
      error_samples: st.errorSamples ?? [],
    };
    runs.push(run);
    console.log(`  burst ${tool.padEnd(7)} ${p.padEnd(8)} ${n}: delivered ${run.delivered}/${n}, last delivery at ${run.last_delivered_s?.toFixed(2) ?? "–"} s, last request at ${run.last_request_s?.toFixed(2) ?? "–"} s (floor ${run.platform_floor_s} s), rate-limit errors ${run.rate_limit_errors}`);
    return run;
  };
  const REPS20 = 3;
  for (let rep = 0; rep < REPS20; rep++) for (const p of PLATFORMS) await burst("ours", p, 20, rep);
  if (!QUICK) {
    // The long ones run concurrently, each to its own bot. Apprise's first (its 6 Python
    // processes take a few seconds of CPU to start), ours once they are under way, so that one
    // tool's start-up does not load the machine during the other's first seconds.
    const long = [];
    for (const p of PLATFORMS) {
      long.push(burst("apprise", p, 20, 0));
      long.push(burst("apprise", p, 50, 0));
    }
    await new Promise((r) => setTimeout(r, 8000));
    for (const p of PLATFORMS) long.push(burst("ours", p, 50, 0));
    await Promise.all(long);
  }
  out.bursts = { quick: QUICK, runs, note: QUICK ? "QUICK=1: only our 20-message bursts were run" : "all bursts; the long ones ran concurrently, each to its own bot" };
} finally {
  await mock.close();
}
load.push(loadavg());
fs.rmSync(tmp, { recursive: true, force: true });
console.log(`apprise: wrote ${writeJson("apprise.json", out)}`);
