//! What a generic webhook's answer means: delivered, worth retrying, or not.
//!
//! For: turning (status, `Retry-After`, the start of the body) into the
//! crate's [`Classified`] verdict, with a short reason safe to show. Not for:
//! network errors and timeouts (the sender sees those before any answer), nor
//! the chat platforms' answers (see [`crate::policy::classify`]).
//!
//! Order: 429 (rate limit), 5xx, 408 and 425 are retried, honouring
//! `Retry-After` (seconds or an HTTP date, at most
//! [`crate::policy::MAX_RETRY_AFTER_S`]); any other status the check does not
//! accept is permanent; then the body checks (`bodyContains`, `jsonPath` ==
//! `equals`) run on at most [`MAX_RESPONSE_BYTES`] of the body, and a failed one
//! is permanent unless the check is `retryable`.
//!
//! The reason quotes at most [`MAX_QUOTE_CHARS`] characters of the body, with
//! the target's secret, credential header values, the request's signatures,
//! `key=`/`token=`-style parameters, bearer tokens and long token-like runs
//! replaced by `***`.

use serde_json::Value;

use super::config::{StatusCheck, WebhookConfig};
use super::vars::Seg;
use crate::error::ErrorCode;
use crate::policy::{Classified, MAX_RETRY_AFTER_S, Verdict};

/// The most of an answer's body read (the sender should stop reading there).
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;
/// The most of the body quoted in a reason, characters.
pub const MAX_QUOTE_CHARS: usize = 160;

/// Classify an answer. `retry_after` is the `Retry-After` header if any;
/// `now_ms` dates an HTTP-date `Retry-After`; `extra_secrets` are values of
/// this request that must not be quoted (its signatures:
/// [`super::WebhookRequest::secrets`]).
pub fn check_response(
    cfg: &WebhookConfig,
    status: u16,
    retry_after: Option<&str>,
    body: &str,
    now_ms: u64,
    extra_secrets: &[String],
) -> Classified {
    let body = bounded(body);
    let mut secrets = cfg.secrets();
    secrets.extend(extra_secrets.iter().cloned());
    let quote = || {
        let q = scrub(body, &secrets);
        if q.is_empty() { String::new() } else { format!(": {q}") }
    };
    let out = |verdict: Verdict, code: Option<i64>, reason: String| Classified {
        verdict,
        platform_code: code,
        platform_message: Some(reason),
    };
    let ra = retry_after.and_then(|h| parse_retry_after(h, now_ms));
    let retry = |code: ErrorCode, what: &str| {
        out(Verdict::Retry { code, retry_after: ra }, None, format!("HTTP {status} ({what}){}", quote()))
    };
    match status {
        429 => return retry(ErrorCode::RateLimit, "rate limited"),
        408 => return retry(ErrorCode::Timeout, "request timeout"),
        425 => return retry(ErrorCode::PlatformError, "too early"),
        500..=599 => return retry(ErrorCode::PlatformError, "server error"),
        _ => {}
    }
    let status_ok = match &cfg.check.status {
        StatusCheck::Any2xx => (200..300).contains(&status),
        StatusCheck::OneOf(set) => set.contains(&status),
    };
    if !status_ok {
        let expected = match &cfg.check.status {
            StatusCheck::Any2xx => "2xx".to_string(),
            StatusCheck::OneOf(s) => s.iter().map(u16::to_string).collect::<Vec<_>>().join(" or "),
        };
        return out(
            Verdict::Permanent { code: ErrorCode::PlatformError },
            None,
            format!("HTTP {status}, expected {expected}{}", quote()),
        );
    }
    let failed = |code: Option<i64>, why: String| {
        let verdict = if cfg.check.retryable {
            Verdict::Retry { code: ErrorCode::PlatformError, retry_after: ra }
        } else {
            Verdict::Permanent { code: ErrorCode::PlatformError }
        };
        out(verdict, code, format!("HTTP {status}, but {why}{}", quote()))
    };
    if let Some(needle) = &cfg.check.body_contains {
        if !body.contains(needle.as_str()) {
            return failed(None, "the answer does not contain the expected text".to_string());
        }
    }
    if let Some((path, segs, want)) = &cfg.check.json_equals {
        let Ok(v) = crate::json::parse(body) else {
            return failed(None, format!("the answer is not JSON (checking {path})"));
        };
        let got = lookup(&v, segs);
        let code = got.and_then(Value::as_i64);
        match got {
            Some(g) if json_eq(g, want) => {}
            Some(g) => {
                let shown = scrub(&crate::json::to_string(g), &secrets);
                return failed(code, format!("{path} is {shown}, expected {}", crate::json::to_string(want)));
            }
            None => return failed(None, format!("the answer has no {path}")),
        }
        return out(Verdict::Delivered, code, format!("HTTP {status}"));
    }
    out(Verdict::Delivered, None, format!("HTTP {status}"))
}

/// At most [`MAX_RESPONSE_BYTES`] of `s`, cut at a character boundary.
pub fn bounded(s: &str) -> &str {
    if s.len() <= MAX_RESPONSE_BYTES {
        return s;
    }
    let mut end = MAX_RESPONSE_BYTES;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn lookup<'a>(v: &'a Value, segs: &[Seg]) -> Option<&'a Value> {
    let mut v = v;
    for s in segs {
        v = match (s, v) {
            (Seg::Key(k), Value::Object(o)) => o.get(k)?,
            (Seg::Index(i), Value::Array(a)) => a.get(*i)?,
            _ => return None,
        };
    }
    Some(v)
}

fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => x.as_f64() == y.as_f64(),
        },
        _ => a == b,
    }
}

/// `Retry-After` as ms from now: delta-seconds or an IMF-fixdate
/// (`Sun, 06 Nov 1994 08:49:37 GMT`), capped at an hour; a past date is 0.
pub fn parse_retry_after(h: &str, now_ms: u64) -> Option<u64> {
    let h = h.trim();
    if let Ok(s) = h.parse::<u64>() {
        return Some(s.min(MAX_RETRY_AFTER_S) * 1000);
    }
    let at_ms = http_date_ms(h)?;
    Some(at_ms.saturating_sub(now_ms).min(MAX_RETRY_AFTER_S * 1000))
}

/// An IMF-fixdate as ms since the epoch.
pub fn http_date_ms(h: &str) -> Option<u64> {
    let parts: Vec<&str> = h.split_whitespace().collect();
    let [_dow, day, mon, year, time, "GMT"] = parts.as_slice() else { return None };
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let m = MONTHS.iter().position(|x| x == mon)? as u32 + 1;
    let d: u32 = day.parse().ok().filter(|d| (1..=31).contains(d))?;
    let y: i64 = year.parse().ok().filter(|y| (1970..=9999).contains(y))?;
    let mut hms = time.split(':').map(|x| x.parse::<u64>().ok());
    let (hh, mm, ss) = (hms.next()??, hms.next()??, hms.next()??);
    if hms.next().is_some() || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    let days = super::vars::days_from_civil(y, m, d);
    let secs = u64::try_from(days).ok()? * 86_400 + hh * 3600 + mm * 60 + ss;
    Some(secs * 1000)
}

/// A short, credential-free quote of an answer body.
pub fn scrub(body: &str, secrets: &[String]) -> String {
    // scrub a little more than is quoted, so no secret is cut in half and half shown
    let mut end = body.len().min(MAX_QUOTE_CHARS * 4 + 512);
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    let mut s = body[..end].to_string();
    for sec in secrets.iter().filter(|s| s.len() >= 4) {
        if s.contains(sec.as_str()) {
            s = s.replace(sec.as_str(), "***");
        }
    }
    let s = crate::target::redact_text(&s);
    let mut out = String::with_capacity(s.len());
    let mut run = String::new();
    let mut after_bearer = false;
    let flush = |run: &mut String, out: &mut String, after_bearer: &mut bool| {
        let lower = run.to_ascii_lowercase();
        if run.len() >= 32 || (*after_bearer && !run.is_empty()) {
            out.push_str("***");
        } else {
            out.push_str(run);
        }
        *after_bearer = lower == "bearer" || lower == "basic";
        run.clear();
    };
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '_' | '-' | '.' | '~') {
            run.push(c);
            continue;
        }
        let was_bearer_gap = after_bearer && c == ' ' && run.is_empty();
        flush(&mut run, &mut out, &mut after_bearer);
        if was_bearer_gap {
            after_bearer = true;
        }
        out.push(if c.is_control() { ' ' } else { c });
    }
    flush(&mut run, &mut out, &mut after_bearer);
    let collapsed = out.split_whitespace().collect::<Vec<_>>().join(" ");
    crate::model::clip(&collapsed, MAX_QUOTE_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_takes_seconds_and_dates() {
        assert_eq!(parse_retry_after("7", 0), Some(7000));
        assert_eq!(parse_retry_after("99999999", 0), Some(3_600_000));
        let t = http_date_ms("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(t, 784_111_777_000);
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", t - 5000), Some(5000));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", t + 5000), Some(0));
        for bad in ["soon", "Sun, 06 Nov 1994 08:49:37 PST", "Sun, 32 Nov 1994 08:49:37 GMT", "-1", ""] {
            assert_eq!(parse_retry_after(bad, 0), None, "{bad}");
        }
    }

    #[test]
    fn scrub_hides_credentials_and_bounds_the_quote() {
        let body = "error: bad token=abc123&x=1 Authorization: Bearer eyJhbGciOi.xyz sig \
                    awbVqOKPToDBadVuZukL3iPdnsmBrRxvTcqnlgYUWc4= my-s3cret-value\n\tend";
        let q = scrub(body, &["my-s3cret-value".to_string()]);
        assert_eq!(q, "error: bad token=***&x=1 Authorization: Bearer *** sig *** *** end");
        let long = "x ".repeat(1000);
        assert!(scrub(&long, &[]).chars().count() <= MAX_QUOTE_CHARS + 1);
    }
}
