//! Helpers shared by the native test suites.
#![allow(dead_code)]

pub mod host;

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

/// Text that shows nothing: only white space, once a split part's `(i/n)` marker is taken off.
pub fn blank_text(s: &str) -> bool {
    let t = s.trim_end();
    let t = match t.strip_suffix(')').and_then(|r| r.rsplit_once('(')) {
        Some((head, n))
            if n.split_once('/').is_some_and(|(a, b)| a.parse::<u32>().is_ok() && b.parse::<u32>().is_ok()) =>
        {
            head
        }
        _ => t,
    };
    t.trim().is_empty()
}

/// What the platforms check besides sizes: every required text field of the payload shows
/// something (a platform refuses an empty message, or shows a blank one). Independent of the
/// renderers' own checks.
pub fn check_acceptable(p: Platform, payload: &Value) -> Result<(), String> {
    let text = payload.to_string();
    let clipped: String = text.chars().take(300).collect();
    let shown = |v: &Value, what: &str| match v.as_str() {
        Some(s) if !blank_text(s) => Ok(()),
        _ => Err(format!("{} {what} is missing or shows nothing: {clipped}", p.as_str())),
    };
    let opt_shown = |v: &Value, what: &str| if v.is_null() { Ok(()) } else { shown(v, what) };
    match p {
        Platform::Wecom => {
            let ty = payload["msgtype"].as_str().unwrap_or_default();
            let b = &payload[ty];
            match ty {
                "text" | "markdown" | "markdown_v2" => shown(&b["content"], &format!("{ty}.content"))?,
                "news" => {
                    for a in b["articles"].as_array().into_iter().flatten() {
                        shown(&a["title"], "news title")?;
                        shown(&a["url"], "news url")?;
                    }
                }
                "template_card" => {
                    opt_shown(&b["main_title"]["title"], "main_title.title")?;
                    opt_shown(&b["sub_title_text"], "sub_title_text")?;
                    for j in b["jump_list"].as_array().into_iter().flatten() {
                        shown(&j["title"], "jump_list title")?;
                    }
                    for r in b["horizontal_content_list"].as_array().into_iter().flatten() {
                        shown(&r["keyname"], "horizontal_content_list keyname")?;
                    }
                }
                _ => {}
            }
        }
        Platform::DingTalk => {
            let ty = payload["msgtype"].as_str().unwrap_or_default();
            let b = &payload[ty];
            match ty {
                "text" => shown(&b["content"], "text.content")?,
                "markdown" => {
                    shown(&b["title"], "markdown.title")?;
                    shown(&b["text"], "markdown.text")?;
                }
                "link" => {
                    for k in ["title", "text", "messageUrl"] {
                        shown(&b[k], &format!("link.{k}"))?;
                    }
                }
                "actionCard" => {
                    shown(&b["title"], "actionCard.title")?;
                    shown(&b["text"], "actionCard.text")?;
                    opt_shown(&b["singleTitle"], "actionCard.singleTitle")?;
                    for x in b["btns"].as_array().into_iter().flatten() {
                        shown(&x["title"], "actionCard button title")?;
                    }
                }
                "feedCard" => {
                    for l in b["links"].as_array().into_iter().flatten() {
                        shown(&l["title"], "feedCard title")?;
                    }
                }
                _ => {}
            }
        }
        Platform::Feishu | Platform::Lark => match payload["msg_type"].as_str().unwrap_or_default() {
            "text" => shown(&payload["content"]["text"], "content.text")?,
            "image" => shown(&payload["content"]["image_key"], "image_key")?,
            "post" => {
                let rows = payload["content"]["post"]["zh_cn"]["content"].as_array();
                let shows = |e: &Value| match e["tag"].as_str() {
                    Some("text" | "code_block") => e["text"].as_str().is_some_and(|t| !blank_text(t)),
                    _ => true,
                };
                if !rows.into_iter().flatten().any(|r| r.as_array().into_iter().flatten().any(shows)) {
                    return Err(format!("{} post shows nothing: {clipped}", p.as_str()));
                }
            }
            "interactive" => {
                let card = &payload["card"];
                if card.get("schema").is_none() {
                    let els = card["elements"].as_array().map_or(0, Vec::len);
                    if els == 0 && card["header"]["title"].is_null() {
                        return Err(format!("{} card shows nothing: {clipped}", p.as_str()));
                    }
                    for e in card["elements"].as_array().into_iter().flatten() {
                        if e["tag"] == "div" && e["text"]["tag"] == "lark_md" {
                            shown(&e["text"]["content"], "card lark_md text")?;
                        }
                    }
                }
            }
            _ => {}
        },
        _ => {}
    }
    Ok(())
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
