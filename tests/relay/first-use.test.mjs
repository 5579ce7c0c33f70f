// What a first user hit: a client that sends less than its Content-Length, /healthz for webhooks
// the package would refuse.
import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, test } from "node:test";
import { BOTS, RELAY_TOKEN, SECRETS, fixture, prepareWorker, startMock, startRelay, waitFor } from "./harness.mjs";

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

async function relay(opts = {}) {
  const r = await startRelay({ built, mock, ...opts });
  relays.push(r);
  return r;
}

/** Send raw HTTP/1.1 bytes, close our side, and collect whatever comes back. */
function rawRequest(url, bytes) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const sock = net.connect({ host: hostname, port: Number(port) });
    const chunks = [];
    sock.on("data", (c) => chunks.push(c));
    sock.on("error", () => resolve(Buffer.concat(chunks).toString("utf8")));
    sock.on("close", () => resolve(Buffer.concat(chunks).toString("utf8")));
    sock.setTimeout(10_000, () => sock.destroy());
    sock.write(bytes, () => sock.end());
  });
}

describe("a body shorter than its Content-Length", () => {
  test("is the client's mistake: 400 INCOMPLETE_BODY logged at info, never a 500 or an error line", async () => {
    const r = await relay();
    const body = '{"content":{"type":"text"';
    const head = [
      "POST /v1/send HTTP/1.1",
      `Host: 127.0.0.1`,
      `Authorization: Bearer ${RELAY_TOKEN}`,
      "Content-Type: application/json",
      `Content-Length: ${body.length + 500}`,
      "",
      "",
    ].join("\r\n");
    const answer = await rawRequest(r.url, head + body);
    const rejected = await waitFor(() => r.events("rejected"), { what: "the rejected log line" });
    assert.equal(rejected[0].level, "info", JSON.stringify(rejected[0]));
    assert.equal(rejected[0].status, 400);
    assert.equal(rejected[0].code, "INCOMPLETE_BODY");
    assert.deepEqual(r.events("internal_error"), []);
    assert.ok(!r.lines().some((l) => l.includes('"level":"error"')), r.logText());
    // when the client still listens, it is told so
    if (answer) assert.match(answer, /^HTTP\/1\.1 400/, answer);
    assert.equal(mock.received.length, 0);
  });
});

describe("/healthz checks each channel as the package would", () => {
  test("a 6-character DingTalk token: 500, the channel named with the package's reason, no secret", async () => {
    const r = await relay({ env: { DINGTALK_ACCESS_TOKEN: "abc123" } });
    const res = await r.get("/healthz");
    assert.equal(res.status, 500, res.text);
    assert.equal(res.body.ok, false);
    assert.deepEqual(
      res.body.badChannels.map((c) => [c.channel, c.platform, c.variable, c.code]),
      [["dingtalk", "dingtalk", "DINGTALK_ACCESS_TOKEN", "INVALID_CONFIG"]],
    );
    assert.match(res.body.badChannels[0].message, /neither a URL nor a key/);
    assert.ok(!res.text.includes("abc123"));
    for (const s of SECRETS) assert.ok(!res.text.includes(s));
  });

  test("a Feishu bot without FEISHU_ENCRYPT_KEY or FEISHU_VERIFICATION_TOKEN stays off: badBots, and a forged event is refused", async () => {
    const appSecret = "feishu-app-secret-5c1d9e";
    const r = await relay({ env: { FEISHU_APP_ID: "cli_forgery", FEISHU_APP_SECRET: appSecret } });
    const res = await r.get("/healthz");
    assert.equal(res.status, 500, res.text);
    assert.equal(res.body.ok, false);
    assert.deepEqual(res.body.badBots.map((b) => [b.bot, b.path, b.code]), [["feishu", "/v1/feishu/events", "INVALID_CONFIG"]]);
    assert.match(res.body.badBots[0].message, /FEISHU_ENCRYPT_KEY or FEISHU_VERIFICATION_TOKEN/);
    // a plain, unsigned im.message.receive_v1 from anyone
    const forged = {
      schema: "2.0",
      header: { event_id: "ev-forged", event_type: "im.message.receive_v1" },
      event: { sender: { sender_id: { open_id: "ou_x" } }, message: { message_id: "om_x", chat_id: "oc_x", chat_type: "group", message_type: "text", content: '{"text":"firing"}' } },
    };
    const ev = await fetch(`${r.url}/v1/feishu/events`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(forged) });
    const text = await ev.text();
    assert.equal(ev.status, 500, text);
    assert.equal(JSON.parse(text).error.code, "CONFIG_ERROR");
    for (const t of [res.text, text, r.logText()]) assert.ok(!t.includes(appSecret), "the app secret was shown");
  });

  test("every channel well-formed: 200 with no badChannels", async () => {
    const r = await relay();
    const res = await r.get("/healthz");
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.badChannels, undefined);
  });
});

const ok = (x) => x.outcome?.status === 200 && (x.outcome.body.errcode === 0 || x.outcome.body.code === 0);
const got = (platform) => mock.receivedFor(platform, BOTS[platform].key).filter(ok);

describe("alerts as people read them, end to end", () => {
  test("ROUTES mentions: a real @ on WeCom and DingTalk (a text after the card), and in the Feishu card", async () => {
    mock.reset();
    const routes = {
      mentions: {
        wecom: { critical: [{ type: "mobile", value: "13800000000" }] },
        dingtalk: { "*": [{ type: "mobile", value: "13900000000" }] },
        feishu: { critical: [{ type: "all" }] },
      },
    };
    const r = await relay({ env: { ROUTES: JSON.stringify(routes) } });
    const res = await r.post("/v1/alertmanager", fixture("alertmanager-firing.json"));
    assert.equal(res.status, 200, res.text);
    for (const c of res.body.channels.filter((c) => c.platform !== "feishu")) assert.deepEqual(c.mentions, { outcome: "delivered" }, c.channel);
    const [card, at] = got("wecom");
    assert.equal(card.body.msgtype, "markdown");
    assert.equal(at.body.msgtype, "text");
    assert.deepEqual(at.body.text.mentioned_mobile_list, ["13800000000"]);
    const dt = got("dingtalk");
    assert.equal(dt[0].body.msgtype, "actionCard");
    assert.deepEqual(dt[1].body.at.atMobiles, ["13900000000"]);
    const [fs_] = got("feishu");
    assert.match(JSON.stringify(fs_.body.card), /<at id=\\"all\\">/);
    // resolved: nobody is called
    mock.reset();
    await r.post("/v1/alertmanager", fixture("alertmanager-resolved.json"));
    assert.equal(got("wecom").length, 1);
    assert.equal(got("dingtalk").length, 1);
  });

  test("WECOM_CARD=card: the realistic alert reaches WeCom as a template card", async () => {
    mock.reset();
    const r = await relay({ env: { WECOM_CARD: "card" } });
    const res = await r.post("/v1/alertmanager?channels=wecom", fixture("alertmanager-firing.json"));
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.channels[0].degraded, [], "nothing degraded: no markdown fallback");
    const [wc] = got("wecom");
    assert.equal(wc.body.msgtype, "template_card");
    assert.match(wc.body.template_card.main_title.title, /FIRING:2/);
  });

  test("a 25 KB generatorURL and externalURL: DingTalk and Feishu still get the card", async () => {
    mock.reset();
    const r = await relay();
    const body = fixture("alertmanager-firing.json");
    body.externalURL = `http://am.test/?${"y".repeat(25_000)}`;
    for (const a of body.alerts) a.generatorURL = `http://prom.test/graph?g0.expr=${"x".repeat(25_000)}`;
    const res = await r.post("/v1/alertmanager", body);
    assert.equal(res.status, 200, res.text);
    assert.equal(got("dingtalk").length, 1);
    assert.equal(got("feishu").length, 1);
  });
});
