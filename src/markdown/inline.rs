//! The inline writer for the string dialects: emphasis, code, links,
//! images, colours and mentions, each as its dialect writes it.

use super::escape::esc;
use super::ir::*;
use super::writer::Writer;

/// Writes inlines in `cx.dialect`; `flags` are `InlineWriter::*`.
pub(crate) fn inline(cx: &mut Writer, v: &[Inline], flags: u8) -> String {
    // about what the text will take, so the string seldom grows
    inline_in(cx, v, flags, String::with_capacity(text_len(v)))
}

/// [`inline`] written into `s` (emptied first): a buffer used again, for a line that is copied
/// on (a list item's).
pub(crate) fn inline_in(cx: &mut Writer, v: &[Inline], flags: u8, mut s: String) -> String {
    s.clear();
    let mut w = InlineWriter {
        dialect: cx.dialect,
        cx,
        s,
        start: flags & InlineWriter::PARA != 0,
        one_line: flags & InlineWriter::PARA == 0,
        cell: flags & InlineWriter::CELL != 0,
        bold: flags & InlineWriter::BOLD != 0,
        em: false,
        strike: false,
        link: false,
        opened: 0,
    };
    w.run(v);
    w.s
}

/// The inline writer for the string dialects.
pub(crate) struct InlineWriter<'a> {
    cx: &'a mut Writer,
    dialect: Dialect,
    s: String,
    /// At the start of a line (block markers would be read from the text).
    start: bool,
    one_line: bool,
    /// In a GFM table cell (`|` must be escaped).
    cell: bool,
    bold: bool,
    em: bool,
    strike: bool,
    link: bool,
    /// Where the last opening marker ended.
    opened: usize,
}

impl InlineWriter<'_> {
    /// A paragraph (line breaks kept, line starts escaped); otherwise one line.
    pub(crate) const PARA: u8 = 1;
    pub(crate) const CELL: u8 = 2;
    /// Already bold: no `**` inside.
    pub(crate) const BOLD: u8 = 4;

    fn run(&mut self, v: &[Inline]) {
        use Dialect::*;
        let d = self.dialect;
        for i in v {
            match i {
                Inline::Text(t) => self.text(t),
                Inline::Code(c) if matches!(d, WecomMarkdown | WecomMarkdownV2) && !c.is_empty() => {
                    let fence = "`".repeat(longest_run(c, '`') + 1);
                    // a span drops one space from each end when both have one
                    let spaced = c.starts_with(' ') && c.ends_with(' ') && !c.trim_matches(' ').is_empty();
                    let ticks = c.starts_with('`') || c.ends_with('`');
                    let pad = if spaced || ticks { " " } else { "" };
                    if self.s.ends_with('`') {
                        self.s.push(' '); // two spans must not share a backtick run
                    }
                    // pieces pushed, not `format!` (its machinery is slow in wasm)
                    let s = &mut self.s;
                    s.push_str(&fence);
                    s.push_str(pad);
                    if self.cell {
                        s.push_str(&c.replace('|', "\\|"));
                    } else {
                        s.push_str(c);
                    }
                    s.push_str(pad);
                    s.push_str(&fence);
                    self.start = false;
                }
                Inline::Code(c) => self.text(c),
                Inline::Strong(c) => {
                    let on = d != Plain && !self.bold;
                    self.wrap(c, on, "**", |w| &mut w.bold);
                }
                Inline::Emph(c) => {
                    if d == WecomMarkdown {
                        self.cx.lose("emphasis", "text");
                    }
                    let on = matches!(d, WecomMarkdownV2 | DingTalk | LarkMd) && !self.em;
                    self.wrap(c, on, "*", |w| &mut w.em);
                }
                Inline::Strike(c) => {
                    if matches!(d, WecomMarkdown | DingTalk) {
                        self.cx.lose("strikethrough", "text");
                    }
                    let on = matches!(d, WecomMarkdownV2 | LarkMd) && !self.strike;
                    self.wrap(c, on, "~~", |w| &mut w.strike);
                }
                Inline::Link { url, content } => self.link(url, content),
                Inline::Image { url, alt } => self.image(url, alt),
                Inline::Font { color, content } => self.font(color, content),
                Inline::At(raw) => {
                    if d == LarkMd {
                        self.raw(raw);
                    }
                }
                Inline::Break if self.one_line => self.s.push(' '),
                Inline::Break => {
                    // markdown_v2 may be strict CommonMark, where "\n" alone is a space
                    self.s.push_str(if d == WecomMarkdownV2 { "  \n" } else { "\n" });
                    self.start = true;
                }
            }
        }
    }

    fn raw(&mut self, s: &str) {
        self.s.push_str(s);
        self.start = false;
    }

    fn text(&mut self, t: &str) {
        // indentation at a line start would make an indented code block
        let t = if self.start && self.dialect != Dialect::Plain { t.trim_start() } else { t };
        if t.is_empty() {
            return;
        }
        if self.dialect == Dialect::Plain {
            self.s.push_str(t);
        } else {
            esc(&mut self.s, t, self.start, self.link, self.cell);
        }
        self.start = false;
    }

    /// `open` content `close`, dropping both markers when the content came out empty.
    fn span(&mut self, open: &str, c: &[Inline], close: &str) {
        let (at, start) = (self.s.len(), self.start);
        self.raw(open);
        let mid = self.s.len();
        self.opened = mid;
        self.run(c);
        if self.s.len() == mid {
            self.s.truncate(at);
            self.start = start;
        } else {
            self.s.push_str(close);
        }
    }

    fn wrap(&mut self, c: &[Inline], on: bool, mark: &str, flag: fn(&mut Self) -> &mut bool) {
        if !on {
            return self.run(c);
        }
        // `*a**b*` would not read back as two spans: switch to `_` after a `*`
        let after_close = self.s.ends_with('*') && self.s.len() != self.opened;
        let mark = match mark {
            "*" if after_close => "_",
            "**" if after_close => "__",
            m => m,
        };
        *flag(self) = true;
        self.span(mark, c, mark);
        *flag(self) = false;
    }

    fn link(&mut self, url: &str, content: &[Inline]) {
        if url.is_empty() || self.link {
            return self.run(content);
        }
        let at = self.s.len();
        let one_line = self.one_line;
        self.link = true;
        self.one_line = true;
        if self.dialect == Dialect::Plain {
            self.run(content);
            let text = self.s.get(at..).unwrap_or("");
            if text.is_empty() || text == url {
                self.s.truncate(at);
                self.s.push_str(url);
            } else {
                self.s.push_str(" (");
                self.s.push_str(url);
                self.s.push(')');
            }
        } else {
            self.raw("[");
            self.run(content);
            if self.s.len() == at + 1 {
                self.text(url);
            }
            self.s.push_str("](");
            push_url(&mut self.s, url);
            self.s.push(')');
        }
        self.link = false;
        self.one_line = one_line;
        self.start = false;
    }

    fn image(&mut self, url: &str, alt: &str) {
        use Dialect::*;
        if url.is_empty() {
            return self.text(alt);
        }
        let link = self.link;
        self.link = true;
        match self.dialect {
            WecomMarkdownV2 | DingTalk => {
                self.raw("![");
                self.text(alt);
                self.s.push_str("](");
                push_url(&mut self.s, url);
                self.s.push(')');
            }
            WecomMarkdown | LarkMd => {
                self.cx.lose("image", "link");
                let alt = if alt.is_empty() { "image" } else { alt };
                if link {
                    self.text(alt);
                } else {
                    self.raw("[");
                    self.text(alt);
                    self.s.push_str("](");
                    push_url(&mut self.s, url);
                    self.s.push(')');
                }
            }
            Plain => {
                self.cx.lose("image", "link");
                self.s.push_str("[image");
                if !alt.is_empty() {
                    self.s.push_str(": ");
                    self.s.push_str(alt);
                }
                self.s.push(']');
                if !link {
                    self.s.push(' ');
                    self.s.push_str(url);
                }
            }
        }
        self.link = link;
        self.start = false;
    }

    fn font(&mut self, color: &str, c: &[Inline]) {
        use Dialect::*;
        let lower = color.to_ascii_lowercase();
        match self.dialect {
            _ if color.is_empty() => self.run(c),
            WecomMarkdown => {
                let color = match lower.as_str() {
                    "red" | "warning" => "warning",
                    "green" | "info" => "info",
                    "grey" | "gray" | "comment" => "comment",
                    _ => color,
                };
                self.span(&format!("<font color=\"{color}\">"), c, "</font>");
            }
            LarkMd => {
                let color = match lower.as_str() {
                    "warning" => "red",
                    "info" => "green",
                    "comment" | "gray" => "grey",
                    _ => color,
                };
                self.span(&format!("<font color='{color}'>"), c, "</font>");
            }
            Plain => self.run(c),
            WecomMarkdownV2 | DingTalk => {
                self.cx.lose("font", "text");
                self.run(c);
            }
        }
    }
}

/// About the bytes inlines write, to size the string once: the text and URLs of the first 64
/// (no deeper), scaled to all of them, a few bytes for any other, at most 64 KiB. An estimate,
/// cheap on a huge paragraph of tiny spans.
fn text_len(v: &[Inline]) -> usize {
    const SEEN: usize = 64;
    let head: usize = v
        .iter()
        .take(SEEN)
        .map(|i| match i {
            Inline::Text(t) => t.len(),
            Inline::Code(t) | Inline::At(t) => t.len(),
            Inline::Image { url, alt } => url.len() + alt.len() + 5,
            Inline::Link { url, .. } => url.len() + 16,
            _ => 8,
        })
        .fold(0, usize::saturating_add);
    // past 64 KiB the string grows as it must (no huge guess reserved)
    let all = if v.len() > SEEN { head.saturating_mul(v.len()) / SEEN } else { head };
    all.min(1 << 16)
}

/// A link destination that survives any markdown renderer: no spaces, no parentheses.
pub(crate) fn push_url(s: &mut String, url: &str) {
    // most URLs have none of these: copied whole
    if !url.bytes().any(|b| matches!(b, b' ' | b'(' | b')' | b'<' | b'>')) {
        return s.push_str(url);
    }
    for c in url.chars() {
        match c {
            ' ' => s.push_str("%20"),
            '(' => s.push_str("%28"),
            ')' => s.push_str("%29"),
            '<' => s.push_str("%3C"),
            '>' => s.push_str("%3E"),
            c => s.push(c),
        }
    }
}

pub(crate) fn longest_run(s: &str, c: char) -> usize {
    let (mut best, mut cur) = (0, 0);
    for x in s.chars() {
        cur = if x == c { cur + 1 } else { 0 };
        best = best.max(cur);
    }
    best
}
