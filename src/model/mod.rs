//! The unified message: the seed's JSON shape, snake_case exactly as it is written.
//!
//! ```json
//! { "content": { "type": "text", "title": "...", "body": {...}, "mentions": [...] },
//!   "metadata": { "message_id": "...", "correlation_id": "..." } }
//! ```
//!
//! [`UnifiedMessage::from_value`] parses and validates in one pass; every error is
//! `INVALID_MESSAGE` with the JSON path of the offending field.

mod card;
pub mod reader;
pub mod tree;

pub use card::{Button, ButtonStyle, Card, CardFlavor, Field};

use serde_json::Value;

use crate::error::{Error, Result};
use reader::{Obj, Path, as_obj, owned};
use tree::Node;

/// Most links accepted in a `news` / `feed` message (a platform may take fewer a message: WeCom's
/// `wecom::MAX_ARTICLES` is 8; more are split).
pub const MAX_LINKS: usize = 64;
/// Most mentions accepted.
pub const MAX_MENTIONS: usize = 256;

#[derive(Clone, Debug, PartialEq)]
pub struct UnifiedMessage {
    pub content: Content,
    pub metadata: Metadata,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Metadata {
    pub message_id: Option<String>,
    pub correlation_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Content {
    pub title: Option<String>,
    pub body: Body,
    pub mentions: Vec<Mention>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MentionKind {
    Mobile,
    UserId,
    All,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mention {
    pub kind: MentionKind,
    /// The mobile number or user id; empty for `all`.
    pub value: String,
    pub display_name: Option<String>,
}

impl Mention {
    /// The visible form when a platform cannot notify: `@Zhang San`, `@13800000000`, `@all`.
    pub fn visible(&self) -> String {
        match (&self.display_name, self.kind) {
            (Some(n), _) => format!("@{n}"),
            (None, MentionKind::All) => "@all".to_string(),
            (None, _) => format!("@{}", self.value),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    Text(String),
    Markdown(String),
    Image(Image),
    Link(Link),
    News(Vec<Article>),
    Feed(Vec<Article>),
    Card(Card),
    File(File),
    /// Platform payloads passed through untouched, keyed by platform name.
    Raw(Vec<(String, Value)>),
}

impl Body {
    pub fn type_name(&self) -> &'static str {
        match self {
            Body::Text(_) => "text",
            Body::Markdown(_) => "markdown",
            Body::Image(_) => "image",
            Body::Link(_) => "link",
            Body::News(_) => "news",
            Body::Feed(_) => "feed",
            Body::Card(_) => "card",
            Body::File(_) => "file",
            Body::Raw(_) => "raw",
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Image {
    pub url: Option<String>,
    /// Base64 of the image bytes (WeCom sends the bytes themselves).
    pub base64: Option<String>,
    /// MD5 of the raw bytes, hex; computed from `base64` when absent.
    pub md5: Option<String>,
    /// A Feishu / Lark `image_key` (custom bots cannot upload; it comes from an app).
    pub image_key: Option<String>,
    pub alt: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub title: String,
    pub text: Option<String>,
    pub url: String,
    pub image_url: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Article {
    pub title: String,
    pub description: Option<String>,
    pub url: String,
    pub image_url: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct File {
    pub url: Option<String>,
    /// A WeCom `media_id` from `upload_media`.
    pub media_id: Option<String>,
    pub name: Option<String>,
    pub base64: Option<String>,
}

impl UnifiedMessage {
    /// Parse a message from JSON text.
    ///
    /// A lone UTF-16 surrogate escape (text cut in the middle of an emoji by
    /// JS `.slice()`, which `JSON.stringify` writes as `\ud83d`) becomes
    /// U+FFFD rather than refusing the whole message.
    pub fn from_json(json: &str) -> Result<Self> {
        read_tree(json, &[], Self::from_tree)
    }

    /// [`UnifiedMessage::from_json`] of JSON text whose long strings crossed beside it (`raw`:
    /// each string value `"\u{FDD0}N"` stands for `raw[N]`; see [`tree::raw_index`]).
    pub fn from_json_raw(json: &str, raw: &[String]) -> Result<Self> {
        read_tree(json, raw, Self::from_tree)
    }

    /// [`UnifiedMessage::from_json`], and the message as a `Value` too (read once).
    pub fn from_json_with_value(json: &str) -> Result<(Self, Value)> {
        Self::from_json_with_value_raw(json, &[])
    }

    /// [`UnifiedMessage::from_json_with_value`] with long strings beside the text.
    pub fn from_json_with_value_raw(json: &str, raw: &[String]) -> Result<(Self, Value)> {
        read_tree(json, raw, |tree, counted| Ok((Self::from_tree(tree, counted)?, tree.to_value())))
    }

    /// Parse and validate a message from a JSON value.
    pub fn from_value(v: &Value) -> Result<Self> {
        let (tree, counted) = Node::from_value(v);
        Self::from_tree(&tree, counted)
    }

    /// Validate a message read into a tree; `counted` is the bytes of its strings and keys as
    /// read (a key given twice counted twice: the exact count is made only when that is over).
    fn from_tree(v: &Node<'_>, counted: usize) -> Result<Self> {
        if counted > reader::MAX_MESSAGE_BYTES {
            let total = reader::text_bytes(&v.to_value());
            if total > reader::MAX_MESSAGE_BYTES {
                return Err(Error::at(
                    "",
                    format!(
                        "the message's text (strings and keys) is {total} bytes; at most {} are accepted in all",
                        reader::MAX_MESSAGE_BYTES
                    ),
                ));
            }
        }
        let root = as_obj(v, Path::At(""))
            .map_err(|_| Error::at("", format!("a message must be an object, not {}", reader::kind(v))))?;
        let metadata = match root.opt_obj("metadata")? {
            None => Metadata::default(),
            Some(m) => {
                let (message_id, correlation_id) = (m.opt_str("message_id")?, m.opt_str("correlation_id")?);
                Metadata { message_id: owned(message_id), correlation_id: owned(correlation_id) }
            }
        };
        let content_v = root.get("content").ok_or_else(|| Error::at("content", "is required"))?;
        let content = parse_content(&as_obj(content_v, Path::At("content"))?)?;
        Ok(UnifiedMessage { content, metadata })
    }
}

fn parse_content(c: &Obj<'_, '_>) -> Result<Content> {
    let ty = c.req_str("type")?;
    let title = c.opt_nonblank("title")?;
    let body_v = c.get("body").ok_or_else(|| Error::at("content.body", "is required"))?;
    let body_o = as_obj(body_v, Path::At("content.body"))?;
    let body = match ty {
        "text" => Body::Text(body_o.req_str("text")?.to_string()),
        "markdown" => Body::Markdown(markdown_source(&body_o)?.to_string()),
        "image" => Body::Image(parse_image(&body_o)?),
        "link" => Body::Link(parse_link(&body_o, title)?),
        "news" => Body::News(parse_articles(&body_o)?),
        "feed" => Body::Feed(parse_articles(&body_o)?),
        "card" => Body::Card(card::parse_card(&body_o, title)?),
        "file" => Body::File(parse_file(&body_o)?),
        "raw" => Body::Raw(parse_raw(&body_o)?),
        other => {
            return Err(Error::at(
                "content.type",
                format!(
                    "unknown message type '{}'; expected one of text, markdown, image, link, news, feed, card, file, raw",
                    clip(other, 40)
                ),
            ));
        }
    };
    let mentions = parse_mentions(c)?;
    Ok(Content { title: owned(title), body, mentions })
}

/// `body.content` (the seed's name), or `body.text` as DingTalk users write it.
fn markdown_source<'a>(b: &Obj<'a, '_>) -> Result<&'a str> {
    if !b.has("content") && b.has("text") {
        return b.req_str("text");
    }
    b.req_str("content")
}

fn parse_mentions(c: &Obj<'_, '_>) -> Result<Vec<Mention>> {
    let arr = c.arr("mentions")?;
    if arr.len() > MAX_MENTIONS {
        return Err(Error::at("content.mentions", format!("has {} entries; at most {MAX_MENTIONS}", arr.len())));
    }
    let mut out = Vec::with_capacity(arr.len());
    let base = Path::At("content.mentions");
    for (i, v) in arr.iter().enumerate() {
        let path = base.index(i);
        let m = as_obj(v, path)?;
        let kind = match m.req_str("type")? {
            "mobile" | "phone" => MentionKind::Mobile,
            "user_id" | "userid" | "user" => MentionKind::UserId,
            "all" => MentionKind::All,
            other => {
                return Err(Error::at(
                    path.key("type").text(),
                    format!("unknown mention type '{}'; expected mobile, user_id or all", clip(other, 40)),
                ));
            }
        };
        let value = match kind {
            MentionKind::All => m.opt_scalar("value")?.unwrap_or_default(),
            _ => match m.opt_scalar("value")? {
                Some(v) if !v.is_empty() => v,
                _ => return Err(Error::at(path.key("value").text(), "is required")),
            },
        };
        if kind == MentionKind::Mobile && !value.chars().all(|c| c.is_ascii_digit() || c == '+' || c == '-') {
            return Err(Error::at(path.key("value").text(), "a mobile number has only digits, '+' and '-'"));
        }
        if value.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"')) {
            return Err(Error::at(path.key("value").text(), "must not contain spaces, quotes or angle brackets"));
        }
        let display_name = m.opt_str("display_name")?;
        out.push(Mention { kind, value, display_name: owned(display_name) });
    }
    Ok(out)
}

fn parse_image(b: &Obj<'_, '_>) -> Result<Image> {
    // every field is read (in this order, for the first error) before any is copied: a `?`
    // after an owned field would make the wasm drop it on that path (measured in bench/LEVERS.md)
    let (url, base64, md5) = (b.opt_url("url")?, b.opt_str("base64")?, b.opt_str("md5")?);
    let (image_key, alt) = (b.opt_nonblank("image_key")?, b.opt_str("alt")?);
    if url.is_none() && base64.is_none() && image_key.is_none() {
        return Err(Error::at("content.body", "an image needs one of url, base64 or image_key"));
    }
    if let Some(b64) = base64 {
        use base64::Engine as _;
        if base64::engine::general_purpose::STANDARD.decode(b64.trim()).is_err() {
            return Err(Error::at("content.body.base64", "is not valid base64"));
        }
    }
    if let Some(md5) = md5 {
        if md5.len() != 32 || !md5.bytes().all(|c| c.is_ascii_hexdigit()) {
            return Err(Error::at("content.body.md5", "must be 32 hex digits"));
        }
    }
    Ok(Image { url: owned(url), base64: owned(base64), md5: owned(md5), image_key: owned(image_key), alt: owned(alt) })
}

fn parse_link(b: &Obj<'_, '_>, title: Option<&str>) -> Result<Link> {
    let t = match b.opt_str("title")? {
        Some(t) => t,
        None => title.ok_or_else(|| Error::at("content.body.title", "is required (or content.title)"))?,
    };
    let text = b.opt_str("text")?.or(b.opt_str("description")?);
    let (url, image_url) = (b.req_url("url")?, b.opt_url("image_url")?);
    Ok(Link { title: t.to_string(), text: owned(text), url: url.to_string(), image_url: owned(image_url) })
}

fn parse_articles(b: &Obj<'_, '_>) -> Result<Vec<Article>> {
    let path = "content.body.links";
    if !b.has("links") {
        return Err(Error::at(path, "is required"));
    }
    let arr = b.arr("links")?;
    if arr.is_empty() {
        return Err(Error::at(path, "must have at least one link"));
    }
    if arr.len() > MAX_LINKS {
        return Err(Error::at(path, format!("has {} links; at most {MAX_LINKS}", arr.len())));
    }
    let mut out = Vec::with_capacity(arr.len());
    let base = Path::At(path);
    for (i, v) in arr.iter().enumerate() {
        let a = as_obj(v, base.index(i))?;
        let title = a.req_str("title")?;
        let description = a.opt_str("description")?.or(a.opt_str("text")?);
        let url = a.req_url("url")?;
        let image_url = match a.opt_url("image_url")? {
            Some(u) => Some(u),
            None => a.opt_url("pic_url")?,
        };
        out.push(Article {
            title: title.to_string(),
            description: owned(description),
            url: url.to_string(),
            image_url: owned(image_url),
        });
    }
    Ok(out)
}

fn parse_file(b: &Obj<'_, '_>) -> Result<File> {
    let (url, media_id) = (b.opt_url("url")?, b.opt_nonblank("media_id")?);
    let name = b.opt_str("name")?.or(b.opt_str("filename")?);
    let base64 = b.opt_str("base64")?;
    if url.is_none() && media_id.is_none() && base64.is_none() {
        return Err(Error::at("content.body", "a file needs one of url, media_id or base64"));
    }
    Ok(File { url: owned(url), media_id: owned(media_id), name: owned(name), base64: owned(base64) })
}

fn parse_raw(b: &Obj<'_, '_>) -> Result<Vec<(String, Value)>> {
    // as a map: a key given twice is its last value, and the keys come in order
    let map = tree::to_map(b.map);
    let mut out = Vec::with_capacity(map.len());
    for (k, v) in map.iter() {
        // the keys are platform names, checked when rendering (the model knows no platform)
        if !v.is_object() {
            return Err(Error::at(
                reader::join("content.body", k),
                format!("must be an object, not {}", reader::type_name(v)),
            ));
        }
        out.push((k.clone(), v.clone()));
    }
    if out.is_empty() {
        return Err(Error::at("content.body", "a raw message needs a payload for at least one platform"));
    }
    Ok(out)
}

/// At most `n` characters of user input, for an error message.
pub(crate) fn clip(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// [`clip`] as a JSON string: quoted, with control characters and quotes
/// escaped (JSON's escapes, not `{:?}`'s: Debug formatting drags Unicode
/// tables into the wasm).
pub(crate) fn quote(s: &str, n: usize) -> String {
    crate::json::to_string(&Value::String(clip(s, n)))
}

/// The message's JSON text read into a tree (lone surrogate escapes as U+FFFD), handed to `then`;
/// `raw`: long strings that crossed beside the text (none: `&[]`).
fn read_tree<T>(json: &str, raw: &[String], then: impl FnOnce(&Node<'_>, usize) -> Result<T>) -> Result<T> {
    // Valid JSON without a lone surrogate escape is read as it is by the fast reader, which
    // gives up on anything else (the scan for lone surrogates is then not needed: 1 MiB of
    // escaped text spent 2.6 ms in its search for a `\u`)
    if let Some((tree, counted)) = Node::parse_fast_raw(json, raw) {
        return then(&tree, counted);
    }
    let fixed = replace_lone_surrogates(json);
    let (tree, counted) = Node::parse_raw(&fixed, raw).map_err(|e| {
        // with long strings beside it, only the fast reader reads the text: the caller reads the
        // message again as one JSON text, for serde_json's own result or error
        Error::at("", if raw.is_empty() { format!("is not valid JSON: {e}") } else { RAW_UNREAD.to_string() })
    })?;
    then(&tree, counted)
}

/// The error of a message read with long strings beside its text where the fast reader gave up
/// ([`tree::Node::parse_raw`]): the caller reads it again as one JSON text.
pub const RAW_UNREAD: &str = "internal: to be read again as JSON";

/// JSON text whose long strings crossed beside it, as one JSON text again (lone surrogate
/// escapes as U+FFFD, which every reader of a message makes of them); `None` if it is not JSON.
/// For the rare paths that work on a message's text (a service URL's message options).
pub fn expand_raw(json: &str, raw: &[String]) -> Option<String> {
    let fixed = replace_lone_surrogates(json);
    let (tree, _) = Node::parse_raw(&fixed, raw).ok()?;
    Some(crate::json::to_string(&tree.to_value()))
}

/// `\uD800`-`\uDFFF` escapes that are not a high-low pair, replaced by `\ufffd`; the text
/// itself (no copy) when it has none.
pub(crate) fn replace_lone_surrogates(json: &str) -> std::borrow::Cow<'_, str> {
    fn unit_at(b: &[u8], i: usize) -> Option<u16> {
        // `\uXXXX` starting at i
        if b.get(i) != Some(&b'\\') || b.get(i + 1) != Some(&b'u') {
            return None;
        }
        let hex = b.get(i + 2..i + 6)?;
        u16::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()
    }
    let b = json.as_bytes();
    // Without a `\u` there is nothing to replace: one fast substring search (the loop below
    // walks every byte from the first backslash, which a text full of escapes makes long: +14 %
    // on 1 MiB of `\[`). Otherwise from the first backslash (an escape starts there); the copy
    // is made on the first lone surrogate only.
    // no backslash (plain text) is one `memchr`: on wasm `str::contains` is a two-way searcher
    // set up and run over the whole message (~1.1 ms a MiB), where x86-64 has a SIMD search
    if !b.contains(&b'\\') || !json.contains("\\u") {
        return std::borrow::Cow::Borrowed(json);
    }
    let Some(mut i) = b.iter().position(|&c| c == b'\\') else { return std::borrow::Cow::Borrowed(json) };
    let mut out: Option<String> = None;
    let mut last = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            i += 1;
            continue;
        }
        match unit_at(b, i) {
            Some(0xD800..=0xDBFF) if matches!(unit_at(b, i + 6), Some(0xDC00..=0xDFFF)) => i += 12,
            Some(0xD800..=0xDFFF) => {
                let o = out.get_or_insert_with(|| String::with_capacity(json.len()));
                o.push_str(&json[last..i]);
                o.push_str("\\ufffd");
                i += 6;
                last = i;
            }
            // any other escape: skip the backslash and the escaped character
            _ => i += 2,
        }
    }
    match out {
        None => std::borrow::Cow::Borrowed(json),
        Some(mut o) => {
            o.push_str(&json[last.min(json.len())..]);
            std::borrow::Cow::Owned(o)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        let m = UnifiedMessage::from_json(r#"{"content":{"type":"text","body":{"text":"done \ud83d"}}}"#).unwrap();
        assert_eq!(m.content.body, Body::Text("done \u{fffd}".into()));
        let m =
            UnifiedMessage::from_json(r#"{"content":{"type":"text","body":{"text":"\ud83d\ude80 \\ud83d \udc00x"}}}"#)
                .unwrap();
        assert_eq!(m.content.body, Body::Text("🚀 \\ud83d \u{fffd}x".into()));
    }

    proptest::proptest! {
        /// `read_tree` skips the lone-surrogate scan when the fast reader reads the text: right
        /// only if the scan would have changed nothing then.
        #[test]
        fn what_the_fast_reader_reads_has_no_lone_surrogate(
            units in proptest::collection::vec(proptest::prop_oneof![
                proptest::prelude::Just(0x41u16), 0xd7f0u16..0xe010, proptest::prelude::any::<u16>()
            ], 0..8),
            raw in "[a\\\\u\"]{0,6}",
        ) {
            // `\uXXXX` escapes of any units (pairs, lone halves), then some backslashes and `u`s
            let mut text = String::from("{\"content\":{\"type\":\"text\",\"body\":{\"text\":\"");
            for u in &units {
                text.push_str(&format!("\\u{u:04x}"));
            }
            text.push_str(&raw);
            text.push_str("\"}}}");
            if Node::parse_fast(&text).is_some() {
                proptest::prop_assert!(matches!(replace_lone_surrogates(&text), std::borrow::Cow::Borrowed(_)));
            }
            // and the message read is the one read through the scan
            let scanned = replace_lone_surrogates(&text);
            let through_scan = Node::parse(&scanned)
                .map_err(|e| Error::at("", format!("is not valid JSON: {e}")))
                .and_then(|(t, n)| UnifiedMessage::from_tree(&t, n))
                .map_err(|e| e.message.clone());
            proptest::prop_assert_eq!(UnifiedMessage::from_json(&text).map_err(|e| e.message.clone()), through_scan);
        }
    }

    #[test]
    fn text_without_lone_surrogates_is_not_copied() {
        use std::borrow::Cow;
        for ok in [r#""plain""#, r#""\ud83d\ude80 \u00e9 \\ud83d \n""#] {
            assert!(matches!(replace_lone_surrogates(ok), Cow::Borrowed(_)), "{ok}");
        }
        assert_eq!(replace_lone_surrogates(r#""a\udc00b""#), r#""a\ufffdb""#);
    }

    #[test]
    fn the_message_text_bound_is_counted_while_reading() {
        let half = "x".repeat(reader::MAX_MESSAGE_BYTES / 2);
        // over: the same error from the text and from a `Value`, with the same total
        let over = format!(r#"{{"content":{{"type":"text","body":{{"text":"{half}"}},"a":"{half}"}}}}"#);
        let e = UnifiedMessage::from_json(&over).unwrap_err();
        let total = reader::MAX_MESSAGE_BYTES + "content".len() + "type".len() + "text".len() * 2 + "body".len() + 1;
        assert_eq!(
            e.message,
            format!(
                "the message's text (strings and keys) is {total} bytes; at most {} are accepted in all",
                reader::MAX_MESSAGE_BYTES
            )
        );
        let v: Value = serde_json::from_str(&over).unwrap();
        assert_eq!(UnifiedMessage::from_value(&v).unwrap_err(), e);
        // a key given twice counts once (its last value), as in a `Value`: under the bound
        let twice = format!(r#"{{"content":{{"type":"text","body":{{"text":"{half}","text":"ok"}},"a":"{half}"}}}}"#);
        let m = UnifiedMessage::from_json(&twice).unwrap();
        assert_eq!(m.content.body, Body::Text("ok".into()));
    }

    #[test]
    fn errors_carry_paths() {
        let e = UnifiedMessage::from_json(
            r#"{"content":{"type":"news","body":{"links":[{"title":"a","url":"https://x"},{"title":"b"}]}}}"#,
        )
        .unwrap_err();
        assert_eq!(e.path.as_deref(), Some("content.body.links[1].url"));
        let e = UnifiedMessage::from_json(r#"{"content":{"type":"text","body":{"text":5}}}"#).unwrap_err();
        assert_eq!(
            (e.path.as_deref(), e.message.as_str()),
            (Some("content.body.text"), "must be a string, not a number")
        );
        let e = UnifiedMessage::from_json(r#"{"content":{"type":"gif","body":{}}}"#).unwrap_err();
        assert_eq!(e.path.as_deref(), Some("content.type"));
        let e = UnifiedMessage::from_json(
            r#"{"content":{"type":"text","body":{"text":"x"},"mentions":[{"type":"mobile","value":"13x"}]}}"#,
        )
        .unwrap_err();
        assert_eq!(e.path.as_deref(), Some("content.mentions[0].value"));
    }

    /// Nested paths, written out only for the error: the same paths and texts as the `Value`
    /// reader gave (checked against the base package's `render`).
    #[test]
    fn nested_paths_are_written_as_before() {
        let cases = [
            (
                r#"{"content":{"type":"card","body":{"card_type":"interactive","elements":[{"tag":"div","text":{"tag":"lark_md","content":"x"},"fields":[{"text":{"tag":"lark_md","content":"a"}},{"text":5}]}]}}}"#,
                "content.body.elements[0].fields[1].text",
                "must be a string, not a number",
            ),
            (
                r#"{"content":{"type":"card","title":"T","body":{"card_type":"multi","elements":[{"tag":"action","actions":[{"text":"ok","url":"https://x"},{"text":"go"}]}]}}}"#,
                "content.body.elements[0].actions[1].url",
                "is required",
            ),
            (
                r#"{"content":{"type":"card","body":{"card_type":"interactive","header":{"title":{"tag":"plain_text","content":"T"}},"body":{"elements":[{"tag":"div","text":"bare"}]}}}}"#,
                "content.body.body.elements[0].text",
                r#"must be a text object ({"tag": "lark_md" or "plain_text", "content": ...})"#,
            ),
            (
                r#"{"content":{"type":"text","body":{"text":"x"}},"metadata":{"message_id":5}}"#,
                "metadata.message_id",
                "must be a string, not a number",
            ),
            ("[]", "", "a message must be an object, not an array"),
            (
                r#"{"content":{"type":"raw","body":{"wecom":5}}}"#,
                "content.body.wecom",
                "must be an object, not a number",
            ),
            (
                r#"{"content":{"type":"card","body":{"card_type":"text_notice","main_title":{"title":"T"},"horizontal_content_list":[{"keyname":"a","value":1},{"keyname":" "}]}}}"#,
                "content.body.horizontal_content_list[1].keyname",
                "must not be blank",
            ),
            (
                r#"{"content":{"type":"card","body":{"title":"T","fields":[{"name":"a","value":"b","url":"bad url"}]}}}"#,
                "content.body.fields[0].url",
                "must be a URL without spaces or control characters",
            ),
            (
                r#"{"content":{"type":"card","body":{"title":"T","emphasis":{"title":7}}}}"#,
                "content.body.emphasis.title",
                "must be a string, not a number",
            ),
            (
                r#"{"content":{"type":"text","body":{"text":"x"},"mentions":[{"type":"mobile","value":"1"},{"type":"robot"}]}}"#,
                "content.mentions[1].type",
                "unknown mention type 'robot'; expected mobile, user_id or all",
            ),
            (
                r#"{"content":{"type":"card","body":{"card_type":"interactive","header":{"title":{"tag":"plain_text","content":5}},"elements":[]}}}"#,
                "content.body.header.title.content",
                "must be a string, not a number",
            ),
        ];
        for (json, path, message) in cases {
            let e = UnifiedMessage::from_json(json).unwrap_err();
            assert_eq!((e.path.as_deref(), e.message.as_str()), (Some(path), message), "{json}");
            let v: Value = serde_json::from_str(json).unwrap();
            assert_eq!(UnifiedMessage::from_value(&v).unwrap_err(), e, "{json}");
        }
    }

    #[test]
    fn quote_clips_and_escapes() {
        assert_eq!(quote("ok", 40), r#""ok""#);
        assert_eq!(quote("a\"b\nc\u{1}", 40), r#""a\"b\nc\u0001""#);
        assert_eq!(quote("中文字符", 2), "\"中文…\"");
    }
}
