// Tests of the mock platforms server. Run: node --test tests/mock/
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import crypto from "node:crypto";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { startMockPlatforms, parseMultipart } from "./platforms.mjs";

const T0 = 1_700_000_000_000;

/** A mock with a fake clock; closed when the test ends. */
async function start(t, opts = {}) {
  const clock = { t: opts.at ?? T0 };
  // `tick`: the fake clock moves on by this much at each reading (one per request), so that
  // tests sending many messages stay under the rate limits without switching them off.
  const tick = opts.tick ?? 0;
  const now = () => {
    const v = clock.t;
    clock.t += tick;
    return v;
  };
  const mock = await startMockPlatforms({ now, ...opts });
  t.after(() => mock.close());
  return { mock, clock };
}

/** One HTTP request on its own connection: {status, headers, text, json}. */
function request(url, { method = "POST", body, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}
const post = (url, obj, headers = { "content-type": "application/json" }) =>
  request(url, { body: typeof obj === "string" ? obj : JSON.stringify(obj), headers });

const md5 = (b) => crypto.createHash("md5").update(b).digest("hex");
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from("IHDRfake-png-payload")]);
const JPG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from("fake-jpeg")]);
const GIF = Buffer.from("GIF89a-not-allowed");

function multipart(fields, boundary = "----mockBoundary7MA4YWxk") {
  const parts = fields.map(({ name, filename, data, type = "application/octet-stream" }) =>
    Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"; filelength=${data.length}` : ""}\r\nContent-Type: ${type}\r\n\r\n`),
      Buffer.from(data),
      Buffer.from("\r\n"),
    ]));
  return { body: Buffer.concat([...parts, Buffer.from(`--${boundary}--\r\n`)]), contentType: `multipart/form-data; boundary=${boundary}` };
}

// =============================================================================================
// WeCom

test("wecom: text succeeds and is recorded with platform, key, body, raw, headers, time and outcome", async (t) => {
  const { mock } = await start(t, { bots: { wecom: ["k1"] } });
  const payload = { msgtype: "text", text: { content: "hello", mentioned_list: ["@all"], mentioned_mobile_list: ["13800000000"] } };
  const r = await post(mock.webhookUrl("wecom", "k1"), payload);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { errcode: 0, errmsg: "ok" });
  assert.equal(mock.received.length, 1);
  const rec = mock.received[0];
  assert.equal(rec.platform, "wecom");
  assert.equal(rec.key, "k1");
  assert.deepEqual(rec.body, payload);
  assert.equal(rec.raw, JSON.stringify(payload));
  assert.equal(rec.headers["content-type"], "application/json");
  assert.equal(rec.at, T0);
  assert.deepEqual(rec.outcome, { status: 200, body: { errcode: 0, errmsg: "ok" } });
  assert.deepEqual(mock.receivedFor("wecom", "k1"), [rec]);
  assert.deepEqual(mock.receivedFor("wecom", "other"), []);
  assert.equal(mock.baseUrls.wecom, mock.url);
  assert.match(mock.url, /^http:\/\/127\.0\.0\.1:\d+$/);
});

test("wecom: unknown or missing key -> 93000 invalid webhook url", async (t) => {
  const { mock } = await start(t, { bots: { wecom: ["k1"] } });
  const msg = { msgtype: "text", text: { content: "x" } };
  for (const url of [mock.webhookUrl("wecom", "nope"), `${mock.url}/cgi-bin/webhook/send`]) {
    const r = await post(url, msg);
    assert.deepEqual(r.json, { errcode: 93000, errmsg: "invalid webhook url" });
  }
});

test("wecom: missing or unknown msgtype -> 40008; invalid JSON -> 40058", async (t) => {
  const { mock } = await start(t, { bots: { wecom: ["k1"] } });
  const u = mock.webhookUrl("wecom", "k1");
  assert.equal((await post(u, { text: { content: "x" } })).json.errcode, 40008);
  assert.equal((await post(u, { msgtype: "link", link: {} })).json.errcode, 40008);
  assert.equal((await post(u, { msgtype: "Text", text: { content: "x" } })).json.errcode, 40008);
  assert.equal((await post(u, "{not json")).json.errcode, 40058);
  assert.equal((await post(u, "[1,2]")).json.errcode, 40058);
});

test("wecom: text content is limited to 2048 UTF-8 bytes; mention lists are arrays of strings", async (t) => {
  const { mock } = await start(t, { bots: { wecom: ["k1"] } });
  const u = mock.webhookUrl("wecom", "k1");
  const at2048 = "中".repeat(682) + "ab"; // 2046 + 2 bytes
  assert.equal(Buffer.byteLength(at2048), 2048);
  assert.equal((await post(u, { msgtype: "text", text: { content: at2048 } })).json.errcode, 0);
  const r = await post(u, { msgtype: "text", text: { content: at2048 + "c" } });
  assert.equal(r.json.errcode, 40058);
  assert.match(r.json.errmsg, /text\.content exceed max length 2048/);
  assert.equal((await post(u, { msgtype: "text", text: { content: "" } })).json.errcode, 40058);
  assert.equal((await post(u, { msgtype: "text", text: {} })).json.errcode, 40058);
  assert.equal((await post(u, { msgtype: "text" })).json.errcode, 40058);
  assert.equal((await post(u, { msgtype: "text", text: { content: "x", mentioned_list: "@all" } })).json.errcode, 40058);
  assert.equal((await post(u, { msgtype: "text", text: { content: "x", mentioned_mobile_list: [13800000000] } })).json.errcode, 40058);
});

test("wecom: markdown and markdown_v2 content is limited to 4096 bytes", async (t) => {
  const { mock } = await start(t, { bots: { wecom: ["k1"] } });
  const u = mock.webhookUrl("wecom", "k1");
  for (const type of ["markdown", "markdown_v2"]) {
    assert.equal((await post(u, { msgtype: type, [type]: { content: "#".repeat(4096) } })).json.errcode, 0, type);
    const r = await post(u, { msgtype: type, [type]: { content: "#".repeat(4097) } });
    assert.equal(r.json.errcode, 40058, type);
    assert.match(r.json.errmsg, new RegExp(`${type}\\.content exceed max length 4096`));
    assert.equal((await post(u, { msgtype: type, [type]: {} })).json.errcode, 40058, type);
  }
});

test("wecom: image needs valid base64, an md5 of the decoded bytes, <= 2MB, JPG or PNG", async (t) => {
  const { mock } = await start(t, { bots: { wecom: ["k1"] } });
  const u = mock.webhookUrl("wecom", "k1");
  const img = (bytes, sum = md5(bytes)) => ({ msgtype: "image", image: { base64: bytes.toString("base64"), md5: sum } });
  assert.equal((await post(u, img(PNG))).json.errcode, 0);
  assert.equal((await post(u, img(JPG, md5(JPG).toUpperCase()))).json.errcode, 0);
  // md5 of the base64 text instead of the raw bytes: a classic sender bug
  const wrong = await post(u, img(PNG, md5(PNG.toString("base64"))));
  assert.deepEqual(wrong.json, { errcode: 301019, errmsg: "media md5 not match" });
  assert.equal((await post(u, img(GIF))).json.errcode, 40058);
  const big = Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024 - PNG.length + 1)]);
  const rBig = await post(u, img(big));
  assert.equal(rBig.json.errcode, 40058);
  assert.match(rBig.json.errmsg, /exceed max size/);
  const exact = Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024 - PNG.length)]);
  assert.equal((await post(u, img(exact))).json.errcode, 0);
  const wrapped = { msgtype: "image", image: { base64: PNG.toString("base64").replace(/(.{8})/, "$1\n"), md5: md5(PNG) } };
  assert.equal((await post(u, wrapped)).json.errcode, 40058);
  assert.equal((await post(u, { msgtype: "image", image: { base64: PNG.toString("base64") } })).json.errcode, 40058);
  assert.equal((await post(u, { msgtype: "image", image: { base64: PNG.toString("base64"), md5: "abc" } })).json.errcode, 40058);
});

test("wecom: news needs 1..8 articles with title and url; over-long titles are a strict-mode error", async (t) => {
  const { mock } = await start(t, { bots: { wecom: ["k1"] } });
  const u = mock.webhookUrl("wecom", "k1");
  const art = (o = {}) => ({ title: "T", description: "D", url: "https://e.com", picurl: "https://e.com/p.png", ...o });
  const news = (articles) => ({ msgtype: "news", news: { articles } });
  assert.equal((await post(u, news([art()]))).json.errcode, 0);
  assert.equal((await post(u, news(Array.from({ length: 8 }, () => art())))).json.errcode, 0);
  assert.equal((await post(u, news([]))).json.errcode, 40058);
  assert.equal((await post(u, news(Array.from({ length: 9 }, () => art())))).json.errcode, 40058);
  assert.equal((await post(u, news([art({ url: undefined })]))).json.errcode, 40058);
  assert.equal((await post(u, news([art({ title: "" })]))).json.errcode, 40058);
  assert.equal((await post(u, news([art({ title: "x".repeat(128) })]))).json.errcode, 0);
  const long = await post(u, news([art({ title: "x".repeat(129) })]));
  assert.equal(long.json.errcode, 40058);
  assert.match(long.json.errmsg, /over 128: WeCom cuts it/);
  assert.equal((await post(u, news([art({ description: "d".repeat(513) })]))).json.errcode, 40058);
});

test("wecom: lenient mode accepts what the platform silently alters, and records a warning", async (t) => {
  const { mock } = await start(t, { strict: false, bots: { wecom: ["k1"] } });
  const u = mock.webhookUrl("wecom", "k1");
  const r = await post(u, { msgtype: "news", news: { articles: [{ title: "x".repeat(200), url: "https://e.com" }] } });
  assert.equal(r.json.errcode, 0);
  assert.match(mock.received[0].warnings.join("\n"), /over 128/);
  const r2 = await post(u, { msgtype: "text", text: { content: "x", mentioned_lists: ["a"] } });
  assert.equal(r2.json.errcode, 0);
  assert.match(mock.received[1].warnings.join("\n"), /unknown field text\.mentioned_lists/);
});

test("wecom: strict mode rejects unknown (misspelt) fields", async (t) => {
  const { mock } = await start(t, { bots: { wecom: ["k1"] } });
  const u = mock.webhookUrl("wecom", "k1");
  const r = await post(u, { msgtype: "text", text: { content: "x", mentioned_lists: ["a"] } });
  assert.equal(r.json.errcode, 40058);
  assert.match(r.json.errmsg, /unknown field text\.mentioned_lists/);
  const r2 = await post(u, { msgtype: "news", news: { articles: [{ title: "t", url: "u", picUrl: "p" }] } });
  assert.equal(r2.json.errcode, 40058);
  assert.match(r2.json.errmsg, /did you mean news\.articles\[0\]\.picurl/);
});

test("wecom: upload_media (file) issues a media_id that a file message can use", async (t) => {
  const { mock, clock } = await start(t, { bots: { wecom: ["k1", "k2"] } });
  const data = Buffer.from("hello world, this is a report");
  const { body, contentType } = multipart([{ name: "media", filename: "report.txt", data }]);
  const up = await request(`${mock.url}/cgi-bin/webhook/upload_media?key=k1&type=file`, { body, headers: { "content-type": contentType } });
  assert.equal(up.status, 200);
  assert.equal(up.json.errcode, 0);
  assert.equal(up.json.errmsg, "ok");
  assert.equal(up.json.type, "file");
  assert.equal(up.json.created_at, String(Math.floor(T0 / 1000)));
  assert.match(up.json.media_id, /^mock_file_[0-9a-f]{24}$/);
  const m = mock.media.get(up.json.media_id);
  assert.equal(m.size, data.length);
  assert.equal(m.md5, md5(data));
  assert.equal(m.filename, "report.txt");
  const u1 = mock.webhookUrl("wecom", "k1");
  assert.deepEqual((await post(u1, { msgtype: "file", file: { media_id: up.json.media_id } })).json, { errcode: 0, errmsg: "ok" });
  // the wrong kind, another bot, an unknown id, an expired id
  assert.equal((await post(u1, { msgtype: "voice", voice: { media_id: up.json.media_id } })).json.errcode, 40007);
  assert.equal((await post(mock.webhookUrl("wecom", "k2"), { msgtype: "file", file: { media_id: up.json.media_id } })).json.errcode, 40007);
  assert.equal((await post(u1, { msgtype: "file", file: { media_id: "never-issued" } })).json.errcode, 40007);
  assert.equal((await post(u1, { msgtype: "file", file: {} })).json.errcode, 40058);
  clock.t = T0 + 3 * 24 * 3600 * 1000;
  assert.equal((await post(u1, { msgtype: "file", file: { media_id: up.json.media_id } })).json.errcode, 0);
  clock.t += 1;
  assert.equal((await post(u1, { msgtype: "file", file: { media_id: up.json.media_id } })).json.errcode, 40007);
});

test("wecom: upload_media through fetch + FormData (as the runtimes send it), and voice", async (t) => {
  const { mock } = await start(t, { bots: { wecom: ["k1"] } });
  const fd = new FormData();
  fd.append("media", new Blob([Buffer.from("#!AMR\nfake-voice-frames")]), "note.amr");
  const res = await fetch(`${mock.url}/cgi-bin/webhook/upload_media?key=k1&type=voice`, { method: "POST", body: fd });
  const j = await res.json();
  assert.equal(j.errcode, 0);
  assert.equal(j.type, "voice");
  assert.equal(mock.media.get(j.media_id).filename, "note.amr");
  const r = await post(mock.webhookUrl("wecom", "k1"), { msgtype: "voice", voice: { media_id: j.media_id } });
  assert.equal(r.json.errcode, 0);
  assert.equal(mock.received[0].body.media_id, j.media_id);
  assert.ok(Buffer.isBuffer(mock.received[0].raw));
});

test("wecom: upload_media errors (type, missing part, size, voice format, key)", async (t) => {
  const { mock } = await start(t, { bots: { wecom: ["k1"] } });
  const up = (query, fields) => {
    const { body, contentType } = multipart(fields);
    return request(`${mock.url}/cgi-bin/webhook/upload_media?${query}`, { body, headers: { "content-type": contentType } });
  };
  const file = (data) => [{ name: "media", filename: "f.bin", data: Buffer.from(data) }];
  assert.equal((await up("key=k1&type=image", file("12345"))).json.errcode, 40005);
  assert.equal((await up("key=k1", file("12345"))).json.errcode, 40005);
  assert.equal((await up("key=k1&type=file", [{ name: "file", filename: "f", data: Buffer.from("12345") }])).json.errcode, 44001);
  assert.equal((await up("key=k1&type=file", file("1234"))).json.errcode, 40006);
  assert.equal((await up("key=k1&type=file", file("12345"))).json.errcode, 0);
  assert.equal((await up("key=k1&type=voice", file("not amr at all"))).json.errcode, 40004);
  assert.equal((await up("key=nope&type=file", file("12345"))).json.errcode, 93000);
  const plain = await request(`${mock.url}/cgi-bin/webhook/upload_media?key=k1&type=file`, { body: "raw bytes", headers: { "content-type": "application/octet-stream" } });
  assert.equal(plain.json.errcode, 44001);
});

const textNotice = () => ({
  card_type: "text_notice",
  source: { icon_url: "https://e.com/i.png", desc: "CI", desc_color: 1 },
  main_title: { title: "Build failed", desc: "main" },
  emphasis_content: { title: "3", desc: "failures" },
  quote_area: { type: 1, url: "https://e.com", title: "q", quote_text: "quoted" },
  sub_title_text: "sub",
  horizontal_content_list: [{ keyname: "branch", value: "main" }, { keyname: "log", value: "open", type: 1, url: "https://e.com/log" }],
  jump_list: [{ type: 1, title: "Open", url: "https://e.com" }],
  card_action: { type: 1, url: "https://e.com" },
});
const newsNotice = () => ({
  card_type: "news_notice",
  main_title: { title: "Release", desc: "v1" },
  card_image: { url: "https://e.com/c.png", aspect_ratio: 2.25 },
  vertical_content_list: [{ title: "notes", desc: "..." }],
  jump_list: [{ type: 1, title: "Open", url: "https://e.com" }],
  card_action: { type: 1, url: "https://e.com" },
});

test("wecom: template_card text_notice and news_notice: valid cards pass, each documented rule is enforced", async (t) => {
  const { mock } = await start(t, { tick: 3001, bots: { wecom: ["k1"] } });
  const u = mock.webhookUrl("wecom", "k1");
  const send = (card) => post(u, { msgtype: "template_card", template_card: card });
  assert.equal((await send(textNotice())).json.errcode, 0);
  assert.equal((await send(newsNotice())).json.errcode, 0);
  const onlySub = textNotice();
  delete onlySub.main_title;
  assert.equal((await send(onlySub)).json.errcode, 0, "sub_title_text alone is enough for text_notice");
  const withArea = newsNotice();
  delete withArea.card_image;
  withArea.image_text_area = { type: 1, url: "https://e.com", title: "t", image_url: "https://e.com/i.png" };
  assert.equal((await send(withArea)).json.errcode, 0, "image_text_area instead of card_image");

  const cases = [
    ["text_notice without card_action", textNotice, (c) => delete c.card_action, /card_action required/],
    ["news_notice without card_action", newsNotice, (c) => delete c.card_action, /card_action required/],
    ["card_action type 0", textNotice, (c) => (c.card_action = { type: 0 }), /card_action\.type/],
    ["card_action type 1 without url", textNotice, (c) => (c.card_action = { type: 1 }), /card_action\.url/],
    ["card_action type 2 without appid", textNotice, (c) => (c.card_action = { type: 2, pagepath: "p" }), /card_action\.appid/],
    ["text_notice without main_title.title and sub_title_text", textNotice, (c) => { c.main_title = { desc: "d" }; delete c.sub_title_text; }, /main_title\.title or sub_title_text/],
    ["jump_list of 4", textNotice, (c) => (c.jump_list = Array.from({ length: 4 }, () => ({ type: 1, title: "j", url: "u" }))), /jump_list has 4 items, max 3/],
    ["jump_list item without title", textNotice, (c) => (c.jump_list = [{ type: 1, url: "u" }]), /jump_list\[0\]\.title/],
    ["horizontal_content_list of 7", textNotice, (c) => (c.horizontal_content_list = Array.from({ length: 7 }, () => ({ keyname: "k" }))), /max 6/],
    ["horizontal item without keyname", textNotice, (c) => (c.horizontal_content_list = [{ value: "v" }]), /keyname required/],
    ["news_notice without main_title.title", newsNotice, (c) => (c.main_title = { desc: "d" }), /main_title\.title required for news_notice/],
    ["news_notice without card_image or image_text_area", newsNotice, (c) => delete c.card_image, /card_image or image_text_area required/],
    ["card_image without url", newsNotice, (c) => (c.card_image = { aspect_ratio: 1.5 }), /card_image\.url required/],
    ["vertical_content_list of 5", newsNotice, (c) => (c.vertical_content_list = Array.from({ length: 5 }, () => ({ title: "v" }))), /max 4/],
    ["unknown card_type", textNotice, (c) => (c.card_type = "button_interaction"), /card_type/],
    ["vertical_content_list on text_notice (strict)", textNotice, (c) => (c.vertical_content_list = [{ title: "v" }]), /not part of text_notice/],
    ["misspelt field (strict)", textNotice, (c) => (c.card_actions = c.card_action), /unknown field template_card\.card_actions/],
  ];
  for (const [name, make, mutate, re] of cases) {
    const card = make();
    mutate(card);
    const r = await send(card);
    assert.equal(r.json.errcode, 40058, name);
    assert.match(r.json.errmsg, re, name);
  }
});

test("wecom: the 21st message within a sliding 60 s gets 45009; the window slides", async (t) => {
  const { mock, clock } = await start(t, { bots: { wecom: ["k1", "k2"] } });
  const u = mock.webhookUrl("wecom", "k1");
  const msg = { msgtype: "text", text: { content: "x" } };
  for (let i = 0; i < 20; i++) {
    clock.t = T0 + i * 1000;
    assert.equal((await post(u, msg)).json.errcode, 0, `message ${i + 1}`);
  }
  clock.t = T0 + 59_999;
  assert.deepEqual((await post(u, msg)).json, { errcode: 45009, errmsg: "api freq out of limit" });
  assert.equal((await post(mock.webhookUrl("wecom", "k2"), msg)).json.errcode, 0, "per bot");
  clock.t = T0 + 60_000; // the first message leaves the window
  assert.equal((await post(u, msg)).json.errcode, 0);
  assert.equal((await post(u, msg)).json.errcode, 45009, "and the window is full again");
});

// =============================================================================================
// DingTalk

const dt = {
  text: { msgtype: "text", text: { content: "hello" }, at: { atMobiles: ["13800000000"], atUserIds: ["u1"], isAtAll: false } },
  markdown: { msgtype: "markdown", markdown: { title: "T", text: "# hi @13800000000" }, at: { atMobiles: ["13800000000"] } },
  link: { msgtype: "link", link: { title: "T", text: "x", messageUrl: "https://e.com", picUrl: "https://e.com/p.png" } },
  actionCardSingle: { msgtype: "actionCard", actionCard: { title: "T", text: "x", singleTitle: "Open", singleURL: "https://e.com", btnOrientation: "0" } },
  actionCardMulti: { msgtype: "actionCard", actionCard: { title: "T", text: "x", btnOrientation: "1", btns: [{ title: "A", actionURL: "https://a" }, { title: "B", actionURL: "https://b" }] } },
  feedCard: { msgtype: "feedCard", feedCard: { links: [{ title: "T", messageURL: "https://e.com", picURL: "https://e.com/p.png" }] } },
};

test("dingtalk: every msgtype succeeds with the documented shapes", async (t) => {
  const { mock } = await start(t, { bots: { dingtalk: ["tok"] } });
  for (const [name, payload] of Object.entries(dt)) {
    const r = await post(mock.webhookUrl("dingtalk", "tok"), payload);
    assert.deepEqual(r.json, { errcode: 0, errmsg: "ok" }, name);
  }
  assert.equal(mock.receivedFor("dingtalk", "tok").length, Object.keys(dt).length);
});

test("dingtalk: Content-Type must be application/json (else 40035 missing parameter json)", async (t) => {
  const { mock } = await start(t, { bots: { dingtalk: ["tok"] } });
  const u = mock.webhookUrl("dingtalk", "tok");
  const body = JSON.stringify(dt.text);
  assert.deepEqual((await request(u, { body, headers: {} })).json, { errcode: 40035, errmsg: "缺少参数 json" });
  assert.equal((await request(u, { body, headers: { "content-type": "text/plain;charset=UTF-8" } })).json.errcode, 40035);
  assert.equal((await request(u, { body, headers: { "content-type": "application/x-www-form-urlencoded" } })).json.errcode, 40035);
  assert.equal((await request(u, { body, headers: { "content-type": "application/json;charset=utf-8" } })).json.errcode, 0);
  assert.equal((await post(u, "{broken")).json.errcode, 40035);
});

test("dingtalk: the whole body is limited to 20000 bytes (460101)", async (t) => {
  const { mock } = await start(t, { bots: { dingtalk: ["tok"] } });
  const u = mock.webhookUrl("dingtalk", "tok");
  const base = JSON.stringify({ msgtype: "text", text: { content: "" } }).length;
  const at = (n) => JSON.stringify({ msgtype: "text", text: { content: "x".repeat(n - base) } });
  assert.equal(at(20000).length, 20000);
  assert.equal((await post(u, at(20000))).json.errcode, 0);
  assert.deepEqual((await post(u, at(20001))).json, { errcode: 460101, errmsg: "message too long, exceed 20000 bytes" });
});

test("dingtalk: unknown token -> 300005, missing token -> 40035, missing/unknown msgtype", async (t) => {
  const { mock } = await start(t, { bots: { dingtalk: ["tok"] } });
  assert.deepEqual((await post(mock.webhookUrl("dingtalk", "nope"), dt.text)).json, { errcode: 300005, errmsg: "token is not exist" });
  assert.equal((await post(`${mock.url}/robot/send`, dt.text)).json.errcode, 40035);
  const u = mock.webhookUrl("dingtalk", "tok");
  assert.equal((await post(u, { text: { content: "x" } })).json.errcode, 40035);
  assert.equal((await post(u, { msgtype: "image", image: { picURL: "x" } })).json.errcode, 400105);
  assert.equal((await post(u, { msgtype: "actioncard", actioncard: { title: "x" } })).json.errcode, 400105);
});

test("dingtalk: field names are checked with their exact capitalisation", async (t) => {
  const { mock } = await start(t, { strict: false, bots: { dingtalk: ["tok"] } }); // even in lenient mode: a required field is missing
  const u = mock.webhookUrl("dingtalk", "tok");
  const cases = [
    [{ msgtype: "feedCard", feedCard: { links: [{ title: "T", messageUrl: "https://e", picUrl: "https://p" }] } }, /feedCard->links\[0\]->messageURL \(found feedCard->links\[0\]\.messageUrl/],
    [{ msgtype: "feedCard", feedCard: { links: [{ title: "T", messageURL: "https://e" }] } }, /picURL/],
    [{ msgtype: "link", link: { title: "T", text: "x", messageURL: "https://e" } }, /link->messageUrl/],
    [{ msgtype: "actionCard", actionCard: { title: "T", text: "x", singleTitle: "o", singleUrl: "https://e" } }, /actionCard->singleURL/],
    [{ msgtype: "actionCard", actionCard: { title: "T", text: "x", btns: [{ title: "A", actionUrl: "https://a" }] } }, /btns\[0\]->actionURL/],
    [{ msgtype: "actionCard", actionCard: { title: "T", text: "x" } }, /singleURL or actionCard->btns/],
    [{ msgtype: "markdown", markdown: { title: "T", text: "" } }, /markdown->text/],
    [{ msgtype: "text", text: { Content: "x" } }, /text->content/],
  ];
  for (const [payload, re] of cases) {
    const r = await post(u, payload);
    assert.equal(r.json.errcode, 400403, JSON.stringify(payload));
    assert.match(r.json.errmsg, re);
  }
});

test("dingtalk: `at` is validated (atMobiles/atUserIds arrays of strings, isAtAll boolean)", async (t) => {
  const { mock } = await start(t, { bots: { dingtalk: ["tok"] } });
  const u = mock.webhookUrl("dingtalk", "tok");
  const withAt = (at) => ({ msgtype: "text", text: { content: "x" }, at });
  assert.equal((await post(u, withAt({ isAtAll: true }))).json.errcode, 0);
  assert.equal((await post(u, withAt({ isAtAll: "true" }))).json.errcode, 400403);
  assert.equal((await post(u, withAt({ atMobiles: "13800000000" }))).json.errcode, 400403);
  assert.equal((await post(u, withAt({ atUserIds: [1] }))).json.errcode, 400403);
  assert.equal((await post(u, withAt({ atMobile: ["138"] }))).json.errcode, 400403, "misspelt, strict");
});

const DT_SECRET = "SEC000000000000000000000";
const DT_TS = 1577836800000;
const DT_SIGN = "+nNCK5RddMDikgXSXJcDpPb9RZqSQXlesQPy6NpNYUk=";

test("dingtalk: signing with the platforms.md vector is accepted (sign URL-encoded once)", async (t) => {
  const { mock } = await start(t, { at: DT_TS + 30_000, bots: { dingtalk: [{ key: "tok", secret: DT_SECRET }] } });
  const u = `${mock.webhookUrl("dingtalk", "tok")}&timestamp=${DT_TS}&sign=${encodeURIComponent(DT_SIGN)}`;
  assert.ok(u.endsWith("&sign=%2BnNCK5RddMDikgXSXJcDpPb9RZqSQXlesQPy6NpNYUk%3D"));
  assert.deepEqual((await post(u, dt.text)).json, { errcode: 0, errmsg: "ok" });
  // fetch (as the runtimes send it) leaves the encoded query alone
  const res = await fetch(u, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(dt.text) });
  assert.deepEqual(await res.json(), { errcode: 0, errmsg: "ok" });
});

test("dingtalk: double-encoded, unencoded, missing or wrong signs are rejected", async (t) => {
  const { mock } = await start(t, { at: DT_TS + 30_000, bots: { dingtalk: [{ key: "tok", secret: DT_SECRET }] } });
  const base = `${mock.webhookUrl("dingtalk", "tok")}&timestamp=${DT_TS}`;
  const notMatch = { errcode: 310000, errmsg: "sign not match" };
  assert.deepEqual((await post(`${base}&sign=${encodeURIComponent(encodeURIComponent(DT_SIGN))}`, dt.text)).json, notMatch);
  assert.deepEqual((await post(`${base}&sign=${DT_SIGN}`, dt.text)).json, notMatch, "a raw '+' decodes to a space");
  assert.deepEqual((await post(base, dt.text)).json, notMatch);
  const other = crypto.createHmac("sha256", "SECother").update(`${DT_TS}\nSECother`).digest("base64");
  assert.deepEqual((await post(`${base}&sign=${encodeURIComponent(other)}`, dt.text)).json, notMatch);
  // a correct sign for a different timestamp than the one sent
  assert.deepEqual((await post(`${mock.webhookUrl("dingtalk", "tok")}&timestamp=${DT_TS + 1}&sign=${encodeURIComponent(DT_SIGN)}`, dt.text)).json, notMatch);
});

test("dingtalk: timestamps must be milliseconds within 1 hour of now", async (t) => {
  const { mock, clock } = await start(t, { bots: { dingtalk: [{ key: "tok", secret: DT_SECRET }] } });
  const u = `${mock.webhookUrl("dingtalk", "tok")}&timestamp=${DT_TS}&sign=${encodeURIComponent(DT_SIGN)}`;
  const stale = { errcode: 310000, errmsg: "invalid timestamp" };
  clock.t = DT_TS + 3_600_000;
  assert.equal((await post(u, dt.text)).json.errcode, 0, "exactly one hour is still accepted");
  clock.t = DT_TS + 3_600_001;
  assert.deepEqual((await post(u, dt.text)).json, stale);
  clock.t = DT_TS - 3_600_001;
  assert.deepEqual((await post(u, dt.text)).json, stale, "too far in the future");
  clock.t = DT_TS;
  const secs = String(DT_TS / 1000);
  const s = crypto.createHmac("sha256", DT_SECRET).update(`${secs}\n${DT_SECRET}`).digest("base64");
  assert.deepEqual((await post(`${mock.webhookUrl("dingtalk", "tok")}&timestamp=${secs}&sign=${encodeURIComponent(s)}`, dt.text)).json, stale, "seconds, not ms");
  assert.deepEqual((await post(`${mock.webhookUrl("dingtalk", "tok")}&sign=${encodeURIComponent(DT_SIGN)}`, dt.text)).json, stale, "no timestamp");
});

test("dingtalk: keywords must appear in the message text (310000 keywords not in content)", async (t) => {
  const { mock } = await start(t, { bots: { dingtalk: [{ key: "tok", keywords: ["告警", "alert"] }] } });
  const u = mock.webhookUrl("dingtalk", "tok");
  const kw = { errcode: 310000, errmsg: "keywords not in content" };
  assert.deepEqual((await post(u, { msgtype: "text", text: { content: "hello" } })).json, kw);
  assert.equal((await post(u, { msgtype: "text", text: { content: "CPU 告警" } })).json.errcode, 0);
  assert.equal((await post(u, { msgtype: "markdown", markdown: { title: "alert", text: "body" } })).json.errcode, 0);
  assert.deepEqual((await post(u, { msgtype: "link", link: { title: "t", text: "x", messageUrl: "https://e.com/alert" } })).json, kw, "URLs do not count");
  assert.equal((await post(u, { msgtype: "feedCard", feedCard: { links: [{ title: "an alert", messageURL: "u", picURL: "p" }] } })).json.errcode, 0);
});

test("dingtalk: the 21st message in 60 s gets 130101 and the bot stays blocked for 10 minutes", async (t) => {
  const { mock, clock } = await start(t, { bots: { dingtalk: ["tok"] } });
  const u = mock.webhookUrl("dingtalk", "tok");
  for (let i = 0; i < 20; i++) assert.equal((await post(u, dt.text)).json.errcode, 0, `message ${i + 1}`);
  const limited = { errcode: 130101, errmsg: "send too fast, exceed 20 times per minute" };
  assert.deepEqual((await post(u, dt.text)).json, limited);
  clock.t = T0 + 61_000; // the 60 s window is empty again, but the block holds
  assert.deepEqual((await post(u, dt.text)).json, limited);
  clock.t = T0 + 600_000 - 1;
  assert.deepEqual((await post(u, dt.text)).json, limited);
  clock.t = T0 + 600_000;
  for (let i = 0; i < 20; i++) assert.equal((await post(u, dt.text)).json.errcode, 0, `after the block, message ${i + 1}`);
  assert.deepEqual((await post(u, dt.text)).json, limited);
});

test("dingtalk: blockMs is configurable", async (t) => {
  const { mock, clock } = await start(t, { blockMs: 5000, bots: { dingtalk: ["tok"] } });
  const u = mock.webhookUrl("dingtalk", "tok");
  for (let i = 0; i < 20; i++) clock.t = T0 + i * 3000, assert.equal((await post(u, dt.text)).json.errcode, 0);
  clock.t = T0 + 59_000;
  assert.equal((await post(u, dt.text)).json.errcode, 130101); // blocked until T0 + 64 000
  clock.t = T0 + 63_999;
  assert.equal((await post(u, dt.text)).json.errcode, 130101);
  clock.t = T0 + 64_000; // block over; window (T0+4000, T0+64000] holds 18 messages
  assert.equal((await post(u, dt.text)).json.errcode, 0);
});

// =============================================================================================
// Feishu / Lark

const FS_OK = { StatusCode: 0, StatusMessage: "success", code: 0, data: {}, msg: "success" };
const card1 = () => ({
  config: { wide_screen_mode: true },
  header: { title: { tag: "plain_text", content: "Deploy" }, template: "green" },
  elements: [
    { tag: "div", text: { tag: "lark_md", content: "**ok**" }, fields: [{ is_short: true, text: { tag: "lark_md", content: "a" } }] },
    { tag: "markdown", content: "line" },
    { tag: "hr" },
    { tag: "img", img_key: "img_v2_x", alt: { tag: "plain_text", content: "chart" } },
    { tag: "action", actions: [{ tag: "button", text: { tag: "plain_text", content: "Open" }, url: "https://e.com", type: "primary" }] },
    { tag: "note", elements: [{ tag: "plain_text", content: "note" }] },
    { tag: "column_set", flex_mode: "none", columns: [{ tag: "column", width: "weighted", weight: 1, elements: [{ tag: "markdown", content: "c" }] }] },
  ],
});
const fs = {
  text: { msg_type: "text", content: { text: 'hi <at user_id="all">所有人</at>' } },
  post: {
    msg_type: "post",
    content: {
      post: {
        zh_cn: {
          title: "标题",
          content: [
            [{ tag: "text", text: "a", un_escape: true }, { tag: "a", text: "link", href: "https://e.com" }, { tag: "at", user_id: "ou_x", user_name: "X" }],
            [{ tag: "img", image_key: "img_x" }],
            [{ tag: "code_block", language: "GO", text: "x := 1" }],
            [{ tag: "hr" }],
            [{ tag: "md", text: "**b**" }],
          ],
        },
        en_us: { content: [[{ tag: "text", text: "en" }]] },
      },
    },
  },
  image: { msg_type: "image", content: { image_key: "img_v2_x" } },
  share_chat: { msg_type: "share_chat", content: { share_chat_id: "oc_x" } },
  interactive: { msg_type: "interactive", card: card1() },
  interactive2: { msg_type: "interactive", card: { schema: "2.0", header: { title: { tag: "plain_text", content: "v2" } }, body: { elements: [{ tag: "markdown", content: "x" }, { tag: "button", text: { tag: "plain_text", content: "b" } }, { tag: "table", columns: [], rows: [] }] } } },
  template: { msg_type: "interactive", card: { type: "template", data: { template_id: "ctp_x", template_variable: { a: 1 } } } },
};

test("feishu: every msg_type succeeds with the documented shapes and the documented success body", async (t) => {
  const { mock } = await start(t, { tick: 1000, bots: { feishu: ["fs1"] } });
  for (const [name, payload] of Object.entries(fs)) {
    const r = await post(mock.webhookUrl("feishu", "fs1"), payload);
    assert.equal(r.status, 200, name);
    assert.deepEqual(r.json, FS_OK, name);
  }
  assert.equal(mock.receivedFor("feishu", "fs1").length, Object.keys(fs).length);
});

test("feishu: unknown token -> 19001; invalid JSON -> 9499; body over 20480 bytes -> 9499", async (t) => {
  const { mock } = await start(t, { bots: { feishu: ["fs1"] } });
  assert.deepEqual((await post(mock.webhookUrl("feishu", "nope"), fs.text)).json, { code: 19001, msg: "param invalid: incoming webhook access token invalid", data: {} });
  const u = mock.webhookUrl("feishu", "fs1");
  assert.deepEqual((await post(u, "{nope")).json, { code: 9499, msg: "Bad Request", data: {} });
  assert.equal((await post(u, "[]")).json.code, 9499);
  const base = JSON.stringify({ msg_type: "text", content: { text: "" } }).length;
  const sized = (n) => JSON.stringify({ msg_type: "text", content: { text: "x".repeat(n - base) } });
  assert.equal((await post(u, sized(20480))).json.code, 0);
  assert.equal((await post(u, sized(20481))).json.code, 9499);
});

test("feishu: msg_type missing or unknown -> 19002", async (t) => {
  const { mock } = await start(t, { bots: { feishu: ["fs1"] } });
  const u = mock.webhookUrl("feishu", "fs1");
  const r = await post(u, { content: { text: "x" } });
  assert.deepEqual(r.json, { code: 19002, msg: "params error, msg_type need", data: {} });
  const camel = await post(u, { msgType: "text", content: { text: "x" } });
  assert.equal(camel.json.code, 19002);
  assert.match(camel.json.msg, /found msgType/);
  assert.equal((await post(u, { msg_type: "markdown", content: { text: "x" } })).json.code, 19002);
});

test("feishu: content shapes and post element tags are validated", async (t) => {
  const { mock } = await start(t, { tick: 1000, bots: { feishu: ["fs1"] } });
  const u = mock.webhookUrl("feishu", "fs1");
  const postOf = (els) => ({ msg_type: "post", content: { post: { zh_cn: { title: "t", content: [els] } } } });
  const cases = [
    [{ msg_type: "text", content: { txt: "x" } }, /content\.text required/],
    [{ msg_type: "text", content: JSON.stringify({ text: "x" }) }, /content must be an object/],
    [{ msg_type: "image", content: {} }, /image_key/],
    [{ msg_type: "share_chat", content: {} }, /share_chat_id/],
    [{ msg_type: "post", content: { post: {} } }, /at least one locale/],
    [{ msg_type: "post", content: { post: { zh_cn: { title: "t" } } } }, /content must be an array of paragraphs/],
    [{ msg_type: "post", content: { post: { zh_cn: { content: [{ tag: "text", text: "x" }] } } } }, /content\[0\] must be an array/],
    [postOf([{ tag: "bold", text: "x" }]), /tag "bold" unknown/],
    [postOf([{ text: "x" }]), /tag null unknown/],
    [postOf([{ tag: "a", text: "x" }]), /href required for tag a/],
    [postOf([{ tag: "at", user_name: "x" }]), /user_id required for tag at/],
    [postOf([{ tag: "img" }]), /image_key required for tag img/],
    [postOf([{ tag: "code_block", language: "GO" }]), /text required for tag code_block/],
    [postOf([{ tag: "md" }]), /text required for tag md/],
    [postOf([{ tag: "text", text: "x", bold: true }]), /unknown field/],
  ];
  for (const [payload, re] of cases) {
    const r = await post(u, payload);
    assert.equal(r.json.code, 9499, JSON.stringify(payload));
    assert.match(r.json.msg, re);
  }
});

test("feishu: interactive cards: card at the top level, header title, element tags and their fields", async (t) => {
  const { mock } = await start(t, { tick: 1000, bots: { feishu: ["fs1"] } });
  const u = mock.webhookUrl("feishu", "fs1");
  const missing = await post(u, { msg_type: "interactive", content: { card: card1() } });
  assert.equal(missing.json.code, 19002);
  assert.match(missing.json.msg, /unknown card value.*top level/);
  assert.equal((await post(u, { msg_type: "interactive", card: JSON.stringify(card1()) })).json.code, 19002);
  const cases = [
    ["header without title", (c) => (c.header = { template: "red" }), /header\.title required/],
    ["header title without content", (c) => (c.header.title = { tag: "plain_text" }), /header\.title\.content required/],
    ["unknown 1.0 tag", (c) => c.elements.push({ tag: "table" }), /tag "table" unknown/],
    ["element without tag", (c) => c.elements.push({ text: "x" }), /tag required/],
    ["div without text or fields", (c) => c.elements.push({ tag: "div" }), /needs text or fields/],
    ["div text with a bad tag", (c) => c.elements.push({ tag: "div", text: { tag: "md", content: "x" } }), /text\.tag must be plain_text or lark_md/],
    ["markdown without content", (c) => c.elements.push({ tag: "markdown" }), /content required/],
    ["img without alt", (c) => c.elements.push({ tag: "img", img_key: "k" }), /alt must be a text object/],
    ["img without img_key", (c) => c.elements.push({ tag: "img", alt: { tag: "plain_text", content: "" } }), /img_key required/],
    ["action without actions", (c) => c.elements.push({ tag: "action", actions: [] }), /actions required/],
    ["button without text", (c) => c.elements.push({ tag: "action", actions: [{ tag: "button", url: "u" }] }), /actions\[0\]\.text/],
    ["note without elements", (c) => c.elements.push({ tag: "note" }), /elements required/],
    ["column_set with a non-column", (c) => c.elements.push({ tag: "column_set", columns: [{ tag: "div" }] }), /must be "column"/],
    ["bad element inside a column", (c) => c.elements.push({ tag: "column_set", columns: [{ tag: "column", elements: [{ tag: "markdown" }] }] }), /columns\[0\]\.elements\[0\]\.content required/],
    ["no elements", (c) => delete c.elements, /card\.elements required/],
    ["misspelt card field (strict)", (c) => (c.element = []), /unknown field card\.element/],
    ["unknown header colour (strict)", (c) => (c.header.template = "pink"), /not a known colour/],
  ];
  for (const [name, mutate, re] of cases) {
    const card = card1();
    mutate(card);
    const r = await post(u, { msg_type: "interactive", card });
    assert.equal(r.json.code, 9499, name);
    assert.match(r.json.msg, re, name);
  }
  const v2 = await post(u, { msg_type: "interactive", card: { schema: "2.0", body: {} } });
  assert.equal(v2.json.code, 9499);
  assert.match(v2.json.msg, /body\.elements required/);
});

test("feishu: a card over 30 KB gets 19036 (reachable only with a raised body limit; by default 9499 comes first)", async (t) => {
  const big = { msg_type: "interactive", card: { elements: [{ tag: "markdown", content: "x".repeat(31 * 1024) }] } };
  const { mock } = await start(t, { bots: { feishu: ["fs1"] } });
  assert.equal((await post(mock.webhookUrl("feishu", "fs1"), big)).json.code, 9499);
  const { mock: roomy } = await start(t, { bodyLimits: { feishu: 64 * 1024 }, bots: { feishu: ["fs1"] } });
  const r = await post(roomy.webhookUrl("feishu", "fs1"), big);
  assert.equal(r.json.code, 19036);
  const fits = { msg_type: "interactive", card: { elements: [{ tag: "markdown", content: "x".repeat(29 * 1024) }] } };
  assert.equal((await post(roomy.webhookUrl("feishu", "fs1"), fits)).json.code, 0);
});

const FS_SECRET = "xxx";
const FS_TS = "1661860880";
const FS_SIGN = "QnWVTSBe6FmQDE0bG6X0mURbI+DnvVyu1h+j5dHOjrU=";

test("feishu: signing with the go-lark vector is accepted; wrong, stale or ms timestamps get 19021", async (t) => {
  const { mock, clock } = await start(t, { tick: 1000, at: Number(FS_TS) * 1000 + 10_000, bots: { feishu: [{ key: "fs1", secret: FS_SECRET }], lark: [{ key: "lk1", secret: FS_SECRET }] } });
  const signed = (extra) => ({ ...fs.text, timestamp: FS_TS, sign: FS_SIGN, ...extra });
  const fail = { code: 19021, msg: "sign match fail or timestamp is not within one hour from current time", data: {} };
  const u = mock.webhookUrl("feishu", "fs1");
  assert.deepEqual((await post(u, signed())).json, FS_OK);
  assert.deepEqual((await post(mock.webhookUrl("lark", "lk1"), signed())).json, FS_OK, "Lark signs the same way");
  assert.deepEqual((await post(u, fs.text)).json, fail, "unsigned");
  assert.deepEqual((await post(u, signed({ sign: FS_SIGN.replace("Q", "R") }))).json, fail);
  assert.deepEqual((await post(u, signed({ timestamp: "1661860881" }))).json, fail, "sign for another timestamp");
  const msTs = String(Number(FS_TS) * 1000);
  const msSign = crypto.createHmac("sha256", `${msTs}\n${FS_SECRET}`).update("").digest("base64");
  assert.deepEqual((await post(u, signed({ timestamp: msTs, sign: msSign }))).json, fail, "milliseconds, not seconds");
  assert.equal((await post(u, signed({ timestamp: Number(FS_TS) }))).json.code, 9499, "timestamp must be a string");
  clock.t = Number(FS_TS) * 1000 + 3_600_000;
  assert.deepEqual((await post(u, signed())).json, FS_OK, "exactly one hour");
  clock.t += 1;
  assert.deepEqual((await post(u, signed())).json, fail, "stale");
});

test("feishu: keywords must appear in the text, post or card (19024)", async (t) => {
  const { mock } = await start(t, { bots: { feishu: [{ key: "fs1", keywords: ["deploy"] }] } });
  const u = mock.webhookUrl("feishu", "fs1");
  assert.deepEqual((await post(u, fs.text)).json, { code: 19024, msg: "Key Words Not Found", data: {} });
  assert.equal((await post(u, { msg_type: "text", content: { text: "deploy done" } })).json.code, 0);
  assert.equal((await post(u, { msg_type: "post", content: { post: { zh_cn: { title: "deploy", content: [] } } } })).json.code, 0);
  const card = card1();
  card.header.title.content = "nightly deploy";
  assert.equal((await post(u, { msg_type: "interactive", card })).json.code, 0);
  assert.equal((await post(u, { msg_type: "interactive", card: card1() })).json.code, 19024);
});

test("feishu: 5 per sliding second (11232)", async (t) => {
  const { mock, clock } = await start(t, { bots: { feishu: ["fs1"] } });
  const u = mock.webhookUrl("feishu", "fs1");
  for (let i = 0; i < 5; i++) assert.equal((await post(u, fs.text)).json.code, 0, `message ${i + 1}`);
  assert.deepEqual((await post(u, fs.text)).json, { code: 11232, msg: "frequency limited psm", data: {} });
  clock.t = T0 + 999;
  assert.equal((await post(u, fs.text)).json.code, 11232);
  clock.t = T0 + 1000;
  assert.equal((await post(u, fs.text)).json.code, 0);
});

test("feishu: 100 per sliding minute (11232)", async (t) => {
  const { mock, clock } = await start(t, { bots: { feishu: ["fs1"] } });
  const u = mock.webhookUrl("feishu", "fs1");
  for (let i = 0; i < 100; i++) {
    clock.t = T0 + i * 250; // 4 per second: under the per-second limit
    assert.equal((await post(u, fs.text)).json.code, 0, `message ${i + 1}`);
  }
  clock.t = T0 + 30_000;
  assert.equal((await post(u, fs.text)).json.code, 11232);
  clock.t = T0 + 60_000;
  assert.equal((await post(u, fs.text)).json.code, 0);
});

test("lark: same path, the registered bot names the platform; a token cannot be both", async (t) => {
  const { mock } = await start(t, { bots: [{ platform: "lark", key: "lk1" }] });
  assert.equal(mock.baseUrls.lark, mock.url);
  assert.deepEqual((await post(mock.webhookUrl("lark", "lk1"), fs.text)).json, FS_OK);
  assert.equal(mock.received[0].platform, "lark");
  assert.equal(mock.receivedFor("lark", "lk1").length, 1);
  await post(mock.webhookUrl("feishu", "unknown"), fs.text);
  assert.equal(mock.received[1].platform, "feishu");
  assert.throws(() => mock.addBot({ platform: "feishu", key: "lk1" }), /already registered as a lark bot/);
});

// =============================================================================================
// Scripted faults

test("fault http: the scripted status and an HTML body, once; then normal service", async (t) => {
  const { mock } = await start(t, { bots: { wecom: ["k1"] } });
  mock.script("wecom", "k1", [{ type: "http", status: 500 }]);
  const u = mock.webhookUrl("wecom", "k1");
  const msg = { msgtype: "text", text: { content: "x" } };
  const r = await post(u, msg);
  assert.equal(r.status, 500);
  assert.match(r.text, /500 Internal Server Error/);
  assert.equal(mock.received[0].outcome.fault, "http");
  assert.equal(mock.received[0].outcome.status, 500);
  assert.deepEqual((await post(u, msg)).json, { errcode: 0, errmsg: "ok" });
  mock.script("wecom", "k1", { type: "http", status: 503, headers: { "retry-after": "2" }, body: { error: "x" } });
  const r2 = await post(u, msg);
  assert.equal(r2.status, 503);
  assert.equal(r2.headers["retry-after"], "2");
  assert.deepEqual(r2.json, { error: "x" });
});

test("fault busy: -1 on WeCom and DingTalk, 11232 on Feishu", async (t) => {
  const { mock } = await start(t, { bots: { wecom: ["k1"], dingtalk: ["d1"], feishu: ["f1"] } });
  for (const [p, k] of [["wecom", "k1"], ["dingtalk", "d1"], ["feishu", "f1"]]) mock.script(p, k, [{ type: "busy" }]);
  assert.deepEqual((await post(mock.webhookUrl("wecom", "k1"), { msgtype: "text", text: { content: "x" } })).json, { errcode: -1, errmsg: "system busy" });
  assert.deepEqual((await post(mock.webhookUrl("dingtalk", "d1"), dt.text)).json, { errcode: -1, errmsg: "system busy" });
  assert.deepEqual((await post(mock.webhookUrl("feishu", "f1"), fs.text)).json, { code: 11232, msg: "frequency limited psm", data: {} });
  assert.equal((await post(mock.webhookUrl("dingtalk", "d1"), dt.text)).json.errcode, 0);
});

test("fault reset: the connection is destroyed without an answer (fetch and node:http both fail)", async (t) => {
  const { mock } = await start(t, { bots: { dingtalk: ["d1"] } });
  const u = mock.webhookUrl("dingtalk", "d1");
  mock.script("dingtalk", "d1", [{ type: "reset" }, { type: "reset" }]);
  await assert.rejects(fetch(u, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(dt.text) }), TypeError);
  await assert.rejects(post(u, dt.text), (e) => ["ECONNRESET", "EPIPE"].includes(e.code) || /socket hang up/.test(e.message));
  assert.deepEqual(mock.received.map((r) => r.outcome.fault), ["reset", "reset"]);
  assert.equal((await post(u, dt.text)).json.errcode, 0);
});

test("fault delay: the answer comes late; the message was processed at arrival", async (t) => {
  const { mock } = await start(t, { bots: { feishu: ["f1"] } });
  mock.script("feishu", "f1", [{ type: "delay", ms: 150 }]);
  const t0 = performance.now();
  const pending = post(mock.webhookUrl("feishu", "f1"), fs.text);
  await new Promise((r) => setTimeout(r, 40));
  assert.deepEqual(mock.received[0]?.outcome?.body, FS_OK, "recorded as delivered before the answer");
  const r = await pending;
  const elapsed = performance.now() - t0;
  assert.ok(elapsed >= 140, `elapsed ${elapsed} ms`);
  assert.deepEqual(r.json, FS_OK);
  assert.equal(mock.received[0].outcome.fault, "delay");
  const t1 = performance.now();
  await post(mock.webhookUrl("feishu", "f1"), fs.text);
  assert.ok(performance.now() - t1 < 140, "only one request delayed");
});

test("fault delay: a client timeout sees nothing, close() does not wait for the delayed answer", async (t) => {
  const { mock } = await start(t, { bots: { wecom: ["k1"] } });
  mock.script("wecom", "k1", [{ type: "delay", ms: 60_000 }]);
  await assert.rejects(
    fetch(mock.webhookUrl("wecom", "k1"), { method: "POST", body: JSON.stringify({ msgtype: "text", text: { content: "x" } }), signal: AbortSignal.timeout(100) }),
    (e) => e.name === "TimeoutError",
  );
  const t0 = performance.now();
  await mock.close();
  assert.ok(performance.now() - t0 < 2000);
});

test("fault malformed: HTTP 200 with a body that is not JSON", async (t) => {
  const { mock } = await start(t, { bots: { wecom: ["k1"] } });
  mock.script("wecom", "k1", [{ type: "malformed" }]);
  const r = await post(mock.webhookUrl("wecom", "k1"), { msgtype: "text", text: { content: "x" } });
  assert.equal(r.status, 200);
  assert.throws(() => JSON.parse(r.text), SyntaxError);
  assert.match(r.headers["content-type"], /text\/html/);
  assert.equal(mock.received[0].outcome.fault, "malformed");
});

test("fault code: any JSON answer; `times` repeats a fault; faults queue in order", async (t) => {
  const { mock } = await start(t, { bots: { dingtalk: ["d1"] } });
  const u = mock.webhookUrl("dingtalk", "d1");
  mock.script("dingtalk", "d1", [{ type: "code", body: { errcode: 400013, errmsg: "群已被解散" } }, { type: "http", status: 502, times: 2 }, { type: "busy" }]);
  assert.deepEqual((await post(u, dt.text)).json, { errcode: 400013, errmsg: "群已被解散" });
  assert.equal((await post(u, dt.text)).status, 502);
  assert.equal((await post(u, dt.text)).status, 502);
  assert.equal((await post(u, dt.text)).json.errcode, -1);
  assert.equal((await post(u, dt.text)).json.errcode, 0);
  assert.deepEqual(mock.received.map((r) => r.outcome.fault ?? null), ["code", "http", "http", "busy", null]);
});

test("faults: scripted faults also apply to an unregistered key; bad fault specs throw", async (t) => {
  const { mock } = await start(t);
  mock.script("wecom", "ghost", { type: "code", body: { errcode: 0, errmsg: "ok" } });
  assert.deepEqual((await post(mock.webhookUrl("wecom", "ghost"), { msgtype: "text", text: { content: "x" } })).json, { errcode: 0, errmsg: "ok" });
  assert.equal((await post(mock.webhookUrl("wecom", "ghost"), { msgtype: "text", text: { content: "x" } })).json.errcode, 93000);
  assert.throws(() => mock.script("wecom", "k", [{ type: "explode" }]), TypeError);
  assert.throws(() => mock.script("wecom", "k", [{ type: "http" }]), TypeError);
  assert.throws(() => mock.script("wecom", "k", [{ type: "delay" }]), TypeError);
  assert.throws(() => mock.script("teams", "k", [{ type: "busy" }]), TypeError);
  assert.throws(() => mock.script("wecom", "k", [{ type: "code", body: {}, status: 1000 }]), TypeError);
  assert.throws(() => mock.script("wecom", "k", [{ type: "code", body: "x" }]), TypeError);
});

// =============================================================================================
// General behaviour

test("reset() clears received, faults, rate windows and DingTalk blocks (bots and media stay)", async (t) => {
  const { mock } = await start(t, { bots: { dingtalk: ["d1"] } });
  const u = mock.webhookUrl("dingtalk", "d1");
  for (let i = 0; i < 21; i++) await post(u, dt.text);
  assert.equal(mock.received.at(-1).outcome.body.errcode, 130101);
  mock.script("dingtalk", "d1", [{ type: "busy" }]);
  const receivedRef = mock.received;
  mock.reset();
  assert.equal(mock.received.length, 0);
  assert.equal(receivedRef, mock.received, "the same array, cleared");
  assert.deepEqual((await post(u, dt.text)).json, { errcode: 0, errmsg: "ok" }, "no fault, no block, empty window");
});

test("unknown paths get 404; other methods get the platform's POST-required error", async (t) => {
  const { mock } = await start(t, { bots: { wecom: ["k1"], dingtalk: ["d1"], feishu: ["f1"] } });
  const r = await request(`${mock.url}/cgi-bin/webhook/sendx?key=k1`, { body: "{}" });
  assert.equal(r.status, 404);
  assert.equal(mock.received[0].platform, null);
  assert.equal((await request(mock.webhookUrl("wecom", "k1"), { method: "GET" })).json.errcode, 43002);
  assert.equal((await request(mock.webhookUrl("dingtalk", "d1"), { method: "GET" })).json.errcode, 43002);
  assert.equal((await request(mock.webhookUrl("feishu", "f1"), { method: "PUT", body: "{}" })).json.code, 9499);
  assert.equal((await request(`${mock.url}/__mock/received`, { method: "GET" })).status, 404, "no control API unless asked");
});

test("bodies over the read cap get 413 and the connection is closed", async (t) => {
  const { mock } = await start(t, { maxBodyBytes: { send: 1000 }, bots: { wecom: ["k1"] } });
  const r = await request(mock.webhookUrl("wecom", "k1"), { body: "x".repeat(5000), headers: { "content-type": "application/json" } });
  assert.equal(r.status, 413);
  assert.equal(r.headers.connection, "close");
  assert.equal(mock.received[0].outcome.status, 413);
  const ok = await post(mock.webhookUrl("wecom", "k1"), { msgtype: "text", text: { content: "x" } });
  assert.equal(ok.json.errcode, 0);
});

test("never crashes: random bytes, odd JSON, deep nesting and broken multipart all get answers", async (t) => {
  const { mock } = await start(t, { rateLimits: false, bots: { wecom: ["k1"], dingtalk: ["d1"], feishu: [{ key: "f1", secret: "s", keywords: ["k"] }] } });
  const urls = [
    mock.webhookUrl("wecom", "k1"), mock.webhookUrl("dingtalk", "d1"), mock.webhookUrl("feishu", "f1"),
    `${mock.url}/cgi-bin/webhook/upload_media?key=k1&type=file`, `${mock.url}/open-apis/bot/v2/hook/%E0%A4%A`,
  ];
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const deep = (n, leaf) => (n === 0 ? leaf : { tag: "column_set", columns: [{ tag: "column", elements: [deep(n - 1, leaf)] }] });
  const bodies = [
    "", "null", "0", "\"s\"", "[[[[[]]]]]", "{\"msgtype\":{\"a\":1}}", "{\"msg_type\":\"post\",\"content\":{\"post\":{\"zh_cn\":{\"content\":[[null]]}}}}",
    "[".repeat(50_000), JSON.stringify({ msg_type: "interactive", card: { elements: [deep(200, { tag: "hr" })] } }),
    JSON.stringify({ msgtype: "template_card", template_card: { card_type: "news_notice", action_menu: { action_list: "x" } } }),
    JSON.stringify({ msgtype: "__proto__", __proto__: { x: 1 } }), JSON.stringify({ msgtype: "news", news: { articles: [null] } }),
    JSON.stringify({ msgtype: "actionCard", actionCard: { title: "t", text: "x", btns: [null] } }),
  ];
  for (let i = 0; i < 40; i++) bodies.push(Buffer.from(Array.from({ length: Math.floor(rnd() * 200) }, () => Math.floor(rnd() * 256))));
  const types = ["application/json", "multipart/form-data; boundary=x", "multipart/form-data", "text/plain", undefined];
  for (const [i, body] of bodies.entries()) {
    for (const [j, url] of urls.entries()) {
      const ct = types[(i + j) % types.length];
      const r = await request(url, { body, headers: ct ? { "content-type": ct } : {} });
      assert.ok([200, 404].includes(r.status), `status ${r.status} for body ${i} on ${url}: ${r.text.slice(0, 200)}`);
    }
  }
  const broken = Buffer.from("--x\r\nContent-Disposition: form-data; name=\"media\"; filename=\"a\"\r\n\r\nabcdef");
  assert.equal((await request(urls[3], { body: broken, headers: { "content-type": "multipart/form-data; boundary=x" } })).json.errcode, 44001);
  assert.deepEqual((await post(urls[0], { msgtype: "text", text: { content: "still alive" } })).json, { errcode: 0, errmsg: "ok" });
});

test("received is in arrival order: a slow upload that arrived first is listed first", async (t) => {
  const { mock } = await start(t, { bots: { wecom: ["k1"] } });
  const { body, contentType } = multipart([{ name: "media", filename: "a.txt", data: Buffer.from("slow upload") }]);
  const req = http.request(`${mock.url}/cgi-bin/webhook/upload_media?key=k1&type=file`, { method: "POST", agent: false, headers: { "content-type": contentType, "content-length": body.length } });
  const upload = new Promise((resolve, reject) => {
    req.on("response", (res) => { res.resume(); res.on("end", () => resolve(res.statusCode)); });
    req.on("error", reject);
  });
  req.write(body.subarray(0, 10));
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(mock.received.length, 1, "listed at arrival");
  assert.equal(mock.received[0].outcome, null, "no outcome yet");
  assert.equal((await post(mock.webhookUrl("wecom", "k1"), { msgtype: "text", text: { content: "fast" } })).json.errcode, 0);
  req.end(body.subarray(10));
  assert.equal(await upload, 200);
  assert.deepEqual(mock.received.map((r) => r.path), ["/cgi-bin/webhook/upload_media", "/cgi-bin/webhook/send"]);
  assert.equal(mock.received[0].outcome.body.errcode, 0);
});

test("parseMultipart handles quoted boundaries and binary content", () => {
  const data = Buffer.from([0, 1, 2, 13, 10, 45, 45, 255]);
  const { body } = multipart([{ name: "media", filename: "b.bin", data }, { name: "other", data: Buffer.from("v") }], "q b");
  const parts = parseMultipart(body, 'multipart/form-data; boundary="q b"');
  assert.equal(parts.length, 2);
  assert.equal(parts[0].name, "media");
  assert.equal(parts[0].filename, "b.bin");
  assert.equal(parts[0].filelength, String(data.length));
  assert.deepEqual([...parts[0].data], [...data]);
  assert.equal(parts[1].data.toString(), "v");
  assert.equal(parseMultipart(body, "multipart/form-data"), null);
});

test("startMockPlatforms: bots as an array or per platform; addBot validates and returns the webhook URL", async (t) => {
  const { mock } = await start(t, { bots: { wecom: "w1", dingtalk: [{ key: "d1", secret: "SECx" }] } });
  const b = mock.addBot({ platform: "feishu", key: "f 1", secret: "s", keywords: ["a"] });
  assert.equal(b.webhookUrl, `${mock.url}/open-apis/bot/v2/hook/f%201`);
  assert.deepEqual((await post(b.webhookUrl, { msg_type: "text", content: { text: "a" } })).json.code, 19021, "the space-containing token was found, and it needs a signature");
  assert.equal(mock.webhookUrl("wecom", "w1"), `${mock.url}/cgi-bin/webhook/send?key=w1`);
  assert.equal(mock.webhookUrl("dingtalk", "d1"), `${mock.url}/robot/send?access_token=d1`);
  assert.throws(() => mock.addBot({ platform: "slack", key: "x" }), TypeError);
  assert.throws(() => mock.addBot({ platform: "wecom", key: "" }), TypeError);
  assert.throws(() => mock.addBot({ platform: "wecom", key: "x", secret: "s" }), TypeError);
  assert.throws(() => mock.addBot({ platform: "dingtalk", key: "x", keywords: "alert" }), TypeError);
});

test("rate limits can be switched off globally or per bot (benchmarks)", async (t) => {
  const { mock } = await start(t, { rateLimits: false, bots: { wecom: ["k1"] } });
  for (let i = 0; i < 30; i++) assert.equal((await post(mock.webhookUrl("wecom", "k1"), { msgtype: "text", text: { content: "x" } })).json.errcode, 0);
  const { mock: m2 } = await start(t, { bots: [{ platform: "feishu", key: "f1", rateLimit: false }, { platform: "feishu", key: "f2" }] });
  const codes = async (k) => {
    const out = [];
    for (let i = 0; i < 6; i++) out.push((await post(m2.webhookUrl("feishu", k), fs.text)).json.code);
    return out;
  };
  assert.deepEqual(await codes("f1"), [0, 0, 0, 0, 0, 0]);
  assert.deepEqual(await codes("f2"), [0, 0, 0, 0, 0, 11232]);
});

test("maxReceived keeps only the newest records; onRequest sees each settled record", async (t) => {
  const seen = [];
  const { mock } = await start(t, { maxReceived: 3, onRequest: (r) => seen.push(r.outcome.body.errcode), bots: { wecom: ["k1"] } });
  for (let i = 0; i < 5; i++) await post(mock.webhookUrl("wecom", "k1"), { msgtype: "text", text: { content: `m${i}` } });
  assert.deepEqual(mock.received.map((r) => r.body.text.content), ["m2", "m3", "m4"]);
  assert.deepEqual(seen, [0, 0, 0, 0, 0]);
});

// =============================================================================================
// CLI

test("cli: starts, prints one JSON line, serves bots and the control API, stops on SIGTERM", async (t) => {
  const cli = fileURLToPath(new URL("./cli.mjs", import.meta.url));
  const child = spawn(process.execPath, [cli, "--bot", "wecom:w1", "--bot", "dingtalk:d1:SECabc:alert,告警", "--block-ms", "1000"], { stdio: ["ignore", "pipe", "pipe"] });
  t.after(() => child.exitCode === null && child.kill("SIGKILL"));
  const line = await new Promise((resolve, reject) => {
    let buf = "";
    child.stdout.on("data", (c) => {
      buf += c;
      if (buf.includes("\n")) resolve(buf.slice(0, buf.indexOf("\n")));
    });
    child.on("exit", (code) => reject(new Error(`cli exited ${code}`)));
    setTimeout(() => reject(new Error("cli did not start")), 5000).unref();
  });
  const info = JSON.parse(line);
  assert.match(info.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.deepEqual(info.baseUrls, { wecom: info.url, dingtalk: info.url, feishu: info.url, lark: info.url });
  assert.equal(info.bots.length, 2);
  assert.deepEqual(info.bots[1], { platform: "dingtalk", key: "d1", secret: "SECabc", keywords: ["alert", "告警"], webhookUrl: `${info.url}/robot/send?access_token=d1` });
  assert.deepEqual((await post(info.bots[0].webhookUrl, { msgtype: "text", text: { content: "x" } })).json, { errcode: 0, errmsg: "ok" });
  await post(`${info.url}/__mock/script`, { platform: "wecom", key: "w1", faults: [{ type: "busy" }] });
  assert.equal((await post(info.bots[0].webhookUrl, { msgtype: "text", text: { content: "x" } })).json.errcode, -1);
  const rec = await request(`${info.url}/__mock/received?platform=wecom`, { method: "GET" });
  assert.equal(rec.json.length, 2);
  assert.equal(rec.json[0].body.text.content, "x");
  await post(`${info.url}/__mock/reset`, {});
  assert.equal((await request(`${info.url}/__mock/received`, { method: "GET" })).json.length, 0);
  const exit = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  child.kill("SIGTERM");
  assert.deepEqual(await exit, { code: 0, signal: null });
});

test("cli: bad arguments exit with status 2 and a usage line", async () => {
  const cli = fileURLToPath(new URL("./cli.mjs", import.meta.url));
  for (const args of [["--bot", "wecom"], ["--port", "x"], ["--what"], ["--bot", "slack:k"]]) {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stderr.on("data", (c) => (err += c));
    const code = await new Promise((resolve) => child.on("exit", resolve));
    assert.equal(code, 2, args.join(" "));
    assert.match(err, /usage: node tests\/mock\/cli\.mjs/);
  }
});
