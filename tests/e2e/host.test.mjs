// The host layer (src/host.rs) in Node, from the packed package:
// - a timer raced against a coordinator call is cleared when the call answers (a pending one
//   held the process open for `timeout` ms after the send resolved);
// - a GET of the user's own image or file URL follows redirects (within fetch's own limit),
//   while a request that carries a credential or a signature still refuses them.
//
//   bash scripts/pack-install.sh target/consumer && node --test tests/e2e/host.test.mjs
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, test } from "node:test";
import { startMockPlatforms } from "../mock/platforms.mjs";
import { ROOT, makePng, md5 } from "./harness.mjs";

const pkgDir = path.resolve(ROOT, process.env.E2E_CONSUMER || "target/consumer", "node_modules", "webhook-push");
const entry = path.join(pkgDir, "node.mjs");
const NO_RETRY = { maxRetries: 0, initialDelay: 10, maxDelay: 10, backoffMultiplier: 2, jitter: 0 };

let wp;
let mock;
let assets;

/** Assets on loopback, some behind redirects; every request is counted. */
async function startRedirectingAssets() {
  const png = makePng();
  const report = Buffer.from("name,value\nalpha,1\n".repeat(30), "utf8");
  const hits = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url);
    const go = (status, to) => res.writeHead(status, { Location: to }).end();
    if (req.url === "/r/pixel") return go(302, "/r/pixel-2");
    if (req.url === "/r/pixel-2") return go(301, "/pixel.png");
    if (req.url === "/r/report") return go(307, "/report.txt");
    if (req.url === "/loop") return go(302, "/loop");
    const body = req.url === "/pixel.png" ? png : req.url === "/report.txt" ? report : null;
    if (!body) return res.writeHead(404).end("not found");
    res.writeHead(200, { "Content-Length": body.length }).end(body);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    png,
    report,
    hits,
    close: () => new Promise((r) => { server.close(() => r()); server.closeAllConnections(); }),
  };
}

before(async () => {
  assert.ok(fs.existsSync(entry), `${entry} is missing: run scripts/pack-install.sh`);
  wp = await import(pathToFileURL(entry).href);
  mock = await startMockPlatforms({ strict: true });
  assets = await startRedirectingAssets();
});

after(async () => {
  await mock?.close();
  await assets?.close();
});

const wecomBot = () => mock.addBot({ platform: "wecom", key: `k-${crypto.randomUUID()}` });

// The child sends once with a coordinator whose calls answer at once, then lists what is still
// pending in its event loop. A timer left behind by a coordinator call keeps Node alive until
// it fires (`timeout` ms: here 60 s).
const CHILD = `
const wp = await import(process.env.PKG);
const calls = [];
const coordinator = {
  acquire: async () => (calls.push("acquire"), { waitMs: 0 }),
  claim: async () => (calls.push("claim"), "new"),
  settle: async () => { calls.push("settle"); },
};
const sender = new wp.MessageSender({ baseUrls: { wecom: process.env.BASE }, timeout: 60000, coordinator });
const msg = { content: { type: "text", body: { text: "timers" } }, metadata: { message_id: "timers-1" } };
const r = await sender.send(msg, "wecom", process.env.KEY);
await new Promise((res) => setImmediate(res));
const pending = process.getActiveResourcesInfo().filter((x) => x === "Timeout").length;
console.log(JSON.stringify({ success: r.success, error: r.error, degraded: r.degraded, calls, pending }));
process.exit(0);
`;

describe("host timers (Node)", () => {
  test("no timer is left pending after a send with a coordinator", { timeout: 120_000 }, async () => {
    const bot = wecomBot();
    const { code, out, err } = await nodeChild(CHILD, { PKG: pathToFileURL(entry).href, BASE: mock.url, KEY: bot.key });
    assert.equal(code, 0, err);
    const report = JSON.parse(out.trim().split("\n").pop());
    assert.equal(report.success, true, JSON.stringify(report.error));
    assert.deepStrictEqual(report.degraded, []);
    assert.deepStrictEqual(report.calls, ["claim", "acquire", "settle"], "every coordinator call was made");
    assert.equal(report.pending, 0, "a timer of a coordinator call is still pending after the send");
    assert.equal(mock.receivedFor("wecom", bot.key).length, 1);
  });
});

describe("redirects (Node)", () => {
  const sender = () => new wp.MessageSender({ baseUrls: mock.baseUrls, retryPolicy: NO_RETRY, timeout: 5000 });

  test("an image URL behind two redirects is fetched and sent as the image", async () => {
    const bot = wecomBot();
    const r = await sender().send({ content: { type: "image", body: { url: `${assets.url}/r/pixel` } } }, "wecom", bot.key);
    assert.equal(r.success, true, JSON.stringify(r.error));
    assert.deepStrictEqual(r.degraded, [], "not degraded to news");
    const [rec] = mock.receivedFor("wecom", bot.key);
    assert.equal(rec.body.msgtype, "image");
    assert.equal(rec.body.image.base64, assets.png.toString("base64"));
    assert.equal(rec.body.image.md5, md5(assets.png));
  });

  test("a file URL behind a redirect is uploaded with its bytes", async () => {
    const bot = wecomBot();
    const r = await sender().send(
      { content: { type: "file", body: { url: `${assets.url}/r/report`, name: "report.txt" } } },
      "wecom",
      bot.key,
    );
    assert.equal(r.success, true, JSON.stringify(r.error));
    assert.deepStrictEqual(r.degraded, [], "not degraded to a link");
    const recs = mock.receivedFor("wecom", bot.key);
    assert.deepStrictEqual(recs.map((x) => x.path), ["/cgi-bin/webhook/upload_media", "/cgi-bin/webhook/send"]);
    assert.equal(recs[0].body.md5, md5(assets.report));
  });

  test("a redirect loop is bounded by fetch's limit: the image is degraded, the message still goes", async () => {
    const bot = wecomBot();
    const before = assets.hits.filter((h) => h === "/loop").length;
    const r = await sender().send({ content: { type: "image", body: { url: `${assets.url}/loop` } } }, "wecom", bot.key);
    const hops = assets.hits.filter((h) => h === "/loop").length - before;
    assert.ok(hops > 1 && hops <= 25, `the loop was followed, within a limit (${hops} requests)`);
    assert.equal(r.success, true, JSON.stringify(r.error));
    assert.equal(r.degraded.length, 1);
    assert.equal(r.degraded[0].from, "image");
    assert.match(r.degraded[0].reason, /could not be fetched/);
  });

  test("a webhook POST that is redirected is still not followed (it carries the key)", async () => {
    const bot = wecomBot();
    const hits = [];
    const relay = http.createServer((req, res) => {
      hits.push(req.method);
      req.resume();
      res.writeHead(307, { Location: `${mock.url}${req.url}` }).end();
    });
    await new Promise((r) => relay.listen(0, "127.0.0.1", r));
    try {
      const s = new wp.MessageSender({ baseUrls: { wecom: `http://127.0.0.1:${relay.address().port}` }, retryPolicy: NO_RETRY, timeout: 5000 });
      const r = await s.send({ content: { type: "text", body: { text: "no redirect" } } }, "wecom", bot.key);
      assert.equal(r.success, false);
      assert.equal(r.error.code, "PLATFORM_ERROR");
      assert.match(r.error.message, /redirects are not followed/);
      assert.ok(!JSON.stringify(r).includes(bot.key), "the key is not in the result");
      assert.deepStrictEqual(hits, ["POST"]);
      assert.equal(mock.receivedFor("wecom", bot.key).length, 0, "the post did not reach the redirect's target");
    } finally {
      await new Promise((r) => { relay.close(() => r()); relay.closeAllConnections(); });
    }
  });
});

describe("the request helper (Node)", () => {
  // A real server whose Content-Length is not what it sends: the answer's header comes first, then
  // up to 64 MB, written as fast as the client takes it, until the client closes the connection.
  async function lyingServer(head, chunked) {
    const conns = [];
    const server = net.createServer((sock) => {
      const conn = { written: 0, closed: false, sock };
      conns.push(conn);
      // (fetch may open a spare connection that never carries a request: only those that do count)
      sock.on("error", () => {});
      sock.on("close", () => (conn.closed = true));
      sock.once("data", () => {
        conn.asked = true;
        sock.write(head);
        const data = Buffer.alloc(64 * 1024, 0x7b);
        const chunk = chunked ? Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from("\r\n")]) : data;
        const pump = () => {
          while (!conn.closed && conn.written < 64 * 1024 * 1024) {
            conn.written += chunk.length;
            if (!sock.write(chunk)) return sock.once("drain", pump);
          }
          if (!conn.closed) sock.end();
        };
        pump();
      });
    });
    await new Promise((r) => server.listen(0, "127.0.0.1", r));
    return { url: `http://127.0.0.1:${server.address().port}`, conns, close: () => new Promise((r) => { server.close(() => r()); for (const c of conns) c.sock.destroy(); }) };
  }

  for (const [name, head, chunked] of [
    ["a Content-Length within the cap that lies is not read past", "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 27\r\n\r\n", false],
    ["a huge Content-Length is refused unread", "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000000000\r\n\r\n", false],
    ["an endless chunked answer is read up to the cap, then the connection is closed", "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n", true],
  ]) {
    test(name, { timeout: 60_000 }, async () => {
      const srv = await lyingServer(head, chunked);
      try {
        const s = new wp.MessageSender({ baseUrls: { wecom: srv.url }, timeout: 5000, retryPolicy: NO_RETRY, rateLimit: false });
        const r = await s.send({ content: { type: "text", body: { text: "lies" } } }, "wecom", "lying-length-key-0001");
        assert.equal(r.success, false, JSON.stringify(r));
        assert.ok(["NETWORK_ERROR", "PLATFORM_ERROR"].includes(r.error?.code), JSON.stringify(r.error));
        assert.ok(!JSON.stringify(r).includes("lying-length-key-0001"), "the key is not in the result");
        const asked = () => srv.conns.filter((c) => c.asked);
        for (let i = 0; i < 100 && !asked().every((c) => c.closed); i++) await new Promise((res) => setTimeout(res, 20));
        assert.ok(asked().length >= 1);
        for (const c of asked()) {
          assert.ok(c.closed, "the connection was closed by the client");
          assert.ok(c.written < 16 * 1024 * 1024, `the server got ${c.written} bytes out before the client closed`);
        }
      } finally {
        await srv.close();
      }
    });
  }

  // A body that keeps coming slowly, from a fetch that ignores its AbortSignal: the send times
  // out on time, and the helper then cancels the body's stream instead of reading on.
  test("a body still arriving when the time runs out is cancelled, not read further", async () => {
    const realFetch = globalThis.fetch;
    let pulls = 0;
    let cancelled = false;
    let stopped = false; // set at the end, so that a failing run does not drip on forever
    const seen = [];
    globalThis.fetch = async (url, init) => {
      seen.push({ url: String(url), redirect: init?.redirect, signal: init?.signal instanceof AbortSignal });
      const stream = new ReadableStream({
        async pull(c) {
          if (stopped) return c.close();
          pulls++;
          await new Promise((r) => setTimeout(r, 20));
          c.enqueue(new Uint8Array([0x20]));
        },
        cancel() {
          cancelled = true;
        },
      });
      return new Response(stream, { status: 200 });
    };
    try {
      const s = new wp.MessageSender({ timeout: 150, retryPolicy: NO_RETRY, rateLimit: false });
      const r = await s.send({ content: { type: "text", body: { text: "drip" } } }, "wecom", "drip-test-key-0001");
      assert.equal(r.success, false);
      assert.equal(r.error?.code, "TIMEOUT", JSON.stringify(r));
      assert.equal(seen.length, 1);
      assert.deepStrictEqual([seen[0].redirect, seen[0].signal], ["manual", true], "no redirect followed; an AbortSignal given");
      await new Promise((r) => setTimeout(r, 100));
      assert.ok(cancelled, "the body's stream was cancelled");
      const n = pulls;
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(pulls, n, "nothing more was read");
      assert.ok(!JSON.stringify(r).includes("drip-test-key-0001"), "the key is not in the result");
    } finally {
      stopped = true;
      globalThis.fetch = realFetch;
    }
  });
});

// The request helper against a host whose globals misbehave (review of the one-Attempt helper):
// every send settles with a coded result, nothing is read after the answer went out, and no
// rejection is left unhandled. The fake fetches stay within this process (no network).
describe("the request helper with misbehaving host globals (Node)", () => {
  const OK = '{"errcode":0,"errmsg":"ok"}';
  const send = (timeout) =>
    new wp.MessageSender({ timeout, retryPolicy: NO_RETRY, rateLimit: false }).send(
      { content: { type: "text", body: { text: "host probe" } } },
      "wecom",
      "host-probe-key-0001",
    );
  /** Runs `fn` with the given globals swapped in, and collects unhandled rejections meanwhile. */
  async function withGlobals(globals, fn) {
    const saved = Object.fromEntries(Object.keys(globals).map((k) => [k, globalThis[k]]));
    const unhandled = [];
    const onUnhandled = (e) => unhandled.push(e);
    process.on("unhandledRejection", onUnhandled);
    Object.assign(globalThis, globals);
    try {
      const r = await fn();
      assert.ok(!JSON.stringify(r).includes("host-probe-key-0001"), "the key is not in the result");
      // a few turns of the event loop, for late rejections to surface
      for (let i = 0; i < 5; i++) await new Promise((res) => setImmediate(res));
      return { r, unhandled };
    } finally {
      Object.assign(globalThis, saved);
      process.off("unhandledRejection", onUnhandled);
    }
  }
  /** A fetch that answers `resp()` only once `release()` is called (after the send timed out). */
  function lateFetch(resp) {
    let release;
    const gate = new Promise((r) => (release = r));
    let calls = 0;
    return {
      fetch: async () => {
        calls++;
        await gate;
        return resp();
      },
      release: () => release(),
      calls: () => calls,
    };
  }

  test("an AbortController whose abort throws: the send still times out", async () => {
    class ThrowingAbort {
      constructor() {
        this.signal = new AbortController().signal;
      }
      abort() {
        throw new Error("abort refuses");
      }
    }
    const { r, unhandled } = await withGlobals({ AbortController: ThrowingAbort, fetch: () => new Promise(() => {}) }, () => send(100));
    assert.equal(r.error?.code, "TIMEOUT", JSON.stringify(r));
    assert.deepStrictEqual(unhandled, []);
  });

  test("no AbortController: a fetch that never settles still times out", async () => {
    const { r, unhandled } = await withGlobals({ AbortController: undefined, fetch: () => new Promise(() => {}) }, () => send(100));
    assert.equal(r.error?.code, "TIMEOUT", JSON.stringify(r));
    assert.deepStrictEqual(unhandled, []);
  });

  test("no AbortController: an answer that comes after the timer is not read", async () => {
    let read = 0;
    const late = lateFetch(() => ({
      status: 200,
      headers: new Headers(),
      get body() {
        throw new Error("no body getter");
      },
      arrayBuffer: async () => {
        read++;
        return new TextEncoder().encode(OK).buffer;
      },
    }));
    const { r, unhandled } = await withGlobals({ AbortController: undefined, fetch: late.fetch }, async () => {
      const r = await send(100);
      late.release();
      for (let i = 0; i < 10; i++) await new Promise((res) => setImmediate(res));
      return r;
    });
    assert.equal(r.error?.code, "TIMEOUT", JSON.stringify(r));
    assert.equal(late.calls(), 1);
    assert.equal(read, 0, "the late answer's body was read by arrayBuffer()");
    assert.deepStrictEqual(unhandled, []);
  });

  test("an answer that comes after the timer has its stream cancelled, even by a cancel that throws", async () => {
    for (const cancel of [() => { throw new Error("cancel refuses"); }, () => new Promise(() => {}), () => Promise.reject(new Error("no"))]) {
      let pulls = 0;
      let cancels = 0;
      const late = lateFetch(() => ({
        status: 200,
        headers: new Headers(),
        body: {
          getReader: () => ({ read: async () => (pulls++, { done: false, value: new Uint8Array(8) }), cancel: () => (cancels++, cancel()) }),
          cancel: () => (cancels++, cancel()),
        },
      }));
      const { r, unhandled } = await withGlobals({ fetch: late.fetch }, async () => {
        const r = await send(100);
        late.release();
        for (let i = 0; i < 10; i++) await new Promise((res) => setImmediate(res));
        return r;
      });
      assert.equal(r.error?.code, "TIMEOUT", JSON.stringify(r));
      assert.equal(pulls, 0, "nothing of the late answer was read");
      assert.ok(cancels >= 1, "its body was cancelled");
      assert.deepStrictEqual(unhandled, []);
    }
  });

  test("a Response whose body getter throws is read by arrayBuffer(); one with nothing readable is an error", async () => {
    const ok = await withGlobals(
      {
        fetch: async () => ({
          status: 200,
          headers: new Headers({ "content-type": "application/json" }),
          get body() {
            throw new Error("body getter refuses");
          },
          arrayBuffer: async () => new TextEncoder().encode(OK).buffer,
        }),
      },
      () => send(5000),
    );
    assert.equal(ok.r.success, true, JSON.stringify(ok.r));
    const bad = await withGlobals(
      {
        fetch: async () => ({
          status: 200,
          headers: new Headers(),
          get body() {
            throw new Error("body getter refuses");
          },
        }),
      },
      () => send(5000),
    );
    assert.equal(bad.r.success, false);
    assert.equal(bad.r.error?.code, "NETWORK_ERROR", JSON.stringify(bad.r));
    assert.deepStrictEqual([...ok.unhandled, ...bad.unhandled], []);
  });

  test("a stream whose cancel throws or never settles: a redirect, a huge length and an endless body still settle", async () => {
    for (const cancel of [() => { throw new Error("cancel refuses"); }, () => new Promise(() => {})]) {
      const endless = () => ({
        getReader: () => ({ read: async () => ({ done: false, value: new Uint8Array(64 * 1024) }), cancel }),
        cancel,
      });
      for (const [status, headers, code] of [
        [302, { location: "http://127.0.0.1:9/elsewhere" }, "PLATFORM_ERROR"],
        [200, { "content-length": "1000000000000" }, "NETWORK_ERROR"],
        [200, {}, "NETWORK_ERROR"],
      ]) {
        const { r, unhandled } = await withGlobals(
          { fetch: async () => ({ status, headers: new Headers(headers), body: endless() }) },
          () => send(5000),
        );
        assert.equal(r.success, false);
        assert.equal(r.error?.code, code, `${status} ${JSON.stringify(headers)}: ${JSON.stringify(r)}`);
        assert.deepStrictEqual(unhandled, []);
      }
    }
  });
});

// host.js's shared request timer (outside Workers one timer serves every request in flight): a
// child process posts through fetch (a stub in place of Node's own, so host-node.mjs's node:http
// transport stays out) and reports what its event loop still holds.
const TIMER_CHILD = `
const OK = '{"errcode":0,"errmsg":"ok"}';
globalThis.fetch = process.env.HANG === "1" ? () => new Promise(() => {}) : async () => new Response(OK, { headers: { "content-type": "application/json" } });
const wp = await import(process.env.PKG);
const sender = new wp.MessageSender({ timeout: Number(process.env.TIMEOUT), rateLimit: false, retryPolicy: { maxRetries: 0 } });
const msg = { content: { type: "text", body: { text: "shared timer" } } };
const results = [];
for (let i = 0; i < 3; i++) results.push(await sender.send(msg, "wecom", "shared-timer-key-0001"));
await new Promise((res) => setImmediate(res));
const pending = process.getActiveResourcesInfo().filter((x) => x === "Timeout").length;
console.log(JSON.stringify({ codes: results.map((r) => (r.success ? "OK" : r.error.code)), pending }));
`;

function timerChild(env) {
  return nodeChild(TIMER_CHILD, { PKG: pathToFileURL(entry).href, ...env });
}

describe("the shared request timer (Node, through fetch)", () => {
  test("no request in flight: the timer holds nothing open", { timeout: 120_000 }, async () => {
    const { code, out, err } = await timerChild({ TIMEOUT: "60000" });
    assert.equal(code, 0, err);
    const report = JSON.parse(out.trim().split("\n").pop());
    assert.deepStrictEqual(report.codes, ["OK", "OK", "OK"]);
    assert.equal(report.pending, 0, "a timer of a request that ended still holds the process open");
  });

  test("a fetch that never settles and holds nothing open still times out (the timer is ref'd while a request is in flight)", { timeout: 120_000 }, async () => {
    const { code, out, err } = await timerChild({ TIMEOUT: "200", HANG: "1" });
    assert.equal(code, 0, `the process ended before the sends settled (exit ${code}) ${err}`);
    const report = JSON.parse(out.trim().split("\n").pop());
    assert.deepStrictEqual(report.codes, ["TIMEOUT", "TIMEOUT", "TIMEOUT"]);
  });

  test("a short timeout begun while a long one is in flight ends first", { timeout: 60_000 }, async () => {
    const saved = globalThis.fetch;
    globalThis.fetch = () => new Promise(() => {});
    try {
      let longDone = false;
      const long = send(4000).then((r) => ((longDone = true), r));
      await new Promise((res) => setTimeout(res, 20));
      assert.equal((await send(100)).error?.code, "TIMEOUT");
      await new Promise((res) => setImmediate(res));
      assert.equal(longDone, false, "the short timeout waited for the long one's deadline");
      assert.equal((await long).error?.code, "TIMEOUT");
    } finally {
      globalThis.fetch = saved;
    }
  });

  test("many requests with mixed timeouts each end at their own", { timeout: 60_000 }, async () => {
    const saved = globalThis.fetch;
    globalThis.fetch = () => new Promise(() => {});
    try {
      // each ends alone: when one has ended, those with longer timeouts are all still in flight
      const order = [];
      const ms = [900, 300, 600, 150, 750, 450];
      const pendingWhenEnded = [];
      await Promise.all(
        ms.map((t) =>
          send(t).then(async (r) => {
            order.push([t, r.error?.code]);
            await new Promise((res) => setImmediate(res));
            pendingWhenEnded.push([t, ms.length - order.length]);
          }),
        ),
      );
      const sorted = [...ms].sort((a, b) => a - b);
      assert.deepStrictEqual(order, sorted.map((t) => [t, "TIMEOUT"]));
      assert.deepStrictEqual(pendingWhenEnded, sorted.map((t, i) => [t, ms.length - 1 - i]));
    } finally {
      globalThis.fetch = saved;
    }
  });
});

/** `script` run as an ES module by a fresh `node` with `env` added: its exit code and output. */
async function nodeChild(script, env) {
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  const code = await new Promise((r) => child.on("exit", r));
  return { code, out, err };
}

/** The package's host.js (wasm-bindgen's snippet copy), for what it exports beside the entries. */
function hostJs() {
  const snippets = path.join(pkgDir, "snippets");
  for (const d of fs.readdirSync(snippets)) {
    const f = path.join(snippets, d, "pkg-template", "host.js");
    if (fs.existsSync(f)) return f;
  }
  throw new Error(`no host.js under ${snippets}`);
}

// node:test's mock.timers in a child (its own timers and host.js's state)
const FAKE_TIMERS_CHILD = `
const { mock } = await import("node:test");
const host = await import(process.env.HOST);
globalThis.fetch = () => new Promise(() => {});
mock.timers.enable({ apis: ["setTimeout"] });
const got = [];
const post = (name, ms) => host.wpPost("http://127.0.0.1:9/" + name, "{}", "application/json", ms, 65536).then((a) => got.push([name, a.kind]));
post("a", 10000);
post("b", 20000);
const turn = () => new Promise((r) => setImmediate(r));
await turn();
mock.timers.tick(10000);
await turn();
const first = [...got];
// the second began a little later in real time, which is when its deadline counts from (the
// timer's own time is not readable): a second more covers it
mock.timers.tick(11000);
await turn();
console.log(JSON.stringify({ first, all: got }));
process.exit(0);
`;

describe("which runtimes share one request timer", () => {
  test("Node, Deno and Bun share it; workerd (with or without a navigator or a process) and unknown runtimes do not", async () => {
    const { perRequestTimers } = await import(pathToFileURL(hostJs()).href);
    const node = { process: { versions: { node: "20.20.0" } } };
    assert.equal(perRequestTimers(node), false);
    assert.equal(perRequestTimers({ Deno: { version: { deno: "2.9.6" } } }), false);
    assert.equal(perRequestTimers({ Bun: { version: "1.4.5" }, process: { versions: { node: "24.3.0" } } }), false);
    // workerd: its navigator; an old compatibility date (no navigator) still has WebSocketPair;
    // nodejs_compat gives it a process naming a Node version
    assert.equal(perRequestTimers({ navigator: { userAgent: "Cloudflare-Workers" }, ...node }), true);
    assert.equal(perRequestTimers({ WebSocketPair: function WebSocketPair() {}, ...node }), true);
    // a browser, or anything not known
    assert.equal(perRequestTimers({ navigator: { userAgent: "Mozilla/5.0" } }), true);
    assert.equal(perRequestTimers({}), true);
    const throwing = Object.defineProperty({}, "WebSocketPair", { get() { throw new Error("no"); } });
    assert.equal(perRequestTimers(throwing), true);
    // this process (Node) shares it
    assert.equal(perRequestTimers(), false);
  });

  test("under fake timers (setTimeout faked, performance.now not), hung requests time out as the time is ticked", { timeout: 60_000 }, async () => {
    // node:test's mock.timers (as Vitest's and sinon's fake timers by default) moves setTimeout's
    // time only: the shared timer must take its own firing as the time having come
    const { code, out, err } = await nodeChild(FAKE_TIMERS_CHILD, { HOST: pathToFileURL(hostJs()).href });
    assert.equal(code, 0, err);
    // kind 2: the time ran out; the 10 s one at 10 s, the 20 s one by 21 s
    assert.deepStrictEqual(JSON.parse(out), { first: [["a", 2]], all: [["a", 2], ["b", 2]] });
  });
});

/** A text send to a WeCom key through the host's fetch, with `timeout` ms and no retry. */
function send(timeout) {
  return new wp.MessageSender({ timeout, retryPolicy: NO_RETRY, rateLimit: false }).send(
    { content: { type: "text", body: { text: "host probe" } } },
    "wecom",
    "host-probe-key-0001",
  );
}
