//! One file per platform, each turning a [`UnifiedMessage`] into that
//! platform's payloads; this module holds what they share: the renderer
//! trait, the registry, and fitting text under a byte limit.
//!
//! Adding a platform: a new file here implementing [`PlatformRenderer`], a
//! line in [`renderer`], and its variant, host and URL shape in `target.rs`.

pub mod dingtalk;
pub mod feishu;
pub mod wecom;

use serde_json::Value;

use crate::degrade::Degraded;
use crate::error::{Error, Result};
use crate::limits::{self, Measure, Overflow};
use crate::model::{Mention, MentionKind, UnifiedMessage};
use crate::render::RenderOptions;
pub use crate::target::Platform;

/// What a renderer is given besides the message.
pub struct Ctx<'a> {
    pub platform: Platform,
    pub opts: &'a RenderOptions,
    pub degraded: &'a mut Degraded,
}

pub trait PlatformRenderer: Sync {
    /// The payloads to post, in order (several when content was split).
    fn render(&self, msg: &UnifiedMessage, ctx: &mut Ctx<'_>) -> Result<Vec<Value>>;
}

/// The registry: the renderer for each platform.
pub fn renderer(p: Platform) -> &'static dyn PlatformRenderer {
    match p {
        Platform::Wecom => &wecom::WeCom,
        Platform::DingTalk => &dingtalk::DingTalk,
        Platform::Feishu | Platform::Lark => &feishu::Feishu,
    }
}

/// Room kept for the `(2/3)` marker on split parts.
const PART_MARKER_ROOM: usize = 16;

/// Most messages one message is split into; beyond, the last part ends
/// truncated (recorded). A 1 MB text would otherwise flood a group (and the
/// platforms' rate limits) with hundreds of messages.
pub const MAX_PARTS: usize = 20;

/// Least room a message's content must have once what goes with it (the
/// mentions, the shell) is taken: below it, refuse rather than cut the
/// content into crumbs.
pub const MIN_ROOM: usize = 256;

/// The error when what must go with the content leaves no room for it.
pub fn no_room(what: &str, room: usize) -> Error {
    Error::at(
        "content.mentions",
        format!("the mentions leave {room} bytes of {what}'s limit for the message; send fewer mentions"),
    )
}

/// Fit rendered blocks (joined by `sep`) into `room` under the overflow
/// policy: one string when it fits; else several parts marked `(i/n)`, one
/// truncated string, or an error at `path`.
pub fn fit_text(
    blocks: &[String],
    sep: &str,
    room: usize,
    m: Measure,
    ctx: &mut Ctx<'_>,
    path: &str,
    what: &str,
) -> Result<Vec<String>> {
    let joined = blocks.join(sep);
    let total = m.cost(&joined);
    if total <= room {
        return Ok(vec![joined]);
    }
    if room < MIN_ROOM {
        return Err(no_room(what, room));
    }
    match ctx.opts.overflow {
        Overflow::Error => Err(Error::at(
            path,
            format!("is {total} bytes as rendered for {what}, which allows {room} (overflow: \"error\")"),
        )),
        Overflow::Truncate => {
            let t = limits::truncate(&joined, room, m).unwrap_or(joined);
            ctx.degraded.push("content", "truncated", format!("{total} bytes; {what} allows {room}"));
            Ok(vec![t])
        }
        Overflow::Split => {
            let part_room = room.saturating_sub(PART_MARKER_ROOM);
            // what the parts can hold, and a part's worth more to find where the last one ends:
            // beyond that, nothing is packed only to be dropped
            let (capped, cut) = limits::cap_blocks(blocks, sep, (MAX_PARTS + 1) * part_room, m);
            let mut parts = limits::pack(&capped, sep, part_room, m);
            if parts.len() > MAX_PARTS || cut {
                let keep = parts.len().min(MAX_PARTS) - 1;
                let rest = parts.split_off(keep).join(sep);
                let last = limits::truncate_always(&rest, part_room, m);
                parts.push(last);
                ctx.degraded.push(
                    "content",
                    "truncated",
                    format!("{total} bytes would take more than {MAX_PARTS} messages on {what}; the last one is cut"),
                );
            }
            let n = parts.len();
            if n > 1 {
                for (i, p) in parts.iter_mut().enumerate() {
                    p.push_str(&format!("\n\n({}/{n})", i + 1));
                }
                ctx.degraded.push("content", format!("{n} messages"), format!("{total} bytes; {what} allows {room}"));
            }
            Ok(parts)
        }
    }
}

/// Mentions by kind.
pub struct MentionSets<'a> {
    pub mobiles: Vec<&'a Mention>,
    pub user_ids: Vec<&'a Mention>,
    pub all: Option<&'a Mention>,
}

pub fn mention_sets(ms: &[Mention]) -> MentionSets<'_> {
    MentionSets {
        mobiles: ms.iter().filter(|m| m.kind == MentionKind::Mobile).collect(),
        user_ids: ms.iter().filter(|m| m.kind == MentionKind::UserId).collect(),
        all: ms.iter().find(|m| m.kind == MentionKind::All),
    }
}

/// The message text of a `text` body with its title, if any, on top.
pub fn text_with_title(title: Option<&str>, text: &str) -> String {
    match title {
        Some(t) => format!("{t}\n\n{text}"),
        None => text.to_string(),
    }
}

/// A text body cut into paragraphs (the units a split keeps whole).
pub fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n").map(str::to_string).collect()
}

/// The raw payload given for this platform (Lark falls back to Feishu's).
pub fn raw_payload(raw: &[(String, Value)], p: Platform) -> Result<Value> {
    let find = |name: Platform| {
        raw.iter().find(|(k, _)| Platform::parse(k).is_ok_and(|kp| kp == name)).map(|(_, v)| v.clone())
    };
    let found = find(p).or_else(|| if p == Platform::Lark { find(Platform::Feishu) } else { None });
    found.ok_or_else(|| Error::unsupported(format!("the raw message has no payload for {}", p.display())))
}

/// Size of a JSON value as sent.
pub fn json_len(v: &Value) -> usize {
    crate::json::len(v)
}
