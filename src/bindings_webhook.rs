//! The generic webhook target in the JS surface: `send(message, "webhook",
//! { webhook: config })` and named services (`new MessageSender({ services })`,
//! `sender.sendTo(message, "name" | ["a", "b"])`). A child of `bindings`.
//!
//! The engine is feature `webhook` (the `webhook-push/webhook` subpath's wasm).
//! Without it the same methods exist and each answers `UNSUPPORTED`, naming
//! that subpath ([`crate::platform::webhook::unsupported`]): `send(…, "webhook", …)`
//! resolves to a failed result (send never rejects), `new MessageSender({ services })`
//! (with any service; `{}` is none), `sendTo` and `services()` throw.

use std::rc::Rc;

use super::future_to_promise;
#[cfg(feature = "webhook")]
use js_sys::Array;
use js_sys::Promise;
use serde_json::Value;
#[cfg(feature = "webhook")]
use serde_json::json;
use wasm_bindgen::prelude::*;

use super::{JsMessageSender, input_failure, js_error, to_js};
#[cfg(feature = "webhook")]
use super::{message_text, read_with, stringify};
use crate::error::Error;
#[cfg(feature = "webhook")]
use crate::error::ErrorCode;
use crate::host::JsHost;
use crate::platform::Platform;
#[cfg(feature = "webhook")]
use crate::sender::SendResult;
use crate::sender::Sender;
#[cfg(feature = "webhook")]
use crate::webhook::{Message, WebhookConfig};

/// The named services of a sender, in the order given.
#[cfg(feature = "webhook")]
pub(super) type Services = Rc<Vec<(String, WebhookConfig)>>;
/// No engine, no services: a sender given some refuses them.
#[cfg(not(feature = "webhook"))]
pub(super) struct Services;

/// `options.services` without the engine: none (absent, null or `{}`) is fine, any is `UNSUPPORTED`.
#[cfg(not(feature = "webhook"))]
pub(super) fn services(options: &Value) -> Result<Services, Error> {
    match options.get("services") {
        None | Some(Value::Null) => Ok(Services),
        Some(Value::Object(m)) if m.is_empty() => Ok(Services),
        Some(_) => Err(crate::platform::webhook::unsupported()),
    }
}

/// `send(message, "webhook", target)` without the engine: a failed result, `UNSUPPORTED`.
#[cfg(not(feature = "webhook"))]
pub(super) fn send(_inner: Rc<Sender<JsHost>>, _message: &JsValue, _target: &JsValue) -> Promise {
    let out = input_failure(Platform::Webhook, &crate::platform::webhook::unsupported());
    future_to_promise(async move { Ok(to_js(&out)) })
}

#[cfg(feature = "webhook")]
/// `options.services`: `{ name: config, … }`, each checked now (an error names the service).
pub(super) fn services(options: &Value) -> Result<Services, Error> {
    let list = match options.get("services") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Object(m)) => {
            let mut out = Vec::with_capacity(m.len());
            for (name, v) in m {
                let shown = crate::model::clip(name, 40);
                let cfg = crate::platform::webhook::config_of(v)
                    .map_err(|e| Error::config(format!("services.{shown}: {}", e.message)))?;
                out.push((name.clone(), cfg));
            }
            out
        }
        Some(_) => return Err(Error::config("services must be an object: { name: { url, body, … } }")),
    };
    Ok(Rc::new(list))
}

/// Is this platform argument a target configured per target (`"webhook"`)?
pub(super) fn is_configured(platform: &JsValue) -> bool {
    platform.as_string().and_then(|n| Platform::parse(&n).ok()).is_some_and(|p| p.spec().configured())
}

#[cfg(feature = "webhook")]
fn message_of(message: &JsValue) -> Result<Message, Error> {
    let text = message_text(message)?;
    if text.json.is_empty() {
        return Err(Error::at("", "a message is required"));
    }
    read_with(message, &text, &|t| {
        let (parsed, raw) = crate::model::UnifiedMessage::from_json_with_value_raw(&t.json, &t.raw)?;
        Ok(Message { parsed, raw })
    })
}

#[cfg(feature = "webhook")]
/// The target of `send(message, "webhook", target)`: `{ webhook: config }`,
/// the config itself (it has a `url`), or its JSON text.
fn config_of_target(target: &JsValue) -> Result<WebhookConfig, Error> {
    let json = stringify(target, ErrorCode::InvalidConfig, "the target")?;
    let v: Value = if json.is_empty() { Value::Null } else { crate::json::parse(&json).unwrap_or(Value::Null) };
    let cfg = match &v {
        Value::Object(m) if m.contains_key("webhook") => &m["webhook"],
        Value::Object(m) if m.contains_key("config") => &m["config"],
        other => other,
    };
    crate::platform::webhook::config_of(cfg)
}

#[cfg(feature = "webhook")]
/// `send(message, "webhook", target)`.
pub(super) fn send(inner: Rc<Sender<JsHost>>, message: &JsValue, target: &JsValue) -> Promise {
    let parsed = config_of_target(target).and_then(|c| Ok((message_of(message)?, c)));
    future_to_promise(async move {
        let out = match parsed {
            Ok((msg, cfg)) => inner.send_webhook(&msg, &cfg).await.to_value(),
            Err(e) => input_failure(Platform::Webhook, &e),
        };
        Ok(to_js(&out))
    })
}

#[cfg(feature = "webhook")]
fn names_of(names: &JsValue) -> Result<Vec<String>, Error> {
    if let Some(n) = names.as_string() {
        return Ok(vec![n]);
    }
    if Array::is_array(names) {
        let list = Array::from(names).to_vec();
        return list
            .iter()
            .map(|n| {
                n.as_string()
                    .ok_or_else(|| Error::config("sendTo takes service names: a string or an array of strings"))
            })
            .collect();
    }
    Err(Error::config("sendTo takes service names: a string or an array of strings"))
}

// One export for both builds: without the engine each method answers UNSUPPORTED naming the subpath.
#[wasm_bindgen(js_class = MessageSender)]
impl JsMessageSender {
    /// Send to named services (`options.services`), at once. A disabled
    /// service is skipped (listed in `skipped`); an unknown name is a failed
    /// result. Each result carries its `service` name. From `webhook-push/webhook`
    /// (or `/inbound`): the main entry throws `UNSUPPORTED`.
    #[wasm_bindgen(js_name = sendTo, unchecked_return_type = "Promise<SendToResult>")]
    pub fn send_to(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UnifiedMessageInit | UnifiedMessage")] message: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | string[]")] names: JsValue,
    ) -> Result<Promise, JsValue> {
        #[cfg(not(feature = "webhook"))]
        {
            let _ = (message, names, &self.services);
            Err(js_error(&crate::platform::webhook::unsupported()))
        }
        #[cfg(feature = "webhook")]
        self.send_to_services(message, names)
    }

    /// The named services: `{ name, enabled, tags, description }` each (no URL, header or secret).
    /// From `webhook-push/webhook` (or `/inbound`): the main entry throws `UNSUPPORTED`.
    #[wasm_bindgen(js_name = services, unchecked_return_type = "ServiceInfo[]")]
    pub fn list_services(&self) -> Result<JsValue, JsValue> {
        #[cfg(not(feature = "webhook"))]
        {
            let _ = &self.services;
            Err(js_error(&crate::platform::webhook::unsupported()))
        }
        #[cfg(feature = "webhook")]
        {
            let list: Vec<Value> = self
                .services
                .iter()
                .map(|(n, c)| json!({"name": n, "enabled": c.enabled, "tags": c.tags, "description": c.description}))
                .collect();
            Ok(to_js(&Value::Array(list)))
        }
    }
}

#[cfg(feature = "webhook")]
impl JsMessageSender {
    fn send_to_services(&self, message: JsValue, names: JsValue) -> Result<Promise, JsValue> {
        let names = names_of(&names).map_err(|e| js_error(&e))?;
        let inner = self.inner.clone();
        let services = self.services.clone();
        let msg = message_of(&message);
        Ok(future_to_promise(async move {
            let mut results: Vec<Value> = Vec::new();
            let mut skipped: Vec<Value> = Vec::new();
            let mut chosen: Vec<(String, &WebhookConfig)> = Vec::new();
            for name in &names {
                match services.iter().find(|(n, _)| n == name) {
                    Some((n, cfg)) if !cfg.enabled => skipped.push(Value::String(n.clone())),
                    Some((n, cfg)) => chosen.push((n.clone(), cfg)),
                    None => {
                        let shown =
                            crate::platform::spec::shown_name(name).map_or("given".into(), |n| format!("'{n}'"));
                        let mut v =
                            input_failure(Platform::Webhook, &Error::config(format!("no service named {shown}")));
                        v["service"] = Value::String(crate::model::clip(name, 40));
                        results.push(v);
                    }
                }
            }
            match &msg {
                Ok(m) => {
                    let futs: Vec<std::pin::Pin<Box<dyn std::future::Future<Output = SendResult> + '_>>> =
                        chosen.iter().map(|(_, cfg)| Box::pin(inner.send_webhook(m, cfg)) as _).collect();
                    let sent = crate::sender::join_all(futs).await;
                    for ((name, _), r) in chosen.iter().zip(sent) {
                        let mut v = r.to_value();
                        v["service"] = Value::String(name.clone());
                        results.push(v);
                    }
                }
                Err(e) => {
                    for (name, _) in &chosen {
                        let mut v = input_failure(Platform::Webhook, e);
                        v["service"] = Value::String(name.clone());
                        results.push(v);
                    }
                }
            }
            let ok = results.iter().filter(|r| r["success"] == Value::Bool(true)).count();
            let out = json!({
                "successCount": ok,
                "failedCount": results.len() - ok,
                "results": results,
                "skipped": skipped,
            });
            Ok(to_js(&out))
        }))
    }
}
