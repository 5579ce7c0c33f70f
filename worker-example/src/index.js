// webhook-push relay: a Cloudflare Worker that turns Alertmanager / Grafana notifications and
// unified messages into WeCom, DingTalk and Feishu / Lark group-bot messages.
//
//   POST /v1/alertmanager   Alertmanager webhook payload (version 4)   -> a card per channel
//   POST /v1/grafana        Grafana unified alerting webhook payload   -> a card per channel
//   POST /v1/send           a unified message (+ platforms / channels / labels)
//   GET  /, /healthz  the endpoints, the bindings (D1, the coordinator) and, on /healthz, the checks
//   /v1/wecom/bot, /v1/dingtalk/bot, /v1/feishu/events, GET /v1/alerts, /v1/deliveries: chatops-relay.js
//
// Every POST needs `Authorization: Bearer <RELAY_TOKEN>`. Channels come from the seed's env
// variables and ROUTES (see config.js); deliveries that still fail after short in-request
// retries go on a Queue (queue.js). See README.md for deploying it.

import { UnifiedMessage, render } from "webhook-push/webhook"; // "webhook" channels: see deliver.js
import { BadInput, cardFor, parseAlertmanager, parseGrafana, topSeverity } from "./alerts.js";
import {
  ConfigError,
  PLATFORMS,
  baseUrls,
  intVar,
  loadConfig,
  mentionsFor,
  routeLabels,
  secretValues,
  severityOptions,
  targetOf,
} from "./config.js";
import { deliverAll } from "./deliver.js";
import { HttpError, json, readJson, requireBearer } from "./http.js";
import { logger, scrubber } from "./log.js";
import { handleQueue } from "./queue.js";
import { CHATOPS_ENDPOINTS, annotateAcks, applyAlertState, botsConfigured, chatopsProblems, chatopsRoute, recordDeliveries } from "./chatops-relay.js";

// The Durable Object class behind the BOT_COORDINATOR binding (wrangler.toml).
export { BotCoordinator } from "./coordinator.js";

const SERVICE = "webhook-push-relay";
const ENDPOINTS = {
  "/v1/alertmanager": "alertmanager",
  "/v1/grafana": "grafana",
  "/v1/send": "send",
};

export default {
  /** @param {Request} request */
  async fetch(request, env, ctx) {
    const rid = crypto.randomUUID();
    const started = Date.now();
    const url = new URL(request.url);
    const path = url.pathname.replace(/\/+$/, "") || "/";
    // Until the config is read, scrub at least the relay token and the seed's variables.
    let scrub = scrubber(secretValues(env, null));
    let log = logger(scrub);
    const headers = { "x-relay-id": rid };
    try {
      if (path === "/healthz" || path === "/") {
        if (request.method !== "GET" && request.method !== "HEAD") throw new HttpError(405, "METHOD_NOT_ALLOWED", "use GET", { allow: "GET, HEAD" });
        return health(env, path, scrub, headers);
      }
      // ChatOps bots (signed by their platforms) and the D1 state endpoints: chatops-relay.js
      const chat = await chatopsRoute(request, env, ctx, path, scrub, headers);
      if (chat) return chat;
      const input = ENDPOINTS[path];
      if (!input) throw new HttpError(404, "NOT_FOUND", `no endpoint ${path}; POST /v1/alertmanager, /v1/grafana or /v1/send`);
      if (request.method !== "POST") throw new HttpError(405, "METHOD_NOT_ALLOWED", `${path} takes POST`, { allow: "POST" });

      await requireBearer(request, env);
      const config = loadConfig(env);
      scrub = scrubber(secretValues(env, config));
      log = logger(scrub);
      if (config.channels.size === 0) {
        throw new ConfigError(
          "no channel is configured: set WECOM_WEBHOOK_KEY, DINGTALK_ACCESS_TOKEN or FEISHU_WEBHOOK_ID (wrangler secret put), or channels in ROUTES",
        );
      }
      const raw = await readJson(request, intVar(env, "MAX_BODY_BYTES", 1 << 20));
      // D1 (when bound): record the alerts, leave out the ones silenced from chat, show acknowledgements
      const { body, state, silenced } = input === "send" ? { body: raw, state: new Map(), silenced: 0 } : await applyAlertState(env, input, raw, started);
      if (silenced && !body.alerts.length) return json(200, { ok: true, id: rid, input, silenced }, scrub, headers);
      const override = channelsParam(url, config);
      const { items, skipped } =
        input === "send" ? sendItems(body, config, override, rid) : alertItems(input, body, config, override, rid, env);
      annotateAcks(items, state);

      if (!items.length) throw new ConfigError("no channel matched (check ROUTES.default)");
      const entries = await deliverAll(env, log, rid, input, items);
      await recordDeliveries(env, rid, input, entries, started);
      const result = summarize(entries);
      log.info("request", { id: rid, input, status: result.status, ms: Date.now() - started, ...result.summary });
      const out = { ok: result.ok, id: rid, input, summary: result.summary, channels: entries };
      if (result.status === 400) out.error = entries[0].error;
      if (skipped.length) out.skipped = skipped;
      if (result.status === 503) headers["retry-after"] = "30";
      return json(result.status, out, scrub, headers);
    } catch (e) {
      if (e instanceof HttpError) {
        if (e.status === 401) {
          log.warn("unauthorized", { id: rid, path });
          headers["www-authenticate"] = 'Bearer realm="webhook-push-relay"';
        } else if (e.status >= 500) {
          log.error("rejected", { id: rid, path, status: e.status, code: e.code, error: e.message });
        } else {
          log.info("rejected", { id: rid, path, status: e.status, code: e.code });
        }
        if (e.extra?.allow) headers.allow = e.extra.allow;
        const { allow, ...extra } = e.extra ?? {};
        return json(e.status, { ok: false, id: rid, error: { code: e.code, message: e.message, ...extra } }, scrub, headers);
      }
      if (e instanceof BadInput) {
        log.info("rejected", { id: rid, path, status: 400, code: "INVALID_PAYLOAD", at: e.path });
        return json(400, { ok: false, id: rid, error: { code: "INVALID_PAYLOAD", message: e.message, path: e.path } }, scrub, headers);
      }
      if (e instanceof ConfigError) {
        log.error("config_error", { id: rid, path, error: e.message });
        return json(500, { ok: false, id: rid, error: { code: "CONFIG_ERROR", message: e.message } }, scrub, headers);
      }
      log.error("internal_error", { id: rid, path, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
      return json(500, { ok: false, id: rid, error: { code: "INTERNAL", message: "internal error; see the Worker's logs" } }, scrub, headers);
    }
  },

  /** Cloudflare Queues: the relay queue and its dead-letter queue. */
  async queue(batch, env) {
    await handleQueue(batch, env);
  },
};

const ENDPOINT_LIST = ["POST /v1/alertmanager", "POST /v1/grafana", "POST /v1/send", "GET /healthz", ...CHATOPS_ENDPOINTS];

function health(env, path, scrub, headers) {
  if (path === "/") {
    // whether D1 (alert state, the delivery log, ChatOps) and the coordinator Durable Object are bound
    return json(200, { service: SERVICE, endpoints: ENDPOINT_LIST, database: Boolean(env.DB), coordinator: Boolean(env.BOT_COORDINATOR) }, scrub, headers);
  }
  let config;
  try {
    config = loadConfig(env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return json(500, { ok: false, service: SERVICE, error: { code: "CONFIG_ERROR", message: e.message } }, scrub, headers);
  }
  const token = typeof env.RELAY_TOKEN === "string" && env.RELAY_TOKEN.trim() !== "";
  const badChannels = checkChannels(env, config);
  const badBots = chatopsProblems(env);
  const ok = token && config.channels.size > 0 && badChannels.length === 0 && badBots.length === 0;
  const out = {
    ok,
    service: SERVICE,
    channels: config.channels.size,
    routes: config.routes.length,
    token,
    queue: Boolean(env.RELAY_QUEUE),
    deadLetterQueue: Boolean(env.RELAY_DLQ),
    dedupStore: Boolean(env.DEDUP_KV),
    database: Boolean(env.DB),
    coordinator: Boolean(env.BOT_COORDINATOR),
    endpoints: ENDPOINT_LIST,
    bots: botsConfigured(env),
  };
  if (badChannels.length) out.badChannels = badChannels;
  if (badBots.length) out.badBots = badBots;
  return json(ok ? 200 : 500, out, scrub, headers);
}

/**
 * Each channel's webhook and secret as the package itself checks them (render validates the
 * webhook URL or key and the signing secret): the channels it would refuse, by name, with the
 * package's code and message (which never repeat the value).
 */
function checkChannels(env, config) {
  const bases = baseUrls(env);
  /** @type {import("webhook-push/webhook").UnifiedMessageInit} */
  const probe = { content: { type: "text", body: { text: "healthz" } } };
  const bad = [];
  for (const c of config.channels.values()) {
    const t = targetOf(env, c);
    try {
      render(probe, c.platform, "webhook" in t ? { webhook: t.webhook } : { webhook: t.webhookUrl, secret: t.secret, baseUrl: bases[c.platform] });
    } catch (e) {
      const err = /** @type {any} */ (e);
      bad.push({ channel: c.name, platform: c.platform, variable: c.webhookEnv, code: err?.code ?? "INVALID_CONFIG", message: String(err?.message ?? e) });
    }
  }
  return bad;
}

/** `?channels=a,b`: send to these channels, whatever the routes say. */
function channelsParam(url, config) {
  const raw = url.searchParams.getAll("channels").flatMap((s) => s.split(",")).map((s) => s.trim()).filter(Boolean);
  if (!raw.length) return null;
  return raw.map((n) => {
    const c = config.channels.get(n);
    if (!c) throw new HttpError(400, "UNKNOWN_CHANNEL", `?channels: no channel named "${n}" (configured: ${[...config.channels.keys()].join(", ")})`);
    return c;
  });
}

function alertItems(input, body, config, override, rid, env) {
  const n = input === "grafana" ? parseGrafana(body) : parseAlertmanager(body);
  // Route each alert by its own labels (as Alertmanager routes alerts), then one card per channel.
  const perChannel = new Map();
  for (const a of n.alerts) {
    const names = override ? override.map((c) => c.name) : routeLabels(config, a.labels);
    for (const name of names) {
      if (!perChannel.has(name)) perChannel.set(name, []);
      perChannel.get(name).push(a);
    }
  }
  const opts = {
    maxAlerts: intVar(env, "MAX_ALERTS", 20),
    timeZone: typeof env.TIMEZONE === "string" && env.TIMEZONE.trim() ? env.TIMEZONE.trim() : "UTC",
    ...severityOptions(env),
  };
  const wecomCard = String(env.WECOM_CARD ?? "").trim().toLowerCase() || "auto";
  if (wecomCard !== "auto" && wecomCard !== "card") throw new ConfigError('WECOM_CARD must be "auto" or "card"');
  const items = [...perChannel].map(([name, alerts]) => {
    const channel = config.channels.get(name);
    const compact = channel.platform === "wecom" && wecomCard === "card";
    const message = cardFor(n, alerts, { ...opts, platform: channel.platform, compact, messageId: `${rid}:${name}`, correlationId: rid });
    /** @type {{ channel: any, message: any, alerts: number, alertList: any[], followUp?: any }} */
    const item = { channel, message, alerts: alerts.length, alertList: alerts };
    // @-mentions for firing alerts, by the channel's ROUTES mentions for their highest severity
    const firing = alerts.filter((a) => a.status === "firing");
    const mentions = firing.length ? mentionsFor(channel, topSeverity(firing, opts.severityLabel)) : [];
    if (mentions.length) {
      if (channel.platform === "feishu" || channel.platform === "lark") {
        // a Feishu card @-mentions by user id (open_id) and all; a mobile number is shown as text
        message.content.mentions = mentions;
      } else {
        // WeCom template cards and DingTalk action cards cannot @ anyone: a short text that can follows the card
        item.followUp = {
          content: { type: "text", body: { text: message.content.title }, mentions },
          metadata: { message_id: `${rid}:${name}:mentions`, correlation_id: rid },
        };
      }
    }
    return item;
  });
  return { items, skipped: [] };
}

const RELAY_KEYS = ["platforms", "channels", "labels"];

function sendItems(body, config, override, rid) {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new BadInput("the body must be a JSON object: a unified message { content, metadata? } with optional platforms, channels, labels");
  }
  if (body.content === undefined) {
    if (Array.isArray(body.alerts)) {
      throw new BadInput(`this looks like an alert notification; post it to ${body.orgId !== undefined ? "/v1/grafana" : "/v1/alertmanager"}`);
    }
    throw new BadInput("missing; a unified message needs content: { type, body, title?, mentions? }", "content");
  }
  const { platforms, channels, labels, ...rest } = body;
  for (const k of Object.keys(rest)) {
    if (k !== "content" && k !== "metadata") {
      throw new BadInput(`unknown field; a unified message has content and metadata, and the relay takes ${RELAY_KEYS.join(", ")}`, k);
    }
  }
  // Validate once, with the package's own errors (code and JSON path).
  try {
    new UnifiedMessage(rest);
  } catch (e) {
    const err = /** @type {any} */ (e);
    const where = err.path && !String(err.message).includes(err.path) ? `${err.path}: ` : "";
    throw new HttpError(400, err.code ?? "INVALID_MESSAGE", `${where}${err.message}`, err.path ? { path: err.path } : undefined);
  }

  let selected;
  const skipped = [];
  if (override) {
    selected = override;
  } else if (channels !== undefined) {
    if (!Array.isArray(channels) || !channels.length || !channels.every((c) => typeof c === "string")) {
      throw new BadInput("must be a non-empty array of channel names", "channels");
    }
    selected = channels.map((n, i) => {
      const c = config.channels.get(n);
      if (!c) throw new BadInput(`no channel named "${n}" (configured: ${[...config.channels.keys()].join(", ")})`, `channels[${i}]`);
      return c;
    });
  } else if (platforms !== undefined) {
    if (!Array.isArray(platforms) || !platforms.length) throw new BadInput(`must be a non-empty array of ${PLATFORMS.join(", ")}`, "platforms");
    platforms.forEach((p, i) => {
      if (!PLATFORMS.includes(p)) throw new BadInput(`unknown platform ${JSON.stringify(p)}; one of ${PLATFORMS.join(", ")}`, `platforms[${i}]`);
    });
    const all = [...config.channels.values()];
    selected = all.filter((c) => platforms.includes(c.platform));
    for (const p of new Set(platforms)) {
      if (!all.some((c) => c.platform === p)) skipped.push({ platform: p, reason: "no channel is configured for this platform" });
    }
    if (!selected.length) {
      throw new HttpError(400, "NO_CHANNEL", `none of the requested platforms has a configured channel (configured: ${[...config.channels.keys()].join(", ")})`);
    }
  } else {
    let lab = {};
    if (labels !== undefined) {
      if (labels === null || typeof labels !== "object" || Array.isArray(labels)) throw new BadInput("must be an object of label names to strings", "labels");
      for (const [k, v] of Object.entries(labels)) {
        if (typeof v !== "string") throw new BadInput("must be a string", `labels.${k}`);
      }
      lab = labels;
    }
    selected = routeLabels(config, lab).map((n) => config.channels.get(n));
  }
  const unique = [...new Map(selected.map((c) => [c.name, c])).values()];
  const items = unique.map((channel) => {
    const message = structuredClone(rest);
    // A message_id per channel makes a queued re-send after partial success safe (dedup).
    if (!message.metadata?.message_id) message.metadata = { ...message.metadata, message_id: `${rid}:${channel.name}` };
    if (!message.metadata.correlation_id) message.metadata.correlation_id = rid;
    return { channel, message };
  });
  return { items, skipped };
}

/**
 * 200 all delivered (or already delivered); 202 some queued; 207 some failed for good while others
 * went out or were queued; 502 all failed for good; 503 a retryable failure could not be queued
 * (the caller should retry); 400 every channel refused the message itself (INVALID_MESSAGE,
 * UNSUPPORTED: nothing was posted).
 */
function summarize(entries) {
  const summary = { delivered: 0, duplicate: 0, queued: 0, failed: 0 };
  for (const e of entries) summary[e.outcome]++;
  const unqueued = entries.some((e) => e.outcome === "failed" && e.retryable);
  let status = 200;
  // every channel refused the message itself (INVALID_MESSAGE or UNSUPPORTED, nothing posted): a
  // client error
  if (entries.length && entries.every((e) => e.rejected)) status = 400;
  else if (unqueued) status = 503;
  else if (summary.failed && summary.failed === entries.length) status = 502;
  else if (summary.failed) status = 207;
  else if (summary.queued) status = 202;
  return { status, ok: summary.failed === 0, summary };
}
