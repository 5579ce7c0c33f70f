// The relay's two-way part, mounted by index.js:
//
//   POST /v1/wecom/bot, GET (URL verification)   WeCom AI bot callbacks      (WECOM_BOT_TOKEN, WECOM_BOT_AES_KEY)
//   POST /v1/dingtalk/bot                          DingTalk robot, HTTP mode    (DINGTALK_APP_SECRET)
//   POST /v1/feishu/events                         Feishu / Lark events         (FEISHU_APP_ID, FEISHU_APP_SECRET,
//                                                                                FEISHU_ENCRYPT_KEY, FEISHU_VERIFICATION_TOKEN)
//   GET  /v1/alerts[?status=firing]                alert state (bearer token)
//   GET  /v1/deliveries                            the delivery log (bearer token)
//
// The bots' requests are signed by the platforms (checked by webhook-push/inbound), so they do not
// carry the relay's bearer token. CHATOPS_ALLOW_FROM (comma-separated sender ids) limits who may
// talk to them. Alert state and the delivery log live in D1 (binding DB; migrations/).

import { dingtalkHandler, feishuHandler, wecomHandler } from "webhook-push/inbound";
import { parseAlertmanager, parseGrafana } from "./alerts.js";
import { chatopsOnMessage } from "./chatops.js";
import { secretValues } from "./config.js";
import { HttpError, json, requireBearer } from "./http.js";
import { logger, scrubber } from "./log.js";
import { fingerprintOf, listAlerts, listDeliveries, logDeliveries, recordAlerts, stateOf } from "./state.js";

const BOT_PATHS = ["/v1/wecom/bot", "/v1/dingtalk/bot", "/v1/feishu/events"];
const DAY_MS = 86_400_000;

let cached = null; // { key, handlers, problems } per isolate: dedup memory and the Feishu token cache live here

function str(env, name) {
  return typeof env[name] === "string" && env[name].trim() !== "" ? env[name].trim() : undefined;
}

// Feishu signs events only when an Encrypt Key is set, and checks nothing without a verification
// token: with neither, anyone who finds the URL could post commands as any user. So one of them is
// required for the endpoint to be mounted.
const feishuConfigured = (env) =>
  Boolean(str(env, "FEISHU_APP_ID") && str(env, "FEISHU_APP_SECRET") && (str(env, "FEISHU_ENCRYPT_KEY") || str(env, "FEISHU_VERIFICATION_TOKEN")));

function handlersFor(env) {
  const key = ["WECOM_BOT_TOKEN", "WECOM_BOT_AES_KEY", "DINGTALK_APP_SECRET", "FEISHU_APP_ID", "FEISHU_APP_SECRET", "FEISHU_ENCRYPT_KEY", "FEISHU_VERIFICATION_TOKEN", "CHATOPS_ALLOW_FROM", "CHATOPS_REPLY_WINDOW_MS", "FEISHU_API_BASE_URL", "PLATFORM_BASE_URL"]
    .map((k) => `${k}=${env[k] ?? ""}`)
    .join("\n");
  if (cached?.key === key) return cached;
  const allowFrom = (str(env, "CHATOPS_ALLOW_FROM") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const onMessage = chatopsOnMessage(env);
  // through the relay's scrubber, as every other log line (the bots' credentials included)
  const scrubbed = logger(scrubber(secretValues(env, null)));
  const log = (line) => scrubbed.warn("chatops", { message: line });
  const window = Number(env.CHATOPS_REPLY_WINDOW_MS ?? 1000);
  const common = { onMessage, allowFrom, log, replyWindow: Number.isFinite(window) && window >= 0 ? Math.min(window, 4500) : 1000 };
  const handlers = {};
  /** Bots whose credentials are set but refused: { path, bot, code, message } (no value quoted). */
  const problems = [];
  const make = (path, bot, build) => {
    try {
      handlers[path] = build();
    } catch (e) {
      problems.push({ path, bot, code: typeof e?.code === "string" ? e.code : "INVALID_CONFIG", message: String(e?.message ?? e) });
    }
  };
  if (str(env, "WECOM_BOT_TOKEN") && str(env, "WECOM_BOT_AES_KEY")) {
    make("/v1/wecom/bot", "wecom", () =>
      wecomHandler({ ...common, token: str(env, "WECOM_BOT_TOKEN"), encodingAesKey: str(env, "WECOM_BOT_AES_KEY"), receiveId: env.WECOM_BOT_RECEIVE_ID ?? "" }),
    );
  }
  if (str(env, "DINGTALK_APP_SECRET")) {
    make("/v1/dingtalk/bot", "dingtalk", () => dingtalkHandler({ ...common, appSecret: str(env, "DINGTALK_APP_SECRET") }));
  }
  if (str(env, "FEISHU_APP_ID") && str(env, "FEISHU_APP_SECRET")) {
    const base = str(env, "FEISHU_API_BASE_URL") ?? str(env, "PLATFORM_BASE_URL");
    if (!str(env, "FEISHU_ENCRYPT_KEY") && !str(env, "FEISHU_VERIFICATION_TOKEN")) {
      // without either, any POST would pass for a Feishu event: the bot stays off
      problems.push({
        path: "/v1/feishu/events",
        bot: "feishu",
        code: "INVALID_CONFIG",
        message: "set FEISHU_ENCRYPT_KEY or FEISHU_VERIFICATION_TOKEN (the app's Events and Callbacks page): without either, events cannot be told from forgeries",
      });
    } else {
      make("/v1/feishu/events", "feishu", () =>
        feishuHandler({
          ...common,
          appId: str(env, "FEISHU_APP_ID"),
          appSecret: str(env, "FEISHU_APP_SECRET"),
          encryptKey: str(env, "FEISHU_ENCRYPT_KEY") ?? "",
          verificationToken: str(env, "FEISHU_VERIFICATION_TOKEN") ?? "",
          ...(base ? { baseUrl: base } : {}),
        }),
      );
    }
  }
  const scrub = scrubber(secretValues(env, null));
  for (const p of problems) p.message = scrub(p.message);
  cached = { key, handlers, problems };
  return cached;
}

/** The ChatOps bots whose credentials are set but cannot work (for /healthz): [] when all is well. */
export function chatopsProblems(env) {
  return handlersFor(env).problems.map(({ bot, path, code, message }) => ({ bot, path, code, message }));
}

/** The ChatOps and state endpoints, as `/` and `/healthz` list them. */
export const CHATOPS_ENDPOINTS = [
  "GET, POST /v1/wecom/bot",
  "POST /v1/dingtalk/bot",
  "POST /v1/feishu/events",
  "GET /v1/alerts",
  "GET /v1/deliveries",
];

/** Which bot endpoints have their credentials set (the others answer 404 NOT_CONFIGURED). */
export function botsConfigured(env) {
  return {
    "/v1/wecom/bot": Boolean(str(env, "WECOM_BOT_TOKEN") && str(env, "WECOM_BOT_AES_KEY")),
    "/v1/dingtalk/bot": Boolean(str(env, "DINGTALK_APP_SECRET")),
    "/v1/feishu/events": feishuConfigured(env),
  };
}

/** A Response for the ChatOps and state endpoints, or null for any other path. */
export async function chatopsRoute(request, env, ctx, path, scrub, headers) {
  if (BOT_PATHS.includes(path)) {
    // the bot handlers keep the env's D1 binding (chatopsOnMessage reads env.DB per message)
    const { handlers, problems } = handlersFor(env);
    const h = handlers[path];
    const problem = problems.find((p) => p.path === path);
    if (problem) throw new HttpError(500, "CONFIG_ERROR", `${path}: ${problem.message}`);
    if (!h) {
      const need = {
        "/v1/wecom/bot": "WECOM_BOT_TOKEN and WECOM_BOT_AES_KEY",
        "/v1/dingtalk/bot": "DINGTALK_APP_SECRET",
        "/v1/feishu/events": "FEISHU_APP_ID, FEISHU_APP_SECRET and FEISHU_ENCRYPT_KEY (or at least FEISHU_VERIFICATION_TOKEN)",
      }[path];
      throw new HttpError(404, "NOT_CONFIGURED", `${path}: the bot's credentials are not set: ${need} (see README.md, "Talk to your alerts")`);
    }
    return h(request, ctx);
  }
  if (path === "/v1/alerts" || path === "/v1/deliveries") {
    if (request.method !== "GET") throw new HttpError(405, "METHOD_NOT_ALLOWED", `${path} takes GET`, { allow: "GET" });
    await requireBearer(request, env);
    if (!env.DB) throw new HttpError(501, "NO_DATABASE", "no D1 database is bound (DB): see README.md");
    if (path === "/v1/alerts") {
      const status = new URL(request.url).searchParams.get("status");
      if (status && status !== "firing" && status !== "resolved") throw new HttpError(400, "INVALID_QUERY", "status is firing or resolved");
      return json(200, { ok: true, alerts: await listAlerts(env.DB, status) }, scrub, headers);
    }
    return json(200, { ok: true, deliveries: await listDeliveries(env.DB) }, scrub, headers);
  }
  return null;
}

/**
 * Before an alert notification is rendered: record its alerts in D1 and drop the ones the relay
 * silenced. Returns the body to render (the same object when nothing changed), the state of its
 * alerts by fingerprint, and how many were silenced. Without D1 nothing changes.
 */
export async function applyAlertState(env, input, body, now) {
  if (!env.DB || (input !== "alertmanager" && input !== "grafana")) return { body, state: new Map(), silenced: 0 };
  const n = input === "grafana" ? parseGrafana(body) : parseAlertmanager(body);
  let state;
  try {
    await recordAlerts(env.DB, n, now);
    state = await stateOf(env.DB, n.alerts);
  } catch (e) {
    // D1 failing (or refusing a query) must not stop the notification: delivered without the state
    console.log(JSON.stringify({ level: "error", event: "alert_state_failed", alerts: n.alerts.length, error: e instanceof Error ? e.name : "error" }));
    return { body, state: new Map(), silenced: 0, notification: n };
  }
  const keep = body.alerts.filter((raw, i) => {
    const s = state.get(fingerprintOf(n.alerts[i]));
    return !(n.alerts[i].status === "firing" && s?.silenced_until && s.silenced_until > now);
  });
  const silenced = body.alerts.length - keep.length;
  return { body: silenced ? { ...body, alerts: keep } : body, state, silenced, notification: n };
}

/** Show acknowledgements on the cards: one line per acknowledged alert of each channel's card. */
export function annotateAcks(items, state) {
  for (const item of items) {
    const acked = (item.alertList ?? [])
      .filter((a) => a.status === "firing")
      .map((a) => ({ a, s: state.get(fingerprintOf(a)) }))
      .filter(({ s }) => s?.acknowledged_by);
    if (!acked.length) continue;
    const body = item.message?.content?.body;
    if (!body || typeof body.text !== "string") continue;
    body.text += `\n\n${acked.map(({ a, s }) => `👌 ${a.labels.alertname ?? "alert"}: acknowledged by ${s.acknowledged_by}`).join("\n")}`;
  }
}

/**
 * Append the outcomes to the delivery log (no payloads, no secrets); never fails the request or
 * the queue batch. `via`: "request", or "queue" for the queue consumer's attempts.
 */
export async function recordDeliveries(env, rid, input, entries, now, via = "request") {
  if (!env.DB) return;
  const days = Number(env.DELIVERY_LOG_DAYS ?? 14);
  try {
    await logDeliveries(env.DB, rid, input, entries, now, (Number.isFinite(days) && days > 0 ? days : 14) * DAY_MS, via);
  } catch (e) {
    console.log(JSON.stringify({ level: "error", event: "delivery_log_failed", error: e instanceof Error ? e.name : "error" }));
  }
}
