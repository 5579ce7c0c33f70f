//! What is being written (a string dialect, or Feishu post rows) and what
//! it could not show, recorded once per kind with the dialect's wording.

use super::ir::{Dialect, Loss};

/// What is being written (a dialect, or Feishu post rows) and what was lost so far.
pub(crate) struct Writer {
    pub(crate) dialect: Dialect,
    /// Writing Feishu post rows (then `dialect` is unused).
    pub(crate) post: bool,
    pub(crate) losses: Vec<Loss>,
}

impl Writer {
    pub(crate) fn lose(&mut self, from: &'static str, to: &'static str) {
        use Dialect::*;
        if self.losses.iter().any(|l| l.from == from) {
            return;
        }
        let d = if self.post { None } else { Some(self.dialect) };
        let reason = match (from, d) {
            ("table", Some(WecomMarkdown)) => "WeCom markdown has no tables",
            ("table", Some(DingTalk)) => "DingTalk markdown has no tables",
            ("table", Some(LarkMd)) => "lark_md has no tables",
            ("table", _) => "Feishu post has no tables",
            ("code_block", Some(WecomMarkdown)) => "WeCom markdown has no code blocks",
            ("code_block", Some(DingTalk)) => "DingTalk markdown has no code blocks",
            ("code_block", _) => "lark_md has no code blocks",
            ("image", Some(WecomMarkdown)) => "WeCom markdown cannot show images",
            ("image", Some(LarkMd)) => "lark_md cannot show an image from a URL",
            ("image", Some(_)) => "plain text cannot show images",
            ("image", None) => "a custom bot cannot upload the image a post needs",
            ("heading", Some(_)) => "lark_md has no headings",
            ("heading", None) => "Feishu post has no headings",
            ("font", Some(WecomMarkdownV2)) => "WeCom markdown_v2 has no coloured text",
            ("font", Some(_)) => "DingTalk markdown has no coloured text",
            ("font", None) => "Feishu post has no coloured text",
            ("strikethrough", Some(WecomMarkdown)) => "WeCom markdown has no strikethrough",
            ("emphasis", _) => "WeCom markdown has no italics",
            _ => "DingTalk markdown has no strikethrough",
        };
        self.losses.push(Loss { from, to, reason });
    }
}
