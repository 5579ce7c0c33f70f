//! What a platform takes, for `webhook-push info PLATFORM` and anyone who asks:
//! each message type rendered for real (native, degraded with its steps, or
//! refused with its code), the byte limits, rate limits, signing and the
//! environment variables `sendAuto` reads. Derived from the renderers and the
//! policy, not a second table.

use serde_json::{Value, json};

use crate::error::Result;
use crate::payload::Payload;
use crate::platform::MAX_PARTS;
use crate::platform::spec::Signing;
use crate::policy;
use crate::render::{RenderOptions, render};
use crate::service_url;
use crate::target::{self, Platform};

/// One sample message per case reported, as JSON text (data costs less wasm than code).
const SAMPLES: &str = r##"[
["text", {"content": {"type": "text", "title": "Title", "body": {"text": "hello"}}}],
["text + @mobile", {"content": {"type": "text", "body": {"text": "hi"}, "mentions": [{"type": "mobile", "value": "13800000000"}]}}],
["markdown", {"content": {"type": "markdown", "title": "Title", "body": {"content": "# Report\n- **ok**\n\n[logs](https://example.com)"}}}],
["markdown table/code", {"content": {"type": "markdown", "title": "Title", "body": {"content": "| a | b |\n|---|---|\n| 1 | 2 |\n\n```\ncode\n```"}}}],
["image (url)", {"content": {"type": "image", "title": "Title", "body": {"url": "https://example.com/a.png"}}}],
["image (base64)", {"content": {"type": "image", "title": "Title", "body": {"base64": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="}}}],
["image (image_key)", {"content": {"type": "image", "title": "Title", "body": {"image_key": "img_v2_123"}}}],
["link", {"content": {"type": "link", "title": "Title", "body": {"text": "desc", "url": "https://example.com"}}}],
["news", {"content": {"type": "news", "title": "Title", "body": {"links": [{"title": "a", "description": "d", "url": "https://example.com/a"}]}}}],
["card", {"content": {"type": "card", "title": "Title", "body": {"text": "CPU **95%**", "fields": [{"name": "host", "value": "web-01"}], "buttons": [{"text": "Open", "url": "https://example.com"}]}}}],
["file (media_id)", {"content": {"type": "file", "title": "Title", "body": {"media_id": "MEDIA"}}}],
["file (url)", {"content": {"type": "file", "title": "Title", "body": {"url": "https://example.com/r.pdf", "name": "r.pdf"}}}]
]"##;

/// A `serde_json` object from its pairs, built by one out-of-line loop (the facts are `Value`s:
/// they go to JS as they are; payloads are [`crate::payload::Payload`]s).
#[inline(never)]
fn object(pairs: &mut [(&str, Value)]) -> Value {
    let mut m = serde_json::Map::new();
    for (k, v) in pairs {
        m.insert((*k).to_string(), std::mem::take(v));
    }
    Value::Object(m)
}

/// `vobj!{"key" => value, ...}`: [`object`] with each value turned into a `Value` by `Value::from`.
macro_rules! vobj {
    ($($k:expr => $v:expr),* $(,)?) => {
        object(&mut [$(($k, Value::from($v))),*])
    };
}

fn samples() -> Vec<(String, Value)> {
    let all: Value = crate::json::parse(SAMPLES).unwrap_or(Value::Null);
    all.as_array()
        .map(|a| a.iter().filter_map(|row| Some((row.get(0)?.as_str()?.to_string(), row.get(1)?.clone()))).collect())
        .unwrap_or_default()
}

fn type_row(name: &str, msg: &Value, p: Platform) -> Value {
    // read from text as every message is (a `Value` reader would be a second one in the wasm)
    let m = crate::model::UnifiedMessage::from_json(&crate::json::to_string(msg));
    let rendered = m.and_then(|m| render(&m, p, &RenderOptions::default()));
    match rendered {
        Err(e) => {
            vobj! {"type" => name, "support" => "refused", "code" => e.code.as_str(), "reason" => e.message.as_str()}
        }
        Ok(r) => {
            let sent = r
                .payloads
                .first()
                .and_then(|pl| pl.get("msgtype").or_else(|| pl.get("msg_type")))
                .and_then(Payload::as_str)
                .unwrap_or("")
                .to_string();
            let steps: Vec<Value> = r
                .degraded
                .iter()
                .map(|d| vobj! {"from" => d.from.as_str(), "to" => d.to.as_str(), "reason" => d.reason.as_str()})
                .collect();
            let support = if steps.is_empty() { "native" } else { "degraded" };
            vobj! {"type" => name, "support" => support, "sentAs" => sent, "steps" => steps}
        }
    }
}

/// A sample through the generic webhook target's default body (`{ url }` only): what each
/// message type becomes when a target sets no body template.
#[cfg(feature = "webhook")]
fn webhook_type_row(name: &str, msg: &Value) -> Value {
    const DEFAULT_TARGET: &str = r#"{"url": "https://example.com/hook"}"#;
    match crate::webhook::render_json(&crate::json::to_string(msg), DEFAULT_TARGET, 0) {
        Ok(_) => json!({"type": name, "support": "native", "sentAs": "json (the default body)", "steps": []}),
        Err(e) => json!({"type": name, "support": "refused", "code": e.code.as_str(), "reason": e.message}),
    }
}

/// Without the engine (the main entry) every type is refused, naming the entry that has it.
#[cfg(not(feature = "webhook"))]
fn webhook_type_row(name: &str, _msg: &Value) -> Value {
    let e = crate::platform::webhook::unsupported();
    json!({"type": name, "support": "refused", "code": e.code.as_str(), "reason": e.message})
}

/// The generic webhook target: no URL, key or static limits of its own (each target's
/// configuration has them), so its facts are what is fixed: the configuration's fields, the
/// engine's bounds, the signing, and each message type through the default body.
fn configured_info(p: Platform) -> Value {
    let spec = p.spec();
    #[allow(unused_mut)]
    let mut limits = spec.limits_info();
    #[cfg(feature = "webhook")]
    {
        use crate::webhook::{config, template};
        limits.insert("maxTemplateBytes".into(), template::MAX_TEMPLATE_BYTES.into());
        limits.insert("maxPlaceholders".into(), template::MAX_PLACEHOLDERS.into());
        limits.insert("maxHeaders".into(), config::MAX_HEADERS.into());
        limits.insert("maxTimeoutMs".into(), config::MAX_TIMEOUT_MS.into());
    }
    let types: Vec<Value> = samples().iter().map(|(name, msg)| webhook_type_row(name, msg)).collect();
    let env = spec.env_names();
    json!({
        "platform": p.as_str(),
        "name": p.display(),
        "webhook": "configured per target: { url, method, headers, body, contentType, timeout, check, retry, rateLimit, secret, signing }, given as options.webhook, sendTo or services (import from \"webhook-push/webhook\")",
        "types": types,
        "limits": limits,
        "rateLimits": [],
        "blockedMsAfterLimit": policy::rate_block_ms(p),
        "signing": {"signed": false, "how": spec.signing_how()},
        "env": {"webhook": env.webhook, "secret": env.secret},
        "urlSchemes": service_url::schemes_for(p),
    })
}

/// The facts about one platform, as JSON.
pub fn info(p: Platform) -> Result<Value> {
    let spec = p.spec();
    if spec.configured() {
        return Ok(configured_info(p));
    }
    let mut limits = spec.limits_info();
    limits.insert("maxParts".into(), MAX_PARTS.into());
    let rate: Vec<Value> =
        policy::rate_limits(p).iter().map(|&(count, window)| vobj! {"count" => count, "windowMs" => window}).collect();
    let signed = !matches!(spec.signing(), Signing::Unsigned { .. });
    let signing = vobj! {"signed" => signed, "how" => spec.signing_how()};
    let env = spec.env_names();
    let schemes = service_url::schemes_for(p);
    let types: Vec<Value> = samples().iter().map(|(name, msg)| type_row(name, msg, p)).collect();
    Ok(json!({
        "platform": p.as_str(),
        "name": p.display(),
        "webhook": target::webhook_url(p, spec.credential_placeholder(), None)?,
        "types": types,
        "limits": limits,
        "rateLimits": rate,
        "blockedMsAfterLimit": policy::rate_block_ms(p),
        "signing": signing,
        "env": {"webhook": env.webhook, "secret": env.secret},
        "urlSchemes": schemes,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_platform_has_facts_derived_from_the_renderers() {
        for p in Platform::ALL {
            let v = info(p).unwrap();
            assert_eq!(v["platform"], p.as_str());
            let types = v["types"].as_array().unwrap();
            assert_eq!(types.len(), samples().len());
            assert_eq!(types[0]["support"], "native", "{p:?} text");
            assert!(v["rateLimits"].as_array().is_some_and(|r| !r.is_empty()));
            assert!(v["env"]["webhook"].is_string(), "{p:?}");
        }
        let ding = info(Platform::DingTalk).unwrap();
        let b64 = ding["types"].as_array().unwrap().iter().find(|t| t["type"] == "image (base64)").unwrap();
        assert_eq!(b64["support"], "refused");
        assert_eq!(b64["code"], "UNSUPPORTED");
        assert_eq!(ding["env"]["secret"], "DINGTALK_SECRET");
        assert_eq!(ding["limits"]["bodyBytes"], 20000);
        let feishu = info(Platform::Feishu).unwrap();
        let md = feishu["types"].as_array().unwrap().iter().find(|t| t["type"] == "markdown").unwrap();
        assert_eq!(md["support"], "degraded");
        assert_eq!(md["sentAs"], "post");
        assert!(info(Platform::Wecom).unwrap()["signing"]["signed"] == false);
    }

    #[test]
    fn the_webhook_target_answers_what_is_fixed_about_it() {
        let v = info(Platform::Webhook).unwrap();
        assert_eq!(v["platform"], "webhook");
        assert!(v["webhook"].as_str().unwrap().contains("configured per target"), "{v}");
        assert_eq!(v["env"]["webhook"], "WEBHOOK_CONFIG");
        let types = v["types"].as_array().unwrap();
        assert_eq!(types.len(), samples().len());
        #[cfg(feature = "webhook")]
        {
            assert_eq!(v["limits"]["maxBodyBytes"], crate::webhook::MAX_BODY_BYTES);
            assert_eq!(types[0]["support"], "native", "{}", types[0]);
        }
        #[cfg(not(feature = "webhook"))]
        assert!(types.iter().all(|t| t["code"] == "UNSUPPORTED"), "{v}");
    }
}
