// The loopback mock platforms (tests/mock/platforms.mjs) in a process of their own, so that the
// benchmark process's CPU time does not include the server's. Driven by bench/lib/mock.mjs over
// the fork IPC channel. Counts, per bot, the requests, the deliveries, and the rate-limit errors
// it answered; keeps the first few bodies of bots added with `capture: true`.
import { startMockPlatforms } from "../../tests/mock/platforms.mjs";

const opts = JSON.parse(process.env.WP_MOCK_OPTS || "{}");
const counters = new Map();
const RATE_LIMIT_CODES = { wecom: 45009, dingtalk: 130101, feishu: 11232, lark: 11232 };

function counter(id) {
  let c = counters.get(id);
  if (!c) {
    c = { requests: 0, delivered: 0, rateLimited: 0, otherErrors: 0, firstAt: null, lastAt: null, lastDeliveredAt: null, errorSamples: [], capture: false, captured: [] };
    counters.set(id, c);
  }
  return c;
}

function onRequest(rec) {
  if (!rec.platform || !rec.key) return;
  const c = counter(`${rec.platform}:${rec.key}`);
  c.requests++;
  c.firstAt ??= rec.at;
  c.lastAt = rec.at;
  const b = rec.outcome?.body;
  const code = b && typeof b === "object" ? (b.errcode ?? b.code ?? b.StatusCode) : undefined;
  if (rec.outcome?.status === 200 && code === 0) {
    c.delivered++;
    c.lastDeliveredAt = rec.at;
  } else if (code === RATE_LIMIT_CODES[rec.platform]) {
    c.rateLimited++;
  } else {
    c.otherErrors++;
    if (c.errorSamples.length < 3) c.errorSamples.push({ status: rec.outcome?.status, body: b, path: rec.path });
  }
  if (c.capture && c.captured.length < 8) {
    c.captured.push({ at: rec.at, path: rec.path, query: rec.query, contentType: rec.headers["content-type"] ?? null, raw: typeof rec.raw === "string" ? rec.raw : "", outcome: rec.outcome, warnings: rec.warnings });
  }
}

const mock = await startMockPlatforms({
  port: 0,
  strict: opts.strict !== false,
  rateLimits: opts.rateLimits !== false,
  maxReceived: opts.maxReceived ?? 50,
  onRequest,
});

const handlers = {
  addBot(spec) {
    const { capture, ...rest } = spec;
    const b = mock.addBot(rest);
    counter(`${b.platform}:${b.key}`).capture = !!capture;
    return b;
  },
  stats(ids) {
    const out = {};
    for (const [id, c] of counters) if (!ids || ids.includes(id)) out[id] = { ...c, captured: undefined };
    return out;
  },
  captured(id) {
    return counters.get(id)?.captured ?? [];
  },
  resetCounters() {
    for (const c of counters.values()) Object.assign(c, { requests: 0, delivered: 0, rateLimited: 0, otherErrors: 0, firstAt: null, lastAt: null, lastDeliveredAt: null, errorSamples: [] });
    return true;
  },
  cpu() {
    return process.cpuUsage();
  },
  async close() {
    await mock.close();
    setImmediate(() => process.exit(0));
    return true;
  },
};

process.on("message", async ({ id, cmd, arg }) => {
  try {
    process.send({ id, ok: true, value: await handlers[cmd](arg) });
  } catch (e) {
    process.send({ id, ok: false, error: String(e?.stack || e) });
  }
});
process.on("disconnect", () => mock.close().finally(() => process.exit(0)));
process.send({ ready: true, url: mock.url, baseUrls: mock.baseUrls, pid: process.pid });
