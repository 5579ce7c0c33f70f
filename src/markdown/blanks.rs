//! Runs of empty fenced code blocks found without parsing, and left out of the parse when they
//! render to nothing (see `super::bound`: the platform says so for an empty code block).
//!
//! A body made of them renders to nothing, so a bounded parse reads it to the end: 1 MiB of
//! `` ```\n `` was ~130 K code blocks parsed, built and rendered one by one (47-134 ms in wasm)
//! before the body was refused. [`compact`] keeps the first block of each long run and leaves
//! the others out (blank lines between them too); the parse then checks that the block kept was
//! read as an empty fenced code block at the top level, else the source is parsed as it is.

use std::ops::Range;

/// Runs whose blocks after the first hold fewer bytes are parsed as they are (and sources
/// shorter than 16 times this).
pub(crate) const MIN_SKIP: usize = 2048;

#[cfg(test)]
thread_local! {
    /// Tests: the least bytes a run leaves out (0: every run of two blocks or more).
    pub(crate) static SKIP_MIN: std::cell::Cell<usize> = const { std::cell::Cell::new(MIN_SKIP) };
    /// Tests: source bytes left out of parses whose result was kept.
    pub(crate) static LEFT_OUT: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// A source with the blocks after the first of each run of empty fenced code blocks left out.
///
/// Why the parse of `text` is the parse of the source but for the empty code blocks left out:
/// a run is the lines of empty fenced code blocks at column 0 ([`empty_fence`]: an opening
/// fence, then at once a closing one), each after the one before or after blank lines. Its first
/// block is kept, and the parse checks ([`Fences::firsts`]) that a fenced code block starts on
/// its first line (not inside a longer fence, an HTML block, a definition's title...). Then it is
/// an empty one at the top level: its next line closes it (the scan read it), and no container
/// holds a line starting at column 0 with a fence (a quote needs its `>`, a list item's content
/// is indented, and a fence is never a lazy continuation line). Once that block is closed
/// nothing is open (no container, no paragraph), so each
/// next block of the run is read the same way, from the same state, and leaves the parser in
/// that state again; what follows the run (it ends with a block, its blank lines after it are
/// kept) is read after a closed top-level code block either way. A left-out block would render
/// as the first one does: nothing, with the same loss if any (it has no text; only its info
/// string may differ, which nothing shown depends on), so it is left out only when the
/// platform renders an empty code block as nothing.
pub(crate) struct Fences {
    pub text: String,
    /// Each run's first block in `text` (its lines, with the closing line's line break).
    pub firsts: Vec<Range<usize>>,
}

fn min_skip() -> usize {
    #[cfg(test)]
    return SKIP_MIN.get();
    #[cfg(not(test))]
    MIN_SKIP
}

/// Whether [`compact`] may leave something out of `src`: it is long (16 runs' worth: a 10 KB
/// message with a code block paid the probe and the scan, +4 % in `bench/ab.mjs`, for runs that
/// cost little to parse) and has a `` ` `` or a `~` (two `memchr`s).
pub(crate) fn may_compact(src: &str) -> bool {
    let b = src.as_bytes();
    b.len() >= min_skip().saturating_mul(16) && (b.contains(&b'`') || b.contains(&b'~'))
}

/// `src` with the blocks after the first of each run of empty fenced code blocks left out, or
/// `None` when no run leaves out enough to be worth it. One pass over the lines, reading only
/// those that start with `` ` `` or `~` (no such byte: one `memchr` each).
pub(crate) fn compact(src: &str) -> Option<Fences> {
    if !may_compact(src) {
        return None;
    }
    let min = min_skip();
    let b = src.as_bytes();
    // (the run's first block, the bytes left out after it)
    let mut skips: Vec<(Range<usize>, Range<usize>)> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if let Some(first_end) = empty_fence(b, i) {
            // the run: every empty block after it, past blank lines; one written as the first
            // (with its line break) is one (a slice compare: the common case of a long run)
            let first = &b[i..first_end];
            let mut last = first_end;
            loop {
                if first.ends_with(b"\n") && b[last..].starts_with(first) {
                    last += first.len();
                    continue;
                }
                let mut k = last;
                while k < b.len() && b[k] != b'`' && b[k] != b'~' {
                    let e = line_end(b, k);
                    if e == b.len() || !b[k..e].iter().all(|&c| matches!(c, b' ' | b'\t' | b'\r')) {
                        break;
                    }
                    k = e + 1;
                }
                match empty_fence(b, k) {
                    Some(e) => last = e,
                    None => break,
                }
            }
            if last > first_end && last - first_end >= min.max(1) {
                skips.push((i..first_end, first_end..last));
            }
            i = last;
            continue;
        }
        i = line_end(b, i) + 1;
    }
    if skips.is_empty() {
        return None;
    }
    let left_out: usize = skips.iter().map(|(_, r)| r.len()).sum();
    let mut text = String::with_capacity(src.len() - left_out);
    let mut firsts = Vec::with_capacity(skips.len());
    let mut from = 0;
    for (first, removed) in skips {
        text.push_str(&src[from..first.start]);
        let at = text.len();
        text.push_str(&src[first.clone()]);
        firsts.push(at..text.len());
        from = removed.end;
    }
    text.push_str(&src[from..]);
    Some(Fences { text, firsts })
}

/// The end of the empty fenced code block whose opening fence is the line starting at `i` (past
/// its closing line's line break, or the end of `b`), if that line and the next are one: three
/// or more `` ` `` or `~` at column 0 and an info string (no `` ` `` after backticks, no `\r`
/// but at its end: a lone `\r` ends a line), then a line of at least as many of the same
/// character at column 0, then only spaces, tabs and `\r`. At the start of a block, CommonMark
/// reads these two lines as an empty fenced code block, whatever follows.
pub(crate) fn empty_fence(b: &[u8], i: usize) -> Option<usize> {
    let c = *b.get(i)?;
    if c != b'`' && c != b'~' {
        return None;
    }
    let run = |k: usize| b[k..].iter().take_while(|&&x| x == c).count();
    let n = run(i);
    if n < 3 {
        return None;
    }
    let e = line_end(b, i);
    let info = &b[i + n..e];
    let info = info.strip_suffix(b"\r").unwrap_or(info);
    if info.contains(&b'\r') || (c == b'`' && info.contains(&b'`')) || e == b.len() {
        return None;
    }
    let j = e + 1;
    let m = run(j);
    let e2 = line_end(b, j);
    if m < n || !b[j + m..e2].iter().all(|&x| matches!(x, b' ' | b'\t' | b'\r')) {
        return None;
    }
    Some((e2 + 1).min(b.len()))
}

/// The end of the line starting at `i` (its `\n`, or the end of `b`).
fn line_end(b: &[u8], i: usize) -> usize {
    b.get(i..).and_then(|r| r.iter().position(|&c| c == b'\n')).map_or(b.len(), |k| i + k)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::ir::{Block, Doc};
    use crate::markdown::parse::parse_with;

    /// A document's top-level runs of empty code blocks, each kept as its first block: what the
    /// parse with runs left out gives (a left-out block renders as the first: nothing).
    fn runs_as_one(d: Doc) -> Vec<Block> {
        let empty = |b: &Block| matches!(b, Block::Code { text, .. } if text.is_empty());
        let mut out: Vec<Block> = Vec::new();
        for b in d.blocks {
            if !(empty(&b) && out.last().is_some_and(empty)) {
                out.push(b);
            }
        }
        out
    }

    /// The parse with runs left out (every run, however short) and the parse of the source as it
    /// is, and the bytes left out.
    fn both(src: &str) -> (Doc, Doc, usize) {
        SKIP_MIN.set(0);
        LEFT_OUT.set(0);
        let fast = parse_with(src, "", src.len(), true).0;
        let left_out = LEFT_OUT.get();
        SKIP_MIN.set(MIN_SKIP);
        (fast, parse_with(src, "", src.len(), false).0, left_out)
    }

    const LINES: &[&str] = &[
        "```",
        "```",
        "~~~",
        "~~~",
        "````",
        "```rust",
        "~~~ a`b",
        "``` a`b",
        "``",
        "   ```",
        "    ```",
        "> ```",
        "- ```",
        "1. ```",
        "```\r",
        "```  ",
        "``` \r",
        "```x\ry",
        "~~~~~",
        "",
        "",
        "  ",
        "\r",
        "text",
        "# h",
        "<div>",
        "<!--",
        "-->",
        "[a]: /u",
        "| a | b |",
        "|---|---|",
        "a `",
        "---",
        "===",
        "  - item",
        "> quote",
        "[a]",
        "<pre>",
        "</pre>",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]
        #[test]
        fn runs_left_out_parse_as_the_whole_source(
            lines in proptest::collection::vec(proptest::sample::select(LINES), 0..40),
            pairs in proptest::collection::vec((0usize..40, 1usize..6, proptest::sample::select(&["```\n```\n", "~~~\n~~~~\n", "```x\n```\n\n", "~~~\n~~~\n"][..])), 0..4),
            end_nl in proptest::prelude::any::<bool>(),
        ) {
            // lines, with runs of empty blocks put in at random places
            let mut src = String::new();
            for (k, l) in lines.iter().enumerate() {
                for (at, n, pair) in &pairs {
                    if *at == k {
                        src.push_str(&pair.repeat(*n));
                    }
                }
                src.push_str(l);
                src.push('\n');
            }
            if !end_nl {
                src.pop();
            }
            let (fast, full, _) = both(&src);
            proptest::prop_assert_eq!(runs_as_one(fast), runs_as_one(full), "{:?}", src);
        }
    }

    #[test]
    fn runs_are_left_out_where_they_can_be_and_not_elsewhere() {
        let run = "```\n```\n\n~~~ sh\n~~~\n".repeat(50);
        // left out: at the start, after a paragraph (a fence interrupts it), after a list or a
        // quote (a fence at column 0 closes them), at the end without a line break
        for src in [
            format!("{run}tail"),
            format!("para\n{run}\ntail"),
            format!("- a\n- b\n{run}- c"),
            format!("> a\n{run}> b"),
            format!("x\n\n{}", "```\n```\n".repeat(3).trim_end()),
            // a fence ends a table too
            format!("| a |\n|---|\n{run}"),
        ] {
            let (fast, full, left_out) = both(&src);
            assert!(left_out > 0, "{src:?}");
            assert_eq!(runs_as_one(fast.clone()), runs_as_one(full), "{src:?}");
            assert!(fast.blocks.iter().filter(|b| matches!(b, Block::Code { .. })).count() == 1, "{src:?}");
        }
        // not left out (the first block is not an empty code block at the top level): inside a
        // longer fence, an HTML block, indented in a list item
        for src in [
            format!("````\n{run}````\ntail"),
            format!("<div>\n{run}</div>\n"),
            format!("- a\n\n  ```\n  ```\n{}", "  ```\n  ```\n".repeat(50)),
        ] {
            let (fast, full, left_out) = both(&src);
            assert_eq!(fast, full, "{src:?}");
            assert_eq!(left_out, 0, "{src:?}");
        }
    }

    #[test]
    fn runs_of_definitions_and_of_code_blocks_left_out_together() {
        // the definitions' runs are left out of the text the code blocks' were: the blocks kept
        // are checked where they are in that text (`defs::Compact::at`)
        let defs = "[a]: /u\n".repeat(2500);
        let fences = "```\n```\n".repeat(2500);
        for src in [
            format!("see [a] and [b]\n\n{defs}\n{fences}\n[b]: /v\n\ntext\n"),
            format!("{fences}\n{defs}\n{fences}x [a]\n\n{defs}\n{fences}"),
        ] {
            crate::markdown::defs::LEFT_OUT.set(0);
            LEFT_OUT.set(0);
            let fast = parse_with(&src, "", src.len(), true).0;
            // both kinds left out in the parse kept
            assert!(LEFT_OUT.get() > 0 && crate::markdown::defs::LEFT_OUT.get() > 0, "{src:?}");
            let full = parse_with(&src, "", src.len(), false).0;
            assert_eq!(runs_as_one(fast), runs_as_one(full), "{src:?}");
        }
    }

    #[test]
    fn empty_fences_are_read_as_commonmark_reads_them() {
        // (source, whether its first two lines are an empty fenced code block)
        for (s, yes) in [
            ("```\n```\n", true),
            ("```\n````", true),
            ("~~~ a`b\n~~~\n", true),
            ("````\n```\n", false),
            ("``` a`b\n```\n", false),
            ("```\n~~~\n", false),
            ("```\nx\n```\n", false),
            ("```\n``` x\n", false),
            ("```x\ry\n```\n", false),
            ("```\r\n```\r\n", true),
            ("```", false),
            (" ```\n```\n", false),
        ] {
            assert_eq!(empty_fence(s.as_bytes(), 0).is_some(), yes, "{s:?}");
            if yes {
                let d = crate::markdown::parse(s);
                assert!(matches!(&d.blocks[..], [Block::Code { text, .. }] if text.is_empty()), "{s:?}: {d:?}");
            }
        }
    }
}
