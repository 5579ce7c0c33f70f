// Node's HTTP transport for the sender (imported by the Node entries only: node.mjs, node.cjs,
// webhook-node.mjs; never by the browser, Deno or workerd ones). host.js's wpFetch hands it each
// request first: it posts through node:http / node:https and their global agents (so the user's
// agent settings, and Node's own proxy support where it has one, apply), which costs a fraction of
// the CPU of Node's fetch (bench/LEVERS.md, "Node's own HTTP client in Node"). It leaves the
// request to fetch (returns undefined) unless the host's fetch is Node's own, untouched one:
//
// - `globalThis.fetch` is the function Node defines (its source loads Node's internal undici,
//   which no user code can require), not a replacement (a wrapper, a mock, vitest's stubGlobal,
//   npm undici's fetch, Bun's or Deno's fetch);
// - no undici global dispatcher was installed (`setGlobalDispatcher`: MockAgent, ProxyAgent, an
//   Agent with options), which Node's fetch would use: the slot is empty, or holds the plain
//   `Agent` Node's undici puts there when it first loads;
// - the request is one this transport sends exactly as fetch would: http(s), no credentials in
//   the URL, a string body (or none), plain string headers that fetch does not treat specially,
//   no redirect to follow (a media GET follows them: it stays with fetch);
// - WEBHOOK_PUSH_TRANSPORT=fetch was not in the environment when the package was loaded.
//
// It keeps host.js's promises: the promise resolves, within the timeout (connect, send, headers
// and body, the request destroyed when it runs out), to the same answer { kind, status, body,
// message, retryAfter, location }: 0 = an HTTP answer (at most `max` bytes: a declared length
// past it refused unread, a body that goes past it stopped there, the socket destroyed), 1 = a
// network error (message not redacted here: the caller redacts), 2 = timed out, 3 = a redirect
// (never followed). It never rejects.
import { createRequire } from "node:module";

/** host.js reads the transport here (one slot for every copy of host.js: ESM, node.cjs, the full wasm's). */
const TRANSPORT = Symbol.for("webhook-push.transport.1");
/** Where undici's setGlobalDispatcher puts the dispatcher that Node's fetch uses. */
const DISPATCHER = Symbol.for("undici.globalDispatcher.1");
/** Where undici 7 puts it too (it sets both). */
const DISPATCHER_2 = Symbol.for("undici.globalDispatcher.2");
const MAX_TIMER_MS = 2147483647;
const EMPTY = new Uint8Array(0);
/** Headers that fetch refuses or sets itself: a request with one stays with fetch, as today. */
const SPECIAL = /^(?:content-length|transfer-encoding|connection|keep-alive|upgrade|expect|host|te|trailer|accept-encoding)$/i;
/** Node 20+ (`require('internal/deps/undici/undici')`) and Node 18 (`lazyUndici().fetch(`). */
const NODE_FETCH_SOURCE = /\brequire\('internal\/deps\/undici\/undici'\)|\blazyUndici\(\)\.fetch\(/;

const answer = (kind, status, body, message, retryAfter, location) => ({ kind, status, body, message, retryAfter, location });
const network = (message) => answer(1, 0, EMPTY, message, undefined, undefined);
const tooLarge = (max, how) => network(`the answer is larger than ${max} bytes (${how})`);

const require = createRequire(import.meta.url);
let http;
let https;
let zlib;
let utilModule;
const util = () => (utilModule ??= require("node:util"));

/** The fetch last checked, and whether it is Node's own. */
let seenFetch;
let seenFetchIsNode = false;
/** The dispatcher last checked, and whether it is the plain Agent Node's undici installs. */
let seenDispatcher;
let seenDispatcherIsDefault = false;

function isNodeFetch(f) {
  if (f !== seenFetch) {
    seenFetch = f;
    try {
      seenFetchIsNode = typeof f === "function" && f.name === "fetch" && NODE_FETCH_SOURCE.test(Function.prototype.toString.call(f));
    } catch {
      seenFetchIsNode = false;
    }
  }
  return seenFetchIsNode;
}

/**
 * Node's default dispatcher: an `Agent` (not a subclass or a composed one: MockAgent, ProxyAgent,
 * EnvHttpProxyAgent…) made without options (its options hold nothing but undefined values, or
 * undici 7's default maxOrigins; its factory is undici's default one). An Agent a user made with
 * no options behaves as Node's own, so it passes too; anything unreadable does not.
 */
function isDefaultDispatcher(d) {
  if (d === undefined) return true;
  if (d !== seenDispatcher) {
    seenDispatcher = d;
    seenDispatcherIsDefault = false;
    try {
      const proto = typeof d === "object" && d !== null ? Object.getPrototypeOf(d) : null;
      if (
        proto?.constructor?.name === "Agent" &&
        // not composed (`compose()` gives a Proxy of the Agent), nothing of its own over the
        // Agent's methods (a subclass named Agent, a patched dispatch)
        !util().types.isProxy(d) &&
        !Object.hasOwn(d, "dispatch") &&
        !Object.hasOwn(proto, "dispatch") &&
        Object.getPrototypeOf(proto)?.constructor?.name === "DispatcherBase"
      ) {
        const own = (name) => {
          const key = Object.getOwnPropertySymbols(d).find((s) => s.description === name);
          return key === undefined ? undefined : d[key];
        };
        const options = own("options");
        const factory = own("factory");
        seenDispatcherIsDefault =
          typeof options === "object" &&
          options !== null &&
          Object.entries(options).every(([k, v]) => v === undefined || (k === "maxOrigins" && v === Infinity)) &&
          (factory === undefined || (typeof factory === "function" && factory.name === "defaultFactory"));
      }
    } catch {
      seenDispatcherIsDefault = false;
    }
  }
  return seenDispatcherIsDefault;
}

/** The message of an error, with its code when the message does not say it. */
function describe(err) {
  let s = "request failed";
  let code;
  try {
    if (typeof err?.message === "string" && err.message !== "") s = err.message;
    code = err?.code;
  } catch {
    // an unreadable error: the generic message
  }
  if (typeof code === "string" && !s.includes(code)) s += `: ${code}`;
  return s;
}

const one = (v) => (typeof v === "string" ? v : Array.isArray(v) && typeof v[0] === "string" ? v.join(", ") : undefined);

/**
 * The request's headers for node:http (a fresh object), or undefined when the request must stay
 * with fetch (headers it treats specially, or not a plain object of strings).
 */
function plainHeaders(h) {
  const out = {};
  if (h === undefined || h === null) return out;
  if (typeof h !== "object" || Array.isArray(h)) return undefined;
  const proto = Object.getPrototypeOf(h);
  if (proto !== Object.prototype && proto !== null) return undefined; // a Headers, a Map…: fetch's job
  for (const k of Object.keys(h)) {
    const v = h[k];
    if (typeof v !== "string" || SPECIAL.test(k)) return undefined;
    out[k] = v;
  }
  return out;
}

const hasHeader = (h, name) => Object.keys(h).some((k) => k.toLowerCase() === name);

/**
 * `init` (method, headers, body) to `url` through node:http(s), or undefined to leave it to fetch.
 * `follow`: a redirect would be followed (a media GET): left to fetch.
 */
function nodeFetch(url, init, timeoutMs, max, follow) {
  if (follow || !isNodeFetch(globalThis.fetch) || !isDefaultDispatcher(globalThis[DISPATCHER]) || !isDefaultDispatcher(globalThis[DISPATCHER_2])) {
    return undefined;
  }
  const body = init.body;
  const method = init.method ?? "GET";
  if ((body !== undefined && typeof body !== "string") || typeof method !== "string") return undefined;
  let u;
  try {
    u = new URL(url);
  } catch {
    return undefined; // fetch says what is wrong with it
  }
  if (u.username !== "" || u.password !== "") return undefined; // fetch refuses those
  let mod;
  if (u.protocol === "http:") mod = http ??= require("node:http");
  else if (u.protocol === "https:") mod = https ??= require("node:https");
  else return undefined;
  const headers = plainHeaders(init.headers);
  if (headers === undefined) return undefined;
  if (body !== undefined) headers["content-length"] = Buffer.byteLength(body);
  // what Node's fetch sends when the caller does not say (a CDN may refuse a request without a
  // user-agent); no accept-encoding: the answer is read as it comes
  if (!hasHeader(headers, "user-agent")) headers["user-agent"] = "node";
  if (!hasHeader(headers, "accept")) headers.accept = "*/*";
  return new Promise((resolve) => exchange(mod, u, method, headers, body, timeoutMs, max, resolve));
}

/**
 * The body as fetch would give it: `Content-Encoding` undone (gzip, deflate, br, in the reverse of
 * their order; an unknown one leaves the bytes as they are, as fetch does), at most `max` bytes
 * decoded. Nothing asks for an encoding, but a server may use one unasked.
 */
function decoded(b, encoding, max, ok) {
  const codings = typeof encoding === "string" ? encoding.toLowerCase().split(",").map((c) => c.trim()).filter((c) => c !== "" && c !== "identity") : [];
  if (codings.length === 0 || b.length === 0) return ok(b);
  zlib ??= require("node:zlib");
  const opts = { maxOutputLength: Math.max(1, max) };
  try {
    for (const c of codings.reverse()) {
      if (c === "gzip" || c === "x-gzip") b = zlib.gunzipSync(b, { ...opts, finishFlush: zlib.constants.Z_SYNC_FLUSH });
      else if (c === "deflate") b = inflate(b, opts);
      else if (c === "br") b = zlib.brotliDecompressSync(b, opts);
      else break;
    }
  } catch (e) {
    if (e?.code === "ERR_BUFFER_TOO_LARGE") return tooLarge(max, "decoded");
    return network("the answer's body could not be decoded (its Content-Encoding)");
  }
  return b.length > max ? tooLarge(max, "decoded") : ok(b);
}

/** `deflate` as servers send it: zlib-wrapped, or raw (fetch takes both). */
function inflate(b, opts) {
  try {
    return zlib.inflateSync(b, opts);
  } catch (e) {
    if (e?.code === "ERR_BUFFER_TOO_LARGE") throw e;
    return zlib.inflateRawSync(b, opts);
  }
}

function exchange(mod, u, method, headers, body, timeoutMs, max, resolve) {
  let done = false;
  let req;
  let res;
  const finish = (a) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    // anything but a whole answer ends the exchange: nothing of it runs on
    if (a.kind !== 0) {
      res?.destroy();
      req?.destroy();
    }
    resolve(a);
  };
  const timer = setTimeout(() => finish(answer(2, 0, EMPTY, undefined, undefined, undefined)), Math.min(timeoutMs, MAX_TIMER_MS));
  try {
    req = mod.request(u, { method, headers });
  } catch (e) {
    return finish(network(describe(e))); // an invalid method or header value
  }
  req.on("error", (e) => {
    // an answer read whole, then bytes past it (a length counted in characters): the parser's
    // error comes before the answer's "end", which still comes: the answer is what it said
    if (res?.complete) return;
    finish(network(describe(e)));
  });
  req.on("close", () => {
    if (res === undefined) finish(network("the connection closed before an answer"));
  });
  req.on("response", (r) => {
    res = r;
    if (done) return r.destroy();
    const status = r.statusCode;
    if (!Number.isInteger(status) || status < 100 || status > 599) return finish(network("the answer has no HTTP status"));
    if (status >= 300 && status < 400) return finish(answer(3, status, EMPTY, undefined, undefined, one(r.headers.location)));
    const retryAfter = one(r.headers["retry-after"]);
    const declared = r.headers["content-length"];
    if (declared !== undefined && /^\s*\d+\s*$/.test(declared) && Number(declared) > max) return finish(tooLarge(max, "not read"));
    const chunks = [];
    let length = 0;
    r.on("data", (c) => {
      if (done) return;
      if (length + c.length > max) return finish(tooLarge(max, "not read further"));
      chunks.push(c);
      length += c.length;
    });
    r.on("end", () => {
      const b = length === 0 ? EMPTY : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length);
      finish(decoded(b, r.headers["content-encoding"], max, (body) => answer(0, status, body, undefined, retryAfter, undefined)));
    });
    r.on("error", (e) => finish(network(describe(e))));
    r.on("close", () => {
      if (!r.complete) finish(network("the connection closed before the end of the answer"));
    });
  });
  req.end(body);
}

/**
 * Puts the transport in host.js's slot, unless WEBHOOK_PUSH_TRANSPORT=fetch or a copy is there
 * already. A call, not an import's side effect: the entries are the package's only `sideEffects`,
 * and a bundler keeps a call.
 */
export function installNodeTransport() {
  if (process.env.WEBHOOK_PUSH_TRANSPORT === "fetch" || globalThis[TRANSPORT] !== undefined) return;
  Object.defineProperty(globalThis, TRANSPORT, { value: nodeFetch, writable: true, configurable: true, enumerable: false });
}
