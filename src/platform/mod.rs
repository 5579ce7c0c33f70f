//! One file per platform, each implementing the platform contract
//! ([`PlatformSpec`]: names, URL shape, limits, signing, answers, rate
//! windows, media, and its renderer); [`registry`] is the one list of them,
//! [`common`] what the renderers share.
//!
//! Adding a platform: a new file here implementing [`PlatformSpec`] and
//! [`PlatformRenderer`], and a line in `registry.rs` (its constant and its
//! entry in the list). Nothing outside `src/platform/` changes.

pub mod common;
pub mod dingtalk;
pub mod feishu;
pub mod feishu_post;
pub mod registry;
pub mod spec;
pub mod webhook;
pub mod wecom;

pub use common::{
    MAX_PARTS, MIN_ROOM, MentionSets, fit_text, json_len, mention_sets, no_room, paragraphs, raw_payload,
    text_with_title,
};
pub use spec::{Ctx, Platform, PlatformRenderer, PlatformSpec};

/// The renderer for a platform.
pub fn renderer(p: Platform) -> &'static dyn PlatformRenderer {
    p.spec()
}
