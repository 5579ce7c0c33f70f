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
        check_names(map.iter().map(|(k, _)| k.as_ref()), RENDER_OPTIONS, "options", |name| match name {
            "baseUrls" | "baseURL" | "base_url" => Some("baseUrl (one URL: render has one platform)"),
            "webhookURL" | "url" | "key" => Some("webhook"),
            _ => None,
        })?;
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

/// The names `render` reads (the JS `RenderOptions`).
const RENDER_OPTIONS: &[&str] =
    &["webhook", "webhookUrl", "secret", "timestamp", "overflow", "wecomMarkdown", "baseUrl"];

/// Every name in `names` must be one of `known`: an unknown one (a typo, another
/// function's option) is `INVALID_CONFIG` naming it, and the right name when
/// `hint` knows it, rather than an option silently ignored. A value is never
/// shown (it may be a key), and a name only when it looks like one.
pub fn check_names<'k>(
    names: impl IntoIterator<Item = &'k str>,
    known: &[&str],
    what: &str,
    hint: impl Fn(&str) -> Option<&'static str>,
) -> Result<()> {
    let Some(name) = names.into_iter().find(|n| !known.contains(n)) else { return Ok(()) };
    // an option's name is letters (and `_`); a key, token or hook id has digits: one with digits,
    // `-` or anything else is not echoed (issue 8: nothing that could be a credential)
    let shown = name.len() <= 32
        && name.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
        && name.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_');
    let mut msg = if shown {
        format!("{what}.{name} is not an option")
    } else {
        format!("{what} has an option whose name is not one")
    };
    match hint(name) {
        Some(right) => {
            msg.push_str(": use ");
            msg.push_str(right);
        }
        None => {
            msg.push_str(" (the options are ");
            msg.push_str(&known.join(", "));
            msg.push(')');
        }
    }
    Err(Error::config(msg))
}

/// The names `new MessageSender(options)` reads (the JS `SenderOptions`), and those of
/// its `retryPolicy` and `dedup` objects.
const SENDER_OPTIONS: &[&str] = &[
    "retryPolicy",
    "timeout",
    "maxQueueDelay",
    "rateLimit",
    "baseUrls",
    "overflow",
    "wecomMarkdown",
    "dedup",
    "onRateWait",
    "coordinator",
    "services",
];
const RETRY_POLICY: &[&str] =
    &["maxRetries", "initialDelay", "maxDelay", "backoffMultiplier", "jitter", "maxTotalTime"];
const DEDUP: &[&str] = &["ttl", "maxEntries", "store"];

/// [`check_names`] for the sender's options (their JSON form: a function-valued
/// option is not in it).
pub fn check_sender_names(map: &Map<String, Value>) -> Result<()> {
    check_names(map.keys().map(String::as_str), SENDER_OPTIONS, "options", |name| match name {
        "baseUrl" | "baseURL" | "base_url" => Some("baseUrls (a base URL per platform: { wecom: \"http://…\", … })"),
        "retries" | "maxRetries" | "retry" => Some("retryPolicy: { maxRetries }"),
        "webhook" | "webhookUrl" | "secret" => Some("the target, send()'s third argument"),
        _ => None,
    })?;
    for (key, known) in [("retryPolicy", RETRY_POLICY), ("dedup", DEDUP)] {
        if let Some(Value::Object(m)) = map.get(key) {
            check_names(m.keys().map(String::as_str), known, &format!("options.{key}"), |name| match name {
                "retries" => Some("maxRetries"),
                _ => None,
            })?;
        }
    }
    Ok(())
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

    /// An option name `render` does not read is refused, naming it (and the right
    /// name for a near miss), never echoing its value.
    #[test]
    fn an_unknown_render_option_is_invalid_config() {
        for (v, want) in [
            (json!({"baseUrls": "http://SECRETVALUE"}), "options.baseUrls is not an option: use baseUrl"),
            (
                json!({"webhook": "k0123456789", "retries": 0}),
                "options.retries is not an option (the options are webhook,",
            ),
            (json!({"a b": "SECRETVALUE"}), "options has an option whose name is not one"),
        ] {
            let e = RenderOptions::from_value(&v, 0).expect_err(&v.to_string());
            assert_eq!(e.code, crate::ErrorCode::InvalidConfig, "{v}: {e}");
            assert!(e.message.starts_with(want), "{v}: {}", e.message);
            assert!(!e.message.contains("SECRETVALUE"), "{}", e.message);
        }
        let all = json!({"webhook": "k0123456789", "webhookUrl": null, "secret": "s", "timestamp": 1,
            "overflow": "split", "wecomMarkdown": "auto", "baseUrl": "http://127.0.0.1:1"});
        assert!(RenderOptions::from_value(&all, 0).is_ok());
    }

    /// The same for the sender's options and its retryPolicy and dedup objects.
    #[test]
    fn an_unknown_sender_option_is_invalid_config() {
        let check = |v: Value| check_sender_names(v.as_object().expect("an object"));
        for (v, want) in [
            (json!({"baseUrl": "http://SECRETVALUE"}), "options.baseUrl is not an option: use baseUrls"),
            (json!({"retries": 0}), "options.retries is not an option: use retryPolicy: { maxRetries }"),
            (json!({"timeout": 1, "webhook": "SECRETVALUE"}), "options.webhook is not an option: use the target"),
            (json!({"retryPolicy": {"retries": 0}}), "options.retryPolicy.retries is not an option: use maxRetries"),
            (
                json!({"dedup": {"tll": 5}}),
                "options.dedup.tll is not an option (the options are ttl, maxEntries, store)",
            ),
            (json!({"SECRETVALUE=": 1}), "options has an option whose name is not one"),
            // a WeCom key or Feishu hook id put where an option goes (a UUID), a DingTalk token
            (json!({"693a91f6-7d0c-4bc4-97a0-0ec2aa5e9a1b": 1}), "options has an option whose name is not one"),
            (json!({"a1b2c3d4e5f6": 1}), "options has an option whose name is not one"),
        ] {
            let e = check(v.clone()).expect_err(&v.to_string());
            assert_eq!(e.code, crate::ErrorCode::InvalidConfig, "{v}: {e}");
            assert!(e.message.starts_with(want), "{v}: {}", e.message);
            assert!(!e.message.contains("SECRETVALUE"), "{}", e.message);
        }
        let all = json!({"retryPolicy": {"maxRetries": 1, "initialDelay": 1, "maxDelay": 1, "backoffMultiplier": 2,
            "jitter": 0, "maxTotalTime": 1}, "timeout": 1, "maxQueueDelay": 1, "rateLimit": true,
            "baseUrls": {"wecom": "http://127.0.0.1:1"}, "overflow": "split", "wecomMarkdown": "auto",
            "dedup": {"ttl": 1, "maxEntries": 1, "store": {}}, "coordinator": {}, "services": {}});
        assert!(check(all).is_ok());
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
