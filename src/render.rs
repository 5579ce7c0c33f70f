//! The pure entry point: a message, a platform and options in; the payloads
//! to post, the URL to post them to, and what was degraded, out.

use serde_json::{Map, Value, json};

use crate::degrade::{Degradation, Degraded};
use crate::error::{Error, Result};
use crate::limits::Overflow;
use crate::model::UnifiedMessage;
use crate::platform::{self, Ctx, Platform};
use crate::sign;
use crate::target;

/// Which WeCom markdown to write.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WecomMarkdown {
    /// `markdown_v2` when the content has tables, code blocks or images and no
    /// mentions; `markdown` otherwise (it alone can @ and colour).
    #[default]
    Auto,
    V1,
    V2,
}

#[derive(Clone, Debug, Default)]
pub struct RenderOptions {
    /// Webhook URL, or a bare WeCom key / DingTalk access token / Feishu hook id.
    pub webhook: Option<String>,
    /// DingTalk / Feishu signing secret.
    pub secret: Option<String>,
    /// The clock, ms since the epoch (signing only).
    pub now_ms: u64,
    pub overflow: Overflow,
    pub wecom_markdown: WecomMarkdown,
    /// Scheme and host to use instead of the platform's (proxies, tests).
    pub base_url: Option<String>,
}

impl RenderOptions {
    /// Read options from their JSON form (the JS `RenderOptions`).
    pub fn from_value(v: &Value, now_ms: u64) -> Result<RenderOptions> {
        let mut o = RenderOptions { now_ms, ..Default::default() };
        let map = match v {
            Value::Null => return Ok(o),
            Value::Object(m) => m,
            _ => return Err(Error::config("options must be an object")),
        };
        let s = |key: &str| -> Result<Option<String>> {
            match map.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(Error::config(format!("options.{key} must be a string"))),
            }
        };
        o.webhook = s("webhook")?.or(s("webhookUrl")?);
        o.secret = s("secret")?.filter(|s| !s.is_empty());
        o.base_url = s("baseUrl")?;
        if let Some(ov) = s("overflow")? {
            o.overflow = Overflow::parse(&ov)?;
        }
        o.wecom_markdown = match s("wecomMarkdown")?.as_deref() {
            None | Some("auto") => WecomMarkdown::Auto,
            Some("v1") | Some("markdown") => WecomMarkdown::V1,
            Some("v2") | Some("markdown_v2") => WecomMarkdown::V2,
            Some(_) => return Err(Error::config("options.wecomMarkdown must be \"auto\", \"v1\" or \"v2\"")),
        };
        match map.get("timestamp") {
            None | Some(Value::Null) => {}
            Some(Value::Number(n)) => {
                o.now_ms = n
                    .as_u64()
                    .or_else(|| n.as_f64().filter(|f| f.is_finite() && *f >= 0.0).map(|f| f as u64))
                    .ok_or_else(|| Error::config("options.timestamp must be a non-negative number of ms"))?;
            }
            Some(_) => return Err(Error::config("options.timestamp must be a number (ms since the epoch)")),
        }
        Ok(o)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Rendered {
    pub platform: Platform,
    /// The URL to post to (signed for DingTalk), when a webhook was given.
    pub url: Option<String>,
    /// One payload per message to send, in order.
    pub payloads: Vec<Value>,
    pub degraded: Vec<Degradation>,
}

impl Rendered {
    /// The JSON text of [`Rendered::to_value`], written without copying the payloads.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(256);
        out.push_str("{\"platform\":\"");
        out.push_str(self.platform.as_str());
        out.push_str("\",\"url\":");
        match &self.url {
            Some(u) => crate::json::write(&Value::String(u.clone()), &mut out),
            None => out.push_str("null"),
        }
        out.push_str(",\"payloads\":[");
        for (i, p) in self.payloads.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            crate::json::write(p, &mut out);
        }
        out.push_str("],\"degraded\":");
        let degraded: Vec<Value> =
            self.degraded.iter().map(|d| json!({"from": d.from, "to": d.to, "reason": d.reason})).collect();
        crate::json::write(&Value::Array(degraded), &mut out);
        out.push_str(",\"parts\":");
        out.push_str(&self.payloads.len().to_string());
        out.push('}');
        out
    }

    pub fn to_value(&self) -> Value {
        let degraded: Vec<Value> =
            self.degraded.iter().map(|d| json!({"from": d.from, "to": d.to, "reason": d.reason})).collect();
        let mut m = Map::new();
        m.insert("platform".into(), Value::String(self.platform.as_str().into()));
        m.insert("url".into(), self.url.clone().map_or(Value::Null, Value::String));
        m.insert("payloads".into(), Value::Array(self.payloads.clone()));
        m.insert("degraded".into(), Value::Array(degraded));
        m.insert("parts".into(), Value::from(self.payloads.len()));
        Value::Object(m)
    }
}

/// Render a message for a platform.
pub fn render(msg: &UnifiedMessage, platform: Platform, opts: &RenderOptions) -> Result<Rendered> {
    let url = match &opts.webhook {
        Some(w) => Some(target::webhook_url(platform, w, opts.base_url.as_deref())?),
        None => None,
    };
    if let Some(secret) = &opts.secret {
        sign::check_secret(secret)?;
        if platform == Platform::Wecom {
            return Err(Error::config(
                "WeCom group bots are not signed: the key in the URL is the credential; remove the secret",
            ));
        }
    }
    let mut degraded = Degraded::default();
    let mut ctx = Ctx { platform, opts, degraded: &mut degraded };
    let mut payloads = platform::renderer(platform).render(msg, &mut ctx)?;
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
fn check_limits(platform: Platform, payloads: &[Value]) -> Result<()> {
    use crate::platform::{dingtalk, feishu, wecom};
    for p in payloads {
        let (size, limit) = match platform {
            Platform::DingTalk => (crate::json::len(p), dingtalk::BODY_LIMIT),
            Platform::Feishu | Platform::Lark => (crate::json::len(p), feishu::BODY_LIMIT),
            Platform::Wecom => {
                let content = |k: &str| p.get(k).and_then(|b| b.get("content")).and_then(Value::as_str).map(str::len);
                match (content("text"), content("markdown").or(content("markdown_v2"))) {
                    (Some(n), _) => (n, wecom::TEXT_LIMIT),
                    (_, Some(n)) => (n, wecom::MARKDOWN_LIMIT),
                    _ => continue,
                }
            }
        };
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
    let msg = UnifiedMessage::from_json(message)?;
    let opts_v: Value = if options.trim().is_empty() {
        Value::Null
    } else {
        serde_json::from_str(options).map_err(|_| Error::config("options are not valid JSON"))?
    };
    let opts = RenderOptions::from_value(&opts_v, now_ms)?;
    render(&msg, platform, &opts)
}

/// The URL to post to, signed for DingTalk (`timestamp` and `sign` in the query).
pub fn sign_url(platform: Platform, url: &str, secret: &str, now_ms: u64) -> Result<String> {
    match platform {
        Platform::DingTalk => sign::dingtalk_signed_url(url, secret, now_ms),
        _ => Ok(url.to_string()),
    }
}

/// The payload signed for Feishu / Lark (`timestamp` in seconds and `sign` in the body).
pub fn sign_payload(platform: Platform, payload: &mut Value, secret: &str, now_ms: u64) -> Result<()> {
    if platform.is_feishu_like() {
        let ts = now_ms / 1000;
        let sig = sign::feishu_sign(secret, ts)?;
        if let Value::Object(m) = payload {
            m.insert("timestamp".into(), Value::String(ts.to_string()));
            m.insert("sign".into(), Value::String(sig));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
