//! webhook-push: one message model for WeCom (企业微信), DingTalk (钉钉) and
//! Feishu / Lark (飞书) group bots.
//!
//! The core is pure (no I/O, no wasm-bindgen) and tested natively:
//! - [`model`]: the unified message, parsed from JSON with a path for every error;
//! - [`markdown`]: markdown -> IR -> each platform's dialect;
//! - [`platform`]: one file per platform turning a message into its payloads;
//! - [`degrade`]: the record of what a platform could not show and what it became;
//! - [`limits`]: byte limits, splitting and truncation at safe boundaries;
//! - [`sign`]: DingTalk and Feishu HMAC-SHA256 signing;
//! - [`target`]: webhook URLs, bare keys, platform detection, redaction;
//! - [`service_url`]: Apprise and shoutrrr service URLs (`dingtalk://`, `wecombot://`, `lark://`…);
//! - [`platform_info`]: what each platform takes (types, limits, rate limits, signing, env names);
//! - [`render`]: the pure `render(message, platform, options)` entry point;
//! - [`policy`]: retry schedule, answer classification, rate windows (pure, time passed in);
//! - [`sender`]: the async send loop, generic over a [`sender::Host`];
//! - [`coordinator`]: rate slots and dedup records shared across isolates;
//! - [`webhook`]: the generic webhook target's engine: config, templates, signing, answer check.
//!
//! [`inbound`] (feature `inbound`): bot callbacks in: verify, decrypt, parse, build replies.
//! [`webhook`] is feature `webhook` (the `webhook-push/webhook` subpath's wasm); without it the
//! `"webhook"` platform is still known and answers `UNSUPPORTED`, naming the subpath.
//!
//! `host` (wasm32 only) is the sender's Host on the host's `fetch`, `setTimeout` and `Date.now`.
//!
//! `bindings` (wasm32 only) is the `#[wasm_bindgen]` surface over it.

pub mod coordinator;
pub mod degrade;
pub mod error;
#[cfg(feature = "inbound")]
pub mod inbound;
pub mod json;
pub mod limits;
pub mod markdown;
pub mod model;
pub mod options;
pub mod payload;
pub mod platform;
pub mod platform_info;
pub mod policy;
pub mod render;
pub mod rendered;
pub mod sender;
pub mod service_url;
pub mod sign;
pub mod target;
#[cfg(feature = "webhook")]
pub mod webhook;

#[cfg(target_arch = "wasm32")]
pub mod bindings;
#[cfg(target_arch = "wasm32")]
pub mod host;

pub use error::{Error, ErrorCode, Result};

// The wasm's allocator: talc (crates/wasm-alloc) instead of std's dlmalloc (bench/LEVERS.md,
// "Size levers, third round"); linking the crate installs it.
#[cfg(target_arch = "wasm32")]
use wasm_alloc as _;
