//! The README's message type x platform table, generated from real renders:
//! this test fails when README.md and the code disagree (UPDATE_GOLDEN=1
//! rewrites the table between its markers).

mod common;

use common::render_value;
use serde_json::{Value, json};
use webhook_push::render::RenderOptions;
use webhook_push::target::Platform;

const PNG_1X1: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

fn cases() -> Vec<(&'static str, Value)> {
    let m = |ty: &str, body: Value| json!({"content": {"type": ty, "title": "Title", "body": body}});
    vec![
        ("text", m("text", json!({"text": "hello"}))),
        (
            "text + @mobile",
            json!({"content": {"type": "text", "body": {"text": "hi"}, "mentions": [{"type": "mobile", "value": "13800000000", "display_name": "Zhang San"}]}}),
        ),
        (
            "text + @user_id",
            json!({"content": {"type": "text", "body": {"text": "hi"}, "mentions": [{"type": "user_id", "value": "zhangsan"}]}}),
        ),
        ("markdown", m("markdown", json!({"content": "# Report\n- **ok**\n\n[logs](https://example.com)"}))),
        (
            "markdown with table and code",
            m("markdown", json!({"content": "| a | b |\n|---|---|\n| 1 | 2 |\n\n```\ncode\n```"})),
        ),
        ("image by url", m("image", json!({"url": "https://example.com/a.png"}))),
        ("image by base64", m("image", json!({"base64": PNG_1X1}))),
        ("image by image_key", m("image", json!({"image_key": "img_v2_123"}))),
        (
            "link",
            m("link", json!({"text": "desc", "url": "https://example.com", "image_url": "https://example.com/p.png"})),
        ),
        (
            "news (1..n links)",
            m(
                "news",
                json!({"links": [{"title": "a", "description": "d", "url": "https://example.com/a", "image_url": "https://example.com/a.png"}, {"title": "b", "url": "https://example.com/b", "image_url": "https://example.com/b.png"}]}),
            ),
        ),
        (
            "feed",
            m(
                "feed",
                json!({"links": [{"title": "a", "url": "https://example.com/a", "image_url": "https://example.com/a.png"}, {"title": "b", "url": "https://example.com/b", "image_url": "https://example.com/b.png"}]}),
            ),
        ),
        (
            "card (neutral)",
            m(
                "card",
                json!({"text": "CPU **95%**", "fields": [{"name": "host", "value": "web-01"}], "buttons": [{"text": "Open", "url": "https://example.com"}], "color": "red"}),
            ),
        ),
        (
            "card, 5 buttons",
            m(
                "card",
                json!({"text": "pick", "buttons": (1..=5).map(|i| json!({"text": format!("b{i}"), "url": format!("https://example.com/{i}")})).collect::<Vec<_>>()}),
            ),
        ),
        (
            "card (WeCom text_notice)",
            m(
                "card",
                json!({"card_type": "text_notice", "title": "t", "description": "d", "jump_list": [{"type": 1, "url": "https://example.com", "title": "go"}], "action": {"type": 1, "url": "https://example.com"}}),
            ),
        ),
        (
            "card (DingTalk multi)",
            m(
                "card",
                json!({"card_type": "multi", "title": "t", "elements": [{"type": "div", "text": "x"}], "actions": [{"text": "a", "url": "https://example.com/a"}, {"text": "b", "url": "https://example.com/b"}]}),
            ),
        ),
        (
            "card (Feishu interactive)",
            m(
                "card",
                json!({"elements": [{"tag": "div", "text": {"tag": "lark_md", "content": "**x**"}}], "actions": [{"tag": "button", "text": {"tag": "plain_text", "content": "go"}, "url": "https://example.com", "type": "primary"}]}),
            ),
        ),
        ("file by media_id", m("file", json!({"media_id": "MEDIA"}))),
        ("file by url", m("file", json!({"url": "https://example.com/r.pdf", "name": "r.pdf"}))),
        (
            "raw (per platform)",
            m(
                "raw",
                json!({"wecom": {"msgtype": "text", "text": {"content": "x"}}, "dingtalk": {"msgtype": "text", "text": {"content": "x"}}, "feishu": {"msg_type": "text", "content": {"text": "x"}}}),
            ),
        ),
    ]
}

fn cell(msg: &Value, p: Platform) -> String {
    match render_value(msg, p, &RenderOptions::default()) {
        Err(e) => format!("✖ {}", e.code),
        Ok(r) => {
            let ty = r
                .payloads
                .first()
                .map(|pl| {
                    let t = pl
                        .get("msgtype")
                        .or_else(|| pl.get("msg_type"))
                        .and_then(webhook_push::payload::Payload::as_str)
                        .unwrap_or("?");
                    match (
                        t,
                        pl.get("template_card")
                            .and_then(|c| c.get("card_type"))
                            .and_then(webhook_push::payload::Payload::as_str),
                    ) {
                        ("template_card", Some(ct)) => format!("template_card {ct}"),
                        _ => t.to_string(),
                    }
                })
                .unwrap_or_default();
            if r.degraded.is_empty() {
                format!("✅ {ty}")
            } else {
                let steps: Vec<String> = r.degraded.iter().map(|d| format!("{}→{}", d.from, d.to)).collect();
                format!("↘ {ty} ({})", steps.join(", "))
            }
        }
    }
}

fn table() -> String {
    let mut s = String::from("| message | WeCom | DingTalk | Feishu / Lark |\n|---|---|---|---|\n");
    for (name, msg) in cases() {
        s.push_str(&format!(
            "| {name} | {} | {} | {} |\n",
            cell(&msg, Platform::Wecom),
            cell(&msg, Platform::DingTalk),
            cell(&msg, Platform::Feishu)
        ));
    }
    s
}

#[test]
fn readme_table_matches_the_renderers() {
    const START: &str = "<!-- support-matrix:start -->\n";
    const END: &str = "<!-- support-matrix:end -->";
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).expect("README.md");
    let (Some(a), Some(b)) = (readme.find(START), readme.find(END)) else {
        panic!("README.md lacks the support-matrix markers");
    };
    let current = &readme[a + START.len()..b];
    let want = table();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let new = format!("{}{want}{}", &readme[..a + START.len()], &readme[b..]);
        std::fs::write(path, new).expect("write README");
    } else {
        assert_eq!(current, want, "README table is stale: UPDATE_GOLDEN=1 cargo test --test support_matrix");
    }
}
