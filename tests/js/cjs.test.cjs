// The package as a CommonJS consumer in Node sees it: `require("webhook-push")` (node.cjs).
const assert = require("node:assert/strict");
const test = require("node:test");
const wp = require("webhook-push");

let shared;
test.before(async () => {
  shared = await import("./shared.mjs");
});

test("the exports map sends require to node.cjs", () => {
  assert.match(require.resolve("webhook-push"), /[/\\]node_modules[/\\]webhook-push[/\\]node\.cjs$/);
});

test("require exports the API and not the manual init functions", () => {
  for (const name of ["render", "detectPlatform", "UnifiedMessage"]) assert.equal(typeof wp[name], "function", name);
  assert.equal("initSync" in wp, false, "initSync is not exported");
  assert.equal("default" in wp, false, "no default export");
});

test("render: every seed example for wecom, dingtalk, feishu", () => {
  const { loadExamples, PLATFORMS, checkRendered } = shared;
  for (const ex of loadExamples()) {
    for (const p of PLATFORMS) checkRendered(wp.render(ex.message, p), p, `${ex.name}/${p}`);
  }
});

test("typed errors through require", () => {
  const { expectTypedError } = shared;
  const ok = { content: { type: "text", body: { text: "hi" } } };
  expectTypedError(() => wp.render(ok, "slack"), "UNKNOWN_PLATFORM", "unknown platform");
  const bad = { content: { type: "news", body: { links: [{ title: "a", url: "https://x.y" }, { title: "b" }] } } };
  expectTypedError(() => wp.render(bad, "wecom"), "INVALID_MESSAGE", "bad news", "content.body.links[1].url");
  expectTypedError(() => new wp.UnifiedMessage(bad), "INVALID_MESSAGE", "new UnifiedMessage(bad)", "content.body.links[1].url");
  expectTypedError(() => wp.detectPlatform("not a url"), "INVALID_CONFIG", "detectPlatform");
  assert.equal(wp.detectPlatform("https://oapi.dingtalk.com/robot/send?access_token=x"), "dingtalk");
});

test("require(\"webhook-push/inbound\") gives the handlers (inbound-node.cjs), which refuse a forged callback", async () => {
  assert.match(require.resolve("webhook-push/inbound"), /[/\\]node_modules[/\\]webhook-push[/\\]inbound-node\.cjs$/);
  const inbound = require("webhook-push/inbound");
  const seen = [];
  const handle = inbound.dingtalkHandler({ appSecret: "app-secret-for-cjs", onMessage: (m) => seen.push(m), log: null });
  const res = await handle(
    new Request("http://127.0.0.1/dingtalk", { method: "POST", headers: { timestamp: String(Date.now()), sign: "forged" }, body: "{}" }),
  );
  assert.equal(res.status, 401);
  assert.equal(await res.text(), "bad_signature");
  assert.deepEqual(seen, []);
  assert.equal("initSync" in inbound, false);
});
