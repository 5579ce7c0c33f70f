// One rate limit across isolates: the relay as several isolates (separate copies of the Worker in
// workerd, each with its own module-scope sender), sharing the BOT_COORDINATOR Durable Object of
// wrangler.toml, against the mock's strict WeCom (20 messages in any 60 s per bot, then 45009).
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { BOTS, SECRETS, prepareWorker, startMock, startRelay } from "./harness.mjs";

const ISOLATES = 4;
const BURST = 50;

let built;
let mock;
const relays = [];
const texts = [];

before(async () => {
  built = await prepareWorker();
  mock = await startMock();
});
after(async () => {
  await Promise.all(relays.map((r) => r.dispose()));
  await mock?.close();
});
beforeEach(() => mock.reset());

async function relay(opts) {
  // the queue consumer waits long enough not to run during a test: only the in-request path is measured
  const r = await startRelay({ built, mock, isolates: ISOLATES, ...opts, env: { RETRY_BASE_SECONDS: "600", ...opts.env } });
  relays.push(r);
  return r;
}

const alert = (i) => ({
  version: "4",
  status: "firing",
  receiver: "chat",
  groupLabels: { alertname: `Burst${i}` },
  commonLabels: { alertname: `Burst${i}`, severity: "warning" },
  commonAnnotations: {},
  externalURL: "http://alertmanager.test",
  alerts: [{ status: "firing", labels: { alertname: `Burst${i}`, instance: `node-${i}` }, annotations: { summary: `burst ${i}` }, startsAt: "2026-01-01T00:00:00Z" }],
});

const wecom = () => mock.receivedFor("wecom", BOTS.wecom.key);
const accepted = () => wecom().filter((x) => x.outcome?.status === 200 && x.outcome.body.errcode === 0);
const refusedForRate = () => wecom().filter((x) => x.outcome?.body?.errcode === 45009);

/** 50 alerts to the one WeCom bot, as concurrent requests spread over the isolates. */
async function burst(r) {
  const res = await Promise.all(Array.from({ length: BURST }, (_, i) => r.postTo(i, "/v1/alertmanager?channels=wecom", alert(i))));
  for (const x of res) texts.push(x.text);
  return res;
}

describe("a burst of 50 alerts to one WeCom bot over 4 isolates", () => {
  test("without the Durable Object each isolate keeps its own window: the platform refuses the excess", async () => {
    const r = await relay({ coordinator: false });
    const res = await burst(r);
    assert.ok(res.every((x) => [200, 202].includes(x.status)), res.map((x) => x.status).join(","));
    assert.ok(refusedForRate().length > 0, "four windows of 20 let more than 20 a minute reach the bot");
  });

  test("with it: 0 rate-limit answers, at most 20 delivered in the window, the rest queued, none twice", async () => {
    const r = await relay({});
    const health = await r.get("/healthz");
    assert.equal(health.body.coordinator, true);
    const res = await burst(r);
    assert.deepEqual(refusedForRate().length, 0, "no request reached the bot past its limit");
    const outcomes = res.map((x) => x.body?.channels?.[0]?.outcome);
    const delivered = outcomes.filter((o) => o === "delivered").length;
    const queued = res.filter((x) => x.body?.channels?.[0]?.outcome === "queued");
    assert.equal(delivered, 20, outcomes.join(","));
    assert.equal(delivered + queued.length, BURST);
    // the Durable Object answered every call (no fall-back to an isolate's own window)
    for (const x of res) assert.ok(!x.text.includes('"from": "coordinator"'), x.text);
    // held back by the shared window, not refused: the queue waits out the window
    for (const q of queued) {
      assert.equal(q.body.channels[0].error.code, "RATE_LIMIT", q.text);
      assert.ok(q.body.channels[0].queue.delaySeconds >= 60, q.text);
    }
    // every delivered card is a different alert: nothing went twice
    const names = accepted().map((x) => /Burst\d+/.exec(JSON.stringify(x.body))?.[0]);
    assert.equal(names.length, 20);
    assert.equal(new Set(names).size, 20, names.join(","));
    assert.equal(wecom().length, 20, "nothing else reached the bot");
    // the isolates really were different senders sharing one object: each served some of the burst
    assert.ok(r.events("delivered").length === 20);
  });

  test("one message_id posted to every isolate at once is sent once; the others report duplicate", async () => {
    const r = await relay({});
    const body = { content: { type: "text", body: { text: "deployed v2" } }, metadata: { message_id: "deploy-v2" }, platforms: ["wecom"] };
    const res = await Promise.all(Array.from({ length: ISOLATES * 2 }, (_, i) => r.postTo(i, "/v1/send", body)));
    for (const x of res) texts.push(x.text);
    const outcomes = res.map((x) => x.body?.channels?.[0]?.outcome).sort();
    assert.deepEqual(outcomes, ["delivered", ...Array(ISOLATES * 2 - 1).fill("duplicate")]);
    assert.equal(accepted().length, 1);
  });
});

test("no key, token or secret in any response or log line", () => {
  assert.ok(texts.length > 0);
  const all = [...texts, ...relays.map((r) => r.logText())].join("\n");
  for (const s of SECRETS) assert.ok(!all.includes(s), `leaked ${s.slice(0, 6)}…`);
});
