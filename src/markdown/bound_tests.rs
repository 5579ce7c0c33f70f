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
