// The relay Worker in workerd (Miniflare) against the loopback mock platforms: inputs, routing,
// access control, bad bodies, and no secret in any response or log line.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, beforeEach, describe, test } from "node:test";
import { BOTS, ROOT, SECRETS, fixture, prepareWorker, startMock, startRelay, visibleText } from "./harness.mjs";

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
  const r = await startRelay({ built, mock, ...opts });
  relays.push(r);
  const post = r.post.bind(r);
  r.post = async (...args) => {
    const res = await post(...args);
    responses.push(res.text);
    return res;
  };
  return r;
}

const delivered = (platform, key = BOTS[platform].key) =>
  mock.receivedFor(platform, key).filter((x) => x.outcome?.status === 200 && (x.outcome.body.errcode === 0 || x.outcome.body.code === 0));

function assertAllDelivered(res, n = 3) {
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.ok, true);
  assert.deepEqual(res.body.summary, { delivered: n, duplicate: 0, queued: 0, failed: 0 });
  for (const c of res.body.channels) assert.equal(c.outcome, "delivered", JSON.stringify(c));
}

describe("inputs", () => {
  let r;
  before(async () => {
    r = await relay();
  });

  test("GET /healthz", async () => {
    const res = await r.get("/healthz");
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {
      ok: true,
      service: "webhook-push-relay",
      channels: 3,
      routes: 0,
      token: true,
      queue: true,
      deadLetterQueue: true,
      dedupStore: true,
      database: false,
      coordinator: true,
      endpoints: [
        "POST /v1/alertmanager",
        "POST /v1/grafana",
        "POST /v1/send",
        "GET /healthz",
        "GET, POST /v1/wecom/bot",
        "POST /v1/dingtalk/bot",
        "POST /v1/feishu/events",
        "GET /v1/alerts",
        "GET /v1/deliveries",
      ],
      bots: { "/v1/wecom/bot": false, "/v1/dingtalk/bot": false, "/v1/feishu/events": false },
    });
    const head = await r.get("/healthz", { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.text, "");
    const root = await r.get("/");
    assert.deepEqual(root.body.endpoints, res.body.endpoints);
    assert.equal(root.body.database, false);
    assert.equal(root.body.coordinator, true);
  });

  test("Alertmanager, firing: a red card with both alerts on every platform", async () => {
    const res = await r.post("/v1/alertmanager", fixture("alertmanager-firing.json"));
    assertAllDelivered(res);
    assert.deepEqual(res.body.channels.map((c) => [c.channel, c.platform, c.alerts]).sort(), [
      ["dingtalk", "dingtalk", 2],
      ["feishu", "feishu", 2],
      ["wecom", "wecom", 2],
    ]);
    assert.ok(res.headers["x-relay-id"]);
    const [fs_] = delivered("feishu");
    assert.equal(fs_.body.msg_type, "interactive");
    assert.equal(fs_.body.card.header.template, "red");
    assert.match(fs_.body.card.header.title.content, /\[FIRING:2\] HighCPUUsage/);
    const buttons = fs_.body.card.elements.find((e) => e.tag === "action").actions;
    assert.deepEqual(buttons.map((b) => b.text.content), ["View source", "Silence", "Alertmanager"]);
    assert.ok(buttons[1].url.startsWith("http://alertmanager.monitoring.svc:9093/#/silences/new?filter="));
    const [dt] = delivered("dingtalk");
    assert.equal(dt.body.msgtype, "actionCard");
    assert.deepEqual(dt.body.actionCard.btns.map((b) => b.title), ["View source", "Silence", "Alertmanager"]);
    const [wc] = delivered("wecom");
    for (const rec of [fs_, dt, wc]) {
      const text = visibleText(rec.platform, rec.body);
      for (const s of ["10.0.3.17:9100", "10.0.3.22:9100", "CPU usage on 10.0.3.22:9100 is above 90%", "2026-11-22 08:41:07 UTC", "critical"]) {
        assert.ok(text.includes(s), `${rec.platform} shows ${s}:\n${text}`);
      }
    }
    // signed where the bot has a secret
    assert.ok(dt.query.sign && dt.query.timestamp);
    assert.ok(fs_.body.sign && fs_.body.timestamp);
  });

  test("Alertmanager, resolved: green", async () => {
    const res = await r.post("/v1/alertmanager", fixture("alertmanager-resolved.json"));
    assertAllDelivered(res);
    const [fs_] = delivered("feishu");
    assert.equal(fs_.body.card.header.template, "green");
    assert.match(fs_.body.card.header.title.content, /RESOLVED/);
    assert.match(visibleText("dingtalk", delivered("dingtalk")[0].body), /lasted 21m/);
  });

  test("Alertmanager, 50 alerts in one group: within every platform's limits, the rest summarised", async () => {
    const res = await r.post("/v1/alertmanager", fixture("alertmanager-many.json"));
    assertAllDelivered(res);
    for (const p of ["wecom", "dingtalk", "feishu"]) {
      const recs = delivered(p);
      assert.ok(recs.length >= 1);
      const text = recs.map((x) => visibleText(p, x.body)).join("\n");
      assert.match(text, /FIRING:45, RESOLVED:5/);
      assert.match(text, /…and 30 more/);
      assert.match(text, /db-20\.prod\.internal/);
      assert.ok(!text.includes("db-21.prod.internal"), "only MAX_ALERTS alerts are listed");
      for (const x of recs) assert.deepEqual(x.warnings, [], `${p}: ${x.warnings}`);
    }
  });

  test("Grafana, firing / resolved / 50 alerts", async () => {
    let res = await r.post("/v1/grafana", fixture("grafana-firing.json"));
    assertAllDelivered(res);
    const text = visibleText("dingtalk", delivered("dingtalk")[0].body);
    assert.match(text, /\[FIRING:2\] API p99 latency Payments/);
    assert.match(text, /\[Dashboard\]\(https:\/\/grafana\.example\.com\/d\/pay-api-overview/);
    assert.equal(delivered("feishu")[0].body.card.header.template, "orange", "severity=warning");
    mock.reset();
    res = await r.post("/v1/grafana", fixture("grafana-resolved.json"));
    assertAllDelivered(res);
    assert.equal(delivered("feishu")[0].body.card.header.template, "green");
    mock.reset();
    res = await r.post("/v1/grafana", fixture("grafana-many.json"));
    assertAllDelivered(res);
    assert.match(visibleText("wecom", delivered("wecom")[0].body), /…and 30 more/);
  });

  test("POST /v1/send: seed examples, to every channel or to the chosen platforms", async () => {
    const seeds = JSON.parse(fs.readFileSync(path.join(ROOT, "tests", "fixtures", "seed_examples.json"), "utf8"));
    const pick = (name) => seeds.find((e) => e.name === name).message;
    let res = await r.post("/v1/send", pick("deployment-report-markdown"));
    assertAllDelivered(res);
    assert.match(visibleText("dingtalk", delivered("dingtalk")[0].body), /v1\.2\.3|Deploy/i);

    mock.reset();
    res = await r.post("/v1/send", { ...pick("best-practice-interactive-card"), platforms: ["feishu", "dingtalk"] });
    assertAllDelivered(res, 2);
    assert.deepEqual(res.body.channels.map((c) => c.channel).sort(), ["dingtalk", "feishu"]);
    assert.equal(mock.receivedFor("wecom").length, 0);

    // a platform without a channel is reported as skipped, not failed
    mock.reset();
    res = await r.post("/v1/send", { content: { type: "text", body: { text: "hello lark?" } }, platforms: ["wecom", "lark"] });
    assertAllDelivered(res, 1);
    assert.deepEqual(res.body.skipped, [{ platform: "lark", reason: "no channel is configured for this platform" }]);
  });

  test("POST /v1/send with a message_id: a second post is reported as a duplicate and not sent", async () => {
    const msg = { content: { type: "text", body: { text: "once only" } }, metadata: { message_id: "deploy-42" }, platforms: ["wecom"] };
    let res = await r.post("/v1/send", msg);
    assertAllDelivered(res, 1);
    res = await r.post("/v1/send", msg);
    assert.equal(res.status, 200);
    assert.equal(res.body.channels[0].outcome, "duplicate");
    assert.equal(res.body.channels[0].error.code, "DUPLICATE");
    assert.equal(mock.receivedFor("wecom").length, 1);
  });

  test("a channel that fails for good: 207, reported and dead-lettered, the others delivered", async () => {
    mock.script("wecom", BOTS.wecom.key, [{ type: "code", body: { errcode: 93000, errmsg: "invalid webhook url" } }]);
    const res = await r.post("/v1/send", { content: { type: "text", body: { text: "x" } } });
    assert.equal(res.status, 207, res.text);
    assert.equal(res.body.ok, false);
    assert.deepEqual(res.body.summary, { delivered: 2, duplicate: 0, queued: 0, failed: 1 });
    const wc = res.body.channels.find((c) => c.channel === "wecom");
    assert.equal(wc.outcome, "failed");
    assert.equal(wc.retryable, false);
    assert.equal(wc.deadLettered, true);
    assert.equal(wc.error.platformCode, 93000);
    assert.equal(mock.receivedFor("wecom").length, 1, "a permanent failure is not retried");
  });

  test("every channel fails for good: 502", async () => {
    for (const p of ["wecom", "dingtalk", "feishu"]) {
      mock.script(p, BOTS[p].key, [{ type: "code", body: p === "feishu" ? { code: 19001, msg: "param invalid" } : { errcode: 93000, errmsg: "invalid" } }]);
    }
    const res = await r.post("/v1/send", { content: { type: "text", body: { text: "x" } } });
    assert.equal(res.status, 502, res.text);
    assert.equal(res.body.summary.failed, 3);
  });

  test("a message that renders to nothing (only link definitions): 400 INVALID_MESSAGE, nothing posted or dead-lettered", async () => {
    const before = mock.received.length;
    const res = await r.post("/v1/send", { content: { type: "markdown", body: { content: "[a]: https://e.com/\n[b]: https://e.com/\n" } } });
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.ok, false);
    assert.equal(res.body.error.code, "INVALID_MESSAGE", res.text);
    assert.match(res.body.error.message, /content\.body\.content/);
    assert.match(res.body.error.message, /renders to nothing/);
    assert.equal(res.body.summary.failed, 3);
    for (const c of res.body.channels) {
      assert.equal(c.outcome, "failed", res.text);
      assert.equal(c.retryable, false);
      assert.ok(!c.deadLettered, `${c.channel} dead-lettered`);
    }
    assert.equal(mock.received.length, before, "nothing was posted");
  });

  test("a message no requested platform can show (a file by media_id on DingTalk and Feishu): 400 UNSUPPORTED, nothing posted or dead-lettered; 207 where another channel takes it", async () => {
    const before = mock.received.length;
    const file = { content: { type: "file", body: { media_id: "MEDIA0123456789" } } };
    let res = await r.post("/v1/send", { ...file, platforms: ["dingtalk", "feishu"] });
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.ok, false);
    assert.equal(res.body.error.code, "UNSUPPORTED", res.text);
    assert.equal(res.body.summary.failed, 2, res.text);
    for (const c of res.body.channels) {
      assert.equal(c.outcome, "failed", res.text);
      assert.equal(c.retryable, false);
      assert.ok(!c.deadLettered, `${c.channel} dead-lettered`);
    }
    assert.equal(mock.received.length, before, "nothing was posted");
    // WeCom uploads a file given as base64 and sends it: one channel delivered, two refused it
    res = await r.post("/v1/send", { content: { type: "file", body: { base64: Buffer.from("report").toString("base64"), name: "r.txt" } } });
    assert.equal(res.status, 207, res.text);
    assert.deepEqual(res.body.summary, { delivered: 1, duplicate: 0, queued: 0, failed: 2 }, res.text);
    for (const c of res.body.channels.filter((c) => c.outcome === "failed")) assert.ok(!c.deadLettered, `${c.channel} dead-lettered`);
  });
});

describe("the seed's examples", () => {
  test("every example reaches every platform through /v1/send, as the mock's strict checks accept it", async () => {
    const r = await relay();
    const seeds = JSON.parse(fs.readFileSync(path.join(ROOT, "tests", "fixtures", "seed_examples.json"), "utf8"))
      // WeCom gets an image by URL as bytes: the sender would fetch it from the internet
      .filter((e) => e.name !== "image-by-url");
    assert.ok(seeds.length >= 17);
    for (const ex of seeds) {
      const res = await r.post("/v1/send", ex.message);
      assert.equal(res.status, 200, `${ex.name}: ${res.text}`);
      assert.deepEqual(res.body.summary, { delivered: 3, duplicate: 0, queued: 0, failed: 0 }, ex.name);
    }
    for (const p of ["wecom", "dingtalk", "feishu"]) {
      assert.equal(delivered(p).length, seeds.length, p);
      for (const x of delivered(p)) assert.deepEqual(x.warnings, [], `${p}: ${x.warnings}`);
    }
  });
});

describe("access and bad bodies", () => {
  let r;
  before(async () => {
    r = await relay({ env: { MAX_BODY_BYTES: "4096" } });
  });
  const am = () => fixture("alertmanager-firing.json");

  test("no, wrong or malformed Authorization: 401 and nothing is sent", async () => {
    const cases = [
      { token: null },
      { token: "wrong-token" },
      { token: `${SECRETS[0]}x` },
      { token: SECRETS[0].slice(0, -1) },
      { token: null, headers: { authorization: `Basic ${Buffer.from(`u:${SECRETS[0]}`).toString("base64")}` } },
      { token: null, headers: { authorization: SECRETS[0] } },
      { token: null, headers: { authorization: `Bearer ${SECRETS[0]} extra` } },
    ];
    for (const c of cases) {
      for (const p of ["/v1/alertmanager", "/v1/grafana", "/v1/send"]) {
        const res = await r.post(p, am(), c);
        assert.equal(res.status, 401, `${p} ${JSON.stringify(c)}: ${res.text}`);
        assert.equal(res.body.error.code, "UNAUTHORIZED");
        assert.match(res.headers["www-authenticate"], /^Bearer/);
      }
    }
    assert.equal(mock.received.length, 0);
    assert.ok(r.events("unauthorized").length >= cases.length * 3);
    // the scheme is case-insensitive
    const ok = await r.post("/v1/alertmanager", am(), { token: null, headers: { authorization: `bearer ${SECRETS[0]}` } });
    assert.equal(ok.status, 200, ok.text);
  });

  test("authentication comes before reading the body: an unauthenticated oversized body is 401, not 413", async () => {
    const res = await r.post("/v1/send", "x".repeat(5000), { token: null });
    assert.equal(res.status, 401);
  });

  test("a body over MAX_BODY_BYTES: 413, declared or streamed", async () => {
    const big = fixture("alertmanager-many.json"); // ~40 KB > 4096
    let res = await r.post("/v1/alertmanager", big);
    assert.equal(res.status, 413, res.text);
    assert.equal(res.body.error.code, "BODY_TOO_LARGE");
    assert.equal(res.body.error.limit, 4096);
    // no Content-Length: the relay counts while reading (a little over the limit, so the whole
    // body is written before the relay answers and the client sees the answer, not a reset)
    const bytes = Buffer.from(JSON.stringify(big)).subarray(0, 4600);
    const stream = new ReadableStream({
      start(ctl) {
        for (let i = 0; i < bytes.length; i += 1000) ctl.enqueue(bytes.subarray(i, i + 1000));
        ctl.close();
      },
    });
    const raw = await r.mf.dispatchFetch("http://relay.test/v1/alertmanager", {
      method: "POST",
      headers: { authorization: `Bearer ${SECRETS[0]}`, "content-type": "application/json" },
      body: stream,
      duplex: "half",
    });
    const text = await raw.text();
    responses.push(text);
    assert.equal(raw.status, 413, text);
    assert.equal(mock.received.length, 0);
  });

  test("not JSON, empty, wrong shape: 400 with a message that says what is wrong", async () => {
    const cases = [
      ["/v1/alertmanager", "{not json", "INVALID_JSON", /not valid JSON/],
      ["/v1/alertmanager", "", "EMPTY_BODY", /empty/],
      ["/v1/alertmanager", Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), "INVALID_JSON", /not UTF-8/],
      ["/v1/alertmanager", [1, 2], "INVALID_PAYLOAD", /JSON object/],
      ["/v1/alertmanager", { status: "firing" }, "INVALID_PAYLOAD", /^alerts: missing/],
      ["/v1/alertmanager", { ...am(), alerts: [{ labels: "x" }] }, "INVALID_PAYLOAD", /^alerts\[0\]\.labels: must be an object/],
      ["/v1/alertmanager", fixture("grafana-firing.json"), "INVALID_PAYLOAD", /post it to \/v1\/grafana/],
      ["/v1/grafana", { ...fixture("grafana-firing.json"), status: "alerting" }, "INVALID_PAYLOAD", /^status: must be "firing" or "resolved"/],
      ["/v1/send", { text: "hi" }, "INVALID_PAYLOAD", /^content: missing/],
      ["/v1/send", am(), "INVALID_PAYLOAD", /post it to \/v1\/alertmanager/],
      ["/v1/send", { content: { type: "bogus", body: {} } }, "INVALID_MESSAGE", /type/],
      ["/v1/send", { content: { type: "news", body: { links: [{ title: "a", url: "https://a.example" }, { title: "b" }] } } }, "INVALID_MESSAGE", /^content\.body\.links\[1\]\.url: is required/],
      ["/v1/send", { content: { type: "text", body: { text: "x" } }, platforms: ["slack"] }, "INVALID_PAYLOAD", /^platforms\[0\]: unknown platform "slack"/],
      ["/v1/send", { content: { type: "text", body: { text: "x" } }, channels: ["nope"] }, "INVALID_PAYLOAD", /^channels\[0\]: no channel named "nope"/],
      ["/v1/send", { content: { type: "text", body: { text: "x" } }, extra: 1 }, "INVALID_PAYLOAD", /^extra: unknown field/],
    ];
    for (const [p, body, code, re] of cases) {
      const res = await r.post(p, body, { raw: typeof body === "string" || Buffer.isBuffer(body) });
      assert.equal(res.status, 400, `${p} ${JSON.stringify(body).slice(0, 80)}: ${res.text}`);
      assert.equal(res.body.ok, false);
      assert.equal(res.body.error.code, code, res.text);
      assert.match(res.body.error.message, re);
    }
    const bad = await r.post("/v1/send", { content: { type: "news", body: { links: [{ title: "a", url: "https://a.example" }, { title: "b" }] } } });
    assert.equal(bad.body.error.path, "content.body.links[1].url");
    assert.equal(mock.received.length, 0);
  });

  test("unknown paths 404, wrong methods 405, unknown channel in ?channels 400", async () => {
    assert.equal((await r.post("/v1/nope", {})).status, 404);
    const get = await r.get("/v1/send");
    assert.equal(get.status, 405);
    assert.equal(get.headers.allow, "POST");
    assert.equal((await r.post("/healthz", {})).status, 405);
    const res = await r.post("/v1/alertmanager?channels=nope", am());
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, "UNKNOWN_CHANNEL");
    assert.equal(mock.received.length, 0);
  });
});

describe("configuration", () => {
  test("no RELAY_TOKEN: every POST is refused (fail closed) and healthz says so", async () => {
    const r = await relay({ token: null });
    const res = await r.post("/v1/send", { content: { type: "text", body: { text: "x" } } }, { token: "anything" });
    assert.equal(res.status, 500);
    assert.equal(res.body.error.code, "NOT_CONFIGURED");
    assert.equal((await r.get("/healthz")).body.token, false);
    assert.equal(mock.received.length, 0);
  });

  test("no channel: 500 that says which variables to set", async () => {
    const r = await relay({ seed: false });
    const res = await r.post("/v1/alertmanager", fixture("alertmanager-firing.json"));
    assert.equal(res.status, 500);
    assert.match(res.body.error.message, /WECOM_WEBHOOK_KEY/);
    assert.equal((await r.get("/healthz")).status, 500);
  });

  test("a bad ROUTES: healthz and POSTs answer 500 CONFIG_ERROR, nothing is sent", async () => {
    const r = await relay({ env: { ROUTES: '{"routes":[{"matchers":["severity=critical"],"channels":["nope"]}]}' } });
    const h = await r.get("/healthz");
    assert.equal(h.status, 500);
    assert.match(h.body.error.message, /ROUTES\.routes\[0\]\.channels: no channel named "nope"/);
    const res = await r.post("/v1/alertmanager", fixture("alertmanager-firing.json"));
    assert.equal(res.status, 500);
    assert.equal(res.body.error.code, "CONFIG_ERROR");
    assert.equal(mock.received.length, 0);
  });
});

describe("routing", () => {
  const ONCALL = { platform: "dingtalk", key: "oncall-token-2b7d", secret: "SEConcall0secret0a1b2c3d4e5f" };
  const DBA = { platform: "feishu", key: "dba-hook-9e4c", secret: "dba-secret-77aa" };
  let r;
  before(async () => {
    mock.addBot(ONCALL);
    mock.addBot(DBA);
    SECRETS.push(ONCALL.key, ONCALL.secret, DBA.key, DBA.secret);
    r = await relay({
      env: {
        ONCALL_TOKEN: ONCALL.key,
        ONCALL_SECRET: ONCALL.secret,
        DBA_HOOK: DBA.key,
        DBA_SECRET: DBA.secret,
        ROUTES: JSON.stringify({
          channels: {
            oncall: { platform: "dingtalk", webhook_env: "ONCALL_TOKEN", secret_env: "ONCALL_SECRET" },
            dba: { platform: "feishu", webhook_env: "DBA_HOOK", secret_env: "DBA_SECRET" },
          },
          routes: [
            { matchers: ["severity=critical"], channels: ["oncall", "wecom"] },
            { matchers: ["team=~dba|storage"], channels: ["dba"] },
          ],
          default: ["wecom"],
        }),
      },
    });
  });

  test("critical alerts go to the on-call bot and WeCom; the seed's DingTalk bot gets nothing", async () => {
    const res = await r.post("/v1/alertmanager", fixture("alertmanager-firing.json"));
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.channels.map((c) => c.channel).sort(), ["oncall", "wecom"]);
    assert.equal(delivered("dingtalk", ONCALL.key).length, 1);
    assert.equal(mock.receivedFor("dingtalk", BOTS.dingtalk.key).length, 0);
    assert.equal(mock.receivedFor("feishu").length, 0);
  });

  test("a mixed group is split by each alert's labels: each channel's card counts its own alerts", async () => {
    const body = fixture("alertmanager-many.json"); // severity=warning, team=dba
    body.alerts[0].labels.severity = "critical";
    body.alerts[1].labels.severity = "critical";
    body.alerts[1].status = "firing";
    const res = await r.post("/v1/alertmanager", body);
    assert.equal(res.status, 200, res.text);
    const by = Object.fromEntries(res.body.channels.map((c) => [c.channel, c.alerts]));
    assert.deepEqual(by, { oncall: 2, wecom: 2, dba: 48 });
    assert.match(visibleText("dingtalk", delivered("dingtalk", ONCALL.key)[0].body), /\[FIRING:2\] DiskSpaceLow/);
    assert.match(visibleText("feishu", delivered("feishu", DBA.key)[0].body), /\[FIRING:43, RESOLVED:5\] DiskSpaceLow/);
  });

  test("?channels= overrides the routes; /v1/send takes channels, platforms or labels", async () => {
    let res = await r.post("/v1/alertmanager?channels=dba,wecom", fixture("alertmanager-firing.json"));
    assert.deepEqual(res.body.channels.map((c) => c.channel).sort(), ["dba", "wecom"]);
    const msg = { content: { type: "text", body: { text: "hi" } } };
    res = await r.post("/v1/send", { ...msg, channels: ["oncall"] });
    assert.deepEqual(res.body.channels.map((c) => c.channel), ["oncall"]);
    res = await r.post("/v1/send", { ...msg, platforms: ["dingtalk"] });
    assert.deepEqual(res.body.channels.map((c) => c.channel).sort(), ["dingtalk", "oncall"]);
    res = await r.post("/v1/send", { ...msg, labels: { team: "storage" } });
    assert.deepEqual(res.body.channels.map((c) => c.channel), ["dba"]);
    res = await r.post("/v1/send", msg);
    assert.deepEqual(res.body.channels.map((c) => c.channel), ["wecom"]);
  });
});

describe("secrets", () => {
  test("no key, token or secret appears in any response or log line", () => {
    assert.ok(responses.length > 30, "the other tests ran first");
    const logs = relays.map((r) => r.logText()).join("\n");
    assert.ok(logs.includes('"event":"delivered"'), "the logs were captured");
    for (const s of SECRETS) {
      for (const [what, text] of [["logs", logs], ...responses.map((t, i) => [`response ${i}`, t])]) {
        assert.ok(!text.includes(s), `${what} contains a secret (${s.slice(0, 4)}…)`);
        assert.ok(!text.includes(encodeURIComponent(s)), `${what} contains a URL-encoded secret`);
      }
    }
    // and no webhook URL of the mock (which would carry a key)
    assert.ok(!logs.includes(mock.url), "a URL in the logs");
  });
});
