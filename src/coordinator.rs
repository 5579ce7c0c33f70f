//! One rate limit and one dedup record across isolates and processes.
//!
//! A [`Coordinator`] is shared by every sender that posts to the same bots (a
//! Cloudflare Durable Object per bot, a Redis script, a database row): the
//! sender asks it for a rate slot before each request and claims a message's
//! `message_id` before sending it. When a sender has one, it replaces the
//! sender's own rate windows and dedup memory.
//!
//! The JS interface (`SendCoordinator` in the .d.ts):
//!
//! - `acquire(bot, windows)` takes a slot now if every window allows it
//!   (`{ waitMs: 0 }`), else takes nothing and says how long to wait;
//! - `claim(bot, messageId, ttlMs)` answers `"new"` (the caller holds the id
//!   now), `"partial:N/M"` (the caller holds it and sends parts N+1..M),
//!   or the record another caller holds: `"sent"` or `"pending"`;
//! - `settle(bot, messageId, state, ttlMs)` records `"sent"`, `"partial:N/M"`
//!   or `"released"` (failed: it may be claimed again).
//!
//! `bot` is [`bot_id`]: a hash of platform and credential, never the secret.
//! Every call is bounded by the sender's per-request timeout. A coordinator
//! that fails (throws, rejects, answers nonsense, or does not answer in time)
//! does not lose the message: the sender falls back to its own windows and
//! memory for that send and says so in the result's `degraded` list
//! (`from: "coordinator"`).

use std::future::Future;
use std::pin::Pin;

use crate::degrade::Degradation;
use crate::policy;
use crate::target::{self, Platform};

/// A boxed future on one thread (wasm has no others).
pub type LocalFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// The shared rate slots and message records. `Err` carries a short reason
/// (no secret: the coordinator only ever sees bot hashes and message ids).
pub trait Coordinator {
    /// `Ok(0)`: a slot was taken now. `Ok(ms)`: nothing taken, ask again after `ms`.
    fn acquire<'a>(&'a self, bot: &'a str, windows: &'a [(usize, u64)]) -> LocalFuture<'a, Result<u64, String>>;
    fn claim<'a>(&'a self, bot: &'a str, message_id: &'a str, ttl_ms: u64) -> LocalFuture<'a, Result<String, String>>;
    fn settle<'a>(
        &'a self,
        bot: &'a str,
        message_id: &'a str,
        state: &'a str,
        ttl_ms: u64,
    ) -> LocalFuture<'a, Result<(), String>>;
}

/// The bot's identity as the coordinator is given it: [`target::bot_id_of_url`]
/// (`"<platform>:<32 hex>"`, a hash of platform and credential, never the
/// credential). A URL without a credential has none: such a send fails
/// before any coordinator call.
pub fn bot_id(platform: Platform, url: &str) -> crate::error::Result<String> {
    target::bot_id_of_url(platform, url)
}

/// What a claim decided for this send.
pub(crate) enum Claim {
    /// No coordinator, or no message_id: the sender's own dedup applies.
    NotUsed,
    /// The coordinator failed: the sender's own dedup applies, noted.
    Failed(Degradation),
    /// Someone else holds or delivered it: "sent" or "pending".
    Taken(String),
    /// This send holds the id; resume after the first N of M parts if given.
    Held(Option<(usize, usize)>),
}

/// The rate windows as the coordinator gets them: each platform's documented
/// limit, the window widened by the shared windows' safety margin.
pub fn windows_for(platform: Platform) -> Vec<(usize, u64)> {
    policy::rate_limits(platform).iter().map(|&(n, w)| (n, w + policy::shared_margin(w))).collect()
}

pub(crate) fn fallback(what: &str, why: &str) -> Degradation {
    Degradation {
        from: "coordinator".into(),
        to: "local".into(),
        reason: format!(
            "the coordinator's {what} failed ({}); this sender's own {} was used",
            crate::model::clip(why, 120),
            if what == "acquire" { "rate window" } else { "dedup memory" }
        ),
    }
}

/// Parse a stored `partial:N/M`.
pub(crate) fn parse_partial(s: &str) -> Option<(usize, usize)> {
    let (n, m) = s.strip_prefix("partial:")?.split_once('/')?;
    let (n, m) = (n.parse().ok()?, m.parse().ok()?);
    (n <= m && m > 0).then_some((n, m))
}

/// The JS `SendCoordinator` object (wasm32).
#[cfg(target_arch = "wasm32")]
pub mod js {
    use js_sys::{Array, Function, Object, Promise, Reflect};
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    use super::{Coordinator, LocalFuture};

    pub struct JsCoordinator(pub JsValue);

    fn why(e: &JsValue) -> String {
        Reflect::get(e, &JsValue::from_str("message"))
            .ok()
            .and_then(|m| m.as_string())
            .or_else(|| e.as_string())
            .unwrap_or_else(|| "rejected".into())
    }

    impl JsCoordinator {
        async fn call(&self, method: &str, args: Array) -> Result<JsValue, String> {
            let f: Function = Reflect::get(&self.0, &JsValue::from_str(method))
                .ok()
                .and_then(|f| f.dyn_into().ok())
                .ok_or_else(|| format!("it has no {method} method"))?;
            let out = f.apply(&self.0, &args).map_err(|e| format!("{method} threw: {}", why(&e)))?;
            // a value, a Promise or any thenable (a Durable Object RPC call)
            JsFuture::from(Promise::resolve(&out)).await.map_err(|e| format!("{method} rejected: {}", why(&e)))
        }
    }

    impl Coordinator for JsCoordinator {
        fn acquire<'a>(&'a self, bot: &'a str, windows: &'a [(usize, u64)]) -> LocalFuture<'a, Result<u64, String>> {
            Box::pin(async move {
                let ws = Array::new();
                for &(n, w) in windows {
                    let o = Object::new();
                    let _ = Reflect::set(&o, &JsValue::from_str("limit"), &JsValue::from_f64(n as f64));
                    let _ = Reflect::set(&o, &JsValue::from_str("periodMs"), &JsValue::from_f64(w as f64));
                    ws.push(&o);
                }
                let v = self.call("acquire", Array::of2(&JsValue::from_str(bot), &ws)).await?;
                let wait = if v.is_object() { Reflect::get(&v, &JsValue::from_str("waitMs")).ok() } else { None };
                match wait.and_then(|w| w.as_f64()) {
                    Some(w) if w.is_finite() && w >= 0.0 => Ok(w.min(86_400_000.0).ceil() as u64),
                    _ => Err("acquire did not resolve to { waitMs: number >= 0 }".into()),
                }
            })
        }

        fn claim<'a>(&'a self, bot: &'a str, id: &'a str, ttl_ms: u64) -> LocalFuture<'a, Result<String, String>> {
            Box::pin(async move {
                let args =
                    Array::of3(&JsValue::from_str(bot), &JsValue::from_str(id), &JsValue::from_f64(ttl_ms as f64));
                self.call("claim", args).await?.as_string().ok_or_else(|| "claim did not resolve to a string".into())
            })
        }

        fn settle<'a>(
            &'a self,
            bot: &'a str,
            id: &'a str,
            state: &'a str,
            ttl_ms: u64,
        ) -> LocalFuture<'a, Result<(), String>> {
            Box::pin(async move {
                let args = Array::of4(
                    &JsValue::from_str(bot),
                    &JsValue::from_str(id),
                    &JsValue::from_str(state),
                    &JsValue::from_f64(ttl_ms as f64),
                );
                self.call("settle", args).await.map(|_| ())
            })
        }
    }
}
