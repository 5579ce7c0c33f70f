// Delivery: send now with short in-request retries; what still fails retryably (or is held
// back by a bot's rate limit) goes on the Queue; what fails for good goes to the dead-letter
// queue. Every channel's outcome is returned and logged.

// webhook-push/webhook: the main entry's API with the generic webhook engine (ROUTES may name
// `platform: "webhook"` channels); it shares its wasm with webhook-push/inbound (chatops-relay.js).
import { MessageSender } from "webhook-push/webhook";
import { baseUrls, intVar, targetOf } from "./config.js";
import { coordinatorFor } from "./coordinator.js";
import { errorFields } from "./log.js";

/** Queues take at most 128 KB per message; leave room for the envelope. */
const QUEUE_MESSAGE_LIMIT = 120_000;
/** The longest delay Queues accept (12 hours). */
const MAX_DELAY_SECONDS = 43_200;

/**
 * Without a KV namespace, the isolate's own record of what was delivered (and of which parts of a
 * split message went out), shared by its request sender and its queue consumer's sender: a queued
 * re-send in the same isolate sends only what is missing. Bounded: oldest entries go first.
 */
const isolateStore = (() => {
  const MAX = 10_000;
  /** @type {Map<string, { value: string, expires: number }>} */
  const m = new Map();
  return {
    /** @param {string} key */
    get(key) {
      const e = m.get(key);
      if (!e) return null;
      if (e.expires <= Date.now()) {
        m.delete(key);
        return null;
      }
      return e.value;
    },
    /** @param {string} key @param {string} value @param {{ expirationTtl: number }} opts */
    put(key, value, opts) {
      m.delete(key);
      m.set(key, { value, expires: Date.now() + (opts?.expirationTtl ?? 86_400) * 1000 });
      while (m.size > MAX) m.delete(m.keys().next().value);
    },
  };
})();

function dedupOption(env) {
  // A KV namespace makes "already delivered" visible across isolates and to the queue consumer
  // (the BOT_COORDINATOR Durable Object, when bound, replaces both: see coordinator.js).
  return { store: env.DEDUP_KV ?? isolateStore };
}

/** Short retries: the caller (Alertmanager, Grafana, curl) waits for the answer. */
export function requestOptions(env) {
  return {
    retryPolicy: {
      maxRetries: intVar(env, "REQUEST_RETRIES", 1),
      initialDelay: 200,
      maxDelay: 1000,
      maxTotalTime: intVar(env, "REQUEST_BUDGET_MS", 3000),
    },
    timeout: intVar(env, "REQUEST_TIMEOUT_MS", 2500),
    maxQueueDelay: intVar(env, "MAX_QUEUE_DELAY_MS", 2000),
    baseUrls: baseUrls(env),
  };
}

/** The queue consumer may wait longer: nobody is waiting for its answer. */
export function queueOptions(env) {
  return {
    retryPolicy: { maxRetries: 1, initialDelay: 500, maxDelay: 2000, maxTotalTime: 20_000 },
    timeout: intVar(env, "QUEUE_TIMEOUT_MS", 10_000),
    maxQueueDelay: intVar(env, "QUEUE_MAX_QUEUE_DELAY_MS", 10_000),
    baseUrls: baseUrls(env),
  };
}

/**
 * One sender per isolate for the fetch handler and one for the queue consumer, so a bot's rate
 * window and the dedup memory span requests and batches. With a BOT_COORDINATOR Durable Object
 * bound, both senders share every bot's slots and message records with all other isolates.
 * @type {Map<string, { key: string, kv: unknown, coord: unknown, sender: MessageSender }>}
 */
const cached = new Map();
function senderFor(kind, env, opts) {
  const key = JSON.stringify(opts);
  const c = cached.get(kind);
  if (c && c.key === key && c.kv === env.DEDUP_KV && c.coord === env.BOT_COORDINATOR) return c.sender;
  const sender = new MessageSender({ ...opts, dedup: dedupOption(env), coordinator: coordinatorFor(env) });
  cached.set(kind, { key, kv: env.DEDUP_KV, coord: env.BOT_COORDINATOR, sender });
  return sender;
}

/** @returns {MessageSender} */
export function requestSender(env) {
  return senderFor("request", env, requestOptions(env));
}

/** The queue consumer's sender: one per isolate too, so its dedup memory spans batches. */
export function batchSender(env) {
  return senderFor("queue", env, queueOptions(env));
}

/**
 * Seconds before queue attempt `attempt + 1`: RETRY_BASE_SECONDS * 2^attempt, capped at
 * RETRY_MAX_SECONDS, ±10 % jitter, and never sooner than the platform's retryAfter.
 */
export function backoffSeconds(env, attempt, retryAfterMs) {
  const base = intVar(env, "RETRY_BASE_SECONDS", 30);
  const max = Math.min(intVar(env, "RETRY_MAX_SECONDS", 900), MAX_DELAY_SECONDS);
  let d = Math.min(max, base * 2 ** Math.min(attempt, 20));
  d = Math.round(d * (0.9 + Math.random() * 0.2));
  if (typeof retryAfterMs === "number" && retryAfterMs > 0) d = Math.max(d, Math.ceil(retryAfterMs / 1000));
  return Math.max(0, Math.min(d, MAX_DELAY_SECONDS));
}

const byteLength = (s) => new TextEncoder().encode(s).byteLength;

/** Put a delivery on the relay queue. Resolves to null when it is queued, else the reason. */
export async function enqueue(env, job, delaySeconds) {
  if (!env.RELAY_QUEUE || typeof env.RELAY_QUEUE.send !== "function") {
    return "no queue is bound (RELAY_QUEUE): a retryable failure cannot be kept for later";
  }
  const size = byteLength(JSON.stringify(job));
  if (size > QUEUE_MESSAGE_LIMIT) return `the message is ${size} bytes as JSON; a queue message holds at most ${QUEUE_MESSAGE_LIMIT}`;
  try {
    await env.RELAY_QUEUE.send(job, { contentType: "json", delaySeconds });
    return null;
  } catch (e) {
    return `the queue refused the message: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** Put a delivery that failed for good on the dead-letter queue, for inspection and replay. */
export async function deadLetter(env, job) {
  if (!env.RELAY_DLQ || typeof env.RELAY_DLQ.send !== "function") return false;
  try {
    if (byteLength(JSON.stringify(job)) > QUEUE_MESSAGE_LIMIT) job = { ...job, message: null, messageDropped: "too large for a queue message" };
    await env.RELAY_DLQ.send(job, { contentType: "json" });
    return true;
  } catch {
    return false;
  }
}

/**
 * The mentions that follow a card on WeCom and DingTalk (their cards cannot mention): sent once
 * the card is delivered, reported, not queued on failure (the card itself went out).
 * @returns {Promise<{ outcome: string, error?: object | null }>}
 */
export async function sendFollowUp(sender, env, log, logged, channel, followUp) {
  const r = await sender.send(followUp, channel.platform, targetOf(env, channel));
  if (r.success || r.error?.code === "DUPLICATE") {
    log.info("mentioned", { ...logged, outcome: r.success ? "delivered" : "duplicate" });
    return { outcome: r.success ? "delivered" : "duplicate" };
  }
  log.warn("mention_failed", { ...logged, outcome: "failed", ...errorFields(r.error) });
  return { outcome: "failed", error: pickError(r.error) };
}

const pickError = (e) =>
  e ? { code: e.code, message: e.message, platformCode: e.platformCode ?? null, platformMessage: e.platformMessage ?? null } : null;

/**
 * Send each item to its channel now; queue or dead-letter what fails.
 * @param {{channel: import("./config.js").Channel, message: object, alerts?: number, followUp?: object}[]} items
 * @returns {Promise<object[]>} one entry per item: { channel, platform, outcome, ... }
 */
export async function deliverAll(env, log, rid, input, items) {
  const sender = requestSender(env);
  return Promise.all(
    items.map(async ({ channel, message, alerts, followUp }) => {
      const r = await sender.send(message, channel.platform, targetOf(env, channel));
      const entry = {
        channel: channel.name,
        platform: channel.platform,
        outcome: "delivered",
        attempts: r.attempts,
        parts: r.parts,
        partsDelivered: r.partsDelivered,
        degraded: r.degraded,
        messageId: r.messageId,
      };
      if (alerts !== undefined) entry.alerts = alerts;
      const logged = { id: rid, input, channel: channel.name, platform: channel.platform, attempts: r.attempts, parts: r.parts };
      if (r.success) {
        log.info("delivered", { ...logged, outcome: "delivered", elapsedMs: r.elapsedMs });
        if (followUp) entry.mentions = await sendFollowUp(sender, env, log, logged, channel, followUp);
        return entry;
      }
      entry.error = pickError(r.error);
      if (r.error?.code === "DUPLICATE") {
        entry.outcome = "duplicate";
        log.info("duplicate", { ...logged, outcome: "duplicate" });
        return entry;
      }
      if (r.error?.code === "INVALID_MESSAGE" || r.error?.code === "UNSUPPORTED") {
        // the message itself is refused before anything is posted (it renders to nothing on this
        // platform, or asks for what the platform cannot show, such as a file by media_id on
        // DingTalk): the caller's error, nothing to retry or dead-letter
        entry.outcome = "failed";
        entry.retryable = false;
        entry.rejected = true;
        log.info("rejected", { ...logged, outcome: "failed", ...errorFields(r.error) });
        return entry;
      }
      const job = {
        v: 1,
        id: rid,
        input,
        channel: channel.name,
        platform: channel.platform,
        message,
        firstError: { code: r.error?.code ?? null, platformCode: r.error?.platformCode ?? null },
        acceptedAt: Date.now(),
      };
      if (followUp) job.followUp = followUp;
      if (r.retrySuggested) {
        const delaySeconds = backoffSeconds(env, 0, r.retryAfter);
        const refused = await enqueue(env, job, delaySeconds);
        if (refused === null) {
          entry.outcome = "queued";
          entry.queue = { delaySeconds };
          log.warn("queued", { ...logged, outcome: "queued", delaySeconds, ...errorFields(r.error) });
        } else {
          entry.outcome = "failed";
          entry.retryable = true;
          entry.queueError = refused;
          log.error("queue_failed", { ...logged, outcome: "failed", retryable: true, reason: refused, ...errorFields(r.error) });
        }
        return entry;
      }
      entry.outcome = "failed";
      entry.retryable = false;
      entry.deadLettered = await deadLetter(env, { ...job, reason: "permanent", lastError: job.firstError });
      log.error("failed", { ...logged, outcome: "failed", retryable: false, deadLettered: entry.deadLettered, ...errorFields(r.error) });
      return entry;
    }),
  );
}
