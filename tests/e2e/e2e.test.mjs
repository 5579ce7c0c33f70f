// End-to-end: the packed package, installed as a user installs it, sending to the loopback mock
// platforms from Node (ESM and CommonJS), Deno, Bun and workerd (Miniflare).
//
// The mock (tests/mock) and a small assets server run in this process. Each runtime gets its
// own bots (random keys and secrets) and scripted faults, runs scenarios.mjs (one module for
// all runtimes) as a child process or, for workerd, as a Worker dispatched through Miniflare,
// and reports JSON. The assertions here read that report and what the mock received.
//
//   E2E_CONSUMER=target/consumer  project with the tarball installed (default: pack-install.sh's)
//   E2E_RUNTIMES=deno,bun         only these runtimes (node-esm, node-cjs, deno, bun, workerd)
//   E2E_ONLY=burst,split          only these scenarios (their tests then fail: for debugging only)
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startMockPlatforms } from "../mock/platforms.mjs";
import {
  closedPort, md5, makePlan, planSecrets, prepareConsumer, runChild, runWorker, startAssets, toolBin,
} from "./harness.mjs";

// A runtime quirk these tests found (reported, not hidden). Deno's fetch re-sends a request once,
// on a new connection, when a reused keep-alive connection is reset after the whole request was
// written (a POST included). The package cannot see the first reset: its `attempts` is one lower
// than the requests the platform got, and a POST the platform had already processed before the
// reset arrives twice. Node, Bun and workerd report the reset. Where this applies, the tests
// accept attempts between (requests - resets) and requests, and print what they observed.
const REPLAYS_POST_AFTER_RESET = new Set(["deno"]);

const CODES = new Set(["INVALID_MESSAGE", "INVALID_CONFIG", "UNKNOWN_PLATFORM", "UNSUPPORTED", "RATE_LIMIT", "NETWORK_ERROR", "TIMEOUT", "PLATFORM_ERROR", "DUPLICATE"]);

const RUNTIMES = [
  { name: "node-esm", entry: /\/node_modules\/webhook-push\/node\.mjs$/, run: (ctx, plan) => runChild(process.execPath, ["run.mjs"], { cwd: ctx.dir, plan }) },
  { name: "node-cjs", entry: /\/node_modules\/webhook-push\/node\.cjs$/, run: (ctx, plan) => runChild(process.execPath, ["run.cjs"], { cwd: ctx.dir, plan }) },
  {
    name: "deno",
    entry: /\/node_modules\/webhook-push\/deno\.mjs$/,
    // Only loopback network and the environment (sendAuto reads Deno.env); no file access.
    run: (ctx, plan) =>
      runChild(toolBin("deno"), ["run", "--no-lock", "--no-prompt", "--allow-net=127.0.0.1", "--allow-env", "run.mjs"], {
        cwd: ctx.dir,
        plan,
        env: { DENO_DIR: `${ctx.consumer}/.deno-cache` },
      }),
  },
  {
    name: "bun",
    entry: /\/node_modules\/webhook-push\/node\.mjs$/,
    run: (ctx, plan) => runChild(toolBin("bun"), ["--no-install", "run", "run.mjs"], { cwd: ctx.dir, plan, env: { BUN_RUNTIME_TRANSPILER_CACHE_PATH: "0" } }),
  },
  { name: "workerd", entry: /^node_modules\/webhook-push\/workerd\.mjs$/, run: (ctx, plan) => runWorker({ dir: ctx.dir, pkgDir: ctx.pkgDir, plan }) },
];
const selected = process.env.E2E_RUNTIMES ? process.env.E2E_RUNTIMES.split(",") : null;

let ctx;
let mock;
let assets;
let closedUrl;

before(async () => {
  ctx = prepareConsumer();
  mock = await startMockPlatforms({ strict: true });
  assets = await startAssets();
  closedUrl = `http://127.0.0.1:${await closedPort()}`;
});

after(async () => {
  await mock?.close();
  await assets?.close();
});

// ---- helpers --------------------------------------------------------------------------------

const recs = (plan, name) => mock.receivedFor(plan.bots[name].platform, plan.bots[name].key);
const okAnswer = (r) => r.outcome?.status === 200 && (r.outcome.body?.errcode === 0 || r.outcome.body?.code === 0);
const brief = (v) => String(JSON.stringify(v)).slice(0, 1500);

function failed(r, code, where) {
  assert.equal(r.success, false, `${where}: not delivered (${brief(r)})`);
  assert.ok(r.error && typeof r.error === "object", `${where}: has an error`);
  assert.equal(r.error.code, code, `${where}: error.code (${brief(r.error)})`);
  assert.ok(typeof r.error.message === "string" && r.error.message.length > 0, `${where}: error.message`);
}

function delivered(r, where, attempts = 1) {
  assert.equal(r.success, true, `${where}: delivered (${brief(r)})`);
  assert.equal(r.error, null, `${where}: no error`);
  assert.equal(r.attempts, attempts, `${where}: attempts`);
  assert.equal(r.partsDelivered, r.parts, `${where}: every part delivered`);
}

/** Resolved, not rejected, not thrown synchronously; the value. */
function resolvedValue(s, where) {
  assert.ok(!("syncThrow" in s), `${where}: threw synchronously: ${brief(s.syncThrow)}`);
  assert.ok(!("notAPromise" in s), `${where}: did not return a promise`);
  assert.ok(!("rejected" in s), `${where}: rejected: ${brief(s.rejected)}`);
  return s.resolved;
}

function inputFailure(r, code, where) {
  failed(r, code, where);
  assert.equal(r.attempts, 0, `${where}: nothing sent`);
  assert.equal(r.retrySuggested, false, `${where}: no retry suggested`);
  assert.ok(CODES.has(r.error.code), `${where}: a documented code`);
}

// ---- one suite per runtime -------------------------------------------------------------------

for (const rt of RUNTIMES) {
  describe(rt.name, { skip: selected && !selected.includes(rt.name) ? "not in E2E_RUNTIMES" : false }, () => {
    let plan;
    let run;
    let S; // report.scenarios

    before(async () => {
      plan = makePlan(rt.name, mock, assets, closedUrl);
      run = await rt.run(ctx, plan);
      S = run.report?.scenarios ?? {};
      const tail = (s) => s.split("\n").slice(-40).join("\n");
      console.log(`# ${rt.name}: ran in ${run.wallMs} ms (${run.info?.version ?? "?"}); scenario ms ${JSON.stringify(run.report?.timings ?? {})}`);
      if (run.stderr.trim()) console.log(`# ${rt.name} stderr:\n${tail(run.stderr)}`);
      if (!run.report) console.log(`# ${rt.name} produced no report. killedBy=${run.killedBy} code=${run.code}\n${tail(run.stderr)}\n${tail(run.stdout)}`);
    });

    /** The scenario's value, failing with the crash or the missing report. */
    const scenario = (name) => {
      assert.ok(run.report, `${rt.name} gave no report (killedBy: ${run.killedBy}; code ${run.code})\nstderr:\n${run.stderr.slice(-3000)}`);
      const v = S[name];
      assert.ok(v !== undefined, `scenario ${name} did not run`);
      assert.ok(!v.crashed, `scenario ${name} crashed: ${v.crashed?.stack || v.crashed?.message}`);
      return v;
    };

    test("runs the package by name from its runtime's entry, and exits by itself", () => {
      assert.ok(run.report, `no report (killedBy: ${run.killedBy}; exit ${run.code} ${run.signal})\n${run.stderr.slice(-3000)}`);
      assert.equal(run.killedBy, null, `${rt.name} had to be stopped: ${run.killedBy}`);
      assert.equal(run.code, 0, `exit code (stderr: ${run.stderr.slice(-2000)})`);
      assert.match(String(run.info.entry), rt.entry, "the exports map picked this runtime's entry");
      assert.deepStrictEqual(run.info.exports, ["MessageSender", "UnifiedMessage", "botId", "detectPlatform", "isWebhookPushError", "parseTarget", "platformInfo", "render"]);
    });

    test("1. success on wecom, dingtalk (signed), feishu (signed), lark; strict shapes and signatures", () => {
      const s = scenario("success");
      const types = { wecom: ["text", "markdown", "template_card"], dingtalk: ["text", "markdown", "actionCard"], feishu: ["text", "post", "interactive"], lark: ["text", "post", "interactive"] };
      const botOf = { wecom: "okWecom", dingtalk: "okDingtalk", feishu: "okFeishu", lark: "okLark" };
      for (const [platform, results] of Object.entries(s)) {
        assert.equal(results.length, 3);
        results.forEach((r, i) => {
          delivered(r, `${platform}[${i}]`);
          assert.equal(r.platform, platform);
        });
        assert.equal(results[1].correlationId, `${plan.idPrefix}-corr-1`, "a UnifiedMessage instance keeps its metadata");
        const got = recs(plan, botOf[platform]);
        assert.equal(got.length, 3, `${platform}: the mock received 3`);
        for (const r of got) {
          assert.ok(okAnswer(r), `${platform}: the mock accepted it: ${brief(r.outcome)}`);
          assert.deepStrictEqual(r.warnings, [], `${platform}: no strict-mode warnings`);
        }
        assert.deepStrictEqual(got.map((r) => r.body.msgtype ?? r.body.msg_type), types[platform], `${platform}: message types`);
        if (platform === "dingtalk") for (const r of got) assert.ok(r.query.timestamp && r.query.sign, "DingTalk requests are signed in the URL");
        if (platform === "feishu") for (const r of got) assert.ok(r.body.timestamp && r.body.sign, "Feishu requests are signed in the body");
        if (platform === "lark") for (const r of got) assert.equal(r.body.sign, undefined, "the unsigned Lark bot gets no signature");
        if (platform === "wecom") assert.deepStrictEqual(got[0].body.text.mentioned_list, ["@all"], "@all on WeCom");
      }
    });

    test("2. retries after HTTP 500, busy, reset and malformed succeed; a delay past the timeout is TIMEOUT", (t) => {
      const s = scenario("retries");
      const expect = { wecom: ["retryWecom", 4, ["http", "busy", "reset"]], dingtalk: ["retryDingtalk", 3, ["reset", "busy"]], feishu: ["retryFeishu", 3, ["http", "malformed"]], lark: ["retryLark", 2, ["reset"]] };
      for (const [platform, [bot, requests, faults]] of Object.entries(expect)) {
        const r = s[platform];
        const where = `${platform} after ${faults.join(", ")}`;
        const got = recs(plan, bot);
        assert.equal(got.length, requests, `${platform}: the mock got one request per fault, then the good one`);
        assert.deepStrictEqual(got.slice(0, -1).map((g) => g.outcome.fault), faults, `${platform}: the scripted faults, in order`);
        assert.ok(okAnswer(got.at(-1)), `${platform}: the last request was accepted (signature re-made per attempt): ${brief(got.at(-1).outcome)}`);
        const resets = faults.filter((f) => f === "reset").length;
        if (REPLAYS_POST_AFTER_RESET.has(rt.name) && resets > 0) {
          delivered(r, where, r.attempts);
          assert.ok(r.attempts >= requests - resets && r.attempts <= requests, `${where}: attempts ${r.attempts}, requests ${requests}`);
          if (r.attempts < requests) t.diagnostic(`QUIRK ${rt.name}: fetch re-sent the POST after a reset: ${platform} attempts ${r.attempts}, the mock got ${requests}`);
        } else {
          delivered(r, where, requests);
        }
        assert.ok(r.attempts > 1, `${where}: retried`);
      }
      const to = s.timeout;
      failed(to, "TIMEOUT", "delay 1500 ms > timeout 300 ms");
      assert.equal(to.attempts, 3, "1 + maxRetries 2");
      assert.equal(to.retrySuggested, true);
      assert.ok(to.elapsedMs >= 850 && to.elapsedMs < 4000, `three 300 ms timeouts and two short waits, took ${to.elapsedMs} ms`);
      const got = recs(plan, "timeoutWecom");
      assert.equal(got.length, 3, "the mock saw three attempts (and, as a real platform would, delivered each one: a timeout is not a failure to deliver)");
      assert.ok(got.every((r) => r.outcome?.fault === "delay"));
    });

    test("3. permanent refusals are not retried: keywords, wrong secrets, unknown key", () => {
      const s = scenario("permanent");
      const cases = [
        ["keywords", "keywordDingtalk", 310000, 1, /keywords/],
        // "sign not match" is not a timestamp problem: re-signing with the same secret cannot help
        ["dingtalkWrongSecret", "wrongSecretDingtalk", 310000, 1, /sign not match/],
        // Feishu's 19021 may be a stale timestamp: one re-sign, then give up
        ["feishuWrongSecret", "wrongSecretFeishu", 19021, 2, /sign match fail/],
      ];
      for (const [name, bot, code, attempts, msg] of cases) {
        const r = s[name];
        failed(r, "PLATFORM_ERROR", name);
        assert.equal(r.attempts, attempts, `${name}: attempts`);
        assert.equal(r.retrySuggested, false, `${name}: retrySuggested`);
        assert.equal(r.retryAfter, null, `${name}: retryAfter`);
        assert.equal(r.error.platformCode, code, `${name}: platformCode`);
        assert.match(r.error.platformMessage, msg, `${name}: platformMessage`);
        assert.equal(recs(plan, bot).length, attempts, `${name}: the mock saw ${attempts}`);
      }
      const u = s.wecomUnknownKey;
      failed(u, "PLATFORM_ERROR", "unknown WeCom key");
      assert.equal(u.error.platformCode, 93000);
      assert.equal(u.attempts, 1);
      assert.equal(u.retrySuggested, false);
      assert.equal(mock.receivedFor("wecom", plan.unknownWecomKey).length, 1);
    });

    test("4. a burst of 25 to one WeCom bot: 20 delivered, 5 RATE_LIMIT with retryAfter ~60 s, no 45009", () => {
      const s = scenario("burst");
      assert.equal(s.results.length, 25);
      const ok = s.results.filter((r) => r.success);
      const limited = s.results.filter((r) => !r.success);
      assert.equal(ok.length, 20, `20 delivered: ${brief(limited.map((r) => r.error))}`);
      for (const r of ok) delivered(r, "burst");
      assert.equal(limited.length, 5);
      for (const r of limited) {
        failed(r, "RATE_LIMIT", "over the window");
        assert.equal(r.retrySuggested, true);
        assert.equal(r.attempts, 0, "never sent");
        assert.ok(r.retryAfter >= 55_000 && r.retryAfter <= 61_000, `retryAfter ${r.retryAfter} ≈ 60 s`);
      }
      // first come, first served: the last five calls are the ones refused
      assert.deepStrictEqual(s.results.map((r, i) => (r.success ? -1 : i)).filter((i) => i >= 0), [20, 21, 22, 23, 24]);
      assert.ok(s.wallMs < 5000, `did not wait out the window (${s.wallMs} ms)`);
      const got = recs(plan, "burstWecom");
      assert.equal(got.length, 20, "the mock received 20");
      assert.equal(got.filter((r) => r.outcome?.body?.errcode === 45009).length, 0, "zero 45009 answers");
      assert.ok(got.every(okAnswer));
      assert.deepStrictEqual(new Set(got.map((r) => r.body.text.content)), new Set(Array.from({ length: 20 }, (_, i) => `e2e burst ${i}`)));
    });

    test("5. sendMulti sends in parallel; sendAuto reads the seed's variables from the host's env", () => {
      const s = scenario("multi");
      const m = s.multi;
      assert.equal(m.successCount, 3, brief(m));
      assert.equal(m.failedCount, 0);
      assert.deepStrictEqual(m.results.map((r) => r.platform), ["wecom", "dingtalk", "feishu"]);
      m.results.forEach((r) => delivered(r, `multi ${r.platform}`));
      // each bot answers 700 ms late: about one send's time, not three
      assert.ok(s.multiWallMs >= 650 && s.multiWallMs < 1600, `sendMulti took ${s.multiWallMs} ms (sequential would be >= 2100)`);
      const arrivals = ["multiWecom", "multiDingtalk", "multiFeishu"].map((b) => {
        const got = recs(plan, b);
        assert.equal(got.length, 1, `${b}: one request`);
        assert.ok(okAnswer(got[0]), `${b}: accepted`);
        return got[0].at;
      });
      assert.ok(Math.max(...arrivals) - Math.min(...arrivals) < 500, `the three requests arrived together: ${arrivals}`);

      const a = s.auto;
      assert.equal(s.envSource, "host", "sendAuto got the runtime's own env object");
      assert.deepStrictEqual(a.sentPlatforms, ["wecom", "dingtalk"], brief(a));
      assert.deepStrictEqual(a.skippedPlatforms, ["feishu", "lark"]);
      assert.deepStrictEqual(a.failedPlatforms, []);
      assert.equal(a.successCount, 2);
      assert.equal(a.failedCount, 0);
      assert.equal(recs(plan, "autoWecom").length, 1);
      const dt = recs(plan, "autoDingtalk");
      assert.equal(dt.length, 1);
      assert.ok(okAnswer(dt[0]) && dt[0].query.sign, "DingTalk via sendAuto is signed with DINGTALK_SECRET");
    });

    test("6. dedup: the same message_id twice is DUPLICATE and the mock received one", () => {
      const s = scenario("dedup");
      delivered(s.first, "first");
      assert.equal(s.first.messageId, `${plan.idPrefix}-dedup-1`);
      inputFailure(s.second, "DUPLICATE", "second");
      assert.equal(s.second.messageId, `${plan.idPrefix}-dedup-1`);
      assert.equal(recs(plan, "dedupWecom").length, 1);
      const [x, y] = s.together;
      assert.deepStrictEqual([x.success, y.success].sort(), [false, true], `two at once: one goes (${brief(s.together)})`);
      failed(x.success ? y : x, "DUPLICATE", "the other one at once");
      assert.equal(recs(plan, "dedupWecom2").length, 1);
    });

    test("7. split: a 10 KB text arrives as several WeCom messages, in order, one result", () => {
      const s = scenario("split");
      const r = s.result;
      assert.ok(s.textBytes >= 9_500, `${s.textBytes} bytes`);
      delivered(r, "split", r.parts);
      assert.ok(r.parts >= 5, `parts ${r.parts}`);
      assert.equal(r.partsDelivered, r.parts);
      const got = recs(plan, "splitWecom");
      assert.equal(got.length, r.parts, "one request per part");
      assert.ok(got.every((g) => okAnswer(g) && g.body.msgtype === "text"));
      for (const g of got) assert.ok(Buffer.byteLength(g.body.text.content) <= 2048, "each part within WeCom's 2048 bytes");
      const lines = got.flatMap((g) => [...g.body.text.content.matchAll(/line (\d{3}):/g)].map((m) => Number(m[1])));
      assert.deepStrictEqual(lines, Array.from({ length: 100 }, (_, i) => i), "every line once, in order");
    });

    test("8. WeCom image by URL is sent as bytes with its md5; a file by URL is uploaded and sent by media_id", () => {
      const s = scenario("media");
      delivered(s.image, "image");
      assert.deepStrictEqual(s.image.degraded, [], "not degraded to news");
      const img = recs(plan, "imageWecom");
      assert.equal(img.length, 1);
      assert.ok(okAnswer(img[0]), `the mock verified the md5: ${brief(img[0].outcome)}`);
      assert.equal(img[0].body.msgtype, "image");
      assert.equal(img[0].body.image.base64, assets.png.toString("base64"));
      assert.equal(img[0].body.image.md5, md5(assets.png));
      assert.equal(assets.hits.filter((h) => h.url === `/${rt.name}/pixel.png`).length, 1, "the image was fetched once");

      delivered(s.file, "file");
      assert.deepStrictEqual(s.file.degraded, [], "not degraded to a link");
      const f = recs(plan, "fileWecom");
      assert.deepStrictEqual(f.map((r) => r.path), ["/cgi-bin/webhook/upload_media", "/cgi-bin/webhook/send"]);
      const [up, send] = f;
      assert.ok(okAnswer(up), brief(up.outcome));
      assert.equal(up.query.type, "file");
      assert.equal(up.body.md5, md5(assets.report), "the uploaded bytes are the file's");
      assert.equal(up.body.filename, "report.txt");
      assert.ok(okAnswer(send), brief(send.outcome));
      assert.equal(send.body.msgtype, "file");
      assert.equal(send.body.file.media_id, up.body.media_id);
      assert.equal(assets.hits.filter((h) => h.url === `/${rt.name}/report.txt`).length, 1);
    });

    test("network failures: NETWORK_ERROR after the retries, retry suggested", (t) => {
      const s = scenario("network");
      for (const name of ["closedWecom", "closedDingtalk", "resetDingtalk", "resetFeishu"]) {
        failed(s[name], "NETWORK_ERROR", name);
        assert.equal(s[name].attempts, 2, `${name}: 1 + maxRetries 1`);
        assert.equal(s[name].retrySuggested, true, name);
        assert.equal(s[name].error.platformCode, null, name);
      }
      for (const name of ["resetDingtalk", "resetFeishu"]) {
        const n = recs(plan, name).length;
        if (REPLAYS_POST_AFTER_RESET.has(rt.name)) {
          assert.ok(n >= 2 && n <= 4, `${name}: the mock got ${n}`);
          if (n > 2) t.diagnostic(`QUIRK ${rt.name}: fetch re-sent the POST after a reset: ${name} attempts 2, the mock got ${n}`);
        } else {
          assert.equal(n, 2, `${name}: the mock got one request per attempt`);
        }
      }
    });

    test("10. delivery methods never reject: bad input resolves with a typed error", () => {
      const s = scenario("badInput");
      const one = { badMessage: "INVALID_MESSAGE", nullMessage: "INVALID_MESSAGE", cyclicMessage: "INVALID_MESSAGE", unknownPlatform: "UNKNOWN_PLATFORM", malformedUrl: "INVALID_CONFIG", notAKey: "INVALID_CONFIG", wrongPlatformUrl: "INVALID_CONFIG", badTarget: "INVALID_CONFIG" };
      for (const [name, code] of Object.entries(one)) inputFailure(resolvedValue(s[name], name), code, name);
      assert.match(resolvedValue(s.badMessage).error.message, /content\.body\.links\[1\]\.url/, "the JSON path of the bad field");
      // an unknown platform is reported by the name given, not as some other platform
      assert.equal(resolvedValue(s.unknownPlatform).platform, "slack");

      const mb = resolvedValue(s.multiBadPlatform, "multiBadPlatform");
      assert.equal(mb.successCount, 0);
      assert.equal(mb.failedCount, 2);
      assert.deepStrictEqual(mb.results.map((r) => r.error.code).sort(), ["INVALID_CONFIG", "UNKNOWN_PLATFORM"]);
      assert.ok(!mb.results.some((r) => r.error.code === "UNKNOWN_PLATFORM" && r.platform === "wecom"), "an unknown platform reported as wecom");
      const mn = resolvedValue(s.multiNoPlatforms, "multiNoPlatforms");
      assert.equal(mn.successCount, 0);
      inputFailure(mn.results[0], "INVALID_CONFIG", "multiNoPlatforms");
      const mm = resolvedValue(s.multiBadMessage, "multiBadMessage");
      assert.equal(mm.failedCount, 1);
      inputFailure(mm.results[0], "INVALID_MESSAGE", "multiBadMessage");
      const ab = resolvedValue(s.autoBadMessage, "autoBadMessage");
      assert.deepStrictEqual(ab.failedPlatforms, ["wecom"]);
      assert.deepStrictEqual(ab.sentPlatforms, []);
      inputFailure(ab.results[0], "INVALID_MESSAGE", "autoBadMessage");
      const ae = resolvedValue(s.autoEmptyEnv, "autoEmptyEnv");
      assert.deepStrictEqual([ae.successCount, ae.failedCount, ae.sentPlatforms, ae.skippedPlatforms], [0, 0, [], ["wecom", "dingtalk", "feishu", "lark"]]);

      // the constructor is not a delivery method: it throws, a real Error with a code
      assert.equal(s.badOptions.syncThrow?.code, "INVALID_CONFIG", `new MessageSender({ timeout: "soon" }): ${brief(s.badOptions)}`);
    });

    test("9. no key, token, secret or signature in any result or console line", () => {
      assert.ok(run.report, "no report to search");
      const secrets = planSecrets(plan);
      const ours = new Set(Object.values(plan.bots).map((b) => `${b.platform}:${b.key}`));
      let signatures = 0;
      for (const r of mock.received) {
        if (!ours.has(`${r.platform}:${r.key}`)) continue;
        for (const sig of [r.query?.sign, r.body?.sign]) {
          if (typeof sig === "string" && sig) {
            secrets.add(sig);
            secrets.add(encodeURIComponent(sig));
            signatures++;
          }
        }
      }
      assert.ok(signatures >= 10, `the signatures the mock saw are searched too (${signatures})`);
      const haystacks = {
        "the report (every result, JSON)": JSON.stringify(run.report),
        "stdout and stderr": run.lines.join("\n"),
      };
      assert.ok(run.lines.length >= 20, `the scenarios logged their results (${run.lines.length} lines)`);
      const leaks = [];
      for (const [where, text] of Object.entries(haystacks)) {
        for (const s of secrets) if (text.includes(s)) leaks.push(`${where}: ${s} in …${text.slice(Math.max(0, text.indexOf(s) - 160), text.indexOf(s) + 40)}…`);
        for (const m of text.matchAll(/(?<![A-Za-z_])(?:sign|access_token|key|secret)=(?!\*\*\*)[^&\s"'\\)]+/gi)) {
          leaks.push(`${where}: ${m[0]} in …${text.slice(Math.max(0, m.index - 160), m.index + 60)}…`);
        }
      }
      if (leaks.length) assert.fail(`credentials leaked in ${rt.name} (${leaks.length}):\n${[...new Set(leaks)].join("\n")}`);
    });
  });
}
