//! Inbound bot callbacks (feature `inbound`): the other direction, beside the sender.
//!
//! Pure functions per platform that verify, decrypt and parse a callback into a typed
//! value, and that build (and encrypt) a reply; no I/O. The JS handlers of the
//! `webhook-push/inbound` subpath drive them and send the active replies through the
//! package's renderers.
//!
//! - [`crypto`]: WXBizMsgCrypt (WeCom, DingTalk event callbacks), Feishu event
//!   decryption and `X-Lark-Signature`, the DingTalk robot `sign` header;
//! - [`wecom`]: WeCom AI-bot (智能机器人, API mode) messages, events and replies;
//! - [`dingtalk`]: DingTalk robot messages (HTTP mode) and `sessionWebhook` checks;
//! - [`feishu`]: Feishu / Lark events (`url_verification`, `im.message.receive_v1`,
//!   `card.action.trigger`) and the IM API reply body.
//!
//! Every failure is a [`Rejection`]: a stable [`Reason`], the HTTP status a handler answers
//! with, and a message that never quotes a key, token, signature or ciphertext.

pub mod crypto;
pub mod dingtalk;
pub mod feishu;
pub mod wecom;

#[cfg(target_arch = "wasm32")]
pub mod bindings;

use serde_json::Value;

use crate::error::{Error, ErrorCode};

/// Why a callback was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// The handler's own credentials are unusable (a 43-character key that is not, ...).
    BadConfig,
    /// The signature (WeCom `msg_signature`, DingTalk `sign`, `X-Lark-Signature`) does not match.
    BadSignature,
    /// The timestamp is outside the accepted window.
    StaleTimestamp,
    /// The verification token in a Feishu event is not this app's.
    BadToken,
    /// Not base64, not whole AES blocks, too short, a length field past the end.
    BadCiphertext,
    /// The PKCS#7 padding is wrong (the key is wrong, or the data was tampered with).
    BadPadding,
    /// The receiveid inside a WXBizMsgCrypt message is not this bot's.
    BadReceiveId,
    /// The (decrypted) body is not the JSON the platform sends, or a field has the wrong type.
    BadBody,
    /// A message or event type this crate does not know.
    UnknownType,
    /// A reply that cannot be sent (expired sessionWebhook, a used response_url, ...).
    BadReply,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::BadConfig => "bad_config",
            Reason::BadSignature => "bad_signature",
            Reason::StaleTimestamp => "stale_timestamp",
            Reason::BadToken => "bad_token",
            Reason::BadCiphertext => "bad_ciphertext",
            Reason::BadPadding => "bad_padding",
            Reason::BadReceiveId => "bad_receiveid",
            Reason::BadBody => "bad_body",
            Reason::UnknownType => "unknown_type",
            Reason::BadReply => "bad_reply",
        }
    }

    /// The HTTP status a handler answers a refused callback with.
    pub fn status(self) -> u16 {
        match self {
            Reason::BadConfig => 500,
            Reason::BadSignature | Reason::StaleTimestamp | Reason::BadToken => 401,
            Reason::BadReceiveId => 403,
            Reason::BadCiphertext | Reason::BadPadding | Reason::BadBody | Reason::UnknownType => 400,
            Reason::BadReply => 400,
        }
    }

    pub fn code(self) -> ErrorCode {
        match self {
            Reason::BadConfig => ErrorCode::InvalidConfig,
            Reason::UnknownType => ErrorCode::Unsupported,
            _ => ErrorCode::InvalidMessage,
        }
    }
}

/// A refused callback or reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    pub reason: Reason,
    pub message: String,
}

impl Rejection {
    pub fn new(reason: Reason, message: impl Into<String>) -> Rejection {
        Rejection { reason, message: message.into() }
    }

    pub fn body(message: impl Into<String>) -> Rejection {
        Rejection::new(Reason::BadBody, message)
    }
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.reason.code(), self.reason.as_str(), self.message)
    }
}

impl std::error::Error for Rejection {}

impl From<Rejection> for Error {
    fn from(r: Rejection) -> Error {
        Error::new(r.reason.code(), format!("{} ({})", r.message, r.reason.as_str()))
    }
}

/// Parse JSON text that must be an object.
pub(crate) fn parse_object(text: &str, what: &str) -> Result<serde_json::Map<String, Value>, Rejection> {
    if text.len() > crypto::MAX_CIPHERTEXT {
        return Err(Rejection::body(format!("{what} is too large")));
    }
    match crate::json::parse(text) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(Rejection::body(format!("{what} is not a JSON object"))),
        Err(_) => Err(Rejection::body(format!("{what} is not valid JSON"))),
    }
}

/// Field readers over a JSON object that say which field was wrong.
pub(crate) struct Fields<'a> {
    pub map: &'a serde_json::Map<String, Value>,
    pub at: &'a str,
}

impl<'a> Fields<'a> {
    pub fn new(map: &'a serde_json::Map<String, Value>, at: &'a str) -> Self {
        Fields { map, at }
    }

    fn wrong(&self, key: &str, want: &str) -> Rejection {
        if self.at.is_empty() {
            Rejection::body(format!("`{key}` must be {want}"))
        } else {
            Rejection::body(format!("`{}.{key}` must be {want}", self.at))
        }
    }

    /// A string, or a number written as a string (ids arrive either way).
    pub fn opt_str(&self, key: &str) -> Result<Option<String>, Rejection> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(_) => Err(self.wrong(key, "a string")),
        }
    }

    pub fn str(&self, key: &str) -> Result<String, Rejection> {
        self.opt_str(key)?.ok_or_else(|| self.wrong(key, "a string"))
    }

    pub fn opt_i64(&self, key: &str) -> Result<Option<i64>, Rejection> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(|| self.wrong(key, "an integer")),
            Some(Value::String(s)) => s.trim().parse().map(Some).map_err(|_| self.wrong(key, "an integer")),
            Some(_) => Err(self.wrong(key, "an integer")),
        }
    }

    pub fn opt_bool(&self, key: &str) -> Result<Option<bool>, Rejection> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(self.wrong(key, "a boolean")),
        }
    }

    pub fn opt_obj(&self, key: &str) -> Result<Option<&'a serde_json::Map<String, Value>>, Rejection> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(m)) => Ok(Some(m)),
            Some(_) => Err(self.wrong(key, "an object")),
        }
    }

    pub fn obj(&self, key: &str) -> Result<&'a serde_json::Map<String, Value>, Rejection> {
        self.opt_obj(key)?.ok_or_else(|| self.wrong(key, "an object"))
    }

    pub fn opt_arr(&self, key: &str) -> Result<Option<&'a Vec<Value>>, Rejection> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(a)) => Ok(Some(a)),
            Some(_) => Err(self.wrong(key, "an array")),
        }
    }
}

/// Insert `key: value` when there is a value.
pub(crate) fn put(m: &mut serde_json::Map<String, Value>, key: &str, v: Option<impl Into<Value>>) {
    if let Some(v) = v {
        m.insert(key.to_string(), v.into());
    }
}
