//! The markdown IR: a document of top-level blocks made of inlines, the
//! dialects it is written in, what a dialect loses, and the features a
//! document uses (walked, bounded by the parser's depth limit).

/// Deepest nesting kept, for block containers (quotes, lists) and, separately,
/// for inline spans; anything deeper is flattened into its parent.
pub const MAX_DEPTH: u16 = 32;

/// A parsed markdown document: a list of top-level blocks.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Doc {
    pub blocks: Vec<Block>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    Paragraph(Vec<Inline>),
    /// Level 1..=6 and the heading's text.
    Heading(u8, Vec<Inline>),
    Quote(Vec<Block>),
    /// The first number of an ordered list (`None`: bulleted) and the items.
    List(Option<u64>, Vec<Vec<Block>>),
    /// A fenced or indented code block; `lang` is the first word of the info string.
    Code {
        lang: String,
        text: String,
    },
    Table {
        align: Vec<Align>,
        head: Vec<Vec<Inline>>,
        rows: Vec<Vec<Vec<Inline>>>,
    },
    Rule,
}

/// Column alignment of a table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    None,
    Left,
    Center,
    Right,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Inline {
    Text(Text),
    Code(String),
    Strong(Vec<Inline>),
    Emph(Vec<Inline>),
    Strike(Vec<Inline>),
    Link {
        url: String,
        content: Vec<Inline>,
    },
    Image {
        url: String,
        alt: String,
    },
    /// `<font color="…">…</font>`; the colour as written (`info`, `red`, …).
    Font {
        color: String,
        content: Vec<Inline>,
    },
    /// A raw `<at …>` / `</at>` tag (a Feishu mention), kept for lark_md only.
    At(String),
    /// A line break (soft or hard: chat platforms show both as one).
    Break,
}

/// The text of an [`Inline::Text`]: up to [`Text::SHORT`] bytes kept in place, longer text in
/// a `String`. Markup-dense input (`*a*` runs: an emphasis per two characters) makes one text
/// inline per character or two; kept in place, each costs no allocation of its own (the
/// inline is no larger than the `Link` variant anyway). Read as a `&str`.
#[derive(Clone)]
pub struct Text(Repr);

/// Private: the bytes in place are only ever written by [`Text::push_str`], whole `&str`s one
/// after another, so they are always UTF-8 (what [`Text::as_str`] relies on).
#[derive(Clone)]
enum Repr {
    Short(u8, [u8; Text::SHORT]),
    Long(String),
}

impl Text {
    /// Bytes kept in place: the inline stays the size of its largest variant on wasm32.
    pub const SHORT: usize = 22;

    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Short(n, b) => {
                let b = b.get(..usize::from(*n)).unwrap_or(&[]);
                // SAFETY: the bytes in place are whole `&str`s appended by `push_str` (a prefix of
                // them ends at one's end), so valid UTF-8; checked in tests. Validating them at
                // every read was ~3 % of a render of 1 MiB of one-word paragraphs.
                #[cfg(test)]
                assert!(std::str::from_utf8(b).is_ok());
                unsafe { std::str::from_utf8_unchecked(b) }
            }
            Repr::Long(s) => s,
        }
    }

    /// Whether the text is kept in place (no allocation of its own).
    pub fn in_place(&self) -> bool {
        matches!(self.0, Repr::Short(..))
    }

    pub fn push_str(&mut self, t: &str) {
        match &mut self.0 {
            Repr::Short(n, b) => {
                let at = usize::from(*n);
                match b.get_mut(at..at + t.len()) {
                    Some(room) => {
                        room.copy_from_slice(t.as_bytes());
                        *n += t.len() as u8;
                    }
                    None => {
                        let mut s = String::with_capacity((at + t.len()).max(2 * Text::SHORT));
                        s.push_str(self.as_str());
                        s.push_str(t);
                        self.0 = Repr::Long(s);
                    }
                }
            }
            Repr::Long(s) => s.push_str(t),
        }
    }
}

impl From<&str> for Text {
    fn from(t: &str) -> Self {
        // made in place at once (one per text inline of the parse)
        let mut b = [0; Text::SHORT];
        match b.get_mut(..t.len()) {
            Some(room) => {
                room.copy_from_slice(t.as_bytes());
                Text(Repr::Short(t.len() as u8, b))
            }
            None => Text(Repr::Long(t.to_string())),
        }
    }
}

impl From<String> for Text {
    fn from(t: String) -> Self {
        if t.len() <= Text::SHORT { Text::from(t.as_str()) } else { Text(Repr::Long(t)) }
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
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

/// Something a dialect could not show natively, and what it became instead;
/// the platform that chose the dialect says why, in its words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loss {
    pub from: &'static str,
    pub to: &'static str,
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

impl Doc {
    pub fn features(&self) -> Features {
        let mut f = Features::default();
        walk(&self.blocks, &mut f);
        f
    }
}

pub(crate) fn walk(bs: &[Block], f: &mut Features) {
    for b in bs {
        match b {
            Block::Paragraph(v) => walk_inline(v, f),
            Block::Heading(_, v) => {
                f.headings = true;
                walk_inline(v, f);
            }
            Block::Quote(bs) => {
                f.quotes = true;
                walk(bs, f);
            }
            Block::List(_, items) => {
                f.lists = true;
                items.iter().for_each(|it| walk(it, f));
            }
            Block::Code { .. } => f.code_blocks = true,
            Block::Table { head, rows, .. } => {
                f.tables = true;
                head.iter().chain(rows.iter().flatten()).for_each(|c| walk_inline(c, f));
            }
            Block::Rule => {}
        }
    }
}

pub(crate) fn walk_inline(v: &[Inline], f: &mut Features) {
    for i in v {
        match i {
            Inline::Image { .. } => f.images = true,
            Inline::Strong(c)
            | Inline::Emph(c)
            | Inline::Strike(c)
            | Inline::Link { content: c, .. }
            | Inline::Font { content: c, .. } => walk_inline(c, f),
            _ => {}
        }
    }
}
