//! The parser-class floor (issue 8, defect 2): what upstream pulldown-cmark 0.13.6 (crates.io,
//! unpatched, native, opt-level 3) takes for bench/lib/messages.mjs's 1 MiB markdown inputs
//! against 1 MiB of plain `a`, parsing to events (under our options: tables, strikethrough): the cost of
//! markup-dense markdown relative to plain in the parser alone, before any of our work.
//! Minimum of RUNS (default 5), ms, and the ratio to plain.
//!
//!     cargo run --release --manifest-path crates/md-upstream/Cargo.toml \
//!         --target-dir target/md-upstream --example floor [RUNS]
//!
//! The same question for four JavaScript CommonMark parsers (to HTML): bench/parser-floor.mjs.
use std::time::Instant;
use upstream::{Event, Options, Parser};
fn main() {
    let runs: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(5);
    let inputs = [
        ("plain", "a"),
        ("brackets", "["),
        ("angles", "<"),
        ("links", "[x]("),
        ("close", "]"),
        ("emphasis", "*a"),
        ("tags", "<a"),
        ("escaped", "\\["),
        ("breaks", "a\n"),
        ("paras", "a\n\n"),
        ("quotes_md", "> a\n"),
        ("bullets", "- a\n"),
        ("numbered", "1. a\n"),
        ("headings", "# a\n"),
        ("table", "|a|\n"),
        ("indented", "    a\n"),
        ("fences", "```\n"),
        ("definitions", "[a]: b\n"),
        ("refs", "[a]\n"),
        ("comments", "<!--\n"),
        ("entities", "&amp;"),
        ("hardbreaks", "a  \n"),
        ("stars", "*"),
        ("unders", "_"),
        ("ticks", "`"),
    ];
    let n = (1usize << 20) - 8;
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut plain = 0f64;
    println!("input\tevents\tms\tx plain");
    for (name, unit) in inputs {
        let src = unit.repeat(n / unit.len());
        let mut ev = f64::MAX;
        let mut count = 0;
        for _ in 0..runs {
            let t = Instant::now();
            count = Parser::new_ext(&src, opts).filter(|e| !matches!(e, Event::End(_))).count();
            ev = ev.min(t.elapsed().as_secs_f64() * 1e3);
        }
        if name == "plain" {
            plain = ev;
        }
        println!("{name}\t{count}\t{ev:.2}\t{:.1}", ev / plain);
    }
}
