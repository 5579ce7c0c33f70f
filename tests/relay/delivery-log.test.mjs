// The delivery log in D1 also records the queue consumer's attempts (via = "queue"): a delivery
// that failed in the request, was retried by the consumer and arrived; one the consumer gave up
// on; and `/`, `/healthz` listing the endpoints and saying whether D1 and the coordinator are bound.
// Miniflare's D1 and Queues, the loopback mock platforms.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { BOTS, RELAY_TOKEN, SECRETS, fixture, prepareWorker, startMock, startRelay, waitFor } from "./harness.mjs";

const FAST = { RETRY_BASE_SECONDS: "1", RETRY_MAX_SECONDS: "1" };
const QUEUE = { maxBatchTimeout: 0.05, maxRetries: 2 };
const AUTH = { headers: { authorization: `Bearer ${RELAY_TOKEN}` } };
const COLUMNS = ["id", "at", "request_id", "input", "channel", "platform", "result", "attempts", "via", "queue_attempt"];

let built;
let mock;
const relays = [];

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
  return r;
}

/** The log rows of one request, oldest first. */
async function rowsOf(r, id) {
  const res = await r.get("/v1/deliveries", AUTH);
  assert.equal(res.status, 200, res.text);
  return res.body.deliveries.filter((d) => d.request_id === id).sort((a, b) => a.id - b.id);
}

describe("the delivery log records the queue consumer's deliveries", () => {
  let r;
  before(async () => {
    r = await relay({ d1: true });
  });

  test("failed in the request, retried by the consumer, delivered: one row per attempt", async () => {
    // 2 in-request attempts + 2 in the first queue attempt fail; the second queue attempt succeeds
    mock.script("dingtalk", BOTS.dingtalk.key, [{ type: "busy", times: 4 }]);
    const res = await r.post("/v1/alertmanager", fixture("alertmanager-firing.json"));
    assert.equal(res.status, 202, res.text);
    const id = res.body.id;
    const rows = await waitFor(
      async () => {
        const all = await rowsOf(r, id);
        return all.some((d) => d.via === "queue" && d.result === "ok") ? all : null;
      },
      { what: "the consumer's row" },
    );
    for (const d of rows) assert.deepEqual(Object.keys(d).sort(), [...COLUMNS].sort(), "only these fields");
    const dt = rows.filter((d) => d.channel === "dingtalk");
    assert.deepEqual(
      dt.map((d) => [d.via, d.queue_attempt, d.result, d.attempts, d.input, d.platform]),
      [
        ["request", null, "queued:PLATFORM_ERROR", 2, "alertmanager", "dingtalk"],
        ["queue", 1, "retry:PLATFORM_ERROR", 2, "alertmanager", "dingtalk"],
        ["queue", 2, "ok", 1, "alertmanager", "dingtalk"],
      ],
    );
    // the other channels were delivered in the request, and logged once
    for (const ch of ["wecom", "feishu"]) {
      assert.deepEqual(
        rows.filter((d) => d.channel === ch).map((d) => [d.via, d.result]),
        [["request", "ok"]],
      );
    }
    for (const d of dt) assert.ok(Number.isInteger(d.at) && d.at >= rows[0].at, "a time in ms");
  });

  test("a delivery the consumer gives up on is logged as dead_letter, without payload or secret", async () => {
    mock.script("wecom", BOTS.wecom.key, [{ type: "busy", times: 2 }, { type: "code", body: { errcode: 93000, errmsg: "invalid webhook url" } }]);
    const text = "bot deleted meanwhile 7f3a";
    const res = await r.post("/v1/send", { content: { type: "text", body: { text } }, platforms: ["wecom"] });
    assert.equal(res.status, 202, res.text);
    const rows = await waitFor(
      async () => {
        const all = await rowsOf(r, res.body.id);
        return all.some((d) => d.via === "queue") ? all : null;
      },
      { what: "the consumer's row" },
    );
    assert.deepEqual(
      rows.map((d) => [d.via, d.queue_attempt, d.result, d.input, d.channel]),
      [
        ["request", null, "queued:PLATFORM_ERROR", "send", "wecom"],
        ["queue", 1, "dead_letter:PLATFORM_ERROR", "send", "wecom"],
      ],
    );
    const listed = (await r.get("/v1/deliveries", AUTH)).text;
    assert.ok(!listed.includes(text), "no payload in the log");
    for (const s of SECRETS) assert.ok(!listed.includes(s), "no secret in the log");
  });

  test("without D1 the consumer still delivers (nothing to log)", async () => {
    const plain = await relay({});
    mock.script("feishu", BOTS.feishu.key, [{ type: "http", status: 503, times: 2 }]);
    const res = await plain.post("/v1/send", { content: { type: "text", body: { text: "later" } }, platforms: ["feishu"] });
    assert.equal(res.status, 202, res.text);
    await waitFor(() => plain.events("delivered").filter((e) => e.id === res.body.id && e.via === "queue"), { what: "the consumer's delivery" });
    assert.equal((await plain.get("/v1/deliveries", AUTH)).status, 501);
    assert.ok(!plain.logText().includes("delivery_log_failed"));
  });
});

describe("/ and /healthz list the endpoints and the bindings", () => {
  const CHATOPS = ["GET, POST /v1/wecom/bot", "POST /v1/dingtalk/bot", "POST /v1/feishu/events", "GET /v1/alerts", "GET /v1/deliveries"];

  test("with D1, the coordinator and one bot configured", async () => {
    const r = await relay({ d1: true, env: { DINGTALK_APP_SECRET: "dt-app-secret-0a1b2c3d4e5f" } });
    const root = await r.get("/");
    assert.equal(root.status, 200);
    for (const e of ["POST /v1/alertmanager", "POST /v1/grafana", "POST /v1/send", "GET /healthz", ...CHATOPS]) {
      assert.ok(root.body.endpoints.includes(e), `/ lists ${e}`);
    }
    assert.equal(root.body.database, true);
    assert.equal(root.body.coordinator, true);
    const h = await r.get("/healthz");
    assert.equal(h.status, 200, h.text);
    assert.equal(h.body.database, true);
    assert.equal(h.body.coordinator, true);
    assert.deepEqual(h.body.endpoints, root.body.endpoints);
    assert.deepEqual(h.body.bots, { "/v1/wecom/bot": false, "/v1/dingtalk/bot": true, "/v1/feishu/events": false });
    assert.ok(!h.text.includes("dt-app-secret-0a1b2c3d4e5f") && !root.text.includes("dt-app-secret-0a1b2c3d4e5f"));
    // what /healthz calls configured answers; what it does not answers 404 NOT_CONFIGURED
    const wecom = await fetch(`${r.url}/v1/wecom/bot?msg_signature=0&timestamp=1&nonce=1`, { method: "POST", body: "{}" });
    assert.equal(wecom.status, 404);
    assert.equal((await wecom.json()).error.code, "NOT_CONFIGURED");
    const dt = await fetch(`${r.url}/v1/dingtalk/bot`, { method: "POST", headers: { timestamp: String(Date.now()), sign: "AAAA" }, body: "{}" });
    assert.equal(dt.status, 401, "configured: the signature is checked");
  });

  test("without D1 or the coordinator: both say so", async () => {
    // a Feishu app with neither an Encrypt Key nor a verification token: events could be forged, so
    // the bot stays off and /healthz reports it as a bad bot (no secret quoted)
    const r = await relay({ coordinator: false, env: { FEISHU_APP_ID: "cli_0a1b2c", FEISHU_APP_SECRET: "feishu-app-secret-9z8y7x" } });
    const root = await r.get("/");
    assert.equal(root.body.database, false);
    assert.equal(root.body.coordinator, false);
    const h = await r.get("/healthz");
    assert.equal(h.status, 500, "a bot whose credentials are set but refused fails the health check");
    assert.equal(h.body.database, false);
    assert.equal(h.body.coordinator, false);
    assert.deepEqual(h.body.bots, { "/v1/wecom/bot": false, "/v1/dingtalk/bot": false, "/v1/feishu/events": false });
    assert.deepEqual(h.body.badBots.map((b) => b.path), ["/v1/feishu/events"]);
    const fs_ = await fetch(`${r.url}/v1/feishu/events`, { method: "POST", body: JSON.stringify({ schema: "2.0" }) });
    assert.equal(fs_.status, 500);
    const err = (await fs_.json()).error;
    assert.equal(err.code, "CONFIG_ERROR");
    assert.match(err.message, /FEISHU_ENCRYPT_KEY/);
    assert.ok(!JSON.stringify(h.body).includes("feishu-app-secret-9z8y7x"));
    assert.ok(!JSON.stringify(err).includes("feishu-app-secret-9z8y7x"));
  });
});
