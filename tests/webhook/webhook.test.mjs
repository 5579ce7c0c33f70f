// The generic `webhook` target from the packed package's webhook-push/webhook (scripts/pack-install.sh ->
// target/consumer) against a real HTTP receiver on 127.0.0.1: variables and formats, JSON
// safety, headers, methods, each check mode, retries with real timers, Standard Webhooks
// signatures checked by the `standardwebhooks` package, named services, and no secret in
// any result.
//
//   bash scripts/build.sh && bash scripts/pack-install.sh target/consumer
//   node --test tests/webhook/                  (WEBHOOK_CONSUMER=dir)
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Webhook as StandardWebhook } from "standardwebhooks";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const CONSUMER = path.resolve(ROOT, process.env.WEBHOOK_CONSUMER || "target/consumer");
// webhook-push/webhook (the generic webhook engine is not in the main entry's wasm), through the
// package's exports map as Node resolves an import of it
const PKG = path.join(CONSUMER, "node_modules", "webhook-push");
const subpath = JSON.parse(fs.readFileSync(path.join(PKG, "package.json"), "utf8")).exports["./webhook"];
const pkg = await import(pathToFileURL(path.join(PKG, subpath.node.import)).href);
const { render, MessageSender, isWebhookPushError } = pkg;

// ---- the receiver: records each request, answers from a per-path script ------------------------
const received = [];
const scripts = new Map(); // path -> [{ status, body, headers }] (the last one repeats)
let server;
let base;

before(async () => {
  server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url, "http://x");
      received.push({ at: Date.now(), method: req.method, path: url.pathname, query: url.search, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      const script = scripts.get(url.pathname) || [];
      const answer = script.length > 1 ? script.shift() : script[0] || { status: 200, body: "ok" };
      res.writeHead(answer.status, { "content-type": "text/plain", ...(answer.headers || {}) });
      res.end(answer.body ?? "");
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => new Promise((r) => server.close(r)));

let n = 0;
/** A fresh path on the receiver, its requests, and its script. */
function endpoint(script) {
  const p = `/t${++n}`;
  if (script) scripts.set(p, script);
  return { url: base + p, requests: () => received.filter((r) => r.path === p) };
}

const text = (t, metadata) => ({ content: { type: "text", body: { text: t } }, ...(metadata ? { metadata } : {}) });
const noSecrets = (value, secrets) => {
  const shown = JSON.stringify(value);
  for (const s of secrets) assert.ok(!shown.includes(s), `${s} in ${shown}`);
};

describe("variables, formats and JSON safety", () => {
  test("each variable and format as the receiver sees it", async () => {
    const ep = endpoint();
    const sender = new MessageSender({ rateLimit: false });
    const msg = {
      content: {
        type: "card",
        body: { title: "Disk full", subtitle: "db-1", text: "**92%** used", fields: [{ name: "host", value: "db-1" }], buttons: [{ text: "Open", url: "https://e.example/x" }] },
      },
      metadata: { message_id: "m-vars-1", correlation_id: "c-9" },
    };
    const r = await sender.send(msg, "webhook", {
      webhook: {
        url: ep.url,
        body:
          '{"title": "{{title}}", "subTitle": "{{subTitle}}", "type": "{{type}}", "iso": "{{time|iso}}", "unix": {{time|unix}}, "ms": {{time|unix_ms}},' +
          ' "text": "{{message|text}}", "md": "{{message|markdown}}", "html": "{{message|html}}", "id": "{{message_id}}", "corr": "{{metadata.correlation_id}}",' +
          ' "host": "{{card.fields.host}}", "open": "{{card.buttons.Open}}", "fallback": "{{logo|none}}", "raw": "{{content.body.subtitle}}", "unixInString": "{{time|unix}}"}',
      },
    });
    assert.equal(r.success, true, JSON.stringify(r));
    assert.equal(r.platform, "webhook");
    const [req] = ep.requests();
    const b = JSON.parse(req.body);
    assert.equal(b.title, "Disk full");
    assert.equal(b.subTitle, "db-1");
    assert.equal(b.type, "card");
    assert.match(b.iso, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(typeof b.unix, "number", "a whole-value placeholder inserts a number");
    assert.equal(b.unixInString, String(b.unix), "inside a JSON string it is text");
    assert.equal(b.ms >= b.unix * 1000 && b.ms < (b.unix + 1) * 1000, true, `${b.ms} vs ${b.unix}`);
    assert.ok(Math.abs(Date.parse(b.iso) - b.ms) < 1, `${b.iso} vs ${b.ms}`);
    assert.ok(b.md.includes("**92%**"), b.md);
    assert.ok(b.text.includes("92%") && !b.text.includes("**"), b.text);
    assert.ok(b.html.includes("<strong>92%</strong>"), b.html);
    assert.equal(b.id, "m-vars-1");
    assert.equal(b.corr, "c-9");
    assert.equal(b.host, "db-1");
    assert.equal(b.open, "https://e.example/x");
    assert.equal(b.fallback, "none");
    assert.equal(b.raw, "db-1");
  });

  test("hostile text stays one JSON string", async () => {
    const ep = endpoint();
    const sender = new MessageSender({ rateLimit: false });
    const hostile = 'q"uote \\ back\nnew\tline 中文 🚀 </script><script>x</script> \u2028 \ud800 end';
    const r = await sender.send(text(hostile), "webhook", { webhook: { url: ep.url, body: '{"t": "pre {{message}} post", "v": {{message}}}' } });
    assert.equal(r.success, true, JSON.stringify(r));
    const raw = ep.requests()[0].body;
    assert.ok(!raw.includes("</script>"), raw);
    const b = JSON.parse(raw);
    const expected = hostile.replace("\ud800", "\ufffd");
    assert.equal(b.t, `pre ${expected} post`);
    assert.equal(b.v, expected);
  });

  test("a whole-value placeholder inserts numbers, booleans, objects", async () => {
    const ep = endpoint();
    const sender = new MessageSender({ rateLimit: false });
    const msg = { content: { type: "text", body: { text: "x", extra: { n: 3, ok: true, tags: ["a", "b"] } } } };
    const r = await sender.send(msg, "webhook", { webhook: { url: ep.url, body: '{"n": {{content.body.extra.n}}, "ok": {{content.body.extra.ok}}, "tags": {{content.body.extra.tags}}}' } });
    assert.equal(r.success, true, JSON.stringify(r));
    assert.deepEqual(JSON.parse(ep.requests()[0].body), { n: 3, ok: true, tags: ["a", "b"] });
  });

  test("bad configurations are INVALID_CONFIG before anything is sent", async () => {
    const ep = endpoint();
    const bad = [
      { url: ep.url, body: "{{nope}}" },
      { url: ep.url, body: '{"a": {{message|wat}}}' },
      { url: ep.url, body: '{"a": ' },
      { url: ep.url, method: "DELETE" },
      { url: "ftp://127.0.0.1/x" },
      { url: ep.url, headers: { "X-A": "b\rX-Evil: c" } },
      { url: ep.url, headers: { "X-A": "b\nX-Evil: c" } },
    ];
    const sender = new MessageSender({ rateLimit: false });
    for (const cfg of bad) {
      assert.throws(() => render(text("x"), "webhook", { webhook: cfg }), (e) => isWebhookPushError(e) && e.code === "INVALID_CONFIG", JSON.stringify(cfg));
      const r = await sender.send(text("x"), "webhook", { webhook: cfg });
      assert.equal(r.error?.code, "INVALID_CONFIG", JSON.stringify(cfg));
    }
    assert.throws(() => render(text("x"), "webhook", { webhook: { url: ep.url, body: "{{nope}}" } }), /nope/);
    assert.equal(ep.requests().length, 0);
  });
});

describe("headers, methods and raw bodies", () => {
  test("PUT and PATCH with headers as an object and as lines, a raw text body", async () => {
    const sender = new MessageSender({ rateLimit: false });
    for (const method of ["PUT", "PATCH", "POST"]) {
      const ep = endpoint();
      const r = await sender.send(text("hello"), "webhook", {
        webhook: { url: ep.url, method, headers: "Authorization: Bearer tok_live_0123456789\nX-Kind: {{type}}", body: "msg={{message|url}}", contentType: "application/x-www-form-urlencoded" },
      });
      assert.equal(r.success, true, JSON.stringify(r));
      const [req] = ep.requests();
      assert.equal(req.method, method);
      assert.equal(req.headers.authorization, "Bearer tok_live_0123456789");
      assert.equal(req.headers["x-kind"], "text");
      assert.equal(req.headers["content-type"], "application/x-www-form-urlencoded");
      assert.equal(req.body, "msg=hello");
    }
  });

  test("render shows the request the sender makes", () => {
    const out = render(text("hi"), "webhook", { webhook: { url: `${base}/r`, method: "PATCH", headers: { "X-A": "1" }, body: { t: "{{message}}" } } });
    assert.equal(out.platform, "webhook");
    assert.equal(out.url, `${base}/r`);
    assert.equal(out.payloads.length, 1);
    assert.equal(out.payloads[0].method, "PATCH");
    assert.equal(out.payloads[0].headers["X-A"], "1");
    assert.equal(out.payloads[0].body, '{"t":"hi"}');
  });
});

describe("answer checks and retries (real timers, short intervals)", () => {
  test("status: a set of statuses", async () => {
    const sender = new MessageSender({ rateLimit: false });
    const ok = endpoint([{ status: 202, body: "" }]);
    const r = await sender.send(text("x"), "webhook", { webhook: { url: ok.url, check: { status: [201, 202] } } });
    assert.equal(r.success, true, JSON.stringify(r));
    const no = endpoint([{ status: 200, body: "" }]);
    const r2 = await sender.send(text("x"), "webhook", { webhook: { url: no.url, check: { status: 201 }, retry: { count: 2, intervalSeconds: 0.01 } } });
    assert.equal(r2.success, false);
    assert.equal(r2.attempts, 1, "a status the check does not accept is final");
    assert.match(r2.error.message, /HTTP 200, expected 201/);
  });

  test("bodyContains and jsonPath == equals: a 200 that refuses is a failure", async () => {
    const sender = new MessageSender({ rateLimit: false });
    const contains = endpoint([{ status: 200, body: "accepted" }]);
    assert.equal((await sender.send(text("x"), "webhook", { webhook: { url: contains.url, check: { bodyContains: "accepted" } } })).success, true);
    const refuses = endpoint([{ status: 200, body: '{"errcode":93000,"errmsg":"invalid"}' }]);
    const r = await sender.send(text("x"), "webhook", { webhook: { url: refuses.url, check: { jsonPath: "errcode", equals: 0 }, retry: { count: 3, intervalSeconds: 0.01 } } });
    assert.equal(r.success, false);
    assert.equal(r.attempts, 1);
    assert.equal(r.error.platformCode, 93000);
    assert.equal(r.error.code, "PLATFORM_ERROR");
    const retryable = endpoint([{ status: 200, body: '{"errcode":1}' }, { status: 200, body: '{"errcode":0}' }]);
    const r2 = await sender.send(text("x"), "webhook", { webhook: { url: retryable.url, check: { jsonPath: "errcode", equals: 0, retryable: true }, retry: { count: 2, intervalSeconds: 0.01 } } });
    assert.equal(r2.success, true, JSON.stringify(r2));
    assert.equal(r2.attempts, 2);
  });

  test("5xx and 429 retry (429 after its Retry-After); 4xx does not", async () => {
    const sender = new MessageSender({ rateLimit: false });
    const flaky = endpoint([{ status: 503, body: "busy" }, { status: 429, body: "slow", headers: { "retry-after": "1" } }, { status: 200, body: "ok" }]);
    const r = await sender.send(text("x"), "webhook", { webhook: { url: flaky.url, retry: { count: 3, intervalSeconds: 0.05 } } });
    assert.equal(r.success, true, JSON.stringify(r));
    assert.equal(r.attempts, 3);
    const at = flaky.requests().map((q) => q.at);
    assert.ok(at[1] - at[0] >= 45, `the interval was waited: ${at}`);
    assert.ok(at[2] - at[1] >= 950, `Retry-After was honoured: ${at}`);
    const gone = endpoint([{ status: 404, body: "no such hook" }]);
    const r2 = await sender.send(text("x"), "webhook", { webhook: { url: gone.url, retry: { count: 3, intervalSeconds: 0.01 } } });
    assert.equal(r2.attempts, 1);
    assert.equal(r2.retrySuggested, false);
    const down = endpoint([{ status: 500, body: "down" }]);
    const r3 = await sender.send(text("x"), "webhook", { webhook: { url: down.url, retry: { count: 2, intervalSeconds: 0.01 } } });
    assert.equal(r3.attempts, 3);
    assert.equal(down.requests().length, 3);
    assert.equal(r3.retrySuggested, true);
  });

  test("a closed port is a NETWORK_ERROR after the retries", async () => {
    const closed = http.createServer();
    await new Promise((r) => closed.listen(0, "127.0.0.1", r));
    const port = closed.address().port;
    await new Promise((r) => closed.close(r));
    const sender = new MessageSender({ rateLimit: false });
    const r = await sender.send(text("x"), "webhook", { webhook: { url: `http://127.0.0.1:${port}/x`, retry: { count: 1, intervalSeconds: 0.01 } } });
    assert.equal(r.error.code, "NETWORK_ERROR", JSON.stringify(r));
    assert.equal(r.attempts, 2);
  });
});

describe("signing", () => {
  test("Standard Webhooks: the standardwebhooks package verifies the request", async () => {
    const ep = endpoint();
    const secret = "whsec_" + crypto.randomBytes(24).toString("base64");
    const sender = new MessageSender({ rateLimit: false });
    const r = await sender.send(text("signed", { message_id: "m-sw-1" }), "webhook", { webhook: { url: ep.url, body: { t: "{{message}}" }, secret, signing: "standard-webhooks" } });
    assert.equal(r.success, true, JSON.stringify(r));
    const [req] = ep.requests();
    const headers = { "webhook-id": req.headers["webhook-id"], "webhook-timestamp": req.headers["webhook-timestamp"], "webhook-signature": req.headers["webhook-signature"] };
    const payload = new StandardWebhook(secret).verify(req.body, headers);
    assert.deepEqual(payload, { t: "signed" });
    assert.throws(() => new StandardWebhook(secret).verify(req.body.replace("signed", "forged"), headers));
    noSecrets(r, [secret, secret.slice(6), headers["webhook-signature"].slice(3)]);
  });

  test("{{sign}} and {{timestamp}}: HMAC-SHA256 over \"<timestamp>\\n<secret>\"", async () => {
    const ep = endpoint();
    const secret = "SEC" + crypto.randomBytes(16).toString("hex");
    const sender = new MessageSender({ rateLimit: false });
    const r = await sender.send(text("x"), "webhook", { webhook: { url: ep.url, headers: { "X-Signature": "{{sign}}", "X-Timestamp": "{{timestamp}}" }, body: { ts: "{{timestamp}}" }, secret } });
    assert.equal(r.success, true, JSON.stringify(r));
    const [req] = ep.requests();
    const ts = req.headers["x-timestamp"];
    assert.equal(String(JSON.parse(req.body).ts), ts);
    const expected = crypto.createHmac("sha256", secret).update(`${ts}\n${secret}`).digest("base64");
    assert.equal(req.headers["x-signature"], expected);
    noSecrets(r, [secret, expected]);
  });
});

describe("named services and secrets", () => {
  test("sendTo by name and names; a disabled one is skipped; an unknown one fails", async () => {
    const a = endpoint();
    const b = endpoint();
    const off = endpoint();
    const sender = new MessageSender({
      rateLimit: false,
      services: {
        tickets: { url: a.url, headers: { Authorization: "Bearer tk_0123456789abcdef" }, body: { t: "{{title|untitled}}" }, tags: ["ops"] },
        chat: { url: b.url, body: { text: "{{message}}" } },
        paused: { url: off.url, enabled: false },
      },
    });
    assert.deepEqual(sender.services().map((s) => [s.name, s.enabled]), [["chat", true], ["paused", false], ["tickets", true]]);
    noSecrets(sender.services(), ["tk_0123456789abcdef", a.url]);
    const one = await sender.sendTo(text("x"), "tickets");
    assert.equal(one.successCount, 1);
    assert.equal(one.results[0].service, "tickets");
    assert.deepEqual(JSON.parse(a.requests()[0].body), { t: "untitled" });
    const many = await sender.sendTo(text("y"), ["tickets", "chat", "paused", "nope"]);
    assert.equal(many.successCount, 2);
    assert.equal(many.failedCount, 1);
    assert.deepEqual(many.skipped, ["paused"]);
    assert.equal(many.results.find((r) => r.service === "nope").error.code, "INVALID_CONFIG");
    assert.equal(off.requests().length, 0);
    assert.throws(() => new MessageSender({ services: { broken: { url: "ftp://x/" } } }), (e) => e.code === "INVALID_CONFIG" && /services\.broken/.test(e.message));
  });

  test("no secret, token or signature in a failed result, even when the receiver echoes them", async () => {
    const secret = "SEC" + crypto.randomBytes(16).toString("hex");
    const token = "tok_" + crypto.randomBytes(12).toString("hex");
    const urlToken = "ut" + crypto.randomBytes(12).toString("hex");
    const sender = new MessageSender({ rateLimit: false });
    const echo = endpoint();
    // the answer echoes everything the request carried
    scripts.set(new URL(echo.url).pathname, [{ status: 401, body: "" }]);
    const cfg = { url: `${echo.url}?token=${urlToken}`, headers: { Authorization: `Bearer ${token}`, "X-Sign": "{{sign}}" }, body: { s: "{{sign}}" }, secret, retry: { count: 0 } };
    const r1 = await sender.send(text("x"), "webhook", { webhook: cfg });
    const [req] = echo.requests();
    const sig = req.headers["x-sign"];
    scripts.set(new URL(echo.url).pathname, [{ status: 400, body: `refused ${secret} ${token} ${urlToken} ${sig} ${JSON.stringify(req.headers)}` }]);
    const r2 = await sender.send(text("x"), "webhook", { webhook: cfg });
    assert.equal(r1.success, false);
    assert.equal(r2.success, false);
    assert.match(r2.error.message, /HTTP 400/);
    noSecrets([r1, r2], [secret, token, urlToken]);
  });
});
