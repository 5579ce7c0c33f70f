//! Parsing only what the output can hold.
//!
//! A message keeps at most a bounded number of bytes of rendered content (a
//! platform's limit times the parts it may be split into; one part under
//! `truncate` or `error`), so most of a huge markdown body would be parsed only
//! to be dropped. [`bounded`] parses a prefix of the source instead: cut at a
//! line boundary past the capacity (a blank line if one is near, never inside a
//! character or a CRLF), rendered, and kept only when what it renders passes
//! the capacity by [`MARGIN`]; otherwise (content can shrink: reference
//! definitions, HTML comments, dropped tags) the prefix grows (geometrically,
//! guided by how much the last one rendered) and is parsed again, up to the
//! whole source, so the total stays linear. A source within the need is parsed
//! whole at once.
//!
//! What is kept is what the full parse gives, up to the capacity:
//! - the last top-level block of a prefix may continue past the cut, so it is
//!   dropped when the blocks before it fill the capacity; it is kept when it is
//!   the one that fills it (one huge list, code block or paragraph: what it
//!   renders up to the cut is what the full parse renders there, but for its
//!   last lines, which the margin covers). A prefix that ends in an HTML block
//!   (an HTML comment may close after the cut) fills it with that block only
//!   when nothing after the cut can close it (no `>`, no blank line).
//! - a reference whose definition comes after the cut still resolves: the rest
//!   is scanned (one pass, no parse) for lines that may define a link (`[label]:`
//!   after up to a quote or list marker and a blank or definition line), and
//!   those lines alone are parsed, once, the first time a reference is not
//!   found (the scan too is made then, not before); whole one-line (or two-line)
//!   definitions among them are not parsed but looked up (`super::defs::later_defs`). A candidate the full parse would not read as a definition (one
//!   inside a code block after the cut) may resolve a reference it would not.
//! - blocks before the last fill the output once they pass the capacity by the
//!   margin, or by less where the platform says what its cut reads past its limit
//!   (`fill`: WeCom's one part); a prefix that shows little grows.
//! - where an empty code block renders to nothing, long runs of them are left out
//!   of the parse (`super::blanks`; where a blank block still adds a separator,
//!   only while nothing shows: such a body is refused, as the whole would be).
//! - the dialect, what was degraded and a title taken from the body come from
//!   the blocks kept; what was dropped is reported by the overflow (truncated,
//!   "more than N bytes").

use super::ir::{Block, Doc, Loss};
use super::parse::{fast, parse_with};

#[cfg(test)]
thread_local! {
    /// Tests: parse everything (the reference a bounded parse is compared with).
    pub(crate) static FULL: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Tests: source bytes parsed as prefixes (the work a bounded parse did).
    pub(crate) static PARSED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    /// Tests: the end of each prefix parsed (how many parses, how long each).
    pub(crate) static ATTEMPTS: std::cell::RefCell<Vec<usize>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Rendered bytes past the capacity a partial parse must reach to be kept.
pub const MARGIN: usize = 16 * 1024;

/// Rendered output of a possibly partial parse.
pub struct Bounded<B> {
    /// The blocks kept.
    pub doc: Doc,
    /// Each block rendered.
    pub out: Vec<B>,
    pub losses: Vec<Loss>,
    /// Whether source past the blocks kept was left out (the output is over
    /// the capacity: the overflow cuts it, and says so).
    pub partial: bool,
}

/// Parses as much of `src` as an output holding `capacity` rendered bytes
/// needs, and renders it: `render` writes blocks (the whole prefix document is
/// given for what depends on it, such as the dialect; blocks that do not start it are
/// always its last block, asked for right after the blocks before it), `cost` measures one
/// rendered block (with its separator; nothing for a block that shows nothing).
/// `fill`: what whole blocks must cost to fill the output as the whole source does, when
/// that is less than the capacity and [`MARGIN`] (what the cut reads past the capacity; no
/// margin for a last block left open by the cut is needed for them); `blank_dropped`: a block
/// that shows nothing leaves nothing in the output (no separator either), so runs of such
/// blocks may be left out of the parse.
pub fn bounded<B>(
    src: &str,
    capacity: usize,
    fill: Option<usize>,
    blank_dropped: bool,
    mut render: impl FnMut(&Doc, &[Block]) -> (Vec<B>, Vec<Loss>),
    cost: impl Fn(&B) -> usize,
) -> Bounded<B> {
    let (mut out, mut losses) = (Vec::new(), Vec::new());
    // the loop is not generic (compiled once, not per platform): it asks for blocks rendered
    // (after what was rendered before, or afresh) and their cost
    let (doc, partial) = drive(src, capacity, fill, blank_dropped, &mut |doc, blocks, append, measure| {
        let (o, l) = render(doc, blocks);
        if !append {
            out.clear();
            losses.clear();
        }
        // unmeasured (0) where nothing is decided by the cost: the whole source parsed with
        // nothing left out, every small message (DingTalk measured each block's JSON bytes here
        // and again in `fit_blocks`)
        let c = if measure || !fast() { o.iter().map(&cost).fold(0usize, usize::saturating_add) } else { 0 };
        out.extend(o);
        merge(&mut losses, l);
        c
    });
    Bounded { doc, out, losses, partial }
}

/// Losses added to losses, once per kind.
fn merge(losses: &mut Vec<Loss>, more: Vec<Loss>) {
    for l in more {
        if !losses.iter().any(|k| k.from == l.from) {
            losses.push(l);
        }
    }
}

/// What [`drive`] asks for: blocks of a document rendered after those rendered before (`true`)
/// or afresh, and their cost when measured (the last `bool`; else 0).
type Render<'a> = dyn FnMut(&Doc, &[Block], bool, bool) -> usize + 'a;

/// The loop of [`bounded`]: the document kept (its blocks are the ones last rendered) and
/// whether it is partial.
fn drive(src: &str, capacity: usize, fill: Option<usize>, blank_dropped: bool, render: &mut Render<'_>) -> (Doc, bool) {
    let need = capacity.saturating_add(MARGIN);
    // what the blocks before the last must cost to be kept alone (the last may go on past the cut)
    let fill = fill.map_or(need, |f| f.min(need));
    // a source within the need is parsed whole; else a first look at a sixteenth of it, then
    // as far as what that rendered says is needed (markup can render many times its size: a
    // Feishu post element per `*a*`), and at least half as far again each time
    let mut want = if src.len() <= need { src.len() } else { need / 16 };
    // runs of empty code blocks are left out of the parse when one shows nothing here (a block
    // rendered alone costs nothing): asked once, of the first prefix that may hold such a run
    // (the prefix only is looked at: two `memchr`s of a whole MiB cost ~0.5 ms in wasm)
    let mut blank_code: Option<bool> = None;
    #[cfg(test)]
    if FULL.get() {
        want = usize::MAX;
        // the full parse leaves no empty code block out
        blank_code = Some(false);
    }
    loop {
        let end = if want >= src.len() { src.len() } else { cut_at(src, want) };
        let (head, rest) = src.split_at(end);
        #[cfg(test)]
        PARSED.set(PARSED.get() + end);
        #[cfg(test)]
        ATTEMPTS.with_borrow_mut(|a| a.push(end));
        let leave_out = super::blanks::may_compact(head)
            && *blank_code.get_or_insert_with(|| {
                let probe = Doc { blocks: vec![Block::Code { lang: String::new(), text: String::new() }] };
                render(&probe, &probe.blocks, false, true) == 0
            });
        let (mut doc, last_html, left_out) = parse_with(head, rest, src.len(), leave_out);
        // empty code blocks left out are kept out where such a block leaves nothing in the
        // output; elsewhere (a separator each) only while nothing shows (then the body is refused,
        // as the whole source would be): else this prefix is parsed again with nothing left out
        let mut shows = |c: usize| {
            let again = left_out && !blank_dropped && c > 0;
            if again {
                blank_code = Some(false);
            }
            again
        };
        if end >= src.len() {
            // the cost decides only whether blocks left out show (see `shows`)
            if shows(render(&doc, &doc.blocks, false, left_out)) {
                continue;
            }
            return (doc, false);
        }
        let (mut all, mut head) = (0, 0);
        if let Some(n) = doc.blocks.len().checked_sub(1) {
            let head_cost = render(&doc, &doc.blocks[..n], false, true);
            head = head_cost;
            if shows(head_cost) {
                continue;
            }
            if head_cost >= fill {
                doc.blocks.truncate(n);
                return (doc, true);
            }
            all = head_cost;
            if !last_html || html_runs_to_the_end(rest) {
                all = all.saturating_add(render(&doc, &doc.blocks[n..], true, true));
                if shows(all) {
                    continue;
                }
                if all >= need {
                    return (doc, true);
                }
            }
        }
        // what the rendered bytes per source byte so far say is needed, an eighth more (a first
        // look's blocks cost a little more per source byte than a longer prefix's: a sixteenth
        // more left 1 MiB of `&amp;` on Feishu 23 bytes short of the need, and the next prefix,
        // half as long again, made the parse 461 KB instead of ~200)
        // blocks small beside what they render together are kept once they `fill` the output;
        // a big last block (one paragraph or list) only once it passes the `need`
        let small = doc.blocks.len() > 1 && (all - head).saturating_mul(4) <= all;
        let target = if small { fill } else { need };
        let guess = (end as u128 * target as u128 * 9 / 8 / (all as u128).max(1)).min(usize::MAX as u128);
        want = end.saturating_add(end / 2).max(guess as usize);
    }
}

/// Whether an HTML block open at the cut runs to the end of the source in the full parse, and
/// renders there as its prefix does: `rest` has no `>` (every closer of kinds 1-5 has one, and
/// HTML's tags and comments are only read up to one) and no blank line (kinds 6 and 7 end at
/// one). Such a block fills the capacity as a long paragraph does (an unclosed `<!--` a line).
fn html_runs_to_the_end(rest: &str) -> bool {
    let b = rest.as_bytes();
    if b.contains(&b'>') {
        return false;
    }
    // a blank line: only spaces, tabs, CR, VT, FF before its `\n` (the end of the source is not one)
    let mut start = 0;
    for (k, &c) in b.iter().enumerate() {
        if c == b'\n' {
            if b[start..k].iter().all(|c| matches!(c, b' ' | b'\t' | b'\r' | 0x0b | 0x0c)) {
                return false;
            }
            start = k + 1;
        }
    }
    true
}

/// Where to cut `src` near byte `want` (< `src.len()`): after the first blank
/// line within a quarter (at least 4 KiB) past it, else after the first line
/// break there, else at the first character boundary at or after `want` (a
/// line that long is cut inside; never between `\r` and `\n`).
pub fn cut_at(src: &str, want: usize) -> usize {
    let b = src.as_bytes();
    let mut at = want.min(b.len());
    while !src.is_char_boundary(at) {
        at += 1;
    }
    let window_end = at.saturating_add((at / 4).max(4096)).min(b.len());
    let window = b.get(at..window_end).unwrap_or(&[]);
    let mut first_nl = None;
    for (k, &c) in window.iter().enumerate() {
        if c != b'\n' {
            continue;
        }
        first_nl.get_or_insert(at + k + 1);
        // the next line is blank (only spaces, tabs, a CR)
        let next = window.get(k + 1..).unwrap_or(&[]);
        let blank = next.iter().position(|&c| c == b'\n').map(|e| &next[..e]);
        if blank.is_some_and(|l| l.iter().all(|c| matches!(c, b' ' | b'\t' | b'\r'))) {
            return at + k + 1;
        }
    }
    if let Some(nl) = first_nl {
        return nl;
    }
    if at > 0 && b.get(at - 1) == Some(&b'\r') && b.get(at) == Some(&b'\n') {
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_after_a_blank_line_near_the_bound() {
        let s = "aaaa\nbbbb\n\ncccc\n";
        assert_eq!(&s[..cut_at(s, 2)], "aaaa\nbbbb\n");
        let s = "aaaa\r\nbbbb\r\n\r\ncccc";
        assert_eq!(&s[..cut_at(s, 2)], "aaaa\r\nbbbb\r\n");
        // no line break near: a character boundary, never inside one
        let s = "告警".repeat(10);
        let c = cut_at(&s, 4);
        assert!(s.is_char_boundary(c) && c >= 4 && c < s.len());
        let s = format!("{}\r\n", "a".repeat(10));
        assert_eq!(cut_at(&s, 11), 12);
    }
}
