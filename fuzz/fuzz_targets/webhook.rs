//! The generic webhook target's engine (feature `webhook`): config parsing, templates with
//! `{{…}}` variables and formats, signing, and the answer check.
//!
//! Input: byte 0 picks the mode, byte 1 the answer's status. An even mode reads the rest as
//! `config JSON \0 message JSON \0 answer body` (the seeds: the configs of tests/webhook and
//! seed 003); an odd mode builds a config from the bytes (body and header templates from known
//! variables, formats, defaults and arbitrary text; URL, header and signing credentials;
//! status / bodyContains / jsonPath checks) and a message with arbitrary text in its fields,
//! and an answer that may echo the credentials and the computed signatures.
//!
//! Oracles: only typed errors (no panic); no credential (the secret, a credential header's
//! value, the URL's token, a computed signature) in any error, any `Debug` output or the
//! answer's reason; a rendered body within `MAX_BODY_BYTES`, valid JSON for a JSON body, header
//! values without line breaks; the same request when rendered twice; `{{sign}}` and the
//! Standard Webhooks signature as computed independently here.
#![no_main]

use base64::Engine as _;
use hmac::{KeyInit, Mac};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use webhook_push::ErrorCode;
use webhook_push::policy::Verdict;
use webhook_push::webhook::{self, BodyTemplate, Message, WebhookConfig, check_response};

const SIGN_SECRET: &str = "SIGNsecret0fuzz0123456789";
/// `whsec_` + base64 of 24 bytes
const STD_SECRET: &str = "whsec_ZnV6ei1zdGFuZGFyZC13ZWJob29rcy1rZXk=";
const URL_TOKEN: &str = "URLtoken0fuzz0123456789";
const HDR_TOKEN: &str = "HDRtoken0fuzz0123456789";
const NOW_MS: u64 = 1_700_000_123_456;
const STATUSES: [u16; 14] = [200, 201, 202, 204, 302, 400, 401, 403, 404, 408, 425, 429, 500, 503];

const VARS: [&str; 24] = [
    "sign",
    "timestamp",
    "time",
    "title",
    "subTitle",
    "logo",
    "image",
    "message",
    "type",
    "message_id",
    "correlation_id",
    "card",
    "card.title",
    "card.subtitle",
    "card.text",
    "card.url",
    "card.image",
    "card.fields",
    "card.fields.Host",
    "card.buttons",
    "card.buttons.Open",
    "content.body.text",
    "metadata.correlation_id",
    "content.body.content",
];
const FORMATS: [&str; 8] = ["iso", "unix", "unix_ms", "text", "markdown", "html", "url", "json"];

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

fn hmac_b64(key: &[u8], msg: &[u8]) -> String {
    let mut m = HmacSha256::new_from_slice(key).expect("any key length");
    m.update(msg);
    base64::engine::general_purpose::STANDARD.encode(m.finalize().into_bytes())
}

/// Reads choices and strings from the fuzzer's bytes (zeros and empty strings past the end).
struct Bytes<'a>(&'a [u8]);

impl<'a> Bytes<'a> {
    fn byte(&mut self) -> u8 {
        let Some((&b, rest)) = self.0.split_first() else { return 0 };
        self.0 = rest;
        b
    }
    /// A string of up to `max` bytes (length from one byte), lossy UTF-8.
    fn text(&mut self, max: usize) -> String {
        let n = (self.byte() as usize).min(max).min(self.0.len());
        let (s, rest) = self.0.split_at(n);
        self.0 = rest;
        String::from_utf8_lossy(s).into_owned()
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.byte() as usize % xs.len()]
    }
}

/// One placeholder expression: a variable, maybe a format, maybe a default.
fn expr(b: &mut Bytes) -> String {
    let sel = b.byte();
    let name = match sel % 8 {
        0 => format!("content.{}", b.text(24)),
        1 => format!("metadata.{}", b.text(16)),
        2 => b.text(12),
        _ => b.pick(&VARS).to_string(),
    };
    let mut e = name;
    if sel & 0x10 != 0 {
        e.push('|');
        e.push_str(b.pick(&FORMATS));
    }
    if sel & 0x20 != 0 {
        e.push('|');
        e.push_str(&b.text(16));
    }
    if sel & 0x40 != 0 {
        e = format!(" {e} ");
    }
    format!("{{{{{e}}}}}")
}

/// Template text: literals (sometimes JSON-escaped) and placeholders.
fn template_text(b: &mut Bytes, json_string: bool) -> String {
    let mut s = String::new();
    for _ in 0..(b.byte() % 5) {
        if b.byte() % 2 == 0 {
            s.push_str(&expr(b));
        } else {
            let t = b.text(40);
            if json_string && b.byte() % 4 != 0 {
                let q = serde_json::to_string(&t).unwrap_or_default();
                s.push_str(&q[1..q.len() - 1]);
            } else {
                s.push_str(&t);
            }
        }
    }
    s
}

/// A JSON body template: an object of string fields and typed slots.
fn json_body(b: &mut Bytes, want_sign: bool) -> String {
    let mut fields = Vec::new();
    for i in 0..(b.byte() % 6) {
        let v = match b.byte() % 4 {
            0 => expr(b),
            1 => format!("[{}, {}]", expr(b), expr(b)),
            _ => format!("\"{}\"", template_text(b, true)),
        };
        fields.push(format!("\"k{i}\": {v}"));
    }
    if want_sign {
        fields.push("\"sign\": \"{{sign}}\", \"ts\": {{timestamp}}".to_string());
    }
    format!("{{{}}}", fields.join(", "))
}

fn structured(b: &mut Bytes) -> (Value, Value, String) {
    let flags = b.byte();
    let signing_mode = flags % 4; // none, sign, standard, both
    let sign_in_header = flags & 4 != 0;
    let raw_body = flags & 8 != 0;
    let mut cfg = serde_json::Map::new();
    let url = match (flags >> 4) % 4 {
        0 => format!("https://hooks.example.com/in?access_token={URL_TOKEN}&x=1"),
        1 => format!("http://127.0.0.1:8080/hook/{}", b.text(20)),
        2 => format!("https://user:{URL_TOKEN}@hooks.example.com/in"),
        _ => b.text(60),
    };
    cfg.insert("url".into(), json!(url));
    let want_sign = matches!(signing_mode, 1 | 3);
    if raw_body {
        let mut t = template_text(b, false);
        if want_sign && !sign_in_header {
            t.push_str("{{sign}}");
        }
        cfg.insert("body".into(), json!(t));
        cfg.insert(
            "contentType".into(),
            json!(b.pick(&["text/plain", "text/html; charset=utf-8", "application/json"])),
        );
    } else if b.byte() % 8 != 0 {
        cfg.insert("body".into(), json!(json_body(b, want_sign && !sign_in_header)));
    } else if want_sign && !sign_in_header {
        cfg.insert("body".into(), json!({"s": "{{sign}}"}));
    }
    let mut headers = serde_json::Map::new();
    if flags & 0x40 != 0 {
        headers.insert("Authorization".into(), json!(format!("Bearer {HDR_TOKEN}")));
    }
    if want_sign && sign_in_header {
        headers.insert("X-Sign".into(), json!("{{sign}}"));
    }
    for _ in 0..(b.byte() % 3) {
        let name = b.pick(&["X-Title", "X-Id", "X-Api-Key", "Content-Type", "webhook-id"]).to_string();
        headers.insert(name, json!(template_text(b, false)));
    }
    if !headers.is_empty() {
        cfg.insert("headers".into(), Value::Object(headers));
    }
    match signing_mode {
        1 => {
            cfg.insert("secret".into(), json!(SIGN_SECRET));
        }
        2 => {
            cfg.insert("secret".into(), json!(STD_SECRET));
            cfg.insert("signing".into(), json!("standard-webhooks"));
        }
        3 => {
            cfg.insert("secret".into(), json!(STD_SECRET));
            cfg.insert("signing".into(), json!(["sign", "standard-webhooks"]));
        }
        _ => {}
    }
    if flags & 0x80 != 0 {
        let mut check = serde_json::Map::new();
        let c = b.byte();
        match c % 4 {
            1 => {
                check.insert("status".into(), json!([200, 201]));
            }
            2 => {
                check.insert("status".into(), json!(204));
            }
            3 => {
                check.insert("status".into(), json!(b.text(8)));
            }
            _ => {}
        }
        if c & 4 != 0 {
            check.insert("bodyContains".into(), json!(b.text(12)));
        }
        if c & 8 != 0 {
            let path = if c & 16 != 0 {
                b.text(24)
            } else {
                b.pick(&["errcode", "data.ok", "items[0].code", "a.b[1]"]).to_string()
            };
            check.insert("jsonPath".into(), json!(path));
            let eq = match b.byte() % 5 {
                0 => json!(0),
                1 => json!("ok"),
                2 => json!(true),
                3 => Value::Null,
                _ => json!(1.5),
            };
            check.insert("equals".into(), eq);
        }
        if c & 32 != 0 {
            check.insert("retryable".into(), json!(true));
        }
        cfg.insert("check".into(), Value::Object(check));
    }
    let (t1, t2) = (b.text(60), b.text(120));
    let msg = match b.byte() % 4 {
        0 => json!({"content": {"type": "text", "body": {"text": t2}}, "metadata": {"correlation_id": t1}}),
        1 => json!({"content": {"type": "markdown", "title": t1, "body": {"content": t2}}}),
        2 => json!({"content": {"type": "card", "title": t1, "body": {"card_type": "simple", "text": t2,
            "fields": [{"name": "Host", "value": t1}], "buttons": [{"text": "Open", "url": "https://example.com/x"}]}},
            "metadata": {"message_id": t1}}),
        _ => json!({"content": {"type": "raw", "body": {"webhook": {"x": t2}}}}),
    };
    let mut answer = b.text(200);
    match b.byte() % 6 {
        0 => answer.push_str(&format!("{{\"errcode\":1,\"errmsg\":\"bad {SIGN_SECRET} {HDR_TOKEN}\"}}")),
        1 => answer.push_str(&format!("echo {URL_TOKEN} {STD_SECRET}")),
        2 => answer.push_str("{{SIG}}"),
        _ => {}
    }
    (Value::Object(cfg), msg, answer)
}

/// The credentials of a config given as JSON, for the no-leak oracle. For an arbitrary config
/// only a secret or header value long enough to be a credential and given once counts (a text
/// that also occurs elsewhere, say as a field name or in the message, may be quoted for that).
fn credentials(cfg: &Value, cfg_text: &str, msg_text: &str, built: bool) -> Vec<String> {
    // the URL's token where the structured mode puts it (a fuzzed text may hold it anywhere,
    // say in a host name); the secret and credential headers wherever they are
    let url = cfg.get("url").and_then(Value::as_str).unwrap_or_default();
    let mut v = Vec::new();
    if built && (url.contains(&format!("access_token={URL_TOKEN}&")) || url.contains(&format!("user:{URL_TOKEN}@"))) {
        v.push(URL_TOKEN.to_string());
    }
    if let Some(s) = cfg.get("secret").and_then(Value::as_str) {
        v.push(s.to_string());
    }
    if let Some(Value::Object(h)) = cfg.get("headers") {
        for (n, val) in h {
            if webhook::config::is_sensitive_header(n) {
                if let Some(s) = val.as_str() {
                    // its literal words (a placeholder is not a credential)
                    let mut lit = String::new();
                    let mut rest = s;
                    while let Some(i) = rest.find("{{") {
                        lit.push_str(&rest[..i]);
                        lit.push(' ');
                        rest = rest[i..].find("}}").map_or("", |j| &rest[i + j + 2..]);
                    }
                    lit.push_str(rest);
                    // words that look like a token (quotes and JSON punctuation around a word
                    // are the template's text, which an answer may echo)
                    let token = |w: &&str| w.chars().all(|c| c.is_alphanumeric() || "._~+/=-:".contains(c));
                    v.extend(lit.split_whitespace().filter(token).map(str::to_string));
                }
            }
        }
    }
    // only this target's: given once in its config, not in the message
    v.retain(|s| {
        s.len() >= 12
            && !s.contains("{{")
            && cfg_text.matches(s.as_str()).count() <= 1
            && occurrences(cfg, s) == 1
            && !msg_text.contains(s.as_str())
    });
    v
}

/// How many times the strings (keys and values) of `v` hold `s` (JSON escapes decoded).
fn occurrences(v: &Value, s: &str) -> usize {
    match v {
        Value::String(t) => t.matches(s).count(),
        Value::Array(a) => a.iter().map(|x| occurrences(x, s)).sum(),
        Value::Object(o) => o.iter().map(|(k, x)| k.matches(s).count() + occurrences(x, s)).sum(),
        _ => 0,
    }
}

fn assert_clean(what: &str, text: &str, secrets: &[String]) {
    for s in secrets {
        assert!(!text.contains(s.as_str()), "{what} shows a credential {s:?}: {text}");
    }
}

/// The error of the whole pipeline (parse, then render) for a config and message text.
fn pipeline_error(cfg_text: &str, msg_text: &str) -> Option<String> {
    let cfg = match WebhookConfig::from_json(cfg_text) {
        Ok(c) => c,
        Err(e) => return Some(e.message.clone()),
    };
    let msg = Message::from_json(msg_text).ok()?;
    webhook::render(&msg, &cfg, NOW_MS).err().map(|e| e.message.clone())
}

/// Only typed errors, and none quoting a credential. A credential found in the text counts
/// unless the same error comes with the credential replaced by other characters where it is a
/// credential: then the text is the error's own wording or another field's (a fuzzed secret "standard-webhooks" is not quoted by
/// "…or signing: \"standard-webhooks\"").
fn assert_typed(e: &webhook_push::Error, secrets: &[String], cfg_text: &str, msg_text: &str) {
    assert!(
        matches!(e.code, ErrorCode::InvalidConfig | ErrorCode::InvalidMessage | ErrorCode::Unsupported),
        "unexpected code {:?}: {}",
        e.code,
        e.message
    );
    assert!(!e.message.trim().is_empty());
    let shown = format!("{e:?} {}", e.message);
    for s in secrets.iter().filter(|s| shown.contains(s.as_str())) {
        let other: String = "Zq9X".chars().cycle().take(s.chars().count()).collect();
        // the credential changed where it is a credential (the secret, credential headers, the
        // URL), the rest of the config as given
        let alt = match serde_json::from_str::<Value>(cfg_text) {
            Ok(mut v) => {
                for (key, sensitive_only) in [("secret", false), ("url", false), ("headers", true)] {
                    match v.get_mut(key) {
                        Some(Value::String(t)) if !sensitive_only => *t = t.replace(s.as_str(), &other),
                        Some(Value::Object(h)) => {
                            for (n, x) in h.iter_mut() {
                                if let (true, Value::String(t)) = (webhook::config::is_sensitive_header(n), x) {
                                    *t = t.replace(s.as_str(), &other);
                                }
                            }
                        }
                        _ => {}
                    }
                }
                serde_json::to_string(&v).unwrap_or_default()
            }
            Err(_) => cfg_text.replace(s.as_str(), &other),
        };
        let wording = pipeline_error(&alt, msg_text).is_some_and(|m| m.contains(s.as_str()));
        assert!(wording, "an error shows a credential {s:?} of {cfg_text}: {shown}");
    }
}

fn run(cfg_text: &str, cfg_value: &Value, msg_text: &str, answer: &str, status: u16, built: bool) {
    let mut secrets = credentials(cfg_value, cfg_text, msg_text, built);
    let cfg = match WebhookConfig::from_json(cfg_text) {
        Ok(c) => c,
        Err(e) => return assert_typed(&e, &secrets, cfg_text, msg_text),
    };
    assert_clean("a config's Debug", &format!("{cfg:?}"), &secrets);
    assert_eq!(WebhookConfig::from_json(cfg_text).ok().as_ref(), Some(&cfg), "parsing twice differs");
    let msg = match Message::from_json(msg_text) {
        Ok(m) => m,
        Err(_) => return,
    };
    let req = match webhook::render(&msg, &cfg, NOW_MS) {
        Ok(r) => r,
        Err(e) => {
            assert_typed(&e, &secrets, cfg_text, msg_text);
            assert_eq!(webhook::render(&msg, &cfg, NOW_MS).err(), Some(e), "rendering twice differs");
            return;
        }
    };
    assert_eq!(webhook::render(&msg, &cfg, NOW_MS).as_ref(), Ok(&req), "rendering twice differs");
    assert!(req.body.len() <= webhook::MAX_BODY_BYTES, "body {} bytes", req.body.len());
    if matches!(cfg.body, BodyTemplate::Json(_)) {
        assert!(serde_json::from_str::<Value>(&req.body).is_ok(), "a JSON body that is not JSON");
    }
    for (n, v) in &req.headers {
        assert!(!v.contains(['\r', '\n', '\0']), "header {n} has a line break");
    }
    assert!(req.header("content-type").is_some(), "no content-type");
    // the signatures, computed here independently
    let ts = NOW_MS / 1000;
    if cfg.signing.sign {
        let secret = cfg_value.get("secret").and_then(Value::as_str).unwrap_or_default();
        let sig = hmac_b64(secret.as_bytes(), format!("{ts}\n{secret}").as_bytes());
        assert!(req.secrets().contains(&sig), "{{{{sign}}}} differs from HMAC-SHA256(secret, ts\\nsecret)");
        secrets.push(sig);
    }
    if cfg.signing.standard_webhooks {
        let secret = cfg_value.get("secret").and_then(Value::as_str).unwrap_or_default();
        let key = base64::engine::general_purpose::STANDARD
            .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
            .expect("a config with a Standard Webhooks key");
        let id = req.header("webhook-id").expect("webhook-id");
        assert_eq!(req.header("webhook-timestamp"), Some(ts.to_string().as_str()));
        let sig = hmac_b64(&key, format!("{id}.{ts}.{}", req.body).as_bytes());
        assert_eq!(req.header("webhook-signature"), Some(format!("v1,{sig}").as_str()));
        secrets.push(sig);
    }
    assert_clean("a request's Debug", &format!("{req:?}"), &secrets);

    // the answer, maybe echoing this request's signatures
    let answer = match req.secrets().first() {
        Some(sig) => answer.replace("{{SIG}}", sig),
        None => answer.to_string(),
    };
    let c = check_response(
        &cfg,
        status,
        Some(answer.get(..answer.len().min(40)).unwrap_or("5")),
        &answer,
        NOW_MS,
        req.secrets(),
    );
    let reason = c.platform_message.clone().unwrap_or_default();
    assert_clean("the answer's reason", &reason, &secrets);
    assert!(
        reason.chars().count() <= webhook::check::MAX_QUOTE_CHARS + 200,
        "reason of {} chars",
        reason.chars().count()
    );
    match status {
        429 | 408 | 425 | 500..=599 => assert!(matches!(c.verdict, Verdict::Retry { .. }), "{status} not retried"),
        _ => {}
    }
    if matches!(c.verdict, Verdict::Delivered) {
        assert!(match &cfg.check.status {
            webhook::StatusCheck::Any2xx => (200..300).contains(&status),
            webhook::StatusCheck::OneOf(s) => s.contains(&status),
        });
    }
    let again = check_response(&cfg, status, None, &answer, NOW_MS, req.secrets());
    assert_eq!(matches!(again.verdict, Verdict::Delivered), matches!(c.verdict, Verdict::Delivered));
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let (mode, st, rest) = (data[0], data[1], &data[2..]);
    let status = if st < 200 { STATUSES[st as usize % STATUSES.len()] } else { 100 + u16::from(st) * 2 };
    if mode % 2 == 0 {
        let mut parts = rest.splitn(3, |&b| b == 0);
        let (Some(c), m, a) = (parts.next(), parts.next().unwrap_or(b"{}"), parts.next().unwrap_or(b"")) else {
            return;
        };
        let (Ok(c), Ok(m)) = (std::str::from_utf8(c), std::str::from_utf8(m)) else { return };
        let a = String::from_utf8_lossy(a);
        let v: Value = serde_json::from_str(c).unwrap_or(Value::Null);
        run(c, &v, m, &a, status, false);
    } else {
        let mut b = Bytes(rest);
        let (cfg, msg, answer) = structured(&mut b);
        let c = serde_json::to_string(&cfg).unwrap_or_default();
        let m = serde_json::to_string(&msg).unwrap_or_default();
        run(&c, &cfg, &m, &answer, status, true);
    }
});
