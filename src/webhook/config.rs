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

use serde_json::{Map, Value};

use super::template::Template;
use super::vars::{Seg, Var};
use crate::error::{Error, Result};
use crate::policy::RetryPolicy;
use crate::target::WebhookUrl;

/// Most headers a target may set.
pub const MAX_HEADERS: usize = 64;
/// Longest timeout accepted, ms.
pub const MAX_TIMEOUT_MS: u64 = 600_000;
/// Timeout when none is given, ms.
pub const DEFAULT_TIMEOUT_MS: u64 = 10_000;

/// Headers the host sets itself (or `fetch` refuses); a target may not set them.
const RESERVED_HEADERS: [&str; 9] =
    ["host", "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te", "trailer", "expect"];

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

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StatusCheck {
    /// Any 2xx (the default).
    Any2xx,
    /// One of these statuses.
    OneOf(Vec<u16>),
}

/// What a delivered answer looks like.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    pub status: StatusCheck,
    pub body_contains: Option<String>,
    /// A path into the answer's JSON (`errcode`, `data.items[0].ok`) and the
    /// value it must equal (numbers compare by value: `0` equals `0.0`).
    pub json_equals: Option<(String, Vec<Seg>, Value)>,
    /// A failed check (not a failed status) is worth retrying.
    pub retryable: bool,
}

impl Default for Check {
    fn default() -> Self {
        Check { status: StatusCheck::Any2xx, body_contains: None, json_equals: None, retryable: false }
    }
}

/// How the request is signed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Signing {
    /// `{{sign}}` placeholders are filled in.
    pub sign: bool,
    /// Standard Webhooks headers are added.
    pub standard_webhooks: bool,
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

fn type_name(v: &Value) -> &'static str {
    crate::model::reader::type_name(v)
}

fn str_field<'a>(m: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(v) => Err(Error::config(format!("{key} must be a string, not {}", type_name(v)))),
    }
}

fn num_field(m: &Map<String, Value>, key: &str, what: &str) -> Result<Option<f64>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(f) if f.is_finite() && f >= 0.0 => Ok(Some(f)),
            _ => Err(Error::config(format!("{what} must be a number of at least 0"))),
        },
        Some(v) => Err(Error::config(format!("{what} must be a number, not {}", type_name(v)))),
    }
}

fn short(s: &str) -> String {
    crate::model::clip(s, 40)
}

impl WebhookConfig {
    /// Parse a target from its JSON text.
    pub fn from_json(json: &str) -> Result<WebhookConfig> {
        let v: Value = serde_json::from_str(json)
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
        v
    }
}

/// A header whose value is likely a credential (never shown).
pub fn is_sensitive_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["auth", "token", "key", "secret", "sign", "cookie", "password", "session", "credential"]
        .iter()
        .any(|w| n.contains(w))
}

fn body_template(b: &BodyTemplate) -> &Template {
    match b {
        BodyTemplate::Json(t) => t,
        BodyTemplate::Raw { template, .. } => template,
    }
}

/// The body when none is configured: the seed's fields, typed.
pub const DEFAULT_BODY: &str = r#"{"type":{{type}},"title":{{title}},"subTitle":{{subTitle}},"message":{{message}},"image":{{image}},"time":{{time}},"message_id":{{message_id}},"correlation_id":{{correlation_id}}}"#;

fn parse_tags(v: Option<&Value>) -> Result<Vec<String>> {
    let arr = match v {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(a)) => a,
        Some(Value::String(s)) => return parse_tags(Some(&Value::Array(vec![Value::String(s.clone())]))),
        Some(v) => return Err(Error::config(format!("tags must be an array of strings, not {}", type_name(v)))),
    };
    if arr.len() > 32 {
        return Err(Error::config("tags: at most 32"));
    }
    arr.iter()
        .map(|t| match t {
            Value::String(s) if !s.trim().is_empty() && s.len() <= 64 && !s.chars().any(char::is_control) => {
                Ok(s.trim().to_string())
            }
            _ => Err(Error::config("each tag must be a string of 1-64 characters")),
        })
        .collect()
}

fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn parse_headers(v: Option<&Value>) -> Result<Vec<(String, Template)>> {
    let pairs: Vec<(String, String)> = match v {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                Value::Number(n) => Ok((k.clone(), n.to_string())),
                other => Err(Error::config(format!(
                    "header {} must be a string, not {}",
                    if is_token(k) { k.as_str() } else { "(a name)" },
                    type_name(other)
                ))),
            })
            .collect::<Result<_>>()?,
        Some(Value::String(lines)) => {
            let mut out = Vec::new();
            for (i, line) in lines.split('\n').enumerate() {
                let line = line.strip_suffix('\r').unwrap_or(line);
                if line.trim().is_empty() || line.trim_start().starts_with('#') {
                    continue;
                }
                let Some((k, v)) = line.split_once(':') else {
                    return Err(Error::config(format!("headers line {}: write it as key: value", i + 1)));
                };
                out.push((k.trim().to_string(), v.trim().to_string()));
            }
            out
        }
        Some(v) => {
            return Err(Error::config(format!("headers must be an object or key: value lines, not {}", type_name(v))));
        }
    };
    if pairs.len() > MAX_HEADERS {
        return Err(Error::config(format!("at most {MAX_HEADERS} headers")));
    }
    let mut out: Vec<(String, Template)> = Vec::with_capacity(pairs.len());
    for (name, value) in pairs {
        if !is_token(&name) {
            return Err(Error::config(format!(
                "header name '{}' is not a valid HTTP header name (letters, digits and -_.!#$%&'*+^`|~)",
                short(&name.replace(|c: char| c.is_control(), "?"))
            )));
        }
        let lower = name.to_ascii_lowercase();
        if RESERVED_HEADERS.contains(&lower.as_str()) {
            return Err(Error::config(format!("header {name} is set by the HTTP client; remove it")));
        }
        if out.iter().any(|(n, _)| n.eq_ignore_ascii_case(&name)) {
            return Err(Error::config(format!("header {name} is given twice")));
        }
        if value.contains(['\r', '\n', '\0']) {
            return Err(Error::config(format!("header {name}: a value may not contain CR, LF or NUL")));
        }
        if value.len() > 8192 {
            return Err(Error::config(format!("header {name}: the value is over 8192 bytes")));
        }
        let what = format!("header {name}");
        let t = Template::text(&value, &what).map_err(|e| {
            if is_sensitive_header(&name) {
                Error::config(format!(
                    "header {name}: a placeholder is malformed or names an unknown variable or format \
                     (the value is not shown: it may be a credential)"
                ))
            } else {
                e
            }
        })?;
        if t.literal_text().chars().any(|c| c.is_control() && c != '\t' || c as u32 > 0xff) {
            return Err(Error::config(format!(
                "header {name}: the value has control characters or characters beyond Latin-1 (use a {{{{var|url}}}} placeholder or percent-encode)"
            )));
        }
        out.push((name, t));
    }
    Ok(out)
}

fn parse_check(v: Option<&Value>) -> Result<Check> {
    let m = match v {
        None | Some(Value::Null) => return Ok(Check::default()),
        // the seed's two check types by name
        Some(Value::String(s)) if s == "status" => {
            return Ok(Check { status: StatusCheck::OneOf(vec![200]), ..Check::default() });
        }
        Some(Value::Object(m)) => m,
        Some(_) => {
            return Err(Error::config(
                "check must be an object: { status, bodyContains, jsonPath, equals, retryable }",
            ));
        }
    };
    const CHECK_KEYS: [&str; 5] = ["status", "bodyContains", "jsonPath", "equals", "retryable"];
    if let Some(k) = m.keys().find(|k| !CHECK_KEYS.contains(&k.as_str())) {
        return Err(Error::config(format!(
            "unknown check field '{}'; expected one of {}",
            short(k),
            CHECK_KEYS.join(", ")
        )));
    }
    let status_code = |v: &Value| -> Result<u16> {
        match v.as_u64() {
            Some(n) if (100..=599).contains(&n) => Ok(n as u16),
            _ => Err(Error::config("check.status: a status is a whole number 100-599")),
        }
    };
    let status = match m.get("status") {
        None | Some(Value::Null) => StatusCheck::Any2xx,
        Some(Value::String(s)) if s.eq_ignore_ascii_case("2xx") => StatusCheck::Any2xx,
        Some(Value::String(s)) => match s.trim().parse::<u16>() {
            Ok(n) => StatusCheck::OneOf(vec![status_code(&Value::from(n))?]),
            Err(_) => return Err(Error::config("check.status must be a status, a list of statuses or \"2xx\"")),
        },
        Some(n @ Value::Number(_)) => StatusCheck::OneOf(vec![status_code(n)?]),
        Some(Value::Array(a)) if !a.is_empty() && a.len() <= 32 => {
            StatusCheck::OneOf(a.iter().map(status_code).collect::<Result<_>>()?)
        }
        Some(_) => return Err(Error::config("check.status must be a status, a list of 1-32 statuses or \"2xx\"")),
    };
    let body_contains = match m.get("bodyContains") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if !s.is_empty() && s.len() <= 1024 => Some(s.clone()),
        Some(_) => return Err(Error::config("check.bodyContains must be a string of 1-1024 bytes")),
    };
    let json_equals = match (m.get("jsonPath"), m.get("equals")) {
        (None | Some(Value::Null), None) => None,
        (Some(Value::String(p)), Some(eq)) => {
            let path = p.trim();
            let path = path.strip_prefix("$.").unwrap_or(path);
            if path.is_empty() || path.len() > 256 {
                return Err(Error::config("check.jsonPath must be a path such as errcode or data.items[0].ok"));
            }
            let segs = match Var::parse(&format!("content.{path}")) {
                Ok(Var::Path(segs)) => segs.into_iter().skip(1).collect(),
                _ => return Err(Error::config("check.jsonPath must be a path such as errcode or data.items[0].ok")),
            };
            Some((path.to_string(), segs, eq.clone()))
        }
        (Some(Value::String(_)), None) => {
            return Err(Error::config("check.jsonPath needs check.equals: the value it must have (e.g. 0)"));
        }
        (None | Some(Value::Null), Some(_)) => {
            return Err(Error::config("check.equals needs check.jsonPath: where in the answer to look"));
        }
        (Some(_), _) => return Err(Error::config("check.jsonPath must be a string")),
    };
    let retryable = match m.get("retryable") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(Error::config("check.retryable must be a boolean")),
    };
    Ok(Check { status, body_contains, json_equals, retryable })
}

fn parse_retry(v: Option<&Value>, timeout_ms: u64) -> Result<RetryPolicy> {
    let m = match v {
        None | Some(Value::Null) => return Ok(RetryPolicy::default()),
        Some(Value::Object(m)) => m,
        Some(_) => return Err(Error::config("retry must be an object: { count, intervalSeconds }")),
    };
    if let Some(k) = m.keys().find(|k| !["count", "intervalSeconds"].contains(&k.as_str())) {
        return Err(Error::config(format!("unknown retry field '{}'; expected count, intervalSeconds", short(k))));
    }
    let count = match num_field(m, "count", "retry.count")? {
        None => RetryPolicy::default().max_retries,
        Some(c) if c.fract() == 0.0 && c <= 100.0 => c as u32,
        Some(_) => return Err(Error::config("retry.count must be a whole number 0-100")),
    };
    let interval_ms = match num_field(m, "intervalSeconds", "retry.intervalSeconds")? {
        None => RetryPolicy::default().initial_delay,
        Some(s) if s <= 3600.0 => (s * 1000.0).round() as u64,
        Some(_) => return Err(Error::config("retry.intervalSeconds must be 0-3600")),
    };
    let total = u64::from(count).saturating_mul(interval_ms.saturating_add(timeout_ms)).saturating_add(timeout_ms);
    let p = RetryPolicy {
        max_retries: count,
        initial_delay: interval_ms,
        max_delay: interval_ms,
        backoff_multiplier: 1.0,
        jitter: 0.0,
        max_total_time: total,
    };
    p.validate()?;
    Ok(p)
}

fn parse_rate_limit(v: Option<&Value>) -> Result<Option<(usize, u64)>> {
    let m = match v {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(m)) => m,
        Some(_) => return Err(Error::config("rateLimit must be an object: { limit, periodMs }")),
    };
    let limit = num_field(m, "limit", "rateLimit.limit")?;
    let period = num_field(m, "periodMs", "rateLimit.periodMs")?;
    match (limit, period) {
        (Some(l), Some(p))
            if l.fract() == 0.0 && (1.0..=10_000.0).contains(&l) && (1.0..=86_400_000.0).contains(&p) =>
        {
            Ok(Some((l as usize, p as u64)))
        }
        _ => Err(Error::config("rateLimit needs limit (1-10000 requests) and periodMs (1-86400000)")),
    }
}

fn parse_signing(v: Option<&Value>) -> Result<Signing> {
    let names: Vec<&Value> = match v {
        None | Some(Value::Null) => return Ok(Signing::default()),
        Some(s @ Value::String(_)) => vec![s],
        Some(Value::Array(a)) => a.iter().collect(),
        Some(_) => return Err(Error::config("signing must be \"sign\", \"standard-webhooks\" or a list of them")),
    };
    let mut s = Signing::default();
    for n in names {
        match n.as_str() {
            Some("sign") => s.sign = true,
            Some("standard-webhooks" | "standardWebhooks") => s.standard_webhooks = true,
            _ => return Err(Error::config("signing must be \"sign\", \"standard-webhooks\" or a list of them")),
        }
    }
    Ok(s)
}
