// One rate limit and one record per message across all of the relay's isolates: a Durable
// Object per bot implements the package's SendCoordinator. Every isolate's sender asks the bot's
// object for a slot before each request and claims a message_id before sending it, so all
// isolates together keep a bot under its platform's limit and send a message_id once.
//
// Cost: one Durable Object round trip per request to a platform (acquire), plus two per message
// with a message_id (claim, settle). Scaling: one object per bot, named by the bot's identity
// (a hash of platform and credential, computed by the package: never the key or token itself);
// a bot takes at most 20 messages a minute (Feishu 100), far below what one object serves.
// Without the BOT_COORDINATOR binding each isolate keeps its own windows and memory, as before.

import { DurableObject } from "cloudflare:workers";

// the package's botId: "<platform>:<32 hex>" (a hash of platform and credential)
const BOT_RE = /^(wecom|dingtalk|feishu|lark):[0-9a-f]{32}$/;
/** Slots older than the longest window any platform has (plus margin) are forgotten. */
const MAX_PERIOD_MS = 10 * 60_000;
const MAX_ID_LENGTH = 512;
const MAX_TTL_MS = 7 * 24 * 3600_000;

/** @typedef {{ state: string, exp: number, resume?: string | null }} MessageRecord */

const bad = (what) => new TypeError(`BotCoordinator: ${what}`);

function checkId(id) {
  if (typeof id !== "string" || id === "" || id.length > MAX_ID_LENGTH) throw bad("messageId must be a string of 1-512 characters");
}
function checkTtl(ttl) {
  if (typeof ttl !== "number" || !Number.isFinite(ttl) || ttl <= 0) throw bad("ttlMs must be a positive number");
  return Math.min(ttl, MAX_TTL_MS);
}

export class BotCoordinator extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    /** @type {number[] | null} send times, ascending (kept in storage too: an evicted object keeps its window) */
    this.times = null;
  }

  /** @param {{ limit: number, periodMs: number }[]} windows */
  async acquire(windows) {
    if (!Array.isArray(windows) || windows.length === 0 || windows.length > 8) throw bad("windows must be a non-empty array");
    for (const w of windows) {
      if (!w || !Number.isInteger(w.limit) || w.limit < 1 || typeof w.periodMs !== "number" || !(w.periodMs > 0) || w.periodMs > MAX_PERIOD_MS) {
        throw bad("each window is { limit: integer >= 1, periodMs: 1..600000 }");
      }
    }
    this.times ??= (await this.ctx.storage.get("times")) ?? [];
    const now = Date.now();
    let wait = 0;
    for (const { limit, periodMs } of windows) {
      const inside = this.times.filter((t) => t > now - periodMs);
      if (inside.length >= limit) wait = Math.max(wait, inside[inside.length - limit] + periodMs - now);
    }
    if (wait > 0) return { waitMs: Math.max(1, Math.ceil(wait)) };
    this.times = this.times.filter((t) => t > now - MAX_PERIOD_MS);
    this.times.push(now);
    await this.ctx.storage.put("times", this.times);
    return { waitMs: 0 };
  }

  /** "new" or "partial:N/M": the caller holds the id now; "sent" / "pending": someone else has it. */
  async claim(messageId, ttlMs) {
    checkId(messageId);
    const ttl = checkTtl(ttlMs);
    const now = Date.now();
    const key = `m:${messageId}`;
    const rec = /** @type {MessageRecord | undefined} */ (await this.ctx.storage.get(key));
    const live = rec && rec.exp > now ? rec.state : null;
    if (live === "sent" || live === "pending") return live;
    await this.ctx.storage.put(key, { state: "pending", exp: now + ttl, resume: live });
    await this.sweepLater(now + ttl);
    return live ?? "new";
  }

  /** "sent", "partial:N/M", or "released" (it may be claimed again). */
  async settle(messageId, state, ttlMs) {
    checkId(messageId);
    const ttl = checkTtl(ttlMs);
    const key = `m:${messageId}`;
    if (state === "released") {
      // a release after a partial delivery keeps what went out
      const rec = /** @type {MessageRecord | undefined} */ (await this.ctx.storage.get(key));
      if (rec?.resume) await this.ctx.storage.put(key, { state: rec.resume, exp: Date.now() + ttl });
      else await this.ctx.storage.delete(key);
      return;
    }
    if (state !== "sent" && !/^partial:\d+\/\d+$/.test(state)) throw bad('state must be "sent", "partial:N/M" or "released"');
    const now = Date.now();
    await this.ctx.storage.put(key, { state, exp: now + ttl });
    await this.sweepLater(now + ttl);
  }

  /** Expired records are deleted by an alarm, so an object's storage stays small. */
  async sweepLater(at) {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  async alarm() {
    const now = Date.now();
    let next = null;
    const gone = [];
    const records = /** @type {Map<string, MessageRecord>} */ (await this.ctx.storage.list({ prefix: "m:" }));
    for (const [key, rec] of records) {
      if (!rec || rec.exp <= now) gone.push(key);
      else if (next === null || rec.exp < next) next = rec.exp;
    }
    for (let i = 0; i < gone.length; i += 128) await this.ctx.storage.delete(gone.slice(i, i + 128));
    if (next !== null) await this.ctx.storage.setAlarm(next);
  }
}

/** The package's SendCoordinator over the BOT_COORDINATOR namespace, or undefined when it is not bound. */
export function coordinatorFor(env) {
  const ns = env.BOT_COORDINATOR;
  if (!ns || typeof ns.idFromName !== "function") return undefined;
  const stub = (bot) => {
    if (typeof bot !== "string" || !BOT_RE.test(bot)) throw bad("bot must be the package's bot identity (botId)");
    return ns.get(ns.idFromName(bot));
  };
  return {
    acquire: async (bot, windows) => stub(bot).acquire(windows),
    claim: async (bot, messageId, ttlMs) => stub(bot).claim(messageId, ttlMs),
    settle: async (bot, messageId, state, ttlMs) => {
      await stub(bot).settle(messageId, state, ttlMs);
    },
  };
}
