// The host contract, one module for every runtime (Node, Deno, workerd): the package is handed
// a host `fetch` that misbehaves in each way we know of, and every send, sendMulti and sendAuto
// must settle with a coded result (or a delivery), throw nothing, and let no credential out.
// Only web globals and the package's API are used. The plan (bots, secrets, the guard) comes from
// contract.test.mjs; the report goes back to it, which checks it and the runtime's output.

const OK = { wecom: '{"errcode":0,"errmsg":"ok"}', dingtalk: '{"errcode":0,"errmsg":"ok"}', feishu: '{"code":0,"msg":"success","data":{}}' };
const platformOf = (url) => (url.includes("/hook/") ? "feishu" : url.includes("access_token") ? "dingtalk" : "wecom");
const okResponse = (url) => new Response(OK[platformOf(String(url))], { headers: { "content-type": "application/json" } });

/** A stream of `total` bytes of `{`, made as it is read; `pulled()` says how much was read. */
function hugeStream(total) {
  let pulled = 0;
  const chunk = new Uint8Array(64 * 1024).fill(0x7b);
  const stream = new ReadableStream({
    pull(c) {
      if (pulled >= total) return c.close();
      c.enqueue(chunk.slice());
      pulled += chunk.length;
    },
  });
  return { stream, pulled: () => pulled };
}

/** Each case: a fetch stub, and what else the case needs. `seen` collects what the stub saw. */
function cases(seen) {
  const note = (url, init) => {
    seen.urls.push(String(url));
    seen.redirectModes.push(init?.redirect ?? "follow");
    if (typeof init?.body === "string") seen.bodies.push(init.body);
  };
  return [
    { name: "throws synchronously", fetch: (url, init) => { note(url, init); throw new TypeError("fetch failed " + url); } },
    { name: "rejects quoting the URL", fetch: async (url, init) => { note(url, init); throw new Error(`boom ${url} ${encodeURIComponent(url)} ${encodeURIComponent(encodeURIComponent(url))}`); } },
    { name: "resolves to undefined", fetch: async (url, init) => { note(url, init); return undefined; } },
    { name: "resolves to a number", fetch: async (url, init) => { note(url, init); return 42; } },
    { name: "resolves to a plain object", fetch: async (url, init) => { note(url, init); return {}; } },
    { name: "no headers", fetch: async (url, init) => { note(url, init); return { status: 200, text: async () => OK[platformOf(url)] }; } },
    {
      name: "headers.get throws",
      fetch: async (url, init) => { note(url, init); return { status: 200, headers: { get() { throw new Error("headers " + url); } }, text: async () => OK[platformOf(url)] }; },
    },
    { name: "text is not a function", fetch: async (url, init) => { note(url, init); return { status: 200, headers: new Headers(), text: "nope" }; } },
    { name: "text throws", fetch: async (url, init) => { note(url, init); return { status: 200, headers: new Headers(), text() { throw new Error("text " + url); } }; } },
    { name: "status is junk", fetch: async (url, init) => { note(url, init); return { status: "200", headers: new Headers(), text: async () => "{}" }; } },
    { name: "a thenable whose then throws", fetch: (url, init) => { note(url, init); return { then() { throw new Error("then " + url); } }; } },
    { name: "never settles", fetch: (url, init) => { note(url, init); return new Promise(() => {}); } },
    {
      name: "ignores its AbortSignal, answers late",
      fetch: (url, init) => {
        note(url, init);
        return new Promise((resolve) => setTimeout(() => resolve(okResponse(url)), 4_000));
      },
    },
    {
      name: "body stream never ends",
      fetch: async (url, init) => {
        note(url, init);
        return new Response(new ReadableStream({ pull: () => new Promise(() => {}) }), { status: 200 });
      },
    },
    {
      // what a real fetch does: follows unless told "manual" (then the 3xx is the answer) or "error"
      name: "redirects (307 to another origin)",
      fetch: async (url, init) => {
        note(url, init);
        const mode = init?.redirect ?? "follow";
        if (mode === "error") throw new TypeError("redirect " + url);
        if (mode === "manual") {
          return new Response(null, { status: 307, headers: { location: String(url).replace(/^http:\/\/[^/]+/, "http://evil.example") } });
        }
        seen.followed++;
        return okResponse(url); // the other origin "accepts": the bug reported this as delivered
      },
      expectCode: "PLATFORM_ERROR",
    },
    {
      name: "answers 300 MB",
      fetch: async (url, init) => {
        note(url, init);
        const h = hugeStream(300 * 1024 * 1024);
        seen.streams.push(h);
        return new Response(h.stream, { status: 200, headers: { "content-type": "application/json" } });
      },
      bounded: 16 * 1024 * 1024,
    },
    {
      // a Content-Length within the cap is not trusted: the stream behind it is still read capped
      name: "Content-Length lies (says 27, streams 300 MB)",
      fetch: async (url, init) => {
        note(url, init);
        const h = hugeStream(300 * 1024 * 1024);
        seen.streams.push(h);
        return new Response(h.stream, { status: 200, headers: { "content-type": "application/json", "content-length": "27" } });
      },
      bounded: 16 * 1024 * 1024,
    },
    {
      // a Response that claims a fetch's URL (set on the object) is still not trusted as framed
      name: "Content-Length lies, with a URL set on the Response",
      fetch: async (url, init) => {
        note(url, init);
        const h = hugeStream(300 * 1024 * 1024);
        seen.streams.push(h);
        const r = new Response(h.stream, { status: 200, headers: { "content-type": "application/json", "content-length": "27" } });
        Object.defineProperty(r, "url", { value: String(url) });
        return r;
      },
      bounded: 16 * 1024 * 1024,
    },
    {
      // nor a subclass of Response with a URL
      name: "Content-Length lies, from a subclass of Response with a URL",
      fetch: async (url, init) => {
        note(url, init);
        const h = hugeStream(300 * 1024 * 1024);
        seen.streams.push(h);
        class FetchedLike extends Response {
          get url() {
            return String(url);
          }
        }
        return new FetchedLike(h.stream, { status: 200, headers: { "content-type": "application/json", "content-length": "27" } });
      },
      bounded: 16 * 1024 * 1024,
    },
    {
      // a declared length past the cap is refused before anything is read
      name: "declares a huge Content-Length",
      fetch: async (url, init) => {
        note(url, init);
        const h = hugeStream(300 * 1024 * 1024);
        seen.streams.push(h);
        return new Response(h.stream, { status: 200, headers: { "content-type": "application/json", "content-length": "1000000000000" } });
      },
      bounded: 1024 * 1024,
    },
  ];
}

const settleWithin = (p, ms) => {
  let timer;
  const guard = new Promise((resolve) => (timer = setTimeout(() => resolve({ pending: true }), ms)));
  return Promise.race([p.then((v) => ({ value: v }), (e) => ({ threw: String(e?.stack ?? e) })), guard]).finally(() => clearTimeout(timer));
};

export async function runContract(wp, plan, { log }) {
  const realFetch = globalThis.fetch;
  const out = { ctorError: null, cases: [], images: [], stores: [], seenUrls: [], seenBodies: [], redirectModes: [] };
  const msg = { content: { type: "text", body: { text: "contract" } } };
  const options = {
    timeout: plan.timeoutMs,
    rateLimit: false,
    retryPolicy: { maxRetries: 1, initialDelay: 20, maxDelay: 20, jitter: 0, maxTotalTime: plan.timeoutMs * 4 },
    baseUrls: { wecom: plan.base, dingtalk: plan.base, feishu: plan.base },
  };
  const { bots } = plan;
  const targets = {
    wecom: bots.wecom.key,
    dingtalk: { webhookUrl: bots.dingtalk.key, secret: bots.dingtalk.secret },
    feishu: { webhookUrl: bots.feishu.key, secret: bots.feishu.secret },
  };
  try {
    const count = cases({}).length;
    for (let i = 0; i < count; i++) {
      const seen = { urls: out.seenUrls, redirectModes: out.redirectModes, bodies: out.seenBodies, followed: 0, streams: [] };
      const c = cases(seen)[i];
      globalThis.fetch = c.fetch;
      const sender = new wp.MessageSender(options);
      const started = Date.now();
      const calls = [
        ...Object.entries(targets).map(([p, t]) => ["send " + p, sender.send(msg, p, t)]),
        ["sendMulti", sender.sendMulti(msg, {
          platforms: ["wecom", "dingtalk", "feishu"],
          webhookUrls: { wecom: targets.wecom, dingtalk: targets.dingtalk.webhookUrl, feishu: targets.feishu.webhookUrl },
          secrets: { dingtalk: targets.dingtalk.secret, feishu: targets.feishu.secret },
        })],
        ["sendAuto", sender.sendAuto(msg, {
          WECOM_WEBHOOK_KEY: bots.wecom.key,
          DINGTALK_ACCESS_TOKEN: bots.dingtalk.key, DINGTALK_SECRET: bots.dingtalk.secret,
          FEISHU_WEBHOOK_ID: bots.feishu.key, FEISHU_SECRET: bots.feishu.secret,
        })],
      ];
      const settled = [];
      for (const [what, p] of calls) settled.push({ what, ...(await settleWithin(p, plan.guardMs)) });
      out.cases.push({
        name: c.name,
        expectCode: c.expectCode ?? null,
        elapsedMs: Date.now() - started,
        settled,
        followed: seen.followed,
        pulled: seen.streams.map((s) => s.pulled()),
        bounded: c.bounded ?? null,
      });
      log(`contract: ${c.name}: ${settled.map((s) => `${s.what}=${s.pending ? "PENDING" : s.threw ? "THREW" : "settled"}`).join(" ")}`);
    }

    // a WeCom image by URL, served chunked (no Content-Length) and huge: read up to the cap only
    {
      const h = hugeStream(64 * 1024 * 1024);
      globalThis.fetch = async (url, init) => {
        out.seenUrls.push(String(url));
        if (String(url).startsWith(plan.imageUrl)) return new Response(h.stream, { status: 200, headers: { "content-type": "image/png" } });
        return okResponse(url);
      };
      const sender = new wp.MessageSender(options);
      const image = { content: { type: "image", body: { url: plan.imageUrl + "/huge.png" } } };
      const r = await settleWithin(sender.send(image, "wecom", targets.wecom), plan.guardMs);
      out.images.push({ name: "chunked 64 MB image", ...r, pulled: h.pulled() });
    }

    // a dedup store that hangs, or throws: the message is still delivered and reported so
    for (const [name, store] of [
      ["store never settles", { get: () => new Promise(() => {}), put: () => new Promise(() => {}) }],
      ["store throws", { get() { throw new Error("get"); }, put() { throw new Error("put"); } }],
      ["store rejects", { get: async () => { throw new Error("get"); }, put: async () => { throw new Error("put"); } }],
    ]) {
      globalThis.fetch = async (url, init) => {
        out.seenUrls.push(String(url));
        return okResponse(url);
      };
      const sender = new wp.MessageSender({ ...options, dedup: { store } });
      const m = { ...msg, metadata: { message_id: "contract-" + name.replace(/\W/g, "-") } };
      const r = await settleWithin(sender.send(m, "wecom", targets.wecom), plan.guardMs);
      out.stores.push({ name, ...r });
    }

    // the constructor's errors echo no property name (a bot key is often what is put there)
    try {
      new wp.MessageSender({ baseUrls: { [bots.wecom.key]: "http://127.0.0.1:9" } });
      out.ctorError = "no throw";
    } catch (e) {
      out.ctorError = { code: e?.code, message: String(e?.message) };
    }

    // the bot identity: the same bot in any form, never the credential
    out.botIds = [
      wp.botId("wecom", bots.wecom.key),
      wp.botId("wecom", `${plan.base}/cgi-bin/webhook/send?key=${bots.wecom.key}`),
      wp.botId("wecom", { webhookUrl: `${plan.base}/cgi-bin/webhook/send?debug=1&key=${bots.wecom.key}` }),
    ];
    try {
      wp.botId("wecom", "not a key");
      out.botIdBad = "no throw";
    } catch (e) {
      out.botIdBad = e?.code ?? String(e);
    }
  } finally {
    globalThis.fetch = realFetch;
  }
  return out;
}
