//! What a send resolves to: [`SendResult`], and its JSON shape (the JS
//! `SendResult`).

use serde_json::{Map, Value, json};

use crate::degrade::Degradation;
use crate::error::ErrorCode;
use crate::platform::Platform;

/// Why a send failed. Its fields live in one box (read them as `e.code`, `e.message`, ...), as
/// [`crate::error::Error`]'s do: a failure carried through `?` and `Result`s is a pointer wide.
#[derive(Clone, PartialEq, Eq)]
pub struct SendError(Box<SendErrorFields>);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendErrorFields {
    pub code: ErrorCode,
    pub message: String,
    pub platform_code: Option<i64>,
    pub platform_message: Option<String>,
}

impl From<SendErrorFields> for SendError {
    fn from(fields: SendErrorFields) -> Self {
        SendError(Box::new(fields))
    }
}

impl std::ops::Deref for SendError {
    type Target = SendErrorFields;
    fn deref(&self) -> &SendErrorFields {
        &self.0
    }
}

impl std::ops::DerefMut for SendError {
    fn deref_mut(&mut self) -> &mut SendErrorFields {
        &mut self.0
    }
}

impl std::fmt::Debug for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
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

    /// The JSON text of [`SendResult::to_value`], written directly (no value tree):
    /// what a send resolves to crosses to JS as this text.
    pub fn to_json(&self) -> String {
        use crate::json::write_str;
        use std::fmt::Write;
        let opt_str = |s: &Option<String>, out: &mut String| match s {
            Some(s) => write_str(s, out),
            None => out.push_str("null"),
        };
        let mut out = String::with_capacity(256);
        out.push_str("{\"attempts\":");
        let _ = write!(out, "{}", self.attempts);
        out.push_str(",\"correlationId\":");
        opt_str(&self.correlation_id, &mut out);
        out.push_str(",\"degraded\":[");
        for (i, d) in self.degraded.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"from\":");
            write_str(&d.from, &mut out);
            out.push_str(",\"reason\":");
            write_str(&d.reason, &mut out);
            out.push_str(",\"to\":");
            write_str(&d.to, &mut out);
            out.push('}');
        }
        let _ = write!(out, "],\"elapsedMs\":{},\"error\":", self.elapsed_ms);
        match &self.error {
            None => out.push_str("null"),
            Some(e) => {
                out.push_str("{\"code\":");
                write_str(e.code.as_str(), &mut out);
                out.push_str(",\"message\":");
                write_str(&e.message, &mut out);
                out.push_str(",\"platformCode\":");
                match e.platform_code {
                    Some(c) => {
                        let _ = write!(out, "{c}");
                    }
                    None => out.push_str("null"),
                }
                out.push_str(",\"platformMessage\":");
                opt_str(&e.platform_message, &mut out);
                out.push('}');
            }
        }
        out.push_str(",\"messageId\":");
        opt_str(&self.message_id, &mut out);
        let _ = write!(out, ",\"parts\":{},\"partsDelivered\":{},\"platform\":", self.parts, self.parts_delivered);
        write_str(self.platform.as_str(), &mut out);
        out.push_str(",\"retryAfter\":");
        match self.retry_after {
            Some(r) => {
                let _ = write!(out, "{r}");
            }
            None => out.push_str("null"),
        }
        let _ = write!(out, ",\"retrySuggested\":{},\"success\":{}}}", self.retry_suggested, self.success);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::degrade::Degradation;

    fn results() -> Vec<SendResult> {
        let mut ok = SendResult::refused(
            Platform::Feishu,
            SendError::from(SendErrorFields {
                code: ErrorCode::PlatformError,
                message: "refused: \"quoted\" \\ and \u{1} and \u{2028} 中文".into(),
                platform_code: Some(-19021),
                platform_message: Some("sign match fail or timestamp is not within one hour from current time".into()),
            }),
        );
        ok.degraded.push(Degradation { from: "card".into(), to: "text".into(), reason: "no cards\n here".into() });
        ok.degraded.push(Degradation { from: "image".into(), to: "link".into(), reason: String::new() });
        ok.retry_after = Some(60_000);
        ok.retry_suggested = true;
        ok.message_id = Some("m-1".into());
        ok.elapsed_ms = 12;
        ok.parts = 3;
        ok.parts_delivered = 1;
        ok.attempts = 4;
        let mut plain = SendResult::refused(
            Platform::Wecom,
            SendError::from(SendErrorFields {
                code: ErrorCode::Timeout,
                message: String::new(),
                platform_code: None,
                platform_message: None,
            }),
        );
        plain.error = None;
        plain.success = true;
        plain.correlation_id = Some("c".into());
        vec![ok, plain]
    }

    #[test]
    fn the_json_text_is_the_value_written_out() {
        for r in results() {
            let text = r.to_json();
            let parsed: Value = serde_json::from_str(&text).expect("valid JSON");
            assert_eq!(parsed, r.to_value(), "{text}");
            assert_eq!(text, crate::json::to_string(&r.to_value()), "same text as the value's");
        }
    }
}
