//! The JS surface (wasm32 only): `render`, `detectPlatform`, `UnifiedMessage`,
//! and `MessageSender` (`send`, `sendMulti`, `sendAuto`) over [`crate::host`].
//!
//! Values cross the boundary as JSON (`JSON.stringify` in, `JSON.parse` out):
//! one well-tested path, no per-field glue, and plain objects, class
//! instances (via `toJSON`) and parsed JSON all work the same. Every error is
//! a real JS `Error` with a stable `.code` and, for a bad message, `.path`.

use js_sys::{Array, JSON, Promise, Reflect};
use wasm_bindgen::prelude::*;

use crate::error::{Error, ErrorCode};
use crate::render::render_json;
use crate::target;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** Platforms a message can be rendered for. Lark is Feishu's international edition. */
export type Platform = "wecom" | "dingtalk" | "feishu" | "lark";

/** Stable error codes, in `error.code`. */
export type ErrorCode =
  | "INVALID_MESSAGE" | "INVALID_CONFIG" | "UNKNOWN_PLATFORM" | "UNSUPPORTED"
  | "RATE_LIMIT" | "NETWORK_ERROR" | "TIMEOUT" | "PLATFORM_ERROR" | "DUPLICATE";

/** The Error thrown by `render`, `detectPlatform` and `new UnifiedMessage`. */
export interface WebhookPushError extends Error {
  code: ErrorCode;
  /** JSON path of the offending field of a message, e.g. `content.body.links[2].url`. */
  path?: string;
}

/** Any JSON value (platform payloads, raw bodies). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface Mention {
  type: "mobile" | "user_id" | "all";
  /** Mobile number or user id (Feishu: open_id); omitted for `all`. */
  value?: string;
  display_name?: string;
}

export interface Article {
  title: string;
  description?: string;
  url: string;
  image_url?: string;
}

export interface CardButton {
  text: string | { tag?: string; content: string };
  url: string;
  style?: "default" | "primary" | "danger" | "positive";
  type?: string;
}

export interface CardField {
  name: string;
  value: string | number;
  url?: string;
}

/** The neutral card: renders natively on every platform. */
export interface NeutralCard {
  card_type?: "neutral";
  title?: string;
  subtitle?: string;
  /** Markdown. */
  text?: string;
  emphasis?: { title: string; desc?: string };
  fields?: CardField[];
  buttons?: CardButton[];
  image?: string | { url: string };
  /** Where a click on the card goes. */
  url?: string;
  /** Header colour: blue, green, orange, red, grey, or info / warning / danger / success. */
  color?: string;
}

/** The seed's WeCom template cards (WeCom's own keys pass through). */
export interface WecomCard {
  card_type: "text_notice" | "news_notice";
  title?: string;
  description?: string;
  emphasis?: { title: string; desc?: string };
  horizontal_content_list?: { keyname: string; value?: string; type?: number; url?: string }[];
  vertical_content_list?: { title: string; desc?: string }[];
  jump_list?: { type?: number; url?: string; title: string; appid?: string; pagepath?: string }[];
  action?: { type: number; url?: string; appid?: string; pagepath?: string };
  card_image?: { url: string; aspect_ratio?: number };
  [wecomKey: string]: JsonValue | undefined;
}

/** The seed's DingTalk action cards. */
export interface DingTalkCard {
  card_type: "single" | "multi";
  title?: string;
  config?: { hide_avatar?: string; btn_orientation?: string };
  elements?: { type?: string; text: string }[];
  actions?: { text: string; url: string; style?: string }[];
}

/** The seed's Feishu interactive card (card JSON 1.0 elements pass through). */
export interface FeishuCard {
  card_type?: "interactive";
  title?: string;
  config?: { [key: string]: JsonValue };
  header?: { [key: string]: JsonValue };
  elements: JsonValue[];
  actions?: CardButton[];
}

export type CardBody = NeutralCard | WecomCard | DingTalkCard | FeishuCard;

export type MessageContent =
  | { type: "text"; title?: string; body: { text: string }; mentions?: Mention[] }
  | { type: "markdown"; title?: string; body: { content: string }; mentions?: Mention[] }
  | { type: "image"; title?: string; body: { url?: string; base64?: string; md5?: string; image_key?: string; alt?: string }; mentions?: Mention[] }
  | { type: "link"; title?: string; body: { title?: string; text?: string; url: string; image_url?: string }; mentions?: Mention[] }
  | { type: "news" | "feed"; title?: string; body: { links: Article[] }; mentions?: Mention[] }
  | { type: "card"; title?: string; body: CardBody; mentions?: Mention[] }
  | { type: "file"; title?: string; body: { url?: string; media_id?: string; name?: string; base64?: string }; mentions?: Mention[] }
  | { type: "raw"; title?: string; body: { wecom?: { [key: string]: JsonValue }; dingtalk?: { [key: string]: JsonValue }; feishu?: { [key: string]: JsonValue }; lark?: { [key: string]: JsonValue } }; mentions?: Mention[] };

export interface MessageMetadata {
  message_id?: string;
  correlation_id?: string;
}

/** The unified message, in the seed's JSON shape (snake_case). */
export interface UnifiedMessageInit {
  content: MessageContent;
  metadata?: MessageMetadata;
}

export interface RenderOptions {
  /** Webhook URL, or a bare WeCom key / DingTalk access token / Feishu hook id. */
  webhook?: string;
  /** Same as `webhook`. */
  webhookUrl?: string;
  /** DingTalk / Feishu signing secret. */
  secret?: string;
  /** Clock for signing, ms since the epoch; default `Date.now()`. */
  timestamp?: number;
  /** Content over the platform's limit: several messages (default), one cut message, or an error. */
  overflow?: "split" | "truncate" | "error";
  /** WeCom markdown flavour; `auto` picks markdown_v2 for tables, code and images without mentions. */
  wecomMarkdown?: "auto" | "v1" | "v2";
  /** Scheme and host to use instead of the platform's, e.g. a proxy or a test server. */
  baseUrl?: string;
}

/** One step down the degradation ladder. */
export interface Degradation {
  from: string;
  to: string;
  reason: string;
}

export interface RenderResult {
  platform: Platform;
  /** The URL to POST to (signed for DingTalk); null when no webhook was given. */
  url: string | null;
  /** One JSON body per message to send, in order. */
  payloads: { [key: string]: JsonValue }[];
  degraded: Degradation[];
  /** payloads.length */
  parts: number;
}

export interface RetryPolicy {
  /** Retries after the first attempt (default 3). */
  maxRetries?: number;
  /** ms before the first retry (default 1000). */
  initialDelay?: number;
  /** Cap on one wait, ms (default 30000). */
  maxDelay?: number;
  /** Growth of the wait per retry (default 2). */
  backoffMultiplier?: number;
  /** Jitter as a fraction of the wait, 0-1 (default 0.2 = ±10 %). */
  jitter?: number;
  /** Bound on the whole delivery, waits included, ms (default 120000). */
  maxTotalTime?: number;
}

/**
 * A shared dedup store, e.g. a Workers KV namespace. Values written are "done", or
 * "partial:N" when the first N parts of a split message went out (a re-send sends the rest).
 */
export interface DedupStore {
  get(key: string): Promise<unknown> | unknown;
  put(key: string, value: string, options: { expirationTtl: number }): Promise<unknown> | unknown;
}

export interface SenderOptions {
  retryPolicy?: RetryPolicy;
  /** Per attempt, ms (default 10000). */
  timeout?: number;
  /** Longest a message waits for its bot's rate window before resolving with RATE_LIMIT, ms (default 150000). */
  maxQueueDelay?: number;
  /** Keep each bot under its documented rate limit (default true). */
  rateLimit?: boolean;
  /** Scheme and host per platform instead of the public API (proxies, private deployments, tests). */
  baseUrls?: { wecom?: string; dingtalk?: string; feishu?: string; lark?: string };
  overflow?: "split" | "truncate" | "error";
  wecomMarkdown?: "auto" | "v1" | "v2";
  dedup?: { ttl?: number; maxEntries?: number; store?: DedupStore };
  /** Called when a message waits for its bot's rate window (progress display). */
  onRateWait?: (wait: { platform: Platform; waitMs: number }) => void;
  /**
   * Rate slots and message records shared by every isolate / process that sends to the same
   * bots. When given, it replaces this sender's own rate windows and dedup memory. Each call is
   * bounded by `timeout`; a coordinator that throws, rejects or does not answer in time does not
   * lose the message: the send falls back to this sender's own windows and memory and says so in
   * `degraded` (`from: "coordinator"`).
   */
  coordinator?: SendCoordinator;
}

/**
 * Shared by every isolate/process: per-bot rate slots and the per-message record.
 * `bot` is the bot's identity (`botId`: `"<platform>:<32 hex>"`), a hash of platform and credential, never a secret.
 */
export interface SendCoordinator {
  /** Take a slot for this bot now if all its windows allow (then waitMs is 0), else take nothing and say how long to wait. */
  acquire(bot: string, windows: { limit: number; periodMs: number }[]): Promise<{ waitMs: number }>;
  /**
   * Claim a message id for this bot. "new": the caller holds it now; otherwise the current record:
   * "sent", "pending", "partial:N/M". A claim that finds "partial:N/M" (or a released record) takes
   * it: the caller holds it and sends parts N+1..M. `ttlMs` bounds a "pending" hold whose sender died.
   */
  claim(bot: string, messageId: string, ttlMs: number): Promise<string>;
  /** Record the outcome: "sent", "partial:N/M", or "released" (failed: it may be claimed again). */
  settle(bot: string, messageId: string, state: string, ttlMs: number): Promise<void>;
}

/** A webhook URL (or bare key), or one with its signing secret. */
export type SendTarget = string | { webhookUrl: string; secret?: string };

export interface SendError {
  code: ErrorCode;
  message: string;
  /** The platform's own errcode / code, when it answered. */
  platformCode: number | null;
  platformMessage: string | null;
}

export interface SendResult {
  success: boolean;
  platform: Platform;
  /** HTTP requests made for the message. */
  attempts: number;
  error: SendError | null;
  retrySuggested: boolean;
  /** ms to wait before trying again, when known. */
  retryAfter: number | null;
  degraded: Degradation[];
  messageId: string | null;
  correlationId: string | null;
  elapsedMs: number;
  /** Messages the content was split into, and how many went out. */
  parts: number;
  partsDelivered: number;
}

export interface MultiSendOptions {
  platforms: Platform[];
  webhookUrls: { [platform: string]: string };
  secrets?: { [platform: string]: string };
}

export interface MultiSendResult {
  successCount: number;
  failedCount: number;
  results: SendResult[];
}

export interface AutoSendResult extends MultiSendResult {
  /** Platforms delivered to. */
  sentPlatforms: Platform[];
  /** Platforms with no configuration in the environment. */
  skippedPlatforms: Platform[];
  /** Platforms configured but not delivered to. */
  failedPlatforms: Platform[];
}

/** A target as `parseTarget` reads it. `redacted` is safe to show; `webhook` and `secret` are not. */
export interface ParsedTarget {
  platform: Platform;
  /** The bare key / access token / hook id, or the webhook URL as given. */
  webhook: string;
  secret: string | null;
  /** Apprise's phone targets, shoutrrr's mentioned lists. */
  mentions: Mention[];
  format: "text" | "markdown" | null;
  overflow: "split" | "truncate" | "error" | null;
  title: string | null;
  /** shoutrrr DingTalk: a keyword the bot requires. */
  keyword: string | null;
  /** shoutrrr Lark: a link to add to the message. */
  link: string | null;
  redacted: string;
}

/** What `platformInfo` says about a platform (derived from the renderers). */
export interface PlatformInfo {
  platform: Platform;
  name: string;
  /** The webhook URL's shape, with a placeholder for the credential. */
  webhook: string;
  types: { type: string; support: "native" | "degraded" | "refused"; sentAs?: string; steps?: Degradation[]; code?: ErrorCode; reason?: string }[];
  limits: { [name: string]: number };
  rateLimits: { count: number; windowMs: number }[];
  blockedMsAfterLimit: number;
  signing: { signed: boolean; how: string };
  env: { webhook: string | null; secret: string | null };
  urlSchemes: string[];
}

/** Environment variables read by sendAuto (process.env, Deno.env.toObject(), a Worker's env). */
export interface SendAutoEnv {
  WECOM_WEBHOOK_KEY?: string;
  DINGTALK_ACCESS_TOKEN?: string;
  DINGTALK_SECRET?: string;
  FEISHU_WEBHOOK_ID?: string;
  FEISHU_SECRET?: string;
  LARK_WEBHOOK_ID?: string;
  LARK_SECRET?: string;
  [name: string]: unknown;
}
"#;

/// A JS `Error` with `.code` and `.path`.
pub(crate) fn js_error(e: &Error) -> JsValue {
    let err = js_sys::Error::new(&e.message);
    err.set_name("WebhookPushError");
    let _ = Reflect::set(&err, &JsValue::from_str("code"), &JsValue::from_str(e.code.as_str()));
    if let Some(p) = &e.path {
        let _ = Reflect::set(&err, &JsValue::from_str("path"), &JsValue::from_str(p));
    }
    err.into()
}

/// `JSON.stringify(v)`, as a typed error when it cannot be (cyclic, BigInt, undefined).
fn stringify(v: &JsValue, code: ErrorCode, what: &str) -> Result<String, Error> {
    if v.is_undefined() || v.is_null() {
        return Ok(String::new());
    }
    match JSON::stringify(v) {
        Ok(s) => s.as_string().ok_or_else(|| Error::new(code, format!("{what} is not a JSON value"))),
        Err(_) => Err(Error::new(code, format!("{what} cannot be turned into JSON (a cycle or a BigInt?)"))),
    }
}

fn parse(json: &str) -> Result<JsValue, JsValue> {
    JSON::parse(json).map_err(|_| js_error(&Error::new(ErrorCode::InvalidConfig, "internal: output is not JSON")))
}

fn render_inner(message: &JsValue, platform: &JsValue, options: &JsValue) -> Result<String, Error> {
    let platform = platform.as_string().ok_or_else(|| {
        Error::new(ErrorCode::UnknownPlatform, "the platform must be a string: wecom, dingtalk, feishu or lark")
    })?;
    let msg = stringify(message, ErrorCode::InvalidMessage, "the message")?;
    if msg.is_empty() {
        return Err(Error::at("", "a message is required"));
    }
    let opts = service_options(&platform, &stringify(options, ErrorCode::InvalidConfig, "the options")?)?;
    let rendered = render_json(&msg, &platform, &opts, js_sys::Date::now() as u64)?;
    Ok(rendered.to_json())
}

/// Render a message for a platform: the payloads to POST, the URL to post
/// them to (when a webhook is given), and what was degraded. Pure: sends nothing.
#[wasm_bindgen(js_name = render, unchecked_return_type = "RenderResult")]
pub fn render(
    #[wasm_bindgen(unchecked_param_type = "UnifiedMessageInit | UnifiedMessage")] message: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Platform")] platform: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "RenderOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let out = render_inner(&message, &platform, &options.unwrap_or(JsValue::UNDEFINED)).map_err(|e| js_error(&e))?;
    parse(&out)
}

/// `true` for an error thrown by this package (`render`, `detectPlatform`,
/// `new UnifiedMessage`, `new MessageSender`): it has a stable `code`.
#[wasm_bindgen(js_name = isWebhookPushError, unchecked_return_type = "e is WebhookPushError")]
pub fn is_webhook_push_error(#[wasm_bindgen(unchecked_param_type = "unknown")] e: JsValue) -> bool {
    if !e.is_instance_of::<js_sys::Error>() {
        return false;
    }
    let name = Reflect::get(&e, &JsValue::from_str("name")).ok().and_then(|v| v.as_string());
    let code = Reflect::get(&e, &JsValue::from_str("code")).ok().and_then(|v| v.as_string());
    name.as_deref() == Some("WebhookPushError") && code.is_some_and(|c| ErrorCode::ALL.iter().any(|k| k.as_str() == c))
}

/// The platform of a webhook URL, or `null` for a well-formed URL of no known
/// platform. Throws `INVALID_CONFIG` for a malformed URL.
#[wasm_bindgen(js_name = detectPlatform, unchecked_return_type = "Platform | null")]
pub fn detect_platform(#[wasm_bindgen(unchecked_param_type = "string")] url: JsValue) -> Result<JsValue, JsValue> {
    let url = url.as_string().ok_or_else(|| js_error(&Error::config("the webhook URL must be a string")))?;
    match target::detect_platform(&url) {
        Ok(Some(p)) => Ok(JsValue::from_str(p.as_str())),
        Ok(None) => Ok(JsValue::NULL),
        Err(e) => Err(js_error(&e)),
    }
}

/// The bot's identity: `"<platform>:<32 hex digits>"`, a hash of the platform
/// and the bot's credential (never the credential). A bare key and any URL
/// form of the same bot give the same identity: the sender keys its dedup
/// records and rate windows by it, and a host can key shared state (a
/// Durable Object, a KV entry) by it. Throws `INVALID_CONFIG` /
/// `UNKNOWN_PLATFORM` for a bad target or platform.
#[wasm_bindgen(js_name = botId)]
pub fn bot_id(
    #[wasm_bindgen(unchecked_param_type = "Platform")] platform: JsValue,
    #[wasm_bindgen(unchecked_param_type = "SendTarget")] target: JsValue,
) -> Result<String, JsValue> {
    let name = platform.as_string().unwrap_or_default();
    let p = Platform::parse(&name).map_err(|e| js_error(&e))?;
    let webhook = target
        .as_string()
        .or_else(|| get(&target, "webhookUrl").as_string())
        .or_else(|| get(&target, "webhook").as_string())
        .ok_or_else(|| js_error(&Error::config("the target must be a webhook URL string or { webhookUrl }")))?;
    target::bot_id(p, &webhook, None).map_err(|e| js_error(&e))
}

/// A validated message. Plain objects work everywhere a `UnifiedMessage`
/// does; the class checks a message once, up front, with the same errors.
#[wasm_bindgen(js_name = UnifiedMessage)]
pub struct JsUnifiedMessage {
    /// The validated message as JSON: each read parses a fresh copy, so a
    /// caller cannot mutate a checked message into an invalid one.
    json: String,
}

#[wasm_bindgen(js_class = UnifiedMessage)]
impl JsUnifiedMessage {
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "UnifiedMessageInit")] init: JsValue,
    ) -> Result<JsUnifiedMessage, JsValue> {
        let json = stringify(&init, ErrorCode::InvalidMessage, "the message").map_err(|e| js_error(&e))?;
        crate::model::UnifiedMessage::from_json(if json.is_empty() { "null" } else { &json })
            .map_err(|e| js_error(&e))?;
        Ok(JsUnifiedMessage { json })
    }

    /// The message as a plain object (what `JSON.stringify` writes).
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "UnifiedMessageInit")]
    pub fn to_json(&self) -> Result<JsValue, JsValue> {
        parse(&self.json)
    }

    #[wasm_bindgen(getter, unchecked_return_type = "MessageContent")]
    pub fn content(&self) -> JsValue {
        parse(&self.json).map(|v| get(&v, "content")).unwrap_or(JsValue::UNDEFINED)
    }

    #[wasm_bindgen(getter, unchecked_return_type = "MessageMetadata | undefined")]
    pub fn metadata(&self) -> JsValue {
        parse(&self.json).map(|v| get(&v, "metadata")).unwrap_or(JsValue::UNDEFINED)
    }
}

// ---- delivery ----

use std::rc::Rc;

use serde_json::{Value, json};
use wasm_bindgen_futures::future_to_promise;

use crate::host::JsHost;
use crate::limits::Overflow;
use crate::model::UnifiedMessage;
use crate::policy::RetryPolicy;
use crate::render::WecomMarkdown;
use crate::sender::{SendResult, Sender, SenderOptions, Target, targets_from_env};
use crate::target::Platform;

fn get(v: &JsValue, key: &str) -> JsValue {
    if v.is_object() {
        Reflect::get(v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

fn sender_options(v: &Value) -> Result<SenderOptions, Error> {
    let mut o = SenderOptions::default();
    let Some(m) = v.as_object() else {
        return if v.is_null() { Ok(o) } else { Err(Error::config("options must be an object")) };
    };
    let num = |v: Option<&Value>, name: &str| -> Result<Option<u64>, Error> {
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n
                .as_f64()
                .filter(|f| f.is_finite() && *f >= 0.0)
                .map(|f| Some(f as u64))
                .ok_or_else(|| Error::config(format!("{name} must be a non-negative number"))),
            Some(_) => Err(Error::config(format!("{name} must be a number"))),
        }
    };
    if let Some(rp) = m.get("retryPolicy").filter(|v| !v.is_null()) {
        let r = rp.as_object().ok_or_else(|| Error::config("retryPolicy must be an object"))?;
        let d = RetryPolicy::default();
        let f = |k: &str, def: f64| -> Result<f64, Error> {
            match r.get(k) {
                None | Some(Value::Null) => Ok(def),
                Some(Value::Number(n)) => {
                    n.as_f64().ok_or_else(|| Error::config(format!("retryPolicy.{k} must be a number")))
                }
                Some(_) => Err(Error::config(format!("retryPolicy.{k} must be a number"))),
            }
        };
        o.retry = RetryPolicy {
            max_retries: num(r.get("maxRetries"), "retryPolicy.maxRetries")?
                .map_or(d.max_retries, |n| n.min(1000) as u32),
            initial_delay: num(r.get("initialDelay"), "retryPolicy.initialDelay")?.unwrap_or(d.initial_delay),
            max_delay: num(r.get("maxDelay"), "retryPolicy.maxDelay")?.unwrap_or(d.max_delay),
            backoff_multiplier: f("backoffMultiplier", d.backoff_multiplier)?,
            jitter: f("jitter", d.jitter)?,
            max_total_time: num(r.get("maxTotalTime"), "retryPolicy.maxTotalTime")?.unwrap_or(d.max_total_time),
        };
    }
    if let Some(t) = num(m.get("timeout"), "timeout")? {
        o.timeout_ms = t.max(1);
    }
    if let Some(t) = num(m.get("maxQueueDelay"), "maxQueueDelay")? {
        o.max_queue_delay_ms = t;
    }
    match m.get("rateLimit") {
        None | Some(Value::Null) => {}
        Some(Value::Bool(b)) => o.rate_limit = *b,
        Some(_) => return Err(Error::config("rateLimit must be a boolean")),
    }
    if let Some(b) = m.get("baseUrls").filter(|v| !v.is_null()) {
        let b = b.as_object().ok_or_else(|| Error::config("baseUrls must be an object"))?;
        for (k, v) in b {
            let p = Platform::parse(k).map_err(|_| {
                Error::config("baseUrls: a property name is not a platform (wecom, dingtalk, feishu or lark)")
            })?;
            let url = v.as_str().ok_or_else(|| Error::config("baseUrls values must be strings"))?;
            crate::target::WebhookUrl::parse(url)?;
            o.base_urls.insert(p, url.to_string());
        }
    }
    if let Some(s) = m.get("overflow").and_then(Value::as_str) {
        o.overflow = Overflow::parse(s)?;
    }
    o.wecom_markdown = match m.get("wecomMarkdown").and_then(Value::as_str) {
        None | Some("auto") => WecomMarkdown::Auto,
        Some("v1") => WecomMarkdown::V1,
        Some("v2") => WecomMarkdown::V2,
        Some(_) => return Err(Error::config("wecomMarkdown must be \"auto\", \"v1\" or \"v2\"")),
    };
    if let Some(d) = m.get("dedup").and_then(Value::as_object) {
        if let Some(t) = num(d.get("ttl"), "dedup.ttl")? {
            o.dedup_ttl_ms = t;
        }
        if let Some(n) = num(d.get("maxEntries"), "dedup.maxEntries")? {
            o.dedup_max_entries = n as usize;
        }
    }
    Ok(o)
}

/// A failed result for input that never got as far as a platform.
fn input_failure(platform: Platform, e: &Error) -> Value {
    input_failure_named(platform.as_str(), e)
}

/// The same, for a platform name that is not one (shown only if it looks like a name).
fn input_failure_named(platform: &str, e: &Error) -> Value {
    let message = match &e.path {
        Some(p) if !p.is_empty() => format!("{} (at {p})", e.message),
        _ => e.message.clone(),
    };
    json!({
        "success": false, "platform": platform, "attempts": 0,
        "error": {"code": e.code.as_str(), "message": message, "platformCode": null, "platformMessage": null},
        "retrySuggested": false, "retryAfter": null, "degraded": [], "messageId": null, "correlationId": null,
        "elapsedMs": 0, "parts": 0, "partsDelivered": 0,
    })
}

fn parse_message(message: &JsValue) -> Result<UnifiedMessage, Error> {
    let json = stringify(message, ErrorCode::InvalidMessage, "the message")?;
    if json.is_empty() {
        return Err(Error::at("", "a message is required"));
    }
    UnifiedMessage::from_json(&json)
}

fn to_js(v: &Value) -> JsValue {
    JSON::parse(&crate::json::to_string(v)).unwrap_or(JsValue::NULL)
}

fn multi_value(results: &[SendResult]) -> Value {
    let ok = results.iter().filter(|r| r.success).count();
    json!({
        "successCount": ok,
        "failedCount": results.len() - ok,
        "results": results.iter().map(SendResult::to_value).collect::<Vec<_>>(),
    })
}

/// Sends messages with retries, rate limiting and dedup. One sender keeps the
/// rate windows of the bots it sends to: share it across requests.
#[wasm_bindgen(js_name = MessageSender)]
pub struct JsMessageSender {
    inner: Rc<Sender<JsHost>>,
}

#[wasm_bindgen(js_class = MessageSender)]
impl JsMessageSender {
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_optional_param_type = "SenderOptions")] options: Option<JsValue>,
    ) -> Result<JsMessageSender, JsValue> {
        let options = options.unwrap_or(JsValue::UNDEFINED);
        let store = get(&get(&options, "dedup"), "store");
        let store = if store.is_object() { Some(store) } else { None };
        let on_rate_wait = get(&options, "onRateWait").dyn_into::<js_sys::Function>().ok();
        let json = stringify(&options, ErrorCode::InvalidConfig, "the options").map_err(|e| js_error(&e))?;
        let v: Value = if json.is_empty() { Value::Null } else { serde_json::from_str(&json).unwrap_or(Value::Null) };
        let opts = sender_options(&v).map_err(|e| js_error(&e))?;
        let mut host = JsHost::new(store, opts.timeout_ms);
        host.on_rate_wait = on_rate_wait;
        let mut sender = Sender::new(host, opts).map_err(|e| js_error(&e))?;
        let coordinator = get(&options, "coordinator");
        if coordinator.is_object() {
            sender = sender.with_coordinator(Rc::new(crate::coordinator::js::JsCoordinator(coordinator)));
        } else if !coordinator.is_undefined() && !coordinator.is_null() {
            return Err(js_error(&Error::config("coordinator must be an object with acquire, claim and settle")));
        }
        Ok(JsMessageSender { inner: Rc::new(sender) })
    }

    /// Send to one bot. Resolves to a result; never rejects for a delivery failure.
    #[wasm_bindgen(unchecked_return_type = "Promise<SendResult>")]
    pub fn send(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UnifiedMessageInit | UnifiedMessage")] message: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Platform")] platform: JsValue,
        #[wasm_bindgen(unchecked_param_type = "SendTarget")] target: JsValue,
    ) -> Promise {
        let inner = self.inner.clone();
        let parsed = parse_inputs(&message, &platform, &target);
        future_to_promise(async move {
            let out = match parsed {
                Ok((msg, p, t)) => inner.send(&msg, p, &t).await.to_value(),
                Err((p, e)) => input_failure_named(&p, &e),
            };
            Ok(to_js(&out))
        })
    }

    /// Send to several platforms at once.
    #[wasm_bindgen(js_name = sendMulti, unchecked_return_type = "Promise<MultiSendResult>")]
    pub fn send_multi(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UnifiedMessageInit | UnifiedMessage")] message: JsValue,
        #[wasm_bindgen(unchecked_param_type = "MultiSendOptions")] options: JsValue,
    ) -> Promise {
        let inner = self.inner.clone();
        let msg = parse_message(&message);
        let platforms = get(&options, "platforms");
        let urls = get(&options, "webhookUrls");
        let secrets = get(&options, "secrets");
        let mut targets: Vec<(Platform, Target)> = Vec::new();
        let mut early: Vec<Value> = Vec::new();
        let list: Vec<JsValue> =
            if Array::is_array(&platforms) { Array::from(&platforms).to_vec() } else { Vec::new() };
        for pv in &list {
            let name = pv.as_string().unwrap_or_default();
            match Platform::parse(&name) {
                Err(e) => early.push(input_failure_named(target::shown_name(&name).unwrap_or("unknown"), &e)),
                Ok(p) => {
                    let url = get(&urls, p.as_str())
                        .as_string()
                        .or_else(|| get(&urls, &name).as_string())
                        .unwrap_or_default();
                    let secret = get(&secrets, p.as_str()).as_string().or_else(|| get(&secrets, &name).as_string());
                    let t = Target { webhook: url, secret: secret.filter(|s| !s.is_empty()) };
                    match service_target(p, t) {
                        Ok(t) => targets.push((p, t)),
                        Err(e) => early.push(input_failure(p, &e)),
                    }
                }
            }
        }
        future_to_promise(async move {
            if list.is_empty() {
                let e = Error::config("sendMulti needs options.platforms, a non-empty array");
                return Ok(to_js(
                    &json!({"successCount": 0, "failedCount": 1, "results": [input_failure(Platform::Wecom, &e)]}),
                ));
            }
            let mut out = match msg {
                Ok(m) => multi_value(&inner.send_multi(&m, &targets).await),
                Err(e) => {
                    let results: Vec<Value> = targets.iter().map(|(p, _)| input_failure(*p, &e)).collect();
                    json!({"successCount": 0, "failedCount": results.len(), "results": results})
                }
            };
            if !early.is_empty() {
                if let Some(arr) = out.get_mut("results").and_then(Value::as_array_mut) {
                    let n = early.len();
                    arr.extend(early);
                    if let Some(f) = out.get("failedCount").and_then(Value::as_u64) {
                        out["failedCount"] = Value::from(f + n as u64);
                    }
                }
            }
            Ok(to_js(&out))
        })
    }

    /// Send to every platform configured in `env` (the seed's variable names).
    #[wasm_bindgen(js_name = sendAuto, unchecked_return_type = "Promise<AutoSendResult>")]
    pub fn send_auto(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UnifiedMessageInit | UnifiedMessage")] message: JsValue,
        #[wasm_bindgen(unchecked_param_type = "SendAutoEnv")] env: JsValue,
    ) -> Promise {
        let inner = self.inner.clone();
        let msg = parse_message(&message);
        let (targets, skipped) = targets_from_env(|k| get(&env, k).as_string());
        future_to_promise(async move {
            let results: Vec<SendResult> = match &msg {
                Ok(m) => inner.send_multi(m, &targets).await,
                Err(_) => Vec::new(),
            };
            let mut out = multi_value(&results);
            if let Err(e) = &msg {
                let failed: Vec<Value> = targets.iter().map(|(p, _)| input_failure(*p, e)).collect();
                out["failedCount"] = Value::from(failed.len());
                out["results"] = Value::Array(failed);
            }
            let names = |f: &dyn Fn(&SendResult) -> bool| -> Vec<Value> {
                results.iter().filter(|r| f(r)).map(|r| Value::String(r.platform.as_str().into())).collect()
            };
            out["sentPlatforms"] = Value::Array(names(&|r| r.success));
            let mut failed = names(&|r| !r.success);
            if msg.is_err() {
                failed = targets.iter().map(|(p, _)| Value::String(p.as_str().into())).collect();
            }
            out["failedPlatforms"] = Value::Array(failed);
            out["skippedPlatforms"] = skipped.iter().map(|p| Value::String(p.as_str().into())).collect();
            Ok(to_js(&out))
        })
    }
}

type Inputs = (UnifiedMessage, Platform, Target);

/// The inputs of `send`, or the platform name to report and the error.
fn parse_inputs(message: &JsValue, platform: &JsValue, target: &JsValue) -> Result<Inputs, (String, Error)> {
    let name = platform.as_string().unwrap_or_default();
    let p = Platform::parse(&name).map_err(|e| (target::shown_name(&name).unwrap_or("unknown").to_string(), e))?;
    let fail = |e: Error| (p.as_str().to_string(), e);
    let msg = parse_message(message).map_err(fail)?;
    let t = if let Some(url) = target.as_string() {
        Target { webhook: url, secret: None }
    } else if target.is_object() {
        let url = get(target, "webhookUrl").as_string().or_else(|| get(target, "webhook").as_string());
        let url = url.ok_or_else(|| fail(Error::config("the target needs webhookUrl (a URL or key)")))?;
        Target { webhook: url, secret: get(target, "secret").as_string().filter(|s| !s.is_empty()) }
    } else {
        return Err(fail(Error::config("the target must be a webhook URL string or { webhookUrl, secret }")));
    };
    let t = service_target(p, t).map_err(fail)?;
    Ok((msg, p, t))
}

/// A target written as an Apprise / shoutrrr URL (`dingtalk://secret@token/`) becomes
/// its key and secret; any other target is left as it is.
fn service_target(p: Platform, t: Target) -> Result<Target, Error> {
    if !crate::service_url::is_service_url(&t.webhook) {
        return Ok(t);
    }
    let st = crate::service_url::resolve(&t.webhook, Some(p.as_str()))?;
    Ok(Target { webhook: st.key, secret: t.secret.or(st.secret) })
}

/// `options.webhook` / `options.webhookUrl` of `render` written as a service URL, resolved.
fn service_options(platform: &str, opts: &str) -> Result<String, Error> {
    if !opts.contains("://") {
        return Ok(opts.to_string());
    }
    let Ok(Value::Object(mut m)) = serde_json::from_str::<Value>(opts) else { return Ok(opts.to_string()) };
    for k in ["webhook", "webhookUrl"] {
        let Some(url) = m.get(k).and_then(Value::as_str).filter(|u| crate::service_url::is_service_url(u)) else {
            continue;
        };
        let st = crate::service_url::resolve(url, Some(platform))?;
        m.insert(k.into(), Value::String(st.key));
        if m.get("secret").is_none_or(Value::is_null) {
            m.insert("secret".into(), st.secret.map_or(Value::Null, Value::String));
        }
    }
    Ok(crate::json::to_string(&Value::Object(m)))
}

/// A target as a user writes it (an Apprise or shoutrrr URL, a webhook URL, or a bare key
/// with its platform): its platform, key, secret, mentions and the URL's options.
#[wasm_bindgen(js_name = parseTarget, unchecked_return_type = "ParsedTarget")]
pub fn parse_target(
    #[wasm_bindgen(unchecked_param_type = "string")] input: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "Platform")] platform: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let input = input.as_string().ok_or_else(|| js_error(&Error::config("the target must be a string")))?;
    let platform = platform.and_then(|p| p.as_string());
    let t = crate::service_url::resolve(&input, platform.as_deref()).map_err(|e| js_error(&e))?;
    let mut v = t.to_value();
    v["redacted"] = Value::String(crate::service_url::redacted(&input));
    Ok(to_js(&v))
}

/// What a platform takes: each message type (native, degraded, refused), byte limits,
/// rate limits, signing and the environment variables `sendAuto` reads.
#[wasm_bindgen(js_name = platformInfo, unchecked_return_type = "PlatformInfo")]
pub fn platform_info(#[wasm_bindgen(unchecked_param_type = "Platform")] platform: JsValue) -> Result<JsValue, JsValue> {
    let name = platform.as_string().unwrap_or_default();
    let p = Platform::parse(&name).map_err(|e| js_error(&e))?;
    let v = crate::platform_info::info(p).map_err(|e| js_error(&e))?;
    Ok(to_js(&v))
}
