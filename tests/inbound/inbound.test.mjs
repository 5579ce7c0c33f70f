// webhook-push/inbound from the packed tarball, in Node, Deno, Bun and workerd: a test client
// that plays WeCom, DingTalk and Feishu posts real callbacks (encrypted and signed with
// node:crypto) to the handlers, and a loopback platform receives the replies.
//
//   bash scripts/pack-install.sh target/consumer
//   WRANGLER_SEND_METRICS=false DENO_NO_UPDATE_CHECK=1 node --test tests/inbound/
//   INBOUND_RUNTIMES=node,workerd node --test tests/inbound/     (a subset)
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

import { toolBin } from "../e2e/harness.mjs";
import { fileModules, packageModules, startWorkerd } from "../support/workerd.mjs";
import { FEISHU_TENANT_TOKEN, dingtalkSign, feishuEncrypt, feishuSign, startPlatform, wxDecrypt, wxEncrypt, wxEncryptMedia, wxSign } from "./client.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "..", "..");
const CONSUMER = path.resolve(ROOT, process.env.E2E_CONSUMER || "target/consumer");
const PKG = path.join(CONSUMER, "node_modules", "webhook-push");
const DIR = path.join(CONSUMER, "inbound-e2e");
const ALL = ["node", "deno", "bun", "workerd"];
const RUNTIMES = (process.env.INBOUND_RUNTIMES ?? ALL.join(",")).split(",").filter((r) => ALL.includes(r));

const rand = (n = 16) => crypto.randomBytes(n).toString("hex");

function setup() {
  if (!fs.existsSync(path.join(PKG, "package.json"))) throw new Error(`${PKG} is missing: run scripts/pack-install.sh`);
  fs.rmSync(DIR, { recursive: true, force: true });
  fs.mkdirSync(DIR, { recursive: true });
  for (const f of ["bot.mjs", "serve.mjs", "worker.mjs"]) fs.copyFileSync(path.join(HERE, f), path.join(DIR, f));
}

// ---- running the bot in a runtime -----------------------------------------------------------

function startChild(runtime, cfg) {
  const cmds = {
    node: [process.execPath, ["serve.mjs"]],
    deno: [toolBin("deno"), ["run", "--no-lock", "--no-prompt", "--allow-net=127.0.0.1", "--allow-env", "--allow-read", "serve.mjs"]],
    bun: [toolBin("bun"), ["--no-install", "run", "serve.mjs"]],
  };
  const [cmd, args] = cmds[runtime];
  const env = { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1", DENO_DIR: path.join(CONSUMER, ".deno-cache"), BUN_RUNTIME_TRANSPILER_CACHE_PATH: "0" };
  for (const k of Object.keys(env)) if (k.startsWith("NODE_TEST") || k === "NODE_OPTIONS") delete env[k];
  const child = spawn(cmd, [...args, JSON.stringify(cfg)], { cwd: DIR, env, stdio: ["ignore", "pipe", "pipe"] });
  const out = { text: "" };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${runtime} did not start listening:\n${out.text}`));
    }, 60_000);
    child.stdout.on("data", (d) => {
      out.text += d;
      const m = /LISTENING (\d+)/.exec(out.text);
      if (m && !out.url) {
        clearTimeout(timer);
        out.url = `http://127.0.0.1:${m[1]}`;
        resolve({ url: out.url, output: () => out.text, stop: () => child.kill("SIGTERM") });
      }
    });
    child.stderr.on("data", (d) => (out.text += d));
    child.on("exit", (code) => {
      if (!out.url) {
        clearTimeout(timer);
        reject(new Error(`${runtime} exited (${code}) before listening:\n${out.text}`));
      }
    });
  });
}

/** The Worker's modules: worker.mjs, bot.mjs, the package's inbound entry for workerd and what it imports. */
function workerModules() {
  const { modules } = packageModules({ dir: DIR, pkgDir: PKG, subpath: "./inbound" });
  return [...fileModules(DIR, ["worker.mjs", "bot.mjs"]), ...modules];
}

async function startWorker(cfg) {
  const w = await startWorkerd({ modules: workerModules(), modulesRoot: DIR, bindings: { CONFIG: JSON.stringify(cfg) } });
  return { url: w.url.origin, output: w.output, stop: w.dispose };
}

// ---- the scenarios --------------------------------------------------------------------------

for (const runtime of RUNTIMES) {
  describe(`inbound handlers in ${runtime}`, () => {
    let platform;
    let bot;
    const feishuApp = { appId: `cli_${rand(4)}`, appSecret: rand() };
    const cfg = {
      allowFrom: ["alice", "user123", "ou_alice"],
      replyWindow: 4000,
      wecom: { token: rand(), encodingAesKey: crypto.randomBytes(32).toString("base64").slice(0, 43), receiveId: "" },
      dingtalk: { appSecret: rand() },
      feishu: { ...feishuApp, encryptKey: rand(), verificationToken: rand() },
    };
    const secrets = () => [cfg.wecom.token, cfg.wecom.encodingAesKey, cfg.dingtalk.appSecret, cfg.feishu.appSecret, cfg.feishu.encryptKey, cfg.feishu.verificationToken, FEISHU_TENANT_TOKEN];
    const seenIds = (id) => platform.state.seen.filter((s) => s.id === id).length;

    before(async () => {
      setup();
      platform = await startPlatform({ feishuApp });
      cfg.platform = platform.base;
      bot = runtime === "workerd" ? await startWorker(cfg) : await startChild(runtime, cfg);
    });
    after(async () => {
      await bot?.stop();
      await platform?.close();
    });

    // -- WeCom ---------------------------------------------------------------------------------
    const { token, encodingAesKey } = cfg.wecom;
    const wecomQuery = (enc, over = {}) => {
      const timestamp = String(over.timestamp ?? Math.floor(Date.now() / 1000));
      const nonce = over.nonce ?? String(crypto.randomInt(1e9));
      const msg_signature = over.signature ?? wxSign(token, timestamp, nonce, enc);
      return { timestamp, nonce, msg_signature };
    };
    const wecomPost = async (payload, over = {}) => {
      const enc = over.encrypt ?? wxEncrypt(encodingAesKey, JSON.stringify(payload), over.receiveId ?? "");
      const q = wecomQuery(enc, over);
      const res = await fetch(`${bot.url}/wecom/bot?${new URLSearchParams(q)}`, { method: "POST", body: JSON.stringify({ encrypt: enc }) });
      return { res, text: await res.text(), q };
    };
    const wecomText = (msgid, from, content, extra = {}) => ({
      msgid,
      aibotid: "AIBOT",
      chatid: "CHAT",
      chattype: "group",
      from: { userid: from },
      response_url: `${platform.base}/wecom/response?response_code=${msgid}${extra.script ? `&script=${extra.script}` : ""}`,
      msgtype: "text",
      text: { content },
    });

    test("WeCom URL verification: the plaintext alone, with a raw + and with %2B", async () => {
      let echo;
      let plain;
      for (let i = 0; i < 200 && !echo?.includes("+"); i++) {
        plain = String(crypto.randomInt(1e12));
        echo = wxEncrypt(encodingAesKey, plain, "");
      }
      assert.ok(echo.includes("+"), "an echostr with a + was drawn");
      const q = wecomQuery(echo);
      const qs = `msg_signature=${q.msg_signature}&timestamp=${q.timestamp}&nonce=${q.nonce}`;
      const raw = await fetch(`${bot.url}/wecom/bot?${qs}&echostr=${echo}`);
      assert.equal(raw.status, 200);
      assert.equal(await raw.text(), plain);
      const enc = await fetch(`${bot.url}/wecom/bot?${qs}&echostr=${encodeURIComponent(echo)}`);
      assert.equal(await enc.text(), plain);
      const bad = await fetch(`${bot.url}/wecom/bot?${qs.replace(q.nonce, "1")}&echostr=${encodeURIComponent(echo)}`);
      assert.equal(bad.status, 401);
    });

    test("WeCom: a fast answer goes back passively, encrypted; a duplicate msgid is answered, not passed on", async () => {
      const id = `ping-${rand(4)}`;
      const { res, text, q } = await wecomPost(wecomText(id, "alice", "@bot ping"));
      assert.equal(res.status, 200);
      const env = JSON.parse(text);
      assert.equal(env.nonce, q.nonce);
      assert.equal(typeof env.timestamp, "number");
      assert.ok(Math.abs(env.timestamp - Date.now() / 1000) < 3600, "timestamp in seconds");
      assert.equal(env.msgsignature, wxSign(token, env.timestamp, env.nonce, env.encrypt));
      const reply = JSON.parse(wxDecrypt(encodingAesKey, env.encrypt).msg);
      assert.equal(reply.msgtype, "stream");
      assert.equal(reply.stream.finish, true);
      assert.match(reply.stream.content, /pong \*\*wecom\*\*/);
      // WeCom polling the stream: the finished content again, never passed to onMessage
      const refresh = await wecomPost({ msgid: `r-${id}`, aibotid: "AIBOT", chattype: "group", from: { userid: "alice" }, msgtype: "stream", stream: { id: reply.stream.id } });
      const polled = JSON.parse(wxDecrypt(encodingAesKey, JSON.parse(refresh.text).encrypt).msg);
      assert.deepEqual(polled, { msgtype: "stream", stream: { id: reply.stream.id, finish: true, content: reply.stream.content } });
      assert.equal(seenIds(`r-${id}`), 0);
      const again = await wecomPost(wecomText(id, "alice", "@bot ping"));
      assert.equal(again.res.status, 200);
      assert.equal(again.text, "");
      assert.equal(seenIds(id), 1);
      const seen = platform.state.seen.find((s) => s.id === id).message;
      assert.equal(seen.chatType, "group");
      assert.equal(seen.chatId, "CHAT");
      assert.equal(seen.botId, "AIBOT");
    });

    test("WeCom: a slow answer is acknowledged at once and goes through response_url, retried on -1, single use", async () => {
      const id = `slow-${rand(4)}`;
      const { res, text } = await wecomPost(wecomText(id, "alice", "slow please", { script: "-1,0" }));
      assert.equal(res.status, 200);
      assert.equal(text, "", "acknowledged with an empty answer before onMessage replied");
      assert.equal(platform.state.responseUrl.filter((r) => r.code === id).length, 0);
      platform.openGate(id);
      const results = await platform.until(() => platform.state.results.get(id), "the slow reply's results");
      const posts = platform.state.responseUrl.filter((r) => r.code === id);
      assert.equal(posts.length, 2, "retried once after errcode -1");
      assert.deepEqual(Object.keys(posts[0].body).sort(), ["markdown", "msgtype"]);
      assert.equal(posts[0].body.msgtype, "markdown");
      assert.match(posts[0].body.markdown.content, /slow answer to alice/);
      assert.equal(results[0].success, true);
      assert.equal(results[0].mode, "active");
      assert.equal(results[0].attempts, 2);
      assert.equal(results[1].success, false);
      assert.match(results[1].error.message, /already used/);
    });

    test("WeCom: errcode 44004 is not retried", async () => {
      const id = `slow-${rand(4)}`;
      await wecomPost(wecomText(id, "alice", "slow", { script: "44004" }));
      platform.openGate(id);
      const results = await platform.until(() => platform.state.results.get(id), "the results");
      assert.equal(platform.state.responseUrl.filter((r) => r.code === id).length, 1);
      assert.equal(results[0].success, false);
      assert.equal(results[0].error.code, "PLATFORM_ERROR");
      assert.equal(results[0].error.platformCode, 44004);
    });

    test("WeCom: a card answer goes back as a passive template card", async () => {
      const id = `card-${rand(4)}`;
      const { text } = await wecomPost(wecomText(id, "alice", "card"));
      const reply = JSON.parse(wxDecrypt(encodingAesKey, JSON.parse(text).encrypt).msg);
      assert.equal(reply.msgtype, "template_card");
      assert.equal(reply.template_card.card_type, "text_notice");
      assert.equal(reply.template_card.main_title.title, "Disk full");
      assert.equal(reply.template_card.card_action.url, "https://example.com/a/1");
    });

    test("WeCom: a card event is answered with onMessage's card update; its reply goes through response_url", async () => {
      const id = `tce-${rand(4)}`;
      const ev = {
        ...wecomText(id, "alice", ""),
        chattype: "single",
        msgtype: "event",
        text: undefined,
        event: { eventtype: "template_card_event", template_card_event: { card_type: "button_interaction", event_key: "ack", task_id: "task-1" } },
      };
      const { text } = await wecomPost(ev);
      const reply = JSON.parse(wxDecrypt(encodingAesKey, JSON.parse(text).encrypt).msg);
      assert.equal(reply.response_type, "update_template_card");
      assert.equal(reply.template_card.task_id, "task-1");
      const [r] = await platform.until(() => platform.state.results.get(id), "the card event's reply");
      assert.equal(r.mode, "active");
      assert.match(platform.state.responseUrl.find((x) => x.code === id).body.markdown.content, /card event seen/);
    });

    test("WeCom: an image is downloaded and decrypted; one over 10 MB is refused", async () => {
      const img = crypto.randomBytes(5000);
      platform.addMedia("small.png", wxEncryptMedia(encodingAesKey, img));
      platform.addMedia("big.png", wxEncryptMedia(encodingAesKey, Buffer.alloc(10 * 1024 * 1024 + 100, 7)));
      const image = (id, name) => ({ ...wecomText(id, "alice", ""), chattype: "single", msgtype: "image", text: undefined, image: { url: `${platform.base}/media/${name}` } });
      const a = `img-${rand(4)}`;
      const b = `img-${rand(4)}`;
      await wecomPost(image(a, "small.png"));
      await wecomPost(image(b, "big.png"));
      const [ra] = await platform.until(() => platform.state.results.get(a), "the small image");
      assert.deepEqual(ra, { sha256: crypto.createHash("sha256").update(img).digest("hex"), length: 5000 });
      const [rb] = await platform.until(() => platform.state.results.get(b), "the big image");
      assert.equal(rb.code, "INVALID_MESSAGE");
      assert.match(rb.message, /larger than/);
    });

    test("WeCom: a long answer is cut to 20480 bytes without splitting the link", async () => {
      const id = `long-${rand(4)}`;
      const { text } = await wecomPost(wecomText(id, "alice", "long"));
      const reply = JSON.parse(wxDecrypt(encodingAesKey, JSON.parse(text).encrypt).msg);
      const bytes = Buffer.byteLength(reply.stream.content);
      assert.ok(bytes <= 20480 && bytes > 10000, `${bytes} bytes`);
      assert.ok(!reply.stream.content.includes("[runbook"), "no half link");
      assert.ok(!reply.stream.content.includes("\uFFFD"));
    });

    test("WeCom: bad input gets the right 4xx and never reaches onMessage", async () => {
      const before = platform.state.seen.length;
      const good = wecomText(`bad-${rand(4)}`, "alice", "ping");
      const enc = wxEncrypt(encodingAesKey, JSON.stringify(good), "");
      assert.equal((await wecomPost(good, { encrypt: enc, signature: "0".repeat(40) })).res.status, 401, "bad signature");
      assert.equal((await wecomPost(good, { timestamp: Math.floor(Date.now() / 1000) - 7200 })).res.status, 401, "stale timestamp");
      assert.equal((await wecomPost(good, { receiveId: "wwOTHERCORP" })).res.status, 403, "wrong receiveid");
      assert.equal((await wecomPost(good, { encrypt: "not*base64" })).res.status, 400, "non-base64");
      assert.equal((await wecomPost(good, { encrypt: enc.slice(0, 24) })).res.status, 400, "truncated");
      // CBC: XOR-ing the last byte of the second-to-last block XORs the last plaintext byte (the pad
      // length) the same way; pad ^ pad = 0 is never a valid pad (flipping the last block instead
      // garbles it at random, and one time in eight the garbage passes as padding)
      const full = 16 + 4 + Buffer.byteLength(JSON.stringify(good));
      const pad = 32 - (full % 32);
      const flipped = Buffer.from(enc, "base64");
      flipped[flipped.length - 17] ^= pad;
      assert.equal((await wecomPost(good, { encrypt: flipped.toString("base64") })).res.status, 400, "bad padding");
      assert.equal((await wecomPost({ ...good, msgtype: "video", video: {} })).res.status, 400, "unknown type");
      assert.equal(platform.state.seen.length, before);
      // a sender outside allowFrom: acknowledged, not passed on
      const m = await wecomPost(wecomText(`mallory-${rand(4)}`, "mallory", "ping"));
      assert.equal(m.res.status, 200);
      assert.equal(platform.state.seen.length, before);
    });

    // -- DingTalk ------------------------------------------------------------------------------
    const dingtalkBody = (msgId, staff, content, over = {}) => ({
      conversationId: "cid1",
      atUsers: [{ dingtalkId: "bot" }],
      chatbotUserId: "bot",
      msgId,
      senderNick: "Alice",
      isAdmin: false,
      senderStaffId: staff,
      sessionWebhookExpiredTime: over.expiry ?? Date.now() + 5_400_000,
      createAt: Date.now(),
      conversationType: "2",
      senderId: "$:LWCP_v1:$x",
      conversationTitle: "ops",
      isInAtList: true,
      sessionWebhook: `${platform.base}/dingtalk/session?session=${msgId}`,
      text: { content: ` ${content}` },
      msgtype: "text",
    });
    const dingtalkPost = async (body, over = {}) => {
      const ts = over.timestamp ?? Date.now();
      const sign = over.sign ?? dingtalkSign(cfg.dingtalk.appSecret, ts);
      const res = await fetch(`${bot.url}/dingtalk/bot`, { method: "POST", headers: { timestamp: String(ts), sign, "content-type": "application/json" }, body: JSON.stringify(body) });
      return { res, text: await res.text() };
    };

    test("DingTalk: signed message, reply through sessionWebhook rendered for DingTalk, duplicates once", async () => {
      const id = `dt-${rand(4)}`;
      const { res } = await dingtalkPost(dingtalkBody(id, "user123", "ping"));
      assert.equal(res.status, 200);
      const results = await platform.until(() => platform.state.results.get(id), "the DingTalk reply");
      assert.equal(results[0].success, true);
      const post = platform.state.session.find((s) => s.session === id);
      assert.equal(post.body.msgtype, "markdown");
      assert.match(post.body.markdown.text, /pong \*\*dingtalk\*\*/);
      await dingtalkPost(dingtalkBody(id, "user123", "ping"));
      assert.equal(seenIds(id), 1);
      const seen = platform.state.seen.find((s) => s.id === id).message;
      assert.equal(seen.text, "ping");
      assert.equal(seen.sender.id, "user123");
      assert.equal(seen.chatTitle, "ops");
    });

    test("DingTalk: an expired sessionWebhook is an error that says so; bad sign and stale timestamp are 401", async () => {
      const id = `dt-${rand(4)}`;
      await dingtalkPost(dingtalkBody(id, "user123", "ping", { expiry: Date.now() - 1000 }));
      const results = await platform.until(() => platform.state.results.get(id), "the results");
      assert.equal(results[0].success, false);
      assert.match(results[0].error.message, /expired/);
      assert.equal(platform.state.session.filter((s) => s.session === id).length, 0);
      const before = platform.state.seen.length;
      assert.equal((await dingtalkPost(dingtalkBody(`x-${rand(4)}`, "user123", "ping"), { sign: dingtalkSign("wrong", Date.now()) })).res.status, 401);
      assert.equal((await dingtalkPost(dingtalkBody(`x-${rand(4)}`, "user123", "ping"), { timestamp: Date.now() - 3_700_000 })).res.status, 401);
      assert.equal((await dingtalkPost({ msgtype: "text" })).res.status, 400);
      assert.equal(platform.state.seen.length, before);
    });

    // -- Feishu --------------------------------------------------------------------------------
    const feishuPost = async (plainEvent, over = {}) => {
      const raw = JSON.stringify({ encrypt: feishuEncrypt(cfg.feishu.encryptKey, JSON.stringify(plainEvent)) });
      const ts = String(over.timestamp ?? Math.floor(Date.now() / 1000));
      const nonce = rand(4);
      const sig = over.signature ?? feishuSign(ts, nonce, cfg.feishu.encryptKey, raw);
      const res = await fetch(`${bot.url}/feishu/events`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-lark-request-timestamp": ts, "x-lark-request-nonce": nonce, "x-lark-signature": sig },
        body: raw,
      });
      return { res, text: await res.text() };
    };
    const feishuMessage = (eventId, openId, text, token = cfg.feishu.verificationToken) => ({
      schema: "2.0",
      header: { event_id: eventId, event_type: "im.message.receive_v1", create_time: String(Date.now()), token, app_id: cfg.feishu.appId, tenant_key: "tk" },
      event: {
        sender: { sender_id: { open_id: openId, user_id: "u1", union_id: "on_1" }, sender_type: "user", tenant_key: "tk" },
        message: {
          message_id: `om_${eventId}`,
          chat_id: `oc_${eventId}`,
          chat_type: "group",
          message_type: "text",
          content: JSON.stringify({ text: `@_user_1 ${text}` }),
          mentions: [{ key: "@_user_1", id: { open_id: "ou_bot" }, name: "AlertBot", tenant_key: "tk" }],
        },
      },
    });

    test("Feishu: url_verification, plain and encrypted, checks the token", async () => {
      const plain = await fetch(`${bot.url}/feishu/events`, {
        method: "POST",
        body: JSON.stringify({ challenge: "c-plain", token: cfg.feishu.verificationToken, type: "url_verification" }),
      });
      assert.deepEqual(await plain.json(), { challenge: "c-plain" });
      const enc = await feishuPost({ challenge: "c-enc", token: cfg.feishu.verificationToken, type: "url_verification" });
      assert.deepEqual(JSON.parse(enc.text), { challenge: "c-enc" });
      const wrong = await feishuPost({ challenge: "c", token: "not-the-token", type: "url_verification" });
      assert.equal(wrong.res.status, 401);
    });

    test("Feishu: a signed, encrypted message is answered through the IM API with a cached tenant token", async () => {
      const a = `ev-${rand(4)}`;
      const b = `ev-${rand(4)}`;
      assert.equal((await feishuPost(feishuMessage(a, "ou_alice", "ping"))).res.status, 200);
      assert.equal((await feishuPost(feishuMessage(b, "ou_alice", "ping"))).res.status, 200);
      await platform.until(() => platform.state.results.get(a) && platform.state.results.get(b), "both replies");
      assert.equal(platform.state.results.get(a)[0].success, true);
      const ims = platform.state.im.filter((m) => m.body.receive_id === `oc_${a}`);
      assert.equal(ims.length, 1);
      assert.equal(ims[0].auth, `Bearer ${FEISHU_TENANT_TOKEN}`);
      assert.equal(ims[0].query, "chat_id");
      assert.equal(typeof ims[0].body.content, "string");
      assert.match(ims[0].body.content, /pong/);
      assert.equal(platform.state.tokenCalls, 1, "the tenant_access_token is fetched once and cached");
      const seen = platform.state.seen.find((s) => s.id === a).message;
      assert.equal(seen.text, "@AlertBot ping");
      // duplicate event_id
      await feishuPost(feishuMessage(a, "ou_alice", "ping"));
      assert.equal(seenIds(a), 1);
    });

    test("Feishu: card action answered in time with onMessage's toast; bad signature, stale, wrong token refused", async () => {
      const id = `card-${rand(4)}`;
      const card = {
        schema: "2.0",
        header: { event_id: id, event_type: "card.action.trigger", token: cfg.feishu.verificationToken },
        event: { operator: { open_id: "ou_alice" }, action: { value: { cmd: "ack", fp: "fp1" }, tag: "button" }, context: { open_message_id: "om_1", open_chat_id: "oc_1" } },
      };
      const r = await feishuPost(card);
      assert.deepEqual(JSON.parse(r.text), { toast: { type: "success", content: "acked fp1" } });
      const before = platform.state.seen.length;
      assert.equal((await feishuPost(feishuMessage(`x-${rand(4)}`, "ou_alice", "ping"), { signature: "0".repeat(64) })).res.status, 401);
      assert.equal((await feishuPost(feishuMessage(`x-${rand(4)}`, "ou_alice", "ping"), { timestamp: Math.floor(Date.now() / 1000) - 7200 })).res.status, 401);
      assert.equal((await feishuPost(feishuMessage(`x-${rand(4)}`, "ou_alice", "ping", "wrong-token"))).res.status, 401);
      assert.equal((await feishuPost(feishuMessage(`x-${rand(4)}`, "ou_mallory", "ping"))).res.status, 200);
      assert.equal(platform.state.seen.length, before);
    });

    test("no credential in any log line of the runtime", async () => {
      const out = bot.output();
      assert.match(out, /refused \(bad_signature\)/, "refusals are logged");
      for (const s of secrets()) assert.ok(!out.includes(s), "a credential was logged");
    });
  });
}
