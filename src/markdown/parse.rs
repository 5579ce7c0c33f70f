//! pulldown-cmark events -> the IR. Nesting deeper than [`MAX_DEPTH`] is
//! flattened here, so every later walk is bounded.

use pulldown_cmark::{self as md, CodeBlockKind, Event, Options, Parser};

use super::ir::*;

#[cfg(test)]
thread_local! {
    /// Tests: every text event handed to the builder on its own (the reference the runs of
    /// text events, see [`Run`], are compared with).
    pub(crate) static NO_RUNS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Tests: the IR built by the paths the fast ones replace (a heading's inlines copied into
    /// one line, a block written through its lines), the reference they are compared with.
    pub(crate) static SLOW: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether the fast paths are taken, here and in write.rs and bound.rs (tests take the paths
/// they replace too, see `SLOW`).
#[inline(always)]
pub(crate) fn fast() -> bool {
    #[cfg(test)]
    return !SLOW.get();
    #[cfg(not(test))]
    true
}

#[derive(Default, PartialEq)]
pub(crate) enum FrameKind {
    #[default]
    Root,
    Quote,
    Item,
    List(Option<u64>),
    Para,
    Heading(u8),
    Code(String),
    Table(Vec<Align>),
    Row(bool),
    Cell,
    Strong,
    Emph,
    Strike,
    Link(String),
    Image(String),
    Font(String),
}

#[derive(Default)]
pub(crate) struct Frame {
    kind: FrameKind,
    /// Block containers open around this frame / inline spans open in this block.
    block_depth: u16,
    inline_depth: u16,
    /// Start tags swallowed by this frame (too deep, or not modelled); their ends are too.
    skip: u32,
    blocks: Vec<Block>,
    inl: Vec<Inline>,
    /// What only lists, tables and code blocks collect, boxed: most frames (paragraphs, inline
    /// spans) never need it, and a small frame is cheap to push and pop.
    extra: Option<Box<Extra>>,
}

/// The parts of a list, table, row or code block collected while it is open.
#[derive(Default)]
pub(crate) struct Extra {
    cells: Vec<Vec<Inline>>,
    rows: Vec<Vec<Vec<Inline>>>,
    items: Vec<Vec<Block>>,
    code: String,
}

impl Frame {
    fn extra(&mut self) -> &mut Extra {
        self.extra.get_or_insert_default()
    }

    /// Swallows a start tag (and so its end tag): too deep, or not modelled.
    fn swallow(&mut self) {
        self.skip = self.skip.saturating_add(1);
        self.flush();
    }

    /// Pending inline content of a block container becomes a paragraph (tight list items).
    fn flush(&mut self) {
        if matches!(self.kind, FrameKind::Root | FrameKind::Quote | FrameKind::Item) && !self.inl.is_empty() {
            let inl = std::mem::take(&mut self.inl);
            self.add_block(Block::Paragraph(trim_breaks(inl)));
        }
    }

    fn add_block(&mut self, b: Block) {
        let empty = match &b {
            Block::Paragraph(v) | Block::Heading(_, v) => blank(v),
            Block::Quote(v) => v.is_empty(),
            Block::List(_, v) => v.is_empty(),
            _ => false,
        };
        if !empty {
            self.flush();
            self.blocks.push(b);
        }
    }

    fn add_inline(&mut self, i: Inline) {
        match (self.inl.last_mut(), i) {
            (Some(Inline::Text(a)), Inline::Text(b)) => a.push_str(&b),
            (_, i) => self.inl.push(i),
        }
    }

    /// Text appended to the text before it (one `Inline::Text` per run of text events, however
    /// many: `[[[` is one event per bracket), allocating only when a run starts.
    fn add_text(&mut self, s: &str) {
        match self.inl.last_mut() {
            Some(Inline::Text(a)) => a.push_str(s),
            _ => self.inl.push(Inline::Text(s.into())),
        }
    }
}

/// Whether inlines show nothing (whitespace, line breaks, empty spans).
pub(crate) fn blank(v: &[Inline]) -> bool {
    v.iter().all(|i| match i {
        Inline::Text(t) => t.trim().is_empty(),
        Inline::Break => true,
        Inline::Strong(c) | Inline::Emph(c) | Inline::Strike(c) | Inline::Font { content: c, .. } => blank(c),
        _ => false,
    })
}

pub(crate) fn trim_breaks(mut v: Vec<Inline>) -> Vec<Inline> {
    while matches!(v.last(), Some(Inline::Break)) {
        v.pop();
    }
    let lead = v.iter().take_while(|i| matches!(i, Inline::Break)).count();
    if lead > 0 {
        v.drain(..lead);
    }
    v
}

#[derive(Default)]
pub(crate) struct Builder {
    root: Frame,
    stack: Vec<Frame>,
}

impl Builder {
    fn top(&mut self) -> &mut Frame {
        self.stack.last_mut().unwrap_or(&mut self.root)
    }

    fn start(&mut self, tag: md::Tag) {
        let t = self.top();
        let k = match tag {
            md::Tag::Paragraph | md::Tag::HtmlBlock => FrameKind::Para,
            md::Tag::Heading { level, .. } => FrameKind::Heading(level as u8),
            md::Tag::BlockQuote(_) => FrameKind::Quote,
            md::Tag::CodeBlock(CodeBlockKind::Fenced(info)) => {
                FrameKind::Code(info.split_whitespace().next().unwrap_or("").to_string())
            }
            md::Tag::CodeBlock(_) => FrameKind::Code(String::new()),
            md::Tag::List(n) => FrameKind::List(n),
            md::Tag::Item if matches!(t.kind, FrameKind::List(_)) => FrameKind::Item,
            md::Tag::Table(a) => FrameKind::Table(
                a.iter()
                    .map(|a| match a {
                        md::Alignment::Left => Align::Left,
                        md::Alignment::Center => Align::Center,
                        md::Alignment::Right => Align::Right,
                        md::Alignment::None => Align::None,
                    })
                    .collect(),
            ),
            md::Tag::TableHead => FrameKind::Row(true),
            md::Tag::TableRow => FrameKind::Row(false),
            md::Tag::TableCell => FrameKind::Cell,
            md::Tag::Emphasis => FrameKind::Emph,
            md::Tag::Strong => FrameKind::Strong,
            md::Tag::Strikethrough => FrameKind::Strike,
            md::Tag::Link { dest_url, .. } => FrameKind::Link(dest_url.to_string()),
            md::Tag::Image { dest_url, .. } => FrameKind::Image(dest_url.to_string()),
            // an item of a flattened list, or a tag this module does not model
            _ => return t.swallow(),
        };
        let too_deep = match k {
            FrameKind::Quote | FrameKind::List(_) => t.block_depth >= MAX_DEPTH,
            FrameKind::Strong | FrameKind::Emph | FrameKind::Strike | FrameKind::Link(_) | FrameKind::Image(_) => {
                t.inline_depth >= MAX_DEPTH
            }
            _ => false,
        };
        if too_deep {
            return t.swallow();
        }
        self.push(k);
    }

    fn push(&mut self, k: FrameKind) {
        let t = self.top();
        let block_depth = t.block_depth + u16::from(matches!(k, FrameKind::Quote | FrameKind::List(_)));
        let inline_depth = match k {
            FrameKind::Strong
            | FrameKind::Emph
            | FrameKind::Strike
            | FrameKind::Link(_)
            | FrameKind::Image(_)
            | FrameKind::Font(_) => t.inline_depth + 1,
            _ => 0,
        };
        // every field given: `..Frame::default()` makes a default kind only to drop it
        let f = Frame { kind: k, block_depth, inline_depth, skip: 0, blocks: Vec::new(), inl: Vec::new(), extra: None };
        self.stack.push(f);
    }

    fn end(&mut self) {
        loop {
            let t = self.top();
            if t.skip > 0 {
                t.skip -= 1;
                return t.flush();
            }
            let font = matches!(t.kind, FrameKind::Font(_));
            self.close();
            // an unclosed <font> ends with the span around it
            if !font || self.stack.is_empty() {
                return;
            }
        }
    }

    /// Pops the top frame (never the root) into its parent.
    fn close(&mut self) {
        let Some(mut f) = self.stack.pop() else { return };
        // the most common frame: nothing of a container's to collect
        if fast() && matches!(f.kind, FrameKind::Para) && f.extra.is_none() && f.blocks.is_empty() {
            return self.top().add_block(Block::Paragraph(trim_breaks(f.inl)));
        }
        // a list item: its blocks (its pending text one more paragraph), no parts to collect
        if fast() && matches!(f.kind, FrameKind::Item) && f.extra.is_none() {
            f.flush();
            return self.top().extra().items.push(f.blocks);
        }
        f.flush();
        let x = f.extra.take().map_or_else(Extra::default, |b| *b);
        let p = self.top();
        let inl = trim_breaks(f.inl);
        let keep = !inl.is_empty();
        let i = match f.kind {
            FrameKind::Para => return p.add_block(Block::Paragraph(inl)),
            // no line break: the inlines are already one line (adjacent texts are always merged)
            FrameKind::Heading(l) if fast() && !inl.iter().any(|i| matches!(i, Inline::Break)) => {
                return p.add_block(Block::Heading(l, inl));
            }
            FrameKind::Heading(l) => {
                // a setext heading's lines are one line anywhere
                let mut one = Frame::default();
                for i in inl {
                    one.add_inline(if i == Inline::Break { Inline::Text(" ".into()) } else { i });
                }
                return p.add_block(Block::Heading(l, one.inl));
            }
            FrameKind::Quote => return p.add_block(Block::Quote(f.blocks)),
            FrameKind::Item => return p.extra().items.push(f.blocks),
            FrameKind::List(n) => return p.add_block(Block::List(n, x.items)),
            FrameKind::Code(lang) => {
                let mut text = x.code;
                if text.ends_with('\n') {
                    text.pop();
                }
                return p.add_block(Block::Code { lang, text });
            }
            FrameKind::Table(align) => {
                let (head, rows) = (x.cells, x.rows);
                return p.add_block(Block::Table { align, head, rows });
            }
            FrameKind::Row(true) => return p.extra().cells = x.cells,
            FrameKind::Row(false) => return p.extra().rows.push(x.cells),
            FrameKind::Cell => return p.extra().cells.push(inl),
            FrameKind::Root => return,
            FrameKind::Image(url) => {
                let mut alt = String::new();
                flatten(&inl, &mut alt);
                Inline::Image { url, alt }
            }
            FrameKind::Link(url) => Inline::Link { url, content: inl },
            FrameKind::Strong if keep => Inline::Strong(inl),
            FrameKind::Emph if keep => Inline::Emph(inl),
            FrameKind::Strike if keep => Inline::Strike(inl),
            FrameKind::Font(color) if keep => Inline::Font { color, content: inl },
            FrameKind::Strong | FrameKind::Emph | FrameKind::Strike | FrameKind::Font(_) => return,
        };
        p.add_inline(i);
    }

    /// Text; `html` text also loses indentation after its line breaks.
    fn text(&mut self, s: &str, html: bool) {
        let f = self.top();
        if let FrameKind::Code(_) = f.kind {
            return f.extra().code.push_str(s);
        }
        // most text events are one piece of one line: no split, no line start to trim
        if !html && !s.bytes().any(|b| b == b'\n') {
            if !s.is_empty() {
                f.add_text(s);
            }
            return;
        }
        for (n, line) in s.split('\n').enumerate() {
            let line_start = matches!(f.inl.last(), None | Some(Inline::Break));
            if n > 0 && !line_start {
                f.inl.push(Inline::Break);
            }
            let line = if html && (n > 0 || line_start) { line.trim_start() } else { line };
            if !line.is_empty() {
                f.add_text(line);
            }
        }
    }

    /// Inline or block HTML: tags are dropped except font / br / at; comments are dropped.
    /// Linear: `>` is looked for only after a `<` that can start a tag, and once
    /// there is none left the rest is text.
    fn html(&mut self, s: &str) {
        let mut rest = s;
        while let Some(i) = rest.find('<') {
            self.text(rest.get(..i).unwrap_or(""), true);
            let tail = rest.get(i..).unwrap_or("");
            if let Some(after) = tail.strip_prefix("<!--") {
                if let Some(j) = after.find("-->") {
                    rest = after.get(j + 3..).unwrap_or("");
                    continue;
                }
                // an unclosed comment is text
                self.text(tail, true);
                return;
            }
            let tagish = tail.chars().nth(1).is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?'));
            if !tagish {
                self.text("<", true);
                rest = tail.get(1..).unwrap_or("");
                continue;
            }
            match tail.find('>') {
                Some(j) => {
                    self.tag(tail.get(..=j).unwrap_or(""));
                    rest = tail.get(j + 1..).unwrap_or("");
                }
                None => {
                    self.text(tail, true);
                    return;
                }
            }
        }
        self.text(rest, true);
    }

    fn tag(&mut self, raw: &str) {
        let body = raw.trim_start_matches('<').trim_end_matches('>');
        let close = body.starts_with('/');
        let body = body.trim_start_matches('/');
        let name: String = body.chars().take_while(char::is_ascii_alphanumeric).collect();
        let t = self.top();
        let open_font = matches!(t.kind, FrameKind::Font(_)) && t.skip == 0;
        match name.to_ascii_lowercase().as_str() {
            "font" if close && open_font => self.close(),
            "font" if !close && t.inline_depth < MAX_DEPTH => {
                self.push(FrameKind::Font(color_attr(body)));
            }
            "br" => t.add_inline(Inline::Break),
            "at" => t.add_inline(Inline::At(raw.to_string())),
            _ => {}
        }
    }
}

/// The value of a `color=` attribute, reduced to characters safe inside a quoted attribute.
pub(crate) fn color_attr(tag: &str) -> String {
    let lower = tag.to_ascii_lowercase();
    let Some(i) = lower.find("color") else {
        return String::new();
    };
    let rest = tag.get(i + 5..).unwrap_or("").trim_start();
    let Some(rest) = rest.strip_prefix('=') else {
        return String::new();
    };
    rest.trim_start()
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '#' | '-' | '_'))
        .collect()
}

/// The text of some inlines, without markup.
pub(crate) fn flatten(v: &[Inline], out: &mut String) {
    for i in v {
        match i {
            Inline::Text(t) => out.push_str(t),
            Inline::Code(t) => out.push_str(t),
            Inline::Image { alt, .. } => out.push_str(alt),
            Inline::Break => out.push(' '),
            Inline::At(_) => {}
            Inline::Strong(c)
            | Inline::Emph(c)
            | Inline::Strike(c)
            | Inline::Link { content: c, .. }
            | Inline::Font { content: c, .. } => flatten(c, out),
        }
    }
}

/// Parses CommonMark with GFM tables and strikethrough. Never fails: whatever
/// is not markup is text.
pub fn parse(src: &str) -> Doc {
    parse_with(src, "", src.len(), false).0
}

/// Parses `src`, the first part of a text of `whole` bytes (references expand as in the whole
/// text); a reference it leaves undefined is looked up in the candidate
/// definition lines of `rest` (the source after a cut, see `super::bound` and `super::defs`),
/// found and parsed only when such a reference is met. Also says whether the
/// last top-level block is an HTML block (one a cut may have left open).
///
/// Long runs of one-line definitions are left out of the parse (`super::defs::compact`), and,
/// when `blank_code` (an empty code block renders to nothing), long runs of empty fenced code
/// blocks but their first (`super::blanks::compact`); when the parse shows that this could
/// change what it gives (a run's first line was not read as a definition, or as an empty code
/// block at the top level, or a label left out is defined again after it), `src` is parsed
/// with less or nothing left out.
///
/// Returns the document, whether its last top-level block is an HTML block, and whether empty
/// code blocks were left out.
pub(crate) fn parse_with(src: &str, rest: &str, whole: usize, blank_code: bool) -> (Doc, bool, bool) {
    if blank_code {
        if let Some(f) = super::blanks::compact(src) {
            if let Some((doc, html)) = parse_defs(&f.text, rest, whole, &f.firsts) {
                #[cfg(test)]
                super::blanks::LEFT_OUT.set(super::blanks::LEFT_OUT.get() + (src.len() - f.text.len()));
                return (doc, html, true);
            }
        }
    }
    let (doc, html) = parse_defs(src, rest, whole, &[]).unwrap_or_default();
    (doc, html, false)
}

/// [`parse_with`] of `src` with its runs of definitions left out when it can, and the empty code
/// blocks `fences` (in `src`, see `super::blanks::Fences`) checked: `None` when one is not read
/// as such.
fn parse_defs(src: &str, rest: &str, whole: usize, fences: &[std::ops::Range<usize>]) -> Option<(Doc, bool)> {
    if let Some(c) = super::defs::compact(src) {
        let moved: Vec<std::ops::Range<usize>> = fences.iter().map(|r| c.at(r.start)..c.at(r.end)).collect();
        if let Some(r) = parse_in(&c.text, rest, whole, Some(&c), &moved) {
            #[cfg(test)]
            super::defs::LEFT_OUT.set(super::defs::LEFT_OUT.get() + (src.len() - c.text.len()));
            return Some(r);
        }
    }
    parse_in(src, rest, whole, None, fences)
}

/// [`parse_with`] of `src` (`compact`'s text when given): `None` when what was left out may matter.
fn parse_in(
    src: &str,
    rest: &str,
    whole: usize,
    compact: Option<&super::defs::Compact<'_>>,
    fences: &[std::ops::Range<usize>],
) -> Option<(Doc, bool)> {
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    // the rest is scanned on the first undefined reference only: most prefixes have none
    let later = std::cell::OnceCell::new();
    let mut defs: Option<Parser<'_>> = None;
    // one callback type for every parse, so the parser is compiled once
    let mut callback = |link: md::BrokenLink<'_>| {
        // the lines left out come before the rest
        if let Some((dest, title)) = compact.and_then(|c| c.lookup(&link.reference, opts)) {
            return Some((md::CowStr::from(dest), md::CowStr::from(title)));
        }
        if rest.is_empty() {
            return None;
        }
        let later: &super::defs::Compact<'_> =
            later.get_or_init(|| super::defs::later_defs(rest, super::defs::allows_def_after(src), &link.reference));
        // the candidates written out are parsed, those left out looked up (the first wins)
        let kept = match later.text.as_str() {
            "" => None,
            text => {
                defs.get_or_insert_with(|| Parser::new_ext(text, opts)).reference_definitions().get(&link.reference)
            }
        };
        let kept =
            kept.map(|d| (d.dest.to_string(), d.title.as_ref().map_or(String::new(), |t| t.to_string()), d.span.start));
        let (dest, title) = later.later(&link.reference, kept, opts)?;
        Some((md::CowStr::from(dest), md::CowStr::from(title)))
    };
    // a run's first line must be read as a definition: no event covers it
    let guards: &[super::defs::Run] = compact.map_or(&[], |c| &c.runs);
    let mut covered = false;
    // each of `fences` must be read as a fenced code block starting on its first line (the scan
    // read the rest: see `super::blanks::Fences`); `opened` counts those seen
    let mut opened = 0usize;
    let mut b = Builder::default();
    let mut last_html = false;
    // an HTML block's lines, written as one (a comment or tag may span lines)
    let mut html_block: Option<String> = None;
    // back-to-back text events (`[[[`: an event per bracket; `&amp;&amp;`: one per entity)
    // handed to the builder as one run: the same text, one call instead of one per event
    let mut run = Run::default();
    // the parser's loop runs in crates/md-events (compiled at its own opt-level), once per event
    let mut sink = |ev: Event<'_>, range: std::ops::Range<usize>| {
        if !guards.is_empty() {
            let k = guards.partition_point(|g| g.first.end <= range.start);
            // the quote a quoted run's first line opens starts there and covers it
            covered |= guards.get(k).is_some_and(|g| {
                g.first.start < range.end
                    && !(g.pre > 0
                        && range.start == g.first.start
                        && matches!(ev, Event::Start(md::Tag::BlockQuote(_)) | Event::End(md::TagEnd::BlockQuote(_))))
            });
        }
        if !fences.is_empty() && matches!(ev, Event::Start(md::Tag::CodeBlock(CodeBlockKind::Fenced(_)))) {
            let k = fences.partition_point(|g| g.start < range.start);
            opened += usize::from(fences.get(k).is_some_and(|g| g.start == range.start));
        }
        if let Event::Text(t) = &ev {
            // the `CowStr` read once (its deref is a call of the parser's crate)
            let t: &str = t;
            if let Some(v) = mergeable(src, &range, t) {
                return run.add(src, range, t, v);
            }
        }
        run.flush(src, &mut b);
        match ev {
            Event::Start(tag) => {
                let html = matches!(tag, md::Tag::HtmlBlock);
                if b.stack.is_empty() {
                    last_html = html;
                }
                if html {
                    html_block = Some(String::new());
                }
                b.start(tag)
            }
            Event::End(_) => {
                if let Some(h) = html_block.take() {
                    b.html(&h);
                }
                b.end()
            }
            Event::Html(h) if html_block.is_some() => html_block.get_or_insert_default().push_str(&h),
            // a byte pattern: `starts_with('<')` or an `Option` compare costs a call per event at
            // opt-level "z"
            Event::Text(t) if matches!(t.as_bytes(), [b'<', ..]) && escaped_mention(src, range.clone(), &t) => {
                b.text(&format!("<\u{200B}{}", &t[1..]), false)
            }
            Event::Text(t) => b.text(&t, false),
            Event::Code(c) => b.top().add_inline(Inline::Code(c.to_string())),
            Event::Html(h) | Event::InlineHtml(h) => b.html(&h),
            Event::SoftBreak | Event::HardBreak => b.top().add_inline(Inline::Break),
            Event::Rule => {
                if b.stack.is_empty() {
                    last_html = false;
                }
                b.top().add_block(Block::Rule)
            }
            _ => {}
        }
    };
    // the definitions kept after a run's first line, whose labels a left-out line may define first
    let mut after: Vec<(String, usize)> = Vec::new();
    let mut kept = |d: &md::RefDefs<'_>| {
        if let Some(g) = guards.first() {
            after.extend(
                d.iter().filter(|(_, d)| d.span.start >= g.first.end).map(|(l, d)| (l.to_string(), d.span.start)),
            );
        }
    };
    md_events::each_event(src, opts, whole, &mut callback, &mut sink, &mut kept);
    run.flush(src, &mut b);
    if opened != fences.len() {
        return None;
    }
    if let Some(c) = compact {
        if covered || after.iter().any(|(l, at)| c.shadowed(l, *at)) {
            return None;
        }
    }
    if let Some(h) = html_block.take() {
        b.html(&h);
    }
    while !b.stack.is_empty() {
        b.close();
    }
    b.root.flush();
    Some((Doc { blocks: b.root.blocks }, last_html))
}

/// Text events not yet given to the builder: the source of `range` as written, or (`owned`)
/// the text in `own`.
#[derive(Default)]
struct Run {
    range: Option<std::ops::Range<usize>>,
    owned: bool,
    own: String,
}

impl Run {
    /// Adds a text event (`verbatim`: it is the source of its range as written).
    fn add(&mut self, src: &str, range: std::ops::Range<usize>, t: &str, verbatim: bool) {
        match &mut self.range {
            Some(r) if !self.owned && verbatim && r.end == range.start => r.end = range.end,
            Some(r) => {
                if !self.owned {
                    self.own.push_str(src.get(r.clone()).unwrap_or(""));
                    self.owned = true;
                }
                self.own.push_str(t);
                r.end = range.end;
            }
            None => {
                if !verbatim {
                    self.own.push_str(t);
                    self.owned = true;
                }
                self.range = Some(range);
            }
        }
    }

    /// Gives the text to the builder.
    fn flush(&mut self, src: &str, b: &mut Builder) {
        let Some(r) = self.range.take() else { return };
        if self.owned {
            b.text(&self.own, false);
            self.own.clear();
            self.owned = false;
        } else {
            b.text(src.get(r).unwrap_or(""), false);
        }
    }
}

/// Whether a text event joins a run (`Some`), and whether it is the source of its range as
/// written (not an escape, an entity or a trimmed line): every event but one starting with a
/// `<` that [`escaped_mention`] must see on its own (one not written as such in the source, or
/// after a `\\`).
fn mergeable(src: &str, range: &std::ops::Range<usize>, t: &str) -> Option<bool> {
    #[cfg(test)]
    if NO_RUNS.get() {
        return None;
    }
    let b = src.as_bytes();
    let verbatim = std::ptr::eq(t.as_ptr(), b.as_ptr().wrapping_add(range.start))
        && t.len() == range.end.wrapping_sub(range.start);
    match t.as_bytes() {
        [b'<', ..] => (verbatim && !(range.start > 0 && matches!(b.get(range.start - 1), Some(b'\\')))).then_some(true),
        _ => Some(verbatim),
    }
}

/// Whether a text event starting with `<` begins with a `<` the source escaped (`\<`) or
/// wrote as a character reference (`&lt;`, `&#60;`) and a `@` follows: such text stays text
/// (a zero-width space goes after the `<`), so only a `<@id>` written as one is a WeCom mention.
pub(crate) fn escaped_mention(src: &str, range: std::ops::Range<usize>, t: &str) -> bool {
    // byte tests first: this runs for every `<` of a `<<<<` run
    let b = src.as_bytes();
    let escaped = match b.get(range.start) {
        Some(b'&') => true,
        Some(b'<') => range.start > 0 && matches!(b.get(range.start - 1), Some(b'\\')),
        _ => false,
    };
    if !escaped {
        return false;
    }
    let after = src.get(range.end..).unwrap_or("");
    t[1..].starts_with('@')
        || t.len() == 1 && (after.trim_start_matches('\\').starts_with('@') || after.starts_with("&#64;"))
}
