// Talk to your alerts: the relay in workerd (Miniflare) with D1, its three bots played by the
// inbound test client (tests/inbound/client.mjs). Post an Alertmanager alert; ask "what is firing"
// from WeCom, DingTalk and Feishu and get the answer in each platform's reply format; acknowledge
// it from chat and see the next notification say so; silence it and see it left out.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { after, before, test } from "node:test";

import { dingtalkSign, feishuEncrypt, feishuSign, startPlatform, wxDecrypt, wxEncrypt, wxSign } from "../inbound/client.mjs";
import { BOTS, RELAY_TOKEN, SECRETS, fixture, prepareWorker, startMock, startRelay, visibleText } from "./harness.mjs";

const rand = (n = 16) => crypto.randomBytes(n).toString("hex");
const CREDS = {
  WECOM_BOT_TOKEN: rand(),
  WECOM_BOT_AES_KEY: crypto.randomBytes(32).toString("base64").slice(0, 43),
  DINGTALK_APP_SECRET: rand(),
  FEISHU_APP_ID: `cli_${rand(4)}`,
  FEISHU_APP_SECRET: rand(),
  FEISHU_ENCRYPT_KEY: rand(),
  FEISHU_VERIFICATION_TOKEN: rand(),
};

let mock;
let platform;
let relay;

before(async () => {
  const built = await prepareWorker();
  mock = await startMock();
  platform = await startPlatform({ feishuApp: { appId: CREDS.FEISHU_APP_ID, appSecret: CREDS.FEISHU_APP_SECRET } });
  relay = await startRelay({
    built,
    mock,
    d1: true,
    env: { ...CREDS, FEISHU_API_BASE_URL: platform.base, CHATOPS_REPLY_WINDOW_MS: "4000", CHATOPS_ALLOW_FROM: "alice,user123,ou_alice" },
  });
});
after(async () => {
  await relay?.dispose();
  await mock?.close();
  await platform?.close();
});

async function askWecom(text, from = "alice") {
  const msgid = `m-${rand(4)}`;
  const payload = {
    msgid,
    aibotid: "AIBOT",
    chatid: "CHAT",
    chattype: "group",
    from: { userid: from },
    response_url: `${platform.base}/wecom/response?response_code=${msgid}`,
    msgtype: "text",
    text: { content: `@AlertBot ${text}` },
  };
  const enc = wxEncrypt(CREDS.WECOM_BOT_AES_KEY, JSON.stringify(payload), "");
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = rand(4);
  const q = new URLSearchParams({ msg_signature: wxSign(CREDS.WECOM_BOT_TOKEN, timestamp, nonce, enc), timestamp, nonce });
  const res = await fetch(`${relay.url}/v1/wecom/bot?${q}`, { method: "POST", body: JSON.stringify({ encrypt: enc }) });
  const body = await res.text();
  assert.equal(res.status, 200, body);
  if (body === "") {
    // answered after the reply window: through response_url
    const post = await platform.until(() => platform.state.responseUrl.find((r) => r.code === msgid), "the response_url answer");
    return post.body.markdown.content;
  }
  const reply = JSON.parse(wxDecrypt(CREDS.WECOM_BOT_AES_KEY, JSON.parse(body).encrypt).msg);
  assert.equal(reply.msgtype, "stream");
  return reply.stream.content;
}

async function askDingtalk(text) {
  const msgId = `d-${rand(4)}`;
  const body = {
    conversationId: "cid",
    msgId,
    senderNick: "Alice",
    senderStaffId: "user123",
    sessionWebhookExpiredTime: Date.now() + 5_400_000,
    createAt: Date.now(),
    conversationType: "2",
    conversationTitle: "ops",
    isInAtList: true,
    sessionWebhook: `${platform.base}/dingtalk/session?session=${msgId}`,
    text: { content: ` ${text}` },
    msgtype: "text",
  };
  const ts = Date.now();
  const res = await fetch(`${relay.url}/v1/dingtalk/bot`, {
    method: "POST",
    headers: { timestamp: String(ts), sign: dingtalkSign(CREDS.DINGTALK_APP_SECRET, ts), "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200);
  const post = await platform.until(() => platform.state.session.find((s) => s.session === msgId), "the sessionWebhook answer");
  assert.equal(post.body.msgtype, "markdown");
  return post.body.markdown.text;
}

async function askFeishu(text) {
  const eventId = `ev-${rand(4)}`;
  const event = {
    schema: "2.0",
    header: { event_id: eventId, event_type: "im.message.receive_v1", token: CREDS.FEISHU_VERIFICATION_TOKEN, app_id: CREDS.FEISHU_APP_ID },
    event: {
      sender: { sender_id: { open_id: "ou_alice" }, sender_type: "user" },
      message: { message_id: `om_${eventId}`, chat_id: `oc_${eventId}`, chat_type: "group", message_type: "text", content: JSON.stringify({ text: text }), mentions: [] },
    },
  };
  const raw = JSON.stringify({ encrypt: feishuEncrypt(CREDS.FEISHU_ENCRYPT_KEY, JSON.stringify(event)) });
  const ts = String(Math.floor(Date.now() / 1000));
  const nonce = rand(4);
  const res = await fetch(`${relay.url}/v1/feishu/events`, {
    method: "POST",
    headers: { "x-lark-request-timestamp": ts, "x-lark-request-nonce": nonce, "x-lark-signature": feishuSign(ts, nonce, CREDS.FEISHU_ENCRYPT_KEY, raw) },
    body: raw,
  });
  assert.equal(res.status, 200);
  const im = await platform.until(() => platform.state.im.find((m) => m.body.receive_id === `oc_${eventId}`), "the IM API answer");
  assert.ok(["post", "text"].includes(im.body.msg_type), im.body.msg_type);
  return im.body.content; // a JSON string, as the IM API takes it
}

test("ask what is firing from each platform, acknowledge from chat, see the next notification say so", async () => {
  const payload = fixture("alertmanager-firing.json");
  const first = await relay.post("/v1/alertmanager", payload);
  assert.equal(first.status, 200, first.text);
  const name = payload.alerts[0].labels.alertname;
  const fp = payload.alerts[0].fingerprint;

  const wecom = await askWecom("what is firing");
  assert.ok(wecom.includes(name) && wecom.includes(fp.slice(0, 8)), wecom);
  const dingtalk = await askDingtalk("告警");
  assert.ok(dingtalk.includes(name) && dingtalk.includes(fp.slice(0, 8)), dingtalk);
  const feishu = await askFeishu("firing");
  assert.ok(feishu.includes(name) && feishu.includes(fp.slice(0, 8)), feishu);

  const ack = await askDingtalk(`确认 ${fp.slice(0, 8)}`);
  assert.match(ack, /acknowledged by Alice/);

  mock.reset();
  const again = await relay.post("/v1/alertmanager", payload);
  assert.equal(again.status, 200, again.text);
  const wecomCard = mock.receivedFor("wecom", BOTS.wecom.key).map((x) => visibleText("wecom", x.body)).join("\n");
  assert.match(wecomCard, new RegExp(`${name}: acknowledged by Alice`));

  const alerts = await relay.get("/v1/alerts?status=firing", { headers: { authorization: `Bearer ${RELAY_TOKEN}` } });
  assert.equal(alerts.status, 200);
  assert.equal(alerts.body.alerts.find((a) => a.fingerprint === fp).acknowledged_by, "Alice");
  const deliveries = await relay.get("/v1/deliveries", { headers: { authorization: `Bearer ${RELAY_TOKEN}` } });
  assert.ok(deliveries.body.deliveries.length >= 6, "two notifications x three channels logged");
  assert.ok(deliveries.body.deliveries.every((d) => d.result === "ok"));
  assert.equal((await relay.get("/v1/alerts")).status, 401, "the state endpoints need the token");
});

test("a silence from chat leaves the alert out of the relay's notifications", async () => {
  const payload = fixture("alertmanager-firing.json");
  await relay.post("/v1/alertmanager", payload);
  for (const a of payload.alerts.filter((x) => x.status === "firing")) {
    const out = await askWecom(`silence ${a.fingerprint} 2h`);
    assert.match(out, /silenced for 2h/);
  }
  mock.reset();
  const res = await relay.post("/v1/alertmanager", payload);
  assert.equal(res.status, 200, res.text);
  // every alert of the fixture fires, and all were silenced: nothing is sent
  assert.ok(payload.alerts.every((x) => x.status === "firing"));
  assert.equal(res.body.silenced, payload.alerts.length);
  assert.equal(mock.receivedFor("wecom", BOTS.wecom.key).length, 0, "nothing sent");
  // a different alert still goes out
  const other = structuredClone(payload);
  other.alerts = [{ ...payload.alerts[0], fingerprint: "0123456789abcdef", labels: { ...payload.alerts[0].labels, alertname: "DiskFull" } }];
  const res2 = await relay.post("/v1/alertmanager", other);
  assert.equal(res2.status, 200, res2.text);
  assert.equal(mock.receivedFor("wecom", BOTS.wecom.key).length, 1);
});

test("Grafana alerts are recorded too, and a resolve is kept as resolved", async () => {
  const payload = fixture("grafana-firing.json");
  assert.equal((await relay.post("/v1/grafana", payload)).status, 200);
  const auth = { headers: { authorization: `Bearer ${RELAY_TOKEN}` } };
  const firing = (await relay.get("/v1/alerts?status=firing", auth)).body.alerts;
  for (const a of payload.alerts) {
    const row = firing.find((x) => x.fingerprint === a.fingerprint);
    assert.equal(row?.source, "grafana");
    assert.equal(row.alertname, a.labels.alertname);
  }
  const resolved = structuredClone(payload);
  resolved.status = "resolved";
  for (const a of resolved.alerts) a.status = "resolved";
  assert.equal((await relay.post("/v1/grafana", resolved)).status, 200);
  const after = (await relay.get("/v1/alerts?status=resolved", auth)).body.alerts;
  for (const a of payload.alerts) assert.ok(after.some((x) => x.fingerprint === a.fingerprint), "resolved");
  const answer = await askFeishu("firing");
  assert.ok(!answer.includes(payload.alerts[0].fingerprint.slice(0, 8)), "a resolved alert is not listed as firing");
});

test("bad callbacks to the relay's bots are refused and no credential is logged", async () => {
  const res = await fetch(`${relay.url}/v1/dingtalk/bot`, {
    method: "POST",
    headers: { timestamp: String(Date.now()), sign: "AAAA", "content-type": "application/json" },
    body: "{}",
  });
  assert.equal(res.status, 401);
  const res2 = await fetch(`${relay.url}/v1/wecom/bot?msg_signature=00&timestamp=1&nonce=1`, { method: "POST", body: '{"encrypt":"x"}' });
  assert.equal(res2.status, 401);
  const logs = relay.logText();
  for (const s of [...SECRETS, ...Object.values(CREDS).filter((v) => !v.startsWith("cli_"))]) assert.ok(!logs.includes(s), "a credential was logged");
});

test("a group of 150 alerts (over D1's 100 parameters per query) is recorded and delivered", async () => {
  const payload = fixture("alertmanager-firing.json");
  const base = payload.alerts[0];
  payload.alerts = Array.from({ length: 150 }, (_, i) => ({
    ...base,
    fingerprint: `b${String(i).padStart(15, "0")}`,
    labels: { ...base.labels, alertname: "BulkDisk", instance: `10.9.${Math.floor(i / 250)}.${i % 250}:9100` },
  }));
  mock.reset();
  const res = await relay.post("/v1/alertmanager", payload);
  assert.equal(res.status, 200, res.text);
  assert.ok(mock.receivedFor("wecom", BOTS.wecom.key).length >= 1, "the card went out");
  const firing = (await relay.get("/v1/alerts?status=firing", { headers: { authorization: `Bearer ${RELAY_TOKEN}` } })).body.alerts;
  assert.ok(firing.some((a) => a.fingerprint === "b000000000000149"), "the 150th alert was recorded");
  // acknowledged from chat, the ack shows on the next notification of the whole group
  assert.match(await askDingtalk("ack b000000000000120"), /acknowledged by Alice/);
  mock.reset();
  assert.equal((await relay.post("/v1/alertmanager", payload)).status, 200);
  const card = mock.receivedFor("wecom", BOTS.wecom.key).map((x) => visibleText("wecom", x.body)).join("\n");
  assert.match(card, /BulkDisk: acknowledged by Alice/);
  assert.ok(!relay.logText().includes("alert_state_failed"), "no D1 error");
});

test("a chat reference over D1's LIKE pattern limit is answered", async () => {
  const answer = await askDingtalk(`details ${"x".repeat(60)}`);
  assert.match(answer, /No alert/);
  const wide = await askDingtalk(`详情 ${"告".repeat(40)}`);
  assert.match(wide, /No alert/);
});
