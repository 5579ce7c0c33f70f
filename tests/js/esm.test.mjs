// The package as an ES module consumer in Node sees it: `import ... from "webhook-push"`.
import assert from "node:assert/strict";
import test from "node:test";
import * as wp from "webhook-push";
import { detectPlatform, render, UnifiedMessage } from "webhook-push";
import { checkRendered, expectTypedError, loadExamples, PLATFORMS, renderAll } from "./shared.mjs";

const examples = loadExamples();

test("the exports map sends Node's import to node.mjs", () => {
  assert.match(import.meta.resolve("webhook-push"), /\/node_modules\/webhook-push\/node\.mjs$/);
});

test("the entry exports the API and not the manual init functions", () => {
  for (const name of ["render", "detectPlatform", "UnifiedMessage"]) assert.equal(typeof wp[name], "function", name);
  assert.equal("initSync" in wp, false, "initSync is not exported");
  assert.equal("default" in wp, false, "no default export (the wasm-bindgen init)");
});

for (const platform of PLATFORMS) {
  test(`render: every seed example for ${platform}`, () => {
    for (const ex of examples) checkRendered(render(ex.message, platform), platform, `${ex.name}/${platform}`);
  });
}

test("render: lark renders like feishu, with its own platform name", () => {
  for (const ex of examples) checkRendered(render(ex.message, "lark"), "lark", `${ex.name}/lark`);
});

test("render is deterministic and does not modify its input", () => {
  for (const ex of examples) {
    const before = structuredClone(ex.message);
    for (const p of PLATFORMS) assert.deepStrictEqual(render(ex.message, p), render(ex.message, p), `${ex.name}/${p}`);
    assert.deepStrictEqual(ex.message, before, `${ex.name}: input unchanged`);
  }
});

test("render: unknown platform -> UNKNOWN_PLATFORM", () => {
  expectTypedError(() => render(examples[0].message, "slack"), "UNKNOWN_PLATFORM", "render(m, 'slack')");
});

test("render: a news link without url -> INVALID_MESSAGE at content.body.links[1].url", () => {
  const bad = { content: { type: "news", body: { links: [{ title: "a", url: "https://x.y" }, { title: "b" }] } } };
  for (const p of PLATFORMS) expectTypedError(() => render(bad, p), "INVALID_MESSAGE", `news/${p}`, "content.body.links[1].url");
});

test("UnifiedMessage: validates like render, and its toJSON renders the same payloads", () => {
  for (const ex of examples) {
    const m = new UnifiedMessage(ex.message);
    const plain = m.toJSON();
    assert.equal(Object.getPrototypeOf(plain), Object.prototype, `${ex.name}: toJSON returns a plain object`);
    assert.deepStrictEqual(JSON.parse(JSON.stringify(plain)), plain, `${ex.name}: toJSON is plain JSON`);
    for (const p of PLATFORMS) {
      assert.deepStrictEqual(render(plain, p), render(ex.message, p), `${ex.name}/${p}: render(toJSON()) == render(message)`);
    }
  }
  const bad = { content: { type: "news", body: { links: [{ title: "a", url: "https://x.y" }, { title: "b" }] } } };
  expectTypedError(() => new UnifiedMessage(bad), "INVALID_MESSAGE", "new UnifiedMessage(bad news)", "content.body.links[1].url");
  expectTypedError(() => new UnifiedMessage(42), "INVALID_MESSAGE", "new UnifiedMessage(42)");
});

test("detectPlatform: the four hosts, an unknown host, a malformed URL", () => {
  const cases = {
    "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa": "wecom",
    "https://oapi.dingtalk.com/robot/send?access_token=abcdef0123456789": "dingtalk",
    "https://open.feishu.cn/open-apis/bot/v2/hook/0a1b2c3d-0000-1111-2222-333344445555": "feishu",
    "https://open.larksuite.com/open-apis/bot/v2/hook/0a1b2c3d-0000-1111-2222-333344445555": "lark",
    "https://example.com/hooks/notify": null,
  };
  for (const [url, want] of Object.entries(cases)) assert.equal(detectPlatform(url), want, url);
  for (const bad of ["not a url", "ftp://open.feishu.cn/x", "https://", "https://exa mple.com/x"]) {
    expectTypedError(() => detectPlatform(bad), "INVALID_CONFIG", `detectPlatform(${JSON.stringify(bad)})`);
  }
});

test("CommonJS and ESM entries render identically", async () => {
  const { createRequire } = await import("node:module");
  const cjs = createRequire(import.meta.url)("webhook-push");
  assert.deepStrictEqual(renderAll(cjs.render, examples), renderAll(render, examples));
});

test("a lone surrogate (an emoji cut by String#slice) is rendered or reported at its field", () => {
  // JS strings may hold unpaired UTF-16 surrogates; JSON.stringify writes them as \ud83d.
  // Acceptable: render it (e.g. as U+FFFD), or INVALID_MESSAGE with the field's path.
  // Not acceptable: rejecting the whole message at path "" as "not valid JSON".
  const cut = "deploy done 🚀".slice(0, -1);
  const message = { content: { type: "text", body: { text: cut } } };
  for (const p of PLATFORMS) {
    let r;
    try {
      r = render(message, p);
    } catch (e) {
      expectTypedError(() => render(message, p), "INVALID_MESSAGE", `lone surrogate/${p}`, "content.body.text");
      continue;
    }
    checkRendered(r, p, `lone surrogate/${p}`);
  }
});

// Issue 8: markdown that renders to nothing (only link definitions, HTML comments, empty markup)
// is refused where it is rendered, with the field's path; send() resolves with that error and
// posts nothing.
test("a body that renders to nothing: render throws INVALID_MESSAGE at its path, send posts nothing", async () => {
  const defs = { content: { type: "markdown", body: { content: "[a]: https://e.com/?key=KEY0123456789\n".repeat(10) } } };
  const comment = { content: { type: "markdown", title: "T", body: { content: "<!-- nothing -->" } } };
  const names = { wecom: "WeCom", dingtalk: "DingTalk", feishu: "Feishu" };
  for (const p of PLATFORMS) {
    expectTypedError(() => render(defs, p), "INVALID_MESSAGE", `defs/${p}`, "content.body.content");
    expectTypedError(() => render(comment, p), "INVALID_MESSAGE", `comment/${p}`, "content.body.content");
    try {
      render(defs, p);
    } catch (e) {
      assert.match(e.message, new RegExp(`renders to nothing on ${names[p]}: only link definitions`));
      assert.ok(!e.message.includes("KEY0123456789"), e.message);
    }
  }
  const saved = globalThis.fetch;
  let calls = 0;
  globalThis.fetch = async () => {
    calls++;
    return new Response('{"errcode":0,"errmsg":"ok","code":0}', { headers: { "content-type": "application/json" } });
  };
  try {
    const sender = new wp.MessageSender({ retryPolicy: { maxRetries: 0 } });
    for (const [p, hook] of [["wecom", "KEYabcdef0123456789"], ["dingtalk", "TOKENabcdef0123456789"], ["feishu", "hookabcdef0123456789"]]) {
      const r = await sender.send(defs, p, p === "wecom" ? hook : { webhookUrl: hook, secret: "SECabcdef0123456789" });
      assert.equal(r.success, false, `${p}: ${JSON.stringify(r)}`);
      assert.equal(r.error.code, "INVALID_MESSAGE", p);
      assert.match(r.error.message, /content\.body\.content/);
      assert.match(r.error.message, /renders to nothing/);
      assert.equal(r.retrySuggested, false);
      const text = JSON.stringify(r);
      for (const s of [hook, "SECabcdef0123456789", "KEY0123456789"]) assert.ok(!text.includes(s), `${p}: ${s} in ${text}`);
    }
    assert.equal(calls, 0, "nothing was posted");
  } finally {
    globalThis.fetch = saved;
  }
});

test("an option name render or MessageSender does not read is INVALID_CONFIG naming it, never its value", () => {
  const msg = { content: { type: "text", body: { text: "hi" } } };
  const refused = (f, re) =>
    assert.throws(f, (e) => e.code === "INVALID_CONFIG" && re.test(e.message) && !e.message.includes("SECRETVALUE"), String(re));
  refused(() => new wp.MessageSender({ baseUrl: "http://SECRETVALUE:9" }), /options\.baseUrl is not an option: use baseUrls/);
  refused(() => new wp.MessageSender({ retries: 0 }), /options\.retries is not an option: use retryPolicy: \{ maxRetries \}/);
  refused(() => new wp.MessageSender({ retryPolicy: { retries: 0 } }), /options\.retryPolicy\.retries is not an option: use maxRetries/);
  refused(() => render(msg, "wecom", { baseUrls: { wecom: "http://SECRETVALUE:9" } }), /options\.baseUrls is not an option: use baseUrl/);
  // the documented ones, functions included, still pass
  new wp.MessageSender({ retryPolicy: { maxRetries: 0, jitter: 0 }, timeout: 5, baseUrls: { wecom: "http://127.0.0.1:9" }, onRateWait() {}, dedup: { ttl: 1, store: { get() {}, put() {} } } }).free();
});

test("a base URL applies to a full webhook URL on the platform's own host, not to another host", () => {
  const msg = { content: { type: "text", body: { text: "hi" } } };
  const key = "K0123456789abcdef";
  const base = "http://127.0.0.1:9400";
  const r = render(msg, "wecom", { webhook: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${key}`, baseUrl: base });
  assert.equal(r.url, `${base}/cgi-bin/webhook/send?key=${key}`);
  const proxy = `https://proxy.example.com/cgi-bin/webhook/send?key=${key}`;
  assert.equal(render(msg, "wecom", { webhook: proxy, baseUrl: base }).url, proxy);
});

test("the package README's first example (Render) runs as written", async () => {
  const fs = await import("node:fs");
  const path = await import("node:path");
  const { fileURLToPath, pathToFileURL } = await import("node:url");
  const pkgDir = path.dirname(fileURLToPath(import.meta.resolve("webhook-push")));
  const readme = fs.readFileSync(path.join(pkgDir, "README.md"), "utf8");
  const code = readme.match(/## Render\n\n```js\n([\s\S]*?)```/)?.[1];
  assert.ok(code, "the Render example is in the README");
  // beside this test, so that "webhook-push" resolves to the installed package
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), `readme-render-${process.pid}.mjs`);
  fs.writeFileSync(file, `${code}\nexport { payloads, degraded, url };\n`);
  try {
    const ex = await import(pathToFileURL(file).href);
    assert.equal(ex.payloads.length, 1);
    assert.match(ex.url, /access_token=/);
  } finally {
    fs.rmSync(file, { force: true });
  }
});
