//! The markdown IR ([`crate::markdown::Doc`]) written as HTML, for
//! `{{message|html}}`.
//!
//! For: a receiver that shows HTML (an email relay, a ticket system). Not
//! for: a full CommonMark HTML renderer (the IR is already what the chat
//! platforms can show), nor sanitising HTML written by someone else: inline
//! HTML in the source never reaches the IR except `<font color>` and `<br>`.
//! All text is escaped; a link or image whose URL is not http(s) or mailto
//! keeps its text and loses the link.

use crate::markdown::{Align, Block, Doc, Inline};

/// Escape text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn safe_url(u: &str) -> bool {
    let l = u.trim_start().to_ascii_lowercase();
    l.starts_with("https://") || l.starts_with("http://") || l.starts_with("mailto:")
}

/// A colour name or `#hex` as written in `<font color>`; anything else is dropped.
fn safe_color(c: &str) -> bool {
    (1..=20).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'#')
}

/// The document as HTML, one top-level block a line.
pub fn to_html(doc: &Doc) -> String {
    let mut out = String::new();
    for (i, b) in doc.blocks.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        block(b, &mut out);
    }
    out
}

fn block(b: &Block, out: &mut String) {
    match b {
        Block::Paragraph(v) => {
            out.push_str("<p>");
            inlines(v, out);
            out.push_str("</p>");
        }
        Block::Heading(level, v) => {
            let l = (*level).clamp(1, 6);
            out.push_str(&format!("<h{l}>"));
            inlines(v, out);
            out.push_str(&format!("</h{l}>"));
        }
        Block::Quote(bs) => {
            out.push_str("<blockquote>");
            bs.iter().for_each(|b| block(b, out));
            out.push_str("</blockquote>");
        }
        Block::List(first, items) => {
            let (open, close) = match first {
                Some(1) => ("<ol>".to_string(), "</ol>"),
                Some(n) => (format!("<ol start=\"{n}\">"), "</ol>"),
                None => ("<ul>".to_string(), "</ul>"),
            };
            out.push_str(&open);
            for item in items {
                out.push_str("<li>");
                // a tight item's single paragraph is written without <p>
                match item.as_slice() {
                    [Block::Paragraph(v)] => inlines(v, out),
                    bs => bs.iter().for_each(|b| block(b, out)),
                }
                out.push_str("</li>");
            }
            out.push_str(close);
        }
        Block::Code { lang, text } => {
            if lang.is_empty() {
                out.push_str("<pre><code>");
            } else {
                out.push_str(&format!("<pre><code class=\"language-{}\">", escape(lang)));
            }
            out.push_str(&escape(text));
            out.push_str("</code></pre>");
        }
        Block::Table { align, head, rows } => {
            let cell = |tag: &str, i: usize, c: &[Inline], out: &mut String| {
                match align.get(i) {
                    Some(Align::Left) => out.push_str(&format!("<{tag} style=\"text-align:left\">")),
                    Some(Align::Center) => out.push_str(&format!("<{tag} style=\"text-align:center\">")),
                    Some(Align::Right) => out.push_str(&format!("<{tag} style=\"text-align:right\">")),
                    _ => out.push_str(&format!("<{tag}>")),
                }
                inlines(c, out);
                out.push_str(&format!("</{tag}>"));
            };
            out.push_str("<table><thead><tr>");
            for (i, c) in head.iter().enumerate() {
                cell("th", i, c, out);
            }
            out.push_str("</tr></thead><tbody>");
            for r in rows {
                out.push_str("<tr>");
                for (i, c) in r.iter().enumerate() {
                    cell("td", i, c, out);
                }
                out.push_str("</tr>");
            }
            out.push_str("</tbody></table>");
        }
        Block::Rule => out.push_str("<hr>"),
    }
}

fn inlines(v: &[Inline], out: &mut String) {
    for i in v {
        inline(i, out);
    }
}

fn wrap(tag: &str, c: &[Inline], out: &mut String) {
    out.push_str(&format!("<{tag}>"));
    inlines(c, out);
    out.push_str(&format!("</{tag}>"));
}

fn inline(i: &Inline, out: &mut String) {
    match i {
        Inline::Text(t) => out.push_str(&escape(t)),
        Inline::Code(c) => {
            out.push_str("<code>");
            out.push_str(&escape(c));
            out.push_str("</code>");
        }
        Inline::Strong(c) => wrap("strong", c, out),
        Inline::Emph(c) => wrap("em", c, out),
        Inline::Strike(c) => wrap("del", c, out),
        Inline::Link { url, content } if safe_url(url) => {
            out.push_str(&format!("<a href=\"{}\">", escape(url)));
            inlines(content, out);
            out.push_str("</a>");
        }
        Inline::Link { content, .. } => inlines(content, out),
        Inline::Image { url, alt } if safe_url(url) && !url.to_ascii_lowercase().starts_with("mailto:") => {
            out.push_str(&format!("<img src=\"{}\" alt=\"{}\">", escape(url), escape(alt)));
        }
        Inline::Image { alt, .. } => out.push_str(&escape(alt)),
        Inline::Font { color, content } if safe_color(color) => {
            out.push_str(&format!("<span style=\"color:{color}\">"));
            inlines(content, out);
            out.push_str("</span>");
        }
        Inline::Font { content, .. } => inlines(content, out),
        Inline::At(_) => {}
        Inline::Break => out.push_str("<br>"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::parse;

    #[test]
    fn writes_the_ir_as_escaped_html() {
        let src = "# Disk 5 < 6 & \"x\"\n\n**a** *b* ~~c~~ `d<e>` [x](https://e.com/?a=1&b=\"2\") [bad](javascript:alert(1))\n\n\
                   - one\n- two\n\n3. three\n\n> quoted\n\n```sh\nrm -rf </tmp>\n```\n\n| h | i |\n|:--|--:|\n| 1 | 2 |\n\n---\n\n<font color=\"red\">hot</font> ![pic](https://e.com/p.png)";
        let html = to_html(&parse(src));
        assert_eq!(
            html,
            "<h1>Disk 5 &lt; 6 &amp; &quot;x&quot;</h1>\n\
             <p><strong>a</strong> <em>b</em> <del>c</del> <code>d&lt;e&gt;</code> <a href=\"https://e.com/?a=1&amp;b=&quot;2&quot;\">x</a> bad</p>\n\
             <ul><li>one</li><li>two</li></ul>\n\
             <ol start=\"3\"><li>three</li></ol>\n\
             <blockquote><p>quoted</p></blockquote>\n\
             <pre><code class=\"language-sh\">rm -rf &lt;/tmp&gt;</code></pre>\n\
             <table><thead><tr><th style=\"text-align:left\">h</th><th style=\"text-align:right\">i</th></tr></thead><tbody><tr><td style=\"text-align:left\">1</td><td style=\"text-align:right\">2</td></tr></tbody></table>\n\
             <hr>\n\
             <p><span style=\"color:red\">hot</span> <img src=\"https://e.com/p.png\" alt=\"pic\"></p>"
        );
    }
}
