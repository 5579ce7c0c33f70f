//! The render options (the JS `RenderOptions`): where to post, the secret,
//! the clock, what to do with content over a limit. A leaf: the platforms
//! read these, and nothing here knows a platform beyond the option names.

use serde_json::Value;

use crate::error::{Error, Result};
use crate::limits::Overflow;

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
