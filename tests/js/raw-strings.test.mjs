// Long strings of a message (1024 UTF-16 units and more, well-formed, in content.body) cross into the wasm beside
// its JSON, not written into it (pkg-template/host.js `messageJson`). Property test: random
// messages with long strings of random content (escapes, CJK, emoji, lone surrogates, control
// characters, the placeholder's own mark) at random places give exactly what the JSON path gives
// (`globalThis[Symbol.for("webhook-push.jsonOnly")] = true`, what the package did before): every
// result, payload, degraded entry and error (code, path, message), through render, send,
// sendMulti and sendAuto.
import assert from "node:assert/strict";
import test from "node:test";
import { MessageSender, render, UnifiedMessage } from "webhook-push";
import { loadExamples } from "./shared.mjs";

const JSON_ONLY = Symbol.for("webhook-push.jsonOnly");
const SEED = Number(process.env.WP_RAW_SEED || 20261201);
const CASES = Number(process.env.WP_RAW_CASES || 60);

/** A small seeded generator (mulberry32): the same cases on every run, a failure names its seed. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  "plain text ",
  'a"',
  "\\",
  "a\n\n",
  "\n",
  "\r\n",
  "\t",
  "\u0001\u001f\u007f",
  "告警：磁盘使用率",
  "🚀👍",
  "\ud800",
  "\udc00x",
  "\uFDD0",
  "\uFDD00",
  "\u2028\u2029",
  "[link](https://example.com/a?b=c) ",
  "**bold** _em_ `code` ",
  "<@all> <at user_id=\"all\"></at> @13800000000 ",
  "# heading\n- item\n> quote\n",
  "&lt;&amp;",
  "\\[x\\] \\<@zhangsan\\>",
];

/** A random string of `n` UTF-16 units or a little more, made of PIECES (some pieces dominate). */
function longString(r, n) {
  const favourite = PIECES[Math.floor(r() * PIECES.length)];
  const parts = [];
  let len = 0;
  if (r() < 0.15) {
    parts.push(r() < 0.5 ? "\uFDD0" : `\uFDD0${Math.floor(r() * 3)}`); // what a placeholder starts with
    len += parts[0].length;
  }
  while (len < n) {
    const p = r() < 0.6 ? favourite : PIECES[Math.floor(r() * PIECES.length)];
    const k = 1 + Math.floor(r() * 64);
    const s = p.repeat(k);
    parts.push(s);
    len += s.length;
  }
  return parts.join("");
}

const LENGTHS = [1023, 1024, 1025, 4096, 20000, 70000];
const SHORT = ["\uFDD0", "\uFDD00", "\uFDD01", "\uFDD0x", "\uFDD0\ud800", "", "short"];

/** The paths of the string values of `v` (a JSON value). */
function stringPaths(v, path = [], out = []) {
  if (typeof v === "string") out.push(path);
  else if (Array.isArray(v)) v.forEach((x, i) => stringPaths(x, [...path, i], out));
  else if (v && typeof v === "object") for (const k of Object.keys(v)) stringPaths(v[k], [...path, k], out);
  return out;
}

function setAt(v, path, value) {
  let o = v;
  for (const k of path.slice(0, -1)) o = o[k];
  o[path.at(-1)] = value;
}

function rawMessage(r) {
  return {
    content: {
      type: "raw",
      body: {
        wecom: { msgtype: "text", text: { content: "w" } },
        dingtalk: { msgtype: "markdown", markdown: { title: "t", text: "d" } },
        feishu: { msg_type: "text", content: { text: "f" } },
      },
    },
    metadata: { message_id: `raw-${Math.floor(r() * 1e9)}` },
  };
}

/** Random messages: the seed examples and a raw one, with long (and placeholder-like) strings put in at random places. */
function messages(seed, count) {
  const r = rng(seed);
  const examples = loadExamples().map((e) => e.message);
  const out = [];
  for (let i = 0; i < count; i++) {
    const m = structuredClone(r() < 0.15 ? rawMessage(r) : examples[Math.floor(r() * examples.length)]);
    // a markdown or text body, a card field, a mention, a raw payload's text, metadata: any string
    const paths = stringPaths(m).filter((p) => p.join(".") !== "content.type");
    const n = 1 + Math.floor(r() * 3);
    for (let j = 0; j < n && paths.length; j++) {
      const p = paths[Math.floor(r() * paths.length)];
      setAt(m, p, longString(r, LENGTHS[Math.floor(r() * LENGTHS.length)]));
    }
    if (r() < 0.3) m.content.mentions = [{ type: "user", value: longString(r, 4096) }, { type: "all" }];
    if (r() < 0.3) m.metadata = { ...m.metadata, note: SHORT[Math.floor(r() * SHORT.length)], long: longString(r, 5000) };
    if (r() < 0.2 && paths.length) setAt(m, paths[Math.floor(r() * paths.length)], SHORT[Math.floor(r() * SHORT.length)]);
    if (r() < 0.1) m.content.body = { ...m.content.body, extra: [longString(r, 4096), 1, null, { k: longString(r, 4100) }] };
    out.push(m);
  }
  return out;
}

/** What `f()` gives: its value, or the error's name, code, path and message. */
async function outcome(f) {
  try {
    return { value: await f() };
  } catch (e) {
    return { error: { name: e?.name, code: e?.code, path: e?.path, message: e?.message } };
  }
}

/** `f` by the JSON path (as before) and by the path with long strings beside the JSON. */
async function bothPaths(f) {
  globalThis[JSON_ONLY] = true;
  let before;
  try {
    before = await outcome(f);
  } finally {
    delete globalThis[JSON_ONLY];
  }
  return [before, await outcome(f)];
}

const OPTIONS = [{}, { overflow: "truncate" }, { overflow: "split" }, { webhook: "renderkey0123456789" }];

test("render: long strings beside the JSON give what the JSON path gives", async () => {
  let errors = 0;
  for (const [i, m] of messages(SEED, CASES).entries()) {
    for (const platform of ["wecom", "dingtalk", "feishu", "lark"]) {
      const options = OPTIONS[i % OPTIONS.length];
      const [before, now] = await bothPaths(() => render(m, platform, options));
      if (before.error) errors++;
      assert.deepStrictEqual(now, before, `seed ${SEED} case ${i} ${platform} ${JSON.stringify(options)}`);
    }
  }
  // both outcomes are exercised (the cases are fixed by the seed)
  assert.ok(errors > 0 && errors < CASES * 4, `errors ${errors}`);
});

test("a string with a lone surrogate, a placeholder look-alike, a long key: the same as the JSON path", async () => {
  const long = "x\n".repeat(3000);
  const cases = [
    { content: { type: "text", body: { text: long + "\ud800" } } },
    { content: { type: "text", body: { text: "\uFDD00" } }, metadata: { a: long } },
    { content: { type: "markdown", body: { content: long } }, metadata: { "\uFDD00": "\uFDD01", [long]: long } },
    { content: { type: "text", body: { text: long } }, extra: "\uFDD0\ud800" },
    { content: { type: "text", body: { text: "a".repeat(1 << 20) + long } } },
    { content: { type: "text", body: { text: long } }, metadata: { message_id: long } },
    { content: { type: "nope", body: { text: long } } },
    { content: { type: "text", body: { text: " ".repeat(5000) } } },
    // String objects: JSON writes them as strings, so one that looks like a placeholder must not
    // be read as one, and a long one may cross beside the JSON too
    { content: { type: "markdown", title: new String("\uFDD00"), body: { content: long } } },
    { content: { type: "link", body: { title: new String("\uFDD00"), text: long, url: "https://e.com/" } } },
    { content: { type: "text", body: { text: new String(long) } }, metadata: { a: new String("\uFDD00") } },
    long,
    [long, long],
    // several long strings: each placeholder must stand for its own string
    {
      content: {
        type: "raw",
        body: {
          wecom: { msgtype: "text", text: { content: "w\n".repeat(2100) } },
          dingtalk: { msgtype: "text", text: { content: "d\n".repeat(2100) } },
          feishu: { msg_type: "text", content: { text: "f\n".repeat(2100) } },
        },
      },
    },
    { content: { type: "markdown", title: "T", body: { content: `${long}${"b\n".repeat(2100)}` } }, metadata: { x: "m".repeat(4096) } },
  ];
  // deep nesting: a long string first, then too deep for the reader
  let deep = {};
  const top = { content: { type: "text", body: { text: long } }, deep };
  for (let i = 0; i < 200; i++) deep = deep.d = {};
  cases.push(top);
  for (const [i, m] of cases.entries()) {
    for (const platform of ["wecom", "dingtalk", "feishu"]) {
      const [before, now] = await bothPaths(() => render(m, platform));
      assert.deepStrictEqual(now, before, `case ${i} ${platform}`);
    }
    const [before, now] = await bothPaths(() => new UnifiedMessage(m).toJSON());
    assert.deepStrictEqual(now, before, `case ${i} UnifiedMessage`);
  }
});

test("a message with a toJSON, a getter or a class instance holding long strings reads as before", async () => {
  const long = 'q"'.repeat(4000);
  class Msg {
    constructor() {
      this.content = { type: "text", body: { text: long } };
    }
  }
  const withToJSON = { toJSON: () => ({ content: { type: "markdown", body: { content: long } } }) };
  const withGetter = {
    get content() {
      return { type: "text", body: { text: long } };
    },
  };
  const inner = { content: { type: "text", body: { text: { toJSON: () => long } } } };
  for (const m of [new Msg(), withToJSON, withGetter, inner, new UnifiedMessage({ content: { type: "text", body: { text: long } } })]) {
    const [before, now] = await bothPaths(() => render(m, "wecom", { overflow: "split" }));
    assert.deepStrictEqual(now, before);
    assert.ok(now.value, "renders");
  }
});

// sends: a stub fetch records every request; the outcomes and the bodies posted must be the same
const ANSWER = {
  wecom: '{"errcode":0,"errmsg":"ok"}',
  dingtalk: '{"errcode":0,"errmsg":"ok"}',
  feishu: '{"code":0,"msg":"success"}',
};
const platformOf = (url) => (url.includes("dingtalk") ? "dingtalk" : url.includes("feishu") || url.includes("lark") ? "feishu" : "wecom");

/** Results without what differs from run to run (times). */
function stable(v) {
  return JSON.parse(JSON.stringify(v, (k, x) => (/time|duration|elapsed|latency|at$/i.test(k) && typeof x === "number" ? 0 : x)));
}

async function sends(run) {
  const posted = [];
  const saved = globalThis.fetch;
  globalThis.fetch = async (url, init) => {
    posted.push([String(url), init?.body]);
    return new Response(ANSWER[platformOf(String(url))], { headers: { "content-type": "application/json" } });
  };
  try {
    const sender = new MessageSender({ rateLimit: false, retryPolicy: { maxRetries: 0 } });
    const result = await run(sender);
    return { result: stable(result), posted };
  } finally {
    globalThis.fetch = saved;
  }
}

test("send, sendMulti, sendAuto: the same results and bodies on both paths", async () => {
  const urls = {
    wecom: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=rawkey0123456789",
    dingtalk: "https://oapi.dingtalk.com/robot/send?access_token=rawtoken0123456789",
    feishu: "https://open.feishu.cn/open-apis/bot/v2/hook/rawhook0123456789",
  };
  const env = {
    WECOM_WEBHOOK_URL: urls.wecom,
    DINGTALK_WEBHOOK_URL: urls.dingtalk,
    FEISHU_WEBHOOK_URL: urls.feishu,
  };
  const list = messages(SEED + 1, Math.max(8, CASES >> 2));
  // too deep for the reader, a long string before the depth: read again as JSON, its error as before
  let deep = {};
  list.push({ content: { type: "text", body: { text: "z\n".repeat(3000) } }, deep });
  for (let i = 0; i < 200; i++) deep = deep.d = {};
  for (const [i, m] of list.entries()) {
    const p = ["wecom", "dingtalk", "feishu"][i % 3];
    const runs = {
      send: (s) => s.send(m, p, urls[p]),
      serviceUrl: (s) => s.send(m, "wecom", "wecom://rawkey0123456789?title=T"),
      sendMulti: (s) => s.sendMulti(m, { platforms: ["wecom", "dingtalk", "feishu"], webhookUrls: urls }),
      sendAuto: (s) => s.sendAuto(m, env),
    };
    for (const [name, run] of Object.entries(runs)) {
      const [before, now] = await bothPaths(() => sends(run));
      assert.deepStrictEqual(now, before, `seed ${SEED + 1} case ${i} ${name}`);
    }
  }
});

test("webhook-push/webhook: a generic webhook posts the same body on both paths", async () => {
  const wh = await import("webhook-push/webhook");
  const list = messages(SEED + 2, Math.max(6, CASES >> 3));
  list.push({ content: { type: "text", body: { text: 'x"\n'.repeat(3000), extra: { n: 1, tags: ["\uFDD00", "y\\".repeat(2500)] } } } });
  const target = {
    webhook: {
      url: "http://127.0.0.1:9/hook",
      body: '{"text": "{{message|text}}", "md": "{{message|markdown}}", "all": {{message}}, "tags": {{content.body.extra.tags|none}}}',
    },
  };
  let delivered = 0;
  for (const [i, m] of list.entries()) {
    const run = async () => {
      const posted = [];
      const saved = globalThis.fetch;
      globalThis.fetch = async (url, init) => {
        posted.push([String(url), init?.body]);
        return new Response("ok");
      };
      try {
        const s = new wh.MessageSender({ rateLimit: false, retryPolicy: { maxRetries: 0 } });
        return { result: stable(await s.send(m, "webhook", target)), posted };
      } finally {
        globalThis.fetch = saved;
      }
    };
    const [before, now] = await bothPaths(run);
    assert.deepStrictEqual(now, before, `seed ${SEED + 2} case ${i}`);
    if (now.value?.posted.length) delivered++;
  }
  assert.ok(delivered > 0, "some messages were posted");
});
