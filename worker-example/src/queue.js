// The queue consumer: re-send what the fetch handler could not deliver, with exponential
// backoff; after the last attempt the Queue moves the message to the dead-letter queue, whose
// consumer (this same handler, by queue name) logs it. At-least-once per channel.
// With D1 bound (DB), each consumer attempt is also a row of the delivery log (via = "queue"):
// time, request id, channel, result code, attempts, the Queue's attempt; no payload, no secret.

import { ConfigError, intVar, loadConfig, secretValues, targetOf } from "./config.js";
import { backoffSeconds, batchSender, deadLetter, sendFollowUp } from "./deliver.js";
import { errorFields, logger, scrubber } from "./log.js";
import { recordDeliveries } from "./chatops-relay.js";

export const DEFAULT_DLQ = "webhook-push-relay-dlq";

const isJob = (b) =>
  b !== null && typeof b === "object" && b.v === 1 && typeof b.channel === "string" && typeof b.platform === "string" &&
  b.message !== null && typeof b.message === "object";

function clipJson(v, max = 8000) {
  const s = JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max)}…(${s.length - max} more chars)` : s;
}

/**
 * @param {{ queue: string, messages: { body: any, attempts: number, ack(): void, retry(o?: { delaySeconds?: number }): void }[] }} batch
 *   a Queues MessageBatch
 */
export async function handleQueue(batch, env) {
  let config = null;
  let configError = null;
  try {
    config = loadConfig(env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    configError = e.message;
  }
  const scrub = scrubber(secretValues(env, config));
  const log = logger(scrub);
  const dlq = (typeof env.DEAD_LETTER_QUEUE === "string" && env.DEAD_LETTER_QUEUE.trim()) || DEFAULT_DLQ;

  if (batch.queue === dlq) {
    for (const m of batch.messages) {
      const b = m.body;
      if (isJob(b)) {
        log.error("dead_letter", {
          id: b.id,
          input: b.input,
          channel: b.channel,
          platform: b.platform,
          reason: b.reason ?? "retries_exhausted",
          firstError: b.firstError ?? null,
          lastError: b.lastError ?? null,
          acceptedAt: b.acceptedAt,
          message: clipJson(b.message),
        });
      } else {
        log.error("dead_letter", { reason: "not a relay job", body: clipJson(b ?? null, 2000) });
      }
      m.ack();
    }
    return;
  }

  const maxRetries = intVar(env, "QUEUE_MAX_RETRIES", 8);
  const sender = batchSender(env);
  // one row of the delivery log per consumer attempt (never fails the batch: see recordDeliveries)
  const record = (b, m, entry) =>
    recordDeliveries(env, b.id, b.input, [{ channel: b.channel, platform: b.platform, queueAttempt: m.attempts, ...entry }], Date.now(), "queue");
  await Promise.all(
    batch.messages.map(async (m) => {
      const b = m.body;
      const last = m.attempts > maxRetries;
      if (!isJob(b)) {
        log.error("queue_message_invalid", { queueAttempt: m.attempts, body: clipJson(b ?? null, 2000) });
        await deadLetter(env, { v: 1, id: null, channel: "?", platform: "?", message: { raw: b ?? null }, reason: "invalid" });
        m.ack();
        return;
      }
      const fields = { id: b.id, input: b.input, channel: b.channel, platform: b.platform, queueAttempt: m.attempts };
      const channel = config?.channels.get(b.channel);
      if (!channel || channel.platform !== b.platform) {
        const reason = configError
          ? `the configuration is not valid: ${configError}`
          : `no channel "${b.channel}" for ${b.platform} is configured now`;
        const code = configError ? "CONFIG_ERROR" : "NO_CHANNEL";
        if (last) {
          log.error("giving_up", { ...fields, reason });
          await record(b, m, { outcome: "dead_letter", code });
          m.retry();
        } else {
          const delaySeconds = backoffSeconds(env, m.attempts, null);
          log.warn("retry_scheduled", { ...fields, reason, delaySeconds });
          await record(b, m, { outcome: "retry", code });
          m.retry({ delaySeconds });
        }
        return;
      }
      const r = await sender.send(b.message, channel.platform, targetOf(env, channel));
      const sent = { ...fields, attempts: r.attempts, parts: r.parts };
      if (r.success) {
        log.info("delivered", { ...sent, outcome: "delivered", via: "queue", latencyMs: Date.now() - (b.acceptedAt ?? Date.now()) });
        await record(b, m, { outcome: "delivered", attempts: r.attempts });
        if (b.followUp && typeof b.followUp === "object") await sendFollowUp(sender, env, log, sent, channel, b.followUp);
        m.ack();
        return;
      }
      if (r.error?.code === "DUPLICATE") {
        // Already delivered (the dedup store says so): a re-send would repeat it.
        log.info("duplicate", { ...sent, outcome: "duplicate", via: "queue" });
        await record(b, m, { outcome: "duplicate", attempts: r.attempts });
        m.ack();
        return;
      }
      if (r.retrySuggested) {
        if (last) {
          // The Queue moves it to the dead-letter queue on this retry.
          log.error("giving_up", { ...sent, outcome: "dead_letter", ...errorFields(r.error) });
          await record(b, m, { outcome: "dead_letter", attempts: r.attempts, error: r.error });
          m.retry();
        } else {
          const delaySeconds = backoffSeconds(env, m.attempts, r.retryAfter);
          log.warn("retry_scheduled", { ...sent, outcome: "retry", delaySeconds, ...errorFields(r.error) });
          await record(b, m, { outcome: "retry", attempts: r.attempts, error: r.error });
          m.retry({ delaySeconds });
        }
        return;
      }
      // Failed for good (the bot was deleted, the message is refused): retrying cannot help.
      const lastError = { code: r.error?.code ?? null, platformCode: r.error?.platformCode ?? null };
      if (await deadLetter(env, { ...b, reason: "permanent", lastError })) {
        log.error("failed", { ...sent, outcome: "dead_letter", retryable: false, ...errorFields(r.error) });
        await record(b, m, { outcome: "dead_letter", attempts: r.attempts, error: r.error });
        m.ack();
      } else {
        // No dead-letter producer bound: let the Queue's retries run out into its dead-letter queue.
        log.error("failed", { ...sent, outcome: "retry", retryable: false, ...errorFields(r.error) });
        await record(b, m, { outcome: "retry", attempts: r.attempts, error: r.error });
        m.retry({ delaySeconds: backoffSeconds(env, m.attempts, null) });
      }
    }),
  );
}
