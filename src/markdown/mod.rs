//! Markdown -> one small IR -> each platform's dialect.
//!
//! [`parse`] turns CommonMark (+ GFM tables and strikethrough, via
//! pulldown-cmark) into a [`Doc`]: a list of top-level [`Block`]s made of
//! [`Inline`]s. [`render`] writes each top-level block in a [`Dialect`] and
//! the Feishu `post` writer
//! (`crate::platform::feishu_post`) turns it into Feishu `post` rows; both report what the
//! target could not show as [`Loss`]es (one per kind).
//!
//! Never panics: nesting deeper than [`MAX_DEPTH`] (block containers, or
//! inline spans) is flattened while parsing, so every later walk is bounded.
//! Inline HTML is dropped (its text kept) except `<font color>` (WeCom and
//! Feishu colours), `<br>` (a line break) and `<at …>` (Feishu mentions,
//! kept verbatim for lark_md only).

//!
//! The parts: `bound` (parsing only what the output can hold), `defs` and `blanks` (link
//! definitions and empty code blocks left out of a parse), `ir` (the document model and its walkers), `parse`
//! (pulldown-cmark events -> IR), `write` (the block writer and the string
//! dialects), `writer` (what is written and what was lost), `inline` (the inline writer), `escape` (what must be escaped
//! in markdown text).

mod blanks;
mod bound;
mod defs;
mod escape;
mod inline;
mod ir;
mod parse;
mod write;
mod writer;

pub use bound::{Bounded, MARGIN, bounded};
pub use escape::{escape_text, escape_text_into};
pub use ir::*;
pub(crate) use parse::flatten;
pub use parse::parse;
pub(crate) use write::{Line, block};
pub use write::{block_separator, first_line, first_line_start, render, render_blocks, render_inline};
pub(crate) use writer::Writer;

#[cfg(test)]
mod bound_tests;
#[cfg(test)]
mod tests;
