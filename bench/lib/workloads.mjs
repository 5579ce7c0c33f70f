// Send workloads shared by send.mjs, apprise.mjs and memory.mjs: our MessageSender and a plain
// fetch loop over the same precomputed payloads, at a given concurrency.
import { MESSAGES, PLATFORMS, SECRETS } from "./messages.mjs";

/** Every (message, platform) pair, each with its bot on the mock. */
export async function makeCombos(mock, { prefix, messages = Object.keys(MESSAGES), platforms = PLATFORMS }) {
  const bots = {};
  for (const p of platforms) {
    const spec = { platform: p, key: `${prefix}${p}` };
    if (SECRETS[p]) spec.secret = SECRETS[p];
    bots[p] = await mock.addBot(spec);
  }
  const combos = [];
  for (const m of messages) {
    for (const p of platforms) {
      const target = SECRETS[p] ? { webhookUrl: bots[p].key, secret: SECRETS[p] } : { webhookUrl: bots[p].key };
      combos.push({ name: `${m}/${p}`, message: MESSAGES[m], platform: p, target });
    }
  }
  return { bots, combos };
}

/** The payloads `render` produces for each combo, as the plain loop would POST them. */
export function precompute(wp, combos, baseUrls) {
  return combos.map((c) => {
    const r = wp.render(c.message, c.platform, { webhook: c.target.webhookUrl, secret: c.target.secret, baseUrl: baseUrls[c.platform] });
    return { url: r.url, bodies: r.payloads.map((p) => JSON.stringify(p)) };
  });
}

// `pool(n, concurrency, one)`: one definition, in rt-loop.mjs (web globals only, so Deno, Bun and
// workerd load it too)
import { pool } from "./rt-loop.mjs";
export { pool };

/** One timed run: wall ms, process CPU ms (user + system), failures. */
export async function timed(fn) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const failed = await fn();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { ms, cpuMs: (c.user + c.system) / 1000, failed };
}

export function oursRunner(wp, combos, baseUrls, senderOptions = {}) {
  return (n, concurrency, { ids = false } = {}) => {
    const sender = new wp.MessageSender({ rateLimit: false, baseUrls, ...senderOptions });
    let firstFailure = null;
    return pool(n, concurrency, async (i) => {
      const c = combos[i % combos.length];
      const msg = ids ? { ...c.message, metadata: { message_id: `m${i}` } } : c.message;
      const r = await sender.send(msg, c.platform, c.target);
      if (!r.success && !firstFailure) firstFailure = r.error;
      return r.success;
    }).then((failed) => {
      if (failed) console.error(`  our sender: ${failed} failed, e.g. ${JSON.stringify(firstFailure)}`);
      return failed;
    });
  };
}

export function fetchRunner(pre) {
  return (n, concurrency) =>
    pool(n, concurrency, async (i) => {
      const p = pre[i % pre.length];
      let ok = true;
      for (const body of p.bodies) {
        const res = await fetch(p.url, { method: "POST", headers: { "Content-Type": "application/json" }, body });
        const j = await res.json();
        if ((j.errcode ?? j.code) !== 0) ok = false;
      }
      return ok;
    });
}

/**
 * The cheapest transport in Node: the same POSTs as fetchRunner through `http.request` and
 * node:http's global agent (keep-alive), each answer read whole and parsed. The floor our Node
 * transport (pkg-template/host-node.mjs) is measured against.
 */
export async function httpRunner(pre) {
  const http = await import("node:http");
  const post = (url, body) =>
    new Promise((resolve, reject) => {
      const req = http.request(url, { method: "POST", headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(body);
    });
  return (n, concurrency) =>
    pool(n, concurrency, async (i) => {
      const p = pre[i % pre.length];
      let ok = true;
      for (const body of p.bodies) {
        const j = JSON.parse(await post(p.url, body));
        if ((j.errcode ?? j.code) !== 0) ok = false;
      }
      return ok;
    });
}
