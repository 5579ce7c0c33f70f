//! A bounded markdown parse against the full one, through `render` on every
//! platform and overflow mode: the same output whenever it fits, the same kept
//! parts for big ordinary documents, the cut reported, and bounded work for
//! inputs made to defeat it.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::bound::{FULL, PARSED};
use crate::limits::Overflow;
use crate::model::UnifiedMessage;
use crate::platform::Platform;
use crate::render::{RenderOptions, Rendered, render};

const PLATFORMS: [Platform; 3] = [Platform::Wecom, Platform::DingTalk, Platform::Feishu];
const MODES: [Overflow; 3] = [Overflow::Split, Overflow::Truncate, Overflow::Error];

/// A small deterministic generator (xorshift), so one seed is one document.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
        v[self.below(v.len())]
    }
}

const WORDS: &[&str] = &[
    "disk",
    "usage",
    "on",
    "node-7",
    "is",
    "high",
    "告警",
    "服务",
    "the",
    "deploy",
    "finished",
    "in",
    "42s",
    "error",
    "rate",
    "p99",
    "latency",
    "[WARN]",
    "a_b",
    "x*y",
    "100%",
    "<tag>",
    "&amp;",
    "@here",
    "3 < 4",
    "path/to/file",
];

/// A line of inline markdown: words, emphasis, code, links (inline and by reference), images, colour.
fn inline(g: &mut Gen, refs: &mut Vec<String>) -> String {
    let n = 3 + g.below(12);
    let mut s = Vec::new();
    for _ in 0..n {
        let w = g.pick(WORDS);
        s.push(match g.below(14) {
            0 => format!("**{w}**"),
            1 => format!("*{w}*"),
            2 => format!("`{w}`"),
            3 => format!("[{w}](https://example.com/{}?q={})", g.below(1000), g.below(99)),
            4 => {
                let r = format!("ref{}", g.below(40));
                refs.push(r.clone());
                format!("[{w}][{r}]")
            }
            5 => format!("![{w}](https://img.example.com/{}.png)", g.below(100)),
            6 => format!("<font color=\"warning\">{w}</font>"),
            7 => format!("~~{w}~~"),
            8 => format!("https://example.com/{}", g.below(500)),
            _ => w.to_string(),
        });
    }
    s.join(" ")
}

/// A realistic document of about `size` bytes: headings, paragraphs, lists (nested, loose),
/// fenced code with blank lines, tables, quotes, rules, comments; reference definitions at the
/// end (and some early); CRLF line ends when `crlf`.
fn document(seed: u64, size: usize, crlf: bool) -> String {
    let mut g = Gen(seed | 1);
    let mut refs = Vec::new();
    // the features a dialect is chosen by, early, as a real document's would be throughout
    let mut out = String::from("# Report\n\n| a | b |\n|---|:-:|\n| 1 | 2 |\n\n```sh\nls\n```\n\n");
    out.push_str("[ref0]: https://example.com/early\n\n");
    while out.len() < size {
        let block = match g.below(10) {
            0 => format!("{} {}", "#".repeat(1 + g.below(3)), inline(&mut g, &mut refs)),
            1 | 2 => {
                let loose = g.below(3) == 0;
                let ordered = g.below(2) == 0;
                let n = 2 + g.below(6);
                (0..n)
                    .map(|i| {
                        let m = if ordered { format!("{}.", i + 1) } else { "-".to_string() };
                        let mut item = format!("{m} {}", inline(&mut g, &mut refs));
                        if g.below(4) == 0 {
                            item.push_str(&format!("\n   - {}", inline(&mut g, &mut refs)));
                        }
                        item
                    })
                    .collect::<Vec<_>>()
                    .join(if loose { "\n\n" } else { "\n" })
            }
            3 => {
                let n = 2 + g.below(12);
                let lines: Vec<String> = (0..n)
                    .map(|i| if i % 5 == 4 { String::new() } else { format!("let x{i} = \"{}\";", g.pick(WORDS)) })
                    .collect();
                format!("```rust\n{}\n```", lines.join("\n"))
            }
            4 => {
                let rows = 1 + g.below(6);
                let mut t = String::from("| name | value | note |\n|---|---:|---|");
                for _ in 0..rows {
                    t.push_str(&format!("\n| {} | {} | {} |", g.pick(WORDS), g.below(1000), g.pick(WORDS)));
                }
                t
            }
            5 => format!("> {}\n> {}", inline(&mut g, &mut refs), inline(&mut g, &mut refs)),
            6 if g.below(3) == 0 => "---".to_string(),
            7 if g.below(3) == 0 => format!("<!-- {} -->", inline(&mut g, &mut refs)),
            _ => {
                let n = 1 + g.below(4);
                (0..n).map(|_| inline(&mut g, &mut refs)).collect::<Vec<_>>().join("\n")
            }
        };
        out.push_str(&block);
        out.push_str("\n\n");
    }
    for i in 1..40 {
        out.push_str(&format!("[ref{i}]: https://example.com/def/{i}\n"));
    }
    if crlf { out.replace('\n', "\r\n") } else { out }
}

fn message(md: &str, title: bool) -> UnifiedMessage {
    let mut c = json!({"type": "markdown", "body": {"content": md}});
    if title {
        c["title"] = json!("Nightly [report]");
    }
    UnifiedMessage::from_json(&json!({ "content": c }).to_string()).unwrap()
}

/// The render with the parse bounded, and with the whole source parsed.
fn both(msg: &UnifiedMessage, p: Platform, overflow: Overflow) -> (Result<Rendered, String>, Result<Rendered, String>) {
    let opts = RenderOptions { overflow, ..Default::default() };
    let run = |full: bool| {
        FULL.set(full);
        PARSED.set(0);
        let r = render(msg, p, &opts).map_err(|e| format!("{:?} {}", e.code, e.message));
        FULL.set(false);
        r
    };
    let bounded = run(false);
    let parsed = PARSED.get();
    let full = run(true);
    PARSED.set(parsed);
    (bounded, full)
}

/// What must be equal whatever was parsed: the payloads, and each degradation by kind.
fn kinds(r: &Rendered) -> Vec<(String, String)> {
    r.degraded.iter().map(|d| (d.from.clone(), d.to.clone())).collect()
}

/// Bounded == full: the same payloads and the same degradations; the wording of a size that
/// was partly measured ("more than N bytes") may differ, and so may an error's.
fn assert_same(
    src_len: usize,
    p: Platform,
    o: Overflow,
    bounded: &Result<Rendered, String>,
    full: &Result<Rendered, String>,
) {
    match (bounded, full) {
        (Ok(b), Ok(f)) => {
            assert!(b.payloads == f.payloads, "{p:?} {o:?} {src_len} bytes: payloads differ");
            assert_eq!(kinds(b), kinds(f), "{p:?} {o:?} {src_len} bytes");
            let partial = b.degraded.iter().any(|d| d.reason.contains("more than") && d.to == "truncated");
            if !partial {
                assert_eq!(b.degraded, f.degraded, "{p:?} {o:?} {src_len} bytes");
            }
        }
        (Err(b), Err(f)) => {
            assert_eq!(b.split(' ').next(), f.split(' ').next(), "{p:?} {o:?}");
        }
        (b, f) => panic!("{p:?} {o:?} {src_len} bytes: bounded {:?} vs full {:?}", b.is_ok(), f.is_ok()),
    }
}

/// The text a payload shows (to check nothing beyond the cut is missing silently).
fn truncated(r: &Rendered) -> bool {
    r.degraded.iter().any(|d| d.from == "content" && d.to == "truncated")
}

#[test]
fn big_ordinary_documents_keep_the_same_parts_and_say_the_rest_was_cut() {
    for (seed, size) in [(1u64, 150_000usize), (2, 600_000), (3, 1_000_000), (4, 90_000), (5, 30_000)] {
        for crlf in [false, true] {
            let md = document(seed, size, crlf);
            for title in [false, true] {
                let msg = message(&md, title);
                for p in PLATFORMS {
                    for o in MODES {
                        let (b, f) = both(&msg, p, o);
                        let parsed = PARSED.get();
                        assert_same(md.len(), p, o, &b, &f);
                        if let Ok(b) = &b {
                            // what the bounded parse left out is reported as cut, never silently lost
                            if parsed < md.len() {
                                assert!(truncated(b), "{p:?} {o:?}: parsed {parsed} of {}, not reported", md.len());
                            }
                        }
                        // the work: at most about twice the capacity with its margin, or the source
                        let room = if p == Platform::Wecom { 4096 } else { 20_000 };
                        let cap = if o == Overflow::Split { 21 * room } else { room };
                        let most = 4 * md.len().min(cap + super::MARGIN);
                        assert!(parsed <= most, "{p:?} {o:?}: parsed {parsed} of {}", md.len());
                    }
                }
            }
        }
    }
}

#[test]
fn content_that_renders_to_little_is_parsed_to_the_end() {
    // long comments and definitions take source but show nothing: the bounded parse must
    // reach the end (and find the text and the definition there)
    let mut md = String::from("start\n\n");
    for i in 0..4000 {
        md.push_str(&format!("<!--\n{}\n\nmore {i}\n-->\n\n[d{i}]: https://example.com/{i}\n\n", "x".repeat(60)));
    }
    md.push_str("[the end][d7] and [another][late]\n\n[late]: https://example.com/late\n");
    for p in PLATFORMS {
        for o in MODES {
            let (b, f) = both(&message(&md, false), p, o);
            assert_same(md.len(), p, o, &b, &f);
            let b = b.unwrap();
            let text = crate::payload::Payload::from(b.payloads.clone()).to_text();
            assert!(
                text.contains("https://example.com/late") && text.contains("https://example.com/7"),
                "{p:?} {o:?} {text}"
            );
        }
    }
}

#[test]
fn a_definition_after_the_cut_still_resolves() {
    let mut md = String::new();
    for i in 0..15_000 {
        md.push_str(&format!("para {i} with [a link][far] and [another][FAR ] here\n\n"));
    }
    md.push_str("> [far]: https://example.com/far \"t\"\n");
    for p in PLATFORMS {
        let (b, f) = both(&message(&md, false), p, Overflow::Split);
        assert_same(md.len(), p, Overflow::Split, &b, &f);
        let text = crate::payload::Payload::from(b.unwrap().payloads).to_text();
        assert!(text.contains("https://example.com/far"), "{p:?}");
    }
}

#[test]
fn inputs_made_to_defeat_the_bound_cost_linear_work() {
    let mib = 1_000_000;
    let cases: Vec<(&str, String)> = vec![
        ("brackets", "[".repeat(mib - 16)),
        ("emphasis", "*a".repeat(mib / 2 - 8)),
        ("a definition at the end", format!("{}\n\n[a]: /x\n", "[a] ".repeat(mib / 4))),
        ("an open comment at the start", format!("<!--\n{}", "x\n\n".repeat(mib / 3))),
        ("an open fence", format!("```\n{}", "[x](y)\n\n".repeat(mib / 8))),
        ("one list", "- [x](y) *a*\n".repeat(mib / 13)),
        ("definitions only", "[a]: /x\n".repeat(mib / 8)),
    ];
    for (what, md) in cases {
        let msg = message(&md, false);
        for p in PLATFORMS {
            for o in MODES {
                PARSED.set(0);
                let opts = RenderOptions { overflow: o, ..Default::default() };
                let r = render(&msg, p, &opts);
                let parsed = PARSED.get();
                assert!(parsed <= 3 * md.len(), "{what} {p:?} {o:?}: parsed {parsed}");
                if let Ok(r) = r {
                    let shown: usize = r.payloads.iter().map(|v| v.to_string().len()).sum();
                    assert!(shown > 0, "{what} {p:?} {o:?}");
                }
            }
        }
    }
}

#[test]
fn an_html_block_nothing_can_close_fills_the_output_as_a_paragraph_does() {
    // an unclosed comment or tag block with no `>` and no blank line after the cut runs to the
    // end in the full parse: a prefix of it renders as the full parse does, so the bounded
    // parse stops near the capacity instead of parsing (and rendering) the whole source
    let mib = 1_000_000;
    let cases: Vec<(&str, String)> = vec![
        ("open comments", "<!--\n".repeat(mib / 5)),
        ("a comment then lines", format!("<!-- a\n{}", "x <y & *z*\n".repeat(mib / 11))),
        ("a tag block", format!("intro\n\n<div class=a>\n{}", "告警 a\n".repeat(mib / 9))),
        ("a tag block without its >", format!("<div\n{}", "a\n".repeat(mib / 2))),
    ];
    for (what, md) in cases {
        let msg = message(&md, false);
        for p in PLATFORMS {
            for o in MODES {
                let (b, f) = both(&msg, p, o);
                let parsed = PARSED.get();
                assert_same(md.len(), p, o, &b, &f);
                if o != Overflow::Split {
                    assert!(parsed < md.len() / 4, "{what} {p:?} {o:?}: parsed {parsed} of {}", md.len());
                }
            }
        }
    }
    // something that can close it after the cut: parsed to the end as before
    let md = format!("<!--\n{}-->\n\nthe end\n", "a\n".repeat(mib / 2));
    let (b, f) = both(&message(&md, false), Platform::Wecom, Overflow::Truncate);
    assert_same(md.len(), Platform::Wecom, Overflow::Truncate, &b, &f);
    assert!(PARSED.get() >= md.len(), "parsed {}", PARSED.get());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Random documents around the bounds (a first look is a sixteenth of the capacity and its
    /// margin): the same render as the full parse, in every mode.
    #[test]
    fn random_documents_render_as_the_full_parse(seed in any::<u64>(), size in 1_000usize..60_000, crlf in any::<bool>()) {
        let md = document(seed, size, crlf);
        let msg = message(&md, seed % 2 == 0);
        for p in PLATFORMS {
            for o in MODES {
                let (b, f) = both(&msg, p, o);
                assert_same(md.len(), p, o, &b, &f);
            }
        }
    }

    /// Random text made of markup characters (no structure to rely on): when the output fits
    /// the result is the full parse's; when it does not, the cut is reported.
    #[test]
    fn random_markup_fits_the_same_or_is_reported_cut(s in "([\\[\\]()<>!*_`#>\\- \n中a]|\n\n|<!--|-->|\\]\\(|https://|\\[a\\]: /x\n){0,400}", reps in 1usize..300) {
        let md = s.repeat(reps);
        prop_assume!(!md.trim().is_empty() && md.len() < 1_000_000);
        let msg = message(&md, false);
        for p in PLATFORMS {
            for o in MODES {
                let (b, f) = both(&msg, p, o);
                match (&b, &f) {
                    (Ok(b), Ok(f)) if truncated(b) || truncated(f) => {
                        prop_assert!(truncated(b) && truncated(f), "{:?} {:?}: both cut", p, o);
                    }
                    _ => assert_same(md.len(), p, o, &b, &f),
                }
            }
        }
    }
}

#[test]
fn the_json_of_a_partial_render_is_valid() {
    let md = document(9, 400_000, false);
    for p in PLATFORMS {
        let opts = RenderOptions { ..Default::default() };
        let r = render(&message(&md, true), p, &opts).unwrap();
        let v: Value = serde_json::from_str(&r.to_json()).unwrap();
        assert!(v.is_object());
    }
}

// ---- runs of one-line definitions left out of the parse (super::defs::compact) ----

use super::defs::{LEFT_OUT, SKIP_MIN};

const LABELS: &[&str] = &["a", "A", "b", "ref1", "REF1", "x-y", "a.b", "c_d", "t9"];

/// A line that is (or nearly is) a link reference definition: valid ones of each form, and
/// ones pulldown-cmark reads otherwise or that the fast path must not take as whole definitions.
fn def_line(g: &mut Gen) -> String {
    let l = g.pick(LABELS);
    let n = g.below(4);
    match g.below(16) {
        0..=5 => format!("[{l}]: /u/{n}"),
        6 => format!("[{l}]: https://e.com/{n}?q=1&amp;r \"title {n}\""),
        7 => format!("[{l}]: /t/{n} 'it''s'"),
        8 => format!("[{l}]: /p/{n} (paren)  "),
        9 => format!("[{l}]: /v/{n} \"告警\""),
        10 => format!("[{l}]: /w/{n}\r"),
        11 => format!("[{l}]"),
        12 => format!("[{l}]:"),
        13 => format!("[{l}]: /x/{n} \"open"),
        14 => format!("\"closing\" [{l}]: /y"),
        _ => g
            .pick(&[
                "[a]:/n",
                "[a b]: /s",
                "[a]: <x y>",
                "[a]: /x \"t\" junk",
                "[a]: /x\t",
                "   [a]: /i",
                "[a]: (x)",
                "[^a]: /f",
                "[a]: /x |",
            ])
            .to_string(),
    }
}

/// A document of definitions, mixed: runs of one-line definitions (valid, invalid, duplicate
/// labels, titles, CRLF), multi-line ones, ones in quotes and lists, after a paragraph line or a
/// table row, inside a fence or an HTML block, with references to them before and after.
fn defs_document(seed: u64, long: bool) -> String {
    let mut g = Gen(seed | 1);
    let mut out = String::new();
    for _ in 0..1 + g.below(14) {
        let l = g.pick(LABELS);
        match g.below(16) {
            0..=4 => {
                let n = 2 + if long && g.below(3) == 0 { g.below(400) } else { g.below(10) };
                for _ in 0..n {
                    out.push_str(&def_line(&mut g));
                    out.push('\n');
                }
            }
            5 | 6 => out.push_str(&format!(
                "see [{l}], [text][{}], [{}][] and ![img][{l}] here\n",
                g.pick(LABELS),
                g.pick(LABELS)
            )),
            7 => out.push_str(&format!("> [{l}]: /q/1\n> [{}]: /q/2\n", g.pick(LABELS))),
            // a run of quoted definitions (left out when each line is `> ` and one whole
            // definition), with other markers, nested quotes and quoted text among them
            14 => {
                for _ in 0..3 + g.below(12) {
                    out.push_str(g.pick(&["> ", "> ", "> ", "> ", ">", ">  ", "> > ", " > "]));
                    match g.below(8) {
                        0 => out.push_str(&format!("quoted [{l}] text")),
                        1 => out.push_str(g.pick(&["```", "<!--", "- ", "# h", "", "    [a]: /code"])),
                        _ => out.push_str(&def_line(&mut g)),
                    }
                    out.push('\n');
                }
            }
            8 => out.push_str(&format!("- [{l}]: /li\n- [{}]: /li2\n", g.pick(LABELS))),
            9 => out.push_str(g.pick(&["```\n", "```\n", "~~~\n", "<!--\n", "-->\n", "<div>\n", "    indented\n"])),
            10 => out.push_str(&format!("[{l}]:\n/multi/line\n[{}]: /m\n\"title on its own line\"\n", g.pick(LABELS))),
            11 => out.push_str("| a | b |\n|---|---|\n| 1 | 2 |\n"),
            12 => out.push_str("a paragraph line\n"),
            // a run of definitions on two lines (`[label]:` then the destination: left out when
            // it starts with a letter or `/`), among one-line ones, with next lines that
            // interrupt, underline, indent or carry a title
            15 => {
                for _ in 0..3 + g.below(12) {
                    let l = g.pick(LABELS);
                    match g.below(4) {
                        0 => out.push_str(&def_line(&mut g)),
                        _ => out.push_str(&format!(
                            "[{l}]:{}\n{}",
                            g.pick(&["", "", "  ", "\t"]),
                            g.pick(&[
                                "b",
                                "/x/2",
                                "b \"t\"",
                                "http://e.com (p)",
                                "b c",
                                "1. x",
                                "- x",
                                "# h",
                                "===",
                                "---",
                                "  b",
                                "    b",
                                "<b>",
                                "\"t\"",
                                "b 't",
                                "a|b",
                                "> b",
                                "[x]",
                            ])
                        )),
                    }
                    out.push('\n');
                }
            }
            _ => out.push_str(&format!("# heading [{l}]\n")),
        }
        if g.below(4) != 0 {
            out.push('\n');
        }
    }
    if g.below(3) == 0 { out.replace('\n', "\r\n") } else { out }
}

/// `parse` with every run of three or more definition lines left out, and with none.
fn parse_both(md: &str) -> (super::Doc, super::Doc, usize) {
    SKIP_MIN.set(0);
    LEFT_OUT.set(0);
    let fast = super::parse(md);
    let left = LEFT_OUT.get();
    SKIP_MIN.set(usize::MAX);
    let full = super::parse(md);
    SKIP_MIN.set(super::defs::MIN_SKIP);
    (fast, full, left)
}

/// Renders with runs of definitions left out and with none left out, the parse bounded and
/// whole: the same payloads each way. Returns the bounded render with runs left out and the
/// full render with none (for the bounded parse's own comparison, [`assert_same`]).
fn fast_path_changes_nothing(
    md: &str,
    msg: &UnifiedMessage,
    p: Platform,
    o: Overflow,
) -> (Result<Rendered, String>, Result<Rendered, String>) {
    SKIP_MIN.set(0);
    let (fast_bounded, fast_full) = both(msg, p, o);
    SKIP_MIN.set(usize::MAX);
    let (bounded, full) = both(msg, p, o);
    SKIP_MIN.set(super::defs::MIN_SKIP);
    assert_same(md.len(), p, o, &fast_bounded, &bounded);
    assert_same(md.len(), p, o, &fast_full, &full);
    (fast_bounded, full)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// What a document of definitions parses to, with runs of definitions left out, is what it
    /// parses to whole: the same blocks, and each reference resolved to the same destination.
    #[test]
    fn definitions_left_out_parse_as_the_whole(seed in any::<u64>()) {
        let md = defs_document(seed, false);
        let (fast, full, _) = parse_both(&md);
        prop_assert_eq!(fast, full, "{:?}", md);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    /// The same through `render` on every platform and overflow mode, on documents long enough
    /// to be cut, with text around the runs: the payloads of the full parse.
    #[test]
    fn definitions_left_out_render_as_the_full_parse(seed in any::<u64>(), reps in 1usize..40) {
        let md = defs_document(seed, true).repeat(reps);
        let msg = message(&md, false);
        for p in PLATFORMS {
            for o in MODES {
                let _ = fast_path_changes_nothing(&md, &msg, p, o);
            }
        }
    }
}

/// The shapes of 1 MiB of definitions (bench/lib/messages.mjs LARGE_DEFS), smaller: left out
/// (the work is not the parse of every definition) and rendered as the full parse.
#[test]
fn runs_of_definitions_are_left_out_and_render_the_same() {
    let n = 60_000;
    let fill = |unit: &str| unit.repeat(n / unit.len());
    let distinct = |k: usize| (0..k).map(|i| format!("[a{i}]: b\n")).collect::<String>();
    let cases: Vec<(&str, String, bool)> = vec![
        ("definitions", fill("[a]: b\n"), true),
        ("then text", format!("x\n\n{}\n\ntail [a] end", fill("[a]: b\n")), true),
        ("distinct", distinct(n / 9), true),
        ("titles", fill("[a]: b \"t\"\n"), true),
        ("crlf", fill("[a]: b\r\n"), true),
        ("a reference before to the last", format!("see [x] and [a77]\n\n{}[x]: /u\n", distinct(n / 9)), true),
        ("a reference before to one left out", format!("see [A77] and [a7][]\n\n{}", distinct(n / 9)), true),
        ("a reference after", format!("{}\n\n[a500] and [zz]\n", distinct(n / 9)), true),
        ("in a fence", format!("```\n\n{}", fill("[a]: b\n")), false),
        ("in a comment", format!("<!--\n\n{}-->\n", fill("[a]: b\n")), false),
        ("after a paragraph line", format!("para\n{}", fill("[a]: b\n")), false),
        ("in a quote", fill("> [a]: b\n"), true),
        ("multi-line", fill("[a]:\nb\n"), true),
    ];
    for (what, md, left) in cases {
        let (fast, full, left_out) = parse_both(&md);
        assert!(fast == full, "{what}: parse differs");
        assert_eq!(left_out > 0, left, "{what}: left out {left_out}");
        let msg = message(&md, false);
        for p in PLATFORMS {
            for o in MODES {
                let (b, f) = fast_path_changes_nothing(&md, &msg, p, o);
                assert_same(md.len(), p, o, &b, &f);
                if what.contains("reference") {
                    let text = crate::payload::Payload::from(b.unwrap().payloads).to_text();
                    assert!(text.contains("/u") || text.contains("(b)") || text.contains("b"), "{what} {p:?} {o:?}");
                }
            }
        }
    }
}

/// A label left out and defined again after its run (kept in the parse): the full parse takes
/// the first definition, so the whole source is parsed; and a label defined before the run
/// keeps its first definition.
#[test]
fn a_label_left_out_and_defined_again_later_resolves_to_the_first() {
    let mut md = String::from("[k] and [first]\n\n[first]: /before\n");
    for i in 0..400 {
        md.push_str(&format!("[a{i}]: /x\n"));
        if i == 200 {
            md.push_str("[K]: /left-out\n[first]: /not-this\n");
        }
    }
    md.push_str("\n> [k]: /later\n");
    let (fast, full, left_out) = parse_both(&md);
    assert!(fast == full);
    assert_eq!(left_out, 0, "the shadowed label must make the whole source parsed");
    let text = format!("{fast:?}");
    assert!(text.contains("/left-out") && text.contains("/before") && !text.contains("/later"), "{text}");
    // defined again before its run only: left out, resolved to the first
    let md = md.replace("> [k]: /later", "the end");
    let (fast, full, left_out) = parse_both(&md);
    assert!(fast == full && left_out > 0);
    assert!(format!("{fast:?}").contains("/left-out"));
}

/// References expand (pulldown-cmark's limit on the bytes references add) as in the whole
/// source, though the text parsed is shorter: 300 references to a 1 KB destination add 300 KB,
/// over the 100 KB a short text allows, within what the 400 KB source allows.
#[test]
fn references_expand_as_in_the_whole_source() {
    let url = format!("/{}", "u".repeat(1000));
    let mut md = format!("[x]: {url}\n\n{}\n\n", "[x] ".repeat(300));
    md.push_str(&"[a]: b\n".repeat(400_000 / 7));
    let (fast, full, left_out) = parse_both(&md);
    assert!(left_out > 300_000);
    assert!(fast == full);
    assert_eq!(format!("{fast:?}").matches(&url).count(), 300);
    // a prefix parsed alone expands as the whole source too (bounded under split)
    let msg = message(&md, false);
    let (b, f) = fast_path_changes_nothing(&md, &msg, Platform::Feishu, Overflow::Split);
    assert_same(md.len(), Platform::Feishu, Overflow::Split, &b, &f);
}

/// Runs of empty code blocks, left out of the bounded parse where an empty code block renders
/// to nothing (DingTalk, Feishu, WeCom markdown v1), kept where it shows (WeCom markdown_v2, the
/// dialect WeCom picks for code blocks when there is no mention): the same payloads, losses and
/// refusals as the whole source parsed with nothing left out, on every platform and mode.
#[test]
fn runs_of_empty_code_blocks_are_left_out_where_they_show_nothing() {
    let n = 100_000;
    let fill = |unit: &str| unit.repeat(n / unit.len());
    let run = "```\n```\n".repeat(300);
    // (what, the source, whether it shows nothing)
    let cases: Vec<(&str, String, bool)> = vec![
        ("only fences", fill("```\n"), true),
        ("tildes with blank lines", fill("~~~ sh\n~~~\n\n"), true),
        ("text around", format!("# Report\n\nbefore [x]\n{}after *this*\n\n[x]: /u\n", fill("```\n```\n")), false),
        ("runs between paragraphs", format!("{}\n\nlast", fill(&format!("para [x](/y)\n{run}\n"))), false),
        ("text after a long run", format!("{}\n\n{}", fill("```\n"), "a line\n\n".repeat(3000)), false),
        ("in a longer fence", format!("````\n{}````\ntail", fill("```\n")), false),
        ("in a list item", format!("- a\n\n{}", fill("  ```\n")), false),
    ];
    for (what, md, nothing) in cases {
        for mention in [false, true] {
            let mut c = json!({"type": "markdown", "body": {"content": md}});
            if mention {
                c["mentions"] = json!([{"type": "user_id", "value": "zhangsan"}]);
            }
            let msg = UnifiedMessage::from_json(&json!({ "content": c }).to_string()).unwrap();
            for p in PLATFORMS {
                for o in MODES {
                    super::blanks::LEFT_OUT.set(0);
                    let (b, f) = both(&msg, p, o);
                    assert_same(md.len(), p, o, &b, &f);
                    let left_out = super::blanks::LEFT_OUT.get() > 0;
                    // WeCom shows code blocks (markdown_v2) unless a mention asks for v1; only
                    // Feishu leaves no separator for a blank block (elsewhere a run left out is
                    // kept out only while nothing shows, and parsed again as it is when something does)
                    let shows = p == Platform::Wecom && !mention;
                    if shows || what.starts_with("in a") {
                        assert!(!left_out, "{what} {p:?} {o:?} mention {mention}");
                    } else if p == Platform::Feishu || nothing {
                        assert!(left_out, "{what} {p:?} {o:?} mention {mention}");
                    }
                    if nothing && !shows {
                        assert!(b.is_err(), "{what} {p:?} {o:?} mention {mention}");
                    }
                }
            }
        }
    }
}

/// A look, not a test: the bounded parse's attempts per 1 MiB input, platform and overflow
/// (`cargo test --lib attempts_per_large_input -- --ignored --nocapture`).
#[test]
#[ignore]
fn attempts_per_large_input() {
    let inputs = [
        "a", "[", "<", "[x](", "]", "*a", "<a", "\\[", "a\n", "a\n\n", "> a\n", "- a\n", "1. a\n", "# a\n", "|a|\n",
        "[a]\n", "&amp;", "a  \n", "*", "_", "`",
    ];
    let mib = (1 << 20) - 8;
    for o in [Overflow::Truncate, Overflow::Split] {
        for p in PLATFORMS {
            for unit in inputs {
                let md = unit.repeat(mib / unit.len());
                let msg = message(&md, false);
                super::bound::ATTEMPTS.with_borrow_mut(|a| a.clear());
                let opts = RenderOptions { overflow: o, ..Default::default() };
                let r = render(&msg, p, &opts);
                let a = super::bound::ATTEMPTS.with_borrow(|a| a.clone());
                let out: usize = r.map(|r| r.payloads.iter().map(|v| v.to_string().len()).sum()).unwrap_or(0);
                println!("{o:?}\t{p:?}\t{unit:?}\tparses {a:?}\tout {out}");
            }
        }
    }
}
