//! Cards: the seed's platform-flavoured bodies (WeCom `text_notice` /
//! `news_notice`, DingTalk `single` / `multi`, Feishu interactive) and one
//! neutral form, all read into one [`Card`] that every platform renders.
//! The original body is kept so the platform it was written for renders it
//! with nothing lost.

use serde_json::Value;

use super::reader::{Obj, Path, as_obj, as_str, owned};
use super::tree::{Node, to_map};
use crate::error::{Error, Result};

/// Most buttons, fields or elements accepted on a card.
pub const MAX_CARD_ITEMS: usize = 64;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardFlavor {
    /// `{title, subtitle, text, fields, buttons, image, url, color}`.
    Neutral,
    WecomTextNotice,
    WecomNewsNotice,
    DingTalkSingle,
    DingTalkMulti,
    FeishuInteractive,
}

impl CardFlavor {
    /// Whether a renderer reads the body as given ([`Card::original`]): WeCom's own
    /// template cards (`card_action`, rows of its own) and Feishu's interactive cards (header,
    /// elements, config, card JSON 2.0). A neutral card and DingTalk's are read whole into
    /// [`Card`]'s fields.
    pub fn keeps_original(self) -> bool {
        matches!(self, CardFlavor::WecomTextNotice | CardFlavor::WecomNewsNotice | CardFlavor::FeishuInteractive)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ButtonStyle {
    Default,
    Primary,
    Danger,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Button {
    pub text: String,
    pub url: String,
    pub style: ButtonStyle,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub value: String,
    /// Makes the value a link where the platform can.
    pub url: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Card {
    pub flavor: CardFlavor,
    pub title: Option<String>,
    pub subtitle: Option<String>,
    /// Markdown.
    pub text: Option<String>,
    /// A big figure with a caption (WeCom `emphasis_content`).
    pub emphasis: Option<(String, Option<String>)>,
    pub fields: Vec<Field>,
    pub buttons: Vec<Button>,
    pub image_url: Option<String>,
    /// Where a click on the card itself goes.
    pub url: Option<String>,
    /// Header colour: blue, green, orange, red, grey (Feishu templates; others ignore it).
    pub color: Option<String>,
    /// DingTalk options from the seed's `config`.
    pub hide_avatar: bool,
    pub buttons_horizontal: bool,
    /// The body as given, for the platform it was written for: kept for the flavors whose
    /// platform reads it back ([`CardFlavor::keeps_original`]), `null` for the others (no
    /// renderer reads it: converting the body was ~8 % of a neutral card's render).
    pub original: Value,
}

pub(super) fn parse_card(b: &Obj<'_, '_>, content_title: Option<&str>) -> Result<Card> {
    let flavor = match b.opt_str("card_type")? {
        Some("text_notice") => CardFlavor::WecomTextNotice,
        Some("news_notice") => CardFlavor::WecomNewsNotice,
        Some("single") | Some("action_card") => CardFlavor::DingTalkSingle,
        Some("multi") => CardFlavor::DingTalkMulti,
        Some("interactive") => CardFlavor::FeishuInteractive,
        Some("neutral") => CardFlavor::Neutral,
        Some(other) => {
            return Err(Error::at(
                "content.body.card_type",
                format!(
                    "unknown card_type '{}'; expected text_notice, news_notice, single, multi, interactive or neutral",
                    super::clip(other, 40)
                ),
            ));
        }
        None if b.has("elements") || b.has("header") || b.has("config") || b.has("schema") => {
            CardFlavor::FeishuInteractive
        }
        None => CardFlavor::Neutral,
    };
    let title = b.opt_str("title")?.or(content_title);
    let (url, color) = (b.opt_url("url")?, b.opt_str("color")?);
    let mut card = Card {
        flavor,
        title: owned(title),
        subtitle: None,
        text: None,
        emphasis: None,
        fields: Vec::new(),
        buttons: Vec::new(),
        image_url: None,
        url: owned(url),
        color: owned(color),
        hide_avatar: false,
        buttons_horizontal: false,
        original: if flavor.keeps_original() { Value::Object(to_map(b.map)) } else { Value::Null },
    };
    match flavor {
        CardFlavor::Neutral => read_neutral(b, &mut card)?,
        CardFlavor::WecomTextNotice | CardFlavor::WecomNewsNotice => read_wecom(b, &mut card)?,
        CardFlavor::DingTalkSingle | CardFlavor::DingTalkMulti | CardFlavor::FeishuInteractive => {
            read_elements(b, &mut card)?
        }
    }
    if let Some(cfg) = b.opt_obj("config")? {
        card.hide_avatar = matches!(cfg.opt_scalar("hide_avatar")?.as_deref(), Some("1" | "true"));
        card.buttons_horizontal = matches!(cfg.opt_scalar("btn_orientation")?.as_deref(), Some("1"));
    }
    if card.title.is_none() && card.text.is_none() && card.fields.is_empty() && card.emphasis.is_none() {
        return Err(Error::at("content.body", "a card needs a title, text, fields or elements"));
    }
    Ok(card)
}

fn check_len(arr: &[Node<'_>], path: Path<'_>) -> Result<()> {
    if arr.len() > MAX_CARD_ITEMS {
        return Err(Error::at(path.text(), format!("has {} entries; at most {MAX_CARD_ITEMS}", arr.len())));
    }
    Ok(())
}

fn style_of(s: Option<&str>) -> ButtonStyle {
    match s {
        Some("primary" | "positive") => ButtonStyle::Primary,
        Some("danger" | "negative") => ButtonStyle::Danger,
        _ => ButtonStyle::Default,
    }
}

/// A text that is a string or a Feishu text object `{tag, content}`.
fn text_of<'a>(v: &'a Node<'a>, path: Path<'_>) -> Result<&'a str> {
    match v {
        Node::Object(_) => {
            let o = as_obj(v, path)?;
            o.req_str("content")
        }
        // a text given as a bare string is required like a text object's content
        other => match as_str(other, path)? {
            s if s.trim().is_empty() => Err(Error::at(path.text(), "must not be blank")),
            s => Ok(s),
        },
    }
}

fn read_neutral(b: &Obj<'_, '_>, card: &mut Card) -> Result<()> {
    card.subtitle = owned(b.opt_str("subtitle")?);
    card.text = owned(b.opt_str("text")?);
    if let Some(e) = b.opt_obj("emphasis")? {
        let (title, desc) = (e.req_str("title")?, e.opt_str("desc")?);
        card.emphasis = Some((title.to_string(), owned(desc)));
    }
    let fields = b.arr("fields")?;
    let base = Path::At("content.body.fields");
    check_len(fields, base)?;
    for (i, v) in fields.iter().enumerate() {
        let p = base.index(i);
        let f = as_obj(v, p)?;
        let name = match f.opt_str("name")?.or(f.opt_str("title")?).or(f.opt_str("label")?) {
            Some(n) => n,
            None => return Err(Error::at(p.key("name").text(), "is required")),
        };
        let value = f.opt_scalar("value")?.unwrap_or_default();
        let url = f.opt_url("url")?;
        card.fields.push(Field { name: name.to_string(), value, url: owned(url) });
    }
    read_buttons(b, "buttons", card)?;
    card.image_url = match b.get("image") {
        None => None,
        Some(Node::String(_)) => owned(b.opt_url("image")?),
        Some(v) => Some(as_obj(v, Path::At("content.body.image"))?.req_url("url")?.to_string()),
    };
    Ok(())
}

fn read_buttons(b: &Obj<'_, '_>, key: &str, card: &mut Card) -> Result<()> {
    let arr = b.arr(key)?;
    let base = b.path.key(key);
    check_len(arr, base)?;
    for (i, v) in arr.iter().enumerate() {
        let p = base.index(i);
        let o = as_obj(v, p)?;
        let text = match o.get("text") {
            Some(t) => text_of(t, p.key("text"))?,
            None => match o.opt_str("title")? {
                Some(t) => t,
                None => return Err(Error::at(p.key("text").text(), "is required")),
            },
        };
        if text.trim().is_empty() {
            return Err(Error::at(p.key("text").text(), "must not be blank"));
        }
        let url = match o.opt_url("url")? {
            Some(u) => u,
            None => o.req_url("action_url").map_err(|_| Error::at(p.key("url").text(), "is required"))?,
        };
        let style = style_of(o.opt_str("style")?.or(o.opt_str("type")?));
        card.buttons.push(Button { text: text.to_string(), url: url.to_string(), style });
    }
    Ok(())
}

/// The seed's DingTalk and Feishu shapes: `elements` (div texts, markdown,
/// fields) and `actions` (buttons), plus Feishu's `header`.
fn read_elements(b: &Obj<'_, '_>, card: &mut Card) -> Result<()> {
    if card.title.is_none() {
        if let Some(h) = b.opt_obj("header")? {
            if let Some(t) = h.get("title") {
                card.title = Some(text_of(t, Path::At("content.body.header.title"))?.to_string());
            }
            card.color = card.color.take().or(owned(h.opt_str("template")?));
        }
    }
    // card JSON 2.0 keeps its elements under `body`
    let body2 = if b.has("elements") { None } else { b.opt_obj("body")? };
    let (elements, base) = match &body2 {
        Some(body) => (body.arr("elements")?, body.path.key("elements")),
        None => (b.arr("elements")?, b.path.key("elements")),
    };
    check_len(elements, base)?;
    let mut texts: Vec<String> = Vec::new();
    for (i, v) in elements.iter().enumerate() {
        let p = base.index(i);
        let e = as_obj(v, p)?;
        let tag = e.opt_str("tag")?.or(e.opt_str("type")?).unwrap_or("div");
        match tag {
            "div" | "markdown" | "note" | "text" | "plain_text" | "lark_md" => {
                // a card in Feishu's own spelling (`tag`) goes as given: a div's text is a text
                // object there, never a bare string (the seed's spelling, `type`, is rewritten)
                if tag == "div" && e.has("tag") && e.get("text").is_some_and(|t| !t.is_object()) {
                    return Err(Error::at(
                        p.key("text").text(),
                        "must be a text object ({\"tag\": \"lark_md\" or \"plain_text\", \"content\": ...})",
                    ));
                }
                if let Some(t) = e.get("text") {
                    texts.push(text_of(t, p.key("text"))?.to_string());
                } else if let Some(c) = e.opt_str("content")? {
                    texts.push(c.to_string());
                }
                let fields = p.key("fields");
                for (j, f) in e.arr("fields")?.iter().enumerate() {
                    let fp = fields.index(j);
                    let fo = as_obj(f, fp)?;
                    if let Some(t) = fo.get("text") {
                        let s = text_of(t, fp.key("text"))?;
                        let (name, value) = s.split_once('\n').unwrap_or((s, ""));
                        card.fields.push(Field {
                            name: name.trim_matches('*').to_string(),
                            value: value.to_string(),
                            url: None,
                        });
                    }
                }
            }
            "action" => read_buttons(&e, "actions", card)?,
            // hr, img, column_set, ...: shown natively on Feishu from the original body.
            _ => {}
        }
    }
    if !texts.is_empty() {
        card.text = Some(texts.join("\n\n"));
    } else if let Some(t) = b.opt_str("text")? {
        card.text = Some(t.to_string());
    }
    read_buttons(b, "actions", card)?;
    card.url = match card.url.take() {
        Some(u) => Some(u),
        None => owned(b.opt_url("single_url")?),
    };
    Ok(())
}

/// WeCom `text_notice` / `news_notice`, in the seed's spelling and in WeCom's own.
fn read_wecom(b: &Obj<'_, '_>, card: &mut Card) -> Result<()> {
    if let Some(mt) = b.opt_obj("main_title")? {
        card.title = card.title.take().or(owned(mt.opt_str("title")?));
        card.subtitle = owned(mt.opt_str("desc")?);
    }
    if card.subtitle.is_none() {
        card.subtitle = owned(b.opt_str("description")?);
    }
    card.text = owned(b.opt_str("sub_title_text")?.or(b.opt_str("text")?));
    let emph = match b.opt_obj("emphasis")? {
        Some(e) => Some(e),
        None => b.opt_obj("emphasis_content")?,
    };
    if let Some(e) = emph {
        let (title, desc) = (e.req_str("title")?, e.opt_str("desc")?);
        card.emphasis = Some((title.to_string(), owned(desc)));
    }
    for key in ["horizontal_content_list", "vertical_content_list"] {
        let arr = b.arr(key)?;
        let base = b.path.key(key);
        check_len(arr, base)?;
        for (i, v) in arr.iter().enumerate() {
            let o = as_obj(v, base.index(i))?;
            let (name, value) = if key == "horizontal_content_list" {
                (o.req_str("keyname")?, o.opt_scalar("value")?.unwrap_or_default())
            } else {
                (o.req_str("title")?, o.opt_str("desc")?.unwrap_or_default().to_string())
            };
            let url = o.opt_url("url")?;
            card.fields.push(Field { name: name.to_string(), value, url: owned(url) });
        }
    }
    let jumps = b.arr("jump_list")?;
    let base = Path::At("content.body.jump_list");
    check_len(jumps, base)?;
    for (i, v) in jumps.iter().enumerate() {
        let o = as_obj(v, base.index(i))?;
        let title = o.req_str("title")?;
        // WeCom takes the type as an integer: 1 = url, 2 = mini program (no url to show elsewhere)
        match o.get("type") {
            None => {}
            Some(t) if t.as_u64().is_some_and(|n| n <= 2) => {}
            Some(_) => {
                return Err(Error::at(o.path_of("type"), "must be the integer 0, 1 (a URL) or 2 (a mini program)"));
            }
        }
        if let Some(url) = o.opt_url("url")? {
            card.buttons.push(Button { text: title.to_string(), url: url.to_string(), style: ButtonStyle::Default });
        }
    }
    let action = match b.opt_obj("action")? {
        Some(a) => Some(a),
        None => b.opt_obj("card_action")?,
    };
    if let Some(a) = action {
        // WeCom: 1 opens a URL, 2 a mini program
        match a.opt_scalar("type")?.as_deref() {
            None | Some("1") => card.url = card.url.take().or(Some(a.req_url("url")?.to_string())),
            Some("2") => {
                a.req_str("appid")?;
            }
            Some(_) => return Err(Error::at(a.path_of("type"), "must be 1 (open a URL) or 2 (open a mini program)")),
        }
    }
    if let Some(img) = b.opt_obj("card_image")? {
        card.image_url = owned(img.opt_url("url")?);
    }
    if card.image_url.is_none() {
        if let Some(img) = b.opt_obj("image_text_area")? {
            card.image_url = owned(img.opt_url("image_url")?);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Body, UnifiedMessage};
    use crate::render::{RenderOptions, render};
    use crate::target::Platform;

    /// A card whose flavor does not keep its body renders on every platform exactly as it did
    /// with the body kept: no renderer reads it.
    #[test]
    fn a_body_not_kept_is_one_no_renderer_reads() {
        let fixtures: Value = serde_json::from_str(include_str!("../../tests/fixtures/seed_examples.json")).unwrap();
        let mut messages: Vec<String> = fixtures
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["message"].to_string())
            .filter(|m| m.contains("\"card\""))
            .collect();
        messages.push(r#"{"content":{"type":"card","body":{"title":"A","text":"t","buttons":[{"text":"B","url":"https://e.com/b"}]}}}"#.into());
        messages.push(
            r#"{"content":{"type":"card","title":"T","body":{"card_type":"neutral","title":"A","subtitle":"s","text":"**x** `y`","color":"red",
            "emphasis":{"title":"7%","desc":"d"},"fields":[{"name":"n","value":"v","url":"https://e.com/f"},{"name":"m","value":2}],
            "buttons":[{"text":"B","url":"https://e.com/b","style":"danger"}],"url":"https://e.com/c","image":"https://e.com/i.png",
            "config":{"hide_avatar":"1"},"card_action":{"type":1,"url":"https://e.com/x"},"header":{"x":1}},
            "mentions":[{"type":"mobile","value":"13800000000"}]}}"#
                .to_string(),
        );
        let mut not_kept = 0;
        for m in &messages {
            let msg = UnifiedMessage::from_json(m).unwrap();
            let Body::Card(card) = &msg.content.body else { panic!("{m}") };
            if card.flavor.keeps_original() {
                assert!(card.original.is_object(), "{m}");
                continue;
            }
            not_kept += 1;
            assert!(card.original.is_null(), "{m}");
            let mut kept = msg.clone();
            let Body::Card(c) = &mut kept.content.body else { unreachable!() };
            let v: Value = serde_json::from_str(m).unwrap();
            c.original = v["content"]["body"].clone();
            for p in Platform::ALL {
                let opts = RenderOptions { now_ms: 1_700_000_000_000, ..Default::default() };
                let (a, b) = (render(&msg, p, &opts), render(&kept, p, &opts));
                assert_eq!(
                    a.map(|r| r.to_json()).map_err(|e| e.to_string()),
                    b.map(|r| r.to_json()).map_err(|e| e.to_string()),
                    "{p:?} {m}"
                );
            }
        }
        assert!(not_kept >= 3, "{not_kept}");
    }
}
