// The sender's HTTP plumbing (src/host.rs imports it; wasm-bindgen ships it beside the glue as a
// snippet): one call per request, so an attempt crosses the JS / wasm boundary once and awaits
// one promise, instead of a dozen property reads, a timer closure and a promise per step.
//
// Whatever the host's `fetch` does (throws, returns junk, never settles, ignores its
// AbortSignal, redirects, answers without end), the promise returned here resolves, within the
// timeout, to an answer: { kind, status, retryAfter, location, message, body }, kind 0 = an HTTP
// answer (body: at most `max` bytes), 1 = a network error (message, not redacted: the caller
// redacts), 2 = the time ran out, 3 = a redirect (not followed unless `follow`). It never
// rejects. Only web globals: Node, Deno, Bun, workerd, browsers (in Node, the entry puts its
// node:http transport first: TRANSPORT below, host-node.mjs).

/** Longest delay a JS timer takes (2^31 - 1 ms); a larger one fires at once. */
const MAX_TIMER_MS = 2147483647;
const EMPTY = new Uint8Array(0);

const answer = (kind, status, body, message, retryAfter, location) => ({ kind, status, body, message, retryAfter, location });
const network = (message) => answer(1, 0, EMPTY, message, undefined, undefined);
const notAResponse = (what) => network(`the host's fetch did not give a Response (${what})`);
const tooLarge = (max, how) => network(`the answer is larger than ${max} bytes (${how})`);

/** `v[k]`; undefined for a primitive or when reading it throws. */
function get(v, k) {
  if (v === null || (typeof v !== "object" && typeof v !== "function")) return undefined;
  try {
    return v[k];
  } catch {
    return undefined;
  }
}

/** The message of a rejection, with its cause's code or message (Node puts the detail there). */
function describe(err) {
  const m = get(err, "message");
  let s = typeof m === "string" ? m : typeof err === "string" ? err : "fetch failed";
  const cause = get(err, "cause");
  const code = get(cause, "code");
  const c = typeof code === "string" ? code : get(cause, "message");
  if (typeof c === "string") s += `: ${c}`;
  return s;
}

/** A header of a response's `headers`; undefined when absent or unreadable. */
function header(h, name) {
  const f = get(h, "get");
  if (typeof f !== "function") return undefined;
  try {
    const v = f.call(h, name);
    return typeof v === "string" ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Call `o.cancel()` if it can be, its outcome ignored (never an unhandled rejection). */
function cancel(o) {
  const f = get(o, "cancel");
  if (typeof f !== "function") return;
  try {
    Promise.resolve(f.call(o)).catch(() => {});
  } catch {
    // a throwing cancel: nothing more to do
  }
}

class Failed {
  constructor(a) {
    this.answer = a;
  }
}

/** `await p`, a rejection (or a throwing thenable) as a network error. */
async function settle(p) {
  try {
    return await p;
  } catch (e) {
    throw new Failed(network(describe(e)));
  }
}

/**
 * At most `max` bytes of a body: from its stream when it has one (cancelled past `max`, or once
 * the request has ended (timed out): `attempt.done`), else arrayBuffer() or text().
 */
async function readBody(resp, max, attempt) {
  const body = get(resp, "body");
  if (body === null) return EMPTY; // no body (204, HEAD)
  const getReader = get(body, "getReader");
  if (typeof getReader === "function") {
    let reader;
    try {
      reader = getReader.call(body);
    } catch {
      throw new Failed(notAResponse("its body cannot be read"));
    }
    const read = get(reader, "read");
    if (typeof read !== "function") throw new Failed(notAResponse("its body cannot be read"));
    const chunks = [];
    let length = 0;
    let empty = 0; // empty chunks could come forever
    for (;;) {
      if (attempt.done) {
        cancel(reader); // the answer went out already (timed out): read no further
        throw new Failed(network("timed out"));
      }
      let r;
      try {
        r = await read.call(reader);
      } catch (e) {
        throw new Failed(network(describe(e)));
      }
      if (get(r, "done")) break;
      const chunk = get(r, "value");
      if (!(chunk instanceof Uint8Array)) {
        cancel(reader);
        throw new Failed(notAResponse("its body gave something else than bytes"));
      }
      if (chunk.length === 0) {
        if (++empty > 10_000) {
          cancel(reader);
          throw new Failed(notAResponse("its body gives only empty chunks"));
        }
        continue;
      }
      if (length + chunk.length > max) {
        cancel(reader);
        throw new Failed(tooLarge(max, "not read further"));
      }
      chunks.push(chunk);
      length += chunk.length;
    }
    if (chunks.length === 1) return chunks[0];
    const out = new Uint8Array(length);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
  const arrayBuffer = get(resp, "arrayBuffer");
  if (typeof arrayBuffer === "function") {
    const buf = await settle((async () => arrayBuffer.call(resp))());
    if (buf instanceof ArrayBuffer) {
      if (buf.byteLength > max) throw new Failed(tooLarge(max, "not read further"));
      return new Uint8Array(buf);
    }
  }
  const text = get(resp, "text");
  if (typeof text === "function") {
    const t = await settle((async () => text.call(resp))());
    if (typeof t !== "string") throw new Failed(notAResponse("text() gave no string"));
    const bytes = new TextEncoder().encode(t);
    if (bytes.length > max) throw new Failed(tooLarge(max, "not read further"));
    return bytes;
  }
  throw new Failed(notAResponse("it has no body to read"));
}

/** One fetch and its answer, any misbehaviour of the host's fetch as an answer. */
async function exchange(url, init, max, attempt) {
  const f = get(globalThis, "fetch");
  if (typeof f !== "function") return network("the host has no fetch");
  // a synchronous throw, a rejection and a throwing thenable all become a network error
  let resp;
  try {
    resp = await f.call(globalThis, url, init);
  } catch (e) {
    return network(describe(e));
  }
  if (attempt.done) {
    // the answer went out already (timed out): read nothing of this one (without an
    // AbortController, a body read by arrayBuffer() would be read whole, for no one)
    cancel(get(resp, "body"));
    return network("timed out");
  }
  if (resp === null || typeof resp !== "object") return notAResponse("not an object");
  const status = get(resp, "status");
  if (get(resp, "type") === "opaqueredirect") {
    // a browser hides the status and the location of a manual redirect
    return answer(3, 0, EMPTY, undefined, undefined, undefined);
  }
  if (typeof status !== "number" || !Number.isInteger(status) || status < 100 || status > 599) {
    return notAResponse("no HTTP status");
  }
  const headers = get(resp, "headers");
  if (status >= 300 && status < 400) {
    const location = header(headers, "location");
    cancel(get(resp, "body"));
    return answer(3, status, EMPTY, undefined, undefined, location);
  }
  const retryAfter = header(headers, "retry-after");
  // A declared length past the cap is refused unread. One within it is trusted only from the
  // runtime's own HTTP client (framed(): it stops the body at the declared length), only for
  // bytes as they came (no Content-Encoding: a decoded body is longer than its declared length),
  // and only with no Transfer-Encoding (Deno, Bun and workerd frame a body by its chunks when an
  // answer has both, and still report the Content-Length: the whole body would be buffered):
  // then arrayBuffer(), which in Deno costs a fraction of a stream read (bench/LEVERS.md, "Send in
  // Deno, Bun and workerd"). Else the body is read through the capped reader (a wrapper or a test
  // double may hand a Response whose stream is longer than its Content-Length says).
  const declared = header(headers, "content-length");
  const length = declared !== undefined && /^\s*\d+\s*$/.test(declared) ? Number(declared) : undefined;
  if (length > max) {
    cancel(get(resp, "body"));
    return tooLarge(max, "not read");
  }
  const body =
    length !== undefined &&
    header(headers, "content-encoding") === undefined &&
    header(headers, "transfer-encoding") === undefined &&
    framed(resp)
      ? await readWhole(resp, max)
      : await readBody(resp, max, attempt);
  return answer(0, status, body, undefined, retryAfter, undefined);
}

/**
 * A Response made by the runtime's own fetch, untouched: an instance of the global Response (not
 * a subclass or a plain object; a Proxy's `url` getter throws), with its URL (a constructed
 * Response has "") and none of `url`, `body`, `arrayBuffer` set on the object itself. The
 * runtimes' HTTP clients end such a body at its Content-Length (Node's fetch, Deno, Bun and
 * workerd, each checked against a server that sends more: tests/e2e/transport.test.mjs); test
 * doubles that lie stay with the reader (tests/e2e/contract.mjs).
 */
function framed(resp) {
  try {
    const R = globalThis.Response;
    if (typeof R !== "function" || Object.getPrototypeOf(resp) !== R.prototype) return false;
    if (Object.hasOwn(resp, "url") || Object.hasOwn(resp, "body") || Object.hasOwn(resp, "arrayBuffer")) return false;
    const url = resp.url;
    return typeof url === "string" && url !== "";
  } catch {
    return false;
  }
}

/** The whole body of a framed() Response by arrayBuffer(), at most `max` bytes. */
async function readWhole(resp, max) {
  let buf;
  try {
    buf = await resp.arrayBuffer();
  } catch (e) {
    throw new Failed(network(describe(e)));
  }
  if (!(buf instanceof ArrayBuffer)) throw new Failed(notAResponse("arrayBuffer() gave no bytes"));
  if (buf.byteLength > max) throw new Failed(tooLarge(max, "not read further"));
  return new Uint8Array(buf);
}

/** Abort a request, if it can be; an abort that throws changes nothing. */
function abort(ctl) {
  if (ctl === undefined) return;
  try {
    ctl.abort();
  } catch {
    // nothing more to do
  }
}

// ---- the time limit of each request ----
// In Node, Deno and Bun, one timer serves every request in flight (a setTimeout / clearTimeout
// pair per request costs 3.5-7 µs of CPU in Deno 2, whose timers are Node's Timeout objects:
// bench/LEVERS.md, "A send's own CPU in Deno, Bun and workerd"): it is armed for the earliest
// deadline, and a request that ends before it takes nothing off it. When it fires it times out
// every request past its deadline and is armed again for the next one. While no request is in
// flight it is unref'd (it holds no process open; ref'd again by the next request) or, where a
// timer cannot be unref'd, cleared. Everywhere else each request keeps its own timer: in Workers a
// timer armed in one request's context does not fire once that request has ended, and a runtime
// not known here is not assumed to keep one process-wide timer alive.

/**
 * Whether each request keeps its own timer: workerd (Cloudflare Workers, Miniflare), known by its
 * `WebSocketPair` global or its navigator (a compatibility date before `global_navigator` has no
 * navigator, and `nodejs_compat` gives it a `process` that names a Node version), and any runtime
 * that is not Node, Deno or Bun (browsers and the rest).
 */
export function perRequestTimers(g = globalThis) {
  try {
    if (typeof g.WebSocketPair === "function") return true;
    const nav = g.navigator;
    if (typeof nav === "object" && nav !== null && nav.userAgent === "Cloudflare-Workers") return true;
    const known =
      typeof g.Deno?.version?.deno === "string" ||
      typeof g.Bun?.version === "string" ||
      typeof g.process?.versions?.node === "string";
    return !known;
  } catch {
    return true;
  }
}
const PER_REQUEST_TIMERS = perRequestTimers();
/** A monotonic clock in ms where there is one (a wall clock step moves no deadline). */
const clock =
  typeof performance === "object" && performance !== null && typeof performance.now === "function"
    ? () => performance.now()
    : () => Date.now();

/** Requests in flight under the shared timer. */
const live = new Set();
/** The shared timer (undefined when none is armed), when it fires, and whether it is ref'd. */
let wheel;
let wheelAt = Infinity;
/** When the armed timer fires, on `clock` (its deadline, or sooner when capped at MAX_TIMER_MS). */
let wheelFires = Infinity;
let wheelRef = false;

/** Unref a timer handle, if this runtime can; whether it did. */
function unrefTimer(h) {
  try {
    if (typeof h === "object" && h !== null && typeof h.unref === "function") {
      h.unref();
      return true;
    }
    const D = globalThis.Deno;
    if (typeof h === "number" && typeof D?.unrefTimer === "function") {
      D.unrefTimer(h);
      return true;
    }
  } catch {
    // cannot: the caller clears it instead
  }
  return false;
}

/** Ref a timer unref'd by unrefTimer (it worked on it then, so it works now). */
function refTimer(h) {
  try {
    if (typeof h === "object" && h !== null && typeof h.ref === "function") h.ref();
    else if (typeof h === "number") globalThis.Deno?.refTimer?.(h);
  } catch {
    // nothing more to do
  }
}

function armWheel(at, now) {
  if (wheel !== undefined) clearTimeout(wheel);
  const delay = Math.min(Math.max(Math.ceil(at - now), 0), MAX_TIMER_MS);
  wheelAt = at;
  wheelFires = now + delay;
  wheelRef = true;
  wheel = setTimeout(sweep, delay);
}

/** The shared timer fired: every request past its deadline times out; armed again for the next. */
function sweep() {
  // the time is at least what the timer was armed for: it fired (a timer may fire a fraction of a
  // ms before the clock reads its deadline, and fake timers, as test frameworks install them, move
  // setTimeout's time but not performance.now's; under them a request's deadline still counts from
  // the real time it began, so one begun after another ends up to that real gap after its timeout)
  const now = Math.max(clock(), wheelFires);
  wheel = undefined;
  wheelAt = Infinity;
  wheelFires = Infinity;
  wheelRef = false;
  const due = [];
  for (const at of live) if (at.deadline <= now + 1) due.push(at);
  // in the order of their deadlines, as their own timers would have fired (finish() takes each
  // out of `live`)
  if (due.length > 1) due.sort((a, b) => a.deadline - b.deadline);
  for (const at of due) timedOut(at);
  // the next deadline, of what is still in flight (after the time-outs: whatever they led to
  // start is counted), unless a request started meanwhile armed the timer for an earlier one
  let next = Infinity;
  for (const at of live) if (at.deadline < next) next = at.deadline;
  if (next < wheelAt) armWheel(next, now);
}

/** Time `at` out after `ms`. */
function watch(at, ms) {
  if (PER_REQUEST_TIMERS) {
    at.timer = setTimeout(timedOut, Math.min(ms, MAX_TIMER_MS), at);
    return;
  }
  const now = clock();
  at.deadline = now + ms;
  live.add(at);
  if (at.deadline < wheelAt) armWheel(at.deadline, now);
  else if (!wheelRef) {
    refTimer(wheel);
    wheelRef = true;
  }
}

/** `at` ended: its timer, or its place under the shared one, goes. */
function unwatch(at) {
  if (PER_REQUEST_TIMERS) {
    clearTimeout(at.timer);
    return;
  }
  live.delete(at);
  if (live.size === 0 && wheel !== undefined && wheelRef) {
    if (unrefTimer(wheel)) wheelRef = false;
    else {
      clearTimeout(wheel);
      wheel = undefined;
      wheelAt = Infinity;
      wheelFires = Infinity;
      wheelRef = false;
    }
  }
}

/** One request in flight: its abort, its time limit, and its one ending. */
class Attempt {
  constructor(resolve) {
    this.done = false;
    this.resolve = resolve;
    this.ctl = undefined;
    this.timer = undefined;
    this.deadline = Infinity;
  }

  /**
   * Ends the request with `a`, once. Anything but a whole answer (timed out, a redirect, a body
   * past the cap, a broken one) also aborts the request, so that nothing of it runs on: its body
   * is cancelled where it can be, and the abort also ends one that cannot (no stream to cancel).
   */
  finish(a) {
    if (this.done) return;
    this.done = true;
    unwatch(this);
    if (a.kind !== 0) abort(this.ctl);
    this.resolve(a);
  }
}

/**
 * A host's own transport, asked first (Node's entries put node:http there: host-node.mjs). It
 * keeps wpFetch's promises, or returns undefined to leave the request to fetch.
 */
const TRANSPORT = Symbol.for("webhook-push.transport.1");

const timedOut = (at) => at.finish(answer(2, 0, EMPTY, undefined, undefined, undefined));

/**
 * `fetch(url, init)` within `timeoutMs`, reading at most `max` bytes of the answer. `init` gets
 * the AbortSignal (aborted when the time runs out) and `redirect` ("follow" only when `follow`:
 * a redirect would re-post the body, and its signature, to another origin).
 */
export function wpFetch(url, init, timeoutMs, max, follow) {
  const t = globalThis[TRANSPORT];
  if (typeof t === "function") {
    try {
      const p = t(url, init, timeoutMs, max, follow);
      if (p !== undefined) return p;
    } catch {
      // a transport that throws: fetch, as without one
    }
  }
  return new Promise((resolve) => {
    const at = new Attempt(resolve);
    try {
      at.ctl = new AbortController();
      init.signal = at.ctl.signal;
    } catch {
      at.ctl = undefined; // no AbortController: the timer alone bounds the wait
    }
    init.redirect = follow ? "follow" : "manual";
    watch(at, timeoutMs);
    exchange(url, init, max, at).then(
      (a) => at.finish(a),
      (e) => at.finish(e instanceof Failed ? e.answer : network(describe(e))),
    );
  });
}

/** POST `body` (a string) with `Content-Type: contentType`: the sender's request to a platform. */
export function wpPost(url, body, contentType, timeoutMs, max) {
  return wpFetch(url, { method: "POST", headers: { "content-type": contentType }, body }, timeoutMs, max, false);
}

// ---- a message's long strings beside its JSON (src/bindings.rs `message_text`) ----
// JSON writes each `"`, `\` and newline of a string as two bytes that the wasm reads back one by
// one, so strings of RAW_MIN units and more cross as they are (by `encodeInto`), each a placeholder
// "\uFDD0" + index in the JSON. Every string value starting with U+FDD0 crosses so too (one left in
// the JSON is a placeholder); a string with a lone surrogate stays in the JSON, as before.

/** bench/LEVERS.md, "Long strings beside the JSON". */
const RAW_MIN = 1024;
const WALK_MAX = 512;
const WALK_DEPTH = 8;
/** Tests only: `globalThis[Symbol.for("webhook-push.jsonOnly")] = true` keeps every string in the JSON. */
const JSON_ONLY = Symbol.for("webhook-push.jsonOnly");
const LONE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const wellFormed =
  typeof String.prototype.isWellFormed === "function" ? (s) => s.isWellFormed() : (s) => !LONE.test(s);

let budget = 0;

const isPlain = (x) => {
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
};

function walk(x, depth) {
  if (typeof x === "string") return x.length >= RAW_MIN;
  if (typeof x !== "object" || x === null || depth >= WALK_DEPTH) return false;
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length && --budget >= 0; i++) if (walk(x[i], depth + 1)) return true;
    return false;
  }
  if (!isPlain(x)) return false;
  for (const k in x) {
    if (--budget < 0) return false;
    if (walk(x[k], depth + 1)) return true;
  }
  return false;
}

/**
 * A long string in the message's `content.body` (text, markdown, card fields, raw payloads), in
 * plain objects and arrays (WALK_MAX values, WALK_DEPTH levels)? Nothing else is read (a class
 * instance's getters are not called). A wrong "no" only costs time.
 */
function hasLong(v) {
  budget = WALK_MAX;
  try {
    if (typeof v !== "object" || v === null) return walk(v, 0);
    const content = isPlain(v) ? v.content : undefined;
    return typeof content === "object" && content !== null && isPlain(content) && walk(content.body, 0);
  } catch {
    return false;
  }
}

/** `JSON.stringify(v)` (throwing what it throws), or `[json, s0, s1, …]`: the long strings out of the JSON. */
export function messageJson(v) {
  if (!hasLong(v) || globalThis[JSON_ONLY] === true) return JSON.stringify(v);
  const raw = [];
  const json = JSON.stringify(v, (_k, x) => {
    // a String object is written as its string: it is one here too (else a `new String("\uFDD00")`
    // would be left in the JSON looking like a placeholder)
    if (typeof x === "object" && x !== null && Object.prototype.toString.call(x) === "[object String]") x = String(x);
    if (typeof x === "string" && (x.length >= RAW_MIN || x.charCodeAt(0) === 0xfdd0) && wellFormed(x)) {
      raw.push(x);
      return `\uFDD0${raw.length - 1}`;
    }
    return x;
  });
  if (raw.length === 0 || typeof json !== "string") return json;
  raw.unshift(json);
  return raw;
}
