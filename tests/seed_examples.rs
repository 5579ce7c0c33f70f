//! Every example message of the seed parses and renders on every platform,
//! to the payloads kept in tests/golden/payloads (UPDATE_GOLDEN=1 rewrites them
//! after a deliberate change; review the diff).

mod common;

use common::{PLATFORMS, check_payload, render_value, seed_examples};
use serde_json::{Map, Value};
use webhook_push::render::RenderOptions;

#[test]
fn seed_examples_render_to_their_golden_payloads() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/payloads");
    let examples = seed_examples();
    assert_eq!(examples.len(), 18, "the seed has 18 example messages");
    let mut failures = Vec::new();
    for (name, msg) in examples {
        let mut all = Map::new();
        for p in PLATFORMS {
            let r = render_value(&msg, p, &RenderOptions::default())
                .unwrap_or_else(|e| panic!("{name} on {}: {e}", p.as_str()));
            for payload in &r.payloads {
                if let Err(e) = check_payload(p, &payload.to_value()) {
                    failures.push(format!("{name} on {}: {e}", p.as_str()));
                }
            }
            all.insert(p.as_str().to_string(), r.to_value());
        }
        let got = serde_json::to_string_pretty(&Value::Object(all)).expect("json") + "\n";
        let path = format!("{dir}/{name}.json");
        if update {
            std::fs::write(&path, &got).expect("write golden");
        } else {
            let want = std::fs::read_to_string(&path).unwrap_or_default();
            if want != got {
                failures.push(format!("{name}: differs from {path} (UPDATE_GOLDEN=1 to accept)\n{got}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
