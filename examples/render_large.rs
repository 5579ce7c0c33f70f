//! Times `render` natively on the render bench's 1 MiB inputs (bench/render.mjs), per platform
//! and markdown stage (parse, write, whole render), to see where the time goes. A look, not a test:
//! `cargo run --release --example render_large [runs]`.
use std::time::Instant;

use webhook_push::markdown::{self, Dialect};
use webhook_push::render::{RenderOptions, render};
use webhook_push::{model::UnifiedMessage, target::Platform};

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn main() {
    let runs: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(3);
    let only = std::env::args().nth(2);
    let mib = (1 << 20) - 8;
    for (name, unit) in [("plain", "a"), ("brackets", "["), ("angles", "<"), ("links", "[x](")] {
        if only.as_deref().is_some_and(|o| o != name) {
            continue;
        }
        let s = unit.repeat(mib / unit.len());
        let parse = median(
            (0..runs)
                .map(|_| {
                    let t = Instant::now();
                    std::hint::black_box(markdown::parse(&s));
                    ms(t)
                })
                .collect(),
        );
        let doc = markdown::parse(&s);
        for d in [Dialect::WecomMarkdown, Dialect::DingTalk] {
            let w = median(
                (0..runs)
                    .map(|_| {
                        let t = Instant::now();
                        std::hint::black_box(markdown::render(&doc, d));
                        ms(t)
                    })
                    .collect(),
            );
            println!("{name:9} write {d:?}: {w:.1} ms");
        }
        println!("{name:9} parse: {parse:.1} ms ({} blocks)", doc.blocks.len());
        let opts = pulldown_cmark::Options::ENABLE_TABLES | pulldown_cmark::Options::ENABLE_STRIKETHROUGH;
        let mut n = 0;
        let raw = median(
            (0..runs)
                .map(|_| {
                    let t = Instant::now();
                    n = pulldown_cmark::Parser::new_ext(&s, opts).into_offset_iter().count();
                    ms(t)
                })
                .collect(),
        );
        println!("{name:9} pulldown-cmark alone: {raw:.1} ms ({n} events)");
        for p in [Platform::Wecom, Platform::DingTalk, Platform::Feishu] {
            let v = serde_json::json!({ "content": { "type": "markdown", "body": { "content": s } } });
            let Ok(msg) = UnifiedMessage::from_value(&v) else { continue };
            let opts = RenderOptions::default();
            let r = median(
                (0..runs)
                    .map(|_| {
                        let t = Instant::now();
                        let _ = std::hint::black_box(render(&msg, p, &opts));
                        ms(t)
                    })
                    .collect(),
            );
            let ok = render(&msg, p, &opts).map(|r| r.payloads.len()).map_err(|e| e.to_string());
            println!("{name:9} render {}: {r:.1} ms {ok:?}", p.as_str());
        }
    }
}
