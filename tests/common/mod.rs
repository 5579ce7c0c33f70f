//! Helpers shared by the native test suites.
#![allow(dead_code)]

pub mod acceptable;
pub mod host;

pub use acceptable::check_acceptable;

use serde_json::Value;
use webhook_push::render::{RenderOptions, Rendered, render};
use webhook_push::{model::UnifiedMessage, target::Platform};

pub const PLATFORMS: [Platform; 4] = [Platform::Wecom, Platform::DingTalk, Platform::Feishu, Platform::Lark];

pub fn seed_examples() -> Vec<(String, Value)> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/seed_examples.json"))
        .expect("seed fixtures");
    let v: Value = serde_json::from_str(&text).expect("fixtures are JSON");
    v.as_array()
        .expect("array")
        .iter()
        .map(|e| (e["name"].as_str().expect("name").to_string(), e["message"].clone()))
        .collect()
}

pub fn render_value(msg: &Value, p: Platform, opts: &RenderOptions) -> webhook_push::Result<Rendered> {
    render(&UnifiedMessage::from_value(msg)?, p, opts)
}

/// The body limit each platform enforces, in bytes of the serialised payload.
pub fn body_limit(p: Platform) -> usize {
    match p {
        Platform::Wecom => 20480 * 4, // WeCom limits the content fields, checked separately
        Platform::DingTalk => 20000,
        Platform::Feishu | Platform::Lark => 20480,
        other => panic!("no body limit known here for {other:?}"),
    }
}

/// Check a payload against the platform's documented shape and limits, and that it shows
/// something ([`check_acceptable`]).
pub fn check_payload(p: Platform, payload: &Value) -> Result<(), String> {
    check_acceptable(p, payload)?;
    let len = serde_json::to_string(payload).map_err(|e| e.to_string())?.len();
    if len > body_limit(p) {
        return Err(format!("{} body is {len} bytes", p.as_str()));
    }
    let s = |v: &Value| v.as_str().map(str::to_string);
    match p {
        Platform::Wecom => {
            let ty = s(&payload["msgtype"]).ok_or("no msgtype")?;
            let body = &payload[ty.as_str()];
            match ty.as_str() {
                "text" => {
                    let c = s(&body["content"]).ok_or("text.content")?;
                    if c.len() > 2048 {
                        return Err(format!("text {} bytes", c.len()));
                    }
                }
                "markdown" | "markdown_v2" => {
                    let c = s(&body["content"]).ok_or("markdown.content")?;
                    if c.len() > 4096 {
                        return Err(format!("markdown {} bytes", c.len()));
                    }
                }
                "news" => {
                    let a = body["articles"].as_array().ok_or("articles")?;
                    if a.is_empty() || a.len() > 8 {
                        return Err(format!("{} articles", a.len()));
                    }
                    for x in a {
                        if s(&x["title"]).ok_or("title")?.len() > 128 || s(&x["url"]).is_none() {
                            return Err("article title/url".into());
                        }
                    }
                }
                "template_card" => {
                    let ct = s(&body["card_type"]).ok_or("card_type")?;
                    let action = &body["card_action"];
                    let ok = match action["type"].as_i64() {
                        Some(1) => action["url"].as_str().is_some(),
                        Some(2) => action["appid"].as_str().is_some(),
                        _ => false,
                    };
                    if !ok {
                        return Err(format!("card_action {action}"));
                    }
                    if body["jump_list"].as_array().is_some_and(|j| j.len() > 3) {
                        return Err("jump_list > 3".into());
                    }
                    if body["horizontal_content_list"].as_array().is_some_and(|j| j.len() > 6) {
                        return Err("horizontal_content_list > 6".into());
                    }
                    if ct == "text_notice" && body["main_title"]["title"].is_null() && body["sub_title_text"].is_null()
                    {
                        return Err("text_notice needs main_title.title or sub_title_text".into());
                    }
                    if ct == "news_notice"
                        && (body["main_title"]["title"].is_null()
                            || (body["card_image"].is_null() && body["image_text_area"].is_null()))
                    {
                        return Err("news_notice needs main_title.title and an image".into());
                    }
                }
                "image" => {
                    if s(&body["base64"]).is_none() || s(&body["md5"]).is_none() {
                        return Err("image base64/md5".into());
                    }
                }
                "file" => {
                    s(&body["media_id"]).ok_or("media_id")?;
                }
                other => return Err(format!("unexpected wecom msgtype {other}")),
            }
        }
        Platform::DingTalk => {
            let ty = s(&payload["msgtype"]).ok_or("no msgtype")?;
            let b = &payload[ty.as_str()];
            let need: &[&str] = match ty.as_str() {
                "text" => &["content"],
                "markdown" => &["title", "text"],
                "link" => &["title", "text", "messageUrl"],
                "actionCard" => &["title", "text"],
                "feedCard" => &[],
                other => return Err(format!("unexpected dingtalk msgtype {other}")),
            };
            for k in need {
                s(&b[*k]).ok_or(format!("dingtalk {ty}.{k}"))?;
            }
            if ty == "actionCard" && s(&b["singleURL"]).is_none() && b["btns"].as_array().is_none() {
                return Err("actionCard needs singleURL or btns".into());
            }
            if ty == "feedCard" {
                for l in b["links"].as_array().ok_or("feedCard.links")? {
                    for k in ["title", "messageURL", "picURL"] {
                        s(&l[k]).ok_or(format!("feedCard link {k}"))?;
                    }
                }
            }
        }
        Platform::Feishu | Platform::Lark => {
            let ty = s(&payload["msg_type"]).ok_or("no msg_type")?;
            match ty.as_str() {
                "text" => {
                    s(&payload["content"]["text"]).ok_or("content.text")?;
                }
                "post" => {
                    let rows = payload["content"]["post"]["zh_cn"]["content"].as_array().ok_or("post rows")?;
                    for r in rows {
                        for e in r.as_array().ok_or("post row")? {
                            match e["tag"].as_str().ok_or("tag")? {
                                "text" | "code_block" => {
                                    s(&e["text"]).ok_or("text")?;
                                }
                                "a" => {
                                    s(&e["href"]).ok_or("href")?;
                                }
                                "at" => {
                                    s(&e["user_id"]).ok_or("user_id")?;
                                }
                                "hr" | "img" | "md" => {}
                                t => return Err(format!("post tag {t}")),
                            }
                        }
                    }
                }
                "interactive" => {
                    payload["card"]["elements"].as_array().ok_or("card.elements")?;
                }
                "image" => {
                    s(&payload["content"]["image_key"]).ok_or("image_key")?;
                }
                other => return Err(format!("unexpected feishu msg_type {other}")),
            }
        }
        other => return Err(format!("no payload shape known here for {other:?}")),
    }
    Ok(())
}
