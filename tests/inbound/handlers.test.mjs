// webhook-push/inbound's handlers in this Node process, from the packed tarball: the edges the
// runtime scenarios (inbound.test.mjs) do not reach. Configuration refusals, body limits on a
// chunked stream, outgoing requests that never answer (a loopback server that accepts and stays
// silent, and a fetch that ignores its AbortSignal), passive replies WeCom would not take, and
// the error shape of wecomDownloadMedia.
//
//   bash scripts/pack-install.sh target/consumer
//   node --test tests/inbound/handlers.test.mjs
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";

import { dingtalkSign, wxDecrypt, wxEncrypt, wxSign } from "./client.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "..", "..");
const CONSUMER = path.resolve(ROOT, process.env.E2E_CONSUMER || "target/consumer");
const PKG = path.join(CONSUMER, "node_modules", "webhook-push");

const rand = (n = 16) => crypto.randomBytes(n).toString("hex");
const MiB = 1 << 20;
/** A DingTalk group text message to the bot, as the platform posts it (plus `extra`). */
const dingtalkText = (content, extra = {}) => ({
  msgId: rand(),
  msgtype: "text",
  text: { content },
  conversationId: "cid",
  conversationType: "2",
  senderStaffId: "u1",
  chatbotUserId: "bot",
  ...extra,
});

let inbound;
/** A loopback server that accepts every request and never answers (closed in `after`). */
let silent;
const held = new Set();

before(async () => {
  assert.ok(fs.existsSync(path.join(PKG, "package.json")), `${PKG} is missing: run scripts/pack-install.sh`);
  inbound = await import(pathToFileURL(path.join(PKG, "inbound-node.mjs")).href);
  const server = http.createServer((req, res) => {
    held.add(res);
    req.resume();
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  silent = { server, url: `http://127.0.0.1:${server.address().port}` };
});
after(async () => {
  for (const res of held) res.destroy();
  silent.server.closeAllConnections?.();
  await new Promise((r) => silent.server.close(r));
});

/** A fetch that never settles and ignores its AbortSignal; counts its calls. */
function deafFetch() {
  const f = (url, init) => {
    f.calls.push({ url: String(url), hasSignal: Boolean(init?.signal) });
    return new Promise(() => {});
  };
  f.calls = [];
  return f;
}

/** A fetch to the silent loopback server, whatever URL it is given (the path is kept). */
const silentFetch = (url, init) => fetch(`${silent.url}${new URL(url).pathname}`, init);

function logs() {
  const lines = [];
  const log = (l) => lines.push(l);
  return { lines, log };
}

/** An onMessage that runs `fn(message, reply)` and hands its result to the test. */
function capture(fn) {
  let resolve;
  const got = new Promise((r) => (resolve = r));
  const onMessage = async (message, reply) => {
    try {
      resolve({ value: await fn(message, reply) });
    } catch (error) {
      resolve({ error });
    }
  };
  return { onMessage, got };
}

// ---- 1. Feishu: no Encrypt Key and no Verification Token ---------------------------------------

describe("feishuHandler configuration", () => {
  test("refuses to be created without encryptKey or verificationToken (INVALID_CONFIG)", () => {
    const base = { appId: "cli_x", appSecret: rand(), onMessage() {} };
    for (const o of [base, { ...base, encryptKey: "", verificationToken: "" }, { ...base, encryptKey: undefined, verificationToken: null }]) {
      assert.throws(
        () => inbound.feishuHandler(o),
        (e) => e.code === "INVALID_CONFIG" && inbound.isWebhookPushError(e) && /encryptKey/.test(e.message) && /verificationToken/.test(e.message) && !e.message.includes(base.appSecret),
      );
    }
    assert.throws(() => inbound.feishuHandler({ ...base, verificationToken: 42 }), (e) => e.code === "INVALID_CONFIG");
    assert.equal(typeof inbound.feishuHandler({ ...base, verificationToken: rand() }), "function");
    assert.equal(typeof inbound.feishuHandler({ ...base, encryptKey: rand() }), "function");
  });

  test("with only a verificationToken, a plain event without it never reaches onMessage", async () => {
    let reached = 0;
    const h = inbound.feishuHandler({ appId: "cli_x", appSecret: rand(), verificationToken: rand(), onMessage: () => reached++, log: null });
    const forged = {
      schema: "2.0",
      header: { event_id: rand(), event_type: "im.message.receive_v1" },
      event: { sender: { sender_id: { open_id: "ou_x" } }, message: { message_id: "om", chat_id: "oc", chat_type: "group", message_type: "text", content: '{"text":"hi"}' } },
    };
    const res = await h(new Request("http://127.0.0.1/feishu", { method: "POST", body: JSON.stringify(forged) }));
    assert.equal(res.status, 401);
    assert.equal(reached, 0);
  });
});

// ---- 2. The request body is read with a limit --------------------------------------------------

/** A chunked request body (no content-length) of up to `total` bytes, pulled on demand; counts what was read. */
function streamingRequest(total, chunk = 64 * 1024, init = {}) {
  const counter = { pulled: 0, cancelled: false };
  const body = new ReadableStream(
    {
      pull(c) {
        if (counter.pulled >= total) return c.close();
        const n = Math.min(chunk, total - counter.pulled);
        counter.pulled += n;
        c.enqueue(new Uint8Array(n).fill(0x20));
      },
      cancel() {
        counter.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  const req = new Request(init.url ?? "http://127.0.0.1/bot", { method: "POST", body, duplex: "half", headers: init.headers ?? {} });
  assert.equal(req.headers.get("content-length"), null);
  return { req, counter };
}

describe("request body limit", () => {
  const handlers = () => ({
    wecom: inbound.wecomHandler({ token: rand(), encodingAesKey: crypto.randomBytes(32).toString("base64").slice(0, 43), onMessage() {}, log: null }),
    dingtalk: inbound.dingtalkHandler({ appSecret: rand(), onMessage() {}, log: null }),
    feishu: inbound.feishuHandler({ appId: "cli_x", appSecret: rand(), verificationToken: rand(), onMessage() {}, log: null }),
  });

  for (const platform of ["wecom", "dingtalk", "feishu"]) {
    test(`${platform}: a chunked 16 MiB body is refused (413) after reading little over 1 MiB, and cancelled`, async () => {
      const h = handlers()[platform];
      const { req, counter } = streamingRequest(16 * MiB, 64 * 1024, { url: "http://127.0.0.1/bot?msg_signature=a&timestamp=1&nonce=1" });
      const res = await h(req);
      assert.equal(res.status, 413);
      assert.ok(counter.pulled <= MiB + 2 * 64 * 1024, `${counter.pulled} bytes were read`);
      assert.ok(counter.cancelled, "the stream was cancelled");
    });
  }

  test("a signed DingTalk body streamed one byte at a time is read whole and decoded (multi-byte UTF-8 across chunks)", async () => {
    const secret = rand();
    const { onMessage, got } = capture((m) => m.text);
    const h = inbound.dingtalkHandler({ appSecret: secret, onMessage, log: null });
    const msg = dingtalkText(" 告警 ✅ ping", { senderNick: "A", createAt: Date.now() });
    const bytes = new TextEncoder().encode(JSON.stringify(msg));
    let i = 0;
    const body = new ReadableStream({ pull: (c) => (i < bytes.length ? c.enqueue(bytes.slice(i, ++i)) : c.close()) }, { highWaterMark: 0 });
    const ts = Date.now();
    const res = await h(new Request("http://127.0.0.1/bot", { method: "POST", body, duplex: "half", headers: { timestamp: String(ts), sign: dingtalkSign(secret, ts) } }));
    assert.equal(res.status, 200);
    assert.deepEqual(await got, { value: "告警 ✅ ping" });
  });
});

// ---- 3. Outgoing requests are bounded ------------------------------------------------------------

describe("outgoing requests time out", () => {
  const feishuEvent = (token) => ({
    schema: "2.0",
    header: { event_id: rand(), event_type: "im.message.receive_v1", token },
    event: {
      sender: { sender_id: { open_id: "ou_alice" } },
      message: { message_id: "om_1", chat_id: "oc_1", chat_type: "group", message_type: "text", content: '{"text":"ping"}' },
    },
  });

  for (const [name, make] of [
    ["a fetch that ignores its AbortSignal", () => deafFetch()],
    ["a loopback server that never answers", () => silentFetch],
  ]) {
    test(`Feishu: the tenant token from ${name} is a TIMEOUT; the next reply asks again`, { timeout: 60_000 }, async () => {
      const verificationToken = rand();
      const appSecret = rand();
      const fetchFn = make();
      const { onMessage, got } = capture(async (_m, reply) => [await reply.send("one"), await reply.send("two")]);
      const { lines, log } = logs();
      const h = inbound.feishuHandler({ appId: "cli_x", appSecret, verificationToken, fetch: fetchFn, timeout: 300, replyWindow: 0, onMessage, log });
      const res = await h(new Request("http://127.0.0.1/feishu", { method: "POST", body: JSON.stringify(feishuEvent(verificationToken)) }));
      assert.equal(res.status, 200);
      const { value, error } = await got;
      assert.equal(error, undefined);
      for (const r of value) {
        assert.equal(r.success, false);
        assert.equal(r.error.code, "TIMEOUT");
        assert.match(r.error.message, /tenant_access_token/);
        for (const s of [appSecret, verificationToken]) assert.ok(!JSON.stringify(r).includes(s));
      }
      if (fetchFn.calls) {
        assert.equal(fetchFn.calls.length, 2, "the pending token request was cleared: the second reply fetched again");
        assert.ok(fetchFn.calls.every((c) => c.hasSignal), "the fetch was given an AbortSignal");
      }
      for (const s of [appSecret, verificationToken]) assert.ok(!lines.join("\n").includes(s));
    });
  }

  test("DingTalk: a sessionWebhook that never answers: TIMEOUT after the bounded attempts", { timeout: 60_000 }, async () => {
    const secret = rand();
    const fetchFn = deafFetch();
    const { onMessage, got } = capture((_m, reply) => reply.send("pong"));
    const h = inbound.dingtalkHandler({ appSecret: secret, fetch: fetchFn, timeout: 200, replyWindow: 0, onMessage, log: null });
    const msg = dingtalkText("ping", { sessionWebhook: "http://127.0.0.1:9/session", sessionWebhookExpiredTime: Date.now() + 60_000 });
    const ts = Date.now();
    const res = await h(new Request("http://127.0.0.1/bot", { method: "POST", body: JSON.stringify(msg), headers: { timestamp: String(ts), sign: dingtalkSign(secret, ts) } }));
    assert.equal(res.status, 200);
    const { value } = await got;
    assert.equal(value.success, false);
    assert.equal(value.error.code, "TIMEOUT");
    assert.equal(value.attempts, 3);
    assert.equal(fetchFn.calls.length, 3);
  });

  test("wecomDownloadMedia: no answer, a body that stalls, a null body: typed errors, never a TypeError", { timeout: 60_000 }, async () => {
    const creds = { token: rand(), encodingAesKey: crypto.randomBytes(32).toString("base64").slice(0, 43) };
    const check = async (p, code) => {
      await assert.rejects(p, (e) => {
        assert.equal(e.code, code, `${e.name}: ${e.message}`);
        assert.ok(inbound.isWebhookPushError(e), `${e.name} is recognised by isWebhookPushError`);
        assert.ok(!e.message.includes(creds.encodingAesKey) && !e.message.includes(creds.token));
        return true;
      });
    };
    await check(inbound.wecomDownloadMedia(creds, "http://127.0.0.1/media", { fetch: deafFetch(), timeout: 200 }), "TIMEOUT");
    await check(inbound.wecomDownloadMedia(creds, "http://127.0.0.1/media", { fetch: silentFetch, timeout: 200 }), "TIMEOUT");
    const stalls = () => new Response(new ReadableStream({ start: (c) => c.enqueue(new Uint8Array(32)), pull: () => new Promise(() => {}) }), { status: 200 });
    await check(inbound.wecomDownloadMedia(creds, "http://127.0.0.1/media", { fetch: async () => stalls(), timeout: 200 }), "TIMEOUT");
    await check(inbound.wecomDownloadMedia(creds, "http://127.0.0.1/media", { fetch: async () => new Response(null, { status: 200 }) }), "INVALID_MESSAGE");
    await check(inbound.wecomDownloadMedia(creds, "http://127.0.0.1/media", { fetch: async () => ({ status: 200, body: null, headers: new Headers() }) }), "INVALID_MESSAGE");
    await check(inbound.wecomDownloadMedia(creds, "http://127.0.0.1/media", { fetch: async () => new Response("no", { status: 404 }) }), "PLATFORM_ERROR");
    await check(
      inbound.wecomDownloadMedia(creds, "http://127.0.0.1/media", {
        fetch: async () => {
          throw new TypeError(`fetch failed for ${creds.token}`);
        },
      }),
      "NETWORK_ERROR",
    );
  });
});

// ---- 5. WeCom passive replies are checked before sealing --------------------------------------

describe("WeCom passive replies", () => {
  const token = rand();
  const encodingAesKey = crypto.randomBytes(32).toString("base64").slice(0, 43);
  const post = async (h, payload) => {
    const enc = wxEncrypt(encodingAesKey, JSON.stringify(payload), "");
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = String(crypto.randomInt(1e9));
    const q = new URLSearchParams({ msg_signature: wxSign(token, timestamp, nonce, enc), timestamp, nonce });
    const res = await h(new Request(`http://127.0.0.1/wecom/bot?${q}`, { method: "POST", body: JSON.stringify({ encrypt: enc }) }));
    return { status: res.status, text: await res.text() };
  };
  const cardEvent = () => ({
    msgid: rand(),
    aibotid: "AIBOT",
    chattype: "single",
    from: { userid: "alice" },
    msgtype: "event",
    event: { eventtype: "template_card_event", template_card_event: { card_type: "button_interaction", event_key: "ack", task_id: "task-1" } },
  });
  const enterChat = () => ({ msgid: rand(), aibotid: "AIBOT", chattype: "single", from: { userid: "alice" }, msgtype: "event", event: { eventtype: "enter_chat" } });
  const handler = (value) => {
    const { lines, log } = logs();
    const h = inbound.wecomHandler({ token, encodingAesKey, onMessage: () => value, log });
    return { h, lines };
  };

  test("a reply type WeCom does not take for the event is not sent: 200, empty body, a log line", async () => {
    for (const [event, value] of [
      [cardEvent(), { msgtype: "text", text: { content: "not a card update" } }],
      [cardEvent(), { msgtype: "stream", stream: { id: "s", finish: true, content: "x" } }],
      [enterChat(), { msgtype: "markdown", markdown: { content: "welcome" } }],
      [enterChat(), ["not", "an", "object"]],
    ]) {
      const { h, lines } = handler(value);
      const r = await post(h, event);
      assert.deepEqual(r, { status: 200, text: "" }, JSON.stringify(value));
      assert.ok(lines.some((l) => /passive reply not sent/.test(l)), lines.join("\n"));
      for (const s of [token, encodingAesKey]) assert.ok(!lines.join("\n").includes(s));
    }
  });

  test("a reply that cannot become JSON does not reject the handler: 200, empty body", async () => {
    const { h, lines } = handler({ response_type: "update_template_card", template_card: { card_type: "text_notice", n: 10n } });
    const r = await post(h, cardEvent());
    assert.deepEqual(r, { status: 200, text: "" });
    assert.ok(lines.some((l) => /could not be sealed/.test(l)), lines.join("\n"));
  });

  test("the replies WeCom takes are still sealed: a card update for a card event, text for enter_chat", async () => {
    const update = { response_type: "update_template_card", userids: ["alice"], template_card: { card_type: "text_notice", task_id: "task-1", main_title: { title: "acked" } } };
    for (const [event, value] of [
      [cardEvent(), update],
      [enterChat(), { msgtype: "text", text: { content: "welcome" } }],
    ]) {
      const { h } = handler(value);
      const r = await post(h, event);
      assert.equal(r.status, 200);
      assert.deepEqual(JSON.parse(wxDecrypt(encodingAesKey, JSON.parse(r.text).encrypt).msg), value);
    }
  });
});

// ---- 6. wecomDownloadMedia's errors are the package's ------------------------------------------

test("wecomDownloadMedia: an undecryptable download is a WebhookPushError (INVALID_MESSAGE, with the core's reason)", async () => {
  const creds = { token: rand(), encodingAesKey: crypto.randomBytes(32).toString("base64").slice(0, 43) };
  const garbage = crypto.randomBytes(64);
  await assert.rejects(inbound.wecomDownloadMedia(creds, "http://127.0.0.1/media", { fetch: async () => new Response(garbage, { status: 200 }) }), (e) => {
    assert.ok(inbound.isWebhookPushError(e), `${e.name}: ${e.message}`);
    assert.equal(e.name, "WebhookPushError");
    assert.equal(e.code, "INVALID_MESSAGE");
    assert.equal(typeof e.reason, "string");
    assert.ok(!e.message.includes(creds.encodingAesKey));
    return true;
  });
});
