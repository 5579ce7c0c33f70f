//! The render options (the JS `RenderOptions`): where to post, the secret,
//! the clock, what to do with content over a limit. A leaf: the platforms
//! read these, and nothing here knows a platform beyond the option names.

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::limits::Overflow;
use crate::model::tree::{Node, lookup};

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
        let (node, _) = Node::from_value(v);
        Self::from_node(&node, now_ms)
    }

    /// Read options from their JSON text (empty: none), without a `Value` tree.
    pub fn from_json(text: &str, now_ms: u64) -> Result<RenderOptions> {
        if text.trim().is_empty() {
            return Ok(RenderOptions { now_ms, ..Default::default() });
        }
        let (node, _) = Node::parse(text).map_err(|_| Error::config("options are not valid JSON"))?;
        Self::from_node(&node, now_ms)
    }

    fn from_node(v: &Node<'_>, now_ms: u64) -> Result<RenderOptions> {
        let mut o = RenderOptions { now_ms, ..Default::default() };
        let map = match v {
            Node::Null => return Ok(o),
            Node::Object(m) => m,
            _ => return Err(Error::config("options must be an object")),
        };
        let s = |key: &str| -> Result<Option<String>> { Ok(string(lookup(map, key), key)?.map(str::to_string)) };
        o.webhook = s("webhook")?.or(s("webhookUrl")?);
        o.secret = s("secret")?.filter(|s| !s.is_empty());
        o.base_url = s("baseUrl")?;
        (o.overflow, o.wecom_markdown) = formatting(|key| string(lookup(map, key), key))?;
        match lookup(map, "timestamp") {
            None | Some(Node::Null) => {}
            Some(Node::Number(n)) => {
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

/// An option that is a string: absent or null is none.
fn string<'a>(v: Option<&'a Node<'_>>, key: &str) -> Result<Option<&'a str>> {
    match v {
        None | Some(Node::Null) => Ok(None),
        Some(Node::String(s)) => Ok(Some(s)),
        Some(_) => Err(Error::config(format!("options.{key} must be a string"))),
    }
}

/// `overflow` and `wecomMarkdown`, read by one set of rules for `render` and
/// the sender: absent or null keeps the default; anything else must be one
/// of the documented strings.
pub fn read_formatting(map: &Map<String, Value>) -> Result<(Overflow, WecomMarkdown)> {
    formatting(|key| match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(Error::config(format!("options.{key} must be a string"))),
    })
}

fn formatting<'a>(s: impl Fn(&str) -> Result<Option<&'a str>>) -> Result<(Overflow, WecomMarkdown)> {
    let overflow = match s("overflow")? {
        Some(o) => Overflow::parse(o)?,
        None => Overflow::default(),
    };
    let wecom_markdown = match s("wecomMarkdown")? {
        None | Some("auto") => WecomMarkdown::Auto,
        Some("v1") | Some("markdown") => WecomMarkdown::V1,
        Some("v2") | Some("markdown_v2") => WecomMarkdown::V2,
        Some(_) => return Err(Error::config("options.wecomMarkdown must be \"auto\", \"v1\" or \"v2\"")),
    };
    Ok((overflow, wecom_markdown))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn read(v: Value) -> Result<(Overflow, WecomMarkdown)> {
        read_formatting(v.as_object().expect("an object"))
    }

    #[test]
    fn absent_or_null_keeps_the_defaults() {
        assert_eq!(read(json!({})).unwrap(), (Overflow::Split, WecomMarkdown::Auto));
        assert_eq!(
            read(json!({"overflow": null, "wecomMarkdown": null})).unwrap(),
            (Overflow::Split, WecomMarkdown::Auto)
        );
    }

    #[test]
    fn the_documented_names_and_their_aliases() {
        assert_eq!(
            read(json!({"overflow": "truncate", "wecomMarkdown": "markdown_v2"})).unwrap(),
            (Overflow::Truncate, WecomMarkdown::V2)
        );
        assert_eq!(
            read(json!({"overflow": "error", "wecomMarkdown": "v1"})).unwrap(),
            (Overflow::Error, WecomMarkdown::V1)
        );
    }

    #[test]
    fn anything_else_is_invalid_config() {
        for v in [
            json!({"overflow": 3}),
            json!({"overflow": "cut"}),
            json!({"wecomMarkdown": true}),
            json!({"wecomMarkdown": "v3"}),
        ] {
            let e = read(v.clone()).expect_err(&v.to_string());
            assert_eq!(e.code, crate::ErrorCode::InvalidConfig, "{v}: {e}");
        }
    }
}
