//! Feishu (飞书) and Lark custom bot: text, post (rich text), image by
//! image_key, and interactive cards (card JSON 1.0).
//!
//! Limit: 20 KB for the whole body (taken as 20480 bytes), with room kept for
//! the `timestamp` and `sign` a signed bot adds.

use serde_json::{Map, Value};

use crate::payload::{Obj, Payload};

use super::common::{Put, fit_paragraphs, json_len, mention_sets, obj, raw_payload, text_with_title};
use super::spec::{
    AnswerFields, CodeMeaning, Credential, Ctx, EnvNames, PlatformRenderer, PlatformSpec, Signature, Signing,
};
use crate::degrade;
use crate::error::{Error, Result};
use crate::limits::{self, Measure, Overflow};
use crate::markdown::{self, Dialect};
use crate::model::{ButtonStyle, Card, CardFlavor, Content, UnifiedMessage};

/// The whole body, JSON bytes.
pub const BODY_LIMIT: usize = 20480;
/// Room for `"timestamp":"1700000000","sign":"<44 base64>"` on a signed bot.
const SIGN_ROOM: usize = 96;

/// Feishu and its second region, Lark: one API, one renderer; what differs
/// (names, hosts, environment variables) is a value of this type.
pub struct Feishu {
    name: &'static str,
    display: &'static str,
    aliases: &'static [&'static str],
    base: &'static str,
    hosts: &'static [&'static str],
    host_suffixes: &'static [&'static str],
    path_prefix: Option<&'static str>,
    raw_fallback: Option<&'static str>,
    env: EnvNames,
}

pub static FEISHU: Feishu = Feishu {
    name: "feishu",
    display: "Feishu",
    aliases: &[],
    base: "https://open.feishu.cn",
    hosts: &["open.feishu.cn", "open.feishu.com"],
    host_suffixes: &[],
    path_prefix: Some("/open-apis/bot/v2/hook/"),
    raw_fallback: None,
    env: EnvNames { webhook: "FEISHU_WEBHOOK_ID", secret: Some("FEISHU_SECRET") },
};

/// Lark: Feishu's international edition, the same API at open.larksuite.com.
pub static LARK: Feishu = Feishu {
    name: "lark",
    display: "Lark",
    aliases: &["larksuite"],
    base: "https://open.larksuite.com",
    hosts: &["open.larksuite.com"],
    host_suffixes: &[".larksuite.com", ".larkoffice.com"],
    path_prefix: None,
    raw_fallback: Some("feishu"),
    env: EnvNames { webhook: "LARK_WEBHOOK_ID", secret: Some("LARK_SECRET") },
};

impl PlatformRenderer for Feishu {
    fn render(&self, msg: &UnifiedMessage, ctx: &mut Ctx<'_>) -> Result<Vec<Payload>> {
        let c = &msg.content;
        match &c.body {
            crate::model::Body::Text(t) => text(c, &text_with_title(c.title.as_deref(), t), ctx),
            crate::model::Body::Markdown(src) => post(c, src, c.title.as_deref(), ctx),
            crate::model::Body::Image(img) => {
                if let Some(key) = &img.image_key {
                    return Ok(vec![obj! {"msg_type" => "image", "content" => obj!{"image_key" => key.clone()}}]);
                }
                match &img.url {
                    Some(url) => {
                        ctx.degraded.push(
                            "image",
                            "link",
                            "Feishu custom bots show images by image_key only (uploaded by an app); the image is a link",
                        );
                        post(c, &degrade::image_to_markdown(img, url), c.title.as_deref(), ctx)
                    }
                    None => Err(Error::unsupported(
                        "Feishu custom bots cannot upload images; give an image_key (from a Feishu app) or a url",
                    )),
                }
            }
            crate::model::Body::Link(l) => {
                ctx.degraded.push("link", "post", "Feishu has no link card; the link is rich text");
                post(c, &degrade::link_to_markdown(l), None, ctx)
            }
            crate::model::Body::News(a) | crate::model::Body::Feed(a) => {
                if a.iter().any(|x| x.image_url.is_some()) {
                    ctx.degraded.push("picture", "none", "Feishu rich text cannot show pictures by URL");
                }
                post(c, &degrade::articles_to_markdown(a), c.title.as_deref(), ctx)
            }
            crate::model::Body::Card(card) => Ok(vec![interactive(c, card, ctx)?]),
            crate::model::Body::File(f) => match &f.url {
                Some(url) => {
                    ctx.degraded.push("file", "link", "Feishu custom bots cannot send files; the file is a link");
                    post(c, &degrade::file_to_markdown(f, url), c.title.as_deref(), ctx)
                }
                None => {
                    Err(Error::unsupported("Feishu custom bots cannot send files; give the file by url to send a link"))
                }
            },
            crate::model::Body::Raw(raw) => Ok(vec![raw_payload(raw, ctx.platform)?]),
        }
    }
}

/// What lark_md (card text) loses, in Feishu's words.
fn lark_md_loss_reason(l: &markdown::Loss) -> &'static str {
    match l.from {
        "table" => "lark_md has no tables",
        "code_block" => "lark_md has no code blocks",
        "image" => "lark_md cannot show an image from a URL",
        "heading" => "lark_md has no headings",
        _ => "lark_md cannot show it",
    }
}

impl PlatformSpec for Feishu {
    fn name(&self) -> &'static str {
        self.name
    }
    fn display(&self) -> &'static str {
        self.display
    }
    fn aliases(&self) -> &'static [&'static str] {
        self.aliases
    }
    fn default_base(&self) -> &'static str {
        self.base
    }
    fn hosts(&self) -> &'static [&'static str] {
        self.hosts
    }
    fn host_suffixes(&self) -> &'static [&'static str] {
        self.host_suffixes
    }
    fn path_prefix(&self) -> Option<&'static str> {
        self.path_prefix
    }
    fn family(&self) -> &'static str {
        "feishu"
    }
    fn raw_fallback(&self) -> Option<&'static str> {
        self.raw_fallback
    }
    fn webhook_url(&self, base: &str, credential: &str) -> String {
        format!("{base}/open-apis/bot/v2/hook/{credential}")
    }
    fn credential(&self) -> Credential {
        Credential::PathAfter("/hook/")
    }
    fn credential_wording(&self) -> &'static str {
        "hook id after /open-apis/bot/v2/hook/"
    }
    /// `timestamp` (seconds) and `sign` in the body.
    fn signing(&self) -> Signing {
        Signing::BodyFields
    }
    fn signature(&self, secret: &str, now_ms: u64) -> Result<Option<Signature>> {
        let ts = now_ms / 1000;
        Ok(Some(Signature { timestamp: ts.to_string(), sign: crate::sign::feishu_sign(secret, ts)? }))
    }
    fn env_names(&self) -> EnvNames {
        self.env
    }
    fn measured_size(&self, payload: &Payload) -> Option<(usize, usize)> {
        Some((json_len(payload), BODY_LIMIT))
    }
    fn answer_fields(&self) -> AnswerFields {
        AnswerFields { code: &["code", "StatusCode"], message: &["msg", "StatusMessage"] }
    }
    fn code_meaning(&self, code: i64, message: &str) -> CodeMeaning {
        match code {
            11232 => CodeMeaning::RateLimited { honours_retry_after: true },
            // the rate limit as Feishu answers it (HTTP 400, "too many request"); 9499's
            // other messages are bad requests
            9499 if message.contains("too many request") => CodeMeaning::RateLimited { honours_retry_after: true },
            19021 => CodeMeaning::Resign,
            _ => CodeMeaning::Refused,
        }
    }
    fn rate_limits(&self) -> &'static [(usize, u64)] {
        &[(5, 1_000), (100, 60_000)]
    }
    fn rate_block_ms(&self) -> u64 {
        1_000
    }
    fn limits_info(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.put("bodyBytes", BODY_LIMIT.into());
        m
    }
    fn signing_how(&self) -> &'static str {
        "HMAC-SHA256 keyed by \"{timestamp_s}\\n{secret}\" over nothing, base64, added to the body as timestamp and sign"
    }
    fn credential_placeholder(&self) -> &'static str {
        "YOUR_HOOK_ID"
    }
}

fn room() -> usize {
    BODY_LIMIT - SIGN_ROOM
}

/// `<at user_id="...">Name</at>` for user ids and all; mobiles cannot be @-ed.
fn text_mentions(c: &Content, ctx: &mut Ctx<'_>) -> String {
    let ms = mention_sets(&c.mentions);
    let mut out: Vec<String> = Vec::new();
    for m in &ms.user_ids {
        let name = degrade::html_escape(m.display_name.as_deref().unwrap_or(&m.value));
        out.push(format!("<at user_id=\"{}\">{name}</at>", m.value));
    }
    if ms.all.is_some() {
        out.push("<at user_id=\"all\">所有人</at>".to_string());
    }
    if !ms.mobiles.is_empty() {
        ctx.degraded.push("mention", "text", "Feishu bots @ by user id (open_id) only, not by mobile");
        out.push(degrade::visible_mentions(&ms.mobiles, degrade::html_escape));
    }
    out.join(" ")
}

fn text(c: &Content, body: &str, ctx: &mut Ctx<'_>) -> Result<Vec<Payload>> {
    let mentions = text_mentions(c, ctx);
    let shell = obj! {"msg_type" => "text", "content" => obj!{"text" => ""}};
    let room = room().saturating_sub(json_len(&shell) + Measure::Json.cost(&mentions) + 2);
    let parts = fit_paragraphs(body, room, Measure::Json, ctx, "content.body.text", "Feishu")?;
    Ok(parts
        .into_iter()
        .enumerate()
        .map(|(i, mut t)| {
            if i == 0 && !mentions.is_empty() {
                t.push(' ');
                t.push_str(&mentions);
            }
            obj! {"msg_type" => "text", "content" => obj!{"text" => t}}
        })
        .collect())
}

/// What a post row adds to a message: its elements, the commas between them, its brackets.
fn row_cost(r: &[Payload]) -> usize {
    r.iter().map(json_len).sum::<usize>() + r.len().max(1) + 1
}

/// Split a post row that is over `room` on its own into rows of its text.
fn split_row(row: Vec<Payload>, room: usize) -> Vec<Vec<Payload>> {
    if row.iter().map(json_len).sum::<usize>() + row.len() < room {
        return vec![row];
    }
    let mut out = Vec::new();
    for el in row {
        let size = json_len(&el);
        match (el.as_object(), el.get("text").and_then(Payload::as_str)) {
            (Some(obj), Some(t)) if size > room => {
                let shell = size.saturating_sub(Measure::Json.cost(t));
                for piece in limits::pack(&[t.to_string()], "\n", room.saturating_sub(shell).max(64), Measure::Json) {
                    let mut e = obj.clone();
                    e.put("text", Payload::from(piece));
                    out.push(vec![Payload::Object(e)]);
                }
            }
            _ => out.push(vec![el]),
        }
    }
    out
}

fn post(c: &Content, src: &str, title: Option<&str>, ctx: &mut Ctx<'_>) -> Result<Vec<Payload>> {
    // parsed only as far as the parts can hold (see markdown::bounded); a block's cost is
    // what its rows add to the total below (splitting a long row only adds to it)
    let capacity = super::common::capacity(room(), ctx);
    let bounded = markdown::bounded(
        src,
        capacity,
        None,
        // a row that shows nothing is left out (below)
        true,
        |_, bs| {
            let (blocks, losses) = super::feishu_post::to_feishu_post_blocks(bs);
            // each row's cost measured once, here; a row that shows nothing (an empty code block,
            // blank text) is left out here, so it costs nothing: thousands of them must not fill
            // the capacity and stop the parse before the text after them
            let blocks = blocks
                .into_iter()
                .map(|rows| rows.into_iter().filter(|r| row_shows(r)).map(|r| (row_cost(&r), r)).collect())
                .collect();
            (blocks, losses)
        },
        |rows: &Vec<(usize, Vec<Payload>)>| rows.iter().map(|(n, _)| n + 1).sum(),
    );
    let (blocks, losses, partial) = (bounded.out, bounded.losses, bounded.partial);
    ctx.degraded.losses(&losses, super::feishu_post::loss_reason);
    let ms = mention_sets(&c.mentions);
    let mut mention_row: Vec<Payload> =
        ms.user_ids.iter().map(|m| obj! {"tag" => "at", "user_id" => m.value.clone()}).collect();
    if ms.all.is_some() {
        mention_row.push(obj! {"tag" => "at", "user_id" => "all"});
    }
    if !ms.mobiles.is_empty() {
        ctx.degraded.push("mention", "text", "Feishu bots @ by user id (open_id) only, not by mobile");
        mention_row.push(obj! {"tag" => "text", "text" => degrade::visible_mentions(&ms.mobiles, degrade::as_is)});
    }
    let title = title.unwrap_or("");
    let shell = obj! {"msg_type" => "post", "content" => obj!{"post" => obj!{"zh_cn" => obj!{"title" => title.to_string(), "content" => Payload::Array(Vec::new())}}}};
    let room = room().saturating_sub(json_len(&shell) + json_len(&Payload::Array(mention_row.clone())) + 16);
    // rows kept within what a group holds (64 under the room) less the truncation row, so
    // no part, with its marker and signature, ends over the limit
    let max = room.saturating_sub(128);
    let mut rows: Vec<(Vec<Payload>, usize)> = Vec::new();
    for (n, r) in blocks.into_iter().flatten() {
        // a row that shows nothing (an empty code block, blank text) is left out: no part is
        // blank, and a body with no row left renders to nothing
        if !row_shows(&r) {
            continue;
        }
        // what split_row keeps whole, without measuring it again
        if n - 1 < max {
            rows.push((r, n));
            continue;
        }
        for r in split_row(r, max).into_iter().filter(|r| row_shows(r)) {
            let n = row_cost(&r);
            rows.push((r, n));
        }
    }
    // (no row left of a partial parse cannot be: the parse stops only once rows fill the capacity)
    if rows.is_empty() {
        return Err(super::common::renders_to_nothing(super::common::nothing_path(c), ctx.platform.display(), src));
    }
    let total: usize = rows.iter().map(|(_, n)| n + 1).sum();
    let (over, total) =
        (partial || total > room, if partial { format!("more than {total}") } else { total.to_string() });
    let path = if matches!(c.body, crate::model::Body::Markdown(_)) { "content.body.content" } else { "content.body" };
    let groups: Vec<Vec<(Vec<Payload>, usize)>> = if !over {
        vec![rows]
    } else if room < super::MIN_ROOM {
        return Err(super::no_room("Feishu", room));
    } else {
        match ctx.opts.overflow {
            Overflow::Error => {
                return Err(Error::at(
                    path,
                    format!("is {total} bytes as rendered for Feishu, which allows {room} (overflow: \"error\")"),
                ));
            }
            Overflow::Truncate => {
                let mut g = limits::pack_by(rows, 1, room.saturating_sub(64), |(_, n)| *n);
                g.truncate(1);
                if let Some(first) = g.first_mut() {
                    first.push((vec![obj! {"tag" => "text", "text" => limits::TRUNCATION_MARKER.trim_start()}], 0));
                }
                ctx.degraded.push("content", "truncated", format!("{total} bytes; Feishu allows {room}"));
                g
            }
            Overflow::Split => {
                let mut g = limits::pack_by(rows, 1, room.saturating_sub(64), |(_, n)| *n);
                if g.len() > super::MAX_PARTS {
                    g.truncate(super::MAX_PARTS);
                    if let Some(last) = g.last_mut() {
                        last.push((vec![obj! {"tag" => "text", "text" => limits::TRUNCATION_MARKER.trim_start()}], 0));
                    }
                    ctx.degraded.push(
                        "content",
                        "truncated",
                        format!("{total} bytes would take more than {} messages on Feishu", super::MAX_PARTS),
                    );
                }
                ctx.degraded.push(
                    "content",
                    format!("{} messages", g.len()),
                    format!("{total} bytes; Feishu allows {room}"),
                );
                g
            }
        }
    };
    let n = groups.len();
    Ok(groups
        .into_iter()
        .enumerate()
        .map(|(i, rows)| {
            let mut rows: Vec<Vec<Payload>> = rows.into_iter().map(|(r, _)| r).collect();
            if i == 0 && !mention_row.is_empty() {
                rows.push(mention_row.clone());
            }
            let t = if n > 1 { format!("{title} ({}/{n})", i + 1).trim_start().to_string() } else { title.to_string() };
            let content: Vec<Payload> = rows.into_iter().map(Payload::Array).collect();
            obj!{"msg_type" => "post", "content" => obj!{"post" => obj!{"zh_cn" => obj!{"title" => t, "content" => content}}}}
        })
        .collect())
}

/// Whether a post row shows something: an element other than a text or code block with
/// nothing but white space in it.
fn row_shows(row: &[Payload]) -> bool {
    row.iter().any(|e| match e.get("tag").and_then(Payload::as_str) {
        Some("text" | "code_block") => !e.get("text").and_then(Payload::as_str).is_none_or(super::common::blank),
        _ => true,
    })
}

/// A card's text as a lark_md element; none when it renders to nothing (only link definitions,
/// HTML): an empty element is not sent.
fn text_element(card: &Card, ctx: &mut Ctx<'_>) -> Option<Payload> {
    let (blocks, losses) = markdown::render(&markdown::parse(card.text.as_deref()?), Dialect::LarkMd);
    ctx.degraded.losses(&losses, lark_md_loss_reason);
    let text = blocks.join(markdown::block_separator(Dialect::LarkMd));
    (!super::common::blank(&text)).then(|| lark_md(text))
}

fn lark_md(content: String) -> Payload {
    obj! {"tag" => "div", "text" => obj!{"tag" => "lark_md", "content" => content}}
}

fn button(text: &str, url: &str, style: ButtonStyle) -> Payload {
    let ty = match style {
        ButtonStyle::Primary => "primary",
        ButtonStyle::Danger => "danger",
        ButtonStyle::Default => "default",
    };
    obj! {"tag" => "button", "text" => obj!{"tag" => "plain_text", "content" => text.to_string()}, "url" => url.to_string(), "type" => ty}
}

/// Feishu header templates; other names map to the nearest.
fn template(color: &str) -> Option<&'static str> {
    Some(match color.to_ascii_lowercase().as_str() {
        "blue" | "info" => "blue",
        "wathet" => "wathet",
        "turquoise" => "turquoise",
        "green" | "success" | "ok" | "resolved" => "green",
        "yellow" => "yellow",
        "orange" | "warning" | "warn" => "orange",
        "red" | "danger" | "error" | "critical" | "firing" => "red",
        "carmine" => "carmine",
        "violet" => "violet",
        "purple" => "purple",
        "indigo" => "indigo",
        "grey" | "gray" => "grey",
        _ => return None,
    })
}

/// A seed-style button (`{text: "..", url, style}`) as a card button.
fn seed_button(b: &Value) -> Payload {
    let Some(o) = b.as_object() else { return Payload::from(b) };
    if o.contains_key("tag") {
        return Payload::from(b);
    }
    let text = match o.get("text") {
        Some(Value::String(s)) => s.clone(),
        Some(t) => t.get("content").and_then(Value::as_str).unwrap_or_default().to_string(),
        None => o.get("title").and_then(Value::as_str).unwrap_or_default().to_string(),
    };
    let url = o.get("url").or_else(|| o.get("action_url")).and_then(Value::as_str).unwrap_or_default();
    let style = match o.get("style").or_else(|| o.get("type")).and_then(Value::as_str) {
        Some("primary" | "positive") => ButtonStyle::Primary,
        Some("danger" | "negative") => ButtonStyle::Danger,
        _ => ButtonStyle::Default,
    };
    button(&text, url, style)
}

/// Normalise a seed-style element (`{type: "div", text: "..."}`) to card JSON.
fn element(e: &Value) -> Payload {
    let Some(o) = e.as_object() else { return Payload::from(e) };
    if o.contains_key("tag") {
        return Payload::from(e);
    }
    let ty = o.get("type").and_then(Value::as_str).unwrap_or("div");
    match (ty, o.get("text")) {
        ("action", _) => {
            let actions: Vec<Payload> =
                o.get("actions").and_then(Value::as_array).into_iter().flatten().map(seed_button).collect();
            obj! {"tag" => "action", "actions" => actions}
        }
        ("div" | "markdown" | "text", Some(Value::String(s))) => lark_md(s.clone()),
        _ => {
            let mut m = Obj::with_capacity(o.len());
            m.push("tag", Payload::from(ty.to_string()));
            for (k, v) in o.iter().filter(|(k, _)| *k != "type" && *k != "tag") {
                m.push_new(k.clone(), Payload::from(v));
            }
            Payload::Object(m)
        }
    }
}

/// A card JSON 2.0 body passes through whole; buttons given beside it and
/// mentions are appended to `body.elements` (2.0 has no action element).
fn interactive_v2(c: &Content, card: &Card, ctx: &mut Ctx<'_>) -> Result<Payload> {
    let mut out = Obj::new();
    for key in ["schema", "config", "card_link", "header", "body"] {
        if let Some(v) = card.original.get(key) {
            out.insert(key, Payload::from(v));
        }
    }
    if out.get("header").is_none_or(|h| h.get("title").is_none()) {
        if let Some(t) = &card.title {
            let mut h = out.get("header").and_then(Payload::as_object).cloned().unwrap_or_default();
            h.put("title", obj! {"tag" => "plain_text", "content" => t.clone()});
            out.put("header", Payload::Object(h));
        }
    }
    let mut extra: Vec<Payload> = card
        .original
        .get("actions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|b| {
            let mut v = seed_button(b);
            // 2.0 buttons open URLs through behaviors
            if let Some(o) = v.as_object_mut() {
                if let Some(Payload::String(u)) = o.remove("url") {
                    o.put("behaviors", Payload::Array(vec![obj! {"type" => "open_url", "default_url" => u}]));
                }
            }
            v
        })
        .collect();
    let mention = text_mentions(c, ctx);
    if !mention.is_empty() {
        extra.push(obj! {"tag" => "markdown", "content" => mention.replace("<at user_id=", "<at id=")});
    }
    if !extra.is_empty() {
        let mut body = out.get("body").and_then(Payload::as_object).cloned().unwrap_or_default();
        let mut els = body.get("elements").and_then(Payload::as_array).cloned().unwrap_or_default();
        els.extend(extra);
        body.put("elements", Payload::Array(els));
        out.put("body", Payload::Object(body));
    }
    let payload = obj! {"msg_type" => "interactive", "card" => out};
    let size = json_len(&payload);
    if size > room() {
        return Err(Error::at("content.body", format!("the card is {size} bytes; Feishu takes {}", room())));
    }
    Ok(payload)
}

fn interactive(c: &Content, card: &Card, ctx: &mut Ctx<'_>) -> Result<Payload> {
    if card.flavor == CardFlavor::FeishuInteractive
        && card.original.get("schema").and_then(Value::as_str) == Some("2.0")
    {
        return interactive_v2(c, card, ctx);
    }
    let mut elements: Vec<Payload> = Vec::new();
    let mut header = Obj::new();
    let mut config = obj! {"wide_screen_mode" => true};
    let mut card_link: Option<Payload> = None;
    let native = card.flavor == CardFlavor::FeishuInteractive;
    if native {
        if let Some(cfg) = card.original.get("config") {
            config = Payload::from(cfg);
        }
        if let Some(Payload::Object(h)) = card.original.get("header").map(Payload::from) {
            header = h;
        }
        for e in card.original.get("elements").and_then(Value::as_array).into_iter().flatten() {
            elements.push(element(e));
        }
        // a Feishu card given with a text and no elements shows its text (it was dropped)
        if elements.is_empty() {
            elements.extend(text_element(card, ctx));
        }
        if let Some(l) = card.original.get("card_link") {
            card_link = Some(Payload::from(l));
        }
    } else {
        if let Some(s) = &card.subtitle {
            let s = markdown::render_inline(s, Dialect::LarkMd);
            if !super::common::blank(&s) {
                elements.push(lark_md(format!("<font color='grey'>{s}</font>")));
            }
        }
        if let Some((big, desc)) = &card.emphasis {
            let d = desc.as_deref().map(|d| format!("\n{d}")).unwrap_or_default();
            elements.push(lark_md(format!("**{big}**{d}")));
        }
        elements.extend(text_element(card, ctx));
        if !card.fields.is_empty() {
            let fields: Vec<Payload> = card
                .fields
                .iter()
                .map(|f| {
                    let v = match &f.url {
                        Some(u) => format!("[{}]({u})", f.value),
                        None => f.value.clone(),
                    };
                    obj!{"is_short" => true, "text" => obj!{"tag" => "lark_md", "content" => format!("**{}**\n{v}", f.name)}}
                })
                .collect();
            elements.push(obj! {"tag" => "div", "fields" => fields});
        }
        if let Some(img) = &card.image_url {
            ctx.degraded.push("image", "link", "Feishu cards show images by img_key only; the image is a link");
            elements.push(lark_md(format!("[🖼 image]({img})")));
        }
        if let Some(u) = &card.url {
            card_link = Some(obj! {"url" => u.clone()});
        }
    }
    if !header.contains_key("title") {
        if let Some(t) = &card.title {
            header.put("title", obj! {"tag" => "plain_text", "content" => t.clone()});
        }
    }
    if !header.contains_key("template") {
        if let Some(t) = card.color.as_deref().and_then(template) {
            header.put("template", t);
        }
    }
    // buttons alone are not a message: a card with no title and no element that shows
    // something (its text renders to nothing) has nothing to send
    if elements.is_empty() && !header.contains_key("title") {
        let src = card.text.as_deref().unwrap_or_default();
        return Err(super::common::renders_to_nothing(
            super::common::card_nothing_path(card),
            ctx.platform.display(),
            src,
        ));
    }
    // Buttons given beside the elements (the seed's `actions`) become one action
    // row. On a native card, buttons inside its own action elements are already
    // in `elements`; the top-level ones were read last, so they are the tail.
    let top = if native {
        let n = card.original.get("actions").and_then(Value::as_array).map_or(0, Vec::len);
        &card.buttons[card.buttons.len().saturating_sub(n)..]
    } else {
        &card.buttons[..]
    };
    let top_buttons: Vec<Payload> = top.iter().map(|b| button(&b.text, &b.url, b.style)).collect();
    if !top_buttons.is_empty() {
        elements.push(obj! {"tag" => "action", "actions" => top_buttons});
    }
    let mention = text_mentions(c, ctx);
    if !mention.is_empty() {
        // lark_md writes mentions as <at id=...></at>
        let md = mention.replace("<at user_id=", "<at id=");
        elements.push(lark_md(md));
    }
    let mut cardv = Obj::new();
    cardv.put("config", config);
    if !header.is_empty() {
        cardv.put("header", Payload::Object(header));
    }
    cardv.put("elements", Payload::Array(elements));
    if let Some(l) = card_link {
        cardv.put("card_link", l);
    }
    let payload = obj! {"msg_type" => "interactive", "card" => cardv};
    let size = json_len(&payload);
    if size > room() {
        return Err(Error::at(
            "content.body",
            format!("the card is {size} bytes as rendered; Feishu takes {}", room()),
        ));
    }
    Ok(payload)
}
