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
    // measured once (the size in the split's note is this cost): a pass over 1 MiB of line breaks by the table
    let cost = m.cost(body);
    if cost <= room {
        return Ok(vec![body.to_string()]);
    }
    // what `fit_text(&paragraphs(body), …)` makes, with the paragraphs read from the body as far
    // as the parts reach, and no `String` for any of them
    if room < MIN_ROOM {
        return Err(no_room(what, room));
    }
    // only `split` packs paragraphs: `truncate` and `error` read the blocks joined, which the
    // body is (a `String` per paragraph cost ~100 ms for 1 MiB of `a\n\n`); its cost is known
    // (`fit_text` of the body measured it twice more and copied it twice)
    if ctx.opts.overflow != Overflow::Split {
        return refuse_or_truncate(body, &cost.to_string(), room, m, ctx, path, what);
    }
    let part_room = room.saturating_sub(PART_MARKER_ROOM);
    let (parts, cut) = limits::cap_and_pack_paragraphs(body, "\n\n", (MAX_PARTS + 1) * part_room, part_room, m);
    Ok(mark_parts(parts, cut, "\n\n", part_room, m, ctx, &cost.to_string(), room, what))
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
        Overflow::Error | Overflow::Truncate => refuse_or_truncate(&blocks.join(sep), &total, room, m, ctx, path, what),
        Overflow::Split => {
            let part_room = room.saturating_sub(PART_MARKER_ROOM);
            // what the parts can hold, and a part's worth more to find where the last one ends:
            // beyond that, nothing is packed only to be dropped
            let (parts, cut) = limits::pack_capped(blocks, &costs, sep, (MAX_PARTS + 1) * part_room, part_room, m);
            Ok(mark_parts(parts, cut, sep, part_room, m, ctx, &total, room, what))
        }
    }
}

/// Under `error`, the refusal of `text` (`total` bytes as rendered, over `room`); under
/// `truncate`, `text` cut to `room` (recorded).
#[allow(clippy::too_many_arguments)]
fn refuse_or_truncate(
    text: &str,
    total: &str,
    room: usize,
    m: Measure,
    ctx: &mut Ctx<'_>,
    path: &str,
    what: &str,
) -> Result<Vec<String>> {
    if ctx.opts.overflow == Overflow::Error {
        return Err(Error::at(
            path,
            format!("is {total} bytes as rendered for {what}, which allows {room} (overflow: \"error\")"),
        ));
    }
    let t = limits::truncate(text, room, m).unwrap_or_else(|| text.to_string());
    ctx.degraded.push("content", "truncated", format!("{total} bytes; {what} allows {room}"));
    Ok(vec![t])
}

/// The error for a body that renders to nothing on a platform (`what`): the platforms refuse an
/// empty message. Made only when refusing, from a look at the source's lines (no parse).
pub fn renders_to_nothing(path: &str, what: &str, src: &str) -> Error {
    let (mut defs, mut html, mut other) = (false, false, false);
    // bytes, not `str::lines` and `contains` (a substring searcher set up per line: 9 ms a MiB);
    // the first line that is neither settles it
    for line in src.as_bytes().split(|&b| b == b'\n') {
        let Some(i) = line.iter().position(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'>')) else { continue };
        match line[i] {
            b'[' if line[i..].windows(2).any(|w| w == b"]:") => defs = true,
            b'<' => html = true,
            _ => {
                other = true;
                break;
            }
        }
    }
    let why = match (defs, html, other) {
        (true, false, false) => "only link definitions, which show nothing",
        (false, true, false) => "only HTML (comments, tags), which is not shown",
        (true, true, false) => "only link definitions and HTML, which show nothing",
        _ => "nothing in it is shown (empty markup, link definitions, HTML and what the platform drops show nothing)",
    };
    Error::at(path, format!("renders to nothing on {what}: {why}"))
}

/// Where a body that renders to nothing is refused: a markdown body's `content`, a card's
/// `text` when it has one (a card's title shows: its markdown has it), else the body.
pub fn nothing_path(c: &crate::model::Content) -> &'static str {
    match &c.body {
        crate::model::Body::Markdown(_) => "content.body.content",
        crate::model::Body::Card(card) => card_nothing_path(card),
        _ => "content.body",
    }
}

/// Where a card with nothing to show is refused: its `text` when it has one, else the body.
pub fn card_nothing_path(card: &crate::model::Card) -> &'static str {
    if card.text.is_some() { "content.body.text" } else { "content.body" }
}

/// Whether a card's text is all it has to show (no title, subtitle, figure, fields or image;
/// buttons alone are not a message): a text that renders to nothing then leaves nothing.
pub fn only_text(card: &crate::model::Card) -> bool {
    card.title.is_none()
        && card.subtitle.is_none()
        && card.emphasis.is_none()
        && card.fields.is_empty()
        && card.image_url.is_none()
}

/// Whether rendered text shows nothing.
pub fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// The packed parts of a split (`cut`: the cap left something out) as sent: at most
/// [`MAX_PARTS`], none blank, the last one truncated when there would be more, each marked `(i/n)`.
#[allow(clippy::too_many_arguments)]
fn mark_parts(
    mut parts: Vec<String>,
    cut: bool,
    sep: &str,
    part_room: usize,
    m: Measure,
    ctx: &mut Ctx<'_>,
    total: &str,
    room: usize,
    what: &str,
) -> Vec<String> {
    // a part with nothing to show (blank paragraphs between two full ones) is not sent:
    // nothing in it is lost, and a platform refuses an empty message
    parts.retain(|p| !p.trim().is_empty());
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
    parts
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

/// [`fit_paragraphs`] against what it stands for, `fit_text` of the body's [`paragraphs`]: the
/// same parts or error, the same notes, in every overflow mode.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::degrade::Degraded;
    use crate::options::RenderOptions;
    use proptest::prelude::*;

    fn run(overflow: Overflow, f: impl FnOnce(&mut Ctx<'_>) -> Result<Vec<String>>) -> (Result<Vec<String>>, Degraded) {
        let opts = RenderOptions { overflow, ..RenderOptions::default() };
        let mut degraded = Degraded::default();
        let mut ctx = Ctx { platform: Platform::DingTalk, opts: &opts, degraded: &mut degraded };
        let r = f(&mut ctx);
        (r, degraded)
    }

    proptest! {
        #[test]
        fn fit_paragraphs_is_fit_text_of_the_paragraphs(
            body in "([a-z ]{1,30}|\n|\n\n|\n\n\n|\"|\\\\|中|\\[a\\]\\(/u\\)|<@x>| \n\n){0,200}",
            room in 200usize..1200,
        ) {
            for overflow in [Overflow::Split, Overflow::Truncate, Overflow::Error] {
                for m in [Measure::Utf8, Measure::Json] {
                    let ours = run(overflow, |ctx| fit_paragraphs(&body, room, m, ctx, "p", "X"));
                    let want = run(overflow, |ctx| fit_text(&paragraphs(&body), "\n\n", room, m, ctx, "p", "X"));
                    prop_assert_eq!(ours, want, "{:?} {:?}", overflow, m);
                }
            }
        }
    }
}
