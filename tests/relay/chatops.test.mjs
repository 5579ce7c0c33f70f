// The relay's ChatOps commands and D1 alert state (worker-example/src/chatops.js, state.js)
// against Miniflare's D1 (SQLite), with the migration files applied as wrangler would.
//
//   node --test tests/relay/chatops.test.mjs
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { after, before, test } from "node:test";

import { parseAlertmanager } from "../../worker-example/src/alerts.js";
import { chatopsOnMessage, parseCommand, parseDuration, runCommand } from "../../worker-example/src/chatops.js";
import { fingerprintOf, listDeliveries, logDeliveries, recordAlerts, stateOf } from "../../worker-example/src/state.js";
import { startWorkerd } from "../support/workerd.mjs";
import { FIXTURES, applyMigrations } from "./harness.mjs";

let mf;
let db;

before(async () => {
  ({ mf } = await startWorkerd({ modules: true, script: "export default { fetch() { return new Response('') } }", d1Databases: ["DB"] }));
  db = await mf.getD1Database("DB");
  await applyMigrations(db);
});
after(async () => {
  await mf?.dispose();
});

const fixture = (name) => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), "utf8"));
const T0 = Date.parse("2026-11-30T10:00:00Z");

test("commands in English and Chinese", () => {
  assert.deepEqual(parseCommand("@AlertBot what is firing"), { cmd: "firing", args: [] });
  assert.deepEqual(parseCommand("有什么告警"), { cmd: "firing", args: [] });
  assert.deepEqual(parseCommand("/ack 1a2b3c4d"), { cmd: "ack", args: ["1a2b3c4d"] });
  assert.deepEqual(parseCommand("确认 1a2b"), { cmd: "ack", args: ["1a2b"] });
  assert.deepEqual(parseCommand("静默 abcd 2小时"), { cmd: "silence", args: ["abcd", "2小时"] });
  assert.deepEqual(parseCommand("详情 DiskFull"), { cmd: "details", args: ["DiskFull"] });
  assert.equal(parseCommand("帮助").cmd, "help");
  assert.equal(parseCommand("make me a sandwich").cmd, "unknown");
  assert.equal(parseDuration("2h"), 7_200_000);
  assert.equal(parseDuration("30分钟"), 1_800_000);
  assert.equal(parseDuration("1天"), 86_400_000);
  assert.equal(parseDuration("31d"), null);
  assert.equal(parseDuration("soon"), null);
});

test("alerts recorded from an Alertmanager payload; firing by severity with age; details; ack; silence", async () => {
  const n = parseAlertmanager(fixture("alertmanager-firing.json"));
  await recordAlerts(db, n, T0);
  const ctx = { db, now: T0 + 3_600_000, user: "alice" };
  const list = await runCommand(parseCommand("firing"), ctx);
  assert.match(list, /firing/);
  for (const a of n.alerts.filter((x) => x.status === "firing")) assert.ok(list.includes(a.labels.alertname), `${a.labels.alertname} listed`);
  const first = n.alerts.find((x) => x.status === "firing");
  const fp = fingerprintOf(first);
  const details = await runCommand({ cmd: "details", args: [fp] }, ctx);
  assert.ok(details.includes(first.labels.alertname) && details.includes(fp), details);
  const ack = await runCommand({ cmd: "ack", args: [fp] }, ctx);
  assert.match(ack, /acknowledged by alice/);
  assert.equal((await stateOf(db, [first])).get(fp).acknowledged_by, "alice");
  assert.match(await runCommand(parseCommand("firing"), ctx), /acked by alice/);
  const sil = await runCommand({ cmd: "silence", args: [fp, "2h"] }, ctx);
  assert.match(sil, /silenced for 2h/);
  assert.equal((await stateOf(db, [first])).get(fp).silenced_until, ctx.now + 7_200_000);
  assert.match(await runCommand({ cmd: "silence", args: [fp, "forever"] }, ctx), /how long/);
  assert.match(await runCommand({ cmd: "details", args: ["nope-nope"] }, ctx), /No alert/);
  assert.match(await runCommand({ cmd: "ack", args: [] }, ctx), /Which alert/);
});

test("a silence goes to Alertmanager's API when ALERTMANAGER_URL is set", async () => {
  const got = [];
  const server = http.createServer(async (req, res) => {
    let body = "";
    for await (const c of req) body += c;
    got.push({ path: req.url, body: JSON.parse(body) });
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ silenceID: "s-1" }));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  try {
    const n = parseAlertmanager(fixture("alertmanager-firing.json"));
    const a = n.alerts.find((x) => x.status === "firing");
    const out = await runCommand(
      { cmd: "silence", args: [fingerprintOf(a), "30m"] },
      { db, now: T0, user: "bob", alertmanagerUrl: `http://127.0.0.1:${server.address().port}/` },
    );
    assert.match(out, /silenced in Alertmanager for 30m \(silence s-1\)/);
    assert.equal(got[0].path, "/api/v2/silences");
    assert.equal(got[0].body.createdBy, "bob");
    assert.deepEqual(
      got[0].body.matchers.find((m) => m.name === "alertname"),
      { name: "alertname", value: a.labels.alertname, isRegex: false, isEqual: true },
    );
  } finally {
    await new Promise((r) => server.close(r));
  }
});

test("a resolved then firing again alert loses its acknowledgement", async () => {
  const firingN = parseAlertmanager(fixture("alertmanager-firing.json"));
  const a = firingN.alerts.find((x) => x.status === "firing");
  const fp = fingerprintOf(a);
  await runCommand({ cmd: "ack", args: [fp] }, { db, now: T0, user: "carol" });
  await recordAlerts(db, { source: "alertmanager", alerts: [{ ...a, status: "resolved" }] }, T0 + 1000);
  assert.equal((await stateOf(db, [a])).get(fp).acknowledged_by, "carol", "kept while resolved");
  await recordAlerts(db, { source: "alertmanager", alerts: [a] }, T0 + 2000);
  assert.equal((await stateOf(db, [a])).get(fp).acknowledged_by, null, "cleared by a new firing episode");
});

test("the delivery log keeps no payload or secret and drops rows past retention", async () => {
  await logDeliveries(db, "r1", "alertmanager", [{ channel: "wecom", platform: "wecom", ok: true, attempts: 1 }], T0, 86_400_000);
  await logDeliveries(db, "r2", "grafana", [{ channel: "oncall", platform: "dingtalk", ok: false, attempts: 3, error: { code: "RATE_LIMIT" } }], T0 + 2 * 86_400_000, 86_400_000);
  const rows = await listDeliveries(db);
  assert.deepEqual(
    rows.map((r) => [r.request_id, r.channel, r.result, r.attempts]),
    [["r2", "oncall", "RATE_LIMIT", 3]],
  );
  assert.deepEqual(Object.keys(rows[0]).sort(), ["at", "attempts", "channel", "id", "input", "platform", "queue_attempt", "request_id", "result", "via"]);
  assert.deepEqual([rows[0].via, rows[0].queue_attempt], ["request", null]);
  // the queue consumer's rows: via "queue", its attempt number, retry / dead_letter results
  await logDeliveries(db, "r2", "grafana", [{ channel: "oncall", platform: "dingtalk", outcome: "retry", queueAttempt: 1, attempts: 2, error: { code: "NETWORK_ERROR" } }], T0 + 2 * 86_400_000 + 1, 86_400_000, "queue");
  await logDeliveries(db, "r2", "grafana", [{ channel: "oncall", platform: "dingtalk", outcome: "dead_letter", queueAttempt: 2, attempts: 1, code: "PLATFORM_ERROR" }], T0 + 2 * 86_400_000 + 2, 86_400_000, "queue");
  assert.deepEqual(
    (await listDeliveries(db)).map((r) => [r.via, r.queue_attempt, r.result, r.attempts]),
    [
      ["queue", 2, "dead_letter:PLATFORM_ERROR", 1],
      ["queue", 1, "retry:NETWORK_ERROR", 2],
      ["request", null, "RATE_LIMIT", 3],
    ],
  );
});

test("chatopsOnMessage answers through the handler's reply, for a message and a card action", async () => {
  const sent = [];
  const reply = { send: async (m) => (sent.push(m), { success: true, attempts: 1 }) };
  const on = chatopsOnMessage({ DB: db }, { now: () => T0 });
  await on({ platform: "dingtalk", type: "text", text: "help", sender: { id: "u1", name: "Alice" } }, reply);
  assert.match(sent[0], /Commands/);
  await on({ platform: "feishu", type: "card_action", kind: "card_action", action: { value: { command: "告警" } }, sender: { id: "ou_1" } }, reply);
  assert.match(sent[1], /firing|没有告警/);
  await chatopsOnMessage({}, {})({ platform: "wecom", type: "text", text: "firing", sender: { id: "x" } }, reply);
  assert.match(sent[2], /no D1 database/);
});

// D1's limits (Miniflare enforces them as D1 does): 100 bound parameters per query, LIKE patterns
// of at most 50 bytes.
test("the state of a group of 250 alerts is read in chunks D1 accepts", async () => {
  const alerts = Array.from({ length: 250 }, (_, i) => ({ status: "firing", labels: { alertname: "Bulk", shard: String(i) }, fingerprint: `bulk${String(i).padStart(4, "0")}` }));
  await recordAlerts(db, { source: "alertmanager", alerts }, T0);
  await runCommand({ cmd: "ack", args: ["bulk0199"] }, { db, now: T0, user: "dave" });
  const state = await stateOf(db, alerts);
  assert.equal(state.size, 250);
  assert.equal(state.get("bulk0199").acknowledged_by, "dave");
  assert.equal(state.get("bulk0042").acknowledged_by, null);
});

test("a long or wildcard alert reference gets an answer, not a D1 error", async () => {
  const ctx = { db, now: T0, user: "erin" };
  for (const ref of ["x".repeat(60), "告".repeat(30), `${"%".repeat(30)}abc`, "z".repeat(5000)]) {
    for (const cmd of ["details", "ack"]) {
      const out = await runCommand({ cmd, args: [ref] }, ctx);
      assert.match(out, /No alert/, `${cmd} ${ref.slice(0, 10)}…`);
      assert.ok(out.length < 200, "the reference is not echoed whole");
    }
  }
  // LIKE wildcards are literal: "____" is no prefix of every fingerprint
  assert.match(await runCommand({ cmd: "details", args: ["____"] }, ctx), /No alert/);
  assert.match(await runCommand({ cmd: "details", args: ["bulk%"] }, ctx), /No alert/);
  // a real prefix still works
  assert.match(await runCommand({ cmd: "details", args: ["bulk0007"] }, ctx), /Bulk/);
});

test("a D1 failure during a command is answered to the user", async () => {
  const sent = [];
  const reply = { send: async (m) => (sent.push(m), { success: true, attempts: 1 }) };
  const broken = {
    prepare() {
      throw new Error("D1_ERROR: simulated outage");
    },
  };
  await chatopsOnMessage({ DB: broken }, { now: () => T0 })({ platform: "dingtalk", type: "text", text: "firing", sender: { id: "u1" } }, reply);
  assert.equal(sent.length, 1);
  assert.match(sent[0], /could not read or update its alert state/);
});
