//! What a send resolves to: [`SendResult`], and its JSON shape (the JS
//! `SendResult`).

use serde_json::{Map, Value, json};

use crate::degrade::Degradation;
use crate::error::ErrorCode;
use crate::platform::Platform;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendError {
    pub code: ErrorCode,
    pub message: String,
    pub platform_code: Option<i64>,
    pub platform_message: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SendResult {
    pub success: bool,
    pub platform: Platform,
    /// HTTP requests made (uploads and image fetches not counted).
    pub attempts: u32,
    pub error: Option<SendError>,
    pub retry_suggested: bool,
    /// Milliseconds to wait before trying again, when known.
    pub retry_after: Option<u64>,
    pub degraded: Vec<Degradation>,
    pub message_id: Option<String>,
    pub correlation_id: Option<String>,
    pub elapsed_ms: u64,
    /// Messages the content was split into, and how many were delivered.
    pub parts: usize,
    pub parts_delivered: usize,
}

impl SendResult {
    /// A result for input refused before anything was sent.
    pub fn refused(platform: Platform, error: SendError) -> SendResult {
        SendResult {
            success: false,
            platform,
            attempts: 0,
            error: Some(error),
            retry_suggested: false,
            retry_after: None,
            degraded: Vec::new(),
            message_id: None,
            correlation_id: None,
            elapsed_ms: 0,
            parts: 0,
            parts_delivered: 0,
        }
    }

    /// The JS `SendResult`.
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("success".into(), Value::Bool(self.success));
        m.insert("platform".into(), Value::String(self.platform.as_str().into()));
        m.insert("attempts".into(), Value::from(self.attempts));
        m.insert(
            "error".into(),
            match &self.error {
                None => Value::Null,
                Some(e) => json!({
                    "code": e.code.as_str(),
                    "message": e.message,
                    "platformCode": e.platform_code,
                    "platformMessage": e.platform_message,
                }),
            },
        );
        m.insert("retrySuggested".into(), Value::Bool(self.retry_suggested));
        m.insert("retryAfter".into(), self.retry_after.map_or(Value::Null, Value::from));
        m.insert(
            "degraded".into(),
            self.degraded.iter().map(|d| json!({"from": d.from, "to": d.to, "reason": d.reason})).collect(),
        );
        m.insert("messageId".into(), self.message_id.clone().map_or(Value::Null, Value::String));
        m.insert("correlationId".into(), self.correlation_id.clone().map_or(Value::Null, Value::String));
        m.insert("elapsedMs".into(), Value::from(self.elapsed_ms));
        m.insert("parts".into(), Value::from(self.parts));
        m.insert("partsDelivered".into(), Value::from(self.parts_delivered));
        Value::Object(m)
    }
}
