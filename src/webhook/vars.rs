//! The variables a webhook template may use, and their values for a message.
//!
//! For: naming a variable at config time ([`Var::parse`], an unknown name is
//! an error) and reading its value at render time ([`resolve`]). Not for:
//! where the value goes or how it is escaped (see [`super::template`]).
//!
//! | variable | value |
//! |---|---|
//! | `sign` | the signature described in [`super::signing`] (needs `secret`) |
//! | `timestamp` | unix seconds of the render clock (a number where a value goes) |
//! | `time` | the render clock: `iso` (default, `2026-11-30T10:58:38.000Z`), `unix`, `unix_ms` |
//! | `title` | `content.title`, else the card's, link's or first article's title |
//! | `subTitle` | the card's subtitle, else the link's text or first article's description |
//! | `logo` | the message's `content.logo`, if it has one |
//! | `image` | the image URL of an image body, card, link or first article |
//! | `message` | the body: natural (markdown source or text), `text`, `markdown`, `html` |
//! | `type` | the message type: `text`, `markdown`, `card`, ... |
//! | `message_id`, `correlation_id` | from `metadata` |
//! | `card` | the card as `markdown` (default), `text` or `html` |
//! | `card.title`, `card.subtitle`, `card.text`, `card.url`, `card.image` | the card's parts |
//! | `card.fields`, `card.buttons` | arrays of `{name, value, url}` / `{text, url}` where a value goes; `text` / `markdown` renderings |
//! | `card.fields.NAME` | the value of the field named NAME |
//! | `card.buttons.TEXT` | the URL of the button whose text is TEXT |
//! | `content.…`, `metadata.…` | any field of the message as given, by path (`content.body.items[0].id`) |
//!
//! Every variable also takes `url` (percent-encoded, for a query string or a
//! header).
//!
//! `message` of a `text` message is the text as is in every format but
//! `html` (escaped, line breaks as `<br>`): it is not escaped for markdown.
//! Of a card, link, news, image or file message it is a markdown rendering of
//! the body, which `text` and `html` then write from the markdown IR. Of a
//! `raw` message it is an `UNSUPPORTED` error (use `content.body…` paths).

use serde_json::{Map, Value, json};

use super::Message;
use crate::error::{Error, Result};
use crate::markdown::{self, Dialect};
use crate::model::{Body, Card};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// No format given: each variable's own default.
    Natural,
    Iso,
    Unix,
    UnixMs,
    Text,
    Markdown,
    Html,
    Url,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        Some(match s {
            "iso" => Format::Iso,
            "unix" => Format::Unix,
            "unix_ms" => Format::UnixMs,
            "text" => Format::Text,
            "markdown" => Format::Markdown,
            "html" => Format::Html,
            "url" => Format::Url,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Natural => "",
            Format::Iso => "iso",
            Format::Unix => "unix",
            Format::UnixMs => "unix_ms",
            Format::Text => "text",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Url => "url",
        }
    }
}

/// A step of a message path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Var {
    Sign,
    Timestamp,
    Time,
    Title,
    SubTitle,
    Logo,
    Image,
    Message,
    Type,
    MessageId,
    CorrelationId,
    Card,
    CardTitle,
    CardSubtitle,
    CardText,
    CardUrl,
    CardImage,
    CardFields,
    CardField(String),
    CardButtons,
    CardButton(String),
    /// A path into the message as given, from `content` or `metadata`.
    Path(Vec<Seg>),
}

const KNOWN: &str = "sign, timestamp, time, title, subTitle, logo, image, message, type, message_id, \
                     correlation_id, card, card.title, card.subtitle, card.text, card.url, card.image, \
                     card.fields, card.fields.NAME, card.buttons, card.buttons.TEXT, or a message path \
                     such as content.body.text or metadata.correlation_id";

/// Deepest message path accepted.
pub const MAX_PATH_SEGMENTS: usize = 32;

impl Var {
    pub fn parse(name: &str) -> std::result::Result<Var, String> {
        Ok(match name {
            "sign" => Var::Sign,
            "timestamp" => Var::Timestamp,
            "time" => Var::Time,
            "title" => Var::Title,
            "subTitle" | "subtitle" => Var::SubTitle,
            "logo" => Var::Logo,
            "image" => Var::Image,
            "message" => Var::Message,
            "type" => Var::Type,
            "message_id" => Var::MessageId,
            "correlation_id" => Var::CorrelationId,
            "card" => Var::Card,
            "card.title" => Var::CardTitle,
            "card.subtitle" | "card.subTitle" => Var::CardSubtitle,
            "card.text" => Var::CardText,
            "card.url" => Var::CardUrl,
            "card.image" => Var::CardImage,
            "card.fields" => Var::CardFields,
            "card.buttons" => Var::CardButtons,
            n if n.starts_with("card.fields.") && n.len() > "card.fields.".len() => {
                Var::CardField(n["card.fields.".len()..].to_string())
            }
            n if n.starts_with("card.buttons.") && n.len() > "card.buttons.".len() => {
                Var::CardButton(n["card.buttons.".len()..].to_string())
            }
            n if n == "content" || n == "metadata" || n.starts_with("content.") || n.starts_with("metadata.") => {
                Var::Path(parse_path(n)?)
            }
            n => {
                return Err(format!("unknown variable '{}'; known: {KNOWN}", crate::model::clip(n, 60)));
            }
        })
    }

    /// The formats this variable takes, [`Format::Natural`] first.
    pub fn formats(&self) -> &'static [Format] {
        use Format::*;
        match self {
            Var::Time => &[Natural, Iso, Unix, UnixMs, Url],
            Var::Message | Var::Card | Var::CardText => &[Natural, Text, Markdown, Html, Url],
            Var::CardFields | Var::CardButtons => &[Natural, Text, Markdown, Url],
            _ => &[Natural, Url],
        }
    }
}

fn parse_path(name: &str) -> std::result::Result<Vec<Seg>, String> {
    let bad = |why: &str| format!("bad message path '{}': {why}", crate::model::clip(name, 60));
    let mut segs = Vec::new();
    for part in name.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if key.is_empty() || key.contains(']') || key.chars().any(char::is_whitespace) {
            return Err(bad("each step is a key, optionally followed by [index]"));
        }
        segs.push(Seg::Key(key.to_string()));
        while !rest.is_empty() {
            let inner = rest.strip_prefix('[').and_then(|r| r.split_once(']'));
            let Some((n, after)) = inner else { return Err(bad("an index is written [0]")) };
            let i = n.parse::<usize>().map_err(|_| bad("an index is a whole number"))?;
            segs.push(Seg::Index(i));
            rest = after;
        }
        if segs.len() > MAX_PATH_SEGMENTS {
            return Err(bad("too deep"));
        }
    }
    Ok(segs)
}

/// What a render knows besides the message.
pub struct Ctx<'a> {
    pub msg: &'a Message,
    pub now_ms: u64,
    /// The `{{sign}}` value, when the target signs.
    pub sign: Option<&'a str>,
}

/// The value of `var` in `format` for this render.
pub fn resolve(var: &Var, format: Format, cx: &Ctx<'_>) -> Result<Val> {
    if format == Format::Url {
        let v = resolve(var, Format::Natural, cx)?;
        return Ok(match v {
            Val::Absent => Val::Absent,
            v => Val::Str(crate::sign::encode_query_value(&v.as_text())),
        });
    }
    let m = &cx.msg.parsed;
    let body = &m.content.body;
    let card = match body {
        Body::Card(c) => Some(c),
        _ => None,
    };
    let s = |o: Option<&String>| o.map_or(Val::Absent, |s| Val::Str(s.clone()));
    Ok(match var {
        Var::Sign => match cx.sign {
            Some(s) => Val::Str(s.to_string()),
            // the config refuses {{sign}} without a secret; never a silent empty string
            None => return Err(Error::config("{{sign}} needs the target's secret")),
        },
        Var::Timestamp => Val::Json(json!(cx.now_ms / 1000)),
        Var::Time => match format {
            Format::Unix => Val::Json(json!(cx.now_ms / 1000)),
            Format::UnixMs => Val::Json(json!(cx.now_ms)),
            _ => Val::Str(iso8601(cx.now_ms)),
        },
        Var::Title => s(m.content.title.as_ref().or(match body {
            Body::Card(c) => c.title.as_ref(),
            Body::Link(l) => Some(&l.title),
            Body::News(a) | Body::Feed(a) => a.first().map(|a| &a.title),
            _ => None,
        })),
        Var::SubTitle => s(match body {
            Body::Card(c) => c.subtitle.as_ref(),
            Body::Link(l) => l.text.as_ref(),
            Body::News(a) | Body::Feed(a) => a.first().and_then(|a| a.description.as_ref()),
            _ => None,
        }),
        Var::Logo => match cx.msg.raw.pointer("/content/logo") {
            Some(Value::String(u)) if !u.is_empty() => Val::Str(u.clone()),
            _ => Val::Absent,
        },
        Var::Image => s(match body {
            Body::Image(i) => i.url.as_ref(),
            Body::Card(c) => c.image_url.as_ref(),
            Body::Link(l) => l.image_url.as_ref(),
            Body::News(a) | Body::Feed(a) => a.first().and_then(|a| a.image_url.as_ref()),
            _ => None,
        }),
        Var::Message => message(body, format)?,
        Var::Type => Val::Str(body.type_name().to_string()),
        Var::MessageId => s(m.metadata.message_id.as_ref()),
        Var::CorrelationId => s(m.metadata.correlation_id.as_ref()),
        Var::Card => match card {
            Some(c) => Val::Str(from_markdown(&card_markdown(c), format)),
            None => Val::Absent,
        },
        Var::CardTitle => s(card.and_then(|c| c.title.as_ref())),
        Var::CardSubtitle => s(card.and_then(|c| c.subtitle.as_ref())),
        Var::CardUrl => s(card.and_then(|c| c.url.as_ref())),
        Var::CardImage => s(card.and_then(|c| c.image_url.as_ref())),
        Var::CardText => match card.and_then(|c| c.text.as_ref()) {
            Some(t) => Val::Str(from_markdown(t, format)),
            None => Val::Absent,
        },
        Var::CardFields => match card {
            None => Val::Absent,
            Some(c) => match format {
                Format::Text => Val::Str(c.fields.iter().map(field_text).collect::<Vec<_>>().join("\n")),
                Format::Markdown => Val::Str(c.fields.iter().map(field_markdown).collect::<Vec<_>>().join("\n")),
                _ => Val::Json(Value::Array(
                    c.fields
                        .iter()
                        .map(|f| {
                            let mut o = Map::new();
                            o.insert("name".into(), json!(f.name));
                            o.insert("value".into(), json!(f.value));
                            if let Some(u) = &f.url {
                                o.insert("url".into(), json!(u));
                            }
                            Value::Object(o)
                        })
                        .collect(),
                )),
            },
        },
        Var::CardField(name) => s(card.and_then(|c| c.fields.iter().find(|f| &f.name == name)).map(|f| &f.value)),
        Var::CardButtons => match card {
            None => Val::Absent,
            Some(c) => match format {
                Format::Text => {
                    Val::Str(c.buttons.iter().map(|b| format!("{}: {}", b.text, b.url)).collect::<Vec<_>>().join("\n"))
                }
                Format::Markdown => Val::Str(
                    c.buttons.iter().map(|b| format!("[{}]({})", b.text, b.url)).collect::<Vec<_>>().join("\n"),
                ),
                _ => Val::Json(Value::Array(c.buttons.iter().map(|b| json!({"text": b.text, "url": b.url})).collect())),
            },
        },
        Var::CardButton(text) => s(card.and_then(|c| c.buttons.iter().find(|b| &b.text == text)).map(|b| &b.url)),
        Var::Path(segs) => {
            let mut v = &cx.msg.raw;
            for seg in segs {
                let next = match (seg, v) {
                    (Seg::Key(k), Value::Object(o)) => o.get(k),
                    (Seg::Index(i), Value::Array(a)) => a.get(*i),
                    _ => None,
                };
                match next {
                    Some(n) => v = n,
                    None => return Ok(Val::Absent),
                }
            }
            match v {
                Value::Null => Val::Absent,
                v => Val::Json(v.clone()),
            }
        }
    })
}

fn field_text(f: &crate::model::Field) -> String {
    format!("{}: {}", f.name, f.value)
}

fn field_markdown(f: &crate::model::Field) -> String {
    match &f.url {
        Some(u) => format!("**{}**: [{}]({u})", f.name, f.value),
        None => format!("**{}**: {}", f.name, f.value),
    }
}

/// A card as markdown: title, subtitle, text, emphasis, fields, buttons.
pub fn card_markdown(c: &Card) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(t) = &c.title {
        parts.push(format!("**{t}**"));
    }
    if let Some(s) = &c.subtitle {
        parts.push(s.clone());
    }
    if let Some(t) = &c.text {
        parts.push(t.clone());
    }
    if let Some((t, d)) = &c.emphasis {
        parts.push(match d {
            Some(d) => format!("**{t}** {d}"),
            None => format!("**{t}**"),
        });
    }
    if !c.fields.is_empty() {
        parts.push(c.fields.iter().map(field_markdown).collect::<Vec<_>>().join("  \n"));
    }
    if !c.buttons.is_empty() {
        parts.push(c.buttons.iter().map(|b| format!("[{}]({})", b.text, b.url)).collect::<Vec<_>>().join(" · "));
    }
    parts.join("\n\n")
}

/// Plain text of a markdown source (the crate's own plain writer).
pub fn plain(src: &str) -> String {
    markdown::render(&markdown::parse(src), Dialect::Plain).0.join(markdown::block_separator(Dialect::Plain))
}

fn from_markdown(src: &str, format: Format) -> String {
    match format {
        Format::Text => plain(src),
        Format::Html => super::html::to_html(&markdown::parse(src)),
        _ => src.to_string(),
    }
}

fn message(body: &Body, format: Format) -> Result<Val> {
    let md = match body {
        Body::Text(t) => {
            return Ok(Val::Str(match format {
                Format::Html => super::html::escape(t).replace('\n', "<br>"),
                _ => t.clone(),
            }));
        }
        Body::Markdown(src) => src.clone(),
        Body::Card(c) => card_markdown(c),
        Body::Link(l) => match &l.text {
            Some(t) => format!("[{}]({})\n\n{t}", l.title, l.url),
            None => format!("[{}]({})", l.title, l.url),
        },
        Body::News(a) | Body::Feed(a) => a
            .iter()
            .map(|a| match &a.description {
                Some(d) => format!("- [{}]({}): {d}", a.title, a.url),
                None => format!("- [{}]({})", a.title, a.url),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        Body::Image(i) => match (&i.url, &i.alt) {
            (Some(u), alt) => format!("![{}]({u})", alt.as_deref().unwrap_or("")),
            (None, Some(alt)) => alt.clone(),
            (None, None) => String::new(),
        },
        Body::File(f) => match (&f.url, &f.name) {
            (Some(u), n) => format!("[{}]({u})", n.as_deref().unwrap_or("file")),
            (None, Some(n)) => n.clone(),
            (None, None) => String::new(),
        },
        Body::Raw(_) => {
            return Err(Error::unsupported(
                "a raw message carries platform payloads only; {{message}} has nothing to show (use content.body paths)",
            ));
        }
    };
    Ok(Val::Str(from_markdown(&md, format)))
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` (as JavaScript's `toISOString`).
pub fn iso8601(ms: u64) -> String {
    let secs = ms / 1000;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, mo, d) = civil_from_days(days as i64);
    format!("{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z", rem / 3600, (rem % 3600) / 60, rem % 60, ms % 1000)
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Days since 1970-01-01 of a date (the inverse of [`civil_from_days`]).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}
/// A value to put in a slot.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Absent,
    Str(String),
    /// A number, boolean, object or array (a string too, from a message path).
    Json(Value),
}

impl Val {
    pub(crate) fn is_empty(&self) -> bool {
        match self {
            Val::Absent => true,
            Val::Str(s) => s.is_empty(),
            Val::Json(Value::Null) => true,
            Val::Json(Value::String(s)) => s.is_empty(),
            Val::Json(_) => false,
        }
    }

    /// The value as text (a string as is, anything else as compact JSON).
    pub fn as_text(&self) -> String {
        match self {
            Val::Absent => String::new(),
            Val::Str(s) | Val::Json(Value::String(s)) => s.clone(),
            Val::Json(v) => crate::json::to_string(v),
        }
    }
}
