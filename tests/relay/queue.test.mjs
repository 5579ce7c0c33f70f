// Durability: what the relay accepts with 2xx is delivered later by the queue consumer, or ends in
// the dead-letter queue, logged; never dropped silently. Miniflare's Queues simulation with short
// delays (RETRY_BASE_SECONDS=1, max 1 s) and 2 retries so each case takes seconds.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { BOTS, SECRETS, fixture, prepareWorker, startMock, startRelay, waitFor } from "./harness.mjs";

const FAST = { RETRY_BASE_SECONDS: "1", RETRY_MAX_SECONDS: "1" };
const QUEUE = { maxBatchTimeout: 0.05, maxRetries: 2 };

let built;
let mock;
const relays = [];
const responses = [];

before(async () => {
  built = await prepareWorker();
  mock = await startMock();
});
after(async () => {
  await Promise.all(relays.map((r) => r.dispose()));
  await mock?.close();
});
beforeEach(() => mock.reset());

async function relay(opts = {}) {
  const r = await startRelay({ built, mock, queue: QUEUE, ...opts, env: { ...FAST, ...opts.env } });
  relays.push(r);
  const post = r.post.bind(r);
  r.post = async (...args) => {
    const res = await post(...args);
    responses.push(res.text);
    return res;
  };
  return r;
}

const ok = (x) => x.outcome?.status === 200 && (x.outcome.body.errcode === 0 || x.outcome.body.code === 0);
const okCount = (platform) => mock.receivedFor(platform, BOTS[platform].key).filter(ok).length;
const byId = (r, event, id, channel) => r.events(event).filter((e) => e.id === id && (!channel || e.channel === channel));
const text = (t) => ({ content: { type: "text", body: { text: t } } });

describe("queue consumer", () => {
  let r;
  before(async () => {
    r = await relay();
  });

  test("a platform that fails until the consumer's retry succeeds: 202, then delivered once", async () => {
    // 2 in-request attempts + 2 in the first queue attempt fail; the second queue attempt succeeds
    mock.script("dingtalk", BOTS.dingtalk.key, [{ type: "busy", times: 4 }]);
    const res = await r.post("/v1/alertmanager", fixture("alertmanager-firing.json"));
    assert.equal(res.status, 202, res.text);
    assert.deepEqual(res.body.summary, { delivered: 2, duplicate: 0, queued: 1, failed: 0 });
    const dt = res.body.channels.find((c) => c.channel === "dingtalk");
    assert.equal(dt.outcome, "queued");
    assert.equal(dt.attempts, 2);
    assert.equal(dt.error.code, "PLATFORM_ERROR");
    assert.equal(dt.queue.delaySeconds, 1);
    assert.equal(okCount("dingtalk"), 0);

    const [done] = await waitFor(() => byId(r, "delivered", res.body.id, "dingtalk").filter((e) => e.via === "queue"), {
      what: "the consumer's delivery",
    });
    assert.equal(done.queueAttempt, 2);
    const retry = byId(r, "retry_scheduled", res.body.id, "dingtalk");
    assert.equal(retry.length, 1);
    assert.equal(retry[0].queueAttempt, 1);
    assert.equal(retry[0].code, "PLATFORM_ERROR");
    assert.equal(retry[0].platformCode, -1);
    assert.equal(mock.receivedFor("dingtalk").length, 5);
    assert.equal(okCount("dingtalk"), 1);
    // the card that arrived is the one that was queued
    const delivered = mock.receivedFor("dingtalk").find(ok);
    assert.match(delivered.body.actionCard.text, /\[FIRING:2\] HighCPUUsage/);
    // nothing more happens
    await new Promise((res_) => setTimeout(res_, 1500));
    assert.equal(mock.receivedFor("dingtalk").length, 5);
    assert.equal(okCount("wecom"), 1);
    assert.equal(okCount("feishu"), 1);
  });

  test("a platform that never recovers: retried with backoff, then the dead-letter queue, logged", async () => {
    mock.script("feishu", BOTS.feishu.key, [{ type: "http", status: 503, times: 1000 }]);
    const res = await r.post("/v1/send", { ...text("will not arrive"), platforms: ["feishu", "wecom"] });
    assert.equal(res.status, 202, res.text);
    const fs_ = res.body.channels.find((c) => c.channel === "feishu");
    assert.equal(fs_.outcome, "queued");
    const [dead] = await waitFor(() => byId(r, "dead_letter", res.body.id, "feishu"), { timeout: 20_000, what: "the dead letter" });
    assert.equal(dead.level, "error");
    assert.equal(dead.reason, "retries_exhausted");
    assert.equal(dead.platform, "feishu");
    assert.equal(dead.firstError.code, fs_.error.code); // HTTP 503: the package says NETWORK_ERROR
    assert.match(dead.message, /will not arrive/, "the dead letter carries the message, for a replay");
    const tries = byId(r, "retry_scheduled", res.body.id, "feishu").map((e) => e.queueAttempt);
    assert.deepEqual(tries, [1, 2]);
    const [giveUp] = byId(r, "giving_up", res.body.id, "feishu");
    assert.equal(giveUp.queueAttempt, 3);
    // 2 in the request + 2 in each of the 3 queue attempts
    assert.equal(mock.receivedFor("feishu").length, 8);
    assert.equal(okCount("feishu"), 0);
    await new Promise((res_) => setTimeout(res_, 1500));
    assert.equal(mock.receivedFor("feishu").length, 8, "nothing after the dead-letter queue");
    assert.equal(byId(r, "dead_letter", res.body.id).length, 1);
  });

  test("a failure the consumer sees as permanent goes to the dead-letter queue at once", async () => {
    mock.script("wecom", BOTS.wecom.key, [{ type: "busy", times: 2 }, { type: "code", body: { errcode: 93000, errmsg: "invalid webhook url" } }]);
    const res = await r.post("/v1/send", { ...text("bot deleted meanwhile"), platforms: ["wecom"] });
    assert.equal(res.status, 202, res.text);
    const [dead] = await waitFor(() => byId(r, "dead_letter", res.body.id, "wecom"), { what: "the dead letter" });
    assert.equal(dead.reason, "permanent");
    assert.deepEqual(dead.lastError, { code: "PLATFORM_ERROR", platformCode: 93000 });
    assert.equal(mock.receivedFor("wecom").length, 3);
    assert.equal(byId(r, "retry_scheduled", res.body.id).length, 0);
  });
});

describe("rate limits", () => {
  test("held back by a bot's rate limit: queued with the wait, then delivered by the consumer", async () => {
    const r = await relay({ env: { MAX_QUEUE_DELAY_MS: "0" } });
    // Feishu takes 5 a second: 7 at once leaves 2 for the queue
    const all = await Promise.all(Array.from({ length: 7 }, (_, i) => r.post("/v1/send", { ...text(`burst ${i}`), platforms: ["feishu"] })));
    const queued = all.filter((x) => x.body.channels[0].outcome === "queued");
    assert.ok(queued.length >= 2, all.map((x) => x.body.channels[0].outcome).join());
    for (const q of queued) {
      assert.equal(q.status, 202);
      assert.equal(q.body.channels[0].error.code, "RATE_LIMIT");
      assert.equal(q.body.channels[0].attempts, 0, "held back, not sent");
      assert.ok(q.body.channels[0].queue.delaySeconds >= 1);
    }
    await waitFor(() => okCount("feishu") === 7, { what: "all 7 delivered" });
    const bodies = mock.receivedFor("feishu").filter(ok).map((x) => x.body.content.text).sort();
    assert.deepEqual(bodies, Array.from({ length: 7 }, (_, i) => `burst ${i}`));
    assert.ok(mock.receivedFor("feishu").every(ok), "the platform never had to refuse one");
  });
});

describe("dedup across the queue", () => {
  // The same message_id posted again and delivered while the first attempt waits in the queue.
  async function scenario(kv, coordinator = false) {
    const r = await relay({ kv, coordinator });
    const msg = { ...text("release 7 is out"), metadata: { message_id: "release-7" }, platforms: ["dingtalk"] };
    mock.script("dingtalk", BOTS.dingtalk.key, [{ type: "busy", times: 2 }]);
    const first = await r.post("/v1/send", msg);
    assert.equal(first.body.channels[0].outcome, "queued", first.text);
    const second = await r.post("/v1/send", msg);
    assert.equal(second.body.channels[0].outcome, "delivered", second.text);
    await waitFor(() => byId(r, "duplicate", first.body.id, "dingtalk").some((e) => e.via === "queue"), {
      what: "the consumer",
    });
    return okCount("dingtalk");
  }

  test("with a KV namespace as the dedup store, the consumer does not send it again", async () => {
    assert.equal(await scenario(true), 1);
  });

  test("with the BOT_COORDINATOR Durable Object (no KV), the consumer does not send it again", async () => {
    assert.equal(await scenario(false, true), 1);
  });

  test("with neither, the isolate's own record (shared by its request and queue senders) keeps it from going twice", async () => {
    assert.equal(await scenario(false), 1);
  });
});

describe("a split message whose later part failed", () => {
  test("the queue consumer sends only the parts not yet delivered (no KV, no Durable Object)", async () => {
    const r = await relay({ kv: false, coordinator: false });
    const long = [0, 1, 2].map((i) => `part-marker-${i} ${"x".repeat(1500)}`).join("\n\n");
    // the first part goes through; the second fails both in-request attempts; then all is well
    mock.script("wecom", BOTS.wecom.key, [{ type: "delay", ms: 0 }, { type: "busy", times: 2 }]);
    const res = await r.post("/v1/send", { ...text(long), platforms: ["wecom"] });
    const ch = res.body.channels[0];
    assert.equal(ch.outcome, "queued", res.text);
    assert.deepEqual([ch.parts, ch.partsDelivered], [3, 1]);
    await waitFor(() => byId(r, "delivered", res.body.id, "wecom").some((e) => e.via === "queue"), { what: "the consumer" });
    const got = mock.receivedFor("wecom", BOTS.wecom.key).filter(ok).map((x) => x.body.text.content);
    assert.deepEqual([0, 1, 2].map((i) => got.filter((t) => t.includes(`part-marker-${i}`)).length), [1, 1, 1], "each part delivered once");
  });
});

describe("without a queue", () => {
  test("a retryable failure that cannot be queued: 503 with Retry-After, so the caller retries", async () => {
    const r = await relay({ queue: { none: true } });
    assert.equal((await r.get("/healthz")).body.queue, false);
    mock.script("wecom", BOTS.wecom.key, [{ type: "busy", times: 2 }]);
    const res = await r.post("/v1/alertmanager", fixture("alertmanager-firing.json"));
    assert.equal(res.status, 503, res.text);
    assert.equal(res.headers["retry-after"], "30");
    const wc = res.body.channels.find((c) => c.channel === "wecom");
    assert.equal(wc.outcome, "failed");
    assert.equal(wc.retryable, true);
    assert.match(wc.queueError, /RELAY_QUEUE/);
    assert.equal(byId(r, "queue_failed", res.body.id, "wecom").length, 1);
  });
});

describe("secrets", () => {
  test("no key, token or secret in any response or log line (queue and dead-letter logs included)", () => {
    const logs = relays.map((r) => r.logText()).join("\n");
    assert.ok(logs.includes('"event":"dead_letter"') && logs.includes('"event":"retry_scheduled"'), "the logs were captured");
    for (const s of SECRETS) {
      for (const [what, t] of [["logs", logs], ...responses.map((x, i) => [`response ${i}`, x])]) {
        assert.ok(!t.includes(s) && !t.includes(encodeURIComponent(s)), `${what} contains a secret (${s.slice(0, 4)}…)`);
      }
    }
    assert.ok(!logs.includes(mock.url));
  });
});
