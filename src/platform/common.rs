//! What the platform renderers share: fitting text under a byte limit,
//! splitting into parts, mention sets, raw payloads.

use serde_json::Value;

use crate::payload::Payload;

use super::spec::{Ctx, Platform};
use crate::error::{Error, Result};
use crate::limits::{self, Measure, Overflow};
use crate::model::{Mention, MentionKind};

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
    fit_blocks(blocks, false, sep, room, m, ctx, path, what)
}

/// [`fit_text`] of a text body cut into [`paragraphs`]: a body that fits is taken whole, without
/// cutting it up and joining it again.
pub fn fit_paragraphs(
    body: &str,
    room: usize,
    m: Measure,
    ctx: &mut Ctx<'_>,
    path: &str,
    what: &str,
) -> Result<Vec<String>> {
    if m.cost(body) <= room {
        return Ok(vec![body.to_string()]);
    }
    // only `split` packs paragraphs: `truncate` and `error` read the blocks joined, which the
    // body is (a `String` per paragraph cost ~100 ms for 1 MiB of `a\n\n`)
    if ctx.opts.overflow != Overflow::Split {
        return fit_text(&[body.to_string()], "\n\n", room, m, ctx, path, what);
    }
    fit_text(&paragraphs(body), "\n\n", room, m, ctx, path, what)
}

/// The rendered capacity of a message whose content has `room` bytes under the
/// overflow policy: what [`fit_blocks`] reads of the blocks to make its parts
/// (more is dropped), for parsing only as much markdown as that needs.
pub fn capacity(room: usize, ctx: &Ctx<'_>) -> usize {
    match ctx.opts.overflow {
        Overflow::Split => (MAX_PARTS + 1).saturating_mul(room),
        Overflow::Truncate | Overflow::Error => room,
    }
}

/// [`fit_text`] of blocks that may be `partial` (from a markdown parse bounded
/// by the [`capacity`], the source past them left out): then the output is
/// over the capacity, and the size reported is a lower bound.
#[allow(clippy::too_many_arguments)]
pub fn fit_blocks(
    blocks: &[String],
    partial: bool,
    sep: &str,
    room: usize,
    m: Measure,
    ctx: &mut Ctx<'_>,
    path: &str,
    what: &str,
) -> Result<Vec<String>> {
    // each block measured once (a cost is additive: the join's is the blocks' and the separators')
    let costs: Vec<usize> = blocks.iter().map(|b| m.cost(b)).collect();
    let cost = costs.iter().sum::<usize>() + m.cost(sep) * blocks.len().saturating_sub(1);
    if !partial && cost <= room {
        return Ok(vec![blocks.join(sep)]);
    }
    if room < MIN_ROOM {
        return Err(no_room(what, room));
    }
    let total = if partial { format!("more than {cost}") } else { cost.to_string() };
    match ctx.opts.overflow {
        Overflow::Error => Err(Error::at(
            path,
            format!("is {total} bytes as rendered for {what}, which allows {room} (overflow: \"error\")"),
        )),
        Overflow::Truncate => {
            let joined = blocks.join(sep);
            let t = limits::truncate(&joined, room, m).unwrap_or(joined);
            ctx.degraded.push("content", "truncated", format!("{total} bytes; {what} allows {room}"));
            Ok(vec![t])
        }
        Overflow::Split => {
            let part_room = room.saturating_sub(PART_MARKER_ROOM);
            // what the parts can hold, and a part's worth more to find where the last one ends:
            // beyond that, nothing is packed only to be dropped
            let (mut parts, cut) = limits::pack_capped(blocks, &costs, sep, (MAX_PARTS + 1) * part_room, part_room, m);
            if parts.len() > MAX_PARTS || cut {
                let keep = parts.len().min(MAX_PARTS).saturating_sub(1); // no parts: nothing kept whole
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

/// The raw payload given for this platform, or for the one it falls back to
/// (Lark takes Feishu's). Keys are checked here, where the platforms are known.
pub fn raw_payload(raw: &[(String, Value)], p: Platform) -> Result<Payload> {
    for (k, _) in raw {
        if Platform::parse(k).is_err() {
            return Err(Error::at(
                crate::model::reader::join("content.body", k),
                format!("raw payloads are keyed by platform: {}", Platform::names()),
            ));
        }
    }
    let find = |name: Platform| {
        raw.iter().find(|(k, _)| Platform::parse(k).is_ok_and(|kp| kp == name)).map(|(_, v)| Payload::from(v))
    };
    let fallback = p.spec().raw_fallback().and_then(|n| Platform::parse(n).ok());
    let found = find(p).or_else(|| fallback.and_then(find));
    found.ok_or_else(|| Error::unsupported(format!("the raw message has no payload for {}", p.display())))
}

/// Size of a payload as sent.
pub fn json_len(v: &Payload) -> usize {
    v.len()
}

/// `obj!{"key" => value, ...}`: a [`Payload`] object, its keys in the order written, each value
/// turned into a `Payload` by `Payload::from`, built by one out-of-line loop
/// ([`Payload::object`]: `json!` inlined a key allocation and a map insert per key at every call
/// site, measured in bench/LEVERS.md).
macro_rules! obj {
    ($($k:expr => $v:expr),* $(,)?) => {
        $crate::payload::Payload::object(&mut [$(($k, $crate::payload::Payload::from($v))),*])
    };
}
pub(crate) use obj;

/// `map.put("key", value)` on a `serde_json::Map` (the facts `platformInfo` shows): a map insert
/// with the key's allocation out of line.
pub trait Put {
    fn put(&mut self, key: &str, value: Value);
}

impl Put for serde_json::Map<String, Value> {
    #[inline(never)]
    fn put(&mut self, key: &str, value: Value) {
        self.insert(key.to_string(), value);
    }
}
