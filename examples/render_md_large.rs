//! Times (the fastest of runs) the whole `render` of 1 MiB markdown bodies natively, per platform, input and overflow
//! mode (the render bench's large inputs), to profile with `perf`. A look, not a test:
//! `cargo run --release --example render_md_large [runs] [platform] [input] [overflow] [type]`
//! (type `markdown`, the default, or `text`).
use std::time::Instant;

use webhook_push::render::render_json;

fn main() {
    let arg = |i: usize| std::env::args().nth(i);
    let runs: usize = arg(1).and_then(|a| a.parse().ok()).unwrap_or(3);
    let plats = arg(2).unwrap_or_else(|| "wecom,dingtalk,feishu".into());
    let inputs = arg(3).unwrap_or_else(|| "a,[,<,[x](,],*a,<a,\\[".into());
    let overflow = arg(4).unwrap_or_else(|| "split".into());
    let ty = arg(5).unwrap_or_else(|| "markdown".into());
    let mib = (1 << 20) - 8;
    for p in plats.split(',') {
        let mut row = Vec::new();
        for unit in inputs.split(',') {
            let s = unit.repeat(mib / unit.len());
            let body = if ty == "text" { serde_json::json!({"text": s}) } else { serde_json::json!({"content": s}) };
            let msg = serde_json::json!({"content": {"type": ty, "body": body}}).to_string();
            let opts = serde_json::json!({"webhook": "benchkey0123456789", "overflow": overflow}).to_string();
            let mut t = Vec::new();
            for _ in 0..runs {
                let t0 = Instant::now();
                let r = render_json(&msg, p, &opts, 0);
                t.push(t0.elapsed().as_secs_f64() * 1e3);
                std::hint::black_box(r.is_ok());
            }
            t.sort_by(f64::total_cmp);
            row.push(format!("{unit}:{:.0}", t[0]));
        }
        println!("{p:9} {overflow:8} {}", row.join(" "));
    }
}
