// Request plumbing: bearer auth in constant time, a size-capped JSON body, JSON responses.

export class HttpError extends Error {
  /** @param {number} status @param {string} code @param {string} message @param {object} [extra] */
  constructor(status, code, message, extra) {
    super(message);
    this.status = status;
    this.code = code;
    this.extra = extra;
  }
}

const enc = new TextEncoder();

async function sha256(s) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", enc.encode(s)));
}

/** Equal strings, in time that depends on neither their contents nor the position of a difference. */
export async function constantTimeEqual(a, b) {
  // Hashing first makes both sides 32 bytes, so not even the length leaks.
  const [x, y] = await Promise.all([sha256(a), sha256(b)]);
  const subtle = /** @type {any} */ (crypto.subtle);
  if (typeof subtle.timingSafeEqual === "function") return subtle.timingSafeEqual(x, y); // workerd
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i] ^ y[i];
  return diff === 0;
}

/** Throws 401 unless the request carries `Authorization: Bearer <RELAY_TOKEN>`. */
export async function requireBearer(request, env) {
  const expected = typeof env.RELAY_TOKEN === "string" ? env.RELAY_TOKEN.trim() : "";
  if (!expected) {
    // Fail closed: a relay without a token accepts nothing.
    throw new HttpError(500, "NOT_CONFIGURED", "RELAY_TOKEN is not set: run `wrangler secret put RELAY_TOKEN`; nothing was sent");
  }
  const header = request.headers.get("authorization") ?? "";
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  const ok = await constantTimeEqual(m ? m[1] : "", expected);
  if (!m || !ok) {
    throw new HttpError(
      401,
      "UNAUTHORIZED",
      header ? "the bearer token is not valid; nothing was sent" : "missing `Authorization: Bearer <token>`; nothing was sent",
    );
  }
}

/** The body as JSON, at most maxBytes: 413 over the limit, 400 for anything that is not JSON. */
export async function readJson(request, maxBytes) {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) {
    throw new HttpError(413, "BODY_TOO_LARGE", `the body is ${declared} bytes; the limit is ${maxBytes}`, { limit: maxBytes });
  }
  if (!request.body) throw new HttpError(400, "EMPTY_BODY", "the body is empty; send a JSON document");
  const reader = request.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    let chunk;
    try {
      chunk = await reader.read();
    } catch {
      // the client went away mid-body, or sent less than its Content-Length: its mistake, not ours
      throw new HttpError(400, "INCOMPLETE_BODY", "the body ended before it was complete (shorter than its Content-Length, or the connection closed)");
    }
    const { done, value } = chunk;
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new HttpError(413, "BODY_TOO_LARGE", `the body is over the limit of ${maxBytes} bytes`, { limit: maxBytes });
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  let text;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, "INVALID_JSON", "the body is not UTF-8 text; send a JSON document");
  }
  if (!text.trim()) throw new HttpError(400, "EMPTY_BODY", "the body is empty; send a JSON document");
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, "INVALID_JSON", `the body is not valid JSON: ${e instanceof Error ? e.message : e}`);
  }
}

/** A JSON response; every string in it has the configured secrets replaced by *** first. */
export function json(status, value, scrub, headers = {}) {
  const text = scrub(JSON.stringify(value, null, 2));
  return new Response(`${text}\n`, {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers },
  });
}
