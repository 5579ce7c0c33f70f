//! The JS surface of the inbound layer (wasm32 + feature `inbound`): the low-level,
//! pure functions the `webhook-push/inbound` handlers are built on. Values cross as JSON.
//! Every refusal is a JS `Error` with `.code`, `.reason` (a stable string) and `.status`
//! (the HTTP status to answer with); its message never quotes a credential.

use js_sys::{JSON, Reflect, Uint8Array};
use serde_json::Value;
use wasm_bindgen::prelude::*;

use super::crypto::WxCrypt;
use super::{Reason, Rejection, dingtalk, feishu, wecom};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** Why a callback was refused (`error.reason`). */
export type InboundReason =
  | "bad_config" | "bad_signature" | "stale_timestamp" | "bad_token" | "bad_ciphertext"
  | "bad_padding" | "bad_receiveid" | "bad_body" | "unknown_type" | "bad_reply";

/** The Error the inbound functions throw. */
export interface InboundError extends Error {
  code: "INVALID_MESSAGE" | "INVALID_CONFIG" | "UNSUPPORTED";
  reason: InboundReason;
  /** The HTTP status a handler answers with (401 bad signature / stale / token, 403 receiveid, 400, 500 config). */
  status: number;
}

/** A WeCom AI bot's callback credentials (console: Token, EncodingAESKey). */
export interface WecomCrypto {
  token: string;
  /** 43 characters. */
  encodingAesKey: string;
  /** "" (the default) for internal AI bots; the corp id otherwise. */
  receiveId?: string;
}

export interface WecomQuery {
  msg_signature: string;
  timestamp: string;
  nonce: string;
  /** URL verification (GET) only. */
  echostr?: string;
}

export interface WecomEventEnterChat { type: "enter_chat" }
export interface WecomEventTemplateCard {
  type: "template_card_event";
  cardType: string;
  eventKey: string;
  taskId: string;
  selected: { questionKey: string; optionIds: string[] }[];
}
export interface WecomEventFeedback {
  type: "feedback_event";
  id: string;
  /** 1 accurate, 2 inaccurate, 3 cancelled. */
  feedbackType: number;
  content?: string;
  reasons: number[];
}
export type WecomEvent = WecomEventEnterChat | WecomEventTemplateCard | WecomEventFeedback;

/** The body of a WeCom message (also what `quote` carries). */
export interface WecomContent {
  type: "text" | "voice" | "image" | "file" | "mixed";
  /** text, voice (speech to text), and the text items of mixed joined by "\n". */
  text?: string;
  /** Image URLs (valid 5 minutes; the bytes are encrypted: see `wecomDecryptMedia`). */
  images?: string[];
  fileUrl?: string;
}

/** A WeCom AI-bot callback. */
export interface WecomMessage {
  platform: "wecom";
  /** `msgid`: the dedup key. */
  id: string;
  type: "text" | "voice" | "image" | "file" | "mixed" | "stream" | "event";
  text?: string;
  images?: string[];
  fileUrl?: string;
  /** `stream` refreshes: the stream being polled. */
  streamId?: string;
  event?: WecomEvent;
  chatType: "single" | "group";
  chatId?: string;
  sender: { id: string; corpId?: string };
  botId?: string;
  /** Single-use, valid 1 hour. */
  responseUrl?: string;
  createTime?: number;
  quote?: WecomContent;
}

/** A DingTalk robot message (HTTP mode). */
export interface DingTalkMessage {
  platform: "dingtalk";
  /** `msgId`: the dedup key. */
  id: string;
  type: "text" | "picture" | "richText" | "audio" | "video" | "file";
  /** `text.content`, trimmed. */
  text?: string;
  chatType: "single" | "group";
  chatId: string;
  chatTitle?: string;
  sender: { id: string; name?: string; dingtalkId?: string; staffId?: string; corpId?: string; isAdmin: boolean };
  /** The bot was @-mentioned. */
  mentioned: boolean;
  atUsers: { dingtalkId?: string; staffId?: string }[];
  robotCode?: string;
  sessionWebhook?: string;
  sessionWebhookExpiredTime?: number;
  createTime?: number;
}

export interface FeishuUser { id: string; openId?: string; userId?: string; unionId?: string }

/** A Feishu / Lark `im.message.receive_v1` event. */
export interface FeishuMessage {
  platform: "feishu";
  /** Tells a message from a card action (`kind: "card_action"`). */
  kind: "message";
  /** `header.event_id`: the dedup key. */
  id: string;
  /** `message_type`: text, post, image, ... */
  type: string;
  /** A text message's text, mentions shown as `@name`. */
  text?: string;
  /** The content JSON string as Feishu sends it. */
  content: string;
  chatType: "single" | "group";
  chatId: string;
  messageId: string;
  rootId?: string;
  parentId?: string;
  sender: FeishuUser;
  senderType?: string;
  mentions: (FeishuUser & { key: string; name?: string })[];
  appId?: string;
  tenantKey?: string;
  createTime?: string;
}

/** A Feishu / Lark `card.action.trigger` event. */
export interface FeishuCardAction {
  platform: "feishu";
  kind: "card_action";
  id: string;
  type: "card_action";
  sender: FeishuUser;
  chatId?: string;
  messageId?: string;
  action: {
    value: JsonValue;
    tag?: string;
    option?: string;
    name?: string;
    formValue?: JsonValue;
    inputValue?: string;
  };
}

export interface FeishuCredentials {
  /** Encrypt Key ("" or absent when not configured). */
  encryptKey?: string;
  /** Verification Token ("" or absent: not checked). */
  verificationToken?: string;
}

export interface FeishuHeaders {
  timestamp?: string | null;
  nonce?: string | null;
  signature?: string | null;
}

/** Any message the inbound handlers pass to `onMessage`. */
export type InboundMessage = WecomMessage | DingTalkMessage | FeishuMessage | FeishuCardAction;
"#;

fn reject(r: &Rejection) -> JsValue {
    let err = js_sys::Error::new(&format!("{} ({})", r.message, r.reason.as_str()));
    err.set_name("WebhookPushInboundError");
    let _ = Reflect::set(&err, &"code".into(), &r.reason.code().as_str().into());
    let _ = Reflect::set(&err, &"reason".into(), &r.reason.as_str().into());
    let _ = Reflect::set(&err, &"status".into(), &JsValue::from(r.reason.status()));
    err.into()
}

fn config(msg: &str) -> JsValue {
    reject(&Rejection::new(Reason::BadConfig, msg))
}

fn to_js(v: &Value) -> JsValue {
    JSON::parse(&crate::json::to_string(v)).unwrap_or(JsValue::NULL)
}

fn get(v: &JsValue, key: &str) -> JsValue {
    if v.is_object() { Reflect::get(v, &key.into()).unwrap_or(JsValue::UNDEFINED) } else { JsValue::UNDEFINED }
}

/// A string field; absent / null is `None`; any other type is an error naming `what`.
fn opt_string(v: &JsValue, what: &str, reason: Reason) -> Result<Option<String>, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_string().map(Some).ok_or_else(|| reject(&Rejection::new(reason, format!("{what} must be a string"))))
}

fn string(v: &JsValue, what: &str, reason: Reason) -> Result<String, JsValue> {
    opt_string(v, what, reason)?.ok_or_else(|| reject(&Rejection::new(reason, format!("{what} is required"))))
}

fn wx(cfg: &JsValue) -> Result<WxCrypt, JsValue> {
    if !cfg.is_object() {
        return Err(config("the WeCom credentials must be an object {token, encodingAesKey, receiveId?}"));
    }
    let token = string(&get(cfg, "token"), "token", Reason::BadConfig)?;
    let key = string(&get(cfg, "encodingAesKey"), "encodingAesKey", Reason::BadConfig)?;
    let rid = opt_string(&get(cfg, "receiveId"), "receiveId", Reason::BadConfig)?.unwrap_or_default();
    WxCrypt::new(&token, &key, &rid).map_err(|e| reject(&e))
}

fn num(v: &JsValue, what: &str) -> Result<u64, JsValue> {
    match v.as_f64() {
        Some(f) if f.is_finite() && f >= 0.0 => Ok(f as u64),
        _ => Err(config(&format!("{what} must be a non-negative number"))),
    }
}

fn random16(v: &JsValue) -> Result<[u8; 16], JsValue> {
    if !v.is_instance_of::<Uint8Array>() {
        return Err(config("random must be a Uint8Array of 16 bytes"));
    }
    let a = Uint8Array::from(v.clone());
    if a.length() != 16 {
        return Err(config("random must be a Uint8Array of 16 bytes"));
    }
    let mut out = [0u8; 16];
    a.copy_to(&mut out);
    Ok(out)
}

/// Check and decrypt a WeCom AI-bot request: `{ verify: plaintext }` for URL verification
/// (answer the plaintext alone), else `{ message }`.
#[wasm_bindgen(js_name = wecomOpen, unchecked_return_type = "{ verify: string } | { message: WecomMessage }")]
pub fn wecom_open(
    #[wasm_bindgen(unchecked_param_type = "WecomCrypto")] credentials: JsValue,
    #[wasm_bindgen(unchecked_param_type = "WecomQuery")] query: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | undefined")] body: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number")] now_s: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number")] max_skew_s: JsValue,
) -> Result<JsValue, JsValue> {
    let c = wx(&credentials)?;
    let sig = string(&get(&query, "msg_signature"), "msg_signature", Reason::BadSignature)?;
    let ts = string(&get(&query, "timestamp"), "timestamp", Reason::BadSignature)?;
    let nonce = string(&get(&query, "nonce"), "nonce", Reason::BadSignature)?;
    let echo = opt_string(&get(&query, "echostr"), "echostr", Reason::BadCiphertext)?;
    let body = opt_string(&body, "the body", Reason::BadBody)?;
    let q = wecom::Query { msg_signature: &sig, timestamp: &ts, nonce: &nonce, echostr: echo.as_deref() };
    match wecom::open(&c, q, body.as_deref(), num(&now_s, "now")?, num(&max_skew_s, "maxSkew")?) {
        Ok(wecom::Inbound::Verify(s)) => Ok(to_js(&serde_json::json!({ "verify": s }))),
        Ok(wecom::Inbound::Callback(cb)) => Ok(to_js(&serde_json::json!({ "message": cb.to_value() }))),
        Err(e) => Err(reject(&e)),
    }
}

/// The encrypted reply envelope (`{"encrypt","msgsignature","timestamp","nonce"}`, as JSON
/// text) for a passive reply object; `random` is 16 bytes from a CSPRNG.
#[wasm_bindgen(js_name = wecomSeal)]
pub fn wecom_seal(
    #[wasm_bindgen(unchecked_param_type = "WecomCrypto")] credentials: JsValue,
    #[wasm_bindgen(unchecked_param_type = "{ [key: string]: JsonValue }")] reply: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number")] timestamp_s: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] nonce: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Uint8Array")] random: JsValue,
) -> Result<String, JsValue> {
    let c = wx(&credentials)?;
    if !reply.is_object() {
        return Err(reject(&Rejection::new(Reason::BadReply, "a reply must be an object")));
    }
    let text = JSON::stringify(&reply)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| reject(&Rejection::new(Reason::BadReply, "the reply cannot be turned into JSON")))?;
    let nonce = string(&nonce, "nonce", Reason::BadConfig)?;
    c.envelope(&text, &random16(&random)?, num(&timestamp_s, "timestamp")?, &nonce).map_err(|e| reject(&e))
}

/// A stream reply object (content cut to 20480 bytes at a safe place).
#[wasm_bindgen(js_name = wecomStreamReply, unchecked_return_type = "{ msgtype: \"stream\"; stream: { [key: string]: JsonValue } }")]
pub fn wecom_stream_reply(
    #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] content: JsValue,
    finish: bool,
) -> Result<JsValue, JsValue> {
    let id = string(&id, "stream id", Reason::BadReply)?;
    let content = string(&content, "content", Reason::BadReply)?;
    Ok(to_js(&wecom::stream_reply(&id, &content, finish, &[], None)))
}

/// The response_url body: markdown, cut to 20480 bytes at a UTF-8 boundary, never inside a
/// link or a mention.
#[wasm_bindgen(js_name = wecomMarkdownReply, unchecked_return_type = "{ msgtype: \"markdown\"; markdown: { content: string } }")]
pub fn wecom_markdown_reply(
    #[wasm_bindgen(unchecked_param_type = "string")] content: JsValue,
) -> Result<JsValue, JsValue> {
    let content = string(&content, "content", Reason::BadReply)?;
    Ok(to_js(&wecom::markdown_reply(&content, None)))
}

/// What a response_url answer means: "ok", "retry" (-1, 6000, 5xx) or "fail" (44004, ...).
#[wasm_bindgen(js_name = wecomClassifyResponse, unchecked_return_type = "\"ok\" | \"retry\" | \"fail\"")]
pub fn wecom_classify_response(status: u16, body: &str) -> String {
    match wecom::classify_response(status, body) {
        Ok(()) => "ok",
        Err(true) => "retry",
        Err(false) => "fail",
    }
    .to_string()
}

/// Decrypt an image or file downloaded from a WeCom AI-bot callback URL.
#[wasm_bindgen(js_name = wecomDecryptMedia)]
pub fn wecom_decrypt_media(
    #[wasm_bindgen(unchecked_param_type = "WecomCrypto")] credentials: JsValue,
    data: &[u8],
) -> Result<Vec<u8>, JsValue> {
    wx(&credentials)?.decrypt_media(data).map_err(|e| reject(&e))
}

/// Check the DingTalk `timestamp` / `sign` headers (app secret, within one hour) and parse
/// the robot message.
#[wasm_bindgen(js_name = dingtalkOpen, unchecked_return_type = "DingTalkMessage")]
pub fn dingtalk_open(
    #[wasm_bindgen(unchecked_param_type = "string")] app_secret: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | null")] timestamp: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | null")] sign: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] body: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number")] now_ms: JsValue,
) -> Result<JsValue, JsValue> {
    let secret = string(&app_secret, "appSecret", Reason::BadConfig)?;
    let ts = opt_string(&timestamp, "the timestamp header", Reason::BadSignature)?.unwrap_or_default();
    let sign = opt_string(&sign, "the sign header", Reason::BadSignature)?.unwrap_or_default();
    let body = string(&body, "the body", Reason::BadBody)?;
    let m = dingtalk::open(&secret, &ts, &sign, &body, num(&now_ms, "now")?).map_err(|e| reject(&e))?;
    Ok(to_js(&m.to_value()))
}

/// Check and parse a Feishu / Lark event request: `{ challenge }` for url_verification,
/// else `{ message }`.
#[wasm_bindgen(
    js_name = feishuOpen,
    unchecked_return_type = "{ challenge: string } | { message: FeishuMessage | FeishuCardAction }"
)]
pub fn feishu_open(
    #[wasm_bindgen(unchecked_param_type = "FeishuCredentials")] credentials: JsValue,
    #[wasm_bindgen(unchecked_param_type = "FeishuHeaders")] headers: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] raw_body: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number")] now_s: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number")] max_skew_s: JsValue,
) -> Result<JsValue, JsValue> {
    let creds = feishu::Credentials {
        encrypt_key: opt_string(&get(&credentials, "encryptKey"), "encryptKey", Reason::BadConfig)?.unwrap_or_default(),
        verification_token: opt_string(
            &get(&credentials, "verificationToken"),
            "verificationToken",
            Reason::BadConfig,
        )?
        .unwrap_or_default(),
    };
    let ts = opt_string(&get(&headers, "timestamp"), "X-Lark-Request-Timestamp", Reason::BadSignature)?;
    let nonce = opt_string(&get(&headers, "nonce"), "X-Lark-Request-Nonce", Reason::BadSignature)?;
    let sig = opt_string(&get(&headers, "signature"), "X-Lark-Signature", Reason::BadSignature)?;
    let h = feishu::Headers { timestamp: ts.as_deref(), nonce: nonce.as_deref(), signature: sig.as_deref() };
    let body = string(&raw_body, "the body", Reason::BadBody)?;
    let ev =
        feishu::open(&creds, h, &body, num(&now_s, "now")?, num(&max_skew_s, "maxSkew")?).map_err(|e| reject(&e))?;
    Ok(match ev {
        feishu::Event::Challenge(c) => to_js(&serde_json::json!({ "challenge": c })),
        other => to_js(&serde_json::json!({ "message": other.to_value() })),
    })
}

/// The IM API body for one payload `render(message, "feishu")` made.
#[wasm_bindgen(
    js_name = feishuImBody,
    unchecked_return_type = "{ receive_id: string; msg_type: string; content: string }"
)]
pub fn feishu_im_body(
    #[wasm_bindgen(unchecked_param_type = "JsonValue")] payload: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] chat_id: JsValue,
) -> Result<JsValue, JsValue> {
    let chat = string(&chat_id, "chatId", Reason::BadReply)?;
    let text = JSON::stringify(&payload).ok().and_then(|s| s.as_string()).unwrap_or_default();
    let v: Value = crate::json::parse(&text)
        .map_err(|_| reject(&Rejection::new(Reason::BadReply, "the payload is not a JSON object")))?;
    Ok(to_js(&feishu::im_body(&v, &chat).map_err(|e| reject(&e))?))
}
