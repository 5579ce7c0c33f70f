// The test client that plays WeCom, DingTalk and Feishu: it encrypts and signs callbacks with
// node:crypto (an implementation independent of the package's Rust), and a loopback platform
// server that receives the replies (response_url, sessionWebhook, the Feishu Open API) and the
// bot's reports. Node 20, no dependencies.
import crypto from "node:crypto";
import http from "node:http";

// ---- crypto ---------------------------------------------------------------------------------

export function wxEncrypt(encodingAesKey, msg, receiveId, random = crypto.randomBytes(16)) {
  const key = Buffer.from(`${encodingAesKey}=`, "base64");
  const m = Buffer.from(msg, "utf8");
  const len = Buffer.alloc(4);
  len.writeUInt32BE(m.length);
  let plain = Buffer.concat([random, len, m, Buffer.from(receiveId, "utf8")]);
  const n = 32 - (plain.length % 32);
  plain = Buffer.concat([plain, Buffer.alloc(n, n)]);
  const c = crypto.createCipheriv("aes-256-cbc", key, key.subarray(0, 16));
  c.setAutoPadding(false);
  return Buffer.concat([c.update(plain), c.final()]).toString("base64");
}

export function wxDecrypt(encodingAesKey, b64) {
  const key = Buffer.from(`${encodingAesKey}=`, "base64");
  const d = crypto.createDecipheriv("aes-256-cbc", key, key.subarray(0, 16));
  d.setAutoPadding(false);
  const plain = Buffer.concat([d.update(Buffer.from(b64, "base64")), d.final()]);
  const pad = plain[plain.length - 1];
  if (pad < 1 || pad > 32) throw new Error(`bad pad ${pad}`);
  const body = plain.subarray(0, plain.length - pad);
  const n = body.readUInt32BE(16);
  return { msg: body.subarray(20, 20 + n).toString("utf8"), receiveId: body.subarray(20 + n).toString("utf8") };
}

/** Encrypt a file the way WeCom serves AI-bot images and files: same key, IV = key[0..16], PKCS#7 to 32. */
export function wxEncryptMedia(encodingAesKey, data) {
  const key = Buffer.from(`${encodingAesKey}=`, "base64");
  const n = 32 - (data.length % 32);
  const c = crypto.createCipheriv("aes-256-cbc", key, key.subarray(0, 16));
  c.setAutoPadding(false);
  return Buffer.concat([c.update(Buffer.concat([data, Buffer.alloc(n, n)])), c.final()]);
}

export const wxSign = (token, ts, nonce, enc) =>
  crypto.createHash("sha1").update([token, String(ts), String(nonce), enc].sort().join("")).digest("hex");

export function feishuEncrypt(encryptKey, plaintext) {
  const key = crypto.createHash("sha256").update(encryptKey).digest();
  const iv = crypto.randomBytes(16);
  const c = crypto.createCipheriv("aes-256-cbc", key, iv);
  return Buffer.concat([iv, c.update(plaintext, "utf8"), c.final()]).toString("base64");
}

export const feishuSign = (ts, nonce, encryptKey, body) =>
  crypto.createHash("sha256").update(`${ts}${nonce}${encryptKey}${body}`).digest("hex");

export const dingtalkSign = (secret, tsMs) => crypto.createHmac("sha256", secret).update(`${tsMs}\n${secret}`).digest("base64");

// ---- the loopback platform ------------------------------------------------------------------

export const FEISHU_TENANT_TOKEN = "t-loopback-tenant-token";

export async function startPlatform({ feishuApp }) {
  const state = {
    seen: [],
    results: new Map(),
    responseUrl: [], // {code, body}
    session: [], // {session, body}
    im: [], // {auth, body}
    tokenCalls: 0,
    gates: new Map(), // id -> {open(), opened: Promise}
    waiters: [],
  };
  const gate = (id) => {
    if (!state.gates.has(id)) {
      let open;
      const opened = new Promise((r) => (open = r));
      state.gates.set(id, { open, opened });
    }
    return state.gates.get(id);
  };
  const scripts = new Map(); // response code -> remaining errcodes
  const media = new Map(); // name -> encrypted bytes
  const changed = () => {
    for (const w of state.waiters.splice(0)) w();
  };
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const raw = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url, "http://127.0.0.1");
    const send = (status, v) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(typeof v === "string" ? v : JSON.stringify(v));
    };
    const body = raw ? JSON.parse(raw) : null;
    try {
      if (url.pathname.startsWith("/media/")) {
        const m = media.get(url.pathname.slice(7));
        if (!m) return send(404, {});
        res.writeHead(200, { "content-type": "application/octet-stream" });
        res.end(m);
        return;
      }
      switch (url.pathname) {
        case "/seen":
          state.seen.push(body);
          send(200, {});
          break;
        case "/result":
          state.results.set(body.id, body.results);
          send(200, {});
          break;
        case "/gate":
          await gate(url.searchParams.get("id")).opened;
          send(200, "open");
          break;
        case "/wecom/response": {
          const code = url.searchParams.get("response_code");
          if (!scripts.has(code)) scripts.set(code, (url.searchParams.get("script") ?? "0").split(",").map(Number));
          const queue = scripts.get(code);
          const errcode = queue.length > 1 ? queue.shift() : queue[0];
          state.responseUrl.push({ code, body, errcode });
          send(200, { errcode, errmsg: errcode === 0 ? "ok" : "error" });
          break;
        }
        case "/dingtalk/session":
          state.session.push({ session: url.searchParams.get("session"), body });
          send(200, { errcode: 0, errmsg: "ok" });
          break;
        case "/open-apis/auth/v3/tenant_access_token/internal":
          state.tokenCalls++;
          if (body?.app_id !== feishuApp.appId || body?.app_secret !== feishuApp.appSecret) send(200, { code: 10003, msg: "invalid app" });
          else send(200, { code: 0, msg: "ok", tenant_access_token: FEISHU_TENANT_TOKEN, expire: 7200 });
          break;
        case "/open-apis/im/v1/messages":
          state.im.push({ auth: req.headers.authorization, query: url.searchParams.get("receive_id_type"), body });
          send(200, req.headers.authorization === `Bearer ${FEISHU_TENANT_TOKEN}` ? { code: 0, msg: "success", data: {} } : { code: 99991661, msg: "bad token" });
          break;
        default:
          send(404, { error: "unknown path" });
      }
    } catch (e) {
      send(500, { error: String(e) });
    }
    changed();
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    base,
    state,
    openGate: (id) => gate(id).open(),
    addMedia: (name, bytes) => media.set(name, bytes),
    /** Resolves when `pred()` is truthy; a bound on waiting (not a timing assertion). */
    async until(pred, what, limitMs = 30_000) {
      const t0 = Date.now();
      for (;;) {
        const v = pred();
        if (v) return v;
        if (Date.now() - t0 > limitMs) throw new Error(`gave up waiting for ${what}`);
        await new Promise((r) => {
          state.waiters.push(r);
          setTimeout(r, 200);
        });
      }
    },
    close: () => new Promise((r) => server.close(r)),
  };
}
