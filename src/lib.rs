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
//! - [`render`]: the pure `render(message, platform, options)` entry point.
//!
//! `bindings` (wasm32 only) is the `#[wasm_bindgen]` surface over it.

pub mod degrade;
pub mod error;
pub mod limits;
pub mod markdown;
pub mod model;
pub mod platform;
pub mod render;
pub mod sign;
pub mod target;

#[cfg(target_arch = "wasm32")]
mod bindings;

pub use error::{Error, ErrorCode, Result};
