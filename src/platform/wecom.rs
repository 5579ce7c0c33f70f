//! WeCom (企业微信) group bot: text, markdown, markdown_v2, image, news,
//! template_card (text_notice / news_notice) and file.
//!
//! Limits: text content 2048 bytes, markdown / markdown_v2 content 4096 bytes
//! (UTF-8 bytes of the content itself); news 1-8 articles, title 128 bytes,
//! description 512 bytes; cards: jump_list 3, horizontal_content_list 6.

use base64::Engine as _;
use md5::{Digest, Md5};
use serde_json::{Map, Value};

use crate::payload::{Obj, Payload};

use super::common::{
    Put, blank, fit_blocks, fit_paragraphs, mention_sets, nothing_path, obj, only_text, raw_payload,
    renders_to_nothing, text_with_title,
};
use super::spec::{
    AnswerFields, CodeMeaning, Credential, Ctx, EnvNames, FileUpload, MediaStep, PlatformRenderer, PlatformSpec,
    Signing,
};
use crate::degrade::{self, md_escape};
use crate::error::{Error, Result};
use crate::limits::{Measure, Overflow, clip_bytes};
use crate::markdown::{self, Dialect};
use crate::model::{Article, Body, Card, CardFlavor, Content, UnifiedMessage};
use crate::options::WecomMarkdown;

pub const TEXT_LIMIT: usize = 2048;
pub const MARKDOWN_LIMIT: usize = 4096;
pub const MAX_ARTICLES: usize = 8;
pub const TITLE_LIMIT: usize = 128;
pub const DESCRIPTION_LIMIT: usize = 512;
pub const IMAGE_LIMIT: usize = 2 * 1024 * 1024;
/// A file sent by media_id: 5 bytes to 20 MB.
pub const FILE_LIMIT: usize = 20 * 1024 * 1024;
const MAX_JUMPS: usize = 3;
const MAX_HORIZONTAL: usize = 6;
/// WeCom shows at most about this many characters of a card's sub_title_text.
const CARD_TEXT_CHARS: usize = 112;

pub struct WeCom;

impl PlatformRenderer for WeCom {
    fn render(&self, msg: &UnifiedMessage, ctx: &mut Ctx<'_>) -> Result<Vec<Payload>> {
        let c = &msg.content;
        match &c.body {
            Body::Text(t) => text(c, &text_with_title(c.title.as_deref(), t), ctx),
            Body::Markdown(src) => markdown(c, src, c.title.as_deref(), ctx),
            Body::Image(img) => {
                // an image (or the article showing one) carries nothing else: what it cannot show is said
                let title = c.title.as_deref().filter(|t| !t.trim().is_empty());
                if !c.mentions.is_empty() {
                    ctx.degraded.push("mention", "none", "WeCom image messages cannot @ anyone; no one was mentioned");
                }
                if let Some(b64) = &img.base64 {
                    if title.is_some() {
                        ctx.degraded.push("title", "none", "WeCom image messages carry no title; it was not sent");
                    }
                    return Ok(vec![image_payload(b64, img.md5.as_deref())?]);
                }
                match &img.url {
                    Some(url) => {
                        ctx.degraded.push(
                            "image",
                            "news",
                            "WeCom takes image bytes (base64 + md5); shown as an article with the picture, or use MessageSender, which fetches it",
                        );
                        let title =
                            title.map(str::to_string).or_else(|| img.alt.clone()).unwrap_or_else(|| "Image".into());
                        let a = Article { title, description: None, url: url.clone(), image_url: Some(url.clone()) };
                        news(std::slice::from_ref(&a), ctx)
                    }
                    None => {
                        Err(Error::unsupported("WeCom cannot show a Feishu image_key; give the image by url or base64"))
                    }
                }
            }
            Body::Link(l) => {
                let a = Article {
                    title: l.title.clone(),
                    description: l.text.clone(),
                    url: l.url.clone(),
                    image_url: l.image_url.clone(),
                };
                news(std::slice::from_ref(&a), ctx)
            }
            Body::News(articles) | Body::Feed(articles) => news(articles, ctx),
            Body::Card(card) => match template_card(card, ctx)? {
                Some(v) => Ok(vec![v]),
                None => markdown(c, &degrade::card_to_markdown(card, true), None, ctx),
            },
            Body::File(f) => {
                if let Some(id) = &f.media_id {
                    return Ok(vec![obj! {"msgtype" => "file", "file" => obj!{"media_id" => id.clone()}}]);
                }
                match &f.url {
                    Some(url) => {
                        ctx.degraded.push(
                            "file",
                            "link",
                            "WeCom sends files by media_id; render alone shows a link (MessageSender uploads the file)",
                        );
                        markdown(c, &degrade::file_to_markdown(f, url), c.title.as_deref(), ctx)
                    }
                    None => Err(Error::unsupported(
                        "a file given as base64 must be uploaded first; MessageSender.send does that",
                    )),
                }
            }
            Body::Raw(raw) => Ok(vec![raw_payload(raw, ctx.platform)?]),
        }
    }
}

fn text(c: &Content, body: &str, ctx: &mut Ctx<'_>) -> Result<Vec<Payload>> {
    let ms = mention_sets(&c.mentions);
    let parts = fit_paragraphs(body, TEXT_LIMIT, Measure::Utf8, ctx, "content.body.text", "WeCom text")?;
    let mut user_ids: Vec<Payload> = ms.user_ids.iter().map(|m| Payload::from(m.value.clone())).collect();
    if ms.all.is_some() {
        user_ids.push(Payload::from("@all"));
    }
    let mobiles: Vec<Payload> = ms.mobiles.iter().map(|m| Payload::from(m.value.clone())).collect();
    Ok(parts
        .into_iter()
        .enumerate()
        .map(|(i, content)| {
            let mut t = Obj::new();
            t.put("content", Payload::from(content));
            // mention once, with the first part
            if i == 0 && !user_ids.is_empty() {
                t.put("mentioned_list", Payload::Array(user_ids.clone()));
            }
            if i == 0 && !mobiles.is_empty() {
                t.put("mentioned_mobile_list", Payload::Array(mobiles.clone()));
            }
            obj! {"msgtype" => "text", "text" => t}
        })
        .collect())
}

/// What WeCom's markdown dialects lose, in WeCom's words.
fn loss_reason(dialect: Dialect, l: &markdown::Loss) -> &'static str {
    match (dialect, l.from) {
        (Dialect::WecomMarkdownV2, "font") => "WeCom markdown_v2 has no coloured text",
        (Dialect::WecomMarkdownV2, _) => "WeCom markdown_v2 cannot show it",
        (_, "table") => "WeCom markdown has no tables",
        (_, "code_block") => "WeCom markdown has no code blocks",
        (_, "image") => "WeCom markdown cannot show images",
        (_, "strikethrough") => "WeCom markdown has no strikethrough",
        (_, "emphasis") => "WeCom markdown has no italics",
        _ => "WeCom markdown cannot show it",
    }
}

fn markdown(c: &Content, src: &str, title: Option<&str>, ctx: &mut Ctx<'_>) -> Result<Vec<Payload>> {
    let ms = mention_sets(&c.mentions);
    let (choice, no_mentions) = (ctx.opts.wecom_markdown, c.mentions.is_empty());
    let mut v2 = false;
    // parsed only as far as the parts can hold (the room before mentions is an upper bound);
    // the dialect is chosen from what was parsed
    let capacity = super::common::capacity(MARKDOWN_LIMIT, ctx);
    let sep_cost = markdown::block_separator(Dialect::WecomMarkdown).len();
    // one part (truncate, error): whole blocks past the limit by what its cut reads after it
    // fill it as the whole body does (its text measured in UTF-8 bytes, as blocks cost here)
    let fill = (!matches!(ctx.opts.overflow, Overflow::Split))
        .then(|| capacity.saturating_add(crate::limits::CUT_READS_AHEAD + 64));
    let mut features = markdown::Features::default();
    let bounded = markdown::bounded(
        src,
        capacity,
        fill,
        // a blank block still adds its separator
        false,
        |doc, bs| {
            // the prefix's features, walked once per parse: blocks that do not start the document
            // are its last block, rendered after the blocks before it (see `markdown::bounded`);
            // no blocks before a last one write nothing (the last one, after them, walks)
            let head = std::ptr::eq(bs.as_ptr(), doc.blocks.as_ptr());
            if head && (!bs.is_empty() || doc.blocks.is_empty()) {
                features = doc.features();
            }
            let f = features;
            v2 = match choice {
                WecomMarkdown::V1 => false,
                WecomMarkdown::V2 => true,
                WecomMarkdown::Auto => (f.tables || f.code_blocks || f.images) && no_mentions,
            };
            markdown::render_blocks(bs, if v2 { Dialect::WecomMarkdownV2 } else { Dialect::WecomMarkdown })
        },
        // a blank block is not sent (see `fit_blocks`): it costs nothing
        |b| if super::common::blank(b) { 0 } else { b.len() + sep_cost },
    );
    let (dialect, msgtype) =
        if v2 { (Dialect::WecomMarkdownV2, "markdown_v2") } else { (Dialect::WecomMarkdown, "markdown") };
    let (mut blocks, losses, partial) = (bounded.out, bounded.losses, bounded.partial);
    ctx.degraded.losses(&losses, |l| loss_reason(dialect, l));
    if !partial && blocks.iter().all(|b| blank(b)) {
        return Err(renders_to_nothing(nothing_path(c), "WeCom", src));
    }
    if let Some(t) = title {
        blocks.insert(0, format!("**{}**", md_escape(t)));
    }
    // Mentions: markdown (v1) can @ a user id; nothing else can notify.
    let mut tail: Vec<String> = Vec::new();
    let mut visible = Vec::new();
    if v2 {
        visible.extend(c.mentions.iter());
    } else {
        tail.extend(ms.user_ids.iter().map(|m| format!("<@{}>", m.value)));
        visible.extend(ms.mobiles.iter().copied());
        visible.extend(ms.all.iter().copied());
    }
    if !visible.is_empty() {
        ctx.degraded.push(
            "mention",
            "text",
            if v2 { "WeCom markdown_v2 cannot @ anyone" } else { "WeCom markdown can only @ by user id" },
        );
        tail.push(degrade::visible_mentions(&visible, md_escape));
    }
    let tail = tail.join(" ");
    let room = MARKDOWN_LIMIT.saturating_sub(if tail.is_empty() { 0 } else { tail.len() + 2 });
    let path = if matches!(c.body, Body::Markdown(_)) { "content.body.content" } else { "content.body" };
    let what = if v2 { "WeCom markdown_v2" } else { "WeCom markdown" };
    let sep = markdown::block_separator(dialect);
    let mut parts = fit_blocks(&blocks, partial, sep, room, Measure::Utf8, ctx, path, what)?;
    if !tail.is_empty() {
        if let Some(first) = parts.first_mut() {
            first.push_str("\n\n");
            first.push_str(&tail);
        }
    }
    Ok(parts.into_iter().map(|content| obj! {"msgtype" => msgtype, msgtype => obj!{"content" => content}}).collect())
}

fn image_payload(b64: &str, md5_given: Option<&str>) -> Result<Payload> {
    let b64 = b64.trim();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|_| Error::at("content.body.base64", "is not valid base64"))?;
    if bytes.len() > IMAGE_LIMIT {
        return Err(Error::at(
            "content.body.base64",
            format!("the image is {} bytes; WeCom takes at most 2 MB", bytes.len()),
        ));
    }
    let is_png = bytes.starts_with(b"\x89PNG\r\n\x1a\n");
    let is_jpg = bytes.starts_with(&[0xFF, 0xD8, 0xFF]);
    if !is_png && !is_jpg {
        return Err(Error::at("content.body.base64", "WeCom takes JPG or PNG images only"));
    }
    let digest = hex(&Md5::digest(&bytes));
    if let Some(m) = md5_given {
        if !m.eq_ignore_ascii_case(&digest) {
            return Err(Error::at("content.body.md5", "does not match the image bytes"));
        }
    }
    Ok(obj! {"msgtype" => "image", "image" => obj!{"base64" => b64.to_string(), "md5" => digest}})
}

impl PlatformSpec for WeCom {
    fn name(&self) -> &'static str {
        "wecom"
    }
    fn display(&self) -> &'static str {
        "WeCom"
    }
    fn aliases(&self) -> &'static [&'static str] {
        &["wechat_work", "wework", "wxwork", "qywx"]
    }
    fn default_base(&self) -> &'static str {
        "https://qyapi.weixin.qq.com"
    }
    fn hosts(&self) -> &'static [&'static str] {
        &["qyapi.weixin.qq.com"]
    }
    fn path_prefix(&self) -> Option<&'static str> {
        Some("/cgi-bin/webhook/")
    }
    fn webhook_url(&self, base: &str, credential: &str) -> String {
        format!("{base}/cgi-bin/webhook/send?key={credential}")
    }
    fn credential(&self) -> Credential {
        Credential::Query("key")
    }
    fn credential_wording(&self) -> &'static str {
        "key= query parameter"
    }
    fn signing(&self) -> Signing {
        Signing::Unsigned {
            why: "WeCom group bots are not signed: the key in the URL is the credential; remove the secret",
        }
    }
    fn env_names(&self) -> EnvNames {
        EnvNames { webhook: "WECOM_WEBHOOK_KEY", secret: None }
    }
    /// WeCom counts the content's bytes, not the body's.
    fn measured_size(&self, payload: &Payload) -> Option<(usize, usize)> {
        let content = |k: &str| payload.get(k).and_then(|b| b.get("content")).and_then(Payload::as_str).map(str::len);
        match (content("text"), content("markdown").or(content("markdown_v2"))) {
            (Some(n), _) => Some((n, TEXT_LIMIT)),
            (_, Some(n)) => Some((n, MARKDOWN_LIMIT)),
            _ => None,
        }
    }
    fn answer_fields(&self) -> AnswerFields {
        AnswerFields { code: &["errcode"], message: &["errmsg"] }
    }
    fn code_meaning(&self, code: i64, _message: &str) -> CodeMeaning {
        match code {
            45009 => CodeMeaning::RateLimited { honours_retry_after: false },
            _ => CodeMeaning::Refused,
        }
    }
    fn rate_limits(&self) -> &'static [(usize, u64)] {
        &[(20, 60_000)]
    }
    fn rate_block_ms(&self) -> u64 {
        60_000
    }
    /// Images are sent as bytes (fetched and inlined); files by media_id (uploaded).
    fn media(&self) -> Option<MediaStep> {
        Some(MediaStep {
            inline_image_limit: Some(IMAGE_LIMIT),
            file_upload: Some(FileUpload {
                upload_url,
                field: "media",
                min_bytes: 5,
                max_bytes: FILE_LIMIT,
                limit_text: "WeCom files are 5 bytes to 20 MB",
                media_id: uploaded_media_id,
            }),
        })
    }
    fn limits_info(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.put("textBytes", TEXT_LIMIT.into());
        m.put("markdownBytes", MARKDOWN_LIMIT.into());
        m.put("newsArticles", MAX_ARTICLES.into());
        m.put("imageBytes", IMAGE_LIMIT.into());
        m
    }
    fn signing_how(&self) -> &'static str {
        "not signed: the key in the URL is the credential"
    }
    fn credential_placeholder(&self) -> &'static str {
        "YOUR_WEBHOOK_KEY"
    }
}

/// The upload URL for a send URL: same host and key, `upload_media`, `type=file`.
fn upload_url(send_url: &str) -> Option<String> {
    let (head, query) = send_url.split_once('?')?;
    let head = head.strip_suffix("/webhook/send")?;
    Some(format!("{head}/webhook/upload_media?{query}&type=file"))
}

/// The media_id of a successful upload answer.
fn uploaded_media_id(v: &Value) -> Option<String> {
    if v.get("errcode").and_then(Value::as_i64) != Some(0) {
        return None;
    }
    v.get("media_id").and_then(Value::as_str).map(str::to_string)
}

pub use crate::sign::hex;

fn news(articles: &[Article], ctx: &mut Ctx<'_>) -> Result<Vec<Payload>> {
    let mut clipped = false;
    let rendered: Vec<Payload> = articles
        .iter()
        .map(|a| {
            let (title, c1) = clip_bytes(&a.title, TITLE_LIMIT);
            let mut o = Obj::new();
            o.put("title", Payload::from(title));
            if let Some(d) = &a.description {
                let (d, c2) = clip_bytes(d, DESCRIPTION_LIMIT);
                clipped |= c2;
                o.put("description", Payload::from(d));
            }
            clipped |= c1;
            o.put("url", Payload::from(a.url.clone()));
            if let Some(p) = &a.image_url {
                o.put("picurl", Payload::from(p.clone()));
            }
            Payload::Object(o)
        })
        .collect();
    if clipped {
        ctx.degraded.push(
            "article",
            "shortened",
            "WeCom news titles take 128 bytes and descriptions 512; longer ones were cut with …",
        );
    }
    let chunks: Vec<&[Payload]> = if rendered.len() <= MAX_ARTICLES {
        vec![&rendered[..]]
    } else {
        match ctx.opts.overflow {
            Overflow::Error => {
                return Err(Error::at(
                    "content.body.links",
                    format!("has {} links; WeCom news takes {MAX_ARTICLES} (overflow: \"error\")", rendered.len()),
                ));
            }
            Overflow::Truncate => {
                ctx.degraded.push(
                    "news",
                    "truncated",
                    format!("{} articles; WeCom news takes {MAX_ARTICLES}", rendered.len()),
                );
                vec![&rendered[..MAX_ARTICLES]]
            }
            Overflow::Split => {
                let c: Vec<&[Payload]> = rendered.chunks(MAX_ARTICLES).collect();
                ctx.degraded.push(
                    "content",
                    format!("{} messages", c.len()),
                    format!("{} articles; WeCom news takes {MAX_ARTICLES} a message", rendered.len()),
                );
                c
            }
        }
    };
    Ok(chunks.into_iter().map(|c| obj! {"msgtype" => "news", "news" => obj!{"articles" => c}}).collect())
}

/// Keys of the seed's WeCom card bodies (and WeCom's own) that are rebuilt
/// here from the card read from them; every other key of such a body is
/// WeCom's own and passes through as written (source, quote_area,
/// vertical_content_list, card_image, image_text_area, task_id, ...).
const REBUILT_KEYS: [&str; 16] = [
    "card_type",
    "title",
    "description",
    "emphasis",
    "emphasis_content",
    "action",
    "card_action",
    "text",
    "sub_title_text",
    "main_title",
    "color",
    "url",
    "horizontal_content_list",
    "jump_list",
    "fields",
    "buttons",
];

/// A template card, or `None` when the card cannot be one (recorded) and
/// should go down the ladder to markdown. The steps a card takes are recorded
/// only if the card is what gets sent. A card with nothing to show is refused.
fn template_card(card: &Card, ctx: &mut Ctx<'_>) -> Result<Option<Payload>> {
    let down = |ctx: &mut Ctx<'_>, why: &str| {
        ctx.degraded.push("card", "markdown", why.to_string());
        Ok(None)
    };
    let mut steps = crate::degrade::Degraded::default();
    let native = matches!(card.flavor, CardFlavor::WecomTextNotice | CardFlavor::WecomNewsNotice);
    let empty = Map::new();
    let orig = if native { card.original.as_object().unwrap_or(&empty) } else { &empty };
    // card_action: a WeCom body's own (a mini program needs no URL), else a URL to open
    let own_action =
        orig.get("card_action").or_else(|| orig.get("action")).filter(|a| a.is_object()).map(Payload::from);
    let action = match own_action {
        Some(a) => a,
        None => match card.url.clone().or_else(|| card.buttons.first().map(|b| b.url.clone())) {
            Some(u) => obj! {"type" => 1, "url" => u},
            None => return down(ctx, "WeCom template cards need a URL to open (card_action); the card has none"),
        },
    };
    let news_notice = card.flavor == CardFlavor::WecomNewsNotice;
    if news_notice && card.title.is_none() {
        return down(ctx, "WeCom news_notice cards need a title");
    }
    if !news_notice && card.title.is_none() && card.text.is_none() {
        return down(ctx, "WeCom text_notice cards need a title or text");
    }
    let mut tc = Obj::new();
    for (k, v) in orig {
        if !REBUILT_KEYS.contains(&k.as_str()) {
            tc.push_new(k.clone(), Payload::from(v));
        }
    }
    tc.put("card_type", if news_notice { "news_notice" } else { "text_notice" });
    let mut mt = Obj::new();
    if let Some(t) = &card.title {
        mt.put("title", Payload::from(t.clone()));
    }
    if let Some(s) = &card.subtitle {
        mt.put("desc", Payload::from(s.clone()));
    }
    if !mt.is_empty() {
        tc.put("main_title", Payload::Object(mt));
    }
    // Rows (6) and jumps (3): a WeCom body's own entries as written (typed rows,
    // mini-program jumps), else the card's fields and buttons.
    let mut rows: Vec<Payload> = Vec::new();
    let mut jumps: Vec<Payload> = Vec::new();
    let mut extra_lines: Vec<String> = Vec::new();
    let row_line = |r: &Payload| {
        let get = |k: &str| r.get(k).and_then(Payload::as_str).unwrap_or_default().to_string();
        format!("{}: {}", get("keyname"), get("value"))
    };
    let candidate_rows: Vec<Payload> = if native {
        orig.get("horizontal_content_list")
            .and_then(Value::as_array)
            .map(|a| a.iter().map(Payload::from).collect())
            .unwrap_or_default()
    } else {
        card.fields
            .iter()
            .map(|f| match &f.url {
                Some(u) => {
                    obj! {"keyname" => f.name.clone(), "value" => f.value.clone(), "type" => 1, "url" => u.clone()}
                }
                None => obj! {"keyname" => f.name.clone(), "value" => f.value.clone()},
            })
            .collect()
    };
    for r in candidate_rows {
        if rows.len() < MAX_HORIZONTAL {
            rows.push(r);
        } else {
            extra_lines.push(row_line(&r));
            steps.push("field", "text", "WeCom cards show at most 6 rows; the rest are lines of text");
        }
    }
    let candidate_jumps: Vec<Payload> = if native {
        orig.get("jump_list")
            .and_then(Value::as_array)
            .map(|a| a.iter().map(Payload::from).collect())
            .unwrap_or_default()
    } else {
        card.buttons.iter().map(|b| obj! {"type" => 1, "title" => b.text.clone(), "url" => b.url.clone()}).collect()
    };
    for j in candidate_jumps {
        let title = j.get("title").and_then(Payload::as_str).unwrap_or_default().to_string();
        let url = j.get("url").and_then(Payload::as_str).map(str::to_string);
        if jumps.len() < MAX_JUMPS {
            jumps.push(j);
        } else if let (Some(u), true) = (&url, rows.len() < MAX_HORIZONTAL) {
            rows.push(obj! {"keyname" => title, "value" => u.clone(), "type" => 1, "url" => u.clone()});
            steps.push("button", "link", "WeCom cards have at most 3 buttons; the rest are links in the card");
        } else {
            extra_lines.push(match &url {
                Some(u) => format!("{title}: {u}"),
                None => title,
            });
            steps.push("button", "text", "WeCom cards have at most 3 buttons and 6 rows; the rest are lines of text");
        }
    }
    // A neutral card's image: text_notice has no picture; it becomes a link.
    if let (false, Some(img)) = (native, &card.image_url) {
        if rows.len() < MAX_HORIZONTAL {
            rows.push(obj! {"keyname" => "Image", "value" => "open", "type" => 1, "url" => img.clone()});
        } else {
            extra_lines.push(format!("Image: {img}"));
        }
        steps.push("image", "link", "WeCom text_notice cards show no picture; the image is a link");
    }
    // Text: plain and short; news_notice has no text field, so there it is a quote.
    // a text that shows nothing (only link definitions, HTML) is no text: an empty
    // sub_title_text is refused, and a card with nothing else has nothing to send
    let mut text = card.text.as_deref().map(|t| markdown::render_inline(t, Dialect::Plain)).filter(|t| !blank(t));
    if text.is_none() && only_text(card) {
        return Err(renders_to_nothing(
            super::common::card_nothing_path(card),
            "WeCom",
            card.text.as_deref().unwrap_or_default(),
        ));
    }
    if !extra_lines.is_empty() {
        let joined = extra_lines.join("\n");
        text = Some(match text {
            Some(t) => format!("{t}\n{joined}"),
            None => joined,
        });
    }
    if !news_notice && card.title.is_none() && text.is_none() {
        return down(ctx, "WeCom text_notice cards need a title or text");
    }
    if let Some(t) = text {
        if t.chars().count() > CARD_TEXT_CHARS {
            return down(ctx, "the text is longer than the 112 characters a WeCom card shows");
        }
        if news_notice {
            if !tc.contains_key("quote_area") {
                tc.put("quote_area", obj! {"type" => 0, "quote_text" => t});
            } else {
                steps.push(
                    "text",
                    "none",
                    "a WeCom news_notice card with its own quote_area has no place for more text",
                );
            }
        } else {
            tc.put("sub_title_text", Payload::from(t));
        }
    }
    if let Some((big, desc)) = &card.emphasis {
        if news_notice {
            let mut list = tc.get("vertical_content_list").and_then(Payload::as_array).cloned().unwrap_or_default();
            if list.len() < 4 {
                list.insert(0, obj! {"title" => big.clone(), "desc" => desc.clone().unwrap_or_default()});
                tc.put("vertical_content_list", Payload::Array(list));
            } else {
                steps.push("emphasis", "none", "a WeCom news_notice card holds 4 vertical rows, all taken");
            }
        } else {
            let mut e = Obj::new();
            e.put("title", Payload::from(big.clone()));
            if let Some(d) = desc {
                e.put("desc", Payload::from(d.clone()));
            }
            tc.put("emphasis_content", Payload::Object(e));
        }
    }
    if !rows.is_empty() {
        tc.put("horizontal_content_list", Payload::Array(rows));
    }
    if !jumps.is_empty() {
        tc.put("jump_list", Payload::Array(jumps));
    }
    if news_notice && !tc.contains_key("card_image") && !tc.contains_key("image_text_area") {
        return down(ctx, "WeCom news_notice cards need card_image or image_text_area");
    }
    tc.put("card_action", action);
    if card.color.is_some() {
        steps.push("color", "none", "WeCom cards have no header colour");
    }
    for d in steps.0 {
        ctx.degraded.push(d.from, d.to, d.reason);
    }
    Ok(Some(obj! {"msgtype" => "template_card", "template_card" => tc}))
}
