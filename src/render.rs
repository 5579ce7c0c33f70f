//! The pure entry point: a message, a platform and options in; the payloads
//! to post, the URL to post them to, and what was degraded, out.

use crate::degrade::Degraded;
use crate::error::{Error, Result};
use crate::model::UnifiedMessage;
use crate::payload::Payload;
use crate::platform::spec::{Signature, Signing};
use crate::platform::{Ctx, Platform};
use crate::sign;
use crate::target;

pub use crate::options::{RenderOptions, WecomMarkdown};

pub use crate::rendered::Rendered;

/// Render a message for a platform.
pub fn render(msg: &UnifiedMessage, platform: Platform, opts: &RenderOptions) -> Result<Rendered> {
    let url = match &opts.webhook {
        Some(w) => Some(target::webhook_url(platform, w, opts.base_url.as_deref())?),
        None => None,
    };
    if let Some(secret) = &opts.secret {
        sign::check_secret(secret)?;
        if let Signing::Unsigned { why } = platform.spec().signing() {
            return Err(Error::config(why));
        }
    }
    let mut degraded = Degraded::default();
    let mut ctx = Ctx { platform, opts, degraded: &mut degraded };
    let mut payloads = platform.spec().render(msg, &mut ctx)?;
    let mut url = url;
    if let Some(secret) = &opts.secret {
        if let Some(u) = &url {
            url = Some(sign_url(platform, u, secret, opts.now_ms)?);
        }
        for p in payloads.iter_mut() {
            sign_payload(platform, p, secret, opts.now_ms)?;
        }
    }
    check_limits(platform, &payloads)?;
    Ok(Rendered { platform, url, payloads, degraded: degraded.0 })
}

/// The last word on size: every payload within its platform's limit as it
/// will be sent. What still is not (one link, field or button longer than a
/// whole message) is refused here rather than by the platform.
fn check_limits(platform: Platform, payloads: &[Payload]) -> Result<()> {
    for p in payloads {
        let Some((size, limit)) = platform.spec().measured_size(p) else { continue };
        if size > limit {
            return Err(Error::at(
                "content.body",
                format!(
                    "the {} message is {size} bytes as rendered, over its limit of {limit}: something that cannot be cut (a link, a field, a button) is too long",
                    platform.display()
                ),
            ));
        }
    }
    Ok(())
}

/// Render from JSON text: the message, a platform name, options as JSON.
pub fn render_json(message: &str, platform: &str, options: &str, now_ms: u64) -> Result<Rendered> {
    let platform = Platform::parse(platform)?;
    if platform.spec().configured() {
        return crate::platform::webhook::render_json(message, options, now_ms);
    }
    let msg = UnifiedMessage::from_json(message)?;
    let opts = RenderOptions::from_json(options, now_ms)?;
    render(&msg, platform, &opts)
}

/// The URL to post to, signed when the platform signs in the query
/// (`timestamp` and `sign`, the sign percent-encoded once).
pub fn sign_url(platform: Platform, url: &str, secret: &str, now_ms: u64) -> Result<String> {
    if platform.spec().signing() != Signing::UrlQuery {
        return Ok(url.to_string());
    }
    match platform.spec().signature(secret, now_ms)? {
        Some(sig) => Ok(url_with(url, &sig)),
        None => Ok(url.to_string()),
    }
}

fn url_with(url: &str, sig: &Signature) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}timestamp={}&sign={}", sig.timestamp, sign::encode_query_value(&sig.sign))
}

fn payload_with(payload: &mut Payload, sig: &Signature) {
    if let Payload::Object(m) = payload {
        m.put("timestamp", sig.timestamp.clone());
        m.put("sign", sig.sign.clone());
    }
}

/// One request signed with one signature made at `now_ms`, where the platform
/// carries it (the URL's query or the body): the URL to post to, and the
/// signature (`None` when the platform does not sign), so that the caller
/// can keep it out of what it reports.
pub fn sign_request(
    platform: Platform,
    url: &str,
    payload: &mut Payload,
    secret: &str,
    now_ms: u64,
) -> Result<(String, Option<String>)> {
    let Some(sig) = platform.spec().signature(secret, now_ms)? else { return Ok((url.to_string(), None)) };
    let url = match platform.spec().signing() {
        Signing::UrlQuery => url_with(url, &sig),
        Signing::BodyFields => {
            payload_with(payload, &sig);
            url.to_string()
        }
        Signing::Unsigned { .. } => url.to_string(),
    };
    Ok((url, Some(sig.sign)))
}

/// The payload signed when the platform signs in the body (`timestamp` and
/// `sign` as string fields).
pub fn sign_payload(platform: Platform, payload: &mut Payload, secret: &str, now_ms: u64) -> Result<()> {
    if platform.spec().signing() != Signing::BodyFields {
        return Ok(());
    }
    if let Some(sig) = platform.spec().signature(secret, now_ms)? {
        payload_with(payload, &sig);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn a_request_is_signed_once_and_the_signature_returned() {
        let now = 1_700_000_000_123;
        let ding = "https://oapi.dingtalk.com/robot/send?access_token=T0123456789";
        let mut p = crate::platform::common::obj! {"msgtype" => "text"};
        let (u, sig) = sign_request(Platform::DingTalk, ding, &mut p, "SEC-1", now).unwrap();
        let sig = sig.unwrap();
        assert_eq!(sig, sign::dingtalk_sign("SEC-1", now).unwrap());
        assert!(u.ends_with(&format!("&timestamp={now}&sign={}", sign::encode_query_value(&sig))), "{u}");
        assert_eq!(p, serde_json::json!({"msgtype":"text"}), "DingTalk signs in the query only");
        assert_eq!(u, sign_url(Platform::DingTalk, ding, "SEC-1", now).unwrap());

        let hook = "https://open.feishu.cn/open-apis/bot/v2/hook/hook0123456789";
        let mut p = crate::platform::common::obj! {"msg_type" => "text"};
        let (u, sig) = sign_request(Platform::Feishu, hook, &mut p, "SEC-2", now).unwrap();
        assert_eq!(u, hook);
        assert_eq!(sig.as_deref(), Some(sign::feishu_sign("SEC-2", now / 1000).unwrap().as_str()));
        assert_eq!(p["sign"].as_str(), sig.as_deref());
        assert_eq!(p["timestamp"], (now / 1000).to_string());

        // a bot that does not sign: nothing signed, no signature to hide
        let wecom = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K0123456789";
        let mut p = crate::platform::common::obj! {"msgtype" => "text"};
        assert_eq!(sign_request(Platform::Wecom, wecom, &mut p, "SEC-3", now).unwrap(), (wecom.to_string(), None));
        assert_eq!(p, serde_json::json!({"msgtype":"text"}));
    }

    #[test]
    fn to_json_is_the_text_of_to_value() {
        let msg = UnifiedMessage::from_json(
            r#"{"content":{"type":"image","body":{"url":"https://e.com/a.png"},"mentions":[{"type":"all"}]}}"#,
        )
        .unwrap();
        for p in Platform::ALL {
            let opts = RenderOptions { webhook: Some("key-12345678".into()), ..Default::default() };
            let r = render(&msg, p, &opts).unwrap();
            let parsed: Value = serde_json::from_str(&r.to_json()).unwrap();
            assert_eq!(parsed, r.to_value());
        }
    }

    /// Payloads are written in the order the platforms' docs write them: the message type
    /// first, then its body, the signature last (it is added after rendering).
    #[test]
    fn payloads_are_written_in_the_platforms_order() {
        let msg = UnifiedMessage::from_json(
            r#"{"content":{"type":"text","body":{"text":"disk \"full\"\n"},"mentions":[{"type":"all"}]}}"#,
        )
        .unwrap();
        for (p, secret, head, tail) in [
            (Platform::Wecom, None, r#"{"msgtype":"text","text":{"content":"disk \"full\"\n""#, "}}"),
            (Platform::DingTalk, Some("SEC"), r#"{"msgtype":"text","text":{"content":"#, r#""isAtAll":true}}"#),
            (
                Platform::Feishu,
                Some("SEC"),
                r#"{"msg_type":"text","content":{"text":"#,
                r#"},"timestamp":"1700000000","sign":""#,
            ),
        ] {
            let opts =
                RenderOptions { secret: secret.map(str::to_string), now_ms: 1_700_000_000_000, ..Default::default() };
            let text = render(&msg, p, &opts).unwrap().payloads[0].to_text();
            assert!(text.starts_with(head), "{p:?}: {text}");
            assert!(text.contains(tail), "{p:?}: {text}");
            let v: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(text.len(), crate::json::to_string(&v).len(), "{p:?}: the same bytes as sorted");
        }
    }

    /// Without the engine, `"webhook"` is still a known platform and says where the engine is.
    #[cfg(not(feature = "webhook"))]
    #[test]
    fn without_the_engine_the_target_names_its_subpath() {
        let msg = r#"{"content": {"type": "text", "body": {"text": "x"}}}"#;
        let cfg = r#"{"webhook": {"url": "https://example.com/hook", "body": "{{text}}"}}"#;
        for (platform, opts) in [("webhook", cfg), ("Webhook", ""), ("webhook", "{}")] {
            let e = render_json(msg, platform, opts, 0).unwrap_err();
            assert_eq!(e.code, crate::ErrorCode::Unsupported, "{platform} {opts}: {e}");
            assert!(e.message.contains("\"webhook-push/webhook\""), "{e}");
        }
        let p = Platform::parse("webhook").unwrap();
        let m = UnifiedMessage::from_json(msg).unwrap();
        let e = render(&m, p, &Default::default()).unwrap_err();
        assert_eq!(e.code, crate::ErrorCode::Unsupported, "{e}");
    }
}
