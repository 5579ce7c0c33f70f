//! The fields of a generic webhook target's JSON form, each read and checked
//! on its own: tags, headers (an object or `Name: value` lines), the answer
//! check, retry, rate limit and signing; [`super::config`] puts them together.
//! Every error is `INVALID_CONFIG`; none quotes a header value.

use serde_json::{Map, Value};

use super::template::Template;
use super::vars::{Seg, Var};
use crate::error::{Error, Result};
use crate::policy::RetryPolicy;

/// Most headers a target may set.
pub const MAX_HEADERS: usize = 64;

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

/// Headers the host sets itself (or `fetch` refuses); a target may not set them.
const RESERVED_HEADERS: [&str; 9] =
    ["host", "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te", "trailer", "expect"];

pub(super) fn type_name(v: &Value) -> &'static str {
    crate::model::reader::type_name(v)
}

pub(super) fn str_field<'a>(m: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(v) => Err(Error::config(format!("{key} must be a string, not {}", type_name(v)))),
    }
}

pub(super) fn num_field(m: &Map<String, Value>, key: &str, what: &str) -> Result<Option<f64>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(f) if f.is_finite() && f >= 0.0 => Ok(Some(f)),
            _ => Err(Error::config(format!("{what} must be a number of at least 0"))),
        },
        Some(v) => Err(Error::config(format!("{what} must be a number, not {}", type_name(v)))),
    }
}

pub(super) fn short(s: &str) -> String {
    crate::model::clip(s, 40)
}

/// A header whose value is likely a credential (never shown).
pub fn is_sensitive_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["auth", "token", "key", "secret", "sign", "cookie", "password", "session", "credential"]
        .iter()
        .any(|w| n.contains(w))
}

pub(super) fn parse_tags(v: Option<&Value>) -> Result<Vec<String>> {
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

pub(super) fn parse_headers(v: Option<&Value>) -> Result<Vec<(String, Template)>> {
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

pub(super) fn parse_check(v: Option<&Value>) -> Result<Check> {
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

pub(super) fn parse_retry(v: Option<&Value>, timeout_ms: u64) -> Result<RetryPolicy> {
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

pub(super) fn parse_rate_limit(v: Option<&Value>) -> Result<Option<(usize, u64)>> {
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

pub(super) fn parse_signing(v: Option<&Value>) -> Result<Signing> {
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
