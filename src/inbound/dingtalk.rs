//! DingTalk robot inbound, HTTP mode: the `timestamp` / `sign` headers, the message as a
//! typed value, and the `sessionWebhook` it is answered through (any message the model
//! renders for DingTalk, posted before `sessionWebhookExpiredTime`).

use serde_json::{Map, Value};

use super::{Fields, Reason, Rejection, crypto, parse_object, put};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AtUser {
    pub dingtalk_id: Option<String>,
    pub staff_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub msg_id: String,
    pub msgtype: String,
    /// `text.content` (for `text`), trimmed of the space DingTalk leaves after the @-mention.
    pub text: Option<String>,
    pub conversation_id: String,
    /// "1" single, "2" group.
    pub group: bool,
    pub conversation_title: Option<String>,
    pub sender_id: Option<String>,
    pub sender_staff_id: Option<String>,
    pub sender_nick: Option<String>,
    pub sender_corp_id: Option<String>,
    pub is_admin: bool,
    pub is_in_at_list: bool,
    pub at_users: Vec<AtUser>,
    pub chatbot_user_id: Option<String>,
    pub robot_code: Option<String>,
    pub session_webhook: Option<String>,
    pub session_webhook_expired_time: Option<i64>,
    pub create_at: Option<i64>,
}

/// Message types DingTalk robots receive in HTTP mode.
const KNOWN: [&str; 6] = ["text", "picture", "richText", "audio", "video", "file"];

/// Check the headers and parse the body. `now_ms` is the clock (ms since the epoch).
pub fn open(app_secret: &str, timestamp: &str, sign: &str, body: &str, now_ms: u64) -> Result<Message, Rejection> {
    crypto::dingtalk_verify(app_secret, timestamp, sign, now_ms)?;
    parse(body)
}

/// Parse a robot message body (no header check).
pub fn parse(body: &str) -> Result<Message, Rejection> {
    let m = parse_object(body, "the DingTalk message")?;
    let f = Fields::new(&m, "");
    let msgtype = f.str("msgtype")?;
    if !KNOWN.contains(&msgtype.as_str()) {
        return Err(Rejection::new(Reason::UnknownType, "unknown DingTalk msgtype"));
    }
    let text = match f.opt_obj("text")? {
        Some(t) => Fields::new(t, "text").opt_str("content")?.map(|s| s.trim().to_string()),
        None if msgtype == "text" => return Err(Rejection::body("`text` must be an object")),
        None => None,
    };
    let mut at_users = Vec::new();
    for u in f.opt_arr("atUsers")?.map(Vec::as_slice).unwrap_or_default() {
        let Value::Object(o) = u else { return Err(Rejection::body("`atUsers[]` must be objects")) };
        let g = Fields::new(o, "atUsers[]");
        at_users.push(AtUser { dingtalk_id: g.opt_str("dingtalkId")?, staff_id: g.opt_str("staffId")? });
    }
    Ok(Message {
        msg_id: f.str("msgId")?,
        msgtype,
        text,
        conversation_id: f.str("conversationId")?,
        group: f.opt_str("conversationType")?.as_deref() == Some("2"),
        conversation_title: f.opt_str("conversationTitle")?,
        sender_id: f.opt_str("senderId")?,
        sender_staff_id: f.opt_str("senderStaffId")?,
        sender_nick: f.opt_str("senderNick")?,
        sender_corp_id: f.opt_str("senderCorpId")?,
        is_admin: f.opt_bool("isAdmin")?.unwrap_or(false),
        is_in_at_list: f.opt_bool("isInAtList")?.unwrap_or(false),
        at_users,
        chatbot_user_id: f.opt_str("chatbotUserId")?,
        robot_code: f.opt_str("robotCode")?,
        session_webhook: f.opt_str("sessionWebhook")?,
        session_webhook_expired_time: f.opt_i64("sessionWebhookExpiredTime")?,
        create_at: f.opt_i64("createAt")?,
    })
}

impl Message {
    /// The dedup key.
    pub fn id(&self) -> &str {
        &self.msg_id
    }

    /// The sender id an allow-list matches: the staff id, else the sender id.
    pub fn sender(&self) -> &str {
        self.sender_staff_id.as_deref().or(self.sender_id.as_deref()).unwrap_or("")
    }

    /// The sessionWebhook if it is still valid at `now_ms`.
    pub fn reply_url(&self, now_ms: u64) -> Result<&str, Rejection> {
        let url =
            self.session_webhook.as_deref().filter(|u| !u.is_empty()).ok_or_else(|| {
                Rejection::new(Reason::BadReply, "the message has no sessionWebhook to answer through")
            })?;
        if let Some(exp) = self.session_webhook_expired_time
            && (exp < 0 || now_ms >= exp as u64)
        {
            return Err(Rejection::new(Reason::BadReply, "the sessionWebhook has expired"));
        }
        Ok(url)
    }

    /// The JS `DingTalkMessage` value.
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("platform".into(), "dingtalk".into());
        m.insert("id".into(), self.msg_id.clone().into());
        m.insert("type".into(), self.msgtype.clone().into());
        put(&mut m, "text", self.text.clone());
        m.insert("chatType".into(), (if self.group { "group" } else { "single" }).into());
        m.insert("chatId".into(), self.conversation_id.clone().into());
        put(&mut m, "chatTitle", self.conversation_title.clone());
        let mut s = Map::new();
        s.insert("id".into(), self.sender().to_string().into());
        put(&mut s, "name", self.sender_nick.clone());
        put(&mut s, "dingtalkId", self.sender_id.clone());
        put(&mut s, "staffId", self.sender_staff_id.clone());
        put(&mut s, "corpId", self.sender_corp_id.clone());
        s.insert("isAdmin".into(), self.is_admin.into());
        m.insert("sender".into(), Value::Object(s));
        m.insert("mentioned".into(), self.is_in_at_list.into());
        let at: Vec<Value> = self
            .at_users
            .iter()
            .map(|u| {
                let mut o = Map::new();
                put(&mut o, "dingtalkId", u.dingtalk_id.clone());
                put(&mut o, "staffId", u.staff_id.clone());
                Value::Object(o)
            })
            .collect();
        m.insert("atUsers".into(), Value::Array(at));
        put(&mut m, "robotCode", self.robot_code.clone());
        put(&mut m, "sessionWebhook", self.session_webhook.clone());
        put(&mut m, "sessionWebhookExpiredTime", self.session_webhook_expired_time);
        put(&mut m, "createTime", self.create_at);
        Value::Object(m)
    }
}
