//! The JS surface (wasm32 only): `render`, `detectPlatform`, `UnifiedMessage`.
//!
//! Values cross the boundary as JSON (`JSON.stringify` in, `JSON.parse` out):
//! one well-tested path, no per-field glue, and plain objects, class
//! instances (via `toJSON`) and parsed JSON all work the same. Every error is
//! a real JS `Error` with a stable `.code` and, for a bad message, `.path`.

use js_sys::{JSON, Reflect};
use wasm_bindgen::prelude::*;

use crate::error::{Error, ErrorCode};
use crate::render::render_json;
use crate::target;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** Platforms a message can be rendered for. Lark is Feishu's international edition. */
export type Platform = "wecom" | "dingtalk" | "feishu" | "lark";

/** Stable error codes, in `error.code`. */
export type ErrorCode =
  | "INVALID_MESSAGE" | "INVALID_CONFIG" | "UNKNOWN_PLATFORM" | "UNSUPPORTED"
  | "RATE_LIMIT" | "NETWORK_ERROR" | "TIMEOUT" | "PLATFORM_ERROR" | "DUPLICATE";

/** The Error thrown by `render`, `detectPlatform` and `new UnifiedMessage`. */
export interface WebhookPushError extends Error {
  code: ErrorCode;
  /** JSON path of the offending field of a message, e.g. `content.body.links[2].url`. */
  path?: string;
}

/** Any JSON value (platform payloads, raw bodies). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface Mention {
  type: "mobile" | "user_id" | "all";
  /** Mobile number or user id (Feishu: open_id); omitted for `all`. */
  value?: string;
  display_name?: string;
}

export interface Article {
  title: string;
  description?: string;
  url: string;
  image_url?: string;
}

export interface CardButton {
  text: string | { tag?: string; content: string };
  url: string;
  style?: "default" | "primary" | "danger" | "positive";
  type?: string;
}

export interface CardField {
  name: string;
  value: string | number;
  url?: string;
}

/** The neutral card: renders natively on every platform. */
export interface NeutralCard {
  card_type?: "neutral";
  title?: string;
  subtitle?: string;
  /** Markdown. */
  text?: string;
  emphasis?: { title: string; desc?: string };
  fields?: CardField[];
  buttons?: CardButton[];
  image?: string | { url: string };
  /** Where a click on the card goes. */
  url?: string;
  /** Header colour: blue, green, orange, red, grey, or info / warning / danger / success. */
  color?: string;
}

/** The seed's WeCom template cards (WeCom's own keys pass through). */
export interface WecomCard {
  card_type: "text_notice" | "news_notice";
  title?: string;
  description?: string;
  emphasis?: { title: string; desc?: string };
  horizontal_content_list?: { keyname: string; value?: string; type?: number; url?: string }[];
  vertical_content_list?: { title: string; desc?: string }[];
  jump_list?: { type?: number; url?: string; title: string; appid?: string; pagepath?: string }[];
  action?: { type: number; url?: string; appid?: string; pagepath?: string };
  card_image?: { url: string; aspect_ratio?: number };
  [wecomKey: string]: JsonValue | undefined;
}

/** The seed's DingTalk action cards. */
export interface DingTalkCard {
  card_type: "single" | "multi";
  title?: string;
  config?: { hide_avatar?: string; btn_orientation?: string };
  elements?: { type?: string; text: string }[];
  actions?: { text: string; url: string; style?: string }[];
}

/** The seed's Feishu interactive card (card JSON 1.0 elements pass through). */
export interface FeishuCard {
  card_type?: "interactive";
  title?: string;
  config?: { [key: string]: JsonValue };
  header?: { [key: string]: JsonValue };
  elements: JsonValue[];
  actions?: CardButton[];
}

export type CardBody = NeutralCard | WecomCard | DingTalkCard | FeishuCard;

export type MessageContent =
  | { type: "text"; title?: string; body: { text: string }; mentions?: Mention[] }
  | { type: "markdown"; title?: string; body: { content: string }; mentions?: Mention[] }
  | { type: "image"; title?: string; body: { url?: string; base64?: string; md5?: string; image_key?: string; alt?: string }; mentions?: Mention[] }
  | { type: "link"; title?: string; body: { title?: string; text?: string; url: string; image_url?: string }; mentions?: Mention[] }
  | { type: "news" | "feed"; title?: string; body: { links: Article[] }; mentions?: Mention[] }
  | { type: "card"; title?: string; body: CardBody; mentions?: Mention[] }
  | { type: "file"; title?: string; body: { url?: string; media_id?: string; name?: string; base64?: string }; mentions?: Mention[] }
  | { type: "raw"; title?: string; body: { wecom?: { [key: string]: JsonValue }; dingtalk?: { [key: string]: JsonValue }; feishu?: { [key: string]: JsonValue }; lark?: { [key: string]: JsonValue } }; mentions?: Mention[] };

export interface MessageMetadata {
  message_id?: string;
  correlation_id?: string;
}

/** The unified message, in the seed's JSON shape (snake_case). */
export interface UnifiedMessageInit {
  content: MessageContent;
  metadata?: MessageMetadata;
}

export interface RenderOptions {
  /** Webhook URL, or a bare WeCom key / DingTalk access token / Feishu hook id. */
  webhook?: string;
  /** Same as `webhook`. */
  webhookUrl?: string;
  /** DingTalk / Feishu signing secret. */
  secret?: string;
  /** Clock for signing, ms since the epoch; default `Date.now()`. */
  timestamp?: number;
  /** Content over the platform's limit: several messages (default), one cut message, or an error. */
  overflow?: "split" | "truncate" | "error";
  /** WeCom markdown flavour; `auto` picks markdown_v2 for tables, code and images without mentions. */
  wecomMarkdown?: "auto" | "v1" | "v2";
  /** Scheme and host to use instead of the platform's, e.g. a proxy or a test server. */
  baseUrl?: string;
}

/** One step down the degradation ladder. */
export interface Degradation {
  from: string;
  to: string;
  reason: string;
}

export interface RenderResult {
  platform: Platform;
  /** The URL to POST to (signed for DingTalk); null when no webhook was given. */
  url: string | null;
  /** One JSON body per message to send, in order. */
  payloads: { [key: string]: JsonValue }[];
  degraded: Degradation[];
  /** payloads.length */
  parts: number;
}
"#;

/// A JS `Error` with `.code` and `.path`.
pub(crate) fn js_error(e: &Error) -> JsValue {
    let err = js_sys::Error::new(&e.message);
    err.set_name("WebhookPushError");
    let _ = Reflect::set(&err, &JsValue::from_str("code"), &JsValue::from_str(e.code.as_str()));
    if let Some(p) = &e.path {
        let _ = Reflect::set(&err, &JsValue::from_str("path"), &JsValue::from_str(p));
    }
    err.into()
}

/// `JSON.stringify(v)`, as a typed error when it cannot be (cyclic, BigInt, undefined).
fn stringify(v: &JsValue, code: ErrorCode, what: &str) -> Result<String, Error> {
    if v.is_undefined() || v.is_null() {
        return Ok(String::new());
    }
    match JSON::stringify(v) {
        Ok(s) => s.as_string().ok_or_else(|| Error::new(code, format!("{what} is not a JSON value"))),
        Err(_) => Err(Error::new(code, format!("{what} cannot be turned into JSON (a cycle or a BigInt?)"))),
    }
}

fn parse(json: &str) -> Result<JsValue, JsValue> {
    JSON::parse(json).map_err(|_| js_error(&Error::new(ErrorCode::InvalidConfig, "internal: output is not JSON")))
}

fn render_inner(message: &JsValue, platform: &JsValue, options: &JsValue) -> Result<String, Error> {
    let platform = platform.as_string().ok_or_else(|| {
        Error::new(ErrorCode::UnknownPlatform, "the platform must be a string: wecom, dingtalk, feishu or lark")
    })?;
    let msg = stringify(message, ErrorCode::InvalidMessage, "the message")?;
    if msg.is_empty() {
        return Err(Error::at("", "a message is required"));
    }
    let opts = stringify(options, ErrorCode::InvalidConfig, "the options")?;
    let rendered = render_json(&msg, &platform, &opts, js_sys::Date::now() as u64)?;
    serde_json::to_string(&rendered.to_value())
        .map_err(|_| Error::new(ErrorCode::InvalidMessage, "output is not serialisable"))
}

/// Render a message for a platform: the payloads to POST, the URL to post
/// them to (when a webhook is given), and what was degraded. Pure: sends nothing.
#[wasm_bindgen(js_name = render, unchecked_return_type = "RenderResult")]
pub fn render(
    #[wasm_bindgen(unchecked_param_type = "UnifiedMessageInit | UnifiedMessage")] message: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Platform")] platform: JsValue,
    #[wasm_bindgen(unchecked_param_type = "RenderOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let out = render_inner(&message, &platform, &options.unwrap_or(JsValue::UNDEFINED)).map_err(|e| js_error(&e))?;
    parse(&out)
}

/// The platform of a webhook URL, or `null` for a well-formed URL of no known
/// platform. Throws `INVALID_CONFIG` for a malformed URL.
#[wasm_bindgen(js_name = detectPlatform, unchecked_return_type = "Platform | null")]
pub fn detect_platform(#[wasm_bindgen(unchecked_param_type = "string")] url: JsValue) -> Result<JsValue, JsValue> {
    let url = url.as_string().ok_or_else(|| js_error(&Error::config("the webhook URL must be a string")))?;
    match target::detect_platform(&url) {
        Ok(Some(p)) => Ok(JsValue::from_str(p.as_str())),
        Ok(None) => Ok(JsValue::NULL),
        Err(e) => Err(js_error(&e)),
    }
}

/// A validated message. Plain objects work everywhere a `UnifiedMessage`
/// does; the class checks a message once, up front, with the same errors.
#[wasm_bindgen(js_name = UnifiedMessage)]
pub struct JsUnifiedMessage {
    value: JsValue,
}

#[wasm_bindgen(js_class = UnifiedMessage)]
impl JsUnifiedMessage {
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "UnifiedMessageInit")] init: JsValue,
    ) -> Result<JsUnifiedMessage, JsValue> {
        let json = stringify(&init, ErrorCode::InvalidMessage, "the message").map_err(|e| js_error(&e))?;
        crate::model::UnifiedMessage::from_json(if json.is_empty() { "null" } else { &json })
            .map_err(|e| js_error(&e))?;
        Ok(JsUnifiedMessage { value: parse(&json)? })
    }

    /// The message as a plain object (what `JSON.stringify` writes).
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "UnifiedMessageInit")]
    pub fn to_json(&self) -> JsValue {
        self.value.clone()
    }

    #[wasm_bindgen(getter, unchecked_return_type = "MessageContent")]
    pub fn content(&self) -> JsValue {
        Reflect::get(&self.value, &JsValue::from_str("content")).unwrap_or(JsValue::UNDEFINED)
    }

    #[wasm_bindgen(getter, unchecked_return_type = "MessageMetadata | undefined")]
    pub fn metadata(&self) -> JsValue {
        Reflect::get(&self.value, &JsValue::from_str("metadata")).unwrap_or(JsValue::UNDEFINED)
    }
}
