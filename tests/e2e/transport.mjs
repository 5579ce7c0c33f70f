// How the fetch transport (pkg-template/host.js) reads an answer, one module for every runtime
// (Node with fetch forced, Deno, Bun, workerd): a send to each of transport.test.mjs's raw
// loopback servers, one request each (no retry), and which body reader the package used. The
// global Response's arrayBuffer() and ReadableStream's getReader() are counted (wrapped on their
// prototypes, restored after), so the report says which path each answer took.
export async function runTransport(wp, plan) {
  const counts = { arrayBuffer: 0, getReader: 0 };
  const R = globalThis.Response.prototype;
  const S = globalThis.ReadableStream.prototype;
  const realArrayBuffer = R.arrayBuffer;
  const realGetReader = S.getReader;
  // a runtime's arrayBuffer() may take a reader itself (Node's undici does, synchronously): only
  // the readers taken outside it are the package's
  let inside = false;
  R.arrayBuffer = function (...a) {
    counts.arrayBuffer++;
    inside = true;
    try {
      return realArrayBuffer.apply(this, a);
    } finally {
      inside = false;
    }
  };
  S.getReader = function (...a) {
    if (!inside) counts.getReader++;
    return realGetReader.apply(this, a);
  };
  const cases = [];
  try {
    for (const name of plan.cases) {
      const sender = new wp.MessageSender({
        rateLimit: false,
        timeout: plan.timeoutMs,
        retryPolicy: { maxRetries: 0 },
        baseUrls: { wecom: `${plan.base}/${name}` },
      });
      const before = { ...counts };
      const t0 = Date.now();
      const r = await sender.send({ content: { type: "text", body: { text: `transport ${name}` } } }, "wecom", `key-${name}`);
      cases.push({
        name,
        ms: Date.now() - t0,
        success: r.success,
        attempts: r.attempts,
        code: r.error?.code ?? null,
        message: r.error?.message ?? null,
        arrayBuffer: counts.arrayBuffer - before.arrayBuffer,
        getReader: counts.getReader - before.getReader,
      });
    }
  } finally {
    R.arrayBuffer = realArrayBuffer;
    S.getReader = realGetReader;
  }
  return { cases };
}
