// Long messages cross into the wasm by TextEncoder.encodeInto (from 512 UTF-16 units on; shorter
// ones by wasm-bindgen's copy): whatever the string holds, and wherever its first non-ASCII
// character falls (the first buffer holds one byte a unit, the rest goes into a second one), the
// message read is the message given.
import assert from "node:assert/strict";
import test from "node:test";
import { render, UnifiedMessage } from "webhook-push";

// JSON.stringify(message) is 39 units plus the text: around the 512 threshold and far past it
const LENGTHS = [400, 471, 472, 473, 474, 600, 4099, 1 << 16];
const TAILS = { ascii: "", cjk: "告警", emoji: "🚀", mixed: "é中🚀\n\"\\\t\u0001" };

/** A text of `n` UTF-16 units: ASCII (with escapes) and, from `at` on, `tail` repeated. */
function text(n, at, tail) {
  const head = "ab\ncd \"q\" \\ [x](https://e.com) ".repeat(Math.ceil(n / 32)).slice(0, at);
  let s = head;
  while (s.length < n) s += tail || "z";
  s = s.slice(0, n);
  // not half of a surrogate pair
  return /[\ud800-\udbff]$/.test(s) ? s.slice(0, -1) : s;
}

test("a long message reads as given, wherever its non-ASCII characters are", () => {
  for (const n of LENGTHS) {
    for (const [kind, tail] of Object.entries(TAILS)) {
      // non-ASCII from the start, in the middle, near the end, at the last unit
      for (const at of [0, n >> 1, n - 3, n - 1, n]) {
        const t = text(n, Math.max(0, at), tail);
        const message = { content: { type: "text", body: { text: t } }, metadata: { message_id: `m-${kind}` } };
        const where = `${kind} n=${n} at=${at}`;
        assert.deepStrictEqual(new UnifiedMessage(message).toJSON(), message, where);
        if (Buffer.byteLength(t) <= 4000) {
          const r = render(message, "dingtalk");
          assert.equal(r.payloads.length, 1, where);
          assert.equal(r.payloads[0].text.content, t, where);
        }
      }
    }
  }
});

test("a lone surrogate is read the same way in a short and in a long message", () => {
  const outcome = (n) => {
    const message = { content: { type: "text", body: { text: "a".repeat(n) + "\ud800" + "b" } } };
    try {
      new UnifiedMessage(message);
      return "read";
    } catch (e) {
      return e.code;
    }
  };
  const short = outcome(10);
  assert.ok(short === "read" || short === "INVALID_MESSAGE", short);
  assert.equal(outcome(5000), short);
});

test("4 KB of short lines renders whole on DingTalk", () => {
  const t = "a\n".repeat(2000);
  const r = render({ content: { type: "text", body: { text: t } } }, "dingtalk", { overflow: "split" });
  assert.equal(r.payloads.length, 1);
  assert.equal(r.payloads[0].text.content, t);
});
