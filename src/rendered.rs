//! What a render produces: the payloads to post, the URL, and what was
//! degraded; a leaf, so the renderers of every platform (the generic webhook's
//! too) and the render entry point can name it without importing each other.

use serde_json::{Map, Value, json};

use crate::degrade::Degradation;
use crate::platform::Platform;

#[derive(Clone, Debug, PartialEq)]
pub struct Rendered {
    pub platform: Platform,
    /// The URL to post to (signed for DingTalk), when a webhook was given.
    pub url: Option<String>,
    /// One payload per message to send, in order.
    pub payloads: Vec<Value>,
    pub degraded: Vec<Degradation>,
}

impl Rendered {
    /// The JSON text of [`Rendered::to_value`], written without copying the payloads.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(256);
        out.push_str("{\"platform\":\"");
        out.push_str(self.platform.as_str());
        out.push_str("\",\"url\":");
        match &self.url {
            Some(u) => crate::json::write(&Value::String(u.clone()), &mut out),
            None => out.push_str("null"),
        }
        out.push_str(",\"payloads\":[");
        for (i, p) in self.payloads.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            crate::json::write(p, &mut out);
        }
        out.push_str("],\"degraded\":");
        let degraded: Vec<Value> =
            self.degraded.iter().map(|d| json!({"from": d.from, "to": d.to, "reason": d.reason})).collect();
        crate::json::write(&Value::Array(degraded), &mut out);
        out.push_str(",\"parts\":");
        out.push_str(&self.payloads.len().to_string());
        out.push('}');
        out
    }

    pub fn to_value(&self) -> Value {
        let degraded: Vec<Value> =
            self.degraded.iter().map(|d| json!({"from": d.from, "to": d.to, "reason": d.reason})).collect();
        let mut m = Map::new();
        m.insert("platform".into(), Value::String(self.platform.as_str().into()));
        m.insert("url".into(), self.url.clone().map_or(Value::Null, Value::String));
        m.insert("payloads".into(), Value::Array(self.payloads.clone()));
        m.insert("degraded".into(), Value::Array(degraded));
        m.insert("parts".into(), Value::from(self.payloads.len()));
        Value::Object(m)
    }
}
