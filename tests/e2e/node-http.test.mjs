// The Node transport (pkg-template/host-node.mjs), from the packed package: in Node the sender
// posts through node:http while `globalThis.fetch` is Node's own and no undici global dispatcher
// was installed; a replaced fetch (before or after the import), a dispatcher (MockAgent,
// ProxyAgent, an Agent with options), WEBHOOK_PUSH_TRANSPORT=fetch and Bun keep the fetch path.
// Then misbehaving servers on real sockets: every send settles, within the timeout, with a coded
// error, reads at most the cap, closes the connection, and has no credential in its result.
//
// Which transport sent a request is told by what the server sees: Node's fetch (undici) sends
// `sec-fetch-mode: cors` and `user-agent: node`, Bun's fetch `user-agent: Bun/…`, node:http
// `user-agent: node` and `accept: */*` (as fetch, when the caller sets neither) and no
// `sec-fetch-mode`. Within this process, undici's diagnostics channel `undici:request:create` (Node's own
// undici and npm undici both publish on it) counts the requests that went through fetch.
//
//   bash scripts/pack-install.sh target/consumer && node --test tests/e2e/node-http.test.mjs
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import diagnostics from "node:diagnostics_channel";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import zlib from "node:zlib";
import path from "node:path";
import os from "node:os";
import { pathToFileURL } from "node:url";
import { after, before, describe, test } from "node:test";
import { ROOT, toolBin } from "./harness.mjs";

const pkgDir = path.resolve(ROOT, process.env.E2E_CONSUMER || "target/consumer", "node_modules", "webhook-push");
const entry = path.join(pkgDir, "node.mjs");
const NO_RETRY = { maxRetries: 0, initialDelay: 10, maxDelay: 10, backoffMultiplier: 2, jitter: 0 };
const KEY = "node-http-secret-key-0001";
const MSG = { content: { type: "text", body: { text: "node http" } } };
const OK = '{"errcode":0,"errmsg":"ok"}';

let wp;
let server;
/** What the recording server saw: { method, url, headers } per request. */
const seen = [];
/** Requests that went through undici (Node's fetch or npm undici) in this process. */
let undiciRequests = 0;
const onUndici = () => undiciRequests++;

before(async () => {
  assert.ok(fs.existsSync(entry), `${entry} is missing: run scripts/pack-install.sh`);
  diagnostics.subscribe("undici:request:create", onUndici);
  wp = await import(pathToFileURL(entry).href);
  server = http.createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, headers: req.headers });
    req.resume();
    req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end(OK));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
});

after(async () => {
  diagnostics.unsubscribe("undici:request:create", onUndici);
  await new Promise((r) => { server.close(() => r()); server.closeAllConnections(); });
});

const base = () => `http://127.0.0.1:${server.address().port}`;
const sender = (opts = {}) => new wp.MessageSender({ baseUrls: { wecom: base() }, retryPolicy: NO_RETRY, rateLimit: false, timeout: 5000, ...opts });
/** Which transport the last request the server saw came by. */
const transportOf = (h) => (h["sec-fetch-mode"] === "cors" ? "node-fetch" : /^Bun\//.test(h["user-agent"] ?? "") ? "bun-fetch" : h["user-agent"] === "node" && h.accept === "*/*" ? "node-http" : `other (${h["user-agent"]})`);

/** Sends once; what the server saw of it and how many undici requests it made. */
async function sendOnce(s = sender()) {
  const n = seen.length;
  const u = undiciRequests;
  const r = await s.send(MSG, "wecom", KEY);
  assert.equal(r.success, true, JSON.stringify(r));
  assert.equal(seen.length, n + 1, "one request reached the server");
  return { via: transportOf(seen.at(-1).headers), undici: undiciRequests - u, headers: seen.at(-1).headers };
}

/** Runs `code` (an ES module) in a fresh `node` (or `bin`), with PKG and BASE set; its stdout's last line, parsed. */
function child(code, { bin = process.execPath, args = ["--input-type=module", "-e", code], env = {}, cwd } = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn(bin, args, { cwd, env: { ...process.env, PKG: pathToFileURL(entry).href, PKG_DIR: pkgDir, BASE: base(), ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    const t = setTimeout(() => p.kill("SIGKILL"), 30_000);
    p.on("close", (code) => {
      clearTimeout(t);
      if (code !== 0) return reject(new Error(`child exited ${code}: ${err}`));
      try {
        resolve(JSON.parse(out.trim().split("\n").at(-1)));
      } catch {
        reject(new Error(`child printed ${out} ${err}`));
      }
    });
  });
}

describe("which transport (Node)", () => {
  test("a plain import sends through node:http, not fetch", async () => {
    const r = await sendOnce();
    assert.equal(r.via, "node-http", JSON.stringify(r.headers));
    assert.equal(r.undici, 0, "no request went through undici");
    assert.equal(r.headers["content-length"], String(Buffer.byteLength(JSON.stringify({ msgtype: "text", text: { content: "node http" } }))));
  });

  test("after a plain fetch in the same process (Node's undici loaded, its default dispatcher set), still node:http", async () => {
    const u = undiciRequests;
    await (await fetch(`${base()}/plain`)).text();
    assert.equal(undiciRequests, u + 1, "the spy sees fetch's requests");
    assert.notEqual(globalThis[Symbol.for("undici.globalDispatcher.1")], undefined, "Node's undici set its dispatcher");
    const r = await sendOnce();
    assert.equal(r.via, "node-http");
    assert.equal(r.undici, 0);
  });

  test("a fetch replaced after the import is called, and sends as before once restored", async () => {
    const real = globalThis.fetch;
    const calls = [];
    globalThis.fetch = (url, init) => (calls.push(String(url)), real(url, init));
    try {
      const r = await sendOnce();
      assert.equal(calls.length, 1);
      assert.ok(calls[0].startsWith(`${base()}/cgi-bin/webhook/send?key=`));
      assert.equal(r.via, "node-fetch");
    } finally {
      globalThis.fetch = real;
    }
    assert.equal((await sendOnce()).via, "node-http");
  });

  test("a fetch replaced before the import (fresh node) is called", async () => {
    const out = await child(`
      const real = globalThis.fetch;
      let calls = 0;
      globalThis.fetch = async (url, init) => { calls++; return real(url, init); };
      const wp = await import(process.env.PKG);
      const s = new wp.MessageSender({ baseUrls: { wecom: process.env.BASE }, retryPolicy: { maxRetries: 0 }, rateLimit: false });
      const r = await s.send({ content: { type: "text", body: { text: "before" } } }, "wecom", "k-before");
      console.log(JSON.stringify({ calls, success: r.success }));
    `);
    assert.deepStrictEqual(out, { calls: 1, success: true });
    assert.equal(transportOf(seen.at(-1).headers), "node-fetch");
  });

  test("an undici MockAgent set as global dispatcher answers instead of the server", async () => {
    const { MockAgent, getGlobalDispatcher, setGlobalDispatcher } = await import("undici");
    const saved = getGlobalDispatcher();
    const agent = new MockAgent();
    agent.disableNetConnect();
    agent.get(base()).intercept({ path: /^\/cgi-bin\/webhook\/send/, method: "POST" }).reply(200, { errcode: 0, errmsg: "ok" });
    setGlobalDispatcher(agent);
    const n = seen.length;
    try {
      const r = await sender().send(MSG, "wecom", KEY);
      assert.equal(r.success, true, JSON.stringify(r));
      assert.equal(seen.length, n, "the real server saw nothing: the mock answered");
      agent.assertNoPendingInterceptors();
    } finally {
      setGlobalDispatcher(saved);
      await agent.close();
    }
    assert.equal((await sendOnce()).via, "node-http", "Node's default dispatcher back: node:http again");
  });

  test("an undici ProxyAgent set as global dispatcher gets the request", async () => {
    const { ProxyAgent, getGlobalDispatcher, setGlobalDispatcher } = await import("undici");
    const saved = getGlobalDispatcher();
    // a proxy that records the CONNECT and refuses it
    const asked = [];
    const proxy = http.createServer((req, res) => res.writeHead(405).end());
    proxy.on("connect", (req, sock) => {
      asked.push(req.url);
      sock.end("HTTP/1.1 403 Forbidden\r\n\r\n");
    });
    await new Promise((r) => proxy.listen(0, "127.0.0.1", r));
    const agent = new ProxyAgent(`http://127.0.0.1:${proxy.address().port}`);
    setGlobalDispatcher(agent);
    const n = seen.length;
    try {
      const r = await sender().send(MSG, "wecom", KEY);
      assert.equal(r.success, false);
      assert.equal(r.error.code, "NETWORK_ERROR", JSON.stringify(r));
      assert.ok(!JSON.stringify(r).includes(KEY));
      assert.deepStrictEqual(asked, [`127.0.0.1:${server.address().port}`], "the request went to the proxy");
      assert.equal(seen.length, n, "not straight to the server");
    } finally {
      setGlobalDispatcher(saved);
      await agent.close();
      await new Promise((r) => { proxy.close(() => r()); proxy.closeAllConnections(); });
    }
  });

  test("an undici Agent with options set as global dispatcher is used (fetch); a plain Agent is Node's own", async () => {
    const { Agent, getGlobalDispatcher, setGlobalDispatcher } = await import("undici");
    const saved = getGlobalDispatcher();
    const tuned = new Agent({ connect: { timeout: 2000 }, keepAliveTimeout: 1000 });
    setGlobalDispatcher(tuned);
    try {
      const r = await sendOnce();
      assert.equal(r.undici, 1, "through the user's Agent");
      const plain = new Agent();
      setGlobalDispatcher(plain);
      assert.equal((await sendOnce()).via, "node-http", "an Agent without options is what Node puts there");
      await plain.close();
    } finally {
      setGlobalDispatcher(saved);
      await tuned.close();
    }
  });

  test("a composed undici dispatcher (Agent.compose: a Proxy of a plain Agent) keeps fetch: its interceptor runs", async () => {
    const { Agent, getGlobalDispatcher, setGlobalDispatcher } = await import("undici");
    const saved = getGlobalDispatcher();
    let intercepted = 0;
    const composed = new Agent().compose((dispatch) => (opts, handler) => {
      intercepted++;
      return dispatch(opts, handler);
    });
    setGlobalDispatcher(composed);
    try {
      const r = await sendOnce();
      assert.equal(intercepted, 1, "the user's interceptor saw the request");
      assert.equal(r.undici, 1, "through fetch");
    } finally {
      setGlobalDispatcher(saved);
      await composed.close();
    }
  });

  test("WEBHOOK_PUSH_TRANSPORT=fetch keeps fetch (fresh node)", async () => {
    const code = `
      const wp = await import(process.env.PKG);
      const s = new wp.MessageSender({ baseUrls: { wecom: process.env.BASE }, retryPolicy: { maxRetries: 0 }, rateLimit: false });
      const r = await s.send({ content: { type: "text", body: { text: "env" } } }, "wecom", "k-env-0001");
      console.log(JSON.stringify({ success: r.success }));
    `;
    assert.deepStrictEqual(await child(code, { env: { WEBHOOK_PUSH_TRANSPORT: "fetch" } }), { success: true });
    assert.equal(transportOf(seen.at(-1).headers), "node-fetch");
    assert.deepStrictEqual(await child(code), { success: true });
    assert.equal(transportOf(seen.at(-1).headers), "node-http");
  });

  test("CommonJS (node.cjs): node:http, and a replaced fetch is called", async () => {
    const out = await child(`
      const { createRequire } = await import("node:module");
      const require = createRequire(process.env.PKG_DIR + "/");
      const wp = require("./node.cjs");
      const s = new wp.MessageSender({ baseUrls: { wecom: process.env.BASE }, retryPolicy: { maxRetries: 0 }, rateLimit: false });
      const a = await s.send({ content: { type: "text", body: { text: "cjs" } } }, "wecom", "k-cjs-0001");
      const real = globalThis.fetch;
      let calls = 0;
      globalThis.fetch = (u, i) => (calls++, real(u, i));
      const b = await s.send({ content: { type: "text", body: { text: "cjs 2" } } }, "wecom", "k-cjs-0001");
      console.log(JSON.stringify({ a: a.success, b: b.success, calls }));
    `);
    assert.deepStrictEqual(out, { a: true, b: true, calls: 1 });
    const last = seen.slice(-2).map((r) => transportOf(r.headers));
    assert.deepStrictEqual(last, ["node-http", "node-fetch"]);
  });

  test("Bun (node.mjs through the node condition) keeps its fetch", async (t) => {
    const bun = toolBin("bun");
    if (!bun || !fs.existsSync(bun)) return t.skip("bun is not installed");
    const dir = fs.mkdtempSync(path.join(ROOT, "target", "tmp", "node-http-bun-"));
    try {
      fs.writeFileSync(
        path.join(dir, "run.mjs"),
        `const wp = await import(process.env.PKG);
         const s = new wp.MessageSender({ baseUrls: { wecom: process.env.BASE }, retryPolicy: { maxRetries: 0 }, rateLimit: false });
         const r = await s.send({ content: { type: "text", body: { text: "bun" } } }, "wecom", "k-bun-0001");
         console.log(JSON.stringify({ success: r.success }));`,
      );
      const out = await child(null, { bin: bun, args: ["--no-install", "run", "run.mjs"], cwd: dir, env: { BUN_RUNTIME_TRANSPILER_CACHE_PATH: "0" } });
      assert.deepStrictEqual(out, { success: true });
      assert.equal(transportOf(seen.at(-1).headers), "bun-fetch");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("https on the Node transport", () => {
  test("a certificate Node does not trust is a NETWORK_ERROR; with NODE_EXTRA_CA_CERTS it is sent over node:https", { timeout: 60_000 }, async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wp-node-https-"));
    try {
      try {
        execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem"), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
      } catch {
        return t.skip("openssl cannot make a test certificate here");
      }
      const seenTls = [];
      const srv = https.createServer({ key: fs.readFileSync(path.join(dir, "key.pem")), cert: fs.readFileSync(path.join(dir, "cert.pem")) }, (req, res) => {
        seenTls.push(req.headers);
        req.resume();
        req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end(OK));
      });
      await new Promise((r) => srv.listen(0, "127.0.0.1", r));
      const url = `https://127.0.0.1:${srv.address().port}`;
      try {
        const u = undiciRequests;
        const r = await new wp.MessageSender({ baseUrls: { wecom: url }, retryPolicy: NO_RETRY, rateLimit: false, timeout: 5000 }).send(MSG, "wecom", KEY);
        assert.equal(r.error?.code, "NETWORK_ERROR", JSON.stringify(r));
        assert.match(r.error.message, /certificate/i);
        assert.ok(!JSON.stringify(r).includes(KEY));
        assert.equal(undiciRequests, u, "over node:https");
        const out = await child(
          `const wp = await import(process.env.PKG);
           const s = new wp.MessageSender({ baseUrls: { wecom: process.env.TLS_URL }, retryPolicy: { maxRetries: 0 }, rateLimit: false });
           const r = await s.send({ content: { type: "text", body: { text: "tls" } } }, "wecom", "k-tls-0001");
           console.log(JSON.stringify({ success: r.success, error: r.error }));`,
          { env: { NODE_EXTRA_CA_CERTS: path.join(dir, "cert.pem"), TLS_URL: url } },
        );
        assert.deepStrictEqual(out, { success: true, error: null });
        assert.equal(seenTls.length, 1);
        assert.equal(transportOf(seenTls[0]), "node-http");
      } finally {
        await new Promise((r) => { srv.close(() => r()); srv.closeAllConnections(); });
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("misbehaving servers on the Node transport", () => {
  /**
   * A raw TCP server: `onRequest(sock, conn)` once the first bytes of a request arrived. Records
   * per connection what it wrote and whether the client closed it.
   */
  async function rawServer(onRequest) {
    const conns = [];
    const srv = net.createServer((sock) => {
      const conn = { written: 0, closed: false, requests: 0, sock };
      conns.push(conn);
      sock.on("error", () => {});
      sock.on("close", () => (conn.closed = true));
      sock.on("data", (d) => {
        if (!/^[A-Z]+ \//.test(d.toString("latin1"))) return; // the request's body
        conn.requests++;
        onRequest(sock, conn);
      });
    });
    await new Promise((r) => srv.listen(0, "127.0.0.1", r));
    return {
      url: `http://127.0.0.1:${srv.address().port}`,
      conns,
      close: () => new Promise((r) => { srv.close(() => r()); for (const c of conns) c.sock.destroy(); }),
    };
  }
  /** Writes `head`, then `total` bytes as fast as the client takes them (stops when it closes). */
  function pump(sock, conn, head, total, chunked = false) {
    sock.write(head);
    const data = Buffer.alloc(64 * 1024, 0x7b);
    const chunk = chunked ? Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from("\r\n")]) : data;
    const go = () => {
      while (!conn.closed && conn.written < total) {
        conn.written += chunk.length;
        if (!sock.write(chunk)) return sock.once("drain", go);
      }
      if (!conn.closed) sock.end();
    };
    go();
  }
  async function sendTo(srv, timeout = 3000) {
    const u = undiciRequests;
    const t0 = Date.now();
    const r = await new wp.MessageSender({ baseUrls: { wecom: srv.url }, timeout, retryPolicy: NO_RETRY, rateLimit: false }).send(MSG, "wecom", KEY);
    assert.equal(undiciRequests, u, "sent over node:http");
    assert.ok(!JSON.stringify(r).includes(KEY), `the key is not in the result: ${JSON.stringify(r)}`);
    return { r, ms: Date.now() - t0 };
  }
  async function closedByClient(srv) {
    for (let i = 0; i < 100 && !srv.conns.every((c) => c.closed); i++) await new Promise((res) => setTimeout(res, 20));
    for (const c of srv.conns) assert.ok(c.closed, "the client closed the connection");
  }

  const MB = 1024 * 1024;
  for (const [name, head, total, chunked, says] of [
    ["a 300 MB answer without a length is read up to the cap", "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n", 300 * MB, false, /not read further/],
    ["a 300 MB answer with its length is refused unread", `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${300 * MB}\r\n\r\n`, 300 * MB, false, /\(not read\)/],
    ["10^12 declared is refused unread", "HTTP/1.1 200 OK\r\nContent-Length: 1000000000000\r\n\r\n", 64 * MB, false, /\(not read\)/],
    ["an endless chunked answer is read up to the cap", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 300 * MB, true, /not read further/],
    ["a Content-Length within the cap that lies: the rest is not read", "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 27\r\n\r\n", 64 * MB, false, /./],
  ]) {
    test(name, { timeout: 60_000 }, async () => {
      const srv = await rawServer((sock, conn) => pump(sock, conn, head, total, chunked));
      try {
        const { r } = await sendTo(srv);
        assert.equal(r.success, false, JSON.stringify(r));
        assert.ok(["NETWORK_ERROR", "PLATFORM_ERROR"].includes(r.error?.code), JSON.stringify(r.error));
        assert.match(r.error.message, says);
        await closedByClient(srv);
        for (const c of srv.conns) assert.ok(c.written < 16 * MB, `the server got ${c.written} bytes out before the client closed`);
      } finally {
        await srv.close();
      }
    });
  }

  for (const [name, onRequest] of [
    ["a server that never answers", () => {}],
    [
      "a body that drips past the timeout",
      (sock, conn) => {
        sock.write("HTTP/1.1 200 OK\r\nContent-Length: 60000\r\n\r\n{");
        const t = setInterval(() => (conn.closed ? clearInterval(t) : sock.write(" ")), 20);
      },
    ],
  ]) {
    test(`${name}: TIMEOUT on time, the connection closed`, { timeout: 30_000 }, async () => {
      const srv = await rawServer(onRequest);
      try {
        const { r, ms } = await sendTo(srv, 300);
        assert.equal(r.error?.code, "TIMEOUT", JSON.stringify(r));
        assert.ok(ms < 3000, `settled in ${ms} ms`);
        await closedByClient(srv);
      } finally {
        await srv.close();
      }
    });
  }

  for (const [name, onRequest] of [
    ["a reset before the answer", (sock) => sock.resetAndDestroy()],
    ["a close before the answer", (sock) => sock.end()],
    ["a reset in the middle of the body", (sock) => { sock.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{\"errcode\""); setTimeout(() => sock.resetAndDestroy(), 20); }],
    ["a body shorter than its length, then a close", (sock) => sock.end("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{\"errcode\":0}")],
    ["a malformed answer", (sock) => sock.end("HTTP/1.1 2OO OK\r\n\r\n")],
    ["not HTTP at all", (sock) => sock.end("SSH-2.0-OpenSSH_9.6\r\n")],
  ]) {
    test(`${name}: NETWORK_ERROR`, { timeout: 30_000 }, async () => {
      const srv = await rawServer(onRequest);
      try {
        const { r } = await sendTo(srv);
        assert.equal(r.error?.code, "NETWORK_ERROR", JSON.stringify(r));
      } finally {
        await srv.close();
      }
    });
  }

  test("a refused connection: NETWORK_ERROR, the key not in it", async () => {
    const srv = await rawServer(() => {});
    await srv.close(); // its port now refuses
    const { r } = await sendTo(srv);
    assert.equal(r.error?.code, "NETWORK_ERROR", JSON.stringify(r));
    assert.match(r.error.message, /ECONNREFUSED/);
  });

  for (const status of [301, 302, 307, 308]) {
    test(`${status}: not followed, no re-post, the location redacted`, async () => {
      const srv = await rawServer((sock) =>
        sock.write(`HTTP/1.1 ${status} Moved\r\nLocation: http://127.0.0.1:1/cgi-bin/webhook/send?key=${KEY}\r\nContent-Length: 0\r\n\r\n`),
      );
      try {
        const { r } = await sendTo(srv);
        assert.equal(r.error?.code, "PLATFORM_ERROR", JSON.stringify(r));
        assert.match(r.error.message, /redirects are not followed/);
        assert.equal(srv.conns.reduce((n, c) => n + c.requests, 0), 1, "posted once");
      } finally {
        await srv.close();
      }
    });
  }

  test("an answer read whole, then bytes past its length in the same write: delivered, posted once", async () => {
    const srv = await rawServer((sock) => sock.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${OK.length}\r\n\r\n${OK}已收到 and more`));
    try {
      const r = await new wp.MessageSender({ baseUrls: { wecom: srv.url }, timeout: 3000, retryPolicy: { maxRetries: 2, initialDelay: 10, maxDelay: 50, backoffMultiplier: 2, jitter: 0 }, rateLimit: false }).send(MSG, "wecom", KEY);
      assert.equal(r.success, true, JSON.stringify(r));
      assert.equal(srv.conns.reduce((n, c) => n + c.requests, 0), 1, "posted once");
    } finally {
      await srv.close();
    }
  });

  for (const [coding, encode] of [
    ["gzip", (b) => zlib.gzipSync(b)],
    ["deflate", (b) => zlib.deflateSync(b)],
    ["deflate (raw)", (b) => zlib.deflateRawSync(b)],
    ["br", (b) => zlib.brotliCompressSync(b)],
  ]) {
    test(`an answer in Content-Encoding ${coding} (unasked) is decoded, as fetch does`, async () => {
      const body = encode(Buffer.from(OK));
      const srv = await rawServer((sock) => {
        sock.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: ${coding.split(" ")[0]}\r\nContent-Length: ${body.length}\r\n\r\n`);
        sock.write(body);
      });
      try {
        const { r } = await sendTo(srv);
        assert.equal(r.success, true, JSON.stringify(r));
      } finally {
        await srv.close();
      }
    });
  }

  for (const [name, body, says] of [
    ["a gzip answer that decodes past the cap: refused", zlib.gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20)), /larger than \d+ bytes \(decoded\)/],
    ["a gzip answer that is not gzip: NETWORK_ERROR", Buffer.from("not gzip at all"), /could not be decoded/],
  ]) {
    test(name, async () => {
      const srv = await rawServer((sock) => {
        sock.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: ${body.length}\r\n\r\n`);
        sock.write(body);
      });
      try {
        const { r } = await sendTo(srv);
        assert.equal(r.error?.code, "NETWORK_ERROR", JSON.stringify(r));
        assert.match(r.error.message, says);
      } finally {
        await srv.close();
      }
    });
  }

  test("429 with Retry-After and a body: the answer and its Retry-After reach the sender", async () => {
    let n = 0;
    const srv = await rawServer((sock) => {
      n++;
      const body = n === 1 ? '{"errcode":45009,"errmsg":"api freq out of limit"}' : OK;
      sock.write(`HTTP/1.1 ${n === 1 ? 429 : 200} X\r\nRetry-After: 1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    });
    try {
      const t0 = Date.now();
      const r = await new wp.MessageSender({ baseUrls: { wecom: srv.url }, timeout: 5000, retryPolicy: { maxRetries: 1, initialDelay: 10, maxDelay: 5000, backoffMultiplier: 2, jitter: 0 }, rateLimit: false }).send(MSG, "wecom", KEY);
      assert.equal(r.success, true, JSON.stringify(r));
      assert.equal(n, 2);
      assert.ok(Date.now() - t0 >= 900, "the retry waited for Retry-After");
    } finally {
      await srv.close();
    }
  });
});
