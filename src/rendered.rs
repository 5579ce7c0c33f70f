//! What a render produces: the payloads to post, the URL, and what was
//! degraded; a leaf, so the renderers of every platform (the generic webhook's
//! too) and the render entry point can name it without importing each other.

use serde_json::{Map, Value, json};

use crate::degrade::Degradation;
use crate::payload::Payload;
use crate::platform::Platform;

#[derive(Clone, Debug, PartialEq)]
pub struct Rendered {
    pub platform: Platform,
    /// The URL to post to (signed for DingTalk), when a webhook was given.
    pub url: Option<String>,
    /// One payload per message to send, in order.
    pub payloads: Vec<Payload>,
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
            Some(u) => crate::json::write_str(u, &mut out),
            None => out.push_str("null"),
        }
        out.push_str(",\"payloads\":[");
        for (i, p) in self.payloads.iter().enumerate() {
            if i > 0 {
                crate::json::push_ascii(&mut out, b',');
            }
            p.write(&mut out);
        }
        out.push_str("],\"degraded\":");
        crate::json::push_ascii(&mut out, b'[');
        for (i, d) in self.degraded.iter().enumerate() {
            if i > 0 {
                crate::json::push_ascii(&mut out, b',');
            }
            out.push_str("{\"from\":");
            crate::json::write_str(&d.from, &mut out);
            out.push_str(",\"to\":");
            crate::json::write_str(&d.to, &mut out);
            out.push_str(",\"reason\":");
            crate::json::write_str(&d.reason, &mut out);
            crate::json::push_ascii(&mut out, b'}');
        }
        crate::json::push_ascii(&mut out, b']');
        out.push_str(",\"parts\":");
        out.push_str(&self.payloads.len().to_string());
        crate::json::push_ascii(&mut out, b'}');
        out
    }

    pub fn to_value(&self) -> Value {
        let degraded: Vec<Value> =
            self.degraded.iter().map(|d| json!({"from": d.from, "to": d.to, "reason": d.reason})).collect();
        let mut m = Map::new();
        m.insert("platform".into(), Value::String(self.platform.as_str().into()));
        m.insert("url".into(), self.url.clone().map_or(Value::Null, Value::String));
        m.insert("payloads".into(), Value::Array(self.payloads.iter().map(Payload::to_value).collect()));
        m.insert("degraded".into(), Value::Array(degraded));
        m.insert("parts".into(), Value::from(self.payloads.len()));
        Value::Object(m)
    }
}
