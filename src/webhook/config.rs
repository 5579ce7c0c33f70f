//! A generic webhook target's configuration, read from its JSON form.
//!
//! For: checking everything about a target once, when it is configured, so
//! that rendering and sending can only fail on the message or the network.
//! Not for: sending, or the chat platforms' targets (see [`crate::target`]).
//!
//! The JSON shape (the JS API, camelCase; the seed's form maps onto it):
//!
//! ```json
//! { "name": "tickets", "enabled": true, "tags": ["ops"], "description": "...",
//!   "url": "https://tickets.example.com/api/events",
//!   "method": "POST",
//!   "headers": { "Authorization": "Bearer abc" },      // or "Authorization: Bearer abc\nX-A: b"
//!   "body": "{\"title\": \"{{title}}\", \"at\": {{time|unix}}}",  // or a JSON object / array
//!   "contentType": "text/plain",                        // only for a raw (non-JSON) string body
//!   "timeout": 10000,                                   // ms
//!   "check": { "status": "2xx", "bodyContains": "ok", "jsonPath": "errcode", "equals": 0, "retryable": false },
//!   "retry": { "count": 3, "intervalSeconds": 5 },
//!   "rateLimit": { "limit": 20, "periodMs": 60000 },
//!   "secret": "whsec_...", "signing": ["sign", "standard-webhooks"] }
//! ```
//!
//! Every error is `INVALID_CONFIG` and says what to fix; none quotes the
//! secret, a header value, or the URL (which may carry a token).

use serde_json::Value;

pub use super::fields::{Check, MAX_HEADERS, Signing, StatusCheck, is_sensitive_header};
use super::fields::{
    num_field, parse_check, parse_headers, parse_rate_limit, parse_retry, parse_signing, parse_tags, short, str_field,
    type_name,
};
use super::template::Template;
use super::vars::Var;
use crate::error::{Error, Result};
use crate::policy::RetryPolicy;
use crate::target::WebhookUrl;

/// Longest timeout accepted, ms.
pub const MAX_TIMEOUT_MS: u64 = 600_000;
/// Timeout when none is given, ms.
pub const DEFAULT_TIMEOUT_MS: u64 = 10_000;

/// Headers Standard Webhooks signing sets.
pub const STANDARD_HEADERS: [&str; 3] = ["webhook-id", "webhook-timestamp", "webhook-signature"];

const KEYS: [&str; 16] = [
    "name",
    "enabled",
    "tags",
    "description",
    "url",
    "method",
    "headers",
    "body",
    "contentType",
    "timeout",
    "check",
    "retry",
    "rateLimit",
    "secret",
    "signing",
    "platform",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Post,
    Put,
    Patch,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
        }
    }
}

/// The body to send.
#[derive(Clone, Debug, PartialEq)]
pub enum BodyTemplate {
    /// JSON text with placeholders; sent as `application/json` unless a
    /// `Content-Type` header says otherwise.
    Json(Template),
    /// Raw text with placeholders, sent with its content type.
    Raw { template: Template, content_type: String },
}

/// A generic webhook target, checked. `Debug` shows no secret, header value or URL credential.
#[derive(Clone, PartialEq)]
pub struct WebhookConfig {
    pub name: Option<String>,
    pub enabled: bool,
    pub tags: Vec<String>,
    pub description: Option<String>,
    pub(super) url: String,
    pub method: Method,
    /// Header names as given, value templates.
    pub(super) headers: Vec<(String, Template)>,
    pub body: BodyTemplate,
    pub timeout_ms: u64,
    pub check: Check,
    /// The seed's retry count and interval as the crate's retry policy
    /// (a fixed interval: multiplier 1, no jitter).
    pub retry: RetryPolicy,
    /// `(limit, period ms)`, in the form of [`crate::policy::rate_limits`].
    pub rate_limit: Option<(usize, u64)>,
    pub(super) secret: Option<String>,
    pub(super) standard_key: Option<Vec<u8>>,
    pub signing: Signing,
}

impl std::fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("name", &self.name)
            .field("enabled", &self.enabled)
            .field("tags", &self.tags)
            .field("url", &self.redacted_url())
            .field("method", &self.method)
            .field("headers", &self.headers.iter().map(|(n, _)| format!("{n}: ***")).collect::<Vec<_>>())
            .field("timeout_ms", &self.timeout_ms)
            .field("check", &self.check)
            .field("retry", &self.retry)
            .field("rate_limit", &self.rate_limit)
            .field("secret", &self.secret.as_ref().map(|_| "***"))
            .field("signing", &self.signing)
            .finish_non_exhaustive()
    }
}

impl WebhookConfig {
    /// Parse a target from its JSON text.
    pub fn from_json(json: &str) -> Result<WebhookConfig> {
        let v: Value = crate::json::parse(json)
            .map_err(|e| Error::config(format!("the webhook target is not valid JSON: {e}")))?;
        Self::from_value(&v)
    }

    /// Parse and check a target from its JSON value.
    pub fn from_value(v: &Value) -> Result<WebhookConfig> {
        let m = match v {
            Value::Object(m) => m,
            other => {
                return Err(Error::config(format!("a webhook target must be an object, not {}", type_name(other))));
            }
        };
        if let Some(k) = m.keys().find(|k| !KEYS.contains(&k.as_str())) {
            return Err(Error::config(format!(
                "unknown webhook target field '{}'; expected one of {}",
                short(k),
                KEYS[..15].join(", ")
            )));
        }
        if let Some(p) = str_field(m, "platform")? {
            if p != "webhook" {
                return Err(Error::config("platform must be \"webhook\" for a generic webhook target"));
            }
        }

        let name = match str_field(m, "name")? {
            Some(n) if n.trim().is_empty() || n.len() > 128 || n.chars().any(char::is_control) => {
                return Err(Error::config("name must be 1-128 characters without control characters"));
            }
            n => n.map(str::to_string),
        };
        let enabled = match m.get("enabled") {
            None | Some(Value::Null) => true,
            Some(Value::Bool(b)) => *b,
            Some(v) => return Err(Error::config(format!("enabled must be a boolean, not {}", type_name(v)))),
        };
        let tags = parse_tags(m.get("tags"))?;
        let description = str_field(m, "description")?.map(|d| crate::model::clip(d, 1000));

        let url = str_field(m, "url")?.ok_or_else(|| Error::config("url is required (an http:// or https:// URL)"))?;
        let url = url.trim();
        if url.contains("{{") {
            return Err(Error::config(
                "url: placeholders are not filled in the URL; put values in the body or headers",
            ));
        }
        WebhookUrl::parse(url).map_err(|e| Error::config(format!("url: {}", e.message)))?;
        let url = url.split('#').next().unwrap_or(url).to_string();

        let method = match str_field(m, "method")? {
            None => Method::Post,
            Some(s) => match s.trim().to_ascii_uppercase().as_str() {
                "POST" => Method::Post,
                "PUT" => Method::Put,
                "PATCH" => Method::Patch,
                _ => return Err(Error::config(format!("method must be POST, PUT or PATCH, not '{}'", short(s)))),
            },
        };

        let headers = parse_headers(m.get("headers"))?;

        let content_type = str_field(m, "contentType")?;
        if let Some(ct) = content_type {
            if ct.trim().is_empty() || ct.len() > 256 || ct.chars().any(|c| c.is_control() || !c.is_ascii()) {
                return Err(Error::config("contentType must be a media type such as text/plain; charset=utf-8"));
            }
        }
        let is_json_type = |ct: &str| {
            let ct = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
            ct == "application/json" || ct.ends_with("+json")
        };
        let body = match m.get("body") {
            None | Some(Value::Null) => BodyTemplate::Json(Template::json(DEFAULT_BODY, "body")?),
            Some(Value::String(s)) => match content_type {
                Some(ct) if !is_json_type(ct) => {
                    BodyTemplate::Raw { template: Template::text(s, "body")?, content_type: ct.trim().to_string() }
                }
                _ => BodyTemplate::Json(Template::json(s, "body")?),
            },
            Some(v @ (Value::Object(_) | Value::Array(_))) => {
                if content_type.is_some_and(|ct| !is_json_type(ct)) {
                    return Err(Error::config(
                        "a JSON object body is sent as JSON; give a string body for another contentType",
                    ));
                }
                BodyTemplate::Json(Template::json(&crate::json::to_string(v), "body")?)
            }
            Some(v) => {
                return Err(Error::config(format!(
                    "body must be a JSON template (a string or an object), not {}",
                    type_name(v)
                )));
            }
        };
        if let (Some(ct), BodyTemplate::Json(_)) = (content_type, &body) {
            if !is_json_type(ct) {
                return Err(Error::config("contentType is only for a raw string body"));
            }
        }

        let timeout_ms = match num_field(m, "timeout", "timeout (ms)")? {
            None => DEFAULT_TIMEOUT_MS,
            Some(t) if (1.0..=MAX_TIMEOUT_MS as f64).contains(&t) => t as u64,
            Some(_) => return Err(Error::config(format!("timeout must be 1-{MAX_TIMEOUT_MS} ms"))),
        };

        let check = parse_check(m.get("check"))?;
        let retry = parse_retry(m.get("retry"), timeout_ms)?;
        let rate_limit = parse_rate_limit(m.get("rateLimit"))?;

        // signing
        let secret = match str_field(m, "secret")? {
            None | Some("") => None,
            Some(s) => {
                crate::sign::check_secret(s).map_err(|e| Error::config(format!("secret: {}", e.message)))?;
                Some(s.to_string())
            }
        };
        let mut signing = parse_signing(m.get("signing"))?;
        let uses_sign = body_template(&body).uses(&Var::Sign) || headers.iter().any(|(_, t)| t.uses(&Var::Sign));
        if uses_sign {
            signing.sign = true;
        }
        if signing.sign && !uses_sign {
            return Err(Error::config(
                "signing \"sign\" is set but no {{sign}} placeholder is in the body or headers; add one where the receiver reads it",
            ));
        }
        if (signing.sign || signing.standard_webhooks) && secret.is_none() {
            return Err(Error::config(if uses_sign {
                "{{sign}} needs a secret: set the target's secret"
            } else {
                "signing needs a secret: set the target's secret"
            }));
        }
        if secret.is_some() && !signing.sign && !signing.standard_webhooks {
            return Err(Error::config(
                "a secret is set but nothing uses it: add {{sign}} to the body or a header, or signing: \"standard-webhooks\"",
            ));
        }
        let standard_key = match (&secret, signing.standard_webhooks) {
            (Some(s), true) => Some(super::signing::standard_key(s)?),
            _ => None,
        };
        if signing.standard_webhooks {
            if let Some((n, _)) =
                headers.iter().find(|(n, _)| STANDARD_HEADERS.iter().any(|s| n.eq_ignore_ascii_case(s)))
            {
                return Err(Error::config(format!(
                    "header {n} is set by Standard Webhooks signing; remove it from headers"
                )));
            }
        }

        Ok(WebhookConfig {
            name,
            enabled,
            tags,
            description,
            url,
            method,
            headers,
            body,
            timeout_ms,
            check,
            retry,
            rate_limit,
            secret,
            standard_key,
            signing,
        })
    }

    /// The URL to send to. It may carry a credential: show [`Self::redacted_url`] instead.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The URL with credentials replaced by `***`, for errors, results and logs.
    pub fn redacted_url(&self) -> String {
        crate::target::redact_url(&self.url)
    }

    /// The rate windows in the form the sender's [`crate::policy::RateWindow`] takes.
    pub fn rate_limits(&self) -> Vec<(usize, u64)> {
        self.rate_limit.into_iter().collect()
    }

    /// Header names the target sets (values are not shown: they may be credentials).
    pub fn header_names(&self) -> impl Iterator<Item = &str> {
        self.headers.iter().map(|(n, _)| n.as_str())
    }

    /// Strings that must never appear in an error, a result or a log line:
    /// the secret and every header value's literal text that could be a credential.
    pub fn secrets(&self) -> Vec<String> {
        let mut v: Vec<String> = self.secret.iter().cloned().collect();
        for (_, t) in self.headers.iter().filter(|(n, _)| is_sensitive_header(n)) {
            let lit = t.literal_text();
            // each word of a literal value ("Bearer abc" -> "abc"), if long enough to matter
            let scheme = |w: &str| ["bearer", "basic", "digest", "token"].contains(&w.to_ascii_lowercase().as_str());
            v.extend(lit.split_whitespace().filter(|w| w.len() >= 6 && !scheme(w)).map(str::to_string));
        }
        v.extend(self.url_credentials());
        v
    }

    /// The URL's credentials, which an answer may echo bare (without the `token=` that
    /// [`crate::target::redact_text`] looks for): each value its redacted form hides (a token
    /// parameter, a path key) and a `user:password@` part, if long enough to matter.
    fn url_credentials(&self) -> Vec<String> {
        let sep = |c: char| matches!(c, '/' | '?' | '&' | '=' | '#' | '@' | ':');
        let redacted = self.redacted_url();
        let shown: Vec<&str> = redacted.split(sep).collect();
        let mut v: Vec<String> =
            self.url.split(sep).filter(|w| w.len() >= 6 && !shown.contains(w)).map(str::to_string).collect();
        let rest = self.url.split_once("://").map_or(self.url.as_str(), |(_, r)| r);
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        if let Some((userinfo, _)) = authority.rsplit_once('@') {
            v.extend(userinfo.split(':').filter(|w| w.len() >= 6).map(str::to_string));
        }
        v
    }
}

fn body_template(b: &BodyTemplate) -> &Template {
    match b {
        BodyTemplate::Json(t) => t,
        BodyTemplate::Raw { template, .. } => template,
    }
}

/// The body when none is configured: the seed's fields, typed.
pub const DEFAULT_BODY: &str = r#"{"type":{{type}},"title":{{title}},"subTitle":{{subTitle}},"message":{{message}},"image":{{image}},"time":{{time}},"message_id":{{message_id}},"correlation_id":{{correlation_id}}}"#;
