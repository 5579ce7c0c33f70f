//! DingTalk (钉钉) custom robot: text, markdown, link, actionCard (single and
//! multi buttons) and feedCard.
//!
//! Limit: about 20000 bytes for the whole request body. Mentions need both the
//! `at` object and the `@mobile` / `@userid` in the text, or they do not show.

use serde_json::{Map, Value};

use crate::payload::{Obj, Payload};

use super::common::{
    Put, blank, fit_blocks, fit_paragraphs, json_len, mention_sets, nothing_path, obj, raw_payload, renders_to_nothing,
    text_with_title,
};
use super::spec::{
    AnswerFields, CodeMeaning, Credential, Ctx, EnvNames, PlatformRenderer, PlatformSpec, Signature, Signing,
};
use crate::degrade::{self, md_escape};
use crate::error::{Error, Result};
use crate::limits::{self, Measure, Overflow};
use crate::markdown::{self, Dialect};
use crate::model::{Article, Body, Card, Content, UnifiedMessage};

/// The whole body, JSON bytes.
pub const BODY_LIMIT: usize = 20000;
/// Title shown in the notification and chat list.
const TITLE_CHARS: usize = 64;

pub struct DingTalk;

impl PlatformRenderer for DingTalk {
    fn render(&self, msg: &UnifiedMessage, ctx: &mut Ctx<'_>) -> Result<Vec<Payload>> {
        let c = &msg.content;
        match &c.body {
            Body::Text(t) => text(c, &text_with_title(c.title.as_deref(), t), ctx),
            Body::Markdown(src) => markdown(c, src, c.title.as_deref(), ctx),
            Body::Image(img) => match &img.url {
                Some(url) => {
                    ctx.degraded.push(
                        "image",
                        "markdown",
                        "DingTalk robots have no image message; the image is shown in markdown",
                    );
                    let title = c.title.clone().or_else(|| img.alt.clone()).unwrap_or_else(|| "Image".into());
                    markdown(c, &degrade::image_to_markdown(img, url), Some(&title), ctx)
                }
                None => Err(Error::unsupported("DingTalk robots show images by URL only; give content.body.url")),
            },
            Body::Link(l) => Ok(vec![link_payload(&l.title, l.text.as_deref(), &l.url, l.image_url.as_deref(), ctx)?]),
            Body::News(articles) => articles_payload(c, articles, ctx, false),
            Body::Feed(articles) => articles_payload(c, articles, ctx, true),
            Body::Card(card) => action_card(c, card, ctx),
            Body::File(f) => match &f.url {
                Some(url) => {
                    ctx.degraded.push("file", "link", "DingTalk robots cannot send files; the file is a link");
                    let name = f.name.as_deref().unwrap_or("file");
                    Ok(vec![link_payload(name, Some(name), url, None, ctx)?])
                }
                None => {
                    Err(Error::unsupported("DingTalk robots cannot send files; give the file by url to send a link"))
                }
            },
            Body::Raw(raw) => Ok(vec![raw_payload(raw, ctx.platform)?]),
        }
    }
}

/// What DingTalk's markdown loses, in DingTalk's words.
fn loss_reason(l: &markdown::Loss) -> &'static str {
    match l.from {
        "table" => "DingTalk markdown has no tables",
        "code_block" => "DingTalk markdown has no code blocks",
        "font" => "DingTalk markdown has no coloured text",
        "strikethrough" => "DingTalk markdown has no strikethrough",
        _ => "DingTalk markdown cannot show it",
    }
}

impl PlatformSpec for DingTalk {
    fn name(&self) -> &'static str {
        "dingtalk"
    }
    fn display(&self) -> &'static str {
        "DingTalk"
    }
    fn aliases(&self) -> &'static [&'static str] {
        &["dingding", "ding"]
    }
    fn default_base(&self) -> &'static str {
        "https://oapi.dingtalk.com"
    }
    fn hosts(&self) -> &'static [&'static str] {
        &["oapi.dingtalk.com"]
    }
    fn path_prefix(&self) -> Option<&'static str> {
        Some("/robot/send")
    }
    fn webhook_url(&self, base: &str, credential: &str) -> String {
        format!("{base}/robot/send?access_token={credential}")
    }
    fn credential(&self) -> Credential {
        Credential::Query("access_token")
    }
    fn credential_wording(&self) -> &'static str {
        "access_token= query parameter"
    }
    /// `timestamp` (ms) and `sign` in the query.
    fn signing(&self) -> Signing {
        Signing::UrlQuery
    }
    fn signature(&self, secret: &str, now_ms: u64) -> Result<Option<Signature>> {
        Ok(Some(Signature { timestamp: now_ms.to_string(), sign: crate::sign::dingtalk_sign(secret, now_ms)? }))
    }
    fn env_names(&self) -> EnvNames {
        EnvNames { webhook: "DINGTALK_ACCESS_TOKEN", secret: Some("DINGTALK_SECRET") }
    }
    fn measured_size(&self, payload: &Payload) -> Option<(usize, usize)> {
        Some((json_len(payload), BODY_LIMIT))
    }
    fn answer_fields(&self) -> AnswerFields {
        AnswerFields { code: &["errcode"], message: &["errmsg"] }
    }
    fn code_meaning(&self, code: i64, message: &str) -> CodeMeaning {
        match code {
            130101 => CodeMeaning::RateLimited { honours_retry_after: false },
            310000 if message.contains("timestamp") => CodeMeaning::Resign,
            _ => CodeMeaning::Refused,
        }
    }
    fn rate_limits(&self) -> &'static [(usize, u64)] {
        &[(20, 60_000)]
    }
    /// A bot over its limit is blocked for ten minutes.
    fn rate_block_ms(&self) -> u64 {
        10 * 60_000
    }
    fn limits_info(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.put("bodyBytes", BODY_LIMIT.into());
        m
    }
    fn signing_how(&self) -> &'static str {
        "HMAC-SHA256 over \"{timestamp_ms}\\n{secret}\", base64, added to the query as timestamp and sign"
    }
    fn credential_placeholder(&self) -> &'static str {
        "YOUR_ACCESS_TOKEN"
    }
}

/// `text` holds `word` not followed by another letter or digit (`@1380000000`
/// is not in `@13800000000`).
fn contains_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        !text[i + word.len()..].chars().next().is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-')
    })
}

/// The `at` object and the `@...` words the text must contain.
fn at_object(c: &Content, text: &str) -> (Option<Payload>, String) {
    let ms = mention_sets(&c.mentions);
    if c.mentions.is_empty() {
        return (None, String::new());
    }
    let mut words = Vec::new();
    for m in ms.mobiles.iter().chain(ms.user_ids.iter()) {
        let w = format!("@{}", m.value);
        if !contains_word(text, &w) {
            words.push(w);
        }
    }
    let mut at = Obj::new();
    if !ms.mobiles.is_empty() {
        at.put("atMobiles", Payload::Array(ms.mobiles.iter().map(|m| Payload::from(m.value.clone())).collect()));
    }
    if !ms.user_ids.is_empty() {
        at.put("atUserIds", Payload::Array(ms.user_ids.iter().map(|m| Payload::from(m.value.clone())).collect()));
    }
    at.put("isAtAll", ms.all.is_some());
    (Some(Payload::Object(at)), words.join(" "))
}

fn with_at(mut payload: Payload, at: &Option<Payload>) -> Payload {
    if let (Some(at), Payload::Object(m)) = (at, &mut payload) {
        m.put("at", at.clone());
    }
    payload
}

fn text(c: &Content, body: &str, ctx: &mut Ctx<'_>) -> Result<Vec<Payload>> {
    let (at, words) = at_object(c, body);
    let shell = with_at(obj! {"msgtype" => "text", "text" => obj!{"content" => ""}}, &at);
    let room = BODY_LIMIT.saturating_sub(json_len(&shell) + Measure::Json.cost(&words) + 2);
    let parts = fit_paragraphs(body, room, Measure::Json, ctx, "content.body.text", "DingTalk")?;
    Ok(parts
        .into_iter()
        .enumerate()
        .map(|(i, mut content)| {
            if i == 0 && !words.is_empty() {
                content.push(' ');
                content.push_str(&words);
            }
            let p = obj! {"msgtype" => "text", "text" => obj!{"content" => content}};
            if i == 0 { with_at(p, &at) } else { p }
        })
        .collect())
}

/// The notification title: the given one, else the first line of text.
fn title_of(title: Option<&str>, src: &str) -> String {
    let doc = if title.is_none() { markdown::parse(src) } else { markdown::Doc::default() };
    title_of_doc(title, &doc)
}

/// [`title_of`] for a source already parsed (`doc` is read only when there is no title).
fn title_of_doc(title: Option<&str>, doc: &markdown::Doc) -> String {
    let t = match title {
        Some(t) => t.to_string(),
        // only as much of a long first paragraph as the title shows
        None => markdown::first_line_start(doc, TITLE_CHARS).unwrap_or_else(|| "Notification".to_string()),
    };
    match t.char_indices().nth(TITLE_CHARS) {
        Some((i, _)) => format!("{}…", &t[..i]),
        None => t,
    }
}

fn markdown(c: &Content, src: &str, title: Option<&str>, ctx: &mut Ctx<'_>) -> Result<Vec<Payload>> {
    // parsed only as far as the parts can hold (see markdown::bounded)
    let capacity = super::common::capacity(BODY_LIMIT, ctx);
    let sep = markdown::block_separator(Dialect::DingTalk);
    // a block costs what it adds to a part: its JSON bytes and the separator's (`\n\n` is 4
    // JSON bytes, not 2: counted as 2, the parse went on for ~1.7x what 1 MiB of `a\n\n` keeps)
    let sep_cost = Measure::Json.cost(sep);
    let bounded = markdown::bounded(
        src,
        capacity,
        None,
        // a blank block still adds its separator
        false,
        |_, bs| markdown::render_blocks(bs, Dialect::DingTalk),
        // a blank block is not sent (see `fit_blocks`): it costs nothing, so that thousands of
        // them do not fill the capacity and cut the content after them
        |b| if blank(b) { 0 } else { Measure::Json.cost(b) + sep_cost },
    );
    let (doc, mut blocks, losses, partial) = (bounded.doc, bounded.out, bounded.losses, bounded.partial);
    ctx.degraded.losses(&losses, loss_reason);
    // a card's title is its content too (the markdown of a card is given without it)
    let titled_card = matches!(&c.body, Body::Card(card) if card.title.is_some());
    if !partial && !titled_card && blocks.iter().all(|b| blank(b)) {
        return Err(renders_to_nothing(nothing_path(c), "DingTalk", src));
    }
    let title_text = title_of_doc(title, &doc);
    if let Some(t) = title {
        if !doc.features().headings || !src.trim_start().starts_with('#') {
            blocks.insert(0, format!("### {}", md_escape(t)));
        }
    }
    let (at, words) = at_object(c, src);
    let shell =
        with_at(obj! {"msgtype" => "markdown", "markdown" => obj!{"title" => title_text.clone(), "text" => ""}}, &at);
    let room = BODY_LIMIT.saturating_sub(json_len(&shell) + Measure::Json.cost(&words) + 16);
    let path = if matches!(c.body, Body::Markdown(_)) { "content.body.content" } else { "content.body" };
    let parts = fit_blocks(&blocks, partial, sep, room, Measure::Json, ctx, path, "DingTalk")?;
    let n = parts.len();
    Ok(parts
        .into_iter()
        .enumerate()
        .map(|(i, mut text)| {
            if i == 0 && !words.is_empty() {
                text.push_str("\n\n");
                text.push_str(&words);
            }
            let t = if n > 1 { format!("{title_text} ({}/{n})", i + 1) } else { title_text.clone() };
            let p = obj! {"msgtype" => "markdown", "markdown" => obj!{"title" => t, "text" => text}};
            if i == 0 { with_at(p, &at) } else { p }
        })
        .collect())
}

/// A link card; its text is cut (recorded) when the body would pass the limit.
fn link_payload(title: &str, text: Option<&str>, url: &str, pic: Option<&str>, ctx: &mut Ctx<'_>) -> Result<Payload> {
    let mut l = Obj::new();
    l.put("title", Payload::from(title.to_string()));
    l.put("text", "");
    l.put("messageUrl", Payload::from(url.to_string()));
    if let Some(p) = pic {
        l.put("picUrl", Payload::from(p.to_string()));
    }
    // DingTalk requires text; the title stands in when there is none.
    let text = text.unwrap_or(title);
    let room = BODY_LIMIT.saturating_sub(json_len(&obj! {"msgtype" => "link", "link" => l.clone()}));
    let text = match limits::truncate(text, room, Measure::Json) {
        None => text.to_string(),
        Some(_) if room < super::MIN_ROOM || ctx.opts.overflow == Overflow::Error => {
            return Err(Error::at("content.body", format!("the link is over DingTalk's {BODY_LIMIT} bytes")));
        }
        Some(cut) => {
            ctx.degraded.push("link text", "truncated", format!("DingTalk allows about {BODY_LIMIT} bytes a message"));
            cut
        }
    };
    l.put("text", Payload::from(text));
    Ok(obj! {"msgtype" => "link", "link" => l})
}

fn articles_payload(c: &Content, articles: &[Article], ctx: &mut Ctx<'_>, feed: bool) -> Result<Vec<Payload>> {
    if let [a] = articles {
        if !feed || a.image_url.is_none() {
            return Ok(vec![link_payload(&a.title, a.description.as_deref(), &a.url, a.image_url.as_deref(), ctx)?]);
        }
    }
    if articles.iter().all(|a| a.image_url.is_some()) {
        if articles.iter().any(|a| a.description.is_some()) {
            ctx.degraded.push("description", "none", "DingTalk feedCard shows titles and pictures only");
        }
        let links: Vec<Payload> = articles
            .iter()
            .map(|a| obj! {"title" => a.title.clone(), "messageURL" => a.url.clone(), "picURL" => a.image_url.clone()})
            .collect();
        // as many links a message as fit the body limit
        let room = BODY_LIMIT.saturating_sub(json_len(
            &obj! {"msgtype" => "feedCard", "feedCard" => obj!{"links" => Payload::Array(Vec::new())}},
        ));
        let groups = limits::pack_by(links, 1, room, json_len);
        if groups.iter().any(|g| g.iter().map(json_len).sum::<usize>() > room) {
            return Err(Error::at("content.body.links", format!("a link is over DingTalk's {BODY_LIMIT} bytes")));
        }
        if groups.len() > 1 {
            if ctx.opts.overflow == Overflow::Error {
                return Err(Error::at(
                    "content.body.links",
                    format!("the links are over DingTalk's {BODY_LIMIT} bytes"),
                ));
            }
            ctx.degraded.push(
                "content",
                format!("{} messages", groups.len()),
                format!("the links are over DingTalk's {BODY_LIMIT} bytes a message"),
            );
        }
        return Ok(groups
            .into_iter()
            .map(|g| obj! {"msgtype" => "feedCard", "feedCard" => obj!{"links" => g}})
            .collect());
    }
    ctx.degraded.push(
        if feed { "feed" } else { "news" },
        "markdown",
        "DingTalk feedCard needs a picture for every link; shown as a markdown list",
    );
    let title = c.title.as_deref().or(articles.first().map(|a| a.title.as_str()));
    markdown(c, &degrade::articles_to_markdown(articles), title, ctx)
}

fn action_card(c: &Content, card: &Card, ctx: &mut Ctx<'_>) -> Result<Vec<Payload>> {
    let title = card.title.clone().unwrap_or_else(|| title_of(None, card.text.as_deref().unwrap_or("")));
    if card.buttons.is_empty() && card.url.is_none() {
        ctx.degraded.push("card", "markdown", "DingTalk action cards need a button or a URL; the card has none");
        return markdown(c, &degrade::card_to_markdown(card, false), Some(&title), ctx);
    }
    if card.color.is_some() {
        ctx.degraded.push("color", "none", "DingTalk cards have no header colour");
    }
    // Card body without its buttons: they become the card's own buttons.
    let body = degrade::card_body_to_markdown(card);
    let md = if card.title.is_some() {
        let mut md = String::with_capacity(title.len() + body.len() + 8);
        md.push_str("### ");
        markdown::escape_text_into(&mut md, &title, false);
        md.push_str("\n\n");
        md.push_str(&body);
        md
    } else {
        body
    };
    let doc = markdown::parse(&md);
    let (blocks, losses) = markdown::render(&doc, Dialect::DingTalk);
    ctx.degraded.losses(&losses, loss_reason);
    let mut text = blocks.join(markdown::block_separator(Dialect::DingTalk));
    if blank(&text) {
        return Err(renders_to_nothing(nothing_path(c), "DingTalk", &md));
    }
    if !c.mentions.is_empty() {
        ctx.degraded.push("mention", "text", "DingTalk action cards cannot @ anyone; the names are shown as text");
        let all: Vec<_> = c.mentions.iter().collect();
        text.push_str("\n\n");
        text.push_str(&degrade::visible_mentions(&all, md_escape));
    }
    let mut ac = Obj::new();
    ac.put("title", Payload::from(title));
    ac.put("text", "");
    ac.put("btnOrientation", if card.buttons_horizontal { "1" } else { "0" });
    if card.hide_avatar {
        ac.put("hideAvatar", "1");
    }
    match card.buttons.as_slice() {
        [] => {
            ac.put("singleTitle", "查看详情");
            ac.put("singleURL", Payload::from(card.url.clone().unwrap_or_default()));
        }
        [b] => {
            ac.put("singleTitle", Payload::from(b.text.clone()));
            ac.put("singleURL", Payload::from(b.url.clone()));
        }
        many => {
            let btns: Vec<Payload> =
                many.iter().map(|b| obj! {"title" => b.text.clone(), "actionURL" => b.url.clone()}).collect();
            ac.put("btns", Payload::Array(btns));
        }
    }
    let shell = obj! {"msgtype" => "actionCard", "actionCard" => ac.clone()};
    let room = BODY_LIMIT.saturating_sub(json_len(&shell));
    if room < super::MIN_ROOM {
        return Err(Error::at(
            "content.body",
            format!("the card's title and buttons alone take {} of DingTalk's {BODY_LIMIT} bytes", json_len(&shell)),
        ));
    }
    if Measure::Json.cost(&text) > room {
        match limits::truncate(&text, room, Measure::Json) {
            Some(t) if ctx.opts.overflow != Overflow::Error => {
                ctx.degraded.push(
                    "card text",
                    "truncated",
                    format!("DingTalk allows about {BODY_LIMIT} bytes a message"),
                );
                text = t;
            }
            _ => {
                return Err(Error::at("content.body", format!("the card is over DingTalk's {BODY_LIMIT} bytes")));
            }
        }
    }
    ac.put("text", Payload::from(text));
    Ok(vec![obj! {"msgtype" => "actionCard", "actionCard" => ac}])
}
