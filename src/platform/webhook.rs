//! The generic `webhook` target (seed 003): any URL, with the request and the
//! answer check each target configures (see [`crate::webhook`], its engine).
//!
//! Unlike the chat platforms, nothing about this target is static: its URL,
//! method, headers, body template, answer check, retry and rate limit are
//! per target. It is registered like the others (name, result shape, the
//! sender's `Platform`), says so with [`PlatformSpec::configured`], and the
//! platform-agnostic layers hand it its configuration: `render_json` through
//! [`render_json`] here, the sender through `Sender::send_webhook`.
//!
//! The engine is feature `webhook` (its own wasm, the `webhook-push/webhook`
//! subpath). Without it the target stays registered, so `"webhook"` is known,
//! and everything that would need the engine answers [`unsupported`].

#[cfg(feature = "webhook")]
use super::common::{Put, obj};
use serde_json::{Map, Value};

#[cfg(feature = "webhook")]
use super::spec::Platform;
use super::spec::{AnswerFields, CodeMeaning, Credential, Ctx, EnvNames, PlatformRenderer, PlatformSpec, Signing};
use crate::error::{Error, ErrorCode, Result};
use crate::model::UnifiedMessage;
use crate::payload::Payload;
use crate::rendered::Rendered;
#[cfg(feature = "webhook")]
use crate::webhook::{self, Message, WebhookConfig, WebhookRequest};

pub struct Webhook;

#[cfg(feature = "webhook")]
const NEEDS_CONFIG: &str =
    "the webhook target needs its configuration: options.webhook = { url, method, headers, body, check, retry, … }";

/// The error of the generic webhook target (`"webhook"`, `sendTo`, `services`)
/// in a build without its engine (the package's main entry): it names the
/// entry that has it.
pub fn unsupported() -> Error {
    Error::new(
        ErrorCode::Unsupported,
        "the generic webhook target (platform \"webhook\", sendTo, services) is not in this entry: import from \"webhook-push/webhook\" (same API, its own wasm; \"webhook-push/inbound\" has it too)",
    )
}

impl PlatformRenderer for Webhook {
    fn render(&self, _msg: &UnifiedMessage, _ctx: &mut Ctx<'_>) -> Result<Vec<Payload>> {
        // reached only without a configuration: `render_json` and the sender
        // take the configured path
        #[cfg(feature = "webhook")]
        return Err(Error::config(NEEDS_CONFIG));
        #[cfg(not(feature = "webhook"))]
        Err(unsupported())
    }
}

impl PlatformSpec for Webhook {
    fn name(&self) -> &'static str {
        "webhook"
    }
    fn display(&self) -> &'static str {
        "Webhook"
    }
    fn default_base(&self) -> &'static str {
        ""
    }
    fn hosts(&self) -> &'static [&'static str] {
        &[]
    }
    fn webhook_url(&self, _base: &str, credential: &str) -> String {
        credential.to_string()
    }
    fn credential(&self) -> Credential {
        Credential::Configured
    }
    fn credential_wording(&self) -> &'static str {
        "a url in its configuration"
    }
    fn signing(&self) -> Signing {
        Signing::Unsigned {
            why: "the Webhook target signs as its configuration says (secret, signing: sign / standardWebhooks)",
        }
    }
    fn env_names(&self) -> EnvNames {
        EnvNames { webhook: "WEBHOOK_CONFIG", secret: None }
    }
    fn measured_size(&self, _payload: &Payload) -> Option<(usize, usize)> {
        None
    }
    fn answer_fields(&self) -> AnswerFields {
        AnswerFields { code: &[], message: &[] }
    }
    fn code_meaning(&self, _code: i64, _message: &str) -> CodeMeaning {
        CodeMeaning::Refused
    }
    fn rate_limits(&self) -> &'static [(usize, u64)] {
        &[]
    }
    fn rate_block_ms(&self) -> u64 {
        1000
    }
    fn limits_info(&self) -> Map<String, Value> {
        #[allow(unused_mut)]
        let mut m = Map::new();
        #[cfg(feature = "webhook")]
        {
            m.put("maxBodyBytes", Value::from(webhook::MAX_BODY_BYTES));
            m.put("maxResponseBytes", Value::from(webhook::MAX_RESPONSE_BYTES));
        }
        m
    }
    fn signing_how(&self) -> &'static str {
        "{{sign}}: base64 HMAC-SHA256 of \"<timestamp>\\n<secret>\" keyed by the secret; or Standard Webhooks headers"
    }
    fn credential_placeholder(&self) -> &'static str {
        "https://example.com/hook"
    }
    fn configured(&self) -> bool {
        true
    }
}

/// The target's configuration in render options or a send target: an
/// object, or its JSON text.
#[cfg(feature = "webhook")]
pub fn config_of(v: &Value) -> Result<WebhookConfig> {
    match v {
        Value::Object(_) => WebhookConfig::from_value(v),
        Value::String(s) => WebhookConfig::from_json(s),
        Value::Null => Err(Error::config(NEEDS_CONFIG)),
        _ => Err(Error::config("the webhook target's configuration must be an object (or its JSON text)")),
    }
}

/// The bot id of a target, for rate windows and dedup: a hash of its URL
/// (never the URL, which may carry a credential).
#[cfg(feature = "webhook")]
pub fn bot_id(cfg: &WebhookConfig) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(b"webhook-push bot\nwebhook\n");
    h.update(cfg.url().as_bytes());
    format!("webhook:{}", crate::sign::hex(&h.finalize()[..16]))
}

/// The request as a payload of [`Rendered`]: `{ method, headers, body }`.
#[cfg(feature = "webhook")]
pub fn request_value(req: &WebhookRequest) -> Payload {
    let mut headers = crate::payload::Obj::with_capacity(req.headers.len());
    for (n, v) in &req.headers {
        headers.insert(n.clone(), Payload::from(v.clone()));
    }
    obj! {"method" => req.method.as_str(), "headers" => headers, "body" => req.body.clone()}
}

/// `render(message, "webhook", { webhook: config })`: the request the target
/// would send, as the one payload, its URL as `url`.
#[cfg(feature = "webhook")]
pub fn render_json(message: &str, options: &str, now_ms: u64) -> Result<Rendered> {
    let opts: Value = if options.trim().is_empty() {
        Value::Null
    } else {
        crate::json::parse(options).map_err(|_| Error::config("options are not valid JSON"))?
    };
    if let Value::Object(m) = &opts {
        crate::options::check_names(
            m.keys().map(String::as_str),
            &["webhook", "config", "timestamp"],
            "options",
            |name| match name {
                "webhookUrl" | "url" | "baseUrl" | "secret" => Some("webhook: { url, … } (the target's configuration)"),
                _ => None,
            },
        )?;
    }
    let cfg_v = opts.get("webhook").or_else(|| opts.get("config")).unwrap_or(&Value::Null);
    let cfg = config_of(cfg_v)?;
    let now_ms = match opts.get("timestamp").and_then(Value::as_u64) {
        Some(t) => t,
        None => now_ms,
    };
    let msg = Message::from_json(message)?;
    let req = webhook::render(&msg, &cfg, now_ms)?;
    Ok(Rendered {
        platform: Platform::Webhook,
        url: Some(req.url.clone()),
        payloads: vec![request_value(&req)],
        degraded: Vec::new(),
    })
}

/// `render(message, "webhook", …)` in a build without the engine: [`unsupported`].
#[cfg(not(feature = "webhook"))]
pub fn render_json(_message: &str, _options: &str, _now_ms: u64) -> Result<Rendered> {
    Err(unsupported())
}
