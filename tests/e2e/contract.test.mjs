// The host contract (issue 8): the packed package, given a host `fetch` that throws, returns junk,
// never settles, ignores its AbortSignal, redirects, or answers 300 MB, and a dedup store that
// hangs or throws, in Node, Deno, Bun and workerd. Every send / sendMulti / sendAuto settles with a coded
// result, nothing throws, bodies are read only up to a cap, redirects are not followed, and no
// credential (key, secret, signature) is in any result or in the runtime's output.
//
//   bash scripts/pack-install.sh target/consumer
//   node --test tests/e2e/contract.test.mjs        (E2E_RUNTIMES=node-esm,deno,bun,workerd for a subset)
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { before, describe, test } from "node:test";
import { HERE, ROOT, runChild, runWorker, toolBin } from "./harness.mjs";

const CODES = new Set(["INVALID_MESSAGE", "INVALID_CONFIG", "UNKNOWN_PLATFORM", "UNSUPPORTED", "RATE_LIMIT", "NETWORK_ERROR", "TIMEOUT", "PLATFORM_ERROR", "DUPLICATE"]);

/** A directory next to the scenario one, with the contract files under the names a runner imports. */
function contractDir(ctx, name, files) {
  const dir = path.join(ctx.consumer, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const [from, to] of files) fs.copyFileSync(path.join(HERE, from), path.join(dir, to));
  return dir;
}

const RUNTIMES = [
  {
    name: "node-esm",
    run: (ctx, plan) => runChild(process.execPath, ["contract-run.mjs"], { cwd: contractDir(ctx, "e2e-contract", [["contract.mjs", "contract.mjs"], ["contract-run.mjs", "contract-run.mjs"]]), plan }),
  },
  {
    name: "deno",
    run: (ctx, plan) =>
      runChild(toolBin("deno"), ["run", "--no-lock", "--no-prompt", "--allow-net=127.0.0.1", "--allow-env", "contract-run.mjs"], {
        cwd: contractDir(ctx, "e2e-contract", [["contract.mjs", "contract.mjs"], ["contract-run.mjs", "contract-run.mjs"]]),
        plan,
        env: { DENO_DIR: `${ctx.consumer}/.deno-cache` },
      }),
  },
  {
    // Bun posts through its own fetch too (node.mjs leaves a fetch that is not Node's to fetch)
    name: "bun",
    run: (ctx, plan) =>
      runChild(toolBin("bun"), ["--no-install", "run", "contract-run.mjs"], {
        cwd: contractDir(ctx, "e2e-contract-bun", [["contract.mjs", "contract.mjs"], ["contract-run.mjs", "contract-run.mjs"]]),
        plan,
        env: { BUN_RUNTIME_TRANSPILER_CACHE_PATH: "0" },
      }),
  },
  {
    name: "workerd",
    run: (ctx, plan) =>
      runWorker({ dir: contractDir(ctx, "e2e-contract-worker", [["contract.mjs", "scenarios.mjs"], ["contract-worker.mjs", "worker.mjs"]]), pkgDir: ctx.pkgDir, plan }),
  },
];
const selected = process.env.E2E_RUNTIMES ? process.env.E2E_RUNTIMES.split(",") : null;

const rand = (n) => crypto.randomBytes(n).toString("hex");
function makePlan() {
  return {
    bots: {
      wecom: { key: "WK" + rand(12) },
      dingtalk: { key: "DT" + rand(12), secret: "SEC" + rand(16) },
      feishu: { key: "FH" + rand(12), secret: "SEC" + rand(16) },
    },
    // nothing listens there: every request goes to the stubs
    base: "http://127.0.0.1:9",
    imageUrl: "http://127.0.0.1:9/img",
    timeoutMs: 300,
    // a liveness guard only (a send's own budget is about 1.3 s): past it a send is "pending"
    guardMs: 20_000,
  };
}

/** Every credential the run could leak: keys, secrets, and the signatures the stubs were given. */
function credentials(plan, report) {
  const out = new Set();
  for (const b of Object.values(plan.bots)) {
    out.add(b.key);
    if (b.secret) out.add(b.secret);
  }
  for (const u of report.seenUrls) {
    const sign = new URL(u).searchParams.get("sign");
    if (sign) out.add(sign).add(encodeURIComponent(sign)).add(encodeURIComponent(encodeURIComponent(sign)));
  }
  for (const b of report.seenBodies) {
    try {
      const sign = JSON.parse(b).sign;
      if (sign) out.add(sign).add(encodeURIComponent(sign));
    } catch {}
  }
  return [...out].filter((c) => c.length >= 8);
}

/** The SendResults inside a settled send / sendMulti / sendAuto value. */
const resultsOf = (v) => (Array.isArray(v?.results) ? v.results : [v]);

function coded(r, where) {
  assert.ok(r && typeof r === "object", `${where}: a result object`);
  if (r.success) return;
  assert.ok(r.error && CODES.has(r.error.code), `${where}: a coded error (${JSON.stringify(r).slice(0, 400)})`);
  assert.ok(typeof r.error.message === "string" && r.error.message.length > 0, `${where}: a message`);
}

// The consumer project as e2e.test.mjs finds it, but only directories of our own in it (the two
// test files may run at once; prepareConsumer() would empty the other's e2e/).
let ctx;
before(() => {
  const consumer = path.resolve(ROOT, process.env.E2E_CONSUMER || "target/consumer");
  const pkgDir = path.join(consumer, "node_modules", "webhook-push");
  if (!fs.existsSync(path.join(pkgDir, "package.json"))) {
    throw new Error(`${pkgDir} is missing: run scripts/pack-install.sh (or set E2E_CONSUMER)`);
  }
  ctx = { consumer, pkgDir };
});

for (const rt of RUNTIMES) {
  describe(`host contract: ${rt.name}`, { skip: selected && !selected.includes(rt.name) ? "not in E2E_RUNTIMES" : false }, () => {
    let plan;
    let run;
    before(async () => {
      plan = makePlan();
      run = await rt.run(ctx, plan);
    });

    test("the runtime ran the whole contract and exited cleanly", () => {
      assert.equal(run.killedBy, null, `${rt.name}: ${run.killedBy}\n${run.stderr.slice(-3000)}`);
      assert.ok(run.report, `${rt.name}: no report (code ${run.code})\n${run.stderr.slice(-3000)}`);
      assert.equal(run.code, 0, `exit code\n${run.stderr.slice(-3000)}`);
      assert.ok(!/uncaught|unhandled/i.test(run.stderr), `nothing uncaught:\n${run.stderr.slice(-3000)}`);
    });

    test("every send, sendMulti and sendAuto settles with a coded result, whatever fetch does", () => {
      assert.ok(run.report.cases.length >= 16);
      for (const c of run.report.cases) {
        for (const s of c.settled) {
          const where = `${c.name} / ${s.what}`;
          assert.ok(!s.pending, `${where}: still pending after ${plan.guardMs} ms`);
          assert.equal(s.threw, undefined, `${where}: threw ${s.threw}`);
          for (const r of resultsOf(s.value)) {
            coded(r, where);
            if (c.expectCode) assert.equal(r.error?.code, c.expectCode, `${where}: ${JSON.stringify(r.error)}`);
          }
        }
      }
      // a Response-like answer without (readable) headers is still read: those two may deliver
      const failing = run.report.cases.filter((c) => !["no headers", "headers.get throws"].includes(c.name));
      for (const c of failing) {
        for (const s of c.settled) for (const r of resultsOf(s.value)) assert.equal(r.success, false, `${c.name} / ${s.what}: not delivered`);
      }
    });

    test("redirects are not followed and are reported with the status and location", () => {
      const c = run.report.cases.find((x) => x.name.startsWith("redirects"));
      assert.equal(c.followed, 0, "no request was let follow a redirect");
      for (const m of run.report.redirectModes) assert.ok(m === "manual" || m === "error", `redirect mode ${m}`);
      for (const s of c.settled) {
        for (const r of resultsOf(s.value)) {
          assert.match(r.error.message, /307/);
          assert.match(r.error.message, /evil\.example/);
          assert.equal(r.retrySuggested, false);
        }
      }
    });

    test("a 300 MB answer and a huge chunked image are read only up to a cap", () => {
      const c = run.report.cases.find((x) => x.name === "answers 300 MB");
      assert.ok(c.pulled.length > 0);
      for (const p of c.pulled) assert.ok(p < c.bounded, `read ${p} bytes of 300 MB`);
      const [img] = run.report.images;
      assert.ok(!img.pending && !img.threw, JSON.stringify(img));
      assert.ok(img.pulled < 16 * 1024 * 1024, `read ${img.pulled} bytes of the 64 MB image`);
      assert.equal(img.value.success, true, "the message still goes (degraded)");
      assert.ok(img.value.degraded.some((d) => /larger than/.test(d.reason)), JSON.stringify(img.value.degraded));
    });

    test("a Content-Length is not trusted: one that lies is read capped, a huge one is not read", () => {
      const names = ["Content-Length lies (says 27, streams 300 MB)", "Content-Length lies, with a URL set on the Response", "Content-Length lies, from a subclass of Response with a URL", "declares a huge Content-Length"];
      for (const name of names) {
        const c = run.report.cases.find((x) => x.name === name);
        assert.ok(c, name);
        for (const p of c.pulled) assert.ok(p < c.bounded, `${name}: read ${p} bytes of 300 MB`);
        for (const s of c.settled) for (const r of resultsOf(s.value)) assert.equal(r.error?.code, "NETWORK_ERROR", `${name} / ${s.what}: ${JSON.stringify(r.error)}`);
      }
    });

    test("a dedup store that hangs or throws does not hold a delivered message", () => {
      assert.equal(run.report.stores.length, 3);
      for (const s of run.report.stores) {
        assert.ok(!s.pending && !s.threw, `${s.name}: ${JSON.stringify(s)}`);
        assert.equal(s.value.success, true, `${s.name}: delivered and reported so`);
      }
    });

    test("botId: one identity per bot, never the credential", () => {
      const ids = run.report.botIds;
      assert.equal(new Set(ids).size, 1, JSON.stringify(ids));
      assert.match(ids[0], /^wecom:[0-9a-f]{32}$/);
      assert.equal(run.report.botIdBad, "INVALID_CONFIG");
    });

    test("the constructor's error for a bad baseUrls name does not echo it", () => {
      assert.equal(run.report.ctorError?.code, "INVALID_CONFIG", JSON.stringify(run.report.ctorError));
      assert.ok(!run.report.ctorError.message.includes(plan.bots.wecom.key.slice(0, 8)), run.report.ctorError.message);
    });

    test("no credential in any result, error or output line", () => {
      const creds = credentials(plan, run.report);
      assert.ok(creds.length >= 5, "signatures were seen (DingTalk in the URL, Feishu in the body)");
      const results = JSON.stringify([run.report.cases, run.report.images, run.report.stores, run.report.botIds, run.report.ctorError]);
      const output = run.lines.join("\n");
      for (const c of creds) {
        assert.ok(!results.includes(c), `a credential (${c.slice(0, 4)}…) is in a result`);
        assert.ok(!output.includes(c), `a credential (${c.slice(0, 4)}…) is in the output`);
      }
    });
  });
}
