// Mock WeCom / DingTalk / Feishu / Lark group-bot webhook server for tests, benchmarks and the demo.
//
// A real HTTP server on 127.0.0.1 that speaks the three platforms' bot webhook APIs on the same
// paths as the real ones, validates payloads against the documented shapes (strictly by default),
// checks signatures, keywords and rate limits, and answers as the platforms do: HTTP 200 with the
// outcome in the body. Faults (HTTP errors, "busy", connection resets, delays, malformed answers,
// arbitrary JSON) can be scripted per bot. Node 20, no dependencies.
//
//   import { startMockPlatforms } from "./tests/mock/platforms.mjs";
//   const mock = await startMockPlatforms({ now: () => fakeNow });
//   const bot = mock.addBot({ platform: "dingtalk", key: "tok", secret: "SEC...", keywords: ["alert"] });
//   bot.webhookUrl   // http://127.0.0.1:PORT/robot/send?access_token=tok
//   ... send ...
//   mock.receivedFor("dingtalk", "tok")[0].outcome   // { status: 200, body: { errcode: 0, errmsg: "ok" } }
//   mock.script("dingtalk", "tok", [{ type: "busy" }, { type: "reset" }]);
//   await mock.close();
//
// Paths: WeCom   POST /cgi-bin/webhook/send?key=KEY
//                POST /cgi-bin/webhook/upload_media?key=KEY&type=file|voice   (multipart, field "media")
//        DingTalk POST /robot/send?access_token=T[&timestamp=MS&sign=SIGN]
//        Feishu / Lark POST /open-apis/bot/v2/hook/TOKEN   (same path; the registered bot says which)
// Optional control API (option `control: true`, on in cli.mjs), for use from another process:
//        GET /__mock/received[?platform=&key=]   POST /__mock/reset   POST /__mock/bots {addBot args}
//        POST /__mock/script {platform, key, faults}
//
// See README.md beside this file for the behaviour and which parts of it are guesses.

import http from "node:http";
import crypto from "node:crypto";
import {
  Reject, isObj, makeCtx, collectText,
  validateWecom, wecomError, validateDingtalk, dingtalkError, validateFeishu, feishuError,
} from "./validate.mjs";

export const PLATFORMS = ["wecom", "dingtalk", "feishu", "lark"];
export const FAULT_TYPES = ["http", "busy", "reset", "delay", "malformed", "code"];

const MB = 1024 * 1024;
const DAY = 24 * 3600 * 1000;
const HOUR = 3600 * 1000;

const LIMITS = {
  wecom: [{ max: 20, spanMs: 60_000 }],
  dingtalk: [{ max: 20, spanMs: 60_000 }],
  feishu: [{ max: 5, spanMs: 1_000 }, { max: 100, spanMs: 60_000 }],
};

const OK = {
  wecom: () => ({ errcode: 0, errmsg: "ok" }),
  dingtalk: () => ({ errcode: 0, errmsg: "ok" }),
  feishu: () => ({ StatusCode: 0, StatusMessage: "success", code: 0, data: {}, msg: "success" }),
};
const RATE_LIMITED = {
  wecom: () => wecomError(45009, "api freq out of limit"),
  dingtalk: () => dingtalkError(130101, "send too fast, exceed 20 times per minute"),
  feishu: () => feishuError(11232, "frequency limited psm"),
};
const BUSY = {
  wecom: () => wecomError(-1, "system busy"),
  dingtalk: () => dingtalkError(-1, "system busy"),
  feishu: () => feishuError(11232, "frequency limited psm"),
};
const INVALID_WEBHOOK = {
  wecom: () => wecomError(93000, "invalid webhook url"),
  dingtalk: () => dingtalkError(300005, "token is not exist"),
  feishu: () => feishuError(19001, "param invalid: incoming webhook access token invalid"),
};
const family = (platform) => (platform === "lark" ? "feishu" : platform);

class SlidingWindow {
  constructor(max, spanMs) {
    this.max = max;
    this.spanMs = spanMs;
    this.hits = [];
  }
  full(now) {
    while (this.hits.length && this.hits[0] <= now - this.spanMs) this.hits.shift();
    return this.hits.length >= this.max;
  }
  add(now) {
    this.hits.push(now);
  }
}

function normaliseBots(bots) {
  if (!bots) return [];
  if (Array.isArray(bots)) return bots;
  if (!isObj(bots)) throw new TypeError("bots must be an array of addBot() specs or { platform: [spec | key, ...] }");
  const out = [];
  for (const [platform, list] of Object.entries(bots)) {
    for (const b of Array.isArray(list) ? list : [list]) {
      out.push(typeof b === "string" ? { platform, key: b } : { ...b, platform });
    }
  }
  return out;
}

function checkFault(f) {
  if (!isObj(f) || !FAULT_TYPES.includes(f.type)) {
    throw new TypeError(`fault must be {type: ${FAULT_TYPES.join("|")}}, got ${JSON.stringify(f)}`);
  }
  if (f.type === "http" && !(Number.isInteger(f.status) && f.status >= 100 && f.status <= 599)) {
    throw new TypeError("http fault needs an integer status 100..599");
  }
  if (f.type === "delay" && !(Number.isFinite(f.ms) && f.ms >= 0)) throw new TypeError("delay fault needs ms >= 0");
  if (f.type === "code" && !isObj(f.body)) throw new TypeError("code fault needs a JSON object body");
  if (f.type === "code" && f.status !== undefined && !(Number.isInteger(f.status) && f.status >= 100 && f.status <= 599)) {
    throw new TypeError("code fault status must be an integer 100..599");
  }
  if (f.times !== undefined && !(Number.isInteger(f.times) && f.times >= 1)) throw new TypeError("fault.times must be an integer >= 1");
  if (f.delayMs !== undefined && !(Number.isFinite(f.delayMs) && f.delayMs >= 0)) throw new TypeError("fault.delayMs must be >= 0");
  return { ...f };
}

/** Minimal multipart/form-data parser: [{name, filename, contentType, headers, data}]. */
export function parseMultipart(buf, contentType) {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType || "");
  if (!m) return null;
  const delim = Buffer.from(`--${m[1] ?? m[2]}`);
  const parts = [];
  let pos = buf.indexOf(delim);
  if (pos < 0) return null;
  for (let guard = 0; guard < 1000; guard++) {
    pos += delim.length;
    if (buf[pos] === 0x2d && buf[pos + 1] === 0x2d) break; // "--": final delimiter
    if (buf[pos] === 0x0d && buf[pos + 1] === 0x0a) pos += 2;
    const headEnd = buf.indexOf("\r\n\r\n", pos);
    if (headEnd < 0) return parts;
    const next = buf.indexOf(Buffer.concat([Buffer.from("\r\n"), delim]), headEnd + 4);
    if (next < 0) return parts;
    const headers = {};
    for (const line of buf.subarray(pos, headEnd).toString("utf8").split("\r\n")) {
      const i = line.indexOf(":");
      if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    const cd = headers["content-disposition"] || "";
    const param = (n) => {
      const r = new RegExp(`(?:^|;)\\s*${n}\\s*=\\s*(?:"([^"]*)"|([^;]*))`, "i").exec(cd);
      return r ? (r[1] ?? r[2]).trim() : undefined;
    };
    parts.push({
      name: param("name"),
      filename: param("filename"),
      filelength: param("filelength"),
      contentType: headers["content-type"],
      headers,
      data: buf.subarray(headEnd + 4, next),
    });
    pos = next + 2;
  }
  return parts;
}

function jsonMediaType(ct) {
  return /^application\/json\s*(;|$)/i.test(String(ct || "").trim());
}

/**
 * Start the mock.
 * @param {object} [opts]
 * @param {number} [opts.port=0]            0 = a random free port
 * @param {string} [opts.host="127.0.0.1"]
 * @param {() => number} [opts.now=Date.now] the clock (ms) for signatures, rate windows, blocks, media expiry
 * @param {Array|object} [opts.bots]        addBot() specs, or { wecom: ["key", {key, ...}], dingtalk: [...] }
 * @param {boolean} [opts.strict=true]      reject what the platforms silently drop or alter (unknown fields, ...)
 * @param {boolean} [opts.rateLimits=true]  apply the platforms' rate limits (per bot: addBot({rateLimit:false}))
 * @param {number} [opts.blockMs=600000]    how long DingTalk blocks a bot after it exceeded 20/min
 * @param {{send?:number, upload?:number}} [opts.maxBodyBytes]  read caps (4 MB, 25 MB); over -> HTTP 413 + close
 * @param {number} [opts.maxReceived=Infinity] keep only the last N received records (benchmarks)
 * @param {number} [opts.mediaTtlMs=3 days] how long an uploaded media_id stays valid
 * @param {{dingtalk?:number, feishu?:number}} [opts.bodyLimits] the platforms' body limits (20000, 20480)
 * @param {boolean} [opts.control=false]    serve the /__mock/ control API
 * @param {(rec) => void} [opts.onRequest]  called with each record once it has an outcome
 */
export async function startMockPlatforms(opts = {}) {
  const now = typeof opts.now === "function" ? opts.now : () => Date.now();
  const strict = opts.strict !== false;
  const rateLimits = opts.rateLimits !== false;
  const blockMs = opts.blockMs ?? 10 * 60_000;
  const caps = { send: 4 * MB, upload: 25 * MB, ...(opts.maxBodyBytes || {}) };
  const maxReceived = opts.maxReceived ?? Infinity;
  const mediaTtlMs = opts.mediaTtlMs ?? 3 * DAY;
  const onRequest = typeof opts.onRequest === "function" ? opts.onRequest : null;
  const DINGTALK_BODY_MAX = opts.bodyLimits?.dingtalk ?? 20000;
  const FEISHU_BODY_MAX = opts.bodyLimits?.feishu ?? 20480;

  const bots = new Map(); // "platform:key" -> bot
  const faults = new Map(); // "platform:key" -> [fault]
  const media = new Map(); // media_id -> {type, platform, key, createdAt, size, md5, filename}
  const received = [];
  const sleepers = new Set();
  let closed = false;

  const sleep = (ms) =>
    new Promise((resolve) => {
      if (closed) return resolve();
      const s = { resolve, timer: setTimeout(() => { sleepers.delete(s); resolve(); }, ms) };
      sleepers.add(s);
    });

  function freshWindows(platform) {
    return LIMITS[family(platform)].map((l) => new SlidingWindow(l.max, l.spanMs));
  }

  function addBot(spec) {
    if (!isObj(spec)) throw new TypeError("addBot needs { platform, key, secret?, keywords? }");
    const { platform, key, secret, keywords, rateLimit } = spec;
    if (!PLATFORMS.includes(platform)) throw new TypeError(`unknown platform ${JSON.stringify(platform)} (${PLATFORMS.join(", ")})`);
    if (typeof key !== "string" || key === "") throw new TypeError("bot key must be a non-empty string");
    if (secret !== undefined && secret !== null && (typeof secret !== "string" || secret === "")) throw new TypeError("secret must be a non-empty string");
    if (keywords !== undefined && !(Array.isArray(keywords) && keywords.every((k) => typeof k === "string" && k !== ""))) {
      throw new TypeError("keywords must be an array of non-empty strings");
    }
    if (platform === "wecom" && (secret || keywords?.length)) throw new TypeError("WeCom group bots have no secret or keywords");
    if (family(platform) === "feishu") {
      const other = platform === "feishu" ? "lark" : "feishu";
      if (bots.has(`${other}:${key}`)) throw new Error(`${key} is already registered as a ${other} bot (Feishu and Lark share one path)`);
    }
    const bot = {
      platform, key,
      secret: secret || null,
      keywords: keywords?.length ? [...keywords] : null,
      rateLimit: rateLimit !== false,
      windows: freshWindows(platform),
      blockedUntil: 0,
    };
    bots.set(`${platform}:${key}`, bot);
    return { platform, key, secret: bot.secret, keywords: bot.keywords, webhookUrl: webhookUrl(platform, key) };
  }

  function webhookUrl(platform, key) {
    const k = encodeURIComponent(key);
    switch (platform) {
      case "wecom": return `${api.url}/cgi-bin/webhook/send?key=${k}`;
      case "dingtalk": return `${api.url}/robot/send?access_token=${k}`;
      case "feishu":
      case "lark": return `${api.url}/open-apis/bot/v2/hook/${k}`;
      default: throw new TypeError(`unknown platform ${JSON.stringify(platform)}`);
    }
  }

  function script(platform, key, list) {
    if (!PLATFORMS.includes(platform)) throw new TypeError(`unknown platform ${JSON.stringify(platform)}`);
    const arr = (Array.isArray(list) ? list : [list]).map(checkFault);
    const id = `${platform}:${key}`;
    if (!faults.has(id)) faults.set(id, []);
    faults.get(id).push(...arr);
    return faults.get(id).length;
  }

  function takeFault(platform, key) {
    for (const id of [`${platform}:${key}`, ...(family(platform) === "feishu" ? [`feishu:${key}`, `lark:${key}`] : [])]) {
      const q = faults.get(id);
      if (!q || q.length === 0) continue;
      const f = q[0];
      f.times = (f.times ?? 1) - 1;
      if (f.times <= 0) q.shift();
      return f;
    }
    return null;
  }

  function reset() {
    received.length = 0;
    faults.clear();
    for (const bot of bots.values()) {
      bot.windows = freshWindows(bot.platform);
      bot.blockedUntil = 0;
    }
  }

  /** Rate check at arrival; an admitted request counts, a refused one does not. */
  function rateLimited(bot, t) {
    if (!rateLimits || !bot.rateLimit) return false;
    if (bot.platform === "dingtalk" && t < bot.blockedUntil) return true;
    if (bot.windows.some((w) => w.full(t))) {
      if (bot.platform === "dingtalk") bot.blockedUntil = t + blockMs;
      return true;
    }
    for (const w of bot.windows) w.add(t);
    return false;
  }

  // --- route and platform handlers ------------------------------------------------------------

  function route(url) {
    const p = url.pathname;
    if (p === "/cgi-bin/webhook/send") return { platform: "wecom", kind: "send", key: url.searchParams.get("key") };
    if (p === "/cgi-bin/webhook/upload_media") return { platform: "wecom", kind: "upload", key: url.searchParams.get("key") };
    if (p === "/robot/send") return { platform: "dingtalk", kind: "send", key: url.searchParams.get("access_token") };
    const m = /^\/open-apis\/bot\/v2\/hook\/([^/]*)$/.exec(p);
    if (m) {
      let key = m[1];
      try { key = decodeURIComponent(key); } catch { /* keep raw */ }
      const platform = bots.has(`lark:${key}`) ? "lark" : "feishu";
      return { platform, kind: "send", key };
    }
    if (opts.control && p.startsWith("/__mock/")) return { platform: null, kind: "control", key: null };
    return null;
  }

  function parseJson(buf) {
    try {
      const v = JSON.parse(buf.toString("utf8"));
      return { ok: true, value: v };
    } catch {
      return { ok: false };
    }
  }

  function wecomSend(bot, rec, buf) {
    if (!bot) return INVALID_WEBHOOK.wecom();
    if (rateLimited(bot, rec.at)) return RATE_LIMITED.wecom();
    const j = parseJson(buf);
    if (!j.ok || !isObj(j.value)) return wecomError(40058, "invalid json request. Warning: wrong json format.");
    rec.body = j.value;
    const ctx = makeCtx(strict, wecomError);
    rec.warnings = ctx.warnings;
    validateWecom(j.value, ctx, (id) => {
      const m = media.get(id);
      if (!m || m.key !== bot.key || rec.at - m.createdAt > mediaTtlMs) return undefined;
      return m;
    });
    return OK.wecom();
  }

  function wecomUpload(bot, rec, buf, headers, url) {
    if (!bot) return INVALID_WEBHOOK.wecom();
    const type = url.searchParams.get("type");
    if (type !== "file" && type !== "voice") return wecomError(40005, `invalid type ${JSON.stringify(type)} (file or voice)`);
    const parts = parseMultipart(buf, headers["content-type"]);
    const part = parts?.find((p) => p.name === "media");
    rec.body = {
      type,
      parts: (parts || []).map((p) => ({ name: p.name, filename: p.filename, contentType: p.contentType, size: p.data.length })),
    };
    if (!part) return wecomError(44001, "empty media data: multipart/form-data with a \"media\" part required");
    const size = part.data.length;
    if (size < 5) return wecomError(40006, `invalid file size ${size} (min 5 bytes)`);
    if (type === "file" && size > 20 * MB) return wecomError(40006, `invalid file size ${size} (max 20MB)`);
    if (type === "voice") {
      if (size > 2 * MB) return wecomError(40006, `invalid voice size ${size} (max 2MB)`);
      if (!part.data.subarray(0, 5).equals(Buffer.from("#!AMR"))) return wecomError(40004, "invalid media type: voice must be AMR");
    }
    const media_id = `mock_${type}_${crypto.randomBytes(12).toString("hex")}`;
    const md5 = crypto.createHash("md5").update(part.data).digest("hex");
    media.set(media_id, { type, platform: "wecom", key: bot.key, createdAt: rec.at, size, md5, filename: part.filename ?? null });
    Object.assign(rec.body, { media_id, filename: part.filename ?? null, size, md5 });
    return { errcode: 0, errmsg: "ok", type, media_id, created_at: String(Math.floor(rec.at / 1000)) };
  }

  function dingtalkSend(bot, rec, buf, headers, url) {
    if (!rec.key) return dingtalkError(40035, "缺少参数 access_token");
    if (!bot) return INVALID_WEBHOOK.dingtalk();
    if (rateLimited(bot, rec.at)) return RATE_LIMITED.dingtalk();
    if (!jsonMediaType(headers["content-type"])) return dingtalkError(40035, "缺少参数 json");
    if (buf.length > DINGTALK_BODY_MAX) return dingtalkError(460101, `message too long, exceed ${DINGTALK_BODY_MAX} bytes`);
    const j = parseJson(buf);
    if (!j.ok || !isObj(j.value)) return dingtalkError(40035, "缺少参数 json");
    rec.body = j.value;
    if (bot.secret) {
      const ts = url.searchParams.get("timestamp");
      const sign = url.searchParams.get("sign");
      if (!ts || !/^\d{1,16}$/.test(ts) || Math.abs(Number(ts) - rec.at) > HOUR) return dingtalkError(310000, "invalid timestamp");
      const want = crypto.createHmac("sha256", bot.secret).update(`${ts}\n${bot.secret}`).digest("base64");
      if (sign !== want) return dingtalkError(310000, "sign not match");
    }
    const ctx = makeCtx(strict, dingtalkError);
    rec.warnings = ctx.warnings;
    validateDingtalk(j.value, ctx);
    if (bot.keywords) {
      const text = collectText(j.value[j.value.msgtype]).join("\n");
      if (!bot.keywords.some((k) => text.includes(k))) return dingtalkError(310000, "keywords not in content");
    }
    return OK.dingtalk();
  }

  function feishuSend(bot, rec, buf) {
    if (!bot) return INVALID_WEBHOOK.feishu();
    if (rateLimited(bot, rec.at)) return RATE_LIMITED.feishu();
    if (buf.length > FEISHU_BODY_MAX) return feishuError(9499, `Bad Request: body ${buf.length} bytes exceeds ${FEISHU_BODY_MAX}`);
    const j = parseJson(buf);
    if (!j.ok || !isObj(j.value)) return feishuError(9499, "Bad Request");
    const p = j.value;
    rec.body = p;
    if (bot.secret) {
      const { timestamp: ts, sign } = p;
      if (ts !== undefined && typeof ts !== "string") return feishuError(9499, "Bad Request: timestamp must be a string of seconds");
      const signFail = () => feishuError(19021, "sign match fail or timestamp is not within one hour from current time");
      if (!ts || !/^\d{1,13}$/.test(ts) || Math.abs(Number(ts) * 1000 - rec.at) > HOUR) return signFail();
      const want = crypto.createHmac("sha256", `${ts}\n${bot.secret}`).update("").digest("base64");
      if (sign !== want) return signFail();
    }
    const ctx = makeCtx(strict, feishuError);
    rec.warnings = ctx.warnings;
    validateFeishu(p, ctx);
    if (bot.keywords) {
      const text = collectText(p.msg_type === "interactive" ? p.card : p.content).join("\n");
      if (!bot.keywords.some((k) => text.includes(k))) return feishuError(19024, "Key Words Not Found");
    }
    return OK.feishu();
  }

  function wrongMethod(platform) {
    if (platform === "wecom") return wecomError(43002, "require POST method");
    if (platform === "dingtalk") return dingtalkError(43002, "需要POST请求");
    return feishuError(9499, "Bad Request: POST required");
  }

  async function control(req, res, url, buf) {
    const reply = (status, body) => respond(res, status, body);
    try {
      const body = buf.length ? JSON.parse(buf.toString("utf8")) : {};
      const p = url.pathname;
      if (req.method === "GET" && p === "/__mock/received") {
        const pl = url.searchParams.get("platform");
        const k = url.searchParams.get("key");
        const list = received.filter((r) => (!pl || r.platform === pl) && (k === null || r.key === k));
        return reply(200, list.map((r) => ({ ...r, raw: Buffer.isBuffer(r.raw) ? `<${r.raw.length} bytes>` : r.raw })));
      }
      if (req.method === "POST" && p === "/__mock/reset") return reset(), reply(200, { ok: true });
      if (req.method === "POST" && p === "/__mock/bots") return reply(200, addBot(body));
      if (req.method === "POST" && p === "/__mock/script") return reply(200, { queued: script(body.platform, body.key, body.faults) });
      return reply(404, { error: "unknown control endpoint" });
    } catch (e) {
      return reply(400, { error: String(e?.message || e) });
    }
  }

  // --- HTTP plumbing --------------------------------------------------------------------------

  function respond(res, status, body, extraHeaders = {}) {
    if (res.headersSent || res.destroyed || res.socket?.destroyed) return;
    const isJson = typeof body !== "string";
    const text = isJson ? JSON.stringify(body) : body;
    res.writeHead(status, {
      "Content-Type": isJson ? "application/json; charset=utf-8" : "text/html; charset=utf-8",
      "Content-Length": Buffer.byteLength(text),
      ...extraHeaders,
    });
    res.end(text);
  }

  function readBody(req, cap) {
    return new Promise((resolve) => {
      let done = false;
      const finish = (r) => {
        if (!done) {
          done = true;
          resolve(r);
        }
      };
      const declared = Number(req.headers["content-length"]);
      if (Number.isFinite(declared) && declared > cap) return finish({ tooLarge: true, buf: Buffer.alloc(0) });
      const chunks = [];
      let size = 0;
      req.on("data", (c) => {
        if (done) return;
        size += c.length;
        if (size > cap) return finish({ tooLarge: true, buf: Buffer.alloc(0) });
        chunks.push(c);
      });
      req.on("end", () => finish({ buf: Buffer.concat(chunks) }));
      req.on("error", () => finish({ aborted: true, buf: Buffer.alloc(0) }));
      req.on("close", () => finish({ aborted: true, buf: Buffer.alloc(0) }));
    });
  }

  function record(rec) {
    received.push(rec);
    while (received.length > maxReceived) received.shift();
  }

  function settle(rec, outcome) {
    rec.outcome = outcome;
    if (onRequest) {
      try { onRequest(rec); } catch { /* the observer's problem */ }
    }
  }

  async function handle(req, res) {
    const url = new URL(req.url || "/", "http://127.0.0.1");
    const r = route(url);
    const rec = {
      platform: r?.platform ?? null,
      key: r?.key ?? null,
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: null,
      raw: "",
      headers: { ...req.headers },
      at: now(),
      warnings: [],
      outcome: null,
    };
    const cap = r?.kind === "upload" ? caps.upload : caps.send;
    if (r?.kind !== "control") record(rec); // in arrival order, before the body is read
    const { buf, tooLarge, aborted } = await readBody(req, cap);
    if (r?.kind === "control") return control(req, res, url, buf);
    if (tooLarge) {
      const text = `<html><body><h1>413 Request Entity Too Large</h1></body></html>`;
      settle(rec, { status: 413, body: text });
      res.on("finish", () => setTimeout(() => req.socket.destroy(), 200).unref());
      return respond(res, 413, text, { Connection: "close" });
    }
    rec.raw = r?.kind === "upload" ? buf : buf.toString("utf8");
    if (aborted) return settle(rec, { status: 0, body: null, aborted: true });
    if (!r) {
      settle(rec, { status: 404, body: "404 page not found" });
      return respond(res, 404, "404 page not found");
    }

    const bot = r.key ? bots.get(`${r.platform}:${r.key}`) : undefined;
    const fault = r.key !== null ? takeFault(r.platform, r.key ?? "") : null;
    if (fault) return applyFault(fault, r, rec, req, res, bot, buf, url);
    const outcome = processRequest(r, rec, bot, buf, req, url);
    settle(rec, outcome);
    respond(res, outcome.status, outcome.body);
  }

  function processRequest(r, rec, bot, buf, req, url) {
    try {
      if (req.method !== "POST") return { status: 200, body: wrongMethod(family(r.platform)) };
      let body;
      if (r.platform === "wecom") body = r.kind === "upload" ? wecomUpload(bot, rec, buf, req.headers, url) : wecomSend(bot, rec, buf);
      else if (r.platform === "dingtalk") body = dingtalkSend(bot, rec, buf, req.headers, url);
      else body = feishuSend(bot, rec, buf);
      return { status: 200, body };
    } catch (e) {
      if (e instanceof Reject) return { status: e.status, body: e.body };
      return { status: 500, body: `mock internal error: ${String(e?.stack || e)}` };
    }
  }

  async function applyFault(fault, r, rec, req, res, bot, buf, url) {
    if (fault.delayMs) await sleep(fault.delayMs);
    let outcome;
    switch (fault.type) {
      case "http": {
        const body = fault.body === undefined ? `<html><body><h1>${fault.status} ${http.STATUS_CODES[fault.status] ?? ""}</h1></body></html>` : fault.body;
        outcome = { status: fault.status, body, fault: "http" };
        settle(rec, outcome);
        return respond(res, fault.status, body, fault.headers || {});
      }
      case "busy":
        outcome = { status: 200, body: BUSY[family(r.platform)](), fault: "busy" };
        break;
      case "code":
        outcome = { status: fault.status ?? 200, body: fault.body, fault: "code" };
        break;
      case "malformed":
        outcome = { status: 200, body: fault.body ?? "<html><body>upstream error</body></html>", fault: "malformed" };
        break;
      case "reset":
        settle(rec, { status: 0, body: null, fault: "reset" });
        if (typeof req.socket.resetAndDestroy === "function") req.socket.resetAndDestroy();
        else req.socket.destroy();
        return;
      case "delay": {
        // The platform processes the message at arrival; only its answer is late.
        outcome = { ...processRequest(r, rec, bot, buf, req, url), fault: "delay" };
        settle(rec, outcome);
        await sleep(fault.ms);
        return respond(res, outcome.status, outcome.body);
      }
    }
    settle(rec, outcome);
    respond(res, outcome.status, outcome.body);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e) => {
      try { respond(res, 500, `mock internal error: ${String(e?.stack || e)}`); } catch { /* socket gone */ }
    });
  });
  server.on("clientError", (err, socket) => {
    if (socket.writable && !socket.destroyed) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    else socket.destroy();
  });
  server.keepAliveTimeout = 5000;

  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address();
  const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  const url = `http://${host}:${addr.port}`;

  const api = {
    url,
    port: addr.port,
    baseUrls: { wecom: url, dingtalk: url, feishu: url, lark: url },
    get received() {
      return received;
    },
    receivedFor(platform, key) {
      return received.filter((r) => r.platform === platform && (key === undefined || r.key === key));
    },
    addBot,
    webhookUrl,
    script,
    reset,
    /** Media issued by upload_media: media_id -> {type, key, createdAt, size, md5, filename}. */
    media,
    async close() {
      if (closed) return;
      closed = true;
      for (const s of sleepers) {
        clearTimeout(s.timer);
        s.resolve();
      }
      sleepers.clear();
      await new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  for (const b of normaliseBots(opts.bots)) addBot(b);
  return api;
}
