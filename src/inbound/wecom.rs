//! WeCom AI bot (智能机器人) in API mode: callbacks as typed values, and the replies.
//!
//! A callback is `POST ?msg_signature&timestamp&nonce` with `{"encrypt": ...}`; the plaintext
//! is JSON (message push formats, events). URL verification is a `GET` with `echostr`.
//! Passive replies (stream, template_card, stream_with_template_card, the welcome text) go
//! back encrypted in the HTTP answer; the active reply is a markdown POST to `response_url`
//! (≤ 20480 bytes, single use).

use serde_json::{Map, Value, json};

use super::crypto::WxCrypt;
use super::{Fields, Reason, Rejection, parse_object, put};
use crate::limits::{Measure, safe_cut};

/// Byte limit of a stream reply's content and of a response_url markdown.
pub const CONTENT_LIMIT: usize = 20480;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChatType {
    Single,
    Group,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MixedItem {
    Text(String),
    Image(String),
}

/// The body of a message (also what a `quote` carries).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Content {
    Text(String),
    Image { url: String },
    Mixed(Vec<MixedItem>),
    Voice(String),
    File { url: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelectedItem {
    pub question_key: String,
    pub option_ids: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    EnterChat,
    TemplateCard { card_type: String, event_key: String, task_id: String, selected: Vec<SelectedItem> },
    Feedback { id: String, kind: i64, content: Option<String>, reasons: Vec<i64> },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    Message(Content),
    /// WeCom asking for the next state of a stream reply.
    StreamRefresh {
        id: String,
    },
    Event(Event),
}

/// One decrypted callback.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Callback {
    pub msgid: String,
    pub aibotid: Option<String>,
    pub chatid: Option<String>,
    pub chattype: ChatType,
    pub userid: String,
    pub corpid: Option<String>,
    pub response_url: Option<String>,
    pub create_time: Option<i64>,
    pub kind: Kind,
    pub quote: Option<Content>,
}

fn content(f: &Fields<'_>, msgtype: &str) -> Result<Content, Rejection> {
    let body = |key: &str| f.obj(key);
    Ok(match msgtype {
        "text" => Content::Text(Fields::new(body("text")?, "text").str("content")?),
        "voice" => Content::Voice(Fields::new(body("voice")?, "voice").str("content")?),
        "image" => Content::Image { url: Fields::new(body("image")?, "image").str("url")? },
        "file" => Content::File { url: Fields::new(body("file")?, "file").str("url")? },
        "mixed" => {
            let m = Fields::new(body("mixed")?, "mixed");
            let mut items = Vec::new();
            for it in m.opt_arr("msg_item")?.map(Vec::as_slice).unwrap_or_default() {
                let Value::Object(o) = it else { return Err(Rejection::body("`mixed.msg_item[]` must be objects")) };
                let g = Fields::new(o, "mixed.msg_item[]");
                match g.str("msgtype")?.as_str() {
                    "text" => items.push(MixedItem::Text(Fields::new(g.obj("text")?, "text").str("content")?)),
                    "image" => items.push(MixedItem::Image(Fields::new(g.obj("image")?, "image").str("url")?)),
                    _ => return Err(Rejection::new(Reason::UnknownType, "a mixed item has an unknown msgtype")),
                }
            }
            Content::Mixed(items)
        }
        _ => return Err(Rejection::new(Reason::UnknownType, "unknown WeCom msgtype")),
    })
}

fn event(f: &Fields<'_>) -> Result<Event, Rejection> {
    let ev = Fields::new(f.obj("event")?, "event");
    let t = ev.str("eventtype")?;
    Ok(match t.as_str() {
        "enter_chat" => Event::EnterChat,
        "template_card_event" => {
            let c = Fields::new(ev.obj("template_card_event")?, "event.template_card_event");
            let mut selected = Vec::new();
            if let Some(si) = c.opt_obj("selected_items")? {
                for it in
                    Fields::new(si, "selected_items").opt_arr("selected_item")?.map(Vec::as_slice).unwrap_or_default()
                {
                    let Value::Object(o) = it else { return Err(Rejection::body("`selected_item[]` must be objects")) };
                    let g = Fields::new(o, "selected_item[]");
                    let mut ids = Vec::new();
                    if let Some(oi) = g.opt_obj("option_ids")? {
                        for id in
                            Fields::new(oi, "option_ids").opt_arr("option_id")?.map(Vec::as_slice).unwrap_or_default()
                        {
                            match id {
                                Value::String(s) => ids.push(s.clone()),
                                _ => return Err(Rejection::body("`option_id[]` must be strings")),
                            }
                        }
                    }
                    selected.push(SelectedItem {
                        question_key: g.opt_str("question_key")?.unwrap_or_default(),
                        option_ids: ids,
                    });
                }
            }
            Event::TemplateCard {
                card_type: c.opt_str("card_type")?.unwrap_or_default(),
                event_key: c.opt_str("event_key")?.unwrap_or_default(),
                task_id: c.opt_str("task_id")?.unwrap_or_default(),
                selected,
            }
        }
        "feedback_event" => {
            let c = Fields::new(ev.obj("feedback_event")?, "event.feedback_event");
            let mut reasons = Vec::new();
            for r in c.opt_arr("inaccurate_reason_list")?.map(Vec::as_slice).unwrap_or_default() {
                reasons.push(r.as_i64().ok_or_else(|| Rejection::body("`inaccurate_reason_list[]` must be integers"))?);
            }
            Event::Feedback {
                id: c.opt_str("id")?.unwrap_or_default(),
                kind: c.opt_i64("type")?.unwrap_or(0),
                content: c.opt_str("content")?,
                reasons,
            }
        }
        _ => return Err(Rejection::new(Reason::UnknownType, "unknown WeCom event type")),
    })
}

/// Parse a decrypted AI-bot callback.
pub fn parse(plaintext: &str) -> Result<Callback, Rejection> {
    let m = parse_object(plaintext, "the decrypted callback")?;
    let f = Fields::new(&m, "");
    let msgtype = f.str("msgtype")?;
    let from = f.opt_obj("from")?;
    let from = from.map(|o| Fields::new(o, "from"));
    let userid = match &from {
        Some(g) => g.opt_str("userid")?.unwrap_or_default(),
        None => String::new(),
    };
    let corpid = match &from {
        Some(g) => g.opt_str("corpid")?,
        None => None,
    };
    let chattype = match f.opt_str("chattype")?.as_deref() {
        Some("group") => ChatType::Group,
        Some("single") | None => ChatType::Single,
        Some(_) => return Err(Rejection::body("`chattype` must be \"single\" or \"group\"")),
    };
    let kind = match msgtype.as_str() {
        "event" => Kind::Event(event(&f)?),
        "stream" => Kind::StreamRefresh { id: Fields::new(f.obj("stream")?, "stream").str("id")? },
        t => Kind::Message(content(&f, t)?),
    };
    let quote = match f.opt_obj("quote")? {
        Some(q) => {
            let g = Fields::new(q, "quote");
            Some(content(&g, &g.str("msgtype")?)?)
        }
        None => None,
    };
    Ok(Callback {
        msgid: f.str("msgid")?,
        aibotid: f.opt_str("aibotid")?,
        chatid: f.opt_str("chatid")?,
        chattype,
        userid,
        corpid,
        response_url: f.opt_str("response_url")?,
        create_time: f.opt_i64("create_time")?,
        kind,
        quote,
    })
}

fn content_json(c: &Content) -> Map<String, Value> {
    let mut m = Map::new();
    match c {
        Content::Text(t) => {
            m.insert("type".into(), "text".into());
            m.insert("text".into(), t.clone().into());
        }
        Content::Voice(t) => {
            m.insert("type".into(), "voice".into());
            m.insert("text".into(), t.clone().into());
        }
        Content::Image { url } => {
            m.insert("type".into(), "image".into());
            m.insert("images".into(), json!([url]));
        }
        Content::File { url } => {
            m.insert("type".into(), "file".into());
            m.insert("fileUrl".into(), url.clone().into());
        }
        Content::Mixed(items) => {
            m.insert("type".into(), "mixed".into());
            let texts: Vec<&str> =
                items.iter().filter_map(|i| if let MixedItem::Text(t) = i { Some(t.as_str()) } else { None }).collect();
            let images: Vec<Value> = items
                .iter()
                .filter_map(|i| if let MixedItem::Image(u) = i { Some(Value::from(u.clone())) } else { None })
                .collect();
            m.insert("text".into(), texts.join("\n").into());
            m.insert("images".into(), Value::Array(images));
        }
    }
    m
}

impl Callback {
    /// The dedup key.
    pub fn id(&self) -> &str {
        &self.msgid
    }

    /// The JS `WecomMessage` value.
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("platform".into(), "wecom".into());
        m.insert("id".into(), self.msgid.clone().into());
        match &self.kind {
            Kind::Message(c) => m.extend(content_json(c)),
            Kind::StreamRefresh { id } => {
                m.insert("type".into(), "stream".into());
                m.insert("streamId".into(), id.clone().into());
            }
            Kind::Event(e) => {
                m.insert("type".into(), "event".into());
                let ev = match e {
                    Event::EnterChat => json!({"type": "enter_chat"}),
                    Event::TemplateCard { card_type, event_key, task_id, selected } => json!({
                        "type": "template_card_event", "cardType": card_type, "eventKey": event_key, "taskId": task_id,
                        "selected": selected.iter().map(|s| json!({"questionKey": s.question_key, "optionIds": s.option_ids})).collect::<Vec<_>>(),
                    }),
                    Event::Feedback { id, kind, content, reasons } => {
                        let mut f = Map::new();
                        f.insert("type".into(), "feedback_event".into());
                        f.insert("id".into(), id.clone().into());
                        f.insert("feedbackType".into(), (*kind).into());
                        put(&mut f, "content", content.clone());
                        f.insert("reasons".into(), json!(reasons));
                        Value::Object(f)
                    }
                };
                m.insert("event".into(), ev);
            }
        }
        m.insert("chatType".into(), (if self.chattype == ChatType::Group { "group" } else { "single" }).into());
        put(&mut m, "chatId", self.chatid.clone());
        let mut sender = Map::new();
        sender.insert("id".into(), self.userid.clone().into());
        put(&mut sender, "corpId", self.corpid.clone());
        m.insert("sender".into(), Value::Object(sender));
        put(&mut m, "botId", self.aibotid.clone());
        put(&mut m, "responseUrl", self.response_url.clone());
        put(&mut m, "createTime", self.create_time);
        if let Some(q) = &self.quote {
            m.insert("quote".into(), Value::Object(content_json(q)));
        }
        Value::Object(m)
    }
}

/// A checked and decrypted callback, or the plaintext to echo for URL verification.
#[derive(Debug)]
pub enum Inbound {
    /// GET with `echostr`: answer this plaintext alone.
    Verify(String),
    Callback(Box<Callback>),
}

/// The query of a callback: `msg_signature`, `timestamp`, `nonce`, and `echostr` for a GET.
#[derive(Clone, Copy, Debug, Default)]
pub struct Query<'a> {
    pub msg_signature: &'a str,
    pub timestamp: &'a str,
    pub nonce: &'a str,
    pub echostr: Option<&'a str>,
}

/// Check and decrypt a WeCom AI-bot request: URL verification when the query has `echostr`,
/// else `body` (the raw JSON `{"encrypt": ...}`) of a POST. `now_s` and `max_skew_s` bound
/// the timestamp (`max_skew_s` = 0 disables the check).
pub fn open(
    crypt: &WxCrypt,
    q: Query<'_>,
    body: Option<&str>,
    now_s: u64,
    max_skew_s: u64,
) -> Result<Inbound, Rejection> {
    let Query { msg_signature, timestamp, nonce, echostr } = q;
    if max_skew_s > 0 {
        let ts: u64 = timestamp
            .trim()
            .parse()
            .map_err(|_| Rejection::new(Reason::BadSignature, "the timestamp is not a number"))?;
        if ts.abs_diff(now_s) > max_skew_s {
            return Err(Rejection::new(
                Reason::StaleTimestamp,
                "the callback timestamp is outside the accepted window",
            ));
        }
    }
    if let Some(echo) = echostr {
        // A `+` that query decoding turned into a space is put back before the signature check.
        let echo = echo.replace(' ', "+");
        crypt.verify(msg_signature, timestamp, nonce, &echo)?;
        return Ok(Inbound::Verify(crypt.decrypt(&echo)?));
    }
    let body = body.ok_or_else(|| Rejection::body("a POST callback needs a body"))?;
    let m = parse_object(body, "the callback body")?;
    let encrypt = Fields::new(&m, "").str("encrypt")?;
    crypt.verify(msg_signature, timestamp, nonce, &encrypt)?;
    let plain = crypt.decrypt(&encrypt)?;
    Ok(Inbound::Callback(Box::new(parse(&plain)?)))
}

/// A passive reply, before encryption.
pub fn stream_reply(
    id: &str,
    content: &str,
    finish: bool,
    images: &[(String, String)],
    feedback_id: Option<&str>,
) -> Value {
    let mut s = Map::new();
    s.insert("id".into(), id.into());
    s.insert("finish".into(), finish.into());
    s.insert("content".into(), cut_markdown(content, CONTENT_LIMIT).into());
    if finish && !images.is_empty() {
        let items: Vec<Value> = images
            .iter()
            .take(10)
            .map(|(b64, md5)| json!({"msgtype": "image", "image": {"base64": b64, "md5": md5}}))
            .collect();
        s.insert("msg_item".into(), Value::Array(items));
    }
    if let Some(f) = feedback_id {
        s.insert("feedback".into(), json!({"id": f}));
    }
    json!({"msgtype": "stream", "stream": Value::Object(s)})
}

/// Check a passive reply against what WeCom accepts for this callback.
pub fn check_passive_reply(cb: &Callback, reply: &Value) -> Result<(), Rejection> {
    let Value::Object(m) = reply else { return Err(Rejection::new(Reason::BadReply, "a reply must be an object")) };
    let t = m.get("msgtype").and_then(Value::as_str).unwrap_or("");
    let is_card_update = m.get("response_type").and_then(Value::as_str) == Some("update_template_card");
    let ok = match &cb.kind {
        Kind::Event(Event::EnterChat) => t == "text" || t == "template_card",
        Kind::Event(Event::TemplateCard { .. }) => is_card_update,
        Kind::Event(Event::Feedback { .. }) => false,
        Kind::StreamRefresh { .. } => t == "stream",
        Kind::Message(_) => matches!(t, "stream" | "template_card" | "stream_with_template_card"),
    };
    if !ok {
        return Err(Rejection::new(
            Reason::BadReply,
            "WeCom does not accept this passive reply type for this callback (markdown goes through response_url)",
        ));
    }
    if let Some(c) = m.get("stream").and_then(|s| s.get("content")).and_then(Value::as_str)
        && c.len() > CONTENT_LIMIT
    {
        return Err(Rejection::new(Reason::BadReply, "a stream reply's content is over 20480 bytes"));
    }
    Ok(())
}

/// `s` cut to at most `max` bytes at a UTF-8 boundary, never inside a link, an image or an
/// `<@mention>` (the cut moves back before it).
pub fn cut_markdown(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut cut = safe_cut(s, max, Measure::Utf8);
    // `<@userid>` mentions, which the shared cutter does not know; its plain cut (when a span is
    // longer than the room) can also fall between the `<` and the `@`.
    if s[..cut].ends_with('<') && s[cut..].starts_with('@') {
        cut -= 1;
    }
    if let Some(open) = s[..cut].rfind("<@")
        && !s[open..cut].contains('>')
    {
        cut = open;
    }
    s[..cut].trim_end().to_string()
}

/// The active reply body for `response_url`: markdown, cut to 20480 bytes.
pub fn markdown_reply(content: &str, feedback_id: Option<&str>) -> Value {
    let mut md = Map::new();
    md.insert("content".into(), cut_markdown(content, CONTENT_LIMIT).into());
    if let Some(f) = feedback_id {
        md.insert("feedback".into(), json!({"id": f}));
    }
    json!({"msgtype": "markdown", "markdown": Value::Object(md)})
}

/// What to do after a response_url answer: `Ok(())` sent, `Err(true)` retry, `Err(false)` give up.
pub fn classify_response(status: u16, body: &str) -> Result<(), bool> {
    if status >= 500 {
        return Err(true);
    }
    if status != 200 {
        return Err(false);
    }
    let code = crate::json::parse(body).ok().and_then(|v| v.get("errcode").and_then(Value::as_i64));
    match code {
        Some(0) | None => Ok(()),
        Some(-1) | Some(6000) => Err(true),
        Some(_) => Err(false),
    }
}
