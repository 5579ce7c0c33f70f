// The fetch transport's answer reading (pkg-template/host.js), in every runtime that posts through
// fetch: Node (WEBHOOK_PUSH_TRANSPORT=fetch), Deno, Bun and workerd, from the packed package,
// against raw loopback servers that frame their answers each their own way. An answer with a
// Content-Length within the cap and no Content-Encoding, from the runtime's own fetch, is read
// whole by arrayBuffer() (the cheap path: bench/LEVERS.md, "Send in Deno, Bun and workerd");
// chunked and compressed ones through the capped stream reader; a server that sends more than
// it declared, less, or stalls mid-body still ends as it must (the runtime's HTTP client stops
// at the declared length: the assumption the arrayBuffer() path rests on, checked here).
//
//   bash scripts/pack-install.sh target/consumer
//   node --test tests/e2e/transport.test.mjs        (E2E_RUNTIMES=deno,bun for a subset)
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import zlib from "node:zlib";
import { after, before, describe, test } from "node:test";
import { HERE, ROOT, runChild, runWorker, toolBin } from "./harness.mjs";

const OK = '{"errcode":0,"errmsg":"ok"}';
const TIMEOUT_MS = 1500;
const HUGE = 300 * 1024 * 1024;

/** Each case's answer, written on the raw socket once the request is in. */
const ANSWERS = {
  length: (s) => s.end(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${OK.length}\r\nConnection: close\r\n\r\n${OK}`),
  chunked: (s) => s.end(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${OK.length.toString(16)}\r\n${OK}\r\n0\r\n\r\n`),
  gzip: (s) => {
    const gz = zlib.gzipSync(OK);
    s.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: ${gz.length}\r\nConnection: close\r\n\r\n`);
    s.end(gz);
  },
  // says 27 bytes and chunked both, then sends 300 MB of chunks: Deno, Bun and workerd frame by the
  // chunks and still report the 27 (Node's fetch refuses such an answer)
  both: (s) => {
    s.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${OK.length}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`);
    const junk = Buffer.alloc(1 << 20, 0x7b);
    const chunk = Buffer.concat([Buffer.from(`${junk.length.toString(16)}\r\n`), junk, Buffer.from("\r\n")]);
    let sent = 0;
    const pump = () => {
      while (sent < HUGE && !s.destroyed) {
        sent += junk.length;
        if (!s.write(chunk)) return void s.once("drain", pump);
      }
      s.end("0\r\n\r\n");
    };
    pump();
  },
  // says 27 bytes, then keeps sending 300 MB on the connection
  longer: (s) => {
    s.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${OK.length}\r\n\r\n${OK}`);
    const junk = Buffer.alloc(1 << 20, 0x7b);
    let sent = 0;
    const pump = () => {
      while (sent < HUGE && !s.destroyed) {
        sent += junk.length;
        if (!s.write(junk)) return void s.once("drain", pump);
      }
      s.end();
    };
    pump();
  },
  // says 100 bytes, sends 27 and closes
  shorter: (s) => s.end(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n${OK}`),
  // says 27 bytes, sends 10 and waits
  stall: (s) => s.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${OK.length}\r\n\r\n${OK.slice(0, 10)}`),
};

function startServer() {
  const sockets = new Set();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => {});
    let head = "";
    s.on("data", function onData(d) {
      head += d.toString("latin1");
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head.slice(0, end))?.[1] ?? 0);
      if (head.length - end - 4 < length) return;
      s.off("data", onData);
      const name = /^POST \/([a-z]+)\//.exec(head)?.[1];
      (ANSWERS[name] ?? ((x) => x.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")))(s);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        base: `http://127.0.0.1:${server.address().port}`,
        close: () => new Promise((r) => (server.close(r), sockets.forEach((x) => x.destroy()))),
      }),
    ),
  );
}

function transportDir(ctx, name, files) {
  const dir = path.join(ctx.consumer, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const [from, to] of files) fs.copyFileSync(path.join(HERE, from), path.join(dir, to));
  return dir;
}
const childFiles = [["transport.mjs", "transport.mjs"], ["transport-run.mjs", "transport-run.mjs"]];

const RUNTIMES = [
  { name: "node-esm", run: (ctx, plan) => runChild(process.execPath, ["transport-run.mjs"], { cwd: transportDir(ctx, "e2e-transport", childFiles), plan, env: { WEBHOOK_PUSH_TRANSPORT: "fetch" } }) },
  {
    name: "deno",
    run: (ctx, plan) =>
      runChild(toolBin("deno"), ["run", "--no-lock", "--no-prompt", "--allow-net=127.0.0.1", "--allow-env", "transport-run.mjs"], {
        cwd: transportDir(ctx, "e2e-transport", childFiles),
        plan,
        env: { DENO_DIR: `${ctx.consumer}/.deno-cache` },
      }),
  },
  { name: "bun", run: (ctx, plan) => runChild(toolBin("bun"), ["--no-install", "run", "transport-run.mjs"], { cwd: transportDir(ctx, "e2e-transport", childFiles), plan, env: { BUN_RUNTIME_TRANSPILER_CACHE_PATH: "0" } }) },
  { name: "workerd", run: (ctx, plan) => runWorker({ dir: transportDir(ctx, "e2e-transport-worker", [["transport.mjs", "scenarios.mjs"], ["transport-worker.mjs", "worker.mjs"]]), pkgDir: ctx.pkgDir, plan }) },
];
const selected = process.env.E2E_RUNTIMES ? process.env.E2E_RUNTIMES.split(",") : null;

let ctx;
let server;
before(async () => {
  const consumer = path.resolve(ROOT, process.env.E2E_CONSUMER || "target/consumer");
  const pkgDir = path.join(consumer, "node_modules", "webhook-push");
  if (!fs.existsSync(path.join(pkgDir, "package.json"))) throw new Error(`${pkgDir} is missing: run scripts/pack-install.sh (or set E2E_CONSUMER)`);
  ctx = { consumer, pkgDir };
  server = await startServer();
});
after(() => server?.close());

for (const rt of RUNTIMES) {
  describe(`fetch transport: ${rt.name}`, { skip: selected && !selected.includes(rt.name) ? "not in E2E_RUNTIMES" : false }, () => {
    let run;
    let byName;
    before(async () => {
      run = await rt.run(ctx, { base: server.base, timeoutMs: TIMEOUT_MS, cases: Object.keys(ANSWERS) });
      byName = Object.fromEntries((run.report?.cases ?? []).map((c) => [c.name, c]));
    });
    const brief = (c) => JSON.stringify(c);

    test("the runtime ran every case and exited cleanly", () => {
      assert.equal(run.killedBy, null, `${rt.name}: ${run.killedBy}\n${run.stderr.slice(-3000)}`);
      assert.ok(run.report, `${rt.name}: no report (code ${run.code})\n${run.stderr.slice(-3000)}`);
      assert.equal(run.report.cases.length, Object.keys(ANSWERS).length);
    });

    test("a declared length within the cap, as sent: read whole by arrayBuffer(), no stream reader", () => {
      const c = byName.length;
      assert.equal(c.success, true, brief(c));
      assert.equal(c.arrayBuffer, 1, `arrayBuffer() once: ${brief(c)}`);
      assert.equal(c.getReader, 0, `no stream reader: ${brief(c)}`);
    });

    test("chunked and compressed answers go through the capped stream reader", () => {
      for (const name of ["chunked", "gzip"]) {
        const c = byName[name];
        assert.equal(c.success, true, brief(c));
        assert.equal(c.arrayBuffer, 0, `${name}: not arrayBuffer(): ${brief(c)}`);
        assert.ok(c.getReader >= 1, `${name}: the stream reader: ${brief(c)}`);
      }
    });

    test("a server sending 300 MB past its Content-Length: the runtime stops at the declared length", () => {
      const c = byName.longer;
      assert.equal(c.success, true, brief(c));
      assert.ok(c.ms < TIMEOUT_MS, `within the timeout: ${brief(c)}`);
    });

    test("Content-Length and Transfer-Encoding both, 300 MB of chunks: not read whole, refused at the cap", () => {
      const c = byName.both;
      assert.equal(c.success, false, brief(c));
      assert.equal(c.code, "NETWORK_ERROR", brief(c));
      assert.equal(c.arrayBuffer, 0, `not arrayBuffer(): ${brief(c)}`);
      // Node's fetch refuses the answer before any body is read; the others stream it, capped
      if (rt.name !== "node-esm") {
        assert.ok(c.getReader >= 1, `the stream reader: ${brief(c)}`);
        assert.match(c.message, /larger than \d+ bytes/, brief(c));
      }
      assert.ok(c.ms < TIMEOUT_MS, `within the timeout: ${brief(c)}`);
    });

    test("a body shorter than declared is a network error; one that stalls times out", () => {
      assert.equal(byName.shorter.success, false, brief(byName.shorter));
      assert.equal(byName.shorter.code, "NETWORK_ERROR", brief(byName.shorter));
      assert.equal(byName.stall.success, false, brief(byName.stall));
      assert.equal(byName.stall.code, "TIMEOUT", brief(byName.stall));
      assert.ok(byName.stall.ms < TIMEOUT_MS + 1000, brief(byName.stall));
    });
  });
}
