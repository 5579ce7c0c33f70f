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
use crate::target;

/// The TypeScript declarations of this surface, kept as TypeScript in
/// `bindings.d.ts` and emitted into the package's `.d.ts` by wasm-bindgen.
#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = include_str!("bindings.d.ts");

#[path = "bindings_webhook.rs"]
mod webhook_api;

#[path = "bindings_text.rs"]
mod text;

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
        Ok(s) => text::js_string(&s).ok_or_else(|| Error::new(code, format!("{what} is not a JSON value"))),
        Err(_) => Err(Error::new(code, format!("{what} cannot be turned into JSON (a cycle or a BigInt?)"))),
    }
}

#[wasm_bindgen(module = "/pkg-template/host.js")]
extern "C" {
    /// `JSON.stringify(v)`, or `[json, long strings…]` with the long strings out of the JSON.
    #[wasm_bindgen(js_name = messageJson, catch)]
    fn message_json_js(v: &JsValue) -> Result<JsValue, JsValue>;
}

/// A message's JSON text, and the long strings that crossed beside it (`raw`, none for most
/// messages): each is a placeholder in `json` ([`crate::model::tree::raw_index`]). They cross
/// as they are (`encodeInto`), without JSON's escapes to write and read back.
pub(crate) struct MessageText {
    pub(crate) json: String,
    pub(crate) raw: Vec<String>,
}

impl MessageText {
    /// The message as one JSON text (a copy, written again, when strings crossed beside it);
    /// where the reader gives up on it, the error [`read_with`] reads the message again on.
    pub(crate) fn full(&self) -> Result<std::borrow::Cow<'_, str>, Error> {
        if self.raw.is_empty() {
            return Ok(self.json.as_str().into());
        }
        crate::model::expand_raw(&self.json, &self.raw)
            .map(Into::into)
            .ok_or_else(|| Error::at("", crate::model::RAW_UNREAD))
    }
}

/// The message `v` as [`MessageText`] (empty JSON for undefined or null), as a typed error
/// when it cannot be (what [`stringify`] says of a message).
pub(crate) fn message_text(v: &JsValue) -> Result<MessageText, Error> {
    if v.is_undefined() || v.is_null() {
        return Ok(MessageText { json: String::new(), raw: Vec::new() });
    }
    let out = message_json_js(v).map_err(|_| {
        Error::new(ErrorCode::InvalidMessage, "the message cannot be turned into JSON (a cycle or a BigInt?)")
    })?;
    let not_json = || Error::new(ErrorCode::InvalidMessage, "the message is not a JSON value");
    // a string (most messages) is one check; the array of a message with long strings another
    if let Some(json) = text::js_string(&out) {
        return Ok(MessageText { json, raw: Vec::new() });
    }
    if !Array::is_array(&out) {
        return Err(not_json());
    }
    let list = Array::from(&out);
    let json = text::js_string(&list.get(0)).ok_or_else(not_json)?;
    let mut raw = Vec::new();
    for i in 1..list.length() {
        raw.push(text::js_string(&list.get(i)).ok_or_else(not_json)?);
    }
    Ok(MessageText { json, raw })
}

/// `f` of the message's text; if the reader gave up on it with strings beside the text (deep
/// nesting, or what is not JSON), `f` of the message as plain JSON: the path before, whose
/// result or error (serde_json's, its columns included) is the one given. Any other error is
/// the same on both paths (the message read is the same).
pub(crate) fn read_with<T>(
    message: &JsValue,
    text: &MessageText,
    f: &dyn Fn(&MessageText) -> Result<T, Error>,
) -> Result<T, Error> {
    match f(text) {
        Err(e) if !text.raw.is_empty() && e.message == crate::model::RAW_UNREAD => {
            f(&MessageText { json: stringify(message, ErrorCode::InvalidMessage, "the message")?, raw: Vec::new() })
        }
        r => r,
    }
}

fn parse(json: &str) -> Result<JsValue, JsValue> {
    JSON::parse(json).map_err(|_| js_error(&Error::new(ErrorCode::InvalidConfig, "internal: output is not JSON")))
}

fn render_inner(message: &JsValue, platform: &JsValue, options: &JsValue) -> Result<String, Error> {
    let platform = platform.as_string().ok_or_else(|| {
        Error::new(ErrorCode::UnknownPlatform, "the platform must be a string: wecom, dingtalk, feishu or lark")
    })?;
    let text = message_text(message)?;
    if text.json.is_empty() {
        return Err(Error::at("", "a message is required"));
    }
    let (opts, st) = service_options(&platform, &stringify(options, ErrorCode::InvalidConfig, "the options")?)?;
    let now = js_sys::Date::now() as u64;
    // what `render::render_json` does, with the message read from its text and long strings
    read_with(message, &text, &|t| {
        let p = Platform::parse(&platform)?;
        let rendered = if p.spec().configured() {
            crate::platform::webhook::render_json(&with_message_options(&t.full()?, st.as_ref()), &opts, now)?
        } else {
            let msg = message_for(t, st.as_ref())?;
            crate::render::render(&msg, p, &crate::render::RenderOptions::from_json(&opts, now)?)?
        };
        Ok(rendered.to_json())
    })
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

/// `wasm_bindgen_futures::future_to_promise` with the future boxed: one instance of its
/// machinery (the task, its waker and queue glue) for every async export instead of one per
/// export's future type (bench/LEVERS.md, "Size levers, third round").
pub(crate) fn future_to_promise(f: impl std::future::Future<Output = Result<JsValue, JsValue>> + 'static) -> Promise {
    let f: std::pin::Pin<Box<dyn std::future::Future<Output = Result<JsValue, JsValue>>>> = Box::pin(f);
    wasm_bindgen_futures::future_to_promise(f)
}

use crate::host::JsHost;
use crate::model::UnifiedMessage;
use crate::policy::RetryPolicy;
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
    crate::options::check_sender_names(m)?;
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
    (o.overflow, o.wecom_markdown) = crate::options::read_formatting(m)?;
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
    // the shape is SendResult's, written once; the platform shown is the name given (which may be none)
    let mut v = SendResult::refused(Platform::ALL[0], crate::sender::plain(e.clone())).to_value();
    v["platform"] = Value::String(platform.to_string());
    v
}

fn parse_message(message: &JsValue) -> Result<UnifiedMessage, Error> {
    let text = message_json(message)?;
    read_with(message, &text, &|t| UnifiedMessage::from_json_raw(&t.json, &t.raw))
}

/// The message's JSON text, as given (its long strings beside it).
fn message_json(message: &JsValue) -> Result<MessageText, Error> {
    let text = message_text(message)?;
    if text.json.is_empty() {
        return Err(Error::at("", "a message is required"));
    }
    Ok(text)
}

/// A service URL's `overflow=`.
fn url_overflow(st: Option<&crate::service_url::ServiceTarget>) -> Option<crate::limits::Overflow> {
    st.and_then(|s| s.overflow).and_then(|o| crate::limits::Overflow::parse(o).ok())
}

/// The message sent to a target written as a service URL: its message options applied.
fn message_for(text: &MessageText, st: Option<&crate::service_url::ServiceTarget>) -> Result<UnifiedMessage, Error> {
    match st {
        Some(s) if s.has_message_options() => UnifiedMessage::from_json(&with_message_options(&text.full()?, st)),
        _ => UnifiedMessage::from_json_raw(&text.json, &text.raw),
    }
}

/// The message's JSON text with a service URL's message options applied; the text itself (no
/// copy) when there are none.
fn with_message_options<'a>(
    json: &'a str,
    st: Option<&crate::service_url::ServiceTarget>,
) -> std::borrow::Cow<'a, str> {
    match st {
        Some(s) if s.has_message_options() => crate::service_url::message_with(json, st).into(),
        _ => json.into(),
    }
}

/// The message for one target of several: the one read already (read and
/// checked once per call), unless a service URL's options change it.
fn message_for_target(
    text: &MessageText,
    read: &UnifiedMessage,
    st: Option<&crate::service_url::ServiceTarget>,
) -> Result<UnifiedMessage, Error> {
    match st {
        Some(s) if s.has_message_options() => message_for(text, st),
        _ => Ok(read.clone()),
    }
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
    /// Named generic webhook targets (`options.services`).
    services: webhook_api::Services,
    /// The options set `overflow`: it wins over a service URL's `overflow=`.
    overflow_given: bool,
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
        let v: Value = if json.is_empty() { Value::Null } else { crate::json::parse(&json).unwrap_or(Value::Null) };
        let opts = sender_options(&v).map_err(|e| js_error(&e))?;
        let services = webhook_api::services(&v).map_err(|e| js_error(&e))?;
        let mut host = JsHost::new(store, opts.timeout_ms);
        host.on_rate_wait = on_rate_wait;
        let mut sender = Sender::new(host, opts).map_err(|e| js_error(&e))?;
        let coordinator = get(&options, "coordinator");
        if coordinator.is_object() {
            sender = sender.with_coordinator(Rc::new(crate::coordinator::js::JsCoordinator(coordinator)));
        } else if !coordinator.is_undefined() && !coordinator.is_null() {
            return Err(js_error(&Error::config("coordinator must be an object with acquire, claim and settle")));
        }
        let overflow_given = v.get("overflow").is_some_and(|o| !o.is_null());
        Ok(JsMessageSender { inner: Rc::new(sender), services, overflow_given })
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
        if webhook_api::is_configured(&platform) {
            return webhook_api::send(inner, &message, &target);
        }
        let parsed = parse_inputs(&message, &platform, &target);
        let given = self.overflow_given;
        future_to_promise(async move {
            // the result crosses as JSON text written directly (no value tree)
            let out = match parsed {
                Ok((msg, p, t, o)) => inner.send_with(&msg, p, &t, o.filter(|_| !given)).await.to_json(),
                Err((p, e)) => crate::json::to_string(&input_failure_named(&p, &e)),
            };
            Ok(JSON::parse(&out).unwrap_or(JsValue::NULL))
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
        let json = message_json(&message);
        let msg = json
            .as_ref()
            .map_err(Clone::clone)
            .and_then(|t| read_with(&message, t, &|t| UnifiedMessage::from_json_raw(&t.json, &t.raw)));
        let platforms = get(&options, "platforms");
        let urls = get(&options, "webhookUrls");
        let secrets = get(&options, "secrets");
        let mut targets: Vec<(Platform, Target)> = Vec::new();
        // each target's message and overflow: a service URL may set them
        let mut messages: Vec<(UnifiedMessage, Option<crate::limits::Overflow>)> = Vec::new();
        let given = self.overflow_given;
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
                        Ok((t, st)) => match (&json, &msg) {
                            (Ok(j), Ok(m)) => match message_for_target(j, m, st.as_ref()) {
                                Ok(m) => {
                                    messages.push((m, url_overflow(st.as_ref()).filter(|_| !given)));
                                    targets.push((p, t));
                                }
                                Err(e) => early.push(input_failure(p, &e)),
                            },
                            _ => targets.push((p, t)),
                        },
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
                Ok(_) => {
                    let sends: Vec<crate::coordinator::LocalFuture<'_, SendResult>> = targets
                        .iter()
                        .zip(&messages)
                        .map(|((p, t), (m, o))| {
                            Box::pin(inner.send_with(m, *p, t, *o)) as crate::coordinator::LocalFuture<'_, _>
                        })
                        .collect();
                    multi_value(&crate::sender::join_all(sends).await)
                }
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

/// The message, platform and target of a send, and a service URL's `overflow=`.
type Inputs = (UnifiedMessage, Platform, Target, Option<crate::limits::Overflow>);

/// The inputs of `send`, or the platform name to report and the error.
fn parse_inputs(message: &JsValue, platform: &JsValue, target: &JsValue) -> Result<Inputs, (String, Error)> {
    let name = platform.as_string().unwrap_or_default();
    let p = Platform::parse(&name).map_err(|e| (target::shown_name(&name).unwrap_or("unknown").to_string(), e))?;
    let fail = |e: Error| (p.as_str().to_string(), e);
    let text = message_json(message).map_err(fail)?;
    let t = if let Some(url) = target.as_string() {
        Target { webhook: url, secret: None }
    } else if target.is_object() {
        let url = get(target, "webhookUrl").as_string().or_else(|| get(target, "webhook").as_string());
        let url = url.ok_or_else(|| fail(Error::config("the target needs webhookUrl (a URL or key)")))?;
        Target { webhook: url, secret: get(target, "secret").as_string().filter(|s| !s.is_empty()) }
    } else {
        return Err(fail(Error::config("the target must be a webhook URL string or { webhookUrl, secret }")));
    };
    let (t, st) = service_target(p, t).map_err(fail)?;
    let msg = read_with(message, &text, &|t| message_for(t, st.as_ref())).map_err(fail)?;
    Ok((msg, p, t, url_overflow(st.as_ref())))
}

/// A target written as an Apprise / shoutrrr URL (`dingtalk://secret@token/`) becomes
/// its key and secret, and what it says about the message (mentions, title, keyword…);
/// any other target is left as it is.
fn service_target(p: Platform, t: Target) -> Result<(Target, Option<crate::service_url::ServiceTarget>), Error> {
    if !crate::service_url::is_service_url(&t.webhook) {
        return Ok((t, None));
    }
    let st = crate::service_url::resolve(&t.webhook, Some(p.as_str()))?;
    let key = st.key.clone();
    let secret = t.secret.or_else(|| st.secret.clone());
    Ok((Target { webhook: key, secret }, Some(st)))
}

/// `options.webhook` / `options.webhookUrl` of `render` written as a service URL, resolved
/// (its `overflow=` unless the options set one); the service URL, for its message options.
fn service_options(platform: &str, opts: &str) -> Result<(String, Option<crate::service_url::ServiceTarget>), Error> {
    if !opts.contains("://") {
        return Ok((opts.to_string(), None));
    }
    let Ok(Value::Object(mut m)) = crate::json::parse(opts) else { return Ok((opts.to_string(), None)) };
    let mut found = None;
    for k in ["webhook", "webhookUrl"] {
        let Some(url) = m.get(k).and_then(Value::as_str).filter(|u| crate::service_url::is_service_url(u)) else {
            continue;
        };
        let st = crate::service_url::resolve(url, Some(platform))?;
        m.insert(k.into(), Value::String(st.key.clone()));
        if m.get("secret").is_none_or(Value::is_null) {
            m.insert("secret".into(), st.secret.clone().map_or(Value::Null, Value::String));
        }
        if let (Some(o), true) = (st.overflow, m.get("overflow").is_none_or(Value::is_null)) {
            m.insert("overflow".into(), Value::String(o.into()));
        }
        found = Some(st);
    }
    Ok((crate::json::to_string(&Value::Object(m)), found))
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
