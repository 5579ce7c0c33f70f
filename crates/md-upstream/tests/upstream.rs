//! The patched parser (crates/pulldown-cmark, PATCH.md) gives upstream's results: the same
//! events with the same source ranges, the same reference definitions and the same calls of the
//! broken-link callback with the same answers, on random markdown made of the markup webhook-push's
//! large inputs hold (emphasis runs, brackets, links, angles, lists, quotes, entities, definitions,
//! tables, code, breaks) and on a few fixed documents. The two crates' types differ, so events are
//! compared through their `Debug` text.
use proptest::prelude::*;

/// Everything one parse gives, written out.
#[derive(Debug, PartialEq)]
struct Parsed {
    events: Vec<String>,
    defs: Vec<String>,
    broken: Vec<String>,
}

/// The broken-link callback's answer for a label: some labels resolve (to a destination that
/// depends on the label), others do not, so both paths run.
fn answer(label: &str) -> Option<(String, String)> {
    let n = label.len();
    (!n.is_multiple_of(3))
        .then(|| (format!("/d/{label}"), if n.is_multiple_of(2) { String::new() } else { "t".into() }))
}

macro_rules! parse_with {
    ($krate:ident, $src:expr, $bits:expr) => {{
        use $krate::{BrokenLink, CowStr, Options, Parser};
        let mut broken = Vec::new();
        let mut cb = |l: BrokenLink<'_>| {
            broken.push(format!("{:?} {:?} {:?}", l.span, l.link_type, l.reference));
            answer(&l.reference).map(|(d, t)| (CowStr::from(d), CowStr::from(t)))
        };
        let mut it = Parser::new_with_broken_link_callback($src, Options::from_bits_truncate($bits), Some(&mut cb))
            .into_offset_iter();
        let events: Vec<String> = (&mut it).map(|(e, r)| format!("{r:?} {e:?}")).collect();
        let mut defs: Vec<String> = it
            .reference_definitions()
            .iter()
            .map(|(k, d)| format!("{k:?} {:?} {:?} {:?}", d.dest, d.title, d.span))
            .collect();
        defs.sort();
        drop(it);
        Parsed { events, defs, broken }
    }};
}

fn both(src: &str, bits: u32) -> (Parsed, Parsed) {
    (parse_with!(patched, src, bits), parse_with!(upstream, src, bits))
}

/// webhook-push's options (src/markdown/parse.rs): tables and strikethrough.
const OURS: u32 = patched::Options::ENABLE_TABLES.bits() | patched::Options::ENABLE_STRIKETHROUGH.bits();
/// Every option: the patches must not change what other options give either.
const ALL: u32 = patched::Options::all().bits();

/// Pieces of markup, joined at random.
const PIECES: &[&str] = &[
    "a",
    "b c",
    " ",
    "  ",
    "\n",
    "\n\n",
    "\r\n",
    "\t",
    "中文",
    "é",
    "*",
    "**",
    "*a",
    "a*",
    "_",
    "__",
    "_a_",
    "~",
    "~~",
    "[",
    "]",
    "[x](",
    "(",
    ")",
    "](",
    "[a]",
    "[x]",
    "[A]",
    "[x][]",
    "[x][a]",
    "![",
    "![i](/p)",
    "[l](/u \"t\")",
    "[l](<a b>)",
    "<",
    ">",
    "<a",
    "<a>",
    "</a>",
    "<b c=\"d\">",
    "<!--",
    "-->",
    "<?x?>",
    "<http://e.x/y>",
    "<m@e.x>",
    "`",
    "``",
    "```\n",
    "~~~\n",
    "    ",
    "- ",
    "* ",
    "+ ",
    "1. ",
    "2) ",
    "123456789. ",
    "> ",
    ">",
    "# ",
    "## ",
    "---",
    "***",
    "===",
    "|",
    "| a | b |\n|---|:-:|\n",
    "|a|\n",
    "&amp;",
    "&lt;",
    "&nbsp;",
    "&#35;",
    "&#x4E2D;",
    "&bogus;",
    "&",
    "\\",
    "\\[",
    "\\*",
    "\\\n",
    "[a]: /u\n",
    "[x]: /v \"t\"\n",
    "[A]:\n/w\n",
    "[^1]",
    "[^1]: n\n",
    "$",
    "$$",
    "{",
    "}",
    "- [ ] ",
    "- [x] ",
    "https://x.y/z",
    "www.x.y",
    "^",
    "=",
    ": ",
    "{#id}",
];

fn markdown() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..80).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    #[test]
    fn the_patched_parser_gives_upstreams_events(src in markdown()) {
        let (ours, up) = both(&src, OURS);
        prop_assert_eq!(ours, up, "options {:#x}, source {:?}", OURS, src);
        let (ours, up) = both(&src, ALL);
        prop_assert_eq!(ours, up, "options {:#x}, source {:?}", ALL, src);
    }

    /// Long runs of one piece (the large inputs' shape), with another piece now and then.
    #[test]
    fn runs_of_one_piece_too(unit in prop::sample::select(PIECES), other in prop::sample::select(PIECES),
                             n in 1usize..400, every in 1usize..60) {
        let src: String = (0..n).map(|i| if i % every == every - 1 { other } else { unit }).collect();
        let (ours, up) = both(&src, OURS);
        prop_assert_eq!(ours, up, "source {:?}", src);
    }
}

#[test]
fn fixed_documents() {
    let docs = [
        "# Deployed ✅\n- Version: v1.2.3\n\n[Logs](https://example.com/logs)",
        "1. a\n2. b\n\n   c\n3. d\n\n999999999. e\n1234567890. f\n",
        "> q\n> - l\n>   1) n\n\n- [a]: b\n",
        "see [x]\n\n[a]: b\n[x]: /u\n",
        "| a | b |\n|---|---|\n| *c* | [d](e) |\n| `f|g` | h \\| i |\n",
        "*a**b*c**d*e*f**g",
        "<a href=\"x\">y</a> <b\n<!-- c\n-->\n",
        "&amp;&lt;&gt;&quot;&nbsp;&copy;&CounterClockwiseContourIntegral;&#0;&#xFFFFFF;",
    ];
    for d in docs {
        for bits in [OURS, ALL] {
            let (ours, up) = both(d, bits);
            assert_eq!(ours, up, "options {bits:#x}, source {d:?}");
        }
    }
}
