//! Byte limits: how a platform counts, where text may be cut, and how rendered
//! blocks are packed into as few messages as fit.
//!
//! Cuts happen at a paragraph, then a line, then a space, and only then inside
//! a word, always at a UTF-8 boundary and never inside a link, an image, a
//! mention or a tag (`[text](url)`, `<at user_id="..">..</at>`, `<@id>`,
//! `<font ..>`, a bare URL).

use crate::error::{Error, Result};

/// What to do when content is over a platform's limit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Overflow {
    /// Send several messages, cut at paragraph / line boundaries (default).
    #[default]
    Split,
    /// Send one message, cut with a visible marker.
    Truncate,
    /// Refuse the message.
    Error,
}

impl Overflow {
    pub fn parse(s: &str) -> Result<Overflow> {
        match s {
            "split" => Ok(Overflow::Split),
            "truncate" => Ok(Overflow::Truncate),
            "error" => Ok(Overflow::Error),
            _ => Err(Error::config("overflow must be \"split\", \"truncate\" or \"error\"")),
        }
    }
}

/// The marker that ends truncated content.
pub const TRUNCATION_MARKER: &str = "\n…(truncated)";

/// How a limit counts a string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    /// UTF-8 bytes of the text itself (WeCom's content limits).
    Utf8,
    /// Bytes the text takes inside a JSON string (limits on the whole body:
    /// DingTalk, Feishu); quotes, backslashes and control characters escape.
    Json,
}

impl Measure {
    pub fn char_cost(self, c: char) -> usize {
        match self {
            Measure::Utf8 => c.len_utf8(),
            Measure::Json => match c {
                '"' | '\\' | '\n' | '\r' | '\t' | '\u{8}' | '\u{c}' => 2,
                c if (c as u32) < 0x20 => 6,
                c => c.len_utf8(),
            },
        }
    }

    pub fn cost(self, s: &str) -> usize {
        match self {
            Measure::Utf8 => s.len(),
            // a multi-byte character costs its bytes, so counting escapes by byte is exact
            // a short string (a block, a line, a Feishu element's JSON, which is escape-dense) by
            // the table here, a longer one (a part's text) by words
            Measure::Json if s.len() < 64 => {
                s.len() + s.bytes().map(|b| usize::from(JSON_EXTRA[usize::from(b)])).sum::<usize>()
            }
            Measure::Json => s.len() + json_extra(s.as_bytes()),
        }
    }

    /// [`Measure::cost`] of `s` when it is at most `cap`, else a number over `cap`: a long string
    /// is read only as far as it takes (a 1 MiB paragraph against a split's budget or a part).
    pub fn cost_within(self, s: &str, cap: usize) -> usize {
        match self {
            Measure::Utf8 => s.len(),
            // a byte costs at least itself
            Measure::Json if s.len() > cap => s.len(),
            Measure::Json if s.len() < 4 * CHUNK => self.cost(s),
            Measure::Json => {
                let mut c = 0;
                for chunk in s.as_bytes().chunks(CHUNK) {
                    c += chunk.len() + json_extra(chunk);
                    if c > cap {
                        break;
                    }
                }
                c
            }
        }
    }
}

/// Bytes [`Measure::cost_within`] measures before it looks at the sum.
const CHUNK: usize = 4096;

/// The extra JSON bytes of 8 bytes (a little-endian word), what [`JSON_EXTRA`] gives them: 1 for
/// each `"`, `\\` and control byte, 4 more for each control byte other than `\n`, `\r`, `\t`,
/// backspace and form feed (written `\u00XX`). Exact: per-byte masks without carries between
/// bytes (see [`eq_mask`]), counted by `popcnt`.
#[inline(always)]
fn word_extra(w: u64) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // the bytes under 0x20: the low seven bits plus 0x60 reach 0x80 from 0x20 on, and a byte
    // of 0x80 or more has its high bit already
    let control = !(((w & !HIGH) + ONES * 0x60) | w) & HIGH;
    let quote = eq_mask(w, b'"') | eq_mask(w, b'\\');
    if control | quote == 0 {
        // most words of most text
        return 0;
    }
    let mut extra = (control | quote).count_ones() as usize;
    if control != 0 {
        let short = eq_mask(w, b'\n') | eq_mask(w, b'\r') | eq_mask(w, b'\t') | eq_mask(w, 0x08) | eq_mask(w, 0x0c);
        extra += 4 * (control & !short).count_ones() as usize;
    }
    extra
}

/// The extra JSON bytes of `b` (see [`JSON_EXTRA`]): eight bytes at a time ([`word_extra`]), the
/// last few by the table. Every part is measured several times over (the bounded parse, the
/// packing, each cut): per byte, that was ~10 instructions a byte; escape-dense text (1 MiB of
/// `a\n`) was read by the table.
fn json_extra(b: &[u8]) -> usize {
    let mut extra = 0usize;
    let mut words = b.chunks_exact(8);
    for c in &mut words {
        extra += word_extra(u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]));
    }
    extra + words.remainder().iter().map(|&b| usize::from(JSON_EXTRA[usize::from(b)])).sum::<usize>()
}

/// Bytes a byte costs inside a JSON string beyond itself (a table: counting is per byte of
/// every rendered part, several times over).
pub(crate) const JSON_EXTRA: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = 5;
        b += 1;
    }
    t[b'"' as usize] = 1;
    t[b'\\' as usize] = 1;
    t[b'\n' as usize] = 1;
    t[b'\r' as usize] = 1;
    t[b'\t' as usize] = 1;
    t[0x08] = 1;
    t[0x0c] = 1;
    t
};

/// Longest link, tag or URL that is kept whole (longer ones may be cut).
const MAX_SPAN: usize = 2048;
/// How far past the room a cut of text reads ([`truncate`]: a span kept whole that starts in
/// the room ends within [`MAX_SPAN`] past it): text known this far past the room is cut as
/// the whole text would be (a bounded markdown parse stops there, see `markdown::bounded`).
pub const CUT_READS_AHEAD: usize = MAX_SPAN;
/// The longest label (or mention id) and URL of a short link or mention (see [`short_spans`]).
const SHORT_LABEL: usize = 40;
const SHORT_URL: usize = 80;

/// What a [`Next`] looks for.
#[derive(Clone, Copy)]
enum Pat {
    /// ASCII bytes (at most 5): never part of a multi-byte character, so searched for by bytes,
    /// eight places a step (a `str::find` of a `char` sets up a searcher per call: with a `[`
    /// every 4 bytes, that setup was most of a split's cost)
    Ascii(&'static [u8]),
    /// a whitespace character
    Space,
}

/// The next occurrence of a pattern (see [`Pat`]) at or after a
/// position, before a limit, remembered: the starts of one scan's queries only
/// move forward, and each search reads ahead [`MAX_SPAN`] bytes, so each byte
/// is searched about once and the scan stays linear however many `[` or `<`
/// the text has.
struct Next<'s> {
    s: &'s str,
    pat: Pat,
    /// the first match at or after the previous query's start, if found
    found: Option<usize>,
    /// searched up to here (a match starting 5 bytes before may not be seen)
    done_to: usize,
}

impl<'s> Next<'s> {
    fn new(s: &'s str, pat: Pat) -> Self {
        Next { s, pat, found: None, done_to: 0 }
    }

    /// The first match that starts at or after `start` and ends by `end`.
    fn search(&self, start: usize, end: usize) -> Option<usize> {
        match self.pat {
            Pat::Ascii(p) => {
                let b = self.s.as_bytes().get(..end)?;
                match *p {
                    [x] => find_byte(b, start, x),
                    [x, y, ..] => {
                        let mut from = start;
                        loop {
                            let at = find_pair(b, from, x, y)?;
                            // a pair is the pattern's first two bytes: a longer one is compared on
                            if p.len() == 2 || b.get(at..).is_some_and(|t| t.starts_with(p)) {
                                return Some(at);
                            }
                            from = at + 1;
                        }
                    }
                    [] => None,
                }
            }
            Pat::Space => {
                let (mut start, mut end) = (start, end);
                while !self.s.is_char_boundary(start) {
                    start -= 1;
                }
                while !self.s.is_char_boundary(end) {
                    end -= 1;
                }
                self.s.get(start..end)?.find(char::is_whitespace).map(|k| start + k)
            }
        }
    }

    /// The first match at or after byte `from`, ending by byte `limit` (both
    /// char boundaries, `from` never less than in the previous call). What was found before
    /// answers most calls: that check is inlined, the search is not.
    #[inline(always)]
    fn find(&mut self, from: usize, limit: usize) -> Option<usize> {
        let hit = match self.found {
            Some(a) if a >= from => a,
            // searched past the limit already, and nothing there
            None if self.done_to >= limit => return None,
            _ => return self.search_on(from, limit),
        };
        self.ends_by(hit, limit)
    }

    /// `hit` if the match there ends by `limit`.
    #[inline(always)]
    fn ends_by(&self, hit: usize, limit: usize) -> Option<usize> {
        let len = match self.pat {
            Pat::Ascii(p) => p.len(),
            Pat::Space => self.s[hit..].chars().next().map_or(1, char::len_utf8),
        };
        (hit + len <= limit).then_some(hit)
    }

    /// [`Next::find`] when what was found before does not answer it.
    #[inline(never)]
    fn search_on(&mut self, from: usize, limit: usize) -> Option<usize> {
        let start = from.max(self.done_to.saturating_sub(4));
        // read well ahead: a query whose limit moves on by a byte (one per `<` of a
        // `<<<<` run) then finds the answer remembered instead of searching again
        let ahead = limit.max(start + 4 * MAX_SPAN).min(self.s.len());
        if start >= ahead {
            return None;
        }
        let found = self.search(start, ahead);
        self.found = found;
        self.done_to = found.unwrap_or(ahead);
        self.ends_by(found?, limit)
    }
}

/// Spans that must not be cut: markdown links and images, tags, bare URLs,
/// among those that start before byte `upto`, sorted, overlapping ones merged
/// (a `<` inside a link's label may open a tag that ends after the link).
/// A link starts at the last `[` before its `](`, so a run of `[` in front of
/// a link does not stretch it. Each span is at most [`MAX_SPAN`] long before
/// merging, and each pattern is looked for once per byte (see [`Next`]), so
/// the scan is linear in `upto`. A span that starts at byte 0 and ends past
/// `room` is left out (see [`Spans`]); without `tags`, so are the `<…>` tags
/// but mentions (`<@id>`): `<at …>…</at>`, `<font …>`, anything in angle brackets.
fn protected_spans(s: &str, upto: usize, room: usize, tags: bool) -> Vec<(usize, usize)> {
    let b = s.as_bytes();
    // the end of the window a span starting at `from` must fit in
    let window_end = |from: usize| window_end(s, from);
    let mut newline = Next::new(s, Pat::Ascii(b"\n"));
    let mut link_mid = Next::new(s, Pat::Ascii(b"]("));
    let mut bracket = Next::new(s, Pat::Ascii(b"["));
    let mut paren = Next::new(s, Pat::Ascii(b")"));
    let mut space = Next::new(s, Pat::Space);
    let mut at_close = Next::new(s, Pat::Ascii(b"</at>"));
    let mut gt = Next::new(s, Pat::Ascii(b">"));
    let mut spans = Spans { v: Vec::new(), room };
    let mut i = 0;
    while i < upto.min(b.len()) {
        match b[i] {
            b'[' => {
                // [text](url) or ![alt](url), on one line, url without spaces, text without `[`
                // the label's end by a look at the next bytes (most `[` settle there), else searched
                let settled = label_end(b, i);
                if settled == Some(None) {
                    // no link here: nothing else to look up (a `[[[[` run is all this)
                    i += 1;
                    continue;
                }
                let wend = window_end(i);
                // the line's end, looked for only when the label does not settle it
                let mut eol = None;
                let mut eol = || *eol.get_or_insert_with(|| newline.find(i, wend).unwrap_or(wend));
                let mid = settled.unwrap_or_else(|| {
                    let eol = eol();
                    link_mid.find(i, eol).filter(|&mid| bracket.find(i + 1, mid).is_none())
                });
                if let Some(mid) = mid {
                    let eol = eol();
                    if let Some(close) = paren.find(mid + 2, eol) {
                        if !url_has_space(b, mid + 2, close).unwrap_or_else(|| space.find(mid + 2, close).is_some()) {
                            let start = if i > 0 && b[i - 1] == b'!' { i - 1 } else { i };
                            push_merged(&mut spans, start, close + 1);
                        }
                    }
                }
                i += 1;
            }
            b'<' => {
                let wend = window_end(i);
                if b[i..].first_chunk::<4>() == Some(b"<at ") {
                    if let Some(end) = at_close.find(i, wend) {
                        if tags {
                            push_merged(&mut spans, i, end + "</at>".len());
                        }
                        i += 1;
                        continue;
                    }
                }
                if let Some(end) = gt.find(i, wend) {
                    if end - i < 200 && newline.find(i, end).is_none() && (tags || matches!(b.get(i + 1), Some(b'@'))) {
                        push_merged(&mut spans, i, end + 1);
                    }
                }
                i += 1;
            }
            b'h' if b[i..].starts_with(b"http://") || b[i..].starts_with(b"https://") => {
                let wend = window_end(i);
                let w = &s[i..wend];
                let end = w
                    .find(|c: char| c.is_whitespace() || matches!(c, ')' | '[' | ']' | '<' | '>' | '"'))
                    .map_or(wend, |k| i + k);
                push_merged(&mut spans, i, end);
                // nothing a span starts with is inside a URL
                i = end.max(i + 1);
            }
            _ => i += 1,
        }
    }
    spans.v
}

/// Bytes a link's label or URL is looked at directly before the searches of [`Next`] take over.
const LOOK: usize = 48;

/// Where the label of a link opened by the `[` at byte `i` ends (its `](`, which must end by the
/// line's end), `Some(None)` when it has none (a `[` or a line break comes first, or the text
/// ends), read from the next [`LOOK`] bytes: `None` when they do not settle it. What
/// `protected_spans` would find by its `](` and `[` searches (the first `](` at or after `i`
/// ending by the line's end or the window's, no `[` between; the window reaches past [`LOOK`]
/// bytes unless the text ends first), at a few bytes' cost.
#[inline(always)]
fn label_end(b: &[u8], i: usize) -> Option<Option<usize>> {
    let mut j = i + 1;
    loop {
        if j > i + LOOK {
            return None;
        }
        match b.get(j..j + 2) {
            // no room for a `](` before the text ends
            None => return Some(None),
            Some([b'[' | b'\n', _]) => return Some(None),
            Some([b']', b'(']) => return Some(Some(j)),
            _ => j += 1,
        }
    }
}

/// Whether `b[from..to]` (a link's URL) holds a whitespace character, read byte by byte when it
/// is short and ASCII; `None` otherwise (then searched as characters).
fn url_has_space(b: &[u8], from: usize, to: usize) -> Option<bool> {
    let url = b.get(from..to).filter(|u| u.len() <= LOOK)?;
    let mut space = false;
    for &c in url {
        if c >= 0x80 {
            return None;
        }
        space |= matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r');
    }
    Some(space)
}

/// The end of the window a span starting at byte `from` of `s` must fit in: [`MAX_SPAN`] bytes on,
/// back to a character boundary, or the end of `s`.
#[inline(always)]
fn window_end(s: &str, from: usize) -> usize {
    let mut end = (from + MAX_SPAN).min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    end
}

/// Spans sorted by start, overlapping ones merged, without the one that starts
/// at byte 0 and ends past `room`: that one cannot be kept whole in any part
/// (each part starts where it does), and merged with what it contains (say
/// `[<<<](](…[ab](https://e.com/x)`, read as one long link) it would hide
/// every short link and mention inside it from the cut.
struct Spans {
    v: Vec<(usize, usize)>,
    room: usize,
}

/// Add a span to spans sorted by start, merging it into the last one when they overlap.
fn push_merged(spans: &mut Spans, start: usize, end: usize) {
    if start == 0 && end > spans.room {
        return;
    }
    match spans.v.last_mut() {
        Some(last) if start < last.1 => last.1 = last.1.max(end),
        _ => spans.v.push((start, end)),
    }
}

/// `cut`, or the start of the span (sorted, disjoint) it is inside.
fn back_out(spans: &[(usize, usize)], cut: usize) -> usize {
    spans.iter().take_while(|&&(start, _)| start < cut).find(|&&(_, end)| cut < end).map_or(cut, |&(start, _)| start)
}

/// The last paragraph break of `s[..fit]` in its second half, else the last line break there,
/// else the last space there, else `fit`. Only the second half is read; no `\n\n` without a `\n`.
fn break_in_room(s: &str, fit: usize) -> usize {
    // from the first character at or after the middle: the bytes looked for are ASCII
    let mut from = fit / 2;
    while !s.is_char_boundary(from) {
        from += 1;
    }
    let tail = s.get(from..fit).unwrap_or("").as_bytes();
    // by bytes (a `str::rfind` of `\n\n` sets up a two-way searcher)
    match tail.iter().rposition(|&b| b == b'\n') {
        Some(nl) => from + tail.windows(2).rposition(|w| w[0] == b'\n' && w[1] == b'\n').unwrap_or(nl),
        None => tail.iter().rposition(|&b| b == b' ').map_or(fit, |k| from + k),
    }
}

/// The byte index of the best place to cut `s` so the head costs at most
/// `max`: the last paragraph or line break in the second half of the room,
/// else the last space there, else the last character that fits; moved back
/// before any link, mention or tag it would split. `s.len()` if it all fits.
pub fn safe_cut(s: &str, max: usize, m: Measure) -> usize {
    let fit = fit_len(s, max, m);
    if fit == s.len() {
        return fit;
    }
    let mut cut = break_in_room(s, fit);
    cut = back_out(&protected_spans(s, cut, fit, true), cut);
    if cut == 0 {
        // The cut was inside a span that starts the text: cut right after it when it fits
        // (with every span that starts in the room, so the end is not inside another one).
        // Past the room, it is a chain of spans each overlapping the next (a `<` in one
        // link's label closing in the next one's): something must be cut, so cut a tag
        // (`<at …>` included) rather than a link, a `<@id>` mention or a URL; else
        // nothing better than a plain cut.
        cut = match protected_spans(s, fit, fit, true).first() {
            Some(&(0, end)) if end <= fit => end,
            Some(&(0, _)) => match back_out(&protected_spans(s, fit, fit, false), fit) {
                // still a chain from the start (false links, `[<<](…)`, overlapping one
                // another and the real ones): keep the short links and mentions whole
                0 => short_cut(s, fit),
                c => c,
            },
            _ => fit,
        };
        if cut == 0 {
            cut = fit;
        }
    }
    cut
}

/// Short links and mentions, the way a reader sees them: `[label](url)` with a label of at
/// most [`SHORT_LABEL`] bytes (no `[`, `]` or line break) and a URL of at most [`SHORT_URL`]
/// (no whitespace or `(`), `<@id>` with an id of at most [`SHORT_LABEL`] (no whitespace or
/// `<`). Each look-ahead is bounded, so the scan of `upto` bytes is linear.
fn short_spans(s: &str, upto: usize) -> Vec<(usize, usize)> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    for i in 0..upto.min(b.len()) {
        if b[i] == b'[' {
            let label_end = (i + 2 + SHORT_LABEL).min(b.len());
            let Some(mid) =
                b[i + 1..label_end].iter().position(|&c| matches!(c, b'[' | b']' | b'\n')).map(|k| i + 1 + k)
            else {
                continue;
            };
            if b[mid] != b']' || b.get(mid + 1) != Some(&b'(') {
                continue;
            }
            let url_end = (mid + 3 + SHORT_URL).min(b.len());
            if let Some(close) = b[mid + 2..url_end]
                .iter()
                .position(|&c| c == b')' || c == b'(' || c.is_ascii_whitespace())
                .map(|k| mid + 2 + k)
            {
                if b[close] == b')' && close > mid + 2 && s[mid + 2..close].chars().all(|c| !c.is_whitespace()) {
                    out.push((i, close + 1));
                }
            }
        } else if b[i] == b'<' && b.get(i + 1) == Some(&b'@') {
            let id_end = (i + 3 + SHORT_LABEL).min(b.len());
            if let Some(gt) = b[i + 2..id_end]
                .iter()
                .position(|&c| c == b'>' || c == b'<' || c.is_ascii_whitespace())
                .map(|k| i + 2 + k)
            {
                if b[gt] == b'>' && gt > i + 2 && s[i + 2..gt].chars().all(|c| !c.is_whitespace()) {
                    out.push((i, gt + 1));
                }
            }
        }
    }
    out
}

/// The last cut at or before `fit` inside no short link or mention (see [`short_spans`]) that
/// does not cross another one (two crossing ones cannot both stay whole); `fit` if that is 0.
fn short_cut(s: &str, fit: usize) -> usize {
    let spans = short_spans(s, fit);
    let mut crossed = vec![false; spans.len()];
    for k in 0..spans.len() {
        let end = spans[k].1;
        // spans are short, so this inner loop is bounded
        for j in k + 1..spans.len() {
            if spans[j].0 >= end {
                break;
            }
            if spans[j].1 > end {
                crossed[j] = true;
                crossed[k] = true;
            }
        }
    }
    let mut cut = fit;
    for (k, &(start, end)) in spans.iter().enumerate().rev() {
        if !crossed[k] && start < cut && cut < end {
            cut = start;
        }
    }
    if cut == 0 { fit } else { cut }
}

/// The largest character boundary whose prefix of `s` costs at most `max`: by bytes (a
/// character's bytes after its first cost nothing extra in either measure), not by chars.
fn fit_len(s: &str, max: usize, m: Measure) -> usize {
    let mut end = match m {
        Measure::Utf8 => max.min(s.len()),
        Measure::Json => {
            let mut used = 0usize;
            let mut end = s.len();
            // eight bytes at a time while they fit, else one
            let b = s.as_bytes();
            let mut i = 0;
            loop {
                // the word that goes over, or the last bytes: byte by byte
                let n = match b.get(i..i + 8) {
                    Some(c) => {
                        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
                        let add = 8 + word_extra(w);
                        if used + add <= max {
                            used += add;
                            i += 8;
                            continue;
                        }
                        8
                    }
                    None => b.len() - i,
                };
                if n == 0 {
                    break;
                }
                let over = b[i..i + n].iter().position(|&x| {
                    used += 1 + usize::from(JSON_EXTRA[usize::from(x)]);
                    used > max
                });
                if let Some(k) = over {
                    end = i + k;
                    break;
                }
                i += n;
            }
            end
        }
    };
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    end
}

/// `s` cut to fit `max` with [`TRUNCATION_MARKER`]; `None` when it fits as is.
pub fn truncate(s: &str, max: usize, m: Measure) -> Option<String> {
    // read only as far as `max` (1 MiB cut to a message's 20 KB was measured whole)
    if m.cost_within(s, max) <= max {
        return None;
    }
    let room = max.saturating_sub(m.cost(TRUNCATION_MARKER));
    let cut = safe_cut(s, room, m);
    let mut out = s[..cut].trim_end().to_string();
    out.push_str(TRUNCATION_MARKER);
    Some(out)
}

/// `s` ending with [`TRUNCATION_MARKER`] within `max`, cut to make room when needed
/// (for content that was already cut before it got here).
pub fn truncate_always(s: &str, max: usize, m: Measure) -> String {
    if m.cost(s) + m.cost(TRUNCATION_MARKER) <= max {
        return format!("{}{TRUNCATION_MARKER}", s.trim_end());
    }
    truncate(s, max, m).unwrap_or_else(|| s.to_string())
}

/// Cut a string into pieces of at most `max` each, at safe points.
fn chop(s: &str, max: usize, m: Measure) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        let mut cut = safe_cut(rest, max, m);
        if cut == 0 {
            // max smaller than one character: take one anyway, so this always ends
            cut = rest.chars().next().map_or(rest.len(), char::len_utf8);
        }
        let (head, tail) = rest.split_at(cut);
        let head = head.trim_end_matches(['\n', ' ']);
        if !head.is_empty() {
            out.push(head.to_string());
        }
        rest = tail.trim_start_matches(['\n', ' ']);
    }
    out
}

/// Split one rendered block that is over `max` on its own: by lines, and a
/// fenced code block keeps its fence on every piece. Each piece is handed to `put` with its
/// cost as it is made (no `String` per line: a block of short lines is mostly lines).
fn split_block_into(block: &str, max: usize, m: Measure, put: &mut dyn FnMut(&str, usize)) {
    // the fence is as long as the block's own (longer than any backtick run inside)
    let ticks = block.bytes().take_while(|&b| b == b'`').count();
    let fence = &block[..ticks];
    let fenced = ticks >= 3 && block.len() > 2 * ticks && block.ends_with(fence);
    if let Some(inner) = fenced.then(|| &block[ticks..block.len() - ticks]) {
        if let Some((lang, code)) = inner.split_once('\n') {
            let open = format!("{fence}{lang}\n");
            let close = format!("\n{fence}");
            let close = close.as_str();
            let room = max.saturating_sub(m.cost(&open) + m.cost(close)).max(1);
            for c in pack_lines(code.trim_end_matches('\n'), room, m) {
                let piece = format!("{open}{c}{close}");
                put(&piece, m.cost(&piece));
            }
            return;
        }
    }
    let mut lines = Packer::new("\n", max, m);
    lines_into(block, max, m, &mut lines);
    for (p, c) in lines.finish_with_costs() {
        put(&p, c);
    }
}

fn pack_lines(text: &str, max: usize, m: Measure) -> Vec<String> {
    let mut out = Packer::new("\n", max, m);
    lines_into(text, max, m, &mut out);
    out.finish()
}

/// The lines of `text` into a packer whose separator is `\n` (they are joined as they were), a
/// line over `max` cut at safe points. Lines found by bytes and pushed where they are in the text
/// ([`Packer::push_at`]): 1 MiB of `a\n` was a `str::split` step, a cost and two copies per line.
/// Into a chunk begun, the lines that fit are taken at once: a line break costs what the
/// separator does, so they are the whole lines of the longest part of the text, from the line
/// break before them, whose cost fits the room left ([`fit_len`]).
fn lines_into<'t>(text: &'t str, max: usize, m: Measure, out: &mut Packer<'t>) {
    debug_assert_eq!(out.sep, "\n");
    let b = text.as_bytes();
    let mut start = 0;
    loop {
        if start > 0 && !out.is_empty() {
            // from the line break before the next line
            let from = start - 1;
            let fit = from + fit_len(&text[from..], max.saturating_sub(out.cur_cost), m);
            // the end of the last line that fits whole
            let last = if fit == b.len() || b[fit] == b'\n' {
                Some(fit)
            } else {
                b[start..fit].iter().rposition(|&c| c == b'\n').map(|k| start + k)
            };
            // none when not even the next line fits (`fit` may be the line break before it)
            if let Some(end) = last.filter(|&end| end >= start) {
                out.append_at(text, from, end, m.cost(&text[from..end]));
                if end == b.len() {
                    break;
                }
                start = end + 1;
                continue;
            }
        }
        let end = find_byte(b, start, b'\n').unwrap_or(b.len());
        let line = &text[start..end];
        let c = m.cost_within(line, max);
        if c > max {
            for piece in chop(line, max, m) {
                let pc = m.cost(&piece);
                out.push(&piece, pc);
            }
        } else {
            out.push_at(text, start, end, c);
        }
        if end == b.len() {
            break;
        }
        start = end + 1;
    }
}

/// Pieces packed greedily into chunks of at most `max`, `sep` between two pieces of a chunk
/// (a piece over `max` gets a chunk of its own); an empty chunk so far takes the next piece
/// without `sep`. Pieces are copied in as they come: none needs a `String` of its own.
struct Packer<'s> {
    sep: &'s str,
    sep_cost: usize,
    max: usize,
    out: Vec<String>,
    /// each chunk's cost (`out`'s, then `cur`'s)
    costs: Vec<usize>,
    cur: String,
    cur_cost: usize,
    /// what was pushed by [`Packer::push_at`] and not yet copied into `cur`: `run.0[run.1..run.2]`
    run: (&'s str, usize, usize),
}

impl<'s> Packer<'s> {
    fn new(sep: &'s str, max: usize, m: Measure) -> Self {
        Packer {
            sep,
            sep_cost: m.cost(sep),
            max,
            out: Vec::new(),
            costs: Vec::new(),
            cur: String::new(),
            cur_cost: 0,
            run: ("", 0, 0),
        }
    }

    /// `push(&text[at..end], pc)` for a piece of `text` that `sep` comes before in it (unless
    /// it is the first; the callers' pieces are what `text` split by `sep` gives): a run of such pieces going into one chunk is the text from the first to
    /// the last, separators included, and is copied in at once when the chunk ends (the pieces
    /// are paragraphs or lines: for 1 MiB of `a\n\n`, a copy per 3 bytes).
    fn push_at(&mut self, text: &'s str, at: usize, end: usize, pc: usize) {
        let (t, from, to) = self.run;
        let empty = self.cur.is_empty() && from == to;
        if !empty && self.cur_cost + self.sep_cost + pc > self.max {
            self.end_chunk();
        }
        if self.cur.is_empty() && self.run.1 == self.run.2 {
            // into an empty chunk, without `sep` (an empty piece leaves it empty)
            self.run = (text, at, end);
            self.cur_cost += pc;
            return;
        }
        let n = self.sep.len();
        debug_assert!(text.get(at.wrapping_sub(n)..at) == Some(self.sep), "no separator before the piece");
        if to > from && to == at - n && std::ptr::eq(t, text) {
            self.run.2 = end;
        } else {
            self.copy_run();
            self.run = (text, at - n, end);
        }
        self.cur_cost += self.sep_cost + pc;
    }

    /// Whether the chunk so far is empty (the next piece goes in without `sep`).
    fn is_empty(&self) -> bool {
        self.cur.is_empty() && self.run.1 == self.run.2
    }

    /// `text[from..to]`, which costs `c`, into a chunk begun, where it fits: pieces of `text` each
    /// with the `sep` before it, as [`Packer::push_at`] of each would put them in.
    fn append_at(&mut self, text: &'s str, from: usize, to: usize, c: usize) {
        debug_assert!(!self.is_empty() && self.cur_cost + c <= self.max);
        debug_assert!(text[from..].starts_with(self.sep));
        let (t, run_from, run_to) = self.run;
        if run_to > run_from && run_to == from && std::ptr::eq(t, text) {
            self.run.2 = to;
        } else {
            self.copy_run();
            self.run = (text, from, to);
        }
        self.cur_cost += c;
    }

    /// The run of [`Packer::push_at`] copied into `cur`.
    fn copy_run(&mut self) {
        let (t, from, to) = std::mem::take(&mut self.run);
        if to > from {
            self.reserve_for(to - from);
            self.cur.push_str(&t[from..to]);
        }
    }

    /// Add a piece that costs `pc`.
    fn push(&mut self, p: &str, pc: usize) {
        self.copy_run();
        if !self.cur.is_empty() && self.cur_cost + self.sep_cost + pc > self.max {
            self.end_chunk();
        }
        if !self.cur.is_empty() {
            self.cur.push_str(self.sep);
            self.cur_cost += self.sep_cost;
        } else {
            self.reserve_for(p.len());
        }
        self.cur.push_str(p);
        self.cur_cost += pc;
    }

    /// Room in an empty chunk so far: a string is filled to about `max` (the packing runs only on
    /// content over it).
    fn reserve_for(&mut self, len: usize) {
        if self.cur.capacity() == 0 {
            self.cur.reserve(self.max.min(1 << 16).max(len));
        }
    }

    /// The chunk so far is done.
    fn end_chunk(&mut self) {
        self.copy_run();
        self.out.push(std::mem::take(&mut self.cur));
        self.costs.push(std::mem::take(&mut self.cur_cost));
    }

    fn finish(self) -> Vec<String> {
        self.finish_with_costs().map(|(p, _)| p).collect()
    }

    /// The chunks, each with its cost.
    fn finish_with_costs(mut self) -> impl Iterator<Item = (String, usize)> {
        self.copy_run();
        if !self.cur.is_empty() {
            self.end_chunk();
        }
        self.out.into_iter().zip(self.costs)
    }
}

/// A block into a packer: whole when it fits `max`, else split first (see [`split_block_into`]).
fn pack_block(out: &mut Packer<'_>, b: &str, c: usize, max: usize, m: Measure) {
    if c > max {
        split_block_into(b, max, m, &mut |p: &str, pc| out.push(p, pc));
    } else {
        out.push(b, c);
    }
}

/// Pack rendered blocks, joined by `sep`, into chunks of at most `max` each
/// (a block over `max` on its own is split by lines first). One chunk when it
/// all fits. Empty input gives one empty chunk.
pub fn pack(blocks: &[String], sep: &str, max: usize, m: Measure) -> Vec<String> {
    let max = max.max(1);
    let mut out = Packer::new(sep, max, m);
    for b in blocks {
        pack_block(&mut out, b, m.cost(b), max, m);
    }
    let out = out.finish();
    if out.is_empty() { vec![String::new()] } else { out }
}

/// [`pack`] of the leading blocks whose cost (with `sep` between them) reaches `budget`, the
/// last one cut at a safe point: all a split into a bounded number of parts can use, so the
/// rest is never packed. `costs` are the blocks' own (measured once by the caller). `true`
/// when something was left out.
pub fn pack_capped(
    blocks: &[String],
    costs: &[usize],
    sep: &str,
    budget: usize,
    max: usize,
    m: Measure,
) -> (Vec<String>, bool) {
    let max = max.max(1);
    let mut out = Packer::new(sep, max, m);
    let given = blocks.iter().map(String::as_str).zip(costs.iter().copied());
    let cut = cap(given, sep, budget, max, m, |b, c| pack_block(&mut out, b, c, max, m));
    let out = out.finish();
    (if out.is_empty() { vec![String::new()] } else { out }, cut)
}

/// The leading blocks (each with its cost, or with a number over `budget` when it costs more)
/// whose cost, with `sep` between them, reaches `budget`, the last one cut at a safe point, each
/// handed (borrowed) with its cost to `keep` (the cut one's only when at most `max`, else a
/// number over `max`); blank blocks are left out. `true` when something was left out.
fn cap<'b>(
    blocks: impl Iterator<Item = (&'b str, usize)>,
    sep: &str,
    budget: usize,
    max: usize,
    m: Measure,
    mut keep: impl FnMut(&'b str, usize),
) -> bool {
    let sep_cost = m.cost(sep);
    let mut used = 0usize;
    let mut first = true;
    for (b, c) in blocks {
        // a blank block shows nothing and no part is sent blank: it is left out here, before it
        // takes any of the budget (thousands of them would otherwise cut the content after them)
        if b.trim().is_empty() {
            continue;
        }
        let add = if first { 0 } else { sep_cost };
        first = false;
        if used + add + c <= budget {
            used += add + c;
            keep(b, c);
            continue;
        }
        let room = budget.saturating_sub(used + add);
        let cut = safe_cut(b, room, m);
        if cut > 0 {
            keep(&b[..cut], m.cost_within(&b[..cut], max));
        }
        return true;
    }
    false
}

/// [`pack_capped`] of a text's paragraphs, and whether the cap left
/// something out, for a text whose blocks are its paragraphs (`text.split(sep)`): without a
/// `String` per paragraph, and reading the text only as far as the budget.
pub fn cap_and_pack_paragraphs(text: &str, sep: &str, budget: usize, max: usize, m: Measure) -> (Vec<String>, bool) {
    let max = max.max(1);
    let mut out = Packer::new(sep, max, m);
    let blocks = Split { rest: Some(text), sep }.map(|b| (b, m.cost_within(b, budget)));
    let cut = cap(blocks, sep, budget, max, m, |b, c| {
        if c > max {
            pack_block(&mut out, b, c, max, m);
        } else {
            // where the paragraph is in the text (it is a slice of it)
            let at = b.as_ptr() as usize - text.as_ptr() as usize;
            out.push_at(text, at, at + b.len(), c);
        }
    });
    let out = out.finish();
    (if out.is_empty() { vec![String::new()] } else { out }, cut)
}

/// `str::split` by a separator, by a byte search for its first byte (the generic substring
/// search costs more than this for 1 MiB of `a\n\n`: a match every 3 bytes).
struct Split<'t, 'p> {
    rest: Option<&'t str>,
    sep: &'p str,
}

impl<'t> Iterator for Split<'t, '_> {
    type Item = &'t str;

    fn next(&mut self) -> Option<&'t str> {
        let rest = self.rest?;
        let (first, sep) = (self.sep.as_bytes().first().copied(), self.sep.as_bytes());
        let Some(first) = first else {
            // an empty separator is never asked for: the whole text as one piece
            self.rest = None;
            return Some(rest);
        };
        let b = rest.as_bytes();
        let second = sep.get(1).copied();
        let mut from = 0;
        while let Some(at) = match second {
            Some(second) => find_pair(b, from, first, second),
            None => b.get(from..).and_then(|t| t.iter().position(|&x| x == first)).map(|k| from + k),
        } {
            // a pair found is the separator when it is two bytes (`\n\n`)
            if sep.len() == 2 || b.get(at..).is_some_and(|t| t.starts_with(sep)) {
                self.rest = rest.get(at + sep.len()..);
                return rest.get(..at);
            }
            from = at + 1;
        }
        self.rest = None;
        Some(rest)
    }
}

/// The first `i >= from` where `b[i] == x` and `b[i + 1] == y`: eight places a step (1 MiB of
/// `a\n` has a `\n` every other byte and no `\n\n`: a search for `\n` then a look at the
/// next byte stops half a million times).
fn find_pair(b: &[u8], from: usize, x: u8, y: u8) -> Option<usize> {
    let eq = eq_mask;
    let mut i = from;
    while let Some(nine) = b.get(i..).and_then(<[u8]>::first_chunk::<9>) {
        let lo = u64::from_le_bytes([nine[0], nine[1], nine[2], nine[3], nine[4], nine[5], nine[6], nine[7]]);
        let hi = u64::from_le_bytes([nine[1], nine[2], nine[3], nine[4], nine[5], nine[6], nine[7], nine[8]]);
        let m = eq(lo, x) & eq(hi, y);
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    while i + 1 < b.len() {
        if b[i] == x && b[i + 1] == y {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// The high bit of each byte of `w` (a little-endian word) that equals `c`, exactly (no borrow
/// between bytes: each byte's low seven bits are added to 0x7f on their own).
#[inline(always)]
fn eq_mask(w: u64, c: u8) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let v = w ^ (ONES * u64::from(c));
    !(((v & !HIGH) + !HIGH) | v) & HIGH
}

/// The first `i >= from` where `b[i] == x`: eight places a step.
fn find_byte(b: &[u8], from: usize, x: u8) -> Option<usize> {
    let mut i = from;
    while let Some(w) = b.get(i..).and_then(<[u8]>::first_chunk::<8>) {
        let m = eq_mask(u64::from_le_bytes(*w), x);
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    b.get(i..)?.iter().position(|&c| c == x).map(|k| i + k)
}

/// Pack items of known cost (e.g. Feishu post rows) into groups of at most
/// `max` total, `sep_cost` between two items. An item over `max` alone gets a
/// group of its own (the caller splits such items first).
pub fn pack_by<T>(items: Vec<T>, sep_cost: usize, max: usize, cost: impl Fn(&T) -> usize) -> Vec<Vec<T>> {
    let mut out: Vec<Vec<T>> = Vec::new();
    let mut cur: Vec<T> = Vec::new();
    let mut cur_cost = 0;
    for it in items {
        let c = cost(&it);
        let add = if cur.is_empty() { c } else { sep_cost + c };
        if !cur.is_empty() && cur_cost + add > max {
            out.push(std::mem::take(&mut cur));
            cur_cost = 0;
        }
        cur_cost += if cur.is_empty() { c } else { sep_cost + c };
        cur.push(it);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Cut `s` to at most `max` UTF-8 bytes at a character boundary, with `…`
/// when cut (for short fields such as a WeCom news title).
pub fn clip_bytes(s: &str, max: usize) -> (String, bool) {
    if s.len() <= max {
        return (s.to_string(), false);
    }
    let room = max.saturating_sub('…'.len_utf8());
    let mut end = 0;
    for (i, c) in s.char_indices() {
        if i + c.len_utf8() > room {
            break;
        }
        end = i + c.len_utf8();
    }
    (format!("{}…", &s[..end]), true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn json_measure_counts_escapes() {
        assert_eq!(Measure::Json.cost("a\"b\\c\nd"), 10);
        assert_eq!(Measure::Json.cost("中"), 3);
        assert_eq!(Measure::Json.cost("\u{1}"), 6);
        assert_eq!(Measure::Utf8.cost("a\"\n中"), 6);
    }

    #[test]
    fn cuts_prefer_paragraphs_then_lines_then_spaces() {
        let s = "first paragraph\n\nsecond line one\nsecond line two";
        assert_eq!(&s[..safe_cut(s, 30, Measure::Utf8)], "first paragraph");
        assert_eq!(&s[..safe_cut(s, 40, Measure::Utf8)], "first paragraph\n\nsecond line one");
        let s = "line one\nline two\nline three";
        assert_eq!(&s[..safe_cut(s, 20, Measure::Utf8)], "line one\nline two");
        let s = "aaaa bbbb cccc dddd";
        assert_eq!(&s[..safe_cut(s, 12, Measure::Utf8)], "aaaa bbbb");
    }

    #[test]
    fn never_cuts_a_link_or_mention() {
        let s = "see [the dashboard](https://example.com/d?x=1) now";
        let cut = safe_cut(s, 30, Measure::Utf8);
        assert_eq!(&s[..cut], "see ");
        let s = "hi <at user_id=\"ou_123\">Zhang San</at> ok";
        let cut = safe_cut(s, 20, Measure::Utf8);
        assert_eq!(&s[..cut], "hi ");
        let s = "x https://example.com/a/very/long/path";
        assert_eq!(&s[..safe_cut(s, 20, Measure::Utf8)], "x ");
    }

    #[test]
    fn a_span_that_starts_the_text() {
        // the space to cut at is inside a link that starts the text: cut after the link, not
        // at the byte limit (which is inside the mention after it)
        let s = format!("[{} {}](u)<@abc>{}", "x".repeat(50), "y".repeat(20), "z".repeat(200));
        assert_eq!(&s[..safe_cut(&s, 80, Measure::Utf8)], &s[..76]);
        // longer than the room: left out, and the mention inside it is not cut
        let s = format!("[a](f{}<@abc>{})", "z".repeat(70), "z".repeat(200));
        assert_eq!(&s[..safe_cut(&s, 80, Measure::Utf8)], &s[..75]);
    }

    #[test]
    fn never_cuts_a_character() {
        let s = "告警告警告警";
        let cut = safe_cut(s, 7, Measure::Utf8);
        assert_eq!(&s[..cut], "告警");
    }

    #[test]
    fn truncate_adds_marker_within_limit() {
        let s = "line one\nline two\nline three\nline four";
        let t = truncate(s, 30, Measure::Utf8).unwrap();
        assert!(t.len() <= 30, "{t}");
        assert!(t.ends_with(TRUNCATION_MARKER));
        assert!(t.starts_with("line one"));
        assert!(truncate("short", 30, Measure::Utf8).is_none());
    }

    #[test]
    fn packing_keeps_blocks_whole_and_fences_code() {
        let blocks = vec!["a".repeat(10), "b".repeat(10), "c".repeat(10)];
        assert_eq!(
            pack(&blocks, "\n\n", 22, Measure::Utf8),
            vec![format!("{}\n\n{}", "a".repeat(10), "b".repeat(10)), "c".repeat(10)]
        );
        let code =
            format!("```rust\n{}\n```", (0..20).map(|i| format!("let x{i} = {i};")).collect::<Vec<_>>().join("\n"));
        let parts = pack(&[code], "\n\n", 80, Measure::Utf8);
        assert!(parts.len() > 1);
        for p in &parts {
            assert!(p.len() <= 80, "{p}");
            assert!(p.starts_with("```rust\n") && p.ends_with("\n```"), "{p}");
        }
    }

    #[test]
    fn clip_bytes_marks_cut() {
        assert_eq!(clip_bytes("技术分享", 9), ("技术…".to_string(), true));
        assert_eq!(clip_bytes("技术分享", 8), ("技…".to_string(), true));
        assert_eq!(clip_bytes("abc", 7), ("abc".to_string(), false));
    }

    /// A plain scan (each span looked for afresh in its window), then sorted and merged:
    /// the linear one must find the same spans.
    fn reference_spans(s: &str, upto: usize, room: usize, tags: bool) -> Vec<(usize, usize)> {
        let b = s.as_bytes();
        let window = |from: usize| {
            let mut end = (from + MAX_SPAN).min(s.len());
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            &s[from..end]
        };
        let mut raw = Vec::new();
        let mut i = 0;
        while i < upto.min(b.len()) {
            match b[i] {
                b'[' => {
                    // [text](url) or ![alt](url), on one line, url without spaces, text without `[`
                    let w = window(i);
                    let line = w.split('\n').next().unwrap_or("");
                    if let Some(close) = line.find("](") {
                        if let Some(end) = line[close + 2..].find(')') {
                            let url = &line[close + 2..close + 2 + end];
                            if !url.contains(char::is_whitespace) && !line[1..close].contains('[') {
                                let start = if i > 0 && b[i - 1] == b'!' { i - 1 } else { i };
                                raw.push((start, i + close + 2 + end + 1));
                            }
                        }
                    }
                }
                b'<' => {
                    let w = window(i);
                    let at = w.starts_with("<at ").then(|| w.find("</at>")).flatten();
                    if let Some(end) = at {
                        if tags {
                            raw.push((i, i + end + "</at>".len()));
                        }
                    } else if let Some(end) =
                        w.find('>').filter(|&e| e < 200 && !w[..e].contains('\n') && (tags || w.starts_with("<@")))
                    {
                        raw.push((i, i + end + 1));
                    }
                }
                b'h' if s[i..].starts_with("http://") || s[i..].starts_with("https://") => {
                    let w = window(i);
                    let end = w
                        .find(|c: char| c.is_whitespace() || matches!(c, ')' | '[' | ']' | '<' | '>' | '"'))
                        .map_or(i + w.len(), |k| i + k);
                    raw.push((i, end));
                    i = end.max(i + 1);
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
        raw.retain(|&(start, end)| start > 0 || end <= room);
        raw.sort_unstable();
        let mut spans: Vec<(usize, usize)> = Vec::new();
        for (start, end) in raw {
            match spans.last_mut() {
                Some(last) if start < last.1 => last.1 = last.1.max(end),
                _ => spans.push((start, end)),
            }
        }
        spans
    }

    proptest! {
        #[test]
        fn linear_spans_match_the_reference(s in "([\\[\\]()<>!h \n\t中a\u{a0}\u{3000}]|<at |</at>|<@|\\]\\(|https://|\\[a\\]\\(/u\\)){0,300}", room in 0usize..400) {
            prop_assert_eq!(protected_spans(&s, s.len(), usize::MAX, true), reference_spans(&s, s.len(), usize::MAX, true));
            for tags in [true, false] {
                prop_assert_eq!(protected_spans(&s, s.len(), room, tags), reference_spans(&s, s.len(), room, tags));
            }
        }

        #[test]
        fn pack_respects_limit_and_loses_no_text(s in "[a-z 中\\n\\[\\]()<>/:.h]{0,400}", max in 8usize..120) {
            let blocks: Vec<String> = s.split("\n\n").map(str::to_string).collect();
            for m in [Measure::Utf8, Measure::Json] {
                let parts = pack(&blocks, "\n\n", max, m);
                for p in &parts {
                    prop_assert!(m.cost(p) <= max.max(4), "part over limit: {:?}", p);
                }
                let strip = |x: &str| x.chars().filter(|c| !c.is_whitespace()).collect::<String>();
                prop_assert_eq!(strip(&parts.concat()), strip(&s));
            }
        }

        #[test]
        fn fit_by_bytes_is_fit_by_chars(s in "[a\"\\\n\u{1}中é]{0,60}", max in 0usize..150) {
            for m in [Measure::Utf8, Measure::Json] {
                let (mut fit, mut used) = (0, 0);
                for (i, c) in s.char_indices() {
                    if used + m.char_cost(c) > max {
                        break;
                    }
                    used += m.char_cost(c);
                    fit = i + c.len_utf8();
                }
                prop_assert_eq!(fit_len(&s, max, m), fit);
            }
        }

        #[test]
        fn truncate_never_exceeds(s in "\\PC{0,300}", max in 16usize..200) {
            for m in [Measure::Utf8, Measure::Json] {
                if let Some(t) = truncate(&s, max, m) {
                    prop_assert!(m.cost(&t) <= max);
                }
            }
        }
    }

    /// The packing as it was before [`Packer`] (a `String` per piece, blocks packed from a
    /// `Vec`): what the streaming one must give, piece for piece.
    mod before {
        use super::super::{Measure, chop, safe_cut};

        /// Split one rendered block that is over `max` on its own: by lines, and a
        /// fenced code block keeps its fence on every piece.
        fn split_block(block: &str, max: usize, m: Measure) -> Vec<String> {
            // the fence is as long as the block's own (longer than any backtick run inside)
            let ticks = block.bytes().take_while(|&b| b == b'`').count();
            let fence = &block[..ticks];
            let fenced = ticks >= 3 && block.len() > 2 * ticks && block.ends_with(fence);
            if let Some(inner) = fenced.then(|| &block[ticks..block.len() - ticks]) {
                if let Some((lang, code)) = inner.split_once('\n') {
                    let open = format!("{fence}{lang}\n");
                    let close = format!("\n{fence}");
                    let close = close.as_str();
                    let room = max.saturating_sub(m.cost(&open) + m.cost(close)).max(1);
                    return pack_lines(code.trim_end_matches('\n'), room, m)
                        .into_iter()
                        .map(|c| format!("{open}{c}{close}"))
                        .collect();
                }
            }
            pack_lines(block, max, m)
        }

        fn pack_lines(text: &str, max: usize, m: Measure) -> Vec<String> {
            let mut pieces = Vec::new();
            for line in text.split('\n') {
                if m.cost(line) > max {
                    pieces.extend(chop(line, max, m));
                } else {
                    pieces.push(line.to_string());
                }
            }
            pack_items(pieces, "\n", max, m)
        }

        fn pack_items(pieces: Vec<String>, sep: &str, max: usize, m: Measure) -> Vec<String> {
            let sep_cost = m.cost(sep);
            let mut out = Vec::new();
            let mut cur = String::new();
            let mut cur_cost = 0;
            for p in pieces {
                let pc = m.cost(&p);
                if !cur.is_empty() && cur_cost + sep_cost + pc > max {
                    out.push(std::mem::take(&mut cur));
                    cur_cost = 0;
                }
                if !cur.is_empty() {
                    cur.push_str(sep);
                    cur_cost += sep_cost;
                }
                cur.push_str(&p);
                cur_cost += pc;
            }
            if !cur.is_empty() {
                out.push(cur);
            }
            out
        }

        /// Pack rendered blocks, joined by `sep`, into chunks of at most `max` each
        /// (a block over `max` on its own is split by lines first). One chunk when it
        /// all fits. Empty input gives one empty chunk.
        pub(super) fn pack(blocks: &[String], sep: &str, max: usize, m: Measure) -> Vec<String> {
            let max = max.max(1);
            let mut pieces = Vec::with_capacity(blocks.len());
            for b in blocks {
                if m.cost(b) > max {
                    pieces.extend(split_block(b, max, m));
                } else {
                    pieces.push(b.clone());
                }
            }
            let out = pack_items(pieces, sep, max, m);
            if out.is_empty() { vec![String::new()] } else { out }
        }

        /// The leading blocks whose cost (with `sep` between them) reaches `budget`,
        /// the last one cut at a safe point: all a split into a bounded number of
        /// parts can use, so the rest is never packed. `true` when something was left out.
        pub(super) fn cap_blocks(blocks: &[String], sep: &str, budget: usize, m: Measure) -> (Vec<String>, bool) {
            let sep_cost = m.cost(sep);
            let mut out = Vec::new();
            let mut used = 0usize;
            for (k, b) in blocks.iter().enumerate() {
                let add = if k == 0 { 0 } else { sep_cost };
                let c = m.cost(b);
                if used + add + c <= budget {
                    used += add + c;
                    out.push(b.clone());
                    continue;
                }
                let room = budget.saturating_sub(used + add);
                let cut = safe_cut(b, room, m);
                if cut > 0 {
                    out.push(b[..cut].to_string());
                }
                return (out, true);
            }
            (out, false)
        }
    }

    proptest! {
        #[test]
        fn streaming_pack_matches_the_one_before(
            s in "([a-z ]{1,6}|\n|\n\n|\n\n\n|```|```rust\n|中|\\[a\\]\\(/u\\)|<@x>|\"){0,120}",
            max in 1usize..90,
            budget in 0usize..700,
        ) {
            let blocks: Vec<String> = s.split("\n\n").map(str::to_string).collect();
            for m in [Measure::Utf8, Measure::Json] {
                prop_assert_eq!(pack(&blocks, "\n\n", max, m), before::pack(&blocks, "\n\n", max, m));
                prop_assert_eq!(pack(std::slice::from_ref(&s), "\n", max, m), before::pack(std::slice::from_ref(&s), "\n", max, m));
                // blank blocks are left out before the cap: what the split sends
                let shown: Vec<String> = blocks.iter().filter(|b| !b.trim().is_empty()).cloned().collect();
                let (capped, cut) = before::cap_blocks(&shown, "\n\n", budget, m);
                let want = (before::pack(&capped, "\n\n", max, m), cut);
                let costs: Vec<usize> = blocks.iter().map(|b| m.cost(b)).collect();
                prop_assert_eq!(pack_capped(&blocks, &costs, "\n\n", budget, max, m), want.clone());
                prop_assert_eq!(cap_and_pack_paragraphs(&s, "\n\n", budget, max, m), want);
            }
        }

        #[test]
        fn cost_within_is_the_cost_or_over_the_cap(
            units in prop::collection::vec(("[a\"\\\n\u{1}中]{0,3}", 1usize..6000), 0..6),
            cap in 0usize..80_000,
        ) {
            let s: String = units.iter().map(|(u, n)| u.repeat(*n)).collect();
            for m in [Measure::Utf8, Measure::Json] {
                let (c, full) = (m.cost_within(&s, cap), m.cost(&s));
                if full <= cap {
                    prop_assert_eq!(c, full);
                } else {
                    prop_assert!(c > cap, "{} within {} of {}", c, cap, full);
                }
            }
        }

        #[test]
        fn split_by_bytes_is_str_split(s in "(a|\n|\n\n|中|ab|\na\n\n\n|aaaaaaa){0,60}") {
            for sep in ["\n\n", "\n", "ab", "中", "a", "a\n\n"] {
                let ours: Vec<&str> = Split { rest: Some(&s), sep }.collect();
                prop_assert_eq!(ours, s.split(sep).collect::<Vec<_>>());
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(40))]
        /// Long texts (past the `4 * MAX_SPAN` a search reads ahead): runs of filler between
        /// links, `](`s, tags and URLs, so that spans start and end on either side of where a
        /// search stopped; the byte-level `](` search against `str::find` on each.
        #[test]
        fn linear_spans_match_the_reference_on_long_texts(
            parts in prop::collection::vec((0usize..5000, "(\\[a\\]\\(/u\\)|\\]\\(|\\[|<at |</at>|<@x>|<b>|https://x|\\)|\n|中){1,6}"), 1..8),
            room in 0usize..20_000,
        ) {
            let mut s = String::new();
            for (fill, piece) in &parts {
                s.push_str(&"a".repeat(*fill));
                s.push_str(piece);
            }
            for from in [0, 1, MAX_SPAN - 1, 4 * MAX_SPAN - 1] {
                if let Some(t) = s.get(from.min(s.len())..) {
                    prop_assert_eq!(t.as_bytes().windows(2).position(|w| w == b"]("), t.find("]("));
                }
            }
            for tags in [true, false] {
                prop_assert_eq!(protected_spans(&s, s.len(), room, tags), reference_spans(&s, s.len(), room, tags));
                let upto = room.min(s.len());
                if s.is_char_boundary(upto) {
                    prop_assert_eq!(protected_spans(&s, upto, usize::MAX, tags), reference_spans(&s, upto, usize::MAX, tags));
                }
            }
        }
    }
}

/// The JSON measure eight bytes at a time and the cut's search of the room's second half
/// against the byte-by-byte code they replace.
#[cfg(test)]
mod word_tests {
    use super::*;
    use proptest::prelude::*;

    fn cost_before(s: &str) -> usize {
        s.len() + s.bytes().map(|b| usize::from(JSON_EXTRA[usize::from(b)])).sum::<usize>()
    }

    fn fit_len_before(s: &str, max: usize) -> usize {
        let mut used = 0usize;
        let mut end = s.len();
        for (i, &b) in s.as_bytes().iter().enumerate() {
            used += 1 + usize::from(JSON_EXTRA[usize::from(b)]);
            if used > max {
                end = i;
                break;
            }
        }
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        end
    }

    fn cut_before(s: &str, fit: usize) -> usize {
        let head = &s[..fit];
        let floor = fit / 2;
        match head.rfind("\n\n").filter(|&k| k >= floor) {
            Some(k) => k,
            None => match head.rfind('\n').filter(|&k| k >= floor) {
                Some(k) => k,
                None => head.rfind(' ').filter(|&k| k >= floor).unwrap_or(fit),
            },
        }
    }

    #[test]
    fn every_byte_value_at_every_offset_of_a_word() {
        for b in 0..=255u8 {
            for at in 0..8 {
                let mut v = vec![b'a'; 8];
                v[at] = b;
                let w = u64::from_le_bytes(v.clone().try_into().unwrap());
                assert_eq!(word_extra(w), usize::from(JSON_EXTRA[usize::from(b)]), "{b:#x} at {at}");
                // and in a string long enough to be read by words, at every offset of one
                for pad in 8..17 {
                    let mut long = vec![b'a'; pad + 16];
                    long[pad + at] = b;
                    assert_eq!(json_extra(&long), usize::from(JSON_EXTRA[usize::from(b)]), "{b:#x} at {pad}+{at}");
                }
            }
        }
    }

    proptest! {
        #[test]
        fn word_extra_is_the_tables(w in any::<[u8; 8]>()) {
            prop_assert_eq!(word_extra(u64::from_le_bytes(w)), w.iter().map(|&b| usize::from(JSON_EXTRA[usize::from(b)])).sum::<usize>());
        }

        #[test]
        fn word_measures_match_the_byte_ones(
            s in "([a-z ]{1,12}|\n|\n\n|\"|\\\\|\t|\u{1}|\u{1f}|\u{7f}|中|é|🚀| \u{2028}){0,80}",
            max in 0usize..400,
        ) {
            prop_assert_eq!(Measure::Json.cost(&s), cost_before(&s));
            prop_assert_eq!(fit_len(&s, max, Measure::Json), fit_len_before(&s, max));
            for m in [Measure::Json, Measure::Utf8] {
                let fit = fit_len(&s, max, m);
                prop_assert_eq!(break_in_room(&s, fit), cut_before(&s, fit));
            }
        }
    }
}
