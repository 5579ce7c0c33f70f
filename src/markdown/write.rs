//! Writing the IR: the block walk shared by every output (string dialects
//! and Feishu post rows, through [`Line`]), and the string dialects' lines,
//! code blocks and tables.

use super::escape::esc;
use super::inline::{InlineWriter, inline, inline_in, longest_run};
use super::ir::*;
use super::parse::{fast, parse};
use super::writer::Writer;

/// The string put between two rendered top-level blocks.
pub fn block_separator(_dialect: Dialect) -> &'static str {
    "\n\n"
}

/// Each top-level block written in `dialect`, plus what was lost on the way.
pub fn render(doc: &Doc, dialect: Dialect) -> (Vec<String>, Vec<Loss>) {
    render_blocks(&doc.blocks, dialect)
}

/// [`render`] of some top-level blocks.
pub fn render_blocks(blocks: &[Block], dialect: Dialect) -> (Vec<String>, Vec<Loss>) {
    let mut cx = Writer { dialect, post: false, losses: Vec::new() };
    // one lines buffer for every block (cleared, not reallocated)
    let mut lines: Vec<String> = Vec::new();
    let out = blocks.iter().map(|b| block_string(&mut cx, b, &mut lines)).collect();
    (out, cx.losses)
}

/// One top-level block written as a string. A paragraph is written straight into its string:
/// split into lines and joined again (what the walk does) it comes out the same, but for
/// DingTalk's line ends.
fn block_string(cx: &mut Writer, b: &Block, lines: &mut Vec<String>) -> String {
    if let Block::Paragraph(v) = b {
        let s = inline(cx, v, InlineWriter::PARA);
        return if cx.dialect == Dialect::DingTalk && fast() {
            dingtalk_line_ends(s)
        } else if cx.dialect == Dialect::DingTalk && s.contains('\n') {
            join_lines(s.split('\n'), cx.dialect)
        } else {
            s
        };
    }
    if fast() {
        if let Block::List(first, items) = b {
            // an empty item (a definition alone in it) is its marker alone, as an empty paragraph's
            if items.iter().all(|i| matches!(i.as_slice(), [] | [Block::Paragraph(_)])) {
                return list_string(cx, *first, items);
            }
        }
    }
    lines.clear();
    block(cx, b, lines);
    // one line (a heading, a rule): that string itself, not a joined copy
    if fast() && lines.len() == 1 {
        return lines.pop().unwrap_or_default();
    }
    join_lines(lines.iter().map(String::as_str), cx.dialect)
}

/// A list whose items are each one paragraph (most lists), written as [`block`] and
/// [`join_lines`] write it, but straight into one string: each item's text written into one
/// buffer used again, not a string per line that gets a marker put in front and is then copied.
fn list_string(cx: &mut Writer, first: Option<u64>, items: &[Vec<Block>]) -> String {
    let d = cx.dialect;
    let bullet = if d == Dialect::Plain { "• " } else { "- " };
    let mut number = String::new();
    let mut indent = String::new();
    let mut s = String::new();
    let mut buf = String::new();
    let mut prev_empty = true;
    for (i, item) in items.iter().enumerate() {
        let (marker, indent) = item_marker(first, i, bullet, &mut number, &mut indent);
        match item.as_slice() {
            [Block::Paragraph(v)] => buf = inline_in(cx, v, InlineWriter::PARA, buf),
            _ => buf.clear(),
        }
        for (j, l) in buf.split('\n').enumerate() {
            let p = if j == 0 { marker } else { indent };
            // an empty line gets its marker without the space (an indentation: nothing)
            let p = if l.is_empty() { p.trim_end() } else { p };
            let empty = p.is_empty() && l.is_empty();
            if i > 0 || j > 0 {
                if d == Dialect::DingTalk && !prev_empty && !empty {
                    s.push_str("  ");
                }
                s.push('\n');
            }
            s.push_str(p);
            s.push_str(l);
            prev_empty = empty;
        }
    }
    s
}

/// The first line of `doc` written in `dialect` that shows something, trimmed: what
/// `render_inline` of its source would give as its first non-blank line, writing only the
/// blocks up to it (a title from a long body costs one block, not a second parse).
pub fn first_line(doc: &Doc, dialect: Dialect) -> Option<String> {
    let mut cx = Writer { dialect, post: false, losses: Vec::new() };
    for b in &doc.blocks {
        let mut lines: Vec<String> = Vec::new();
        if let Some(l) = block_string(&mut cx, b, &mut lines).lines().find(|l| !l.trim().is_empty()) {
            return Some(l.trim().to_string());
        }
    }
    None
}

/// The start of [`first_line`] in plain text: at least its first `chars + 1` characters (all
/// of it when it is shorter), for a title cut to `chars`. A long block is written only as far
/// as that needs (see [`shrink`]): what a start of it writes is the start of what all of it
/// writes (the plain writer only appends; a quote or list prefixes each line), so the first
/// line is known once a line ends there, or once its start has a character to show past
/// `chars`.
pub fn first_line_start(doc: &Doc, chars: usize) -> Option<String> {
    let mut cx = Writer { dialect: Dialect::Plain, post: false, losses: Vec::new() };
    let mut lines: Vec<String> = Vec::new();
    for b in &doc.blocks {
        let mut k = 64usize;
        while let Some((small, grows)) = shrink(b, k) {
            let s = block_string(&mut cx, &small, &mut lines);
            let mut pieces = s.split('\n').peekable();
            while let Some(l) = pieces.next() {
                let t = l.trim_start();
                // without more to grow, a start that writes its first block whole ends with whole
                // lines (more lines follow it in `b`)
                if pieces.peek().is_some() || !grows {
                    // a whole line
                    if !t.is_empty() {
                        return Some(t.trim_end().to_string());
                    }
                } else if t.chars().skip(chars).any(|c| !c.is_whitespace()) {
                    // the first line's start, longer than `chars` whatever follows
                    return Some(t.to_string());
                }
            }
            if !grows {
                break;
            }
            k = k.saturating_mul(4);
        }
        if let Some(l) = block_string(&mut cx, b, &mut lines).lines().find(|l| !l.trim().is_empty()) {
            return Some(l.trim().to_string());
        }
    }
    None
}

/// A start of `b` for [`first_line_start`]: a paragraph's first `k` inlines, a table's first `k`
/// rows, a quote's first block or a list's first item's first block (each cut the same way).
/// What it writes in plain text is a start of what `b` writes. `None` when nothing would be
/// left out; with whether a larger `k` leaves out less.
fn shrink(b: &Block, k: usize) -> Option<(Block, bool)> {
    match b {
        Block::Paragraph(v) if v.len() > k => Some((Block::Paragraph(v[..k].to_vec()), true)),
        Block::Table { align, head, rows } if rows.len() > k => {
            Some((Block::Table { align: align.clone(), head: head.clone(), rows: rows[..k].to_vec() }, true))
        }
        Block::Quote(bs) => {
            let first = bs.first()?;
            match shrink(first, k) {
                Some((s, grows)) => Some((Block::Quote(vec![s]), grows)),
                None if bs.len() > 1 => Some((Block::Quote(vec![first.clone()]), false)),
                None => None,
            }
        }
        Block::List(n, items) => {
            let item = items.first()?;
            match item.first().and_then(|f| shrink(f, k)) {
                Some((s, grows)) => Some((Block::List(*n, vec![vec![s]]), grows)),
                None if items.len() > 1 || item.len() > 1 => {
                    Some((Block::List(*n, vec![item.iter().take(1).cloned().collect()]), false))
                }
                None => None,
            }
        }
        _ => None,
    }
}

/// A short markdown snippet (a title, a field value) written in `dialect`.
pub fn render_inline(src: &str, dialect: Dialect) -> String {
    let mut blocks = render(&parse(src), dialect).0;
    // most snippets are one block: that string itself, not a joined copy
    if blocks.len() == 1 {
        return blocks.pop().unwrap_or_default();
    }
    blocks.join(block_separator(dialect))
}

/// One output line: a string (dialects) or a Feishu post row.
pub(crate) trait Line: Sized {
    /// Writes a leaf block (not a quote or list).
    fn leaf(cx: &mut Writer, b: &Block, out: &mut Vec<Self>);
    fn prefix(&mut self, p: &str);
    fn empty() -> Self;
    /// Whether sibling blocks inside a quote or list item get a blank line between them.
    const BLANKS: bool;
}

pub(crate) fn blocks<L: Line>(cx: &mut Writer, bs: &[Block], out: &mut Vec<L>) {
    let mut prev: Option<&Block> = None;
    for b in bs {
        // a list may follow a paragraph directly, unless it is ordered from n != 1
        // or starts with an empty item (CommonMark reads those as more paragraph)
        let tight = match (prev, b) {
            (Some(Block::Paragraph(_)), Block::List(None | Some(1), items)) => {
                items.first().is_some_and(|i| !i.is_empty())
            }
            _ => false,
        };
        if L::BLANKS && prev.is_some() && !tight {
            out.push(L::empty());
        }
        block(cx, b, out);
        prev = Some(b);
    }
}

pub(crate) fn block<L: Line>(cx: &mut Writer, b: &Block, out: &mut Vec<L>) {
    let start = out.len();
    match b {
        Block::Quote(bs) => {
            blocks(cx, bs, out);
            out.iter_mut().skip(start).for_each(|l| l.prefix("> "));
        }
        Block::List(first, items) => {
            // a bullet and its indentation are constants; a number is written per item
            let bullet = if cx.post || cx.dialect == Dialect::Plain { "• " } else { "- " };
            let mut number = String::new();
            let mut indent = String::new();
            for (i, item) in items.iter().enumerate() {
                let (marker, indent) = item_marker(*first, i, bullet, &mut number, &mut indent);
                let at = out.len();
                blocks(cx, item, out);
                if out.len() == at {
                    out.push(L::empty());
                }
                for (j, l) in out.iter_mut().skip(at).enumerate() {
                    l.prefix(if j == 0 { marker } else { indent });
                }
            }
        }
        _ => L::leaf(cx, b, out),
    }
}

/// The marker of a list's item `i` and the indentation of its next lines: `bullet` and two
/// spaces, or (an ordered list starting at `first`) its number written into `number` and as many
/// spaces into `indent` (both reused from item to item).
fn item_marker<'a>(
    first: Option<u64>,
    i: usize,
    bullet: &'a str,
    number: &'a mut String,
    indent: &'a mut String,
) -> (&'a str, &'a str) {
    match first {
        Some(n) => {
            number.clear();
            push_number(number, n.saturating_add(i as u64));
            number.push_str(". ");
            indent.clear();
            // as many spaces as the number takes (at most 22 bytes: 20 digits and ". ")
            match SPACES.get(..number.len()) {
                Some(sp) => indent.push_str(sp),
                None => indent.extend(std::iter::repeat_n(' ', number.len())),
            }
            (number.as_str(), indent.as_str())
        }
        None => (bullet, "  "),
    }
}

/// `n` in decimal (what `write!` would give, without the formatting machinery).
fn push_number(s: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut k = digits.len();
    loop {
        k -= 1;
        digits[k] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // pushed as one `str` (a `char` at a time was ~5 % of a render of 1 MiB of `1. a` items)
    s.push_str(std::str::from_utf8(&digits[k..]).unwrap_or(""));
}

/// The indentation of an ordered list item's next lines, cut to its number's width.
const SPACES: &str = "                        ";

/// [`join_lines`] of `s`'s lines for DingTalk, in one pass over its bytes: two spaces before each
/// `\n` between two lines that are not empty; `s` itself when there is none to put in (a
/// split into lines and a join were ~10 % of a render of 1 MiB of short lines).
fn dingtalk_line_ends(s: String) -> String {
    let b = s.as_bytes();
    // between two lines that are not empty: after a byte that is not a line end, before one
    let ends = |k: usize| k > 0 && b.get(k - 1) != Some(&b'\n') && !matches!(b.get(k + 1), None | Some(b'\n'));
    let n = b.iter().enumerate().filter(|&(k, &c)| c == b'\n' && ends(k)).count();
    if n == 0 {
        return s;
    }
    let mut out = String::with_capacity(s.len() + 2 * n);
    let mut from = 0;
    for (k, &c) in b.iter().enumerate() {
        if c == b'\n' && ends(k) {
            out.push_str(s.get(from..k).unwrap_or(""));
            out.push_str("  ");
            from = k;
        }
    }
    out.push_str(s.get(from..).unwrap_or(""));
    out
}

/// DingTalk only breaks a line on a blank line or two trailing spaces.
pub(crate) fn join_lines<'a>(lines: impl Iterator<Item = &'a str> + Clone, d: Dialect) -> String {
    // the length first (a walk over the lines), so the string is allocated once
    let mut s = String::with_capacity(lines.clone().map(|l| l.len() + 3).sum());
    let mut prev_empty = true;
    for (i, l) in lines.enumerate() {
        if i > 0 {
            if d == Dialect::DingTalk && !prev_empty && !l.is_empty() {
                s.push_str("  ");
            }
            s.push('\n');
        }
        s.push_str(l);
        prev_empty = l.is_empty();
    }
    s
}

impl Line for String {
    const BLANKS: bool = true;

    fn empty() -> Self {
        String::new()
    }

    fn prefix(&mut self, p: &str) {
        if self.is_empty() {
            self.push_str(p.trim_end());
        } else {
            self.insert_str(0, p);
        }
    }

    fn leaf(cx: &mut Writer, b: &Block, out: &mut Vec<Self>) {
        use Dialect::*;
        let d = cx.dialect;
        match b {
            Block::Paragraph(v) => {
                let s = inline(cx, v, InlineWriter::PARA);
                // one line (most list items): the string itself, not a copy
                if s.contains('\n') {
                    out.extend(s.split('\n').map(String::from));
                } else {
                    out.push(s);
                }
            }
            Block::Heading(level, v) => out.push(match d {
                LarkMd => {
                    cx.lose("heading", "bold");
                    bold(inline(cx, v, InlineWriter::BOLD))
                }
                Plain => inline(cx, v, 0),
                _ => {
                    let h = inline(cx, v, 0);
                    // a last run of `#` after a space would be read as a closing sequence
                    let body = h.trim_end_matches('#');
                    let run = h.get(body.len()..).unwrap_or("");
                    let sep =
                        if !run.is_empty() && (body.is_empty() || body.ends_with([' ', '\t'])) { "\\" } else { "" };
                    let mut s = String::with_capacity(h.len() + 8);
                    s.extend(std::iter::repeat_n('#', usize::from(*level)));
                    s.push(' ');
                    s.push_str(body);
                    s.push_str(sep);
                    s.push_str(run);
                    s
                }
            }),
            Block::Code { lang, text } => match d {
                WecomMarkdownV2 => {
                    let fence = "`".repeat(longest_run(text, '`').max(2) + 1);
                    out.push(format!("{fence}{lang}"));
                    out.extend(code_lines(text).map(String::from));
                    out.push(fence);
                }
                Plain => out.extend(code_lines(text).map(String::from)),
                _ => {
                    cx.lose("code_block", "text");
                    for l in code_lines(text) {
                        let l = code_line(l);
                        out.push(match d {
                            LarkMd => l,
                            _ if l.is_empty() => ">".to_string(),
                            _ => format!("> {l}"),
                        });
                    }
                }
            },
            Block::Table { align, head, rows } => table(cx, align, head, rows, out),
            Block::Rule => out.push("---".to_string()),
            Block::Quote(_) | Block::List(..) => {}
        }
    }
}

/// A code block's lines (`str::lines` would drop a last blank line).
pub(crate) fn code_lines(text: &str) -> impl Iterator<Item = &str> {
    text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).take(if text.is_empty() { 0 } else { usize::MAX })
}

pub(crate) fn bold(s: String) -> String {
    if s.is_empty() {
        return s;
    }
    let mut b = String::with_capacity(s.len() + 4);
    b.push_str("**");
    b.push_str(&s);
    b.push_str("**");
    b
}

/// A code line as markdown text: indentation kept as no-break spaces (so it is
/// neither stripped nor an indented code block), markup characters escaped.
pub(crate) fn code_line(l: &str) -> String {
    let body = l.trim_start_matches([' ', '\t']);
    let mut s = String::new();
    for c in l.chars().take(l.chars().count() - body.chars().count()) {
        s.push_str(if c == '\t' { "\u{a0}\u{a0}\u{a0}\u{a0}" } else { "\u{a0}" });
    }
    let start = s.is_empty();
    esc(&mut s, body, start, false, false);
    s
}

pub(crate) fn table(
    cx: &mut Writer,
    align: &[Align],
    head: &[Vec<Inline>],
    rows: &[Vec<Vec<Inline>>],
    out: &mut Vec<String>,
) {
    use Dialect::*;
    let d = cx.dialect;
    let cell_flags = if d == WecomMarkdownV2 { InlineWriter::CELL } else { 0 };
    let cell = |cx: &mut Writer, c: Option<&Vec<Inline>>, flags: u8| match c {
        Some(c) => inline(cx, c, cell_flags | flags),
        None => String::new(),
    };
    match d {
        WecomMarkdownV2 => {
            let n = head.len();
            let pipe = |cells: Vec<String>| format!("| {} |", cells.join(" | "));
            out.push(pipe(head.iter().map(|c| cell(cx, Some(c), 0)).collect()));
            out.push(pipe(
                (0..n)
                    .map(|i| {
                        match align.get(i) {
                            Some(Align::Left) => ":---",
                            Some(Align::Center) => ":---:",
                            Some(Align::Right) => "---:",
                            _ => "---",
                        }
                        .to_string()
                    })
                    .collect(),
            ));
            for r in rows {
                out.push(pipe((0..n).map(|i| cell(cx, r.get(i), 0)).collect()));
            }
        }
        DingTalk => {
            cx.lose("table", "text");
            if rows.is_empty() {
                out.push(
                    head.iter().map(|c| bold(cell(cx, Some(c), InlineWriter::BOLD))).collect::<Vec<_>>().join(" | "),
                );
            }
            for r in rows {
                let mut parts = Vec::new();
                for (i, c) in r.iter().enumerate() {
                    let v = cell(cx, Some(c), 0);
                    if v.is_empty() {
                        continue;
                    }
                    let h = cell(cx, head.get(i), InlineWriter::BOLD);
                    parts.push(if h.is_empty() { v } else { format!("**{h}**: {v}") });
                }
                if !parts.is_empty() {
                    out.push(parts.join(" · "));
                }
            }
        }
        _ => {
            if d != Plain {
                cx.lose("table", "text");
            }
            let hb = if d == Plain { 0 } else { InlineWriter::BOLD };
            let head = head.iter().map(|c| {
                let s = cell(cx, Some(c), hb);
                if d == Plain { s } else { bold(s) }
            });
            out.push(head.collect::<Vec<_>>().join(" | ").trim_end().to_string());
            for r in rows {
                let r = r.iter().map(|c| cell(cx, Some(c), 0)).collect::<Vec<_>>();
                out.push(r.join(" | ").trim_end().to_string());
            }
        }
    }
}
