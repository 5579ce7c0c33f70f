//! The oracle of "a payload the platform accepts" besides its size: every required text field
//! shows something. Shared by the native tests (`tests/common`) and the fuzz targets
//! (`fuzz/fuzz_targets/common.rs` includes this file), independent of the renderers' checks.

use serde_json::Value;
use webhook_push::target::Platform;

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
