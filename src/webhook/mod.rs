//! The generic `webhook` target's pure engine: push a message to any URL
//! (a ticket system, an internal API, a chat tool rendered by template) as
//! seed 003 describes.
//!
//! For: checking a target's configuration once ([`WebhookConfig`]), turning a
//! message into the request to send ([`render`]), and reading the answer
//! ([`check_response`]). Pure: no I/O, the clock is passed in. Not for:
//! sending, waiting or rate limiting (the sender does that with the
//! [`crate::policy::RetryPolicy`] and rate limit the config carries), nor the
//! chat platforms (see [`crate::platform`]).
//!
//! - [`config`]: the target's JSON form, checked; every error `INVALID_CONFIG`
//!   (each field's parser in `fields`).
//! - [`template`]: `{{placeholders}}`, compiled at config time, JSON-safe.
//! - [`vars`]: the variables and formats, and their values for a message.
//! - [`html`]: the markdown IR as HTML, for `{{message|html}}`.
//! - [`signing`]: `{{sign}}` and Standard Webhooks.
//! - [`check`]: the answer as a [`crate::policy::Classified`] verdict.

pub mod check;
pub mod config;
mod fields;
pub mod html;
pub mod signing;
pub mod template;
pub mod vars;

use serde_json::Value;

pub use check::{MAX_RESPONSE_BYTES, check_response};
pub use config::{BodyTemplate, Check, Method, Signing, StatusCheck, WebhookConfig};

use crate::error::{Error, ErrorCode, Result};
use crate::model::UnifiedMessage;
use template::{Piece, Template};

/// A message as the webhook target needs it: parsed (for titles, cards, the
/// body as markdown) and as given (for `{{content.…}}` paths).
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub parsed: UnifiedMessage,
    pub raw: Value,
}

impl Message {
    /// Parse from JSON text; a lone UTF-16 surrogate escape (`\ud800`)
    /// becomes U+FFFD, as [`UnifiedMessage::from_json`] does.
    pub fn from_json(json: &str) -> Result<Message> {
        let (parsed, raw) = UnifiedMessage::from_json_with_value(json)?;
        Ok(Message { parsed, raw })
    }

    pub fn from_value(raw: Value) -> Result<Message> {
        let parsed = UnifiedMessage::from_value(&raw)?;
        Ok(Message { parsed, raw })
    }
}

/// The request to send. `Debug` hides header values that may be
/// credentials, the URL's credentials and the body (which may hold `{{sign}}`).
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookRequest {
    pub url: String,
    pub method: Method,
    /// Names as configured (the signing headers in lower case), in order;
    /// `content-type` is always present.
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// This request's signatures, to keep out of anything shown
    /// (pass them to [`check_response`]).
    secrets: Vec<String>,
}

impl WebhookRequest {
    pub fn secrets(&self) -> &[String] {
        &self.secrets
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

impl std::fmt::Debug for WebhookRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<String> = self
            .headers
            .iter()
            .map(|(n, v)| {
                // a signature shows under any header name (`X-Sig: {{sign}}`)
                if config::is_sensitive_header(n)
                    || n.eq_ignore_ascii_case("webhook-signature")
                    || self.secrets.iter().any(|s| !s.is_empty() && v.contains(s.as_str()))
                {
                    format!("{n}: ***")
                } else {
                    format!("{n}: {v}")
                }
            })
            .collect();
        f.debug_struct("WebhookRequest")
            .field("url", &crate::target::redact_url(&self.url))
            .field("method", &self.method)
            .field("headers", &headers)
            .field("body_bytes", &self.body.len())
            .finish_non_exhaustive()
    }
}

/// Most bytes of a rendered body.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// The request for `msg` to the target `cfg` at `now_ms` (ms since the
/// epoch): pure and deterministic. Errors: `INVALID_MESSAGE` when a value
/// from the message cannot go where the template puts it (a header with a
/// line break, a body over [`MAX_BODY_BYTES`]); `UNSUPPORTED` for
/// `{{message}}` of a raw message.
pub fn render(msg: &Message, cfg: &WebhookConfig, now_ms: u64) -> Result<WebhookRequest> {
    let ts = now_ms / 1000;
    let mut secrets = Vec::new();
    let sign = match (&cfg.secret, cfg.signing.sign) {
        (Some(s), true) => {
            let v = signing::sign(s, ts)?;
            secrets.push(v.clone());
            Some(v)
        }
        _ => None,
    };
    let cx = vars::Ctx { msg, now_ms, sign: sign.as_deref() };

    let (body_t, content_type) = match &cfg.body {
        BodyTemplate::Json(t) => (t, "application/json"),
        BodyTemplate::Raw { template, content_type } => (template, content_type.as_str()),
    };
    let mut body = fill(body_t, &cx)?;
    if matches!(cfg.body, BodyTemplate::Json(_)) && body.contains("</") {
        // `</` is only ever inside a JSON string, where `<\/` means the same:
        // a `</script>` made of template text and a value is broken up too
        body = body.replace("</", "<\\/");
    }
    if body.len() > MAX_BODY_BYTES {
        return Err(Error::new(
            ErrorCode::InvalidMessage,
            format!("the rendered body is {} bytes; at most {MAX_BODY_BYTES}", body.len()),
        ));
    }
    if matches!(cfg.body, BodyTemplate::Json(_)) {
        if let Err(e) = crate::json::parse(&body) {
            // cannot happen with a checked template; never send broken JSON if it does
            return Err(Error::config(format!("the body is not valid JSON after substitution: {e}")));
        }
    }

    let mut headers: Vec<(String, String)> = Vec::with_capacity(cfg.headers.len() + 4);
    for (name, t) in &cfg.headers {
        let v = fill(t, &cx)?;
        if v.contains(['\r', '\n', '\0']) {
            return Err(Error::new(
                ErrorCode::InvalidMessage,
                format!(
                    "header {name} would contain a line break from the message; use a single-line field or {{{{…|url}}}}"
                ),
            ));
        }
        if v.chars().any(|c| c.is_control() && c != '\t' || c as u32 > 0xff) {
            return Err(Error::new(
                ErrorCode::InvalidMessage,
                format!(
                    "header {name} would contain characters a header cannot carry; use {{{{…|url}}}} to percent-encode"
                ),
            ));
        }
        headers.push((name.clone(), v.trim().to_string()));
    }
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("content-type")) {
        headers.push(("content-type".to_string(), content_type.to_string()));
    }
    if let (Some(key), true) = (&cfg.standard_key, cfg.signing.standard_webhooks) {
        let canonical = crate::json::to_string(&msg.raw);
        let id = signing::webhook_id(msg.parsed.metadata.message_id.as_deref(), &canonical);
        let sig = signing::standard_signature(key, &id, ts, body.as_bytes())?;
        secrets.push(sig.trim_start_matches("v1,").to_string());
        headers.push(("webhook-id".to_string(), id));
        headers.push(("webhook-timestamp".to_string(), ts.to_string()));
        headers.push(("webhook-signature".to_string(), sig));
    }
    Ok(WebhookRequest { url: cfg.url.clone(), method: cfg.method, headers, body, secrets })
}

/// [`render`] from JSON texts (the shape the bindings pass).
pub fn render_json(message: &str, config: &str, now_ms: u64) -> Result<WebhookRequest> {
    let cfg = WebhookConfig::from_json(config)?;
    let msg = Message::from_json(message)?;
    render(&msg, &cfg, now_ms)
}

fn fill(t: &Template, cx: &vars::Ctx<'_>) -> Result<String> {
    let mut out = String::new();
    for p in &t.pieces {
        match p {
            Piece::Lit(s) => out.push_str(s),
            Piece::Ph(ph) => {
                let v = vars::resolve(&ph.var, ph.format, cx)?;
                template::write_value(ph, v, &mut out);
                if out.len() > MAX_BODY_BYTES {
                    return Err(Error::new(
                        ErrorCode::InvalidMessage,
                        format!("the rendered text is over {MAX_BODY_BYTES} bytes"),
                    ));
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
