//! Feishu / Lark event subscription: `url_verification` (plain or encrypted), the
//! `X-Lark-Signature` check over the raw body, the verification token, and the two events a
//! bot answers: `im.message.receive_v1` and `card.action.trigger`. Replies go through the
//! IM API ([`im_body`] turns a rendered custom-bot payload into its body).

use serde_json::{Map, Value, json};

use super::{Fields, Reason, Rejection, crypto, parse_object, put};

/// An app's event credentials. Either may be empty (not configured in the console).
#[derive(Clone, Default)]
pub struct Credentials {
    pub encrypt_key: String,
    pub verification_token: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credentials { .. }")
    }
}

/// The request headers that matter.
#[derive(Clone, Copy, Debug, Default)]
pub struct Headers<'a> {
    pub timestamp: Option<&'a str>,
    pub nonce: Option<&'a str>,
    pub signature: Option<&'a str>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserId {
    pub open_id: Option<String>,
    pub user_id: Option<String>,
    pub union_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mention {
    pub key: String,
    pub id: UserId,
    pub name: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub event_id: String,
    pub app_id: Option<String>,
    pub tenant_key: Option<String>,
    pub create_time: Option<String>,
    pub sender: UserId,
    pub sender_type: Option<String>,
    pub message_id: String,
    pub root_id: Option<String>,
    pub parent_id: Option<String>,
    pub chat_id: String,
    pub chat_type: String,
    pub message_type: String,
    /// The content, a JSON string as Feishu sends it.
    pub content: String,
    pub mentions: Vec<Mention>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CardAction {
    pub event_id: String,
    pub operator: UserId,
    pub value: Value,
    pub tag: Option<String>,
    pub option: Option<String>,
    pub name: Option<String>,
    pub form_value: Option<Value>,
    pub input_value: Option<String>,
    pub open_message_id: Option<String>,
    pub open_chat_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// Answer `{"challenge": ...}`.
    Challenge(String),
    Message(Message),
    CardAction(CardAction),
}

fn user_id(o: Option<&Map<String, Value>>) -> Result<UserId, Rejection> {
    let Some(o) = o else { return Ok(UserId { open_id: None, user_id: None, union_id: None }) };
    let f = Fields::new(o, "id");
    Ok(UserId { open_id: f.opt_str("open_id")?, user_id: f.opt_str("user_id")?, union_id: f.opt_str("union_id")? })
}

fn user_json(u: &UserId) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), u.open_id.clone().or(u.user_id.clone()).unwrap_or_default().into());
    put(&mut m, "openId", u.open_id.clone());
    put(&mut m, "userId", u.user_id.clone());
    put(&mut m, "unionId", u.union_id.clone());
    Value::Object(m)
}

fn token_ok(creds: &Credentials, token: Option<&str>) -> Result<(), Rejection> {
    if creds.verification_token.is_empty() {
        return Ok(());
    }
    match token {
        Some(t) if crypto::ct_eq(t.as_bytes(), creds.verification_token.as_bytes()) => Ok(()),
        _ => Err(Rejection::new(Reason::BadToken, "the verification token is not this app's")),
    }
}

/// Check and parse one event request. `raw_body` is the body exactly as received.
pub fn open(
    creds: &Credentials,
    headers: Headers<'_>,
    raw_body: &str,
    now_s: u64,
    max_skew_s: u64,
) -> Result<Event, Rejection> {
    // with neither, nothing could tell an event from Feishu from a forged one
    if creds.encrypt_key.is_empty() && creds.verification_token.is_empty() {
        return Err(Rejection::new(
            Reason::BadConfig,
            "neither an Encrypt Key nor a Verification Token is configured: events cannot be checked",
        ));
    }
    let outer = parse_object(raw_body, "the event body")?;
    let plain;
    let m = match outer.get("encrypt") {
        Some(Value::String(enc)) => {
            if creds.encrypt_key.is_empty() {
                return Err(Rejection::new(
                    Reason::BadConfig,
                    "the event is encrypted but no Encrypt Key is configured",
                ));
            }
            plain = crypto::feishu_decrypt(&creds.encrypt_key, enc)?;
            parse_object(&plain, "the decrypted event")?
        }
        Some(_) => return Err(Rejection::body("`encrypt` must be a string")),
        None => outer,
    };
    let f = Fields::new(&m, "");
    if f.opt_str("type")?.as_deref() == Some("url_verification") {
        let header_token = match f.opt_obj("header")? {
            Some(h) => Fields::new(h, "header").opt_str("token")?,
            None => None,
        };
        token_ok(creds, f.opt_str("token")?.or(header_token).as_deref())?;
        return Ok(Event::Challenge(f.str("challenge")?));
    }
    // Events are signed when an Encrypt Key is configured.
    if !creds.encrypt_key.is_empty() {
        let (Some(ts), Some(nonce), Some(sig)) = (headers.timestamp, headers.nonce, headers.signature) else {
            return Err(Rejection::new(
                Reason::BadSignature,
                "the X-Lark-Request-Timestamp/Nonce/Signature headers are missing",
            ));
        };
        if max_skew_s > 0 {
            let t: u64 = ts
                .trim()
                .parse()
                .map_err(|_| Rejection::new(Reason::BadSignature, "X-Lark-Request-Timestamp is not a number"))?;
            if t.abs_diff(now_s) > max_skew_s {
                return Err(Rejection::new(
                    Reason::StaleTimestamp,
                    "X-Lark-Request-Timestamp is outside the accepted window",
                ));
            }
        }
        crypto::feishu_verify(ts, nonce, &creds.encrypt_key, raw_body.as_bytes(), sig)?;
    }
    let (event_id, event_type, header) = match f.opt_obj("header")? {
        Some(h) => {
            let h = Fields::new(h, "header");
            token_ok(creds, h.opt_str("token")?.as_deref())?;
            (h.str("event_id")?, h.str("event_type")?, Some(h))
        }
        None => {
            // v1 schema: {"uuid","token","type":"event_callback","event":{"type":...}}
            token_ok(creds, f.opt_str("token")?.as_deref())?;
            let ev = Fields::new(f.obj("event")?, "event");
            (f.str("uuid")?, ev.opt_str("type")?.unwrap_or_default(), None)
        }
    };
    let ev = Fields::new(f.obj("event")?, "event");
    match event_type.as_str() {
        "im.message.receive_v1" => {
            let sender = Fields::new(ev.obj("sender")?, "event.sender");
            let msg = Fields::new(ev.obj("message")?, "event.message");
            let mut mentions = Vec::new();
            for it in msg.opt_arr("mentions")?.map(Vec::as_slice).unwrap_or_default() {
                let Value::Object(o) = it else {
                    return Err(Rejection::body("`event.message.mentions[]` must be objects"));
                };
                let g = Fields::new(o, "mentions[]");
                mentions.push(Mention { key: g.str("key")?, id: user_id(g.opt_obj("id")?)?, name: g.opt_str("name")? });
            }
            Ok(Event::Message(Message {
                event_id,
                app_id: header.as_ref().map(|h| h.opt_str("app_id")).transpose()?.flatten(),
                tenant_key: header.as_ref().map(|h| h.opt_str("tenant_key")).transpose()?.flatten(),
                create_time: header.as_ref().map(|h| h.opt_str("create_time")).transpose()?.flatten(),
                sender: user_id(sender.opt_obj("sender_id")?)?,
                sender_type: sender.opt_str("sender_type")?,
                message_id: msg.str("message_id")?,
                root_id: msg.opt_str("root_id")?,
                parent_id: msg.opt_str("parent_id")?,
                chat_id: msg.str("chat_id")?,
                chat_type: msg.opt_str("chat_type")?.unwrap_or_default(),
                message_type: msg.str("message_type")?,
                content: msg.opt_str("content")?.unwrap_or_default(),
                mentions,
            }))
        }
        "card.action.trigger" => {
            // event.token is the card's update token, not the verification token (checked in the header)
            let action = Fields::new(ev.obj("action")?, "event.action");
            let ctx = ev.opt_obj("context")?.map(|c| Fields::new(c, "event.context"));
            Ok(Event::CardAction(CardAction {
                event_id,
                operator: user_id(ev.opt_obj("operator")?)?,
                value: action.map.get("value").cloned().unwrap_or(Value::Null),
                tag: action.opt_str("tag")?,
                option: action.opt_str("option")?,
                name: action.opt_str("name")?,
                form_value: action.map.get("form_value").cloned().filter(|v| !v.is_null()),
                input_value: action.opt_str("input_value")?,
                open_message_id: ctx.as_ref().map(|c| c.opt_str("open_message_id")).transpose()?.flatten(),
                open_chat_id: ctx.as_ref().map(|c| c.opt_str("open_chat_id")).transpose()?.flatten(),
            }))
        }
        _ => Err(Rejection::new(Reason::UnknownType, "an event type this handler does not take")),
    }
}

impl Message {
    /// The text of a `text` message, each mention placeholder (`@_user_1`) shown as `@name`.
    pub fn text(&self) -> Option<String> {
        if self.message_type != "text" {
            return None;
        }
        let v: Value = crate::json::parse(&self.content).ok()?;
        let mut t = v.get("text")?.as_str()?.to_string();
        // longest keys first, so @_user_1 does not eat the start of @_user_10
        let mut ms: Vec<&Mention> = self.mentions.iter().collect();
        ms.sort_by_key(|m| std::cmp::Reverse(m.key.len()));
        for m in ms {
            if !m.key.is_empty() {
                t = t.replace(&m.key, &format!("@{}", m.name.as_deref().unwrap_or("")));
            }
        }
        Some(t.trim().to_string())
    }
}

impl Event {
    /// The dedup key (`header.event_id`).
    pub fn id(&self) -> Option<&str> {
        match self {
            Event::Challenge(_) => None,
            Event::Message(m) => Some(&m.event_id),
            Event::CardAction(c) => Some(&c.event_id),
        }
    }

    /// The JS `FeishuMessage` / `FeishuCardAction` value (`{"challenge"}` for verification).
    pub fn to_value(&self) -> Value {
        match self {
            Event::Challenge(c) => json!({"challenge": c}),
            Event::Message(m) => {
                let mut o = Map::new();
                o.insert("platform".into(), "feishu".into());
                o.insert("kind".into(), "message".into());
                o.insert("id".into(), m.event_id.clone().into());
                o.insert("type".into(), m.message_type.clone().into());
                put(&mut o, "text", m.text());
                o.insert("content".into(), m.content.clone().into());
                o.insert("chatType".into(), (if m.chat_type == "p2p" { "single" } else { "group" }).into());
                o.insert("chatId".into(), m.chat_id.clone().into());
                o.insert("messageId".into(), m.message_id.clone().into());
                put(&mut o, "rootId", m.root_id.clone());
                put(&mut o, "parentId", m.parent_id.clone());
                o.insert("sender".into(), user_json(&m.sender));
                put(&mut o, "senderType", m.sender_type.clone());
                let mentions: Vec<Value> = m
                    .mentions
                    .iter()
                    .map(|x| {
                        let mut v = user_json(&x.id);
                        if let Value::Object(vm) = &mut v {
                            vm.insert("key".into(), x.key.clone().into());
                            put(vm, "name", x.name.clone());
                        }
                        v
                    })
                    .collect();
                o.insert("mentions".into(), Value::Array(mentions));
                put(&mut o, "appId", m.app_id.clone());
                put(&mut o, "tenantKey", m.tenant_key.clone());
                put(&mut o, "createTime", m.create_time.clone());
                Value::Object(o)
            }
            Event::CardAction(c) => {
                let mut o = Map::new();
                o.insert("platform".into(), "feishu".into());
                o.insert("kind".into(), "card_action".into());
                o.insert("id".into(), c.event_id.clone().into());
                o.insert("type".into(), "card_action".into());
                o.insert("sender".into(), user_json(&c.operator));
                put(&mut o, "chatId", c.open_chat_id.clone());
                put(&mut o, "messageId", c.open_message_id.clone());
                let mut a = Map::new();
                a.insert("value".into(), c.value.clone());
                put(&mut a, "tag", c.tag.clone());
                put(&mut a, "option", c.option.clone());
                put(&mut a, "name", c.name.clone());
                put(&mut a, "formValue", c.form_value.clone());
                put(&mut a, "inputValue", c.input_value.clone());
                o.insert("action".into(), Value::Object(a));
                Value::Object(o)
            }
        }
    }
}

/// The IM API body (`POST /open-apis/im/v1/messages?receive_id_type=chat_id`) for one payload
/// the Feishu renderer made for a custom bot: `{receive_id, msg_type, content: "<json>"}`.
pub fn im_body(payload: &Value, chat_id: &str) -> Result<Value, Rejection> {
    let bad = || Rejection::new(Reason::BadReply, "the rendered Feishu payload has an unexpected shape");
    let msg_type = payload.get("msg_type").and_then(Value::as_str).ok_or_else(bad)?;
    let content = match msg_type {
        "interactive" => payload.get("card").ok_or_else(bad)?,
        "post" => payload.get("content").and_then(|c| c.get("post")).ok_or_else(bad)?,
        _ => payload.get("content").ok_or_else(bad)?,
    };
    Ok(json!({"receive_id": chat_id, "msg_type": msg_type, "content": crate::json::to_string(content)}))
}
