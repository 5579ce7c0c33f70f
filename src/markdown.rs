//! Markdown -> one small IR -> each platform's dialect.
//!
//! PLACEHOLDER implementation (keeps the public API stable while the real
//! pulldown-cmark based writer is written): every block is a paragraph of text.

use serde_json::{Value, json};

/// A parsed markdown document: a list of top-level blocks.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Doc {
    pub blocks: Vec<Block>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    Paragraph(String),
}

/// The dialects a [`Doc`] can be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// WeCom `markdown` (v1): headings, bold, links, inline code, quotes, `<font color>`.
    WecomMarkdown,
    /// WeCom `markdown_v2`: adds tables, lists, images, code blocks; no colour.
    WecomMarkdownV2,
    /// DingTalk markdown: headings, quotes, bold, italic, links, images, lists; no code, no tables.
    DingTalk,
    /// Feishu card `lark_md` / `markdown` element.
    LarkMd,
    /// Plain text, for `text` messages and degradation.
    Plain,
}

/// Something a dialect could not show natively, and what it became instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loss {
    pub from: &'static str,
    pub to: &'static str,
    pub reason: &'static str,
}

/// Which markdown features a document uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Features {
    pub tables: bool,
    pub code_blocks: bool,
    pub images: bool,
    pub lists: bool,
    pub headings: bool,
    pub quotes: bool,
}

pub fn parse(src: &str) -> Doc {
    Doc {
        blocks: src.split("\n\n").filter(|p| !p.trim().is_empty()).map(|p| Block::Paragraph(p.to_string())).collect(),
    }
}

impl Doc {
    pub fn features(&self) -> Features {
        Features::default()
    }
}

/// The string put between two rendered top-level blocks.
pub fn block_separator(_dialect: Dialect) -> &'static str {
    "\n\n"
}

/// Each top-level block written in `dialect`, plus what was lost on the way.
pub fn render(doc: &Doc, _dialect: Dialect) -> (Vec<String>, Vec<Loss>) {
    (doc.blocks.iter().map(|Block::Paragraph(s)| s.clone()).collect(), Vec::new())
}

/// Feishu `post` rows, grouped per top-level block: block -> rows -> elements.
pub fn to_feishu_post(doc: &Doc) -> (Vec<Vec<Vec<Value>>>, Vec<Loss>) {
    let blocks = doc.blocks.iter().map(|Block::Paragraph(s)| vec![vec![json!({"tag": "text", "text": s})]]).collect();
    (blocks, Vec::new())
}

pub fn render_inline(src: &str, dialect: Dialect) -> String {
    render(&parse(src), dialect).0.join(block_separator(dialect))
}
