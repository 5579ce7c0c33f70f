//! Render every seed example for every platform and print it (a quick look;
//! the demo does the same from the npm package).
use webhook_push::render::{RenderOptions, render};
use webhook_push::{model::UnifiedMessage, target::Platform};

fn main() {
    let text = std::fs::read_to_string("tests/fixtures/seed_examples.json").expect("fixtures");
    let list: serde_json::Value = serde_json::from_str(&text).expect("json");
    for ex in list.as_array().into_iter().flatten() {
        let msg = UnifiedMessage::from_value(&ex["message"]);
        for p in [Platform::Wecom, Platform::DingTalk, Platform::Feishu] {
            let out = msg.as_ref().map_err(|e| e.clone()).and_then(|m| render(m, p, &RenderOptions::default()));
            match out {
                Ok(r) => println!(
                    "== {} / {}\n{}\n",
                    ex["name"],
                    p.as_str(),
                    serde_json::to_string(&r.to_value()).unwrap_or_default()
                ),
                Err(e) => println!("== {} / {}\nERROR {e}\n", ex["name"], p.as_str()),
            }
        }
    }
}
