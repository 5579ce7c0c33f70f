// 1000 bad inputs: each must throw a real Error with a known .code (never a trap, a thrown
// string or a result), and the instance must keep working afterwards.
import assert from "node:assert/strict";
import test from "node:test";
import { render, UnifiedMessage } from "webhook-push";
import { badInputs, describe, expectTypedError, loadExamples, renderAll } from "./shared.mjs";

const COUNT = 1000;

test(`${COUNT} bad inputs each throw a typed error, and render still works afterwards`, () => {
  const examples = loadExamples();
  const baseline = renderAll(render, examples);
  const cases = badInputs(COUNT);
  assert.equal(cases.length, COUNT);
  const failures = [];
  for (const c of cases) {
    const where = `#${c.i} ${c.label} (${c.args.map(describe).map((s) => s.slice(0, 60)).join(", ")})`;
    try {
      expectTypedError(() => render(...c.args), c.codes, where, c.path);
    } catch (e) {
      failures.push(e.message);
    }
    // The constructor validates with the same rules: same code, same path.
    if (c.i % 10 === 0 && c.args.length === 2 && c.codes === "INVALID_MESSAGE") {
      try {
        expectTypedError(() => new UnifiedMessage(c.args[0]), c.codes, `new UnifiedMessage: ${where}`, c.path);
      } catch (e) {
        failures.push(e.message);
      }
    }
    if (c.i % 50 === 49) {
      const r = render(examples[0].message, "wecom");
      assert.deepStrictEqual(r, baseline[`${examples[0].name}/wecom`], `render still works after #${c.i}`);
    }
  }
  assert.deepStrictEqual(failures.slice(0, 15), [], `${failures.length} of ${COUNT} bad inputs misbehaved; first ones listed`);
  // Nothing leaked into the instance: every example renders exactly as before.
  assert.deepStrictEqual(renderAll(render, examples), baseline);
  for (const ex of examples) new UnifiedMessage(ex.message).free();
});
