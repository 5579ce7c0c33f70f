// The end-to-end scenarios, shared by every runtime (Node ESM and CommonJS, Deno, Bun, workerd):
// one module, so the coverage is identical. It uses only what all of them have (the package's
// API, Promise, setTimeout, Date.now, console) and never reads files, the environment or the
// network itself: the runner passes the package, the plan made by e2e.test.mjs (the mock's URL,
// the bots, the assets server) and the host's environment object for sendAuto.
//
//   const report = await runScenarios(wp, plan, { env, log });
//
// The report is plain JSON: { scenarios: { name: value | { crashed } } }. The Node test asserts
// on it and on what the mock received. Every result is also printed through `log` as a user's
// program would log it, so the console output can be searched for secrets too.

const FAST = { maxRetries: 3, initialDelay: 40, maxDelay: 200, backoffMultiplier: 2, jitter: 0 };

/** Resolve a value or a promise to { resolved } or { rejected }, and note a synchronous throw. */
async function settle(fn) {
  let p;
  try {
    p = fn();
  } catch (e) {
    return { syncThrow: errorInfo(e) };
  }
  const thenable = p !== null && typeof p === "object" && typeof p.then === "function";
  if (!thenable) return { notAPromise: true, value: p };
  return p.then(
    (v) => ({ resolved: v }),
    (e) => ({ rejected: errorInfo(e) }),
  );
}

function errorInfo(e) {
  if (e && typeof e === "object") {
    return { name: String(e.name), message: String(e.message), code: e.code ?? null, stack: String(e.stack ?? "") };
  }
  return { name: typeof e, message: String(e), code: null, stack: "" };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function runScenarios(wp, plan, { env, log = console.log } = {}) {
  const { bots, mockUrl, assetsUrl, closedUrl } = plan;
  const baseUrls = { wecom: mockUrl, dingtalk: mockUrl, feishu: mockUrl, lark: mockUrl };
  const target = (b, secret = b.secret) => (secret ? { webhookUrl: b.key, secret } : b.key);
  const show = (label, v) => log(`[${plan.runtime}] ${label}: ${JSON.stringify(v)}`);
  const id = (s) => `${plan.idPrefix}-${s}`;

  const scenarios = {
    // 1. success on each platform, three message kinds each; the mock validates strictly.
    async success() {
      const sender = new wp.MessageSender({ baseUrls, retryPolicy: FAST, timeout: 5000 });
      const messages = [
        { content: { type: "text", body: { text: "e2e text: hello from the runtime" }, mentions: [{ type: "all" }] } },
        new wp.UnifiedMessage({
          content: {
            type: "markdown",
            title: "Deploy",
            body: { content: "# Deployed\n- **version**: v1.2.3\n- [logs](https://example.com/logs)" },
          },
          metadata: { correlation_id: id("corr-1") },
        }),
        {
          content: {
            type: "card",
            body: {
              title: "Build passed",
              text: "All **12** checks green",
              fields: [{ name: "branch", value: "main" }],
              buttons: [{ text: "Open", url: "https://example.com/build/1" }],
              color: "green",
            },
          },
        },
      ];
      const out = {};
      for (const [platform, b] of [["wecom", bots.okWecom], ["dingtalk", bots.okDingtalk], ["feishu", bots.okFeishu], ["lark", bots.okLark]]) {
        out[platform] = [];
        for (const m of messages) {
          const r = await sender.send(m, platform, target(b));
          show(`success ${platform}`, r);
          out[platform].push(r);
        }
      }
      return out;
    },

    // 2. scripted faults then success; a delay longer than the timeout on every attempt.
    async retries() {
      const sender = new wp.MessageSender({ baseUrls, retryPolicy: FAST, timeout: 3000 });
      const slow = new wp.MessageSender({ baseUrls, retryPolicy: { ...FAST, maxRetries: 2 }, timeout: 300 });
      const msg = { content: { type: "text", body: { text: "e2e retry" } } };
      const t0 = Date.now();
      const [wecom, dingtalk, feishu, lark, timeout] = await Promise.all([
        sender.send(msg, "wecom", target(bots.retryWecom)),
        sender.send(msg, "dingtalk", target(bots.retryDingtalk)),
        sender.send(msg, "feishu", target(bots.retryFeishu)),
        sender.send(msg, "lark", target(bots.retryLark)),
        slow.send(msg, "wecom", target(bots.timeoutWecom)),
      ]);
      const out = { wecom, dingtalk, feishu, lark, timeout, wallMs: Date.now() - t0 };
      show("retries", out);
      return out;
    },

    // 3. permanent refusals: no retry (one re-sign for a Feishu signature).
    async permanent() {
      const sender = new wp.MessageSender({ baseUrls, retryPolicy: FAST, timeout: 3000 });
      const msg = { content: { type: "text", body: { text: "e2e: this text lacks the keyword" } } };
      const out = {
        keywords: await sender.send(msg, "dingtalk", target(bots.keywordDingtalk)),
        dingtalkWrongSecret: await sender.send(msg, "dingtalk", target(bots.wrongSecretDingtalk, plan.wrongSecret)),
        feishuWrongSecret: await sender.send(msg, "feishu", target(bots.wrongSecretFeishu, plan.wrongSecret)),
        wecomUnknownKey: await sender.send(msg, "wecom", plan.unknownWecomKey),
      };
      show("permanent", out);
      return out;
    },

    // 4. 25 messages at once to one WeCom bot, maxQueueDelay 1 s: 20 go, 5 come back RATE_LIMIT.
    async burst() {
      const sender = new wp.MessageSender({ baseUrls, retryPolicy: FAST, timeout: 5000, maxQueueDelay: 1000 });
      const t0 = Date.now();
      const results = await Promise.all(
        Array.from({ length: 25 }, (_, i) => sender.send({ content: { type: "text", body: { text: `e2e burst ${i}` } } }, "wecom", target(bots.burstWecom))),
      );
      const out = { results, wallMs: Date.now() - t0 };
      show("burst", out);
      return out;
    },

    // 5. sendMulti in parallel (each bot answers 700 ms late) and sendAuto from an env object.
    async multi() {
      const sender = new wp.MessageSender({ baseUrls, retryPolicy: FAST, timeout: 5000 });
      const msg = { content: { type: "markdown", title: "Multi", body: { content: "**e2e** multi" } } };
      const t0 = Date.now();
      const multi = await sender.sendMulti(msg, {
        platforms: ["wecom", "dingtalk", "feishu"],
        webhookUrls: { wecom: bots.multiWecom.key, dingtalk: bots.multiDingtalk.key, feishu: bots.multiFeishu.key },
        secrets: { dingtalk: bots.multiDingtalk.secret, feishu: bots.multiFeishu.secret },
      });
      const multiWallMs = Date.now() - t0;
      const auto = await sender.sendAuto({ content: { type: "text", body: { text: "e2e auto" } } }, env ?? plan.env);
      const out = { multi, multiWallMs, auto, envSource: env ? "host" : "plan" };
      show("multi", out);
      return out;
    },

    // 6. the same message_id twice, one after the other and two at once.
    async dedup() {
      const sender = new wp.MessageSender({ baseUrls, retryPolicy: FAST, timeout: 5000 });
      const msg = { content: { type: "text", body: { text: "e2e dedup" } }, metadata: { message_id: id("dedup-1") } };
      const first = await sender.send(msg, "wecom", target(bots.dedupWecom));
      const second = await sender.send(msg, "wecom", target(bots.dedupWecom));
      const msg2 = { content: { type: "text", body: { text: "e2e dedup at once" } }, metadata: { message_id: id("dedup-2") } };
      const together = await Promise.all([sender.send(msg2, "wecom", target(bots.dedupWecom2)), sender.send(msg2, "wecom", target(bots.dedupWecom2))]);
      const out = { first, second, together };
      show("dedup", out);
      return out;
    },

    // 7. a 10 KB text to WeCom (2048-byte limit): split, sent in order, one result.
    async split() {
      const sender = new wp.MessageSender({ baseUrls, retryPolicy: FAST, timeout: 5000 });
      const filler = "the quick brown fox jumps over the lazy dog, again and again, ".repeat(2);
      const text = Array.from({ length: 100 }, (_, i) => `line ${String(i).padStart(3, "0")}: ${filler}`.slice(0, 98)).join("\n\n");
      const r = await sender.send({ content: { type: "text", body: { text } } }, "wecom", target(bots.splitWecom));
      const out = { result: r, textBytes: new TextEncoder().encode(text).length };
      show("split", out);
      return out;
    },

    // 8. WeCom image by URL (fetched, sent as base64 + md5) and file by URL (upload_media, media_id).
    async media() {
      const sender = new wp.MessageSender({ baseUrls, retryPolicy: FAST, timeout: 5000 });
      const image = await sender.send(
        { content: { type: "image", body: { url: `${assetsUrl}/${plan.runtime}/pixel.png`, alt: "a pixel" } } },
        "wecom",
        target(bots.imageWecom),
      );
      const file = await sender.send(
        { content: { type: "file", body: { url: `${assetsUrl}/${plan.runtime}/report.txt`, name: "report.txt" } } },
        "wecom",
        target(bots.fileWecom),
      );
      const out = { image, file };
      show("media", out);
      return out;
    },

    // Network failures, whose error text comes from the runtime's fetch: nothing listens on
    // closedUrl; the mock resets every attempt to a signed DingTalk bot.
    async network() {
      const sender = new wp.MessageSender({ retryPolicy: { ...FAST, maxRetries: 1 }, timeout: 3000 });
      const viaMock = new wp.MessageSender({ baseUrls, retryPolicy: { ...FAST, maxRetries: 1 }, timeout: 3000 });
      const msg = { content: { type: "text", body: { text: "e2e network" } } };
      const out = {
        closedWecom: await sender.send(msg, "wecom", `${closedUrl}/cgi-bin/webhook/send?key=${bots.closedWecom.key}`),
        closedDingtalk: await sender.send(msg, "dingtalk", {
          webhookUrl: `${closedUrl}/robot/send?access_token=${bots.closedDingtalk.key}`,
          secret: bots.closedDingtalk.secret,
        }),
        resetDingtalk: await viaMock.send(msg, "dingtalk", target(bots.resetDingtalk)),
        resetFeishu: await viaMock.send(msg, "feishu", target(bots.resetFeishu)),
      };
      show("network", out);
      return out;
    },

    // 10. bad input: every delivery method resolves with a typed error, never rejects or throws.
    async badInput() {
      const sender = new wp.MessageSender({ baseUrls, retryPolicy: FAST, timeout: 2000 });
      const ok = { content: { type: "text", body: { text: "e2e bad input" } } };
      const badMessage = { content: { type: "news", body: { links: [{ title: "a", url: "https://example.com/a" }, { title: "b" }] } } };
      const cyclic = { content: { type: "text", body: { text: "x" } } };
      cyclic.self = cyclic;
      const probeKey = plan.leakProbeKey;
      const cases = {
        badMessage: () => sender.send(badMessage, "wecom", bots.okWecom.key),
        nullMessage: () => sender.send(null, "wecom", bots.okWecom.key),
        cyclicMessage: () => sender.send(cyclic, "wecom", bots.okWecom.key),
        unknownPlatform: () => sender.send(ok, "slack", bots.okWecom.key),
        malformedUrl: () => sender.send(ok, "wecom", "http://[::1/cgi-bin/webhook/send?key=" + probeKey),
        notAKey: () => sender.send(ok, "wecom", "not a key!"),
        wrongPlatformUrl: () => sender.send(ok, "dingtalk", `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${probeKey}`),
        badTarget: () => sender.send(ok, "wecom", 42),
        multiBadPlatform: () =>
          sender.sendMulti(ok, { platforms: ["nope", "wecom"], webhookUrls: { wecom: `http://[::1/cgi-bin/webhook/send?key=${probeKey}` } }),
        multiNoPlatforms: () => sender.sendMulti(ok, {}),
        multiBadMessage: () => sender.sendMulti(badMessage, { platforms: ["wecom"], webhookUrls: { wecom: bots.okWecom.key } }),
        autoBadMessage: () => sender.sendAuto(badMessage, { WECOM_WEBHOOK_KEY: bots.okWecom.key }),
        autoEmptyEnv: () => sender.sendAuto(ok, {}),
      };
      const out = {};
      for (const [name, fn] of Object.entries(cases)) {
        out[name] = await settle(fn);
        show(`badInput ${name}`, out[name]);
      }
      // The constructor is not a delivery method: a bad option throws a typed error.
      out.badOptions = await settle(() => {
        const s = new wp.MessageSender({ timeout: "soon" });
        return Promise.resolve(s);
      });
      show("badInput badOptions", out.badOptions);
      return out;
    },
  };

  const report = { runtime: plan.runtime, scenarios: {}, timings: {} };
  const only = plan.only ? new Set(plan.only) : null;
  for (const [name, fn] of Object.entries(scenarios)) {
    if (only && !only.has(name)) continue;
    const t0 = Date.now();
    try {
      report.scenarios[name] = await fn();
    } catch (e) {
      report.scenarios[name] = { crashed: errorInfo(e) };
      log(`[${plan.runtime}] scenario ${name} crashed: ${e?.stack ?? e}`);
    }
    report.timings[name] = Date.now() - t0;
    await sleep(0);
  }
  return report;
}
