//! Link reference definitions found without parsing:
//! - after a cut: the lines of the rest of a source that may define one (see `super::bound`,
//!   which parses a prefix, and `super::parse::parse_with`, which reads these lines the first
//!   time a reference is not defined in the prefix);
//! - in what is parsed: runs of lines that are each a whole definition on one line, whose
//!   inner lines are left out of the parse ([`compact`]: they render to nothing, and pulldown-cmark
//!   would read each into its map) and looked up only when a reference is not found.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::ops::Range;

/// The lines of `rest` that may define a link reference, each with up to two
/// lines after it (a destination or title may follow on its own line), as a
/// small document of their own: a line whose text (after indentation, quote
/// markers and one list marker) starts with `[` and has `]:`, after a blank
/// line, a heading or another such line (a definition cannot interrupt a
/// paragraph). One pass over the bytes. `prev_ok`: whether the line before
/// `rest` allows one ([`allows_def_after`] of the source before it).
///
/// Returned as a [`Compact`] of `rest`: its `text` is that document, but for candidates that are
/// each a whole definition on one line ([`simple_def`]) with no line taken after them, which are
/// left out of it (its `runs`: where each would have been in `text`, and the lines in `rest`) and
/// looked up by [`Compact::later`]. In the document such a line would be a block of its own,
/// `line\n\n`, at the top level (a block before it ends at the blank line before it, unless it
/// is a fence or an HTML block left open, which needs a `` ` ``, `~` or `<` in a line of the
/// document: from the first such line on, every candidate is written out), so a definition
/// read exactly as that line read alone. Each run of such lines leaves [`CLOSER`] in `text`,
/// which ends what the lines would have ended for the blocks after them. The first definition
/// of a label wins, which [`Compact::later`] keeps by comparing positions in `text`.
///
/// `want`: the label of the reference that asks for the document; the first left-out line that
/// defines it is noted on the way (no scan of the lines for it afterwards).
pub(crate) fn later_defs<'s>(rest: &'s str, prev_ok: bool, want: &str) -> Compact<'s> {
    #[cfg(test)]
    let fast = SKIP_MIN.get() != usize::MAX;
    #[cfg(not(test))]
    let fast = true;
    let mut c = Compact {
        src: rest,
        text: String::new(),
        runs: Vec::new(),
        index: std::cell::OnceCell::new(),
        scans: std::cell::Cell::new(0),
        memo: None,
    };
    // every candidate has a `]:`: none in the rest (no `:` is one `memchr`), no line to look at
    if !rest.as_bytes().contains(&b':') || !has_def_mark(rest.as_bytes()) {
        return c;
    }
    // a line of the document may open a fence or an HTML block (see above)
    let mut open = !fast;
    let out = &mut c.text;
    let mut prev_ok = prev_ok;
    let b = rest.as_bytes();
    let mut i = 0;
    // the first left-out line defining `want` (its start, its run)
    let mut found = None;
    // by bytes, one line at a time (a `split` and `str` trims per line cost ~100 ns a line: 60 ms
    // natively for 1 MiB of `a\n`); every test below is the one of the `str` form
    while i <= b.len() {
        // the common line of a run of definitions, decided at once: a candidate (its text is the
        // line, which starts with `[` and holds `]:`), alone (the end or a `[` line follows)
        if prev_ok && !open {
            if let Some((label, end)) = scan_def(b, i, true) {
                if end == b.len() || (end + 1 < b.len() && b[end + 1] == b'[') {
                    leave_out(&mut c.runs, out, i..end + 1);
                    if found.is_none() && same_label(&b[i + label.start..i + label.end], want.as_bytes()) {
                        found = Some((i, c.runs.len() - 1));
                    }
                    i = end + 1;
                    continue;
                }
            }
        }
        let end = line_end(b, i);
        let line = &rest[i..end];
        i = end + 1;
        // a line starting with no marker is its own text (no call for the markers)
        let t = match line.as_bytes().first() {
            Some(c) if c.is_ascii_graphic() && !matches!(c, b'>' | b'-' | b'*' | b'+' | b'0'..=b'9') => line,
            _ => strip_markers(line),
        };
        // the common line: its text starts with a visible ASCII character that is neither `#`
        // nor, after a line that allows one, the `[` of a definition: not blank, not a heading,
        // no candidate
        if let Some(&c) = t.as_bytes().first() {
            if c.is_ascii_graphic() && c != b'#' && (c != b'[' || !prev_ok) {
                prev_ok = false;
                continue;
            }
        }
        let cand = prev_ok && t.starts_with('[') && t.contains("]:");
        let blank = t.trim().is_empty();
        prev_ok = blank || cand || t.starts_with('#');
        if !cand {
            continue;
        }
        let start = end - line.len();
        // no line taken after it: the end, a blank line or a `[` line follows
        let alone = i > b.len() || {
            let next = &rest[i..line_end(b, i)];
            next.trim().is_empty() || strip_markers(next).starts_with('[')
        };
        if let Some(label) = simple_def(line.as_bytes()).filter(|_| alone && !open) {
            leave_out(&mut c.runs, out, start..end + 1);
            if found.is_none() && same_label(&line.as_bytes()[label], want.as_bytes()) {
                found = Some((start, c.runs.len() - 1));
            }
            continue;
        }
        let from = out.len();
        out.push_str(line);
        out.push('\n');
        for _ in 0..2 {
            if i > b.len() {
                break;
            }
            let e = line_end(b, i);
            let next = &rest[i..e];
            if next.trim().is_empty() || strip_markers(next).starts_with('[') {
                break;
            }
            out.push_str(next);
            out.push('\n');
            i = e + 1;
        }
        out.push('\n');
        open = open || out.as_bytes()[from..].iter().any(|c| matches!(c, b'`' | b'~' | b'<'));
    }
    c.memo = Some((want.into(), found));
    c
}

/// Labels equal without ASCII case; the length and the first byte compared in line first (the
/// call is one per line of a run otherwise).
#[inline(always)]
fn same_label(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && (a.is_empty() || a[0].eq_ignore_ascii_case(&b[0])) && a.eq_ignore_ascii_case(b)
}

/// A line (`line`, with its line break) left out of a later-definitions document `text`: after the
/// lines left out just before it (the same place in `text`) or as a run of its own.
fn leave_out(runs: &mut Vec<Run>, text: &mut String, line: Range<usize>) {
    match runs.last_mut() {
        Some(r) if r.removed.end == line.start && r.first.end == text.len() => r.removed.end = line.end,
        _ => {
            let at = text.len();
            text.push_str(CLOSER);
            runs.push(Run { first: at..text.len(), removed: line, pre: 0 });
        }
    }
}

/// Whether a definition may start on the line after `head` (which ends with a line break, or is
/// empty), by the rule of [`later_defs`]: `head`'s last line is blank, a heading or a candidate
/// after such a line (a cut inside a paragraph leaves its next lines paragraph text). Reads back
/// to the last blank line only.
pub(crate) fn allows_def_after(head: &str) -> bool {
    let b = head.as_bytes();
    // the start of the line after the last blank line (or 0)
    let mut from = 0;
    let mut end = b.len();
    while end > 0 {
        let start = b[..end - 1].iter().rposition(|&c| c == b'\n').map_or(0, |k| k + 1);
        if start + 1 < end && b[start..end - 1].iter().all(|c| matches!(c, b' ' | b'\t' | b'\r')) {
            from = end;
            break;
        }
        if start + 1 == end {
            // an empty line
            from = end;
            break;
        }
        end = start;
    }
    let mut prev_ok = true;
    for line in head.get(from..).unwrap_or("").split_terminator('\n') {
        let t = strip_markers(line);
        let cand = prev_ok && t.starts_with('[') && t.contains("]:");
        prev_ok = t.trim().is_empty() || cand || t.starts_with('#');
    }
    prev_ok
}

/// What stands in `text` for lines left out of a later-definitions document: a block at the top
/// level that closes what a definition line there would close (a list item, indented code
/// continued after a blank line) and defines nothing.
const CLOSER: &str = "[]\n\n";

/// The end of the line starting at `i` (its `\n`, or the end of `b`).
fn line_end(b: &[u8], i: usize) -> usize {
    b.get(i..).and_then(|r| r.iter().position(|&c| c == b'\n')).map_or(b.len(), |k| i + k)
}

/// A line without its indentation, quote markers and one list marker (all ASCII: by bytes).
fn strip_markers(line: &str) -> &str {
    let b = line.as_bytes();
    let mut k = b.iter().position(|c| !matches!(c, b' ' | b'\t' | b'>')).unwrap_or(b.len());
    match b.get(k) {
        Some(b'-' | b'*' | b'+') => k += 1,
        _ => {
            let digits = b[k..].iter().take(9).take_while(|c| c.is_ascii_digit()).count();
            if digits > 0 && matches!(b.get(k + digits), Some(b'.' | b')')) {
                k += digits + 1;
            }
        }
    }
    k += b[k..].iter().take_while(|c| matches!(c, b' ' | b'\t')).count();
    line.get(k..).unwrap_or("")
}

/// Whether `b` holds a `]:` (every definition does), found by its `]`s: `str::contains("]:")`
/// sets up a two-way searcher and walks the text through it (in wasm `TwoWaySearcher::next`
/// was 1.5–1.8 % of a 10 KB markdown render, for this test of the whole source alone). A byte
/// loop, not `str::find(']')` once per `]`: that `memchr` restarted at every `]` made 1 MiB of
/// `]` 1.4–1.5x slower to render in wasm (bench/LEVERS.md, "Small markdown renders").
pub(crate) fn has_def_mark(b: &[u8]) -> bool {
    let mut k = 0;
    while let Some(i) = b.get(k..).and_then(|r| r.iter().position(|&c| c == b']')) {
        k += i + 1;
        if matches!(b.get(k), Some(b':')) {
            return true;
        }
    }
    false
}

/// Runs whose inner lines hold fewer bytes are parsed as they are (and sources shorter than this).
pub(crate) const MIN_SKIP: usize = 2048;

#[cfg(test)]
thread_local! {
    /// Tests: the least bytes a run leaves out (0: every run of three lines or more).
    pub(crate) static SKIP_MIN: std::cell::Cell<usize> = const { std::cell::Cell::new(MIN_SKIP) };
    /// Tests: source bytes left out of parses whose result was kept.
    pub(crate) static LEFT_OUT: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// A run of three or more definitions, each whole on its line ([`simple_def`]) or on two lines
/// ([`scan_def`]), all at the start of the line or all on one line after a quote marker and a
/// space (`> `), the first after a blank line or at the start: its first and last definitions are
/// parsed, the ones between are not.
pub(crate) struct Run {
    /// The first line (with its line break) in the compacted text.
    pub first: Range<usize>,
    /// The lines left out, in the source.
    pub removed: Range<usize>,
    /// The quote marker before each line's definition: none (0) or `> ` (2), the same on every
    /// line of the run.
    pub pre: usize,
}

/// A source with the inner lines of its runs of definitions left out.
///
/// Why the parse of `text` is the parse of the source but for the definitions left out
/// (pulldown-cmark's first pass, `firstpass.rs`): a run's first line, parsed as a definition
/// (checked on the parse: no event covers it), leaves the parser in its loop of definitions
/// (`parse_block`: `while let Some(..) = self.parse_refdef_total(..)`), in which each next line
/// that is a whole definition is read as one and leaves it there again. What a line of the run
/// does to the parse depends only on itself and on the first byte of the line after it (a title
/// may continue on the next line, which may also interrupt or underline: a `[` does none of
/// these; so the last line, whose next line can be anything, is kept). So leaving lines out
/// between the first and the last changes nothing but the definitions they add: a label already
/// defined is not redefined (the first definition wins), and the others are looked up here when
/// a reference is not found in the parse ([`Compact::lookup`]), unless a definition parsed after
/// the run has the same label ([`Compact::shadowed`]: the whole source is then parsed).
///
/// A quoted run (`> [label]: dest` lines): its first line, after a blank line, opens a quote
/// (no container before it stays open: a blank line closes a quote, and a list item's text
/// starts past column 0) in which the definition loop runs the same way: after each definition
/// the next line is matched against the open containers (`scan_next_line_or_lazy_continuation`),
/// and `> [` matches the quote and interrupts nothing, so the loop goes on. The only event
/// allowed to cover the first line is the quote's own start and end.
///
/// A definition on two lines (runs at the start of the line only): `[label]:` then, on the next
/// line, the destination, read by `scan_refdef_space`, which refuses a next line that interrupts
/// a paragraph or underlines a heading (and checks neither when it is indented by 4): one that
/// starts at column 0 with a letter or `/` does neither, so the pair is one definition whatever
/// comes after it but a title, and a `[` line after it is none.
pub(crate) struct Compact<'s> {
    pub src: &'s str,
    pub text: String,
    pub runs: Vec<Run>,
    /// The first left-out definition of each label: its line's start in the source, and its run.
    index: std::cell::OnceCell<HashMap<Label<'s>, (usize, usize)>>,
    /// Labels looked for line by line so far.
    scans: std::cell::Cell<u8>,
    /// A label whose first left-out line was noted when the lines were read, and that line.
    memo: Option<(Box<str>, Option<Found>)>,
}

/// A left-out line: its start in the source, and its run.
type Found = (usize, usize);

/// A label compared as pulldown-cmark compares link labels (`unicase::UniCase`, the ASCII folding
/// of crates/unicase-ascii): ASCII letters without case.
#[derive(Clone, Copy)]
struct Label<'s>(&'s str);

impl PartialEq for Label<'_> {
    fn eq(&self, o: &Self) -> bool {
        self.0.eq_ignore_ascii_case(o.0)
    }
}

impl Eq for Label<'_> {}

impl Hash for Label<'_> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        for b in self.0.bytes() {
            h.write_u8(b.to_ascii_lowercase());
        }
        h.write_u8(0xff);
    }
}

/// `src` with the inner lines of each run of one-line definitions left out, or `None` when no
/// run leaves out enough to be worth it. One pass over the lines.
pub(crate) fn compact(src: &str) -> Option<Compact<'_>> {
    #[cfg(test)]
    let min = SKIP_MIN.get();
    #[cfg(not(test))]
    let min = MIN_SKIP;
    if src.len() < min || !has_def_mark(src.as_bytes()) {
        return None;
    }
    let b = src.as_bytes();
    let mut skips: Vec<(usize, Range<usize>, usize)> = Vec::new();
    let (mut i, mut after_blank) = (0, true);
    while i < b.len() {
        let e = line_end(b, i);
        let line = &b[i..e];
        let pre = if line.starts_with(b"> ") { 2 } else { 0 };
        // two-line definitions at the start of the line only
        let first = if after_blank { scan_def(b, i + pre, pre == 0) } else { None };
        if let Some((_, fe)) = first.filter(|&(_, fe)| fe < b.len()) {
            // the run: its first definition [i, fe], then every whole definition after it, each
            // after the same quote marker
            let first_end = fe + 1;
            let (mut last, mut j) = (i, first_end);
            while b.get(j..j + pre).is_some_and(|m| m == &line[..pre]) {
                let Some((_, e2)) = scan_def(b, j + pre, pre == 0) else { break };
                last = j;
                j = e2.saturating_add(1);
            }
            // the last line is kept (its next line may continue or end it otherwise) unless a
            // blank line or the end follows it: one ends the first line as it ended the last
            let end = j.min(b.len());
            let blank_next = b[end..line_end(b, end)].iter().all(|c| matches!(c, b' ' | b'\t' | b'\r'));
            let cut = if blank_next { end } else { last };
            if cut > first_end && cut - first_end >= min.max(1) {
                skips.push((i, first_end..cut, pre));
            }
            // the line at `j` follows a definition (not a blank line)
            after_blank = false;
            i = j;
            continue;
        }
        after_blank = line.iter().all(|c| matches!(c, b' ' | b'\t' | b'\r'));
        i = e + 1;
    }
    if skips.is_empty() {
        return None;
    }
    let left_out: usize = skips.iter().map(|(_, r, _)| r.len()).sum();
    let mut text = String::with_capacity(src.len() - left_out);
    let mut runs = Vec::with_capacity(skips.len());
    let mut from = 0;
    for (start, removed, pre) in skips {
        text.push_str(&src[from..start]);
        let first_at = text.len();
        text.push_str(&src[start..removed.start]);
        runs.push(Run { first: first_at..text.len(), removed: removed.clone(), pre });
        from = removed.end;
    }
    text.push_str(&src[from..]);
    Some(Compact { src, text, runs, index: std::cell::OnceCell::new(), scans: std::cell::Cell::new(0), memo: None })
}

impl<'s> Compact<'s> {
    /// Where a position of the source outside the lines left out is in `text`.
    pub(crate) fn at(&self, pos: usize) -> usize {
        let gone: usize = self.runs.iter().take_while(|r| r.removed.end <= pos).map(|r| r.removed.len()).sum();
        pos - gone
    }

    /// The left-out line that first defines `label`, if one does (its start in the source, its
    /// run): the first few labels asked for are looked for line by line, then an index is made
    /// (so a source with many undefined references costs one pass per line, not one per reference).
    fn find(&self, label: &str) -> Option<(usize, usize)> {
        if let Some((l, found)) = &self.memo {
            if l.eq_ignore_ascii_case(label) {
                return *found;
            }
        }
        if self.index.get().is_none() && self.scans.get() < 4 {
            self.scans.set(self.scans.get() + 1);
            return self.runs.iter().enumerate().find_map(|(r, run)| self.scan(run, label).map(|start| (start, r)));
        }
        let index = self.index.get_or_init(|| {
            let mut m = HashMap::new();
            for (r, run) in self.runs.iter().enumerate() {
                for (start, l) in self.lines(run) {
                    m.entry(Label(l)).or_insert((start, r));
                }
            }
            m
        });
        index.get(&Label(label)).copied()
    }

    /// The start of the first left-out line of `run` that defines `label`. By bytes, without
    /// reading the lines: each is a whole definition ([`simple_def`]), whose label runs from its
    /// `[` to the first `]`, so a line defines `label` (made of label bytes only, as every label
    /// of such a line is) when `label`'s bytes, without ASCII case, and a `]` follow its `[`.
    fn scan(&self, run: &Run, label: &str) -> Option<usize> {
        let (b, l) = (self.src.as_bytes(), label.as_bytes());
        if l.is_empty() || l.len() > 64 || l.iter().any(|&c| CLASS[c as usize] & LABEL == 0) {
            return None;
        }
        // by index in one loop (closures and `Option` compares here were calls at opt-level "z")
        let (n, end) = (l.len(), run.removed.end.min(b.len()));
        let mut s = run.removed.start;
        while s < end {
            // a definition's first line (a second line, its destination, starts otherwise)
            let f = s + run.pre + 1;
            if f + n < b.len() && b[f - 1] == b'[' && b[f + n] == b']' && b[f..f + n].eq_ignore_ascii_case(l) {
                return Some(s);
            }
            // the next line
            let mut k = s;
            while k < end && b[k] != b'\n' {
                k += 1;
            }
            s = k + 1;
        }
        None
    }

    /// The labels of a run's left-out lines, each with its line's start.
    fn lines<'a>(&'a self, run: &'a Run) -> impl Iterator<Item = (usize, &'s str)> + 'a {
        let src: &'s str = self.src;
        let b = src.as_bytes();
        let mut i = run.removed.start;
        std::iter::from_fn(move || {
            if i >= run.removed.end {
                return None;
            }
            let start = i;
            // a whole definition after the run's marker, on one line or two
            let (label, e) = scan_def(b, start + run.pre, run.pre == 0)?;
            i = e + 1;
            src.get(start + run.pre + label.start..start + run.pre + label.end).map(|s| (start, s))
        })
    }

    /// The destination and title a left-out line gives `label` (a reference the parse did not find).
    pub(crate) fn lookup(&self, label: &str, opts: pulldown_cmark::Options) -> Option<(String, String)> {
        let (start, r) = self.find(label)?;
        let pre = self.runs.get(r)?.pre;
        // its line, or its two lines
        let end = scan_def(self.src.as_bytes(), start + pre, pre == 0)?.1;
        let line = self.src.get(start..end)?;
        // the line alone, parsed as it was in the source: a definition at the start of a block
        let p = pulldown_cmark::Parser::new_ext(line, opts);
        let d = p.reference_definitions().get(label)?;
        Some((d.dest.to_string(), d.title.as_ref().map_or(String::new(), |t| t.to_string())))
    }

    /// What `label` resolves to in a later-definitions document ([`later_defs`]): `kept`, the
    /// definition its parse of `text` holds (the destination and title, and where it starts in
    /// `text`), or a left-out line's, whichever comes first.
    pub(crate) fn later(
        &self,
        label: &str,
        kept: Option<(String, String, usize)>,
        opts: pulldown_cmark::Options,
    ) -> Option<(String, String)> {
        match kept {
            Some((dest, title, at)) if !self.shadowed(label, at) => Some((dest, title)),
            _ => self.lookup(label, opts),
        }
    }

    /// Whether a definition the parse kept (`label`, at `at` in the compacted text) comes after a
    /// left-out line with the same label: the full parse would take that line's (the first wins).
    pub(crate) fn shadowed(&self, label: &str, at: usize) -> bool {
        self.find(label).is_some_and(|(_, r)| self.runs.get(r).is_some_and(|run| run.first.end <= at))
    }
}

/// A line that is one whole link reference definition, read as one in pulldown-cmark whatever the
/// line after it starts with but `[`... (see [`Compact`]): `[label]: dest`, a title or not, spaces
/// after, an optional `\r` at the end, nothing else. The label: 1 to 64 ASCII letters, digits,
/// `-`, `_`, `.`; the destination: visible ASCII but `<`, `>`, `(`, `)`, `\`, `"`, `'`, `|`, `` ` ``;
/// the title: `"…"`, `'…'` or `(…)` holding no backslash, line break or its own delimiters (any
/// other UTF-8). Separators are spaces (no tabs). Returns the label's range in the line.
pub(crate) fn simple_def(line: &[u8]) -> Option<Range<usize>> {
    scan_def(line, 0, false).map(|(label, _)| label)
}

/// [`simple_def`] of the line of `b` starting at `i`, read up to its end (not looked for first:
/// one pass over the line): the label's range in the line, and the line's end (its `\n`, or the
/// end of `b`).
///
/// `two`: a definition may also be on two lines, `[label]:` (spaces after it) then the
/// destination (and title) on the next line, which starts with an ASCII letter or `/` (no
/// indentation: nothing that could interrupt a paragraph or underline a heading, and not `[`);
/// the end is then the second line's.
pub(crate) fn scan_def(b: &[u8], i: usize, two: bool) -> Option<(Range<usize>, usize)> {
    // by index with a table per byte: this runs for every line of a run (150 K lines a MiB)
    // helpers always inlined: at opt-level "z" closures here were calls, a few per byte
    /// The byte at `k`; past the end of `b`, a line break.
    #[inline(always)]
    fn at(l: &[u8], k: usize) -> u8 {
        if k < l.len() { l[k] } else { b'\n' }
    }
    /// The line ends at `k`: a line break, or a `\r` before one.
    #[inline(always)]
    fn eol(l: &[u8], k: usize) -> bool {
        at(l, k) == b'\n' || (at(l, k) == b'\r' && at(l, k + 1) == b'\n')
    }
    #[inline(always)]
    fn spaces(l: &[u8], mut k: usize) -> usize {
        while at(l, k) == b' ' {
            k += 1;
        }
        k
    }
    let l = b.get(i..)?;
    if l.is_empty() || l[0] != b'[' {
        return None;
    }
    let mut k = 1;
    while k <= 64 && CLASS[at(l, k) as usize] & LABEL != 0 {
        k += 1;
    }
    if k == 1 || at(l, k) != b']' || at(l, k + 1) != b':' {
        return None;
    }
    let label = 1..k;
    let mut d = spaces(l, k + 2);
    if two && eol(l, d) && d < l.len() {
        // the destination on the next line
        let n = d + if at(l, d) == b'\r' { 2 } else { 1 };
        if !(at(l, n).is_ascii_alphabetic() || at(l, n) == b'/') || n >= l.len() {
            return None;
        }
        d = n;
    } else if d == k + 2 {
        return None;
    }
    k = d;
    while CLASS[at(l, k) as usize] & DEST != 0 {
        k += 1;
    }
    if k == d {
        return None;
    }
    let t = spaces(l, k);
    if !eol(l, t) {
        let close = match at(l, t) {
            _ if t == k => return None,
            b'"' => b'"',
            b'\'' => b'\'',
            b'(' => b')',
            _ => return None,
        };
        k = t + 1;
        // a line break is not in a title
        while at(l, k) != close && CLASS[at(l, k) as usize] & NOT_IN_TITLE == 0 {
            k += 1;
        }
        if at(l, k) != close {
            return None;
        }
        k = spaces(l, k + 1);
    } else {
        k = t;
    }
    if !eol(l, k) {
        return None;
    }
    let end = if at(l, k) == b'\r' { k + 1 } else { k };
    Some((label, (i + end).min(b.len())))
}

const LABEL: u8 = 1;
const DEST: u8 = 2;
const NOT_IN_TITLE: u8 = 4;

/// What each byte may be in [`simple_def`].
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.') {
            t[c] |= LABEL;
        }
        if b.is_ascii_graphic() && !matches!(b, b'<' | b'>' | b'(' | b')' | b'\\' | b'"' | b'\'' | b'|' | b'`') {
            t[c] |= DEST;
        }
        if matches!(b, b'\\' | b'\r' | b'\n' | b'(' | b'"' | b'\'') {
            t[c] |= NOT_IN_TITLE;
        }
        c += 1;
    }
    t
};

#[cfg(test)]
mod tests {
    use super::*;

    /// The line form [`scan_def`] replaced (the line found first, then read).
    #[rustfmt::skip]
    fn simple_def_by_line(line: &[u8]) -> Option<Range<usize>> {
        // by index with a table per byte: this runs for every line of a run (150 K lines a MiB)
        let l = match line {
            [rest @ .., b'\r'] => rest,
            _ => line,
        };
        if l.first() != Some(&b'[') {
            return None;
        }
        let at = |k: usize| l.get(k).copied().unwrap_or(b'\n');
        let spaces = |mut k: usize| {
            while at(k) == b' ' {
                k += 1;
            }
            k
        };
        let mut k = 1;
        while k <= 64 && CLASS[at(k) as usize] & LABEL != 0 {
            k += 1;
        }
        if k == 1 || at(k) != b']' || at(k + 1) != b':' {
            return None;
        }
        let label = 1..k;
        let d = spaces(k + 2);
        if d == k + 2 {
            return None;
        }
        k = d;
        while CLASS[at(k) as usize] & DEST != 0 {
            k += 1;
        }
        if k == d {
            return None;
        }
        let t = spaces(k);
        if t < l.len() {
            let close = match l[t] {
                _ if t == k => return None,
                b'"' => b'"',
                b'\'' => b'\'',
                b'(' => b')',
                _ => return None,
            };
            k = t + 1;
            while k < l.len() && l[k] != close && CLASS[l[k] as usize] & NOT_IN_TITLE == 0 {
                k += 1;
            }
            if at(k) != close {
                return None;
            }
            k = spaces(k + 1);
        } else {
            k = t;
        }
        (k == l.len()).then_some(label)
    }

    /// The `str` form the byte scan replaced (one `split` and `str` trims per line).
    fn later_defs_by_str(rest: &str, prev_ok: bool) -> String {
        fn strip(line: &str) -> &str {
            let t = line.trim_start_matches([' ', '\t', '>']);
            let t = t.strip_prefix(['-', '*', '+']).unwrap_or_else(|| {
                let digits = t.bytes().take(9).take_while(u8::is_ascii_digit).count();
                match t.get(digits..) {
                    Some(r) if digits > 0 && (r.starts_with('.') || r.starts_with(')')) => &r[1..],
                    _ => t,
                }
            });
            t.trim_start_matches([' ', '\t'])
        }
        let mut out = String::new();
        let mut prev_ok = prev_ok;
        let mut lines = rest.split('\n').peekable();
        while let Some(line) = lines.next() {
            let t = strip(line);
            let cand = prev_ok && t.starts_with('[') && t.contains("]:");
            prev_ok = t.trim().is_empty() || cand || t.starts_with('#');
            if !cand {
                continue;
            }
            out.push_str(line);
            out.push('\n');
            for _ in 0..2 {
                match lines.peek() {
                    Some(next) if !next.trim().is_empty() && !strip(next).starts_with('[') => {
                        out.push_str(next);
                        out.push('\n');
                        lines.next();
                    }
                    _ => break,
                }
            }
            out.push('\n');
        }
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// The byte scan finds the lines the `str` form found, whatever the lines hold.
        #[test]
        fn later_definitions_by_bytes_are_those_by_str(s in "([\\[\\]:#>*+\\-0-9. \t\r\n a\u{3000}\u{a0}中]|\\[a\\]: /x|\n\n|1\\) |12345678901\\.){0,60}") {
            SKIP_MIN.set(usize::MAX);
            let (a, b) = (later_defs(&s, true, "a").text, later_defs(&s, false, "a").text);
            SKIP_MIN.set(MIN_SKIP);
            proptest::prop_assert_eq!(a, later_defs_by_str(&s, true));
            proptest::prop_assert_eq!(b, later_defs_by_str(&s, false));
            // reading back to the last blank line gives the state a reading from the start has
            let head = match s.rfind('\n') {
                Some(k) => &s[..=k],
                None => "",
            };
            let mut prev_ok = true;
            for line in head.split_terminator('\n') {
                let t = strip_markers(line);
                let cand = prev_ok && t.starts_with('[') && t.contains("]:");
                prev_ok = t.trim().is_empty() || cand || t.starts_with('#');
            }
            proptest::prop_assert_eq!(allows_def_after(head), prev_ok, "{:?}", head);
        }
    }

    /// What `label` resolves to among the later definitions of `rest`, as `parse_with` asks.
    /// `want`: the label the document is made for (its first left-out line noted on the way).
    fn resolve(rest: &str, prev_ok: bool, label: &str, want: &str) -> Option<(String, String)> {
        let opts = pulldown_cmark::Options::ENABLE_TABLES | pulldown_cmark::Options::ENABLE_STRIKETHROUGH;
        let c = later_defs(rest, prev_ok, want);
        let p = pulldown_cmark::Parser::new_ext(&c.text, opts);
        let kept = p
            .reference_definitions()
            .get(label)
            .map(|d| (d.dest.to_string(), d.title.as_ref().map_or(String::new(), |t| t.to_string()), d.span.start));
        c.later(label, kept, opts)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// Read in place, a line is the whole definition it is when cut out first, and ends where
        /// it ends.
        #[test]
        fn definitions_read_in_place_are_those_read_by_line(s in "(\\[a\\]: /x|\\[A-b\\]:|[\\[\\]: /xa\"'()\r\n\t\\\\<|`中]){0,40}") {
            let b = s.as_bytes();
            for i in (0..=b.len()).filter(|&i| i == 0 || b[i - 1] == b'\n') {
                let e = line_end(b, i);
                proptest::prop_assert_eq!(scan_def(b, i, false), simple_def_by_line(&b[i..e]).map(|l| (l, e)), "{:?} at {}", s, i);
            }
        }

        /// The byte search for `]:` finds what `str::contains` did, wherever the `]`s and `:`s
        /// fall (runs of `]`, at either end, beside multi-byte characters).
        #[test]
        fn def_mark_search_finds_what_contains_did(
            v in proptest::collection::vec(proptest::sample::select(vec!["]", ":", "]:", "a", "[", "中", ":]", "\n"]), 0..24),
        ) {
            let s = v.concat();
            proptest::prop_assert_eq!(has_def_mark(s.as_bytes()), s.contains("]:"), "{:?}", s);
        }

        /// One-line definitions left out of the later-definitions document resolve every label
        /// as the whole document does: the same definition (the first), the same destination
        /// and title, none where it has none (a fence or an HTML block it opens, a paragraph).
        #[test]
        fn later_definitions_left_out_resolve_as_the_whole_document(
            lines in proptest::collection::vec(proptest::sample::select(vec![
                "[a]: /x", "[A]: /y \"t\"", "[b]: /z", "[b]: /w 'u'", "[c]: /c\r", "[a]: /x junk", "[b]: <x y>",
                "[a]:", "/next", "\"title\"", "(t)", "```", "~~~", "<!--", "-->", "<div>", "> [a]: /q", "- [b]: /l",
                "> ```", "- ~~~", "para", "", "", "", "    [a]: /i", "# h", "[c]: /c `x`", "[a]: /a <b>", "=",
            ]), 0..40),
            prev_ok in proptest::prelude::any::<bool>(),
        ) {
            let rest = lines.join("\n");
            for label in ["a", "A", "b", "c", "d"] {
                // the label noted while reading, and looked for in the lines left out
                let (noted, looked) = (resolve(&rest, prev_ok, label, label), resolve(&rest, prev_ok, label, "e"));
                SKIP_MIN.set(usize::MAX);
                let whole = resolve(&rest, prev_ok, label, label);
                SKIP_MIN.set(MIN_SKIP);
                proptest::prop_assert_eq!(&noted, &whole, "{} in {:?}", label, rest);
                proptest::prop_assert_eq!(&looked, &whole, "{} in {:?}", label, rest);
            }
        }
    }

    #[test]
    fn later_definitions_of_one_line_are_left_out_and_found() {
        let rest = format!("{}[x]: /u\n", "[a]: b\n".repeat(1000));
        let c = later_defs(&rest, true, "x");
        assert!(c.text == CLOSER && c.runs.len() == 1, "{:?}", c.text);
        assert_eq!(resolve(&rest, true, "X", "x"), Some(("/u".to_string(), String::new())));
        assert_eq!(resolve(&rest, true, "X", "a"), Some(("/u".to_string(), String::new())));
        assert_eq!(resolve(&rest, true, "a", "x"), Some(("b".to_string(), String::new())));
        // after a fence a line of the document opens, written out (and not a definition)
        let rest = format!("[a]: b\n```\n\n{rest}");
        assert!(later_defs(&rest, true, "x").text.contains("[x]: /u"));
        assert_eq!(resolve(&rest, true, "x", "x"), None);
    }

    #[test]
    fn later_definitions_are_found_and_prose_is_not() {
        let rest = "text\n[not]: a paragraph line\n\n[a]: https://e.com/a\n> [b]:\n> https://e.com/b\n- [c]: /c \"t\"\n\nx [d]: no";
        let c = later_defs(rest, true, "a");
        assert_eq!(c.runs.len(), 1);
        let d = format!("{}{}", c.text, &rest[c.runs[0].removed.clone()]);
        assert!(d.contains("[a]: https://e.com/a") && d.contains("> https://e.com/b") && d.contains("- [c]"), "{d}");
        assert!(!d.contains("[not]") && !d.contains("[d]"), "{d}");
    }
}
