//! The degradation record: each thing a platform could not show as given, what
//! it became, and why (`degraded: [{from, to, reason}]` in every result).
//!
//! The ladder itself lives with each platform (a card becomes markdown with
//! links, markdown becomes text, an image becomes a link, ...); this module is
//! the one place steps are recorded, so none goes unreported.

/// One step down the ladder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Degradation {
    pub from: String,
    pub to: String,
    pub reason: String,
}

/// The steps taken while rendering one message, each (from, to) once.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Degraded(pub Vec<Degradation>);

impl Degraded {
    pub fn push(&mut self, from: impl Into<String>, to: impl Into<String>, reason: impl Into<String>) {
        self.record(Degradation { from: from.into(), to: to.into(), reason: reason.into() });
    }

    /// Record a step; one entry per (from, to): the first reason given is the most specific.
    pub fn record(&mut self, d: Degradation) {
        if !self.0.iter().any(|x| x.from == d.from && x.to == d.to) {
            self.0.push(d);
        }
    }

    /// Record what a markdown writer lost, each worded by the platform (`why`).
    pub fn losses(&mut self, losses: &[crate::markdown::Loss], why: impl Fn(&crate::markdown::Loss) -> &'static str) {
        for l in losses {
            self.push(l.from, l.to, why(l));
        }
    }
}

// ---- the ladder's shared steps: everything can become markdown ----

use crate::model::{Article, Card, File, Image, Link, Mention};

/// Escape what would read as markup when plain text is put into markdown: titles, fields
/// and bodies alike (see [`crate::markdown::escape_text`]).
pub fn md_escape(s: &str) -> String {
    crate::markdown::escape_text(s, false)
}

/// `[text](url)`: the text escaped as link text, `)` and ` ` of the URL percent-encoded.
fn md_link(text: &str, url: &str) -> String {
    let mut out = String::with_capacity(text.len() + url.len() + 4);
    link_into(&mut out, text, url);
    out
}

/// A card as markdown: title, subtitle, the big figure, text, `**name**: value`
/// fields, the image, and every button as a link.
pub fn card_to_markdown(card: &Card, with_title: bool) -> String {
    card_markdown(card, with_title, true)
}

/// [`card_to_markdown`] without the buttons and the card's own link (a card whose buttons
/// are shown as buttons).
pub fn card_body_to_markdown(card: &Card) -> String {
    card_markdown(card, false, false)
}

/// [`card_markdown`]'s parts written into one string (no `format!`, no string per part and per
/// field joined afterwards: in wasm a DingTalk card's render spent ~4.5 % here). The parts are
/// those of `by_parts::card_markdown` (the form it replaced, kept for the tests), in its order,
/// each after a blank line.
fn card_markdown(card: &Card, with_title: bool, with_links: bool) -> String {
    let mut out = String::with_capacity(card.text.as_ref().map_or(0, String::len) + 64 * (card.fields.len() + 2));
    // a blank line before every part but the first; an empty first part still separates: whether a part was written, not whether text was
    let mut first = true;
    let mut next = |out: &mut String| {
        if !first {
            out.push_str("\n\n");
        }
        first = false;
    };
    if with_title {
        if let Some(t) = &card.title {
            next(&mut out);
            out.push_str("**");
            escape_into(&mut out, t, false);
            out.push_str("**");
        }
    }
    if let Some(s) = &card.subtitle {
        next(&mut out);
        escape_into(&mut out, s, false);
    }
    if let Some((big, desc)) = &card.emphasis {
        next(&mut out);
        out.push_str("**");
        escape_into(&mut out, big, false);
        out.push_str("**");
        if let Some(d) = desc {
            out.push(' ');
            escape_into(&mut out, d, false);
        }
    }
    if let Some(t) = &card.text {
        next(&mut out);
        out.push_str(t);
    }
    if !card.fields.is_empty() {
        next(&mut out);
        for (i, f) in card.fields.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str("- **");
            escape_into(&mut out, &f.name, false);
            out.push_str("**: ");
            match &f.url {
                Some(u) => link_into(&mut out, &f.value, u),
                None => escape_into(&mut out, &f.value, false),
            }
        }
    }
    if let Some(img) = &card.image_url {
        next(&mut out);
        out.push_str("![image](");
        out.push_str(img);
        out.push(')');
    }
    if !with_links {
        return out;
    }
    if !card.buttons.is_empty() {
        next(&mut out);
        for (i, b) in card.buttons.iter().enumerate() {
            if i > 0 {
                out.push_str(" · ");
            }
            link_into(&mut out, &b.text, &b.url);
        }
    } else if let Some(u) = &card.url {
        next(&mut out);
        link_into(&mut out, "Open", u);
    }
    out
}

/// [`md_escape`] (`link`: [`md_link`]'s text) written into `out`.
fn escape_into(out: &mut String, s: &str, link: bool) {
    crate::markdown::escape_text_into(out, s, link);
}

/// [`md_link`] written into `out` (the one link writer).
fn link_into(out: &mut String, text: &str, url: &str) {
    out.push('[');
    escape_into(out, text, true);
    out.push_str("](");
    // `)` and ` ` percent-encoded, the rest as given (what the two `replace`s wrote)
    let mut copied = 0;
    for (i, c) in url.bytes().enumerate() {
        let enc = match c {
            b')' => "%29",
            b' ' => "%20",
            _ => continue,
        };
        out.push_str(&url[copied..i]);
        out.push_str(enc);
        copied = i + 1;
    }
    out.push_str(&url[copied..]);
    out.push(')');
}

/// Tests: the card's markdown as it was written before (parts joined), the reference.
#[cfg(test)]
pub(crate) mod by_parts {
    use super::md_escape;
    use crate::model::Card;

    /// The link as it was written before (escape, then two `replace`s of the URL).
    fn md_link(text: &str, url: &str) -> String {
        format!("[{}]({})", crate::markdown::escape_text(text, true), url.replace(')', "%29").replace(' ', "%20"))
    }

    pub(crate) fn card_markdown(card: &Card, with_title: bool, with_links: bool) -> String {
        let mut parts: Vec<String> = Vec::new();
        if with_title {
            if let Some(t) = &card.title {
                parts.push(format!("**{}**", md_escape(t)));
            }
        }
        if let Some(s) = &card.subtitle {
            parts.push(md_escape(s));
        }
        if let Some((big, desc)) = &card.emphasis {
            match desc {
                Some(d) => parts.push(format!("**{}** {}", md_escape(big), md_escape(d))),
                None => parts.push(format!("**{}**", md_escape(big))),
            }
        }
        if let Some(t) = &card.text {
            parts.push(t.clone());
        }
        if !card.fields.is_empty() {
            let lines: Vec<String> = card
                .fields
                .iter()
                .map(|f| match &f.url {
                    Some(u) => format!("- **{}**: {}", md_escape(&f.name), md_link(&f.value, u)),
                    None => format!("- **{}**: {}", md_escape(&f.name), md_escape(&f.value)),
                })
                .collect();
            parts.push(lines.join("\n"));
        }
        if let Some(img) = &card.image_url {
            parts.push(format!("![image]({img})"));
        }
        if !with_links {
            return parts.join("\n\n");
        }
        let mut links: Vec<String> = card.buttons.iter().map(|b| md_link(&b.text, &b.url)).collect();
        if links.is_empty() {
            if let Some(u) = &card.url {
                links.push(md_link("Open", u));
            }
        }
        if !links.is_empty() {
            parts.push(links.join(" · "));
        }
        parts.join("\n\n")
    }
}

/// Articles as a markdown list of links with their descriptions.
pub fn articles_to_markdown(articles: &[Article]) -> String {
    articles
        .iter()
        .map(|a| {
            let mut s = format!("- {}", md_link(&a.title, &a.url));
            if let Some(d) = &a.description {
                s.push_str("  \n  ");
                s.push_str(&md_escape(d));
            }
            s
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn link_to_markdown(l: &Link) -> String {
    let mut s = format!("**{}**", md_link(&l.title, &l.url));
    if let Some(t) = &l.text {
        s.push_str("\n\n");
        s.push_str(&md_escape(t));
    }
    s
}

pub fn file_to_markdown(f: &File, url: &str) -> String {
    format!("📎 {}", md_link(f.name.as_deref().unwrap_or("file"), url))
}

pub fn image_to_markdown(img: &Image, url: &str) -> String {
    format!("![{}]({url})", md_escape(img.alt.as_deref().unwrap_or("image")))
}

/// Mentions a platform cannot notify, as visible text: `@Zhang San @13900000000`,
/// each name passed through `escape` for where it lands (markdown, Feishu text).
pub fn visible_mentions(ms: &[&Mention], escape: fn(&str) -> String) -> String {
    ms.iter().map(|m| escape(&m.visible())).collect::<Vec<_>>().join(" ")
}

/// Plain text as is.
pub fn as_is(s: &str) -> String {
    s.to_string()
}

/// Text for Feishu, whose text messages read `<at ...>` tags: `&`, `<`, `>` escaped.
pub fn html_escape(s: &str) -> String {
    // one pass, one allocation (three `replace`s made three of each); an index loop:
    // `bytes().enumerate()` here made that adapter out of line in `json::write_str` too
    let (bytes, mut out, mut last, mut i) = (s.as_bytes(), String::with_capacity(s.len()), 0, 0);
    while i < bytes.len() {
        let rep = match bytes[i] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            _ => {
                i += 1;
                continue;
            }
        };
        out.push_str(&s[last..i]);
        out.push_str(rep);
        i += 1;
        last = i;
    }
    out.push_str(&s[last..]);
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    /// A string of what the card writer escapes, encodes or passes on: markup, `)` and spaces
    /// (in URLs), line breaks, empty strings, multi-byte characters.
    fn piece() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            proptest::sample::select(vec![
                "a", "*", "_", "[", "]", "(", ")", " ", "\n", "#", "1.", "<b>", "·", "中", "é", "`", "|", "-",
            ]),
            0..8,
        )
        .prop_map(|v| v.concat())
    }

    fn card() -> impl Strategy<Value = crate::model::Card> {
        use crate::model::{Button, ButtonStyle, Card, CardFlavor, Field};
        let field =
            (piece(), piece(), proptest::option::of(piece())).prop_map(|(name, value, url)| Field { name, value, url });
        let button = (piece(), piece()).prop_map(|(text, url)| Button { text, url, style: ButtonStyle::Default });
        (
            (proptest::option::of(piece()), proptest::option::of(piece()), proptest::option::of(piece())),
            proptest::option::of((piece(), proptest::option::of(piece()))),
            proptest::collection::vec(field, 0..4),
            proptest::collection::vec(button, 0..4),
            (proptest::option::of(piece()), proptest::option::of(piece())),
        )
            .prop_map(|((title, subtitle, text), emphasis, fields, buttons, (image_url, url))| Card {
                flavor: CardFlavor::Neutral,
                title,
                subtitle,
                text,
                emphasis,
                fields,
                buttons,
                image_url,
                url,
                color: None,
                hide_avatar: false,
                buttons_horizontal: false,
                original: serde_json::Value::Null,
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// The card's markdown written into one string is the parts joined as before, with and
        /// without the title and the links.
        #[test]
        fn card_markdown_is_the_parts_joined(c in card(), with_title: bool, with_links: bool) {
            prop_assert_eq!(
                super::card_markdown(&c, with_title, with_links),
                super::by_parts::card_markdown(&c, with_title, with_links)
            );
        }
    }

    proptest! {
        /// The one-pass escape writes what the three `replace`s it replaced wrote.
        #[test]
        fn html_escape_is_the_three_replaces(s in "[&<>a-z é中\u{1F600}]{0,40}|\\PC{0,40}") {
            prop_assert_eq!(super::html_escape(&s), s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;"));
        }
    }
}
