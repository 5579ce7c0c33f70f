// Helpers shared by the tests of the packed package. scripts/test-package.sh copies this
// directory into a scratch project that has the tarball installed, next to
// fixtures/seed_examples.json, and runs `node --test` there.
import assert from "node:assert/strict";
import fs from "node:fs";

export const PLATFORMS = ["wecom", "dingtalk", "feishu"];
export const CODES = new Set([
  "INVALID_MESSAGE",
  "INVALID_CONFIG",
  "UNKNOWN_PLATFORM",
  "UNSUPPORTED",
  "RATE_LIMIT",
  "NETWORK_ERROR",
  "TIMEOUT",
  "PLATFORM_ERROR",
  "DUPLICATE",
]);

export function loadExamples() {
  const examples = JSON.parse(fs.readFileSync(new URL("./fixtures/seed_examples.json", import.meta.url), "utf8"));
  assert.ok(Array.isArray(examples) && examples.length > 0, "seed_examples.json holds examples");
  return examples;
}

// The message types each platform's API accepts (platforms.md) and where the body sits.
const SHAPES = {
  wecom: { key: "msgtype", types: ["text", "markdown", "markdown_v2", "image", "news", "file", "voice", "template_card"] },
  dingtalk: { key: "msgtype", types: ["text", "link", "markdown", "actionCard", "feedCard"] },
  feishu: { key: "msg_type", types: ["text", "post", "image", "share_chat", "interactive"] },
};
SHAPES.lark = SHAPES.feishu;

const isPlainObject = (v) =>
  v !== null && typeof v === "object" && [Object.prototype, null].includes(Object.getPrototypeOf(v));

/** Check one payload: plain JSON, the platform's type key, the body where the API wants it. */
export function checkPayload(payload, platform, where) {
  const shape = SHAPES[platform];
  assert.ok(isPlainObject(payload), `${where}: a payload is a plain object`);
  // What is POSTed must survive JSON exactly: no Map, no undefined, no BigInt, no class instance.
  assert.deepStrictEqual(JSON.parse(JSON.stringify(payload)), payload, `${where}: payload is plain JSON`);
  const type = payload[shape.key];
  assert.ok(shape.types.includes(type), `${where}: ${shape.key} is one of ${shape.types.join("|")}, got ${JSON.stringify(type)}`);
  if (shape.key === "msg_type") {
    assert.equal("msgtype" in payload, false, `${where}: Feishu uses msg_type, not msgtype`);
    const bodyKey = type === "interactive" ? "card" : "content";
    assert.ok(isPlainObject(payload[bodyKey]), `${where}: Feishu ${type} carries an object in "${bodyKey}"`);
  } else {
    assert.ok(isPlainObject(payload[type]), `${where}: ${platform} ${type} carries an object in "${type}"`);
  }
}

/** Check what render() returned for a platform, without options. */
export function checkRendered(r, platform, where) {
  assert.ok(isPlainObject(r), `${where}: render returns a plain object`);
  assert.equal(r.platform, platform, `${where}: .platform`);
  assert.equal(r.url, null, `${where}: .url is null when no webhook was given`);
  assert.ok(Array.isArray(r.payloads) && r.payloads.length >= 1, `${where}: .payloads is a non-empty array`);
  assert.equal(r.parts, r.payloads.length, `${where}: .parts counts the payloads`);
  r.payloads.forEach((p, i) => checkPayload(p, platform, `${where} payloads[${i}]`));
  assert.ok(Array.isArray(r.degraded), `${where}: .degraded is an array`);
  for (const d of r.degraded) {
    for (const k of ["from", "to", "reason"]) {
      assert.equal(typeof d[k], "string", `${where}: degraded[].${k} is a string (${JSON.stringify(d)})`);
    }
  }
}

/** Call fn, which must throw a typed error; returns it. `codes` is a code or a list. */
export function expectTypedError(fn, codes, where, path) {
  let thrown = false;
  let e;
  try {
    fn();
  } catch (err) {
    thrown = true;
    e = err;
  }
  assert.ok(thrown, `${where}: expected a throw, got a result`);
  assert.ok(e instanceof Error, `${where}: threw a real Error, got ${describe(e)}`);
  const allowed = [codes].flat();
  assert.ok(allowed.includes(e.code), `${where}: .code ${JSON.stringify(e.code)} should be ${allowed.join(" or ")} (${e.message})`);
  assert.equal(typeof e.message, "string", `${where}: .message is a string`);
  assert.ok(e.message.length > 0, `${where}: .message is not empty`);
  if (path !== undefined) assert.equal(e.path, path, `${where}: .path (${e.message})`);
  if ("path" in e && e.path !== undefined) assert.equal(typeof e.path, "string", `${where}: .path is a string`);
  return e;
}

export function describe(v) {
  if (v instanceof Error) return `${v.constructor.name}: ${v.message}`;
  try {
    return `${typeof v} ${String(v).slice(0, 80)}`;
  } catch {
    return typeof v;
  }
}

// ---- bad inputs ---------------------------------------------------------------------------

/** A small deterministic PRNG (mulberry32) so a failure reproduces. */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n);
  const pick = (xs) => xs[int(xs.length)];
  const str = (max = 12) => {
    // code points, not UTF-16 units: a lone surrogate is its own case (esm.test.mjs)
    const chars = Array.from("abcxyz_-. 0189é漢🙂\n\"\\<>&");
    return Array.from({ length: int(max + 1) }, () => chars[int(chars.length)]).join("");
  };
  return { next, int, pick, str };
}

const KNOWN_TYPES = ["text", "markdown", "image", "link", "news", "feed", "card", "file"];

function randomJson(r, depth = 0) {
  const k = r.int(depth > 3 ? 5 : 7);
  switch (k) {
    case 0: return null;
    case 1: return r.next() < 0.5;
    case 2: return r.pick([0, -1, 1.5, 1e308, -0, 2 ** 53 + 1, r.int(1e9)]);
    case 3: return r.str();
    case 4: return r.str(3);
    case 5: return Array.from({ length: r.int(4) }, () => randomJson(r, depth + 1));
    default: {
      const o = {};
      for (let i = r.int(4); i > 0; i--) o[r.pick(["a", "type", "body", "title", "x", r.str(5)])] = randomJson(r, depth + 1);
      return o;
    }
  }
}

function nestedArray(depth, leaf) {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

function nestedObject(depth, key) {
  let v = {};
  for (let i = 0; i < depth; i++) v = { [key]: v };
  return v;
}

/**
 * `count` calls that must each throw a typed error: [{ label, args, codes, path? }].
 * Every message here is invalid whatever the cycle / depth / size handling does, so a
 * result instead of a throw is a real bug.
 */
export function badInputs(count, seed = 20240601) {
  const r = rng(seed);
  const ok = { content: { type: "text", body: { text: "ok" } } };
  const notObject = () =>
    r.pick([
      undefined, null, true, false, 0, -1, NaN, Infinity, 1e308, "", "text", r.str(20),
      Symbol("message"), 10n, () => ok, [], [ok], "x".repeat(1 << 20), new Date(0),
    ]);
  const makers = [
    // non-objects, including values JSON cannot represent
    () => ({ label: "non-object message", args: [notObject(), "wecom"], codes: "INVALID_MESSAGE" }),
    // random JSON objects: never a "content" key
    () => {
      const o = {};
      for (let i = r.int(5); i > 0; i--) o[r.pick(["type", "body", "msgtype", "Content", r.str(6)])] = randomJson(r);
      delete o.content;
      return { label: "object without content", args: [o, r.pick(["wecom", "dingtalk", "feishu"])], codes: "INVALID_MESSAGE", path: "content" };
    },
    // content of the wrong type
    () => ({
      label: "content not an object",
      args: [{ content: r.pick([null, 42, "text", [], [{ type: "text" }], true, Symbol("c")]) }, "dingtalk"],
      codes: "INVALID_MESSAGE",
      path: "content",
    }),
    // type missing, mistyped or unknown (a 1 MiB type name among them)
    () => ({
      label: "bad content.type",
      args: [
        { content: { type: r.pick([undefined, null, 1, true, ["text"], { text: 1 }, `x-${r.str(8)}`, "", "x".repeat(1 << 20)]), body: { text: "hi" } } },
        "feishu",
      ],
      codes: "INVALID_MESSAGE",
      path: "content.type",
    }),
    // a known type whose body is not an object
    () => ({
      label: "body not an object",
      args: [{ content: { type: r.pick(KNOWN_TYPES), body: r.pick([42, "str", [1, 2], true, Symbol("b")]) } }, r.pick(["wecom", "dingtalk", "feishu"])],
      codes: "INVALID_MESSAGE",
      path: "content.body",
    }),
    // required string fields with the wrong type, BigInt and symbols among them
    () => {
      const bad = r.pick([42, null, true, ["a"], { a: 1 }, Symbol("s"), nestedArray(50, "deep")]);
      return r.pick([
        { label: "text.body.text mistyped", args: [{ content: { type: "text", body: { text: bad } } }, "wecom"], codes: "INVALID_MESSAGE", path: "content.body.text" },
        { label: "markdown body.content mistyped", args: [{ content: { type: "markdown", title: "t", body: { content: bad } } }, "dingtalk"], codes: "INVALID_MESSAGE", path: "content.body.content" },
        {
          label: "news links[i].url mistyped",
          args: [{ content: { type: "news", body: { links: [{ title: "a", url: "https://a.example/" }, { title: "b", url: bad }] } } }, "feishu"],
          codes: "INVALID_MESSAGE",
          path: "content.body.links[1].url",
        },
      ]);
    },
    // BigInt, which JSON cannot carry, anywhere in the message (no path: where the error
    // is reported depends on how the binding reads the value)
    () => ({
      label: "BigInt in the message",
      args: [r.pick([{ content: 7n }, { content: { type: "text", body: { text: 5n } } }, { content: { type: 1n, body: {} } }]), "wecom"],
      codes: "INVALID_MESSAGE",
    }),
    // deep nesting where an object is required (as arrays and as objects); no path, since
    // a JSON parser's depth limit may reject the whole message first
    () => {
      const depth = r.pick([64, 200, 1000, 10000, 100000]);
      return r.pick([
        { label: `content as ${depth}-deep array`, args: [{ content: nestedArray(depth, 1) }, "wecom"], codes: "INVALID_MESSAGE" },
        { label: `message as ${depth}-deep array`, args: [nestedArray(depth, ok), "wecom"], codes: "INVALID_MESSAGE" },
        { label: `${depth}-deep content.content...`, args: [nestedObject(depth, "content"), "dingtalk"], codes: "INVALID_MESSAGE" },
        { label: `${depth}-deep body`, args: [{ content: { type: "text", body: nestedObject(depth, "body") } }, "feishu"], codes: "INVALID_MESSAGE" },
      ]);
    },
    // cycles (never valid: the required field is missing or mistyped too)
    () => {
      const c = { type: "text", body: {} };
      c.body.self = c;
      const root = {};
      root.content = root;
      const links = [{ title: "a" }];
      links[0].url = links;
      return r.pick([
        { label: "cyclic body without text", args: [{ content: c }, "wecom"], codes: "INVALID_MESSAGE" },
        { label: "message.content === message", args: [root, "dingtalk"], codes: "INVALID_MESSAGE" },
        { label: "cyclic link url", args: [{ content: { type: "news", body: { links } } }, "feishu"], codes: "INVALID_MESSAGE" },
      ]);
    },
    // a huge key and no content
    () => ({
      label: "huge key, no content",
      args: [{ ["k".repeat(r.pick([1 << 16, 1 << 20]))]: "v" }, "wecom"],
      codes: "INVALID_MESSAGE",
      path: "content",
    }),
    // unknown platforms (the message is valid)
    () => ({
      label: "unknown platform",
      args: [ok, r.pick(["slack", "teams", "", "wechat", "feishu2", `p-${r.str(6)}`, "x".repeat(1 << 16)])],
      codes: "UNKNOWN_PLATFORM",
    }),
    () => ({
      label: "platform not a string",
      args: [ok, r.pick([undefined, null, 42, {}, ["wecom"], Symbol("wecom"), true])],
      codes: ["UNKNOWN_PLATFORM", "INVALID_CONFIG"],
    }),
    // bad options (the message and platform are valid)
    () => ({
      label: "bad options",
      args: [
        ok,
        r.pick(["dingtalk", "feishu"]),
        r.pick([
          42, "secret", true, [], Symbol("o"),
          { secret: 42 }, { webhook: 42 }, { overflow: "explode" }, { wecomMarkdown: "v9" },
          { timestamp: "now" }, { timestamp: -5 }, { webhook: "not a url at all" }, { baseUrl: 7 },
          { baseUrls: { dingtalk: "http://127.0.0.1:9" } }, { retries: 0 }, { webhookurl: "k0123456789" },
        ]),
      ],
      codes: "INVALID_CONFIG",
    }),
  ];
  return Array.from({ length: count }, (_, i) => ({ i, ...makers[i % makers.length]() }));
}

/** Render every example on every platform; returns { "name/platform": result }. */
export function renderAll(render, examples, platforms = PLATFORMS) {
  const out = {};
  for (const ex of examples) for (const p of platforms) out[`${ex.name}/${p}`] = render(ex.message, p);
  return out;
}
