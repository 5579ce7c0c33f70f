//! Renders the render bench's messages (bench/lib/messages.mjs) many times natively, to profile
//! the small-message path with `perf`. A look, not a test:
//! `node -e 'import("./bench/lib/messages.mjs").then(m=>console.log(JSON.stringify(m.MESSAGES)))' > msgs.json`
//! then `cargo run --release --example render_msgs msgs.json [renders] [message,…] [platform,…]`.
//! Prints µs per render (the fastest of 5 rounds) for each message and platform.
use std::time::Instant;

use webhook_push::render::render_json;

fn main() {
    let arg = |i: usize| std::env::args().nth(i);
    let Some(path) = arg(1) else {
        eprintln!("usage: render_msgs FILE.json [renders] [message,…] [platform,…]");
        return;
    };
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    let n: usize = arg(2).and_then(|a| a.parse().ok()).unwrap_or(2000);
    let names = arg(3).unwrap_or_else(|| "markdown_report,alert_card,markdown_10kb".into());
    let plats = arg(4).unwrap_or_else(|| "wecom,dingtalk,feishu".into());
    for name in names.split(',') {
        let Some(msg) = all.get(name) else { continue };
        let msg = msg.to_string();
        for p in plats.split(',') {
            let opts = match p {
                "wecom" => serde_json::json!({"webhook": "benchkey0123456789"}),
                _ => serde_json::json!({"webhook": "benchkey0123456789", "secret": "SECbench0123456789"}),
            }
            .to_string();
            if let Err(e) = render_json(&msg, p, &opts, 1) {
                println!("{name:16} {p:9} error {e:?}");
                continue;
            }
            let mut best = f64::MAX;
            for _ in 0..5 {
                let t0 = Instant::now();
                for _ in 0..n {
                    std::hint::black_box(render_json(&msg, p, &opts, 1).is_ok());
                }
                best = best.min(t0.elapsed().as_secs_f64() * 1e6 / n as f64);
            }
            println!("{name:16} {p:9} {best:8.2} µs");
        }
    }
}
