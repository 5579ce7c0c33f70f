//! The Feishu / Lark `post` writer: the markdown IR as post rows of
//! elements (text, links, code blocks, rules), with styles.

use crate::payload::Payload;

use super::common::obj;
use crate::markdown::{Block, Dialect, Doc, Inline, Line, Loss, Writer, block, flatten};

/// What a post loses, in Feishu's words.
pub(crate) fn loss_reason(l: &Loss) -> &'static str {
    match l.from {
        "table" => "Feishu post has no tables",
        "image" => "a custom bot cannot upload the image a post needs",
        "heading" => "Feishu post has no headings",
        "font" => "Feishu post has no coloured text",
        _ => "Feishu post cannot show it",
    }
}

/// Feishu `post` rows, grouped per top-level block: block -> rows -> elements.
pub fn to_feishu_post(doc: &Doc) -> (Vec<Vec<Vec<Payload>>>, Vec<Loss>) {
    to_feishu_post_blocks(&doc.blocks)
}

/// [`to_feishu_post`] of some top-level blocks.
pub fn to_feishu_post_blocks(blocks: &[Block]) -> (Vec<Vec<Vec<Payload>>>, Vec<Loss>) {
    let mut cx = Writer { dialect: Dialect::Plain, post: true, losses: Vec::new() };
    let out = blocks
        .iter()
        .map(|b| {
            let mut rows: Vec<Row> = Vec::new();
            block(&mut cx, b, &mut rows);
            rows.into_iter()
                .filter(|r| !r.is_empty())
                .map(|r| r.into_iter().map(PostElement::into_value).collect())
                .collect()
        })
        .collect();
    (out, cx.losses)
}

const BOLD: u8 = 1;
const ITALIC: u8 = 2;
const STRIKE: u8 = 4;

/// A post element: text or link with a style set, or a finished element.
enum PostElement {
    Text(String, u8),
    A(String, String, u8),
    Raw(Payload),
}

type Row = Vec<PostElement>;

impl PostElement {
    fn into_value(self) -> Payload {
        let (mut v, style) = match self {
            PostElement::Raw(v) => return v,
            PostElement::Text(t, s) => (obj! {"tag" => "text", "text" => t}, s),
            PostElement::A(t, href, s) => (obj! {"tag" => "a", "text" => t, "href" => href}, s),
        };
        if style != 0 {
            let names = [(BOLD, "bold"), (ITALIC, "italic"), (STRIKE, "lineThrough")];
            let list: Vec<&str> = names.iter().filter(|(b, _)| style & b != 0).map(|(_, n)| *n).collect();
            if let Some(o) = v.as_object_mut() {
                o.put("style", list);
            }
        }
        v
    }
}

impl Line for Row {
    const BLANKS: bool = false;

    fn empty() -> Self {
        Vec::new()
    }

    fn prefix(&mut self, p: &str) {
        match self.first_mut() {
            Some(PostElement::Raw(_)) => {}
            Some(PostElement::Text(t, 0)) => t.insert_str(0, p),
            _ => self.insert(0, PostElement::Text(p.to_string(), 0)),
        }
    }

    fn leaf(cx: &mut Writer, b: &Block, out: &mut Vec<Self>) {
        let mut rows = vec![Vec::new()];
        match b {
            Block::Paragraph(v) => post_inline(cx, v, 0, false, &mut rows),
            Block::Heading(_, v) => {
                cx.lose("heading", "bold");
                post_inline(cx, v, BOLD, true, &mut rows);
            }
            Block::Code { lang, text } => {
                let mut v = obj! {"tag" => "code_block", "text" => text.clone()};
                if let (false, Some(o)) = (lang.is_empty(), v.as_object_mut()) {
                    o.put("language", lang.clone());
                }
                rows = vec![vec![PostElement::Raw(v)]];
            }
            Block::Table { head, rows: body, .. } => {
                cx.lose("table", "text");
                rows.clear();
                for (r, style) in std::iter::once((head, BOLD)).chain(body.iter().map(|r| (r, 0))) {
                    let mut row = vec![Vec::new()];
                    for (i, c) in r.iter().enumerate() {
                        if i > 0 {
                            push_text(&mut row, " | ", 0);
                        }
                        post_inline(cx, c, style, true, &mut row);
                    }
                    rows.extend(row);
                }
            }
            Block::Rule => rows = vec![vec![PostElement::Raw(obj! {"tag" => "hr"})]],
            Block::Quote(_) | Block::List(..) => rows.clear(),
        }
        out.extend(rows);
    }
}

fn push_text(rows: &mut Vec<Row>, t: &str, style: u8) {
    if t.is_empty() {
        return;
    }
    if rows.is_empty() {
        rows.push(Vec::new());
    }
    let Some(row) = rows.last_mut() else { return };
    match row.last_mut() {
        Some(PostElement::Text(s, st)) if *st == style => s.push_str(t),
        _ => row.push(PostElement::Text(t.to_string(), style)),
    }
}

fn post_inline(cx: &mut Writer, v: &[Inline], style: u8, one_line: bool, rows: &mut Vec<Row>) {
    for i in v {
        match i {
            Inline::Text(t) => push_text(rows, t, style),
            Inline::Code(t) => push_text(rows, t, style),
            Inline::Strong(c) => post_inline(cx, c, style | BOLD, one_line, rows),
            Inline::Emph(c) => post_inline(cx, c, style | ITALIC, one_line, rows),
            Inline::Strike(c) => post_inline(cx, c, style | STRIKE, one_line, rows),
            Inline::Font { color, content } => {
                if !color.is_empty() {
                    cx.lose("font", "text");
                }
                post_inline(cx, content, style, one_line, rows);
            }
            Inline::Link { url, content } => {
                let mut t = String::new();
                flatten(content, &mut t);
                if t.is_empty() {
                    t.clone_from(url);
                }
                push_link(rows, t, url, style);
            }
            Inline::Image { url, alt } => {
                if !url.is_empty() {
                    cx.lose("image", "link");
                }
                let t = if alt.is_empty() { "image" } else { alt };
                push_link(rows, t.to_string(), url, style);
            }
            Inline::At(_) => {}
            Inline::Break if one_line => push_text(rows, " ", style),
            Inline::Break => rows.push(Vec::new()),
        }
    }
}

fn push_link(rows: &mut Vec<Row>, text: String, url: &str, style: u8) {
    if url.is_empty() {
        return push_text(rows, &text, style);
    }
    match rows.last_mut() {
        Some(row) => row.push(PostElement::A(text, url.to_string(), style)),
        None => rows.push(vec![PostElement::A(text, url.to_string(), style)]),
    }
}
