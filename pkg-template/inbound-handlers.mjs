// webhook-push/inbound: one framework-agnostic handler per platform,
// `(request: Request, ctx?: { waitUntil(p) }) => Promise<Response>`.
//
// The checks (signature, timestamp, decryption, receiveid, token) and the parsing are the
// wasm core's (src/inbound/); this file keeps the per-handler state (dedup, the Feishu token
// cache, WeCom stream replies) and does the I/O through the host's fetch. Replies are rendered
// by the package's own renderer (`render`) before they are posted.
import {
  dingtalkOpen,
  feishuImBody,
  feishuOpen,
  render,
  wecomClassifyResponse,
  wecomDecryptMedia,
  wecomMarkdownReply,
  wecomOpen,
  wecomSeal,
  wecomStreamReply,
} from "./webhook_push_full.js";

const MAX_BODY = 1 << 20; // callbacks are small; refuse anything over 1 MiB
const RETRY_ATTEMPTS = 3;
const FETCH_TIMEOUT = 10_000; // ms per outgoing request (fetch and body), unless options.timeout says otherwise

const nowMs = () => Date.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function randomBytes(n) {
  const a = new Uint8Array(n);
  globalThis.crypto.getRandomValues(a);
  return a;
}
const hex = (a) => Array.from(a, (b) => b.toString(16).padStart(2, "0")).join("");

function text(status, body = "", type = "text/plain; charset=utf-8") {
  return new Response(body, { status, headers: { "content-type": type } });
}
const json = (status, v) => text(status, JSON.stringify(v), "application/json; charset=utf-8");

function fail(code, message, extra = {}) {
  return { success: false, error: { code, message, ...extra }, attempts: extra.attempts ?? 0 };
}

function checkOptions(platform, o, required) {
  if (!o || typeof o !== "object") throw configError(`${platform}Handler needs an options object`);
  for (const k of required) {
    if (typeof o[k] !== "string" || o[k] === "") throw configError(`${platform}Handler: options.${k} must be a non-empty string`);
  }
  if (typeof o.onMessage !== "function") throw configError(`${platform}Handler: options.onMessage must be a function`);
  if (o.allowFrom !== undefined && !(Array.isArray(o.allowFrom) && o.allowFrom.every((s) => typeof s === "string"))) {
    throw configError(`${platform}Handler: options.allowFrom must be an array of strings`);
  }
  if (o.timeout !== undefined && !(typeof o.timeout === "number" && o.timeout > 0 && Number.isFinite(o.timeout))) {
    throw configError(`${platform}Handler: options.timeout must be a positive number of milliseconds`);
  }
}

function configError(message) {
  const e = new Error(message);
  e.name = "WebhookPushError";
  e.code = "INVALID_CONFIG";
  return e;
}

/** Remembers ids for `ttl` ms (in memory, bounded; or in a shared KV-like store). */
class Seen {
  constructor(opts = {}) {
    this.ttl = opts.ttl ?? 10 * 60_000;
    this.max = opts.maxEntries ?? 10_000;
    this.store = opts.store;
    this.map = new Map();
  }
  /** true if `id` was seen within the window; records it otherwise. */
  async check(id) {
    const now = nowMs();
    const at = this.map.get(id);
    if (at !== undefined && now - at < this.ttl) return true;
    if (this.store) {
      try {
        const v = await this.store.get(`inbound:${id}`);
        if (v !== null && v !== undefined) return true;
      } catch {
        // a failing store does not stop delivery: the in-memory record still applies
      }
    }
    this.map.delete(id);
    this.map.set(id, now);
    while (this.map.size > this.max) this.map.delete(this.map.keys().next().value);
    if (this.store) {
      try {
        await this.store.put(`inbound:${id}`, "seen", { expirationTtl: Math.max(60, Math.ceil(this.ttl / 1000)) });
      } catch {
        // see above
      }
    }
    return false;
  }
}

function logger(o, platform) {
  const log = o.log === undefined ? (line) => console.warn(line) : o.log;
  return (line) => {
    if (typeof log === "function") {
      try {
        log(`webhook-push/inbound ${platform}: ${line}`);
      } catch {
        // a throwing logger must not break the handler
      }
    }
  };
}

/**
 * The request body as text, or null when it is over MAX_BODY. The stream is read chunk by chunk
 * and cancelled past the limit: a chunked body without content-length is never read whole.
 */
async function readBody(request) {
  const len = request.headers.get("content-length");
  if (len !== null && Number(len) > MAX_BODY) return null;
  const stream = request.body;
  if (!stream || typeof stream.getReader !== "function") {
    // no stream (an empty body, or a minimal Request-like object): its text, still bounded
    const body = await request.text();
    return new TextEncoder().encode(body).length > MAX_BODY ? null : body;
  }
  const bytes = await readStream(stream.getReader(), MAX_BODY);
  return bytes === null ? null : new TextDecoder().decode(bytes);
}

/** All of a stream reader's bytes, or null (the stream cancelled) once they pass `max`. */
async function readStream(reader, max) {
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const chunk = value instanceof Uint8Array ? value : new Uint8Array(value ?? 0);
    total += chunk.length;
    if (total > max) {
      await Promise.resolve()
        .then(() => reader.cancel())
        .catch(() => {});
      return null;
    }
    chunks.push(chunk);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Run `work(signal)` (a fetch and the read of its body) for at most `ms`: the timer races the
 * work, so a fetch that ignores its AbortSignal still cannot hang the caller. Throws TIMEOUT.
 */
async function within(ms, what, work) {
  const ac = typeof AbortController === "function" ? new AbortController() : null;
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => {
      try {
        ac?.abort();
      } catch {
        // an abort listener that throws changes nothing: the race below is already lost
      }
      reject(inboundError("TIMEOUT", `${what}: no answer within ${ms} ms`));
    }, ms);
  });
  const run = Promise.resolve().then(() => work(ac?.signal));
  run.catch(() => {}); // settles after the timeout: nobody waits for it any more
  try {
    return await Promise.race([run, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function timeoutOf(o) {
  return o && typeof o.timeout === "number" && o.timeout > 0 && Number.isFinite(o.timeout) ? o.timeout : FETCH_TIMEOUT;
}

/** A failed fetch as a typed error: its class only (a host's message may quote the URL). */
function networkError(what, e) {
  if (e && e.code === "TIMEOUT" && e.name === "WebhookPushError") return e;
  return inboundError("NETWORK_ERROR", `${what} failed (${e && typeof e.name === "string" ? e.name : "fetch failed"})`);
}

/**
 * Run onMessage; wait for it at most `window` ms, or until `early` resolves (a passive reply was
 * handed over); keep the rest alive with waitUntil.
 */
async function runWithin(promise, window, ctx, early) {
  const settled = promise.then(
    (value) => ({ done: true, value }),
    (error) => ({ done: true, error }),
  );
  let timer;
  const timeout = new Promise((r) => {
    timer = setTimeout(() => r({ done: false }), Math.max(0, window));
  });
  const first = await Promise.race(early ? [settled, timeout, early] : [settled, timeout]);
  clearTimeout(timer);
  if (!first.done && ctx && typeof ctx.waitUntil === "function") ctx.waitUntil(settled);
  return first;
}

function messageText(v) {
  return typeof v === "string" ? { content: { type: "markdown", body: { content: v } } } : v;
}

/**
 * POST JSON with bounded retries, each attempt bounded by `timeoutMs`;
 * `classify(status, bodyText)` → "ok" | "retry" | "fail".
 */
async function postJson(fetchFn, url, body, classify, headers = {}, timeoutMs = FETCH_TIMEOUT) {
  let last = "no attempt";
  let platformCode;
  let payload;
  try {
    payload = JSON.stringify(body);
  } catch (e) {
    return fail("INVALID_MESSAGE", `the reply cannot be sent as JSON (${e && e.name ? e.name : "Error"})`);
  }
  for (let attempt = 1; attempt <= RETRY_ATTEMPTS; attempt++) {
    let status = 0;
    let bodyText = "";
    try {
      ({ status, bodyText } = await within(timeoutMs, "the reply", async (signal) => {
        const res = await fetchFn(url, {
          method: "POST",
          headers: { "content-type": "application/json; charset=utf-8", ...headers },
          body: payload,
          ...(signal ? { signal } : {}),
        });
        return { status: res.status, bodyText: await res.text() };
      }));
    } catch (e) {
      last = e && e.code === "TIMEOUT" ? `timeout (no answer within ${timeoutMs} ms)` : `network error (${e && e.name ? e.name : "fetch failed"})`;
      if (attempt < RETRY_ATTEMPTS) await sleep(200 * attempt);
      continue;
    }
    const verdict = classify(status, bodyText);
    if (verdict === "ok") return { success: true, attempts: attempt };
    try {
      const j = JSON.parse(bodyText);
      platformCode = j.errcode ?? j.code;
    } catch {
      platformCode = undefined;
    }
    last = `HTTP ${status}${platformCode !== undefined ? `, code ${platformCode}` : ""}`;
    if (verdict === "fail") {
      return fail("PLATFORM_ERROR", `the platform refused the reply (${last})`, { attempts: attempt, platformCode });
    }
    if (attempt < RETRY_ATTEMPTS) await sleep(200 * attempt);
  }
  const code = last.startsWith("network") ? "NETWORK_ERROR" : last.startsWith("timeout") ? "TIMEOUT" : "PLATFORM_ERROR";
  return fail(code, `the reply was not accepted after ${RETRY_ATTEMPTS} attempts (${last})`, {
    attempts: RETRY_ATTEMPTS,
    platformCode,
  });
}

function refuse(log, e) {
  if (e && typeof e.status === "number" && typeof e.reason === "string") {
    log(`refused (${e.reason}): ${e.message}`);
    return text(e.status, e.reason);
  }
  throw e;
}

function allowed(o, id) {
  return !o.allowFrom || o.allowFrom.length === 0 || o.allowFrom.includes(id);
}

// ---- WeCom AI bot ------------------------------------------------------------------------

/**
 * What a WeCom AI-bot reply carries, rendered by the package's WeCom renderer: markdown text
 * (`{ content }`), or a template card (`{ card }`) for a card message.
 */
function wecomRender(message) {
  // The group-bot limit (4096 bytes) splits long markdown into parts; an AI-bot reply takes
  // 20480 bytes, so the parts are joined again (and cut to 20480 by wecomMarkdownReply).
  const r = render(messageText(message), "wecom", { overflow: "split" });
  const parts = r.payloads.map((p) => p.markdown_v2?.content ?? p.markdown?.content ?? p.text?.content);
  if (parts.length > 0 && parts.every((c) => typeof c === "string")) return { content: parts.join("\n\n") };
  if (r.payloads.length === 1 && r.payloads[0].msgtype === "template_card") return { card: r.payloads[0].template_card };
  const p = r.payloads.find((x) => !(x.markdown_v2 || x.markdown || x.text)) ?? {};
  const e = new Error(`a ${p.msgtype ?? "?"} message cannot go back to a WeCom AI bot: only markdown, text and template cards can`);
  e.name = "WebhookPushError";
  e.code = "UNSUPPORTED";
  throw e;
}

function inboundError(code, message) {
  const e = new Error(message);
  e.name = "WebhookPushError";
  e.code = code;
  return e;
}

/**
 * Download an image or file of a WeCom AI-bot callback (its URL is valid 5 minutes) and decrypt
 * it with the bot's key. The read stops past `maxBytes` (default 10 MB); the download (answer
 * and body) takes at most `timeout` ms (default 10000). Every error is a `WebhookPushError`.
 */
export async function wecomDownloadMedia(credentials, url, init = {}) {
  if (!credentials || typeof credentials !== "object") throw inboundError("INVALID_CONFIG", "wecomDownloadMedia needs the bot's credentials {token, encodingAesKey}");
  const creds = { token: credentials.token, encodingAesKey: credentials.encodingAesKey, receiveId: credentials.receiveId ?? "" };
  const opts = init ?? {};
  const max = opts.maxBytes ?? 10 * 1024 * 1024;
  if (!(typeof max === "number" && max >= 0 && Number.isFinite(max))) throw inboundError("INVALID_CONFIG", "maxBytes must be a non-negative number");
  if (opts.timeout !== undefined && !(typeof opts.timeout === "number" && opts.timeout > 0 && Number.isFinite(opts.timeout))) {
    throw inboundError("INVALID_CONFIG", "timeout must be a positive number of milliseconds");
  }
  const fetchFn = opts.fetch ?? credentials.fetch ?? ((...a) => globalThis.fetch(...a));
  const { data, contentType } = await within(timeoutOf(opts), "the media download", async (signal) => {
    let res;
    try {
      res = await fetchFn(url, { method: "GET", ...(signal ? { signal } : {}) });
    } catch (e) {
      throw networkError("the media download", e);
    }
    if (!res || res.status !== 200) throw inboundError("PLATFORM_ERROR", `the media download answered HTTP ${res?.status ?? "nothing"}`);
    const type = typeof res.headers?.get === "function" ? res.headers.get("content-type") : null;
    // the ciphertext is at most 32 bytes of padding longer than the file
    const limit = max + 32;
    let bytes;
    try {
      if (res.body && typeof res.body.getReader === "function") {
        bytes = await readStream(res.body.getReader(), limit);
      } else if (typeof res.arrayBuffer === "function") {
        // no stream (a null body is an empty one): the whole answer, then the same limit
        const b = new Uint8Array(await res.arrayBuffer());
        bytes = b.length > limit ? null : b;
      } else {
        bytes = new Uint8Array(0);
      }
    } catch (e) {
      throw networkError("reading the media", e);
    }
    if (bytes === null) throw inboundError("INVALID_MESSAGE", `the media is larger than ${max} bytes`);
    return { data: bytes, contentType: type };
  });
  if (data.length === 0) throw inboundError("INVALID_MESSAGE", "the media download was empty");
  try {
    return { bytes: wecomDecryptMedia(creds, data), contentType };
  } catch (e) {
    // the core's refusal (bad key, ciphertext or padding) in the package's one error shape
    throw Object.assign(inboundError(e?.code ?? "INVALID_MESSAGE", String(e?.message ?? "the media cannot be decrypted")), {
      ...(typeof e?.reason === "string" ? { reason: e.reason } : {}),
    });
  }
}

/**
 * A passive reply WeCom accepts for this callback (src/inbound/wecom.rs check_passive_reply):
 * enter_chat takes text or a template card, a card event a card update, a stream refresh a
 * stream, a message a stream or a template card; a feedback event takes none.
 */
function wecomPassiveOk(message, reply) {
  if (!reply || typeof reply !== "object" || Array.isArray(reply)) return false;
  const t = typeof reply.msgtype === "string" ? reply.msgtype : "";
  if (message.type === "event") {
    const ev = message.event?.type;
    if (ev === "enter_chat") return t === "text" || t === "template_card";
    if (ev === "template_card_event") return reply.response_type === "update_template_card";
    return false;
  }
  if (message.type === "stream") return t === "stream";
  return t === "stream" || t === "template_card" || t === "stream_with_template_card";
}

export function wecomHandler(options) {
  checkOptions("wecom", options, ["token", "encodingAesKey"]);
  const creds = { token: options.token, encodingAesKey: options.encodingAesKey, receiveId: options.receiveId ?? "" };
  const fetchFn = options.fetch ?? ((...a) => globalThis.fetch(...a));
  const seen = new Seen(options.dedup);
  const log = logger(options, "wecom");
  const maxSkew = options.maxSkew ?? 3600;
  const window = options.replyWindow ?? 1000;
  const streams = new Map(); // stream id -> final content, for WeCom's refresh polls
  const timeoutMs = timeoutOf(options);

  return async function handle(request, ctx) {
    const url = new URL(request.url);
    const q = Object.fromEntries(["msg_signature", "timestamp", "nonce", "echostr"].map((k) => [k, url.searchParams.get(k) ?? undefined]));
    if (request.method === "GET") {
      if (q.echostr === undefined) return text(400, "bad_body");
      try {
        return text(200, wecomOpen(creds, q, undefined, Math.floor(nowMs() / 1000), maxSkew).verify);
      } catch (e) {
        return refuse(log, e);
      }
    }
    if (request.method !== "POST") return text(405, "method not allowed");
    const body = await readBody(request);
    if (body === null) return text(413, "too large");
    let message;
    try {
      ({ message } = wecomOpen(creds, { ...q, echostr: undefined }, body, Math.floor(nowMs() / 1000), maxSkew));
    } catch (e) {
      return refuse(log, e);
    }
    // Every passive reply is checked against the callback before it is sealed; one WeCom would
    // not take (or that cannot become JSON) is logged and answered with an empty body ("no reply").
    const seal = (reply) => {
      if (!wecomPassiveOk(message, reply)) {
        const kind = message.type === "event" ? `${message.event?.type ?? "unknown"} event` : `${message.type} callback`;
        log(`passive reply not sent: WeCom takes no ${typeof reply?.msgtype === "string" ? reply.msgtype.slice(0, 40) : "such"} reply to a ${kind}`);
        return text(200, "");
      }
      try {
        return text(200, wecomSeal(creds, reply, Math.floor(nowMs() / 1000), q.nonce, randomBytes(16)), "application/json; charset=utf-8");
      } catch (e) {
        log(`passive reply not sent: it could not be sealed (${e?.code ?? e?.name ?? "Error"})`);
        return text(200, "");
      }
    };
    if (message.type === "stream") {
      // A refresh of a stream this handler answered: the final state, or an empty finished one.
      return seal(wecomStreamReply(message.streamId, streams.get(message.streamId) ?? "", true));
    }
    if (await seen.check(message.id)) {
      log(`duplicate msgid answered, not passed on`);
      return text(200, "");
    }
    if (!allowed(options, message.sender.id)) {
      log(`sender not in allowFrom: ignored`);
      return text(200, "");
    }
    if (message.type === "event" && message.event?.type === "feedback_event") {
      // only an empty answer is allowed; still tell the app
      const r = runWithin(Promise.resolve().then(() => options.onMessage(message, noReply("wecom"))), 0, ctx);
      await r;
      return text(200, "");
    }

    // The first reply sent within the window goes back passively (a finished stream, or the
    // welcome text for enter_chat); later ones, and any after the window, through response_url.
    let passive = null;
    // a card event's passive answer is a card update (onMessage's return value): replies go active
    let windowOpen = !(message.type === "event" && message.event?.type === "template_card_event");
    let handOver;
    const handedOver = new Promise((r) => (handOver = r));
    let responseUrlUsed = false;
    const isWelcome = message.type === "event" && message.event?.type === "enter_chat";
    const active = async (out) => {
      if (!message.responseUrl) return fail("UNSUPPORTED", "this callback has no response_url: only a passive reply is possible");
      if (out.card && message.chatType !== "single") {
        return fail("UNSUPPORTED", "WeCom takes a template card through response_url only in a single chat");
      }
      if (responseUrlUsed) {
        return fail("UNSUPPORTED", "this callback's response_url was already used: WeCom takes one active reply per response_url");
      }
      responseUrlUsed = true;
      const body = out.card ? { msgtype: "template_card", template_card: out.card } : wecomMarkdownReply(out.content);
      const r = await postJson(fetchFn, message.responseUrl, body, wecomClassifyResponse, {}, timeoutMs);
      return { ...r, mode: "active" };
    };
    const reply = {
      async send(m) {
        let out;
        try {
          out = wecomRender(m);
        } catch (e) {
          return fail(e.code ?? "INVALID_MESSAGE", e.message);
        }
        if (windowOpen && passive === null) {
          passive = out;
          handOver({ done: false });
          return { success: true, attempts: 1, mode: "passive" };
        }
        return active(out);
      },
    };
    const outcome = await runWithin(Promise.resolve().then(() => options.onMessage(message, reply)), window, ctx, handedOver);
    windowOpen = false;
    if (outcome.error) log(`onMessage threw: ${outcome.error?.name ?? "Error"}`);
    if (passive !== null) {
      if (passive.card) return seal({ msgtype: "template_card", template_card: passive.card });
      if (isWelcome) return seal({ msgtype: "text", text: { content: passive.content } });
      const id = hex(randomBytes(8));
      const sr = wecomStreamReply(id, passive.content, true);
      streams.set(id, sr.stream.content);
      while (streams.size > 1000) streams.delete(streams.keys().next().value);
      return seal(sr);
    }
    if (outcome.done && outcome.value && typeof outcome.value === "object" && message.type === "event") {
      // a template card update returned by onMessage for a card event
      return seal(outcome.value);
    }
    return text(200, "");
  };
}

function noReply(platform) {
  return { send: async () => fail("UNSUPPORTED", `this ${platform} event takes no reply`) };
}

// ---- DingTalk robot (HTTP mode) ------------------------------------------------------------

function dingtalkClassify(status, body) {
  if (status >= 500) return "retry";
  if (status !== 200) return "fail";
  try {
    const c = JSON.parse(body).errcode;
    if (c === undefined || c === 0) return "ok";
    return c === -1 ? "retry" : "fail";
  } catch {
    return "fail";
  }
}

export function dingtalkHandler(options) {
  checkOptions("dingtalk", options, ["appSecret"]);
  const fetchFn = options.fetch ?? ((...a) => globalThis.fetch(...a));
  const seen = new Seen(options.dedup);
  const log = logger(options, "dingtalk");
  const window = options.replyWindow ?? 1000;
  const timeoutMs = timeoutOf(options);

  return async function handle(request, ctx) {
    if (request.method !== "POST") return text(405, "method not allowed");
    const body = await readBody(request);
    if (body === null) return text(413, "too large");
    let message;
    try {
      message = dingtalkOpen(options.appSecret, request.headers.get("timestamp"), request.headers.get("sign"), body, nowMs());
    } catch (e) {
      return refuse(log, e);
    }
    if (await seen.check(message.id)) {
      log(`duplicate msgId answered, not passed on`);
      return json(200, {});
    }
    if (!allowed(options, message.sender.id)) {
      log(`sender not in allowFrom: ignored`);
      return json(200, {});
    }
    const reply = {
      async send(m) {
        const hook = message.sessionWebhook;
        if (!hook) return fail("UNSUPPORTED", "the message has no sessionWebhook");
        if (message.sessionWebhookExpiredTime !== undefined && nowMs() >= message.sessionWebhookExpiredTime) {
          return fail("INVALID_CONFIG", "the sessionWebhook has expired (sessionWebhookExpiredTime is past)");
        }
        let r;
        try {
          r = render(messageText(m), "dingtalk");
        } catch (e) {
          return fail(e.code ?? "INVALID_MESSAGE", e.message);
        }
        let attempts = 0;
        for (const p of r.payloads) {
          const res = await postJson(fetchFn, hook, p, dingtalkClassify, {}, timeoutMs);
          attempts += res.attempts;
          if (!res.success) return { ...res, attempts, mode: "active" };
        }
        return { success: true, attempts, mode: "active" };
      },
    };
    const outcome = await runWithin(Promise.resolve().then(() => options.onMessage(message, reply)), window, ctx);
    if (outcome.error) log(`onMessage threw: ${outcome.error?.name ?? "Error"}`);
    return json(200, {});
  };
}

// ---- Feishu / Lark events ------------------------------------------------------------------

export function feishuHandler(options) {
  checkOptions("feishu", options, ["appId", "appSecret"]);
  for (const k of ["encryptKey", "verificationToken"]) {
    if (options[k] !== undefined && options[k] !== null && typeof options[k] !== "string") throw configError(`feishuHandler: options.${k} must be a string`);
  }
  if (!options.encryptKey && !options.verificationToken) {
    // without either, nothing tells Feishu's events from anyone's POST
    throw configError(
      "feishuHandler: set options.encryptKey (Encrypt Key: signed, encrypted events) or options.verificationToken (Verification Token), " +
        "from the app's Events and Callbacks page: without either, any POST would be taken for an event",
    );
  }
  const fetchFn = options.fetch ?? ((...a) => globalThis.fetch(...a));
  const seen = new Seen(options.dedup);
  const log = logger(options, "feishu");
  const maxSkew = options.maxSkew ?? 3600;
  const window = options.replyWindow ?? 1000;
  const base = (options.baseUrl ?? (options.lark ? "https://open.larksuite.com" : "https://open.feishu.cn")).replace(/\/+$/, "");
  const creds = { encryptKey: options.encryptKey ?? "", verificationToken: options.verificationToken ?? "" };
  const timeoutMs = timeoutOf(options);
  let token = null; // { value, until }
  let pending = null;

  /** The cached tenant_access_token, or a new one; one fetch at a time, bounded by timeoutMs. */
  async function tenantToken() {
    if (token && nowMs() < token.until) return token.value;
    if (!pending) {
      const p = within(timeoutMs, "tenant_access_token", async (signal) => {
        let res;
        let j;
        try {
          res = await fetchFn(`${base}/open-apis/auth/v3/tenant_access_token/internal`, {
            method: "POST",
            headers: { "content-type": "application/json; charset=utf-8" },
            body: JSON.stringify({ app_id: options.appId, app_secret: options.appSecret }),
            ...(signal ? { signal } : {}),
          });
          j = await res.json().catch(() => ({}));
        } catch (e) {
          throw networkError("tenant_access_token", e);
        }
        const code = j && typeof j === "object" ? j.code : undefined;
        if (res.status !== 200 || code !== 0 || typeof j.tenant_access_token !== "string") {
          const pc = typeof code === "number" ? code : undefined;
          throw Object.assign(inboundError("PLATFORM_ERROR", `tenant_access_token refused (HTTP ${res.status}${pc !== undefined ? `, code ${pc}` : ""})`), { platformCode: pc });
        }
        const ttl = Math.max(60, (Number(j.expire) || 7200) - 300) * 1000;
        token = { value: j.tenant_access_token, until: nowMs() + ttl };
        return token.value;
      });
      pending = p;
      // cleared when it settles, success or failure (a timeout settles it too): the next reply asks again
      p.then(
        () => {
          if (pending === p) pending = null;
        },
        () => {
          if (pending === p) pending = null;
        },
      );
    }
    return pending;
  }

  return async function handle(request, ctx) {
    if (request.method !== "POST") return text(405, "method not allowed");
    const body = await readBody(request);
    if (body === null) return text(413, "too large");
    let opened;
    try {
      const h = request.headers;
      opened = feishuOpen(
        creds,
        { timestamp: h.get("x-lark-request-timestamp"), nonce: h.get("x-lark-request-nonce"), signature: h.get("x-lark-signature") },
        body,
        Math.floor(nowMs() / 1000),
        maxSkew,
      );
    } catch (e) {
      return refuse(log, e);
    }
    if ("challenge" in opened) return json(200, { challenge: opened.challenge });
    const message = opened.message;
    if (await seen.check(message.id)) {
      log(`duplicate event_id answered, not passed on`);
      return json(200, {});
    }
    if (!allowed(options, message.sender.id) && !allowed(options, message.sender.userId ?? "\u0000")) {
      log(`sender not in allowFrom: ignored`);
      return json(200, {});
    }
    const reply = {
      async send(m) {
        const chatId = message.chatId;
        if (!chatId) return fail("UNSUPPORTED", "the event carries no chat to answer in");
        let r;
        try {
          r = render(messageText(m), "feishu");
        } catch (e) {
          return fail(e.code ?? "INVALID_MESSAGE", e.message);
        }
        let attempts = 0;
        for (const p of r.payloads) {
          let bearer;
          try {
            bearer = await tenantToken();
          } catch (e) {
            return fail(typeof e?.code === "string" ? e.code : "PLATFORM_ERROR", String(e?.message ?? "no tenant_access_token"), {
              attempts,
              ...(e?.platformCode !== undefined ? { platformCode: e.platformCode } : {}),
            });
          }
          const res = await postJson(
            fetchFn,
            `${base}/open-apis/im/v1/messages?receive_id_type=chat_id`,
            feishuImBody(p, chatId),
            (status, b) => {
              if (status >= 500 || status === 429) return "retry";
              try {
                const c = JSON.parse(b).code;
                if (c === 0) return "ok";
                if (c === 99991663 || c === 99991661) token = null; // expired / invalid token: fetch a new one
                return c === 99991400 ? "retry" : "fail";
              } catch {
                return "fail";
              }
            },
            { authorization: `Bearer ${bearer}` },
            timeoutMs,
          );
          attempts += res.attempts;
          if (!res.success) return { ...res, attempts, mode: "active" };
        }
        return { success: true, attempts, mode: "active" };
      },
    };
    const w = message.type === "card_action" ? Math.min(window, 2500) : window;
    const outcome = await runWithin(Promise.resolve().then(() => options.onMessage(message, reply)), w, ctx);
    if (outcome.error) log(`onMessage threw: ${outcome.error?.name ?? "Error"}`);
    if (message.type === "card_action" && outcome.done && outcome.value && typeof outcome.value === "object") {
      // {toast, card} returned by onMessage in time is the card callback's answer
      return json(200, outcome.value);
    }
    return json(200, {});
  };
}
