//! A card body or element with many keys of its own: every key is carried into the payload,
//! once, and the keys the renderer writes itself are its own.
//! (Copying such an object was quadratic in its keys after the payload type came in:
//! each key was looked up among those already copied.)

use serde_json::Value;
use webhook_push::model::UnifiedMessage;
use webhook_push::render::{RenderOptions, render};
use webhook_push::target::Platform;

const N: usize = 3000;

fn keys() -> String {
    (0..N).map(|i| format!(",\"k{i}\":{i}")).collect()
}

fn payload(p: Platform, json: &str) -> (String, Value) {
    let msg = UnifiedMessage::from_json(json).unwrap_or_else(|e| panic!("{e}"));
    let r = render(&msg, p, &RenderOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let text = r.payloads[0].to_text();
    let v = serde_json::from_str(&text).expect("valid JSON");
    (text, v)
}

/// Each `"kN":N` pair of the text appears exactly once.
fn own_keys_once(text: &str, n: usize) {
    for i in 0..n {
        assert_eq!(
            text.matches(&format!("\"k{i}\":{i},")).count() + text.matches(&format!("\"k{i}\":{i}}}")).count(),
            1,
            "k{i}"
        );
    }
}

#[test]
fn a_wecom_template_card_keeps_every_key_of_its_own() {
    let json = format!(
        r#"{{"content":{{"type":"card","title":"T","body":{{"card_type":"text_notice","url":"https://e.com","source":{{"desc":"s"}}{}}}}}}}"#,
        keys()
    );
    let (text, v) = payload(Platform::Wecom, &json);
    own_keys_once(&text, N);
    let tc = &v["template_card"];
    assert_eq!(tc["card_type"], "text_notice");
    assert_eq!(tc["source"]["desc"], "s");
    assert_eq!(tc["main_title"]["title"], "T");
    assert_eq!(tc["card_action"]["url"], "https://e.com");
    assert_eq!(text.matches("\"card_type\":").count(), 1);
}

#[test]
fn a_feishu_card_element_keeps_every_key_of_its_own() {
    let json = format!(
        r#"{{"content":{{"type":"card","title":"T","body":{{"card_type":"interactive","elements":[{{"type":"hr"{}}}]}}}}}}"#,
        (0..N).map(|i| format!(",\"k{i}\":{i}")).take(1000).collect::<String>()
    );
    let (text, v) = payload(Platform::Feishu, &json);
    let el = &v["card"]["elements"][0];
    assert_eq!(el["tag"], "hr", "{el}");
    assert_eq!(el.as_object().map(|m| m.len()), Some(1 + 1000));
    assert_eq!(text.matches("\"tag\":\"hr\"").count(), 1);
    own_keys_once(&text, 1000);
}
