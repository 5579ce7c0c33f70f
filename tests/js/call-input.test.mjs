// render() and send() read their inputs (platform, message, options or target, the time):
// the errors, their order and the values read, pinned. A lever that read them in one crossing
// (branch c-crossing, bench/LEVERS.md "Fewer crossings per render and per send") was measured and
// not merged; this test, written for it, passes on main as it is and keeps that behaviour.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import test from "node:test";
import { MessageSender, render } from "webhook-push";

const TEXT = { content: { type: "text", body: { text: "disk usage 91 %" } } };
const cyclic = () => {
  const o = { content: { type: "text", body: { text: "x" } } };
  o.self = o;
  return o;
};
const throwing = { toJSON() { throw new Error("no JSON"); } };

/** The error `f` throws, as { code, message, path }. */
function thrown(f) {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof Error, `an Error, not ${e}`);
    return { code: e.code, message: e.message, path: e.path };
  }
  assert.fail("did not throw");
}

const NOT_STRING = "the platform must be a string: wecom, dingtalk, feishu or lark";
const CYCLE = "the message cannot be turned into JSON (a cycle or a BigInt?)";

test("render: each bad input gives its error, the first wrong one in the order platform, message, options", () => {
  const cases = [
    [[TEXT, 42], { code: "UNKNOWN_PLATFORM", message: NOT_STRING, path: undefined }],
    [[cyclic(), undefined], { code: "UNKNOWN_PLATFORM", message: NOT_STRING, path: undefined }],
    [[cyclic(), "wecom"], { code: "INVALID_MESSAGE", message: CYCLE, path: undefined }],
    [[throwing, "wecom", { webhook: "key0123456" }], { code: "INVALID_MESSAGE", message: CYCLE, path: undefined }],
    [[() => 1, "wecom"], { code: "INVALID_MESSAGE", message: "the message is not a JSON value", path: undefined }],
    [[Symbol("m"), "wecom"], { code: "INVALID_MESSAGE", message: "the message is not a JSON value", path: undefined }],
    [[undefined, "wecom"], { code: "INVALID_MESSAGE", message: "a message is required", path: "" }],
    [[null, "wecom", cyclic()], { code: "INVALID_MESSAGE", message: "a message is required", path: "" }],
    [[cyclic(), "wecom", cyclic()], { code: "INVALID_MESSAGE", message: CYCLE, path: undefined }],
    [
      [TEXT, "wecom", cyclic()],
      { code: "INVALID_CONFIG", message: "the options cannot be turned into JSON (a cycle or a BigInt?)", path: undefined },
    ],
    [[TEXT, "wecom", { webhook: 1n }], { code: "INVALID_CONFIG", message: "the options cannot be turned into JSON (a cycle or a BigInt?)", path: undefined }],
    [[TEXT, "wecom", () => 1], { code: "INVALID_CONFIG", message: "the options is not a JSON value", path: undefined }],
  ];
  for (const [args, want] of cases) assert.deepEqual(thrown(() => render(...args)), want, String(args[1]));
});

test("render: options are not read when the platform or the message is wrong", () => {
  let reads = 0;
  const options = { toJSON: () => (reads++, { webhook: "key0123456" }) };
  assert.equal(thrown(() => render(TEXT, 42, options)).code, "UNKNOWN_PLATFORM");
  assert.equal(thrown(() => render(undefined, "wecom", options)).code, "INVALID_MESSAGE");
  assert.equal(thrown(() => render(cyclic(), "wecom", options)).code, "INVALID_MESSAGE");
  assert.equal(reads, 0);
  render(TEXT, "wecom", options);
  assert.equal(reads, 1);
});

test("render: a platform crosses whole, whatever characters it holds", () => {
  const given = "unknown platform given; expected wecom, dingtalk, feishu or lark";
  const cases = {
    nope: "unknown platform 'nope'; expected wecom, dingtalk, feishu or lark",
    "wecom\n{}": given,
    'we"com': given,
    "we\\com": given,
    "\uD800": given,
    "": given,
    "飞书": given,
    "wecom\n": "wecom",
    " wecom": "wecom",
    WeCom: "wecom",
    lark: "lark",
  };
  for (const [p, want] of Object.entries(cases)) {
    let got;
    try {
      got = render(TEXT, p).platform;
    } catch (e) {
      assert.equal(e.code, "UNKNOWN_PLATFORM");
      got = e.message;
    }
    assert.equal(got, want, JSON.stringify(p));
  }
});

test("render: the time signed is Date.now() of the call", () => {
  const now = Date.now;
  try {
    Date.now = () => 1700000000123;
    const r = render(TEXT, "dingtalk", { webhook: "abcdef0123456789", secret: "SECabc" });
    const url = new URL(r.url);
    assert.equal(url.searchParams.get("timestamp"), "1700000000123");
    const sign = createHmac("sha256", "SECabc").update("1700000000123\nSECabc").digest("base64");
    assert.equal(url.searchParams.get("sign"), sign);
  } finally {
    Date.now = now;
  }
});

test("render: messages of every length around the long-string threshold read whole", () => {
  for (const n of [0, 1, 400, 470, 480, 490, 500, 511, 512, 513, 600, 1023, 1024, 3000]) {
    for (const unit of ["a", "磁", "\n", '"', "😀"]) {
      const text = `<${unit.repeat(n)}>`;
      const r = render({ content: { type: "text", body: { text } } }, "feishu");
      assert.equal(r.payloads[0].content.text, text, `${n} × ${JSON.stringify(unit)}`);
    }
  }
});

test("render: options with quotes and escapes in their strings read whole", () => {
  const secret = 'SEC"a\\b/é😀';
  const r = render(TEXT, "dingtalk", { webhook: "abcdef0123456789", secret });
  const url = new URL(r.url);
  const ts = url.searchParams.get("timestamp");
  assert.equal(url.searchParams.get("sign"), createHmac("sha256", secret).update(`${ts}\n${secret}`).digest("base64"));
});

// ---- send ----

const TRANSPORT = Symbol.for("webhook-push.transport.1");

/** Sends with the transport replaced: every request is recorded and answered "ok". */
async function withRequests(f) {
  const before = globalThis[TRANSPORT];
  const requests = [];
  globalThis[TRANSPORT] = (url, init) => {
    requests.push({ url, body: init.body });
    return Promise.resolve({ kind: 0, status: 200, body: new TextEncoder().encode('{"errcode":0,"errmsg":"ok","code":0}') });
  };
  try {
    await f(requests);
  } finally {
    globalThis[TRANSPORT] = before;
  }
}

test("send: each bad input gives its result, the first wrong one in the order platform, message, target", async () => {
  const s = new MessageSender({ rateLimit: false, retryPolicy: { maxRetries: 0 } });
  const cases = [
    [[TEXT, 42, "key0123456"], "unknown", "UNKNOWN_PLATFORM"],
    [[cyclic(), "nope", 5], "nope", "UNKNOWN_PLATFORM"],
    [[cyclic(), "we\ncom", 5], "unknown", "UNKNOWN_PLATFORM"],
    [[cyclic(), "wecom", 5], "wecom", "INVALID_MESSAGE", CYCLE],
    [[throwing, "wecom", "key0123456"], "wecom", "INVALID_MESSAGE", CYCLE],
    [[() => 1, "wecom", "key0123456"], "wecom", "INVALID_MESSAGE", "the message is not a JSON value"],
    [[undefined, "dingtalk", {}], "dingtalk", "INVALID_MESSAGE", "a message is required"],
    [[TEXT, "wecom", {}], "wecom", "INVALID_CONFIG", "the target needs webhookUrl (a URL or key)"],
    [[TEXT, "wecom", { webhookUrl: 5, secret: "SECabc" }], "wecom", "INVALID_CONFIG", "the target needs webhookUrl (a URL or key)"],
    [[TEXT, "wecom", 5], "wecom", "INVALID_CONFIG", "the target must be a webhook URL string or { webhookUrl, secret }"],
    [[TEXT, "wecom", null], "wecom", "INVALID_CONFIG", "the target must be a webhook URL string or { webhookUrl, secret }"],
    [[TEXT, "feishu", () => "key"], "feishu", "INVALID_CONFIG", "the target must be a webhook URL string or { webhookUrl, secret }"],
  ];
  await withRequests(async (requests) => {
    for (const [args, platform, code, message] of cases) {
      const r = await s.send(...args);
      const where = `${String(args[1])} ${JSON.stringify(args[2])}`;
      assert.equal(r.success, false, where);
      assert.equal(r.platform, platform, where);
      assert.equal(r.error.code, code, where);
      if (message) assert.equal(r.error.message, message, where);
    }
    assert.equal(requests.length, 0, "nothing was sent");
  });
});

test("send: the target's webhook and secret cross whole (quotes, backslashes, newlines), an empty secret is none", async () => {
  const s = new MessageSender({ rateLimit: false, retryPolicy: { maxRetries: 0 } });
  await withRequests(async (requests) => {
    const secret = 'SEC"a\\b/é😀';
    for (const target of [
      { webhookUrl: "abcdef0123456789", secret },
      { webhook: "abcdef0123456789", secret },
      { webhookUrl: 7, webhook: "abcdef0123456789", secret },
    ]) {
      requests.length = 0;
      const r = await s.send(TEXT, "dingtalk", target);
      assert.equal(r.success, true, JSON.stringify(r));
      const url = new URL(requests[0].url);
      assert.equal(url.searchParams.get("access_token"), "abcdef0123456789");
      const ts = url.searchParams.get("timestamp");
      assert.equal(url.searchParams.get("sign"), createHmac("sha256", secret).update(`${ts}\n${secret}`).digest("base64"));
    }
    for (const target of [{ webhookUrl: "abcdef0123456789", secret: "" }, { webhookUrl: "abcdef0123456789", secret: 5 }, "abcdef0123456789"]) {
      requests.length = 0;
      assert.equal((await s.send(TEXT, "dingtalk", target)).success, true);
      const url = new URL(requests[0].url);
      assert.equal(url.searchParams.get("sign"), null, JSON.stringify(target));
    }
    // a newline in a secret crosses too (and is refused as before)
    requests.length = 0;
    const r = await s.send(TEXT, "dingtalk", { webhookUrl: "abcdef0123456789", secret: "SEC\nabc" });
    assert.equal(r.error?.message, "the signing secret is malformed (control characters or over 1024 bytes)");
    assert.equal(requests.length, 0);
  });
});

test("send: messages of every length around the long-string threshold are posted whole", async () => {
  const s = new MessageSender({ rateLimit: false, retryPolicy: { maxRetries: 0 } });
  await withRequests(async (requests) => {
    for (const n of [1, 480, 500, 511, 512, 1024, 3000]) {
      for (const unit of ["a", "磁", "\n"]) {
        requests.length = 0;
        const text = `<${unit.repeat(n)}>`;
        const r = await s.send({ content: { type: "text", body: { text } } }, "feishu", "0123456789abcdef");
        assert.equal(r.success, true, JSON.stringify(r));
        assert.equal(JSON.parse(requests[0].body).content.text, text, `${n} × ${JSON.stringify(unit)}`);
      }
    }
  });
});
