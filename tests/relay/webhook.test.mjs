// The relay routing an Alertmanager alert to a generic webhook channel of ROUTES (any URL, by
// template): the request the receiver on 127.0.0.1 gets, header credentials from env, and no
// credential in the response or the logs.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { after, before, test } from "node:test";
import { fixture, prepareWorker, startMock, startRelay } from "./harness.mjs";

let built;
let mock;
let relay;
let server;
const received = [];
const TOKEN = `tk_${crypto.randomBytes(12).toString("hex")}`;
const URL_KEY = `uk${crypto.randomBytes(12).toString("hex")}`;

before(async () => {
  built = await prepareWorker();
  mock = await startMock();
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ method: req.method, url: req.url, auth: req.headers.authorization, type: req.headers["content-type"], body });
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"ok":true}');
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${server.address().port}/api/incidents?key=${URL_KEY}`;
  relay = await startRelay({
    built,
    mock,
    env: {
      TICKETS_URL: url,
      TICKETS_TOKEN: TOKEN,
      ROUTES: JSON.stringify({
        channels: {
          tickets: {
            platform: "webhook",
            webhook_env: "TICKETS_URL",
            config: {
              method: "PUT",
              headers: { Authorization: "Bearer ${TICKETS_TOKEN}" },
              body: '{"summary": "{{title}}", "details": "{{message|text}}", "at": {{time|unix}}}',
              check: { jsonPath: "ok", equals: true },
            },
          },
        },
        routes: [{ matchers: ["severity=critical"], channels: ["tickets"] }],
        default: ["wecom"],
      }),
    },
  });
});
after(async () => {
  await relay?.dispose();
  await mock?.close();
  await new Promise((r) => server?.close(r));
});

test("a critical Alertmanager alert goes to the webhook channel through its template", async () => {
  const res = await relay.post("/v1/alertmanager", fixture("alertmanager-firing.json"));
  assert.equal(res.status, 200, res.text);
  const tickets = res.body.channels.find((c) => c.channel === "tickets");
  assert.ok(tickets, res.text);
  assert.equal(tickets.platform, "webhook");
  assert.equal(tickets.outcome, "delivered", res.text);
  assert.equal(received.length, 1);
  const [req] = received;
  assert.equal(req.method, "PUT");
  assert.equal(req.auth, `Bearer ${TOKEN}`);
  assert.equal(req.type, "application/json");
  assert.ok(req.url.includes(URL_KEY));
  const b = JSON.parse(req.body);
  assert.match(b.summary, /FIRING/);
  assert.ok(b.details.length > 0);
  assert.equal(typeof b.at, "number");
  for (const s of [TOKEN, URL_KEY]) {
    assert.ok(!res.text.includes(s), `${s} in the response`);
    assert.ok(!relay.logText().includes(s), `${s} in the logs`);
  }
});

test("a webhook channel that keeps its URL in ROUTES is a config error", async () => {
  const bad = await startRelay({
    built,
    mock,
    env: { ROUTES: JSON.stringify({ channels: { t: { platform: "webhook", webhook_env: "T_URL", config: { url: "http://127.0.0.1:9/" } } } }), T_URL: "http://127.0.0.1:9/" },
  });
  try {
    const h = await bad.post("/v1/alertmanager", fixture("alertmanager-firing.json"));
    assert.equal(h.status, 500, h.text);
    assert.match(h.text, /config\.url: keep it in an env variable/);
  } finally {
    await bad.dispose();
  }
});

// The relay imports webhook-push/webhook (webhook channels) and webhook-push/inbound (chatops):
// both are served by one wasm, so the Worker carries one, and not the main entry's beside it.
test("the relay's bundle carries one wasm: the full one both subpaths share", () => {
  const wasms = fs.readdirSync(path.join(path.dirname(built.scriptPath))).filter((f) => f.endsWith(".wasm"));
  assert.deepEqual(wasms, ["webhook_push_full_bg.wasm"]);
});
