//! The markdown tests: parse, every dialect, the Feishu post writer.

use super::*;
use crate::platform::feishu_post::to_feishu_post;
use Dialect::*;
use serde_json::{Value, json};

const ALL: [Dialect; 5] = [WecomMarkdown, WecomMarkdownV2, DingTalk, LarkMd, Plain];

/// Per dialect (in `ALL` order): the whole document, and its losses as `from->to`.
fn each(src: &str) -> Vec<(String, Vec<String>)> {
    let doc = parse(src);
    ALL.iter()
        .map(|&d| {
            let (blocks, losses) = render(&doc, d);
            (blocks.join(block_separator(d)), names(&losses))
        })
        .collect()
}

fn names(losses: &[Loss]) -> Vec<String> {
    losses.iter().map(|l| format!("{}->{}", l.from, l.to)).collect()
}

/// Golden outputs in `ALL` order.
fn golden(src: &str, expect: [(&str, &[&str]); 5]) {
    let got = each(src);
    for ((d, (text, losses)), (want, want_losses)) in ALL.iter().zip(got).zip(expect) {
        assert_eq!(text, want, "{d:?} of {src:?}");
        assert_eq!(losses, want_losses, "{d:?} losses of {src:?}");
    }
}

fn post(src: &str) -> (Value, Vec<String>) {
    let (blocks, losses) = to_feishu_post(&parse(src));
    (crate::payload::Payload::from(blocks).to_value(), names(&losses))
}

const SEED: &str = "# Deployment Complete\n\n## Status: ✅ Success\n- Version: v1.2.3\n- Environment: Production\n- Deployed by: @zhangsan\n\n[View Logs](https://example.com/logs)";

#[test]
fn seed_example() {
    let md = "# Deployment Complete\n\n## Status: ✅ Success\n\n- Version: v1.2.3\n- Environment: Production\n- Deployed by: @zhangsan\n\n[View Logs](https://example.com/logs)";
    golden(
        SEED,
        [
            (md, &[]),
            (md, &[]),
            (
                "# Deployment Complete\n\n## Status: ✅ Success\n\n- Version: v1.2.3  \n- Environment: Production  \n- Deployed by: @zhangsan\n\n[View Logs](https://example.com/logs)",
                &[],
            ),
            (
                "**Deployment Complete**\n\n**Status: ✅ Success**\n\n- Version: v1.2.3\n- Environment: Production\n- Deployed by: @zhangsan\n\n[View Logs](https://example.com/logs)",
                &["heading->bold"],
            ),
            (
                "Deployment Complete\n\nStatus: ✅ Success\n\n• Version: v1.2.3\n• Environment: Production\n• Deployed by: @zhangsan\n\nView Logs (https://example.com/logs)",
                &[],
            ),
        ],
    );
    let doc = parse(SEED);
    assert_eq!(render(&doc, WecomMarkdown).0.len(), 4, "one string per top-level block");
    let f = doc.features();
    assert!(f.headings && f.lists && !f.tables && !f.code_blocks && !f.images && !f.quotes);
    assert_eq!(
        post(SEED),
        (
            json!([
                [[{"tag": "text", "text": "Deployment Complete", "style": ["bold"]}]],
                [[{"tag": "text", "text": "Status: ✅ Success", "style": ["bold"]}]],
                [
                    [{"tag": "text", "text": "• Version: v1.2.3"}],
                    [{"tag": "text", "text": "• Environment: Production"}],
                    [{"tag": "text", "text": "• Deployed by: @zhangsan"}]
                ],
                [[{"tag": "a", "text": "View Logs", "href": "https://example.com/logs"}]]
            ]),
            vec!["heading->bold".to_string()]
        )
    );
}

#[test]
fn headings() {
    golden(
        "### Disk *almost* full\nSetext\n---",
        [
            ("### Disk almost full\n\n## Setext", &["emphasis->text"]),
            ("### Disk *almost* full\n\n## Setext", &[]),
            ("### Disk *almost* full\n\n## Setext", &[]),
            ("**Disk *almost* full**\n\n**Setext**", &["heading->bold"]),
            ("Disk almost full\n\nSetext", &[]),
        ],
    );
    let (rows, losses) = post("### Disk *almost* full");
    assert_eq!(
        rows,
        json!([[[
            {"tag": "text", "text": "Disk ", "style": ["bold"]},
            {"tag": "text", "text": "almost", "style": ["bold", "italic"]},
            {"tag": "text", "text": " full", "style": ["bold"]}
        ]]])
    );
    assert_eq!(losses, ["heading->bold"]);
}

#[test]
fn nested_lists() {
    let src = "- a\n  - b\n    1. c\n    2. d\n- e\n\n3. x\n4. y";
    let md = "- a\n  - b\n    1. c\n    2. d\n- e\n\n3. x\n4. y";
    golden(
        src,
        [
            (md, &[]),
            (md, &[]),
            ("- a  \n  - b  \n    1. c  \n    2. d  \n- e\n\n3. x  \n4. y", &[]),
            (md, &[]),
            ("• a\n  • b\n    1. c\n    2. d\n• e\n\n3. x\n4. y", &[]),
        ],
    );
    assert_eq!(
        post(src).0,
        json!([
            [
                [{"tag": "text", "text": "• a"}],
                [{"tag": "text", "text": "  • b"}],
                [{"tag": "text", "text": "    1. c"}],
                [{"tag": "text", "text": "    2. d"}],
                [{"tag": "text", "text": "• e"}]
            ],
            [[{"tag": "text", "text": "3. x"}], [{"tag": "text", "text": "4. y"}]]
        ])
    );
    // a loose item keeps its paragraphs apart, under the item's indentation
    golden(
        "- a\n\n  more\n- b",
        [
            ("- a\n\n  more\n- b", &[]),
            ("- a\n\n  more\n- b", &[]),
            ("- a\n\n  more  \n- b", &[]),
            ("- a\n\n  more\n- b", &[]),
            ("• a\n\n  more\n• b", &[]),
        ],
    );
}

#[test]
fn quotes() {
    golden(
        "> **Note**\n> line two\n>\n> > nested",
        [
            ("> **Note**\n> line two\n>\n> > nested", &[]),
            ("> **Note**  \n> line two\n>\n> > nested", &[]),
            ("> **Note**  \n> line two  \n>  \n> > nested", &[]),
            ("> **Note**\n> line two\n>\n> > nested", &[]),
            ("> Note\n> line two\n>\n> > nested", &[]),
        ],
    );
    assert_eq!(
        post("> **Note**\n> two").0,
        json!([[
            [{"tag": "text", "text": "> "}, {"tag": "text", "text": "Note", "style": ["bold"]}],
            [{"tag": "text", "text": "> two"}]
        ]])
    );
}

#[test]
fn code_blocks() {
    let src = "```sh\nls -la\n  # list *all*\n\n```";
    golden(
        src,
        [
            ("> ls -la\n> \u{a0}\u{a0}# list \\*all\\*\n>", &["code_block->text"]),
            ("```sh\nls -la\n  # list *all*\n\n```", &[]),
            ("> ls -la  \n> \u{a0}\u{a0}# list \\*all\\*  \n>", &["code_block->text"]),
            ("ls -la\n\u{a0}\u{a0}# list \\*all\\*\n", &["code_block->text"]),
            ("ls -la\n  # list *all*\n", &[]),
        ],
    );
    assert_eq!(
        post(src),
        (json!([[[{"tag": "code_block", "language": "sh", "text": "ls -la\n  # list *all*\n"}]]]), vec![])
    );
    // a fence longer than any backtick run inside; no language, no "language"
    let (v2, _) = render(&parse("~~~\nuse ``` here\n~~~"), WecomMarkdownV2);
    assert_eq!(v2, ["````\nuse ``` here\n````"]);
    assert_eq!(post("    indented").0, json!([[[{"tag": "code_block", "text": "indented"}]]]));
}

#[test]
fn tables() {
    let src = "| Host | CPU |\n|:--|--:|\n| web-1 | 90% |\n| db | |\n| a\\|b | `x` |";
    golden(
        src,
        [
            ("**Host** | **CPU**\nweb-1 | 90%\ndb |\na|b | `x`", &["table->text"]),
            ("| Host | CPU |\n| :--- | ---: |\n| web-1 | 90% |\n| db |  |\n| a\\|b | `x` |", &[]),
            ("**Host**: web-1 · **CPU**: 90%  \n**Host**: db  \n**Host**: a|b · **CPU**: x", &["table->text"]),
            ("**Host** | **CPU**\nweb-1 | 90%\ndb |\na|b | x", &["table->text"]),
            ("Host | CPU\nweb-1 | 90%\ndb |\na|b | x", &[]),
        ],
    );
    assert_eq!(
        post("| A | B |\n|---|---|\n| 1 | 2 |"),
        (
            json!([[
                [
                    {"tag": "text", "text": "A", "style": ["bold"]},
                    {"tag": "text", "text": " | "},
                    {"tag": "text", "text": "B", "style": ["bold"]}
                ],
                [{"tag": "text", "text": "1 | 2"}]
            ]]),
            vec!["table->text".to_string()]
        )
    );
    // a table without rows is its header line on DingTalk
    assert_eq!(render_inline("| A | B |\n|---|---|", DingTalk), "**A** | **B**");
}

#[test]
fn links_keep_query_strings_and_parentheses() {
    let url = "https://en.wikipedia.org/wiki/Rust_(programming_language)?a=1&b=2#top";
    let md = "[Wiki](https://en.wikipedia.org/wiki/Rust_%28programming_language%29?a=1&b=2#top)";
    let src = format!("[Wiki]({url}) <https://x.com/?q=1>");
    let auto = " [https://x.com/?q=1](https://x.com/?q=1)";
    golden(
        &src,
        [
            (&format!("{md}{auto}"), &[]),
            (&format!("{md}{auto}"), &[]),
            (&format!("{md}{auto}"), &[]),
            (&format!("{md}{auto}"), &[]),
            (&format!("Wiki ({url}) https://x.com/?q=1"), &[]),
        ],
    );
    assert_eq!(
        post(&src).0,
        json!([[[
            {"tag": "a", "text": "Wiki", "href": url},
            {"tag": "text", "text": " "},
            {"tag": "a", "text": "https://x.com/?q=1", "href": "https://x.com/?q=1"}
        ]]])
    );
    // the text of a link is the URL when empty; brackets in it are escaped
    assert_eq!(render_inline("[](https://e.com) [a\\]b](u)", LarkMd), "[https://e.com](https://e.com) [a\\]b](u)");
}

#[test]
fn images() {
    golden(
        "![chart](https://x.com/c.png?w=1) ![](https://x.com/d.png)",
        [
            ("[chart](https://x.com/c.png?w=1) [image](https://x.com/d.png)", &["image->link"]),
            ("![chart](https://x.com/c.png?w=1) ![](https://x.com/d.png)", &[]),
            ("![chart](https://x.com/c.png?w=1) ![](https://x.com/d.png)", &[]),
            ("[chart](https://x.com/c.png?w=1) [image](https://x.com/d.png)", &["image->link"]),
            ("[image: chart] https://x.com/c.png?w=1 [image] https://x.com/d.png", &["image->link"]),
        ],
    );
    assert_eq!(
        post("![chart](https://x.com/c.png)"),
        (json!([[[{"tag": "a", "text": "chart", "href": "https://x.com/c.png"}]]]), vec!["image->link".to_string()])
    );
    // an image inside a link: link-only dialects keep the outer link
    golden(
        "[![logo](https://i.png)](https://t.com)",
        [
            ("[logo](https://t.com)", &["image->link"]),
            ("[![logo](https://i.png)](https://t.com)", &[]),
            ("[![logo](https://i.png)](https://t.com)", &[]),
            ("[logo](https://t.com)", &["image->link"]),
            ("[image: logo] (https://t.com)", &["image->link"]),
        ],
    );
}

#[test]
fn cjk_and_emoji_survive() {
    let s = "部署完成 ✅ 👨‍👩‍👧‍👦 费用 $5,000，负责人 @zhangsan 中_文 <@lisi>";
    golden(s, [(s, &[]), (s, &[]), (s, &[]), (s, &[]), (s, &[])]);
    assert_eq!(post(s).0, json!([[[{"tag": "text", "text": s}]]]));
    let h = "## 状态：**成功** 🎉";
    golden(h, [(h, &[]), (h, &[]), (h, &[]), ("**状态：成功 🎉**", &["heading->bold"]), ("状态：成功 🎉", &[])]);
}

#[test]
fn font_colours() {
    golden(
        "<font color=\"warning\">3 errors</font> and <font color=comment>ok</font> <font color='green'>up</font>",
        [
            (
                "<font color=\"warning\">3 errors</font> and <font color=\"comment\">ok</font> <font color=\"info\">up</font>",
                &[],
            ),
            ("3 errors and ok up", &["font->text"]),
            ("3 errors and ok up", &["font->text"]),
            ("<font color='red'>3 errors</font> and <font color='grey'>ok</font> <font color='green'>up</font>", &[]),
            ("3 errors and ok up", &[]),
        ],
    );
    assert_eq!(
        post("<font color=\"info\">**ok**</font>"),
        (json!([[[{"tag": "text", "text": "ok", "style": ["bold"]}]]]), vec!["font->text".to_string()])
    );
    // an unclosed font ends with its paragraph; a stray close is ignored
    assert_eq!(
        render_inline("<font color=info>a **b</font> c**\n\nd</font>", WecomMarkdown),
        "<font color=\"info\">a **b c**</font>\n\nd"
    );
}

#[test]
fn inline_styles() {
    golden(
        "~~old~~ *it* **b** `c` ***both***",
        [
            ("old it **b** `c` **both**", &["strikethrough->text", "emphasis->text"]),
            ("~~old~~ *it* **b** `c` ***both***", &[]),
            ("old *it* **b** c ***both***", &["strikethrough->text"]),
            ("~~old~~ *it* **b** c ***both***", &[]),
            ("old it b c both", &[]),
        ],
    );
    assert_eq!(
        post("~~old~~ *it* `c`").0,
        json!([[[
            {"tag": "text", "text": "old", "style": ["lineThrough"]},
            {"tag": "text", "text": " "},
            {"tag": "text", "text": "it", "style": ["italic"]},
            {"tag": "text", "text": " c"}
        ]]])
    );
    // spans that would touch stay apart; code spans keep their backticks and spaces
    assert_eq!(render_inline("*a*_b_ ``x`y`` `` `z` ``", WecomMarkdownV2), "*a*_b_ ``x`y`` `` `z` ``");
}

#[test]
fn escapes_only_what_would_become_markup() {
    golden(
        "5 * 3 snake_case version~1.0 [WARN] a < b \\*lit\\* \\[x\\](y) 1\\. no\n\\# no\n\\- no",
        [
            ("5 * 3 snake_case version~1.0 [WARN] a < b \\*lit\\* \\[x](y) 1. no\n\\# no\n\\- no", &[]),
            ("5 * 3 snake_case version~1.0 [WARN] a < b \\*lit\\* \\[x](y) 1. no  \n\\# no  \n\\- no", &[]),
            ("5 * 3 snake_case version~1.0 [WARN] a < b \\*lit\\* \\[x](y) 1. no  \n\\# no  \n\\- no", &[]),
            ("5 * 3 snake_case version~1.0 [WARN] a < b \\*lit\\* \\[x](y) 1. no\n\\# no\n\\- no", &[]),
            ("5 * 3 snake_case version~1.0 [WARN] a < b *lit* [x](y) 1. no\n# no\n- no", &[]),
        ],
    );
    assert_eq!(render_inline("1\\. a\n\n\\> b \\<font> \\~~c~~", LarkMd), "1\\. a\n\n\\> b &lt;font> \\~\\~c\\~\\~");
    assert_eq!(
        render_inline("| x |\n|:-:|\n| a \\| b `c\\|d` |", WecomMarkdownV2),
        "| x |\n| :---: |\n| a \\| b `c\\|d` |"
    );
}

#[test]
fn html_tags() {
    golden(
        "Hi <at user_id=\"all\">All</at><br>next <!-- c --><span>s</span>\n\n<div>\nblock <b>html</b>\n</div>",
        [
            ("Hi All\nnext s\n\nblock html", &[]),
            ("Hi All  \nnext s\n\nblock html", &[]),
            ("Hi All  \nnext s\n\nblock html", &[]),
            ("Hi <at user_id=\"all\">All</at>\nnext s\n\nblock html", &[]),
            ("Hi All\nnext s\n\nblock html", &[]),
        ],
    );
    assert_eq!(parse("<!-- only a comment -->\n\n   \n").blocks, []);
}

#[test]
fn rule_and_line_breaks() {
    golden(
        "a\nb  \nc\n\n---",
        [
            ("a\nb\nc\n\n---", &[]),
            ("a  \nb  \nc\n\n---", &[]),
            ("a  \nb  \nc\n\n---", &[]),
            ("a\nb\nc\n\n---", &[]),
            ("a\nb\nc\n\n---", &[]),
        ],
    );
    assert_eq!(
        post("a\nb\n\n***").0,
        json!([[[{"tag": "text", "text": "a"}], [{"tag": "text", "text": "b"}]], [[{"tag": "hr"}]]])
    );
}

#[test]
fn losses_once_per_kind() {
    let (_, losses) = render(&parse("| a |\n|---|\n\n| b |\n|---|\n\n![i](u) ![j](v)"), WecomMarkdown);
    assert_eq!(losses, [Loss { from: "table", to: "text" }, Loss { from: "image", to: "link" },]);
    let (_, losses) = render(&parse("```\nx\n```\n\n| a |\n|---|\n\n<font color=red>r</font> ~~s~~"), DingTalk);
    assert_eq!(
        losses,
        [
            Loss { from: "code_block", to: "text" },
            Loss { from: "table", to: "text" },
            Loss { from: "font", to: "text" },
            Loss { from: "strikethrough", to: "text" },
        ]
    );
}

#[test]
fn features() {
    let f = parse("> q\n\n```\nc\n```\n\n| a |\n|---|\n| ![i](u) |").features();
    assert_eq!(
        f,
        Features { tables: true, code_blocks: true, images: true, lists: false, headings: false, quotes: true }
    );
    assert_eq!(parse("").features(), Features::default());
}

#[test]
fn render_inline_joins_blocks() {
    assert_eq!(render_inline("**Disk** at *95%*", DingTalk), "**Disk** at *95%*");
    assert_eq!(render_inline("# T\n\nbody", LarkMd), "**T**\n\nbody");
    assert_eq!(render_inline("", Plain), "");
}

/// How deep blocks and inlines nest in a document.
fn depth(bs: &[Block]) -> usize {
    fn inl(v: &[Inline]) -> usize {
        v.iter()
            .map(|i| match i {
                Inline::Strong(c)
                | Inline::Emph(c)
                | Inline::Strike(c)
                | Inline::Link { content: c, .. }
                | Inline::Font { content: c, .. } => 1 + inl(c),
                _ => 0,
            })
            .max()
            .unwrap_or(0)
    }
    bs.iter()
        .map(|b| match b {
            Block::Quote(c) => 1 + depth(c),
            Block::List(_, items) => 1 + items.iter().map(|i| depth(i)).max().unwrap_or(0),
            Block::Paragraph(v) | Block::Heading(_, v) => inl(v),
            _ => 0,
        })
        .max()
        .unwrap_or(0)
}

#[test]
fn deep_nesting_is_flattened() {
    let n = 5000;
    for src in [
        ">".repeat(n) + " deep",
        "- ".repeat(n) + "deep",
        "1. > ".repeat(n) + "deep",
        "*a ".repeat(n) + "deep" + &" b*".repeat(n),
        "<font color=red>".repeat(n) + "deep",
        "[".repeat(n) + "deep" + &"](u)".repeat(n),
    ] {
        let doc = parse(&src);
        assert!(depth(&doc.blocks) <= 2 * usize::from(MAX_DEPTH), "{}", &src[..8]);
        for d in ALL {
            assert!(render(&doc, d).0.concat().contains("deep"), "{d:?} of {}", &src[..8]);
        }
        assert!(crate::payload::Payload::from(to_feishu_post(&doc).0).to_string().contains("deep"));
    }
    // below the cap nothing is flattened
    assert_eq!(render_inline(">>> x", Plain), "> > > x");
}

/// A run of text events (one per bracket or `<`) is one text inline, whatever its length;
/// escaping it is one pass that leaves what cannot be markup as it is.
#[test]
fn bracket_runs_are_one_text() {
    for (unit, v2) in [("[", "\\["), ("<", "<"), ("]", "]"), ("[x](", "\\[x](")] {
        let src = unit.repeat(5000);
        let doc = parse(&src);
        let [Block::Paragraph(v)] = doc.blocks.as_slice() else { panic!("{unit}: {:?}", doc.blocks.len()) };
        assert_eq!(v.as_slice(), [Inline::Text(src.as_str().into())], "{unit}");
        assert_eq!(render(&doc, WecomMarkdownV2).0, [v2.repeat(5000)], "{unit}");
        assert_eq!(first_line(&doc, Plain), Some(src), "{unit}");
    }
}

#[test]
fn lines_with_only_a_marker_to_escape() {
    // no character that could be markup but the line's start: copied whole, or one backslash
    for (text, want) in [
        ("10.0.12.7:9100", "10.0.12.7:9100"),
        ("2026-11-22 09:41:07 CST", "2026-11-22 09:41:07 CST"),
        ("1. first", "1\\. first"),
        ("12) twelve", "12\\) twelve"),
        ("# not a heading", "\\# not a heading"),
        ("####### seven", "####### seven"),
        ("> not a quote", "\\> not a quote"),
        ("- item", "\\- item"),
        ("+", "\\+"),
        ("---", "\\---"),
        ("===", "\\==="),
        ("| - | :-: |", "| \\- | :-: |"),
        ("-5 °C", "-5 °C"),
        ("3 中文", "3 中文"),
    ] {
        assert_eq!(escape_text(text, false), want, "{text:?}");
        let doc = Doc { blocks: vec![Block::Paragraph(vec![Inline::Text(text.into())])] };
        assert_eq!(render(&doc, WecomMarkdownV2).0, [want], "{text:?}");
    }
}

#[test]
fn ordered_list_numbers() {
    for (src, want) in [("0. a\n1. b", "0. a\n1. b"), ("999999999. a\n1. b", "999999999. a\n1000000000. b")] {
        let doc = parse(src);
        assert_eq!(render(&doc, WecomMarkdownV2).0, [want], "{src:?}");
    }
}

/// Every block written the generic way: its lines, joined (what `render` did for every block
/// before paragraphs were written straight into their string).
fn by_lines(doc: &Doc, d: Dialect) -> Vec<String> {
    let mut cx = Writer { dialect: d, post: false, losses: Vec::new() };
    doc.blocks
        .iter()
        .map(|b| {
            let mut lines: Vec<String> = Vec::new();
            block(&mut cx, b, &mut lines);
            let mut s = String::new();
            let mut prev_empty = true;
            for (i, l) in lines.iter().enumerate() {
                if i > 0 {
                    if d == DingTalk && !prev_empty && !l.is_empty() {
                        s.push_str("  ");
                    }
                    s.push('\n');
                }
                s.push_str(l);
                prev_empty = l.is_empty();
            }
            s
        })
        .collect()
}

proptest::proptest! {
    /// A paragraph written straight into its string is what its lines joined give, in every
    /// dialect (DingTalk's two spaces before a line break included).
    #[test]
    fn paragraphs_written_directly_match_their_lines(s in r"([a-c1 *_`~\[\]()<>#|.-]|<br>|<br><br>|  \n|\\\n|\n|\n\n|\n- |\n1\. |\n> |\n    |中){0,60}") {
        let doc = parse(&s);
        for d in ALL {
            proptest::prop_assert_eq!(render(&doc, d).0, by_lines(&doc, d), "{:?} of {:?}", d, s);
        }
    }

    #[test]
    fn never_panics(s in r"([#*_\[\]()!>|`~<>:.\\ \t\n-]|[a-c1]|<font color=red>|</font>|```|    |\n\|---\|\n|中|👨‍👩‍👧|\u{0}){0,80}") {
        let doc = parse(&s);
        let _ = doc.features();
        for d in ALL {
            let (blocks, _) = render(&doc, d);
            assert_eq!(blocks.len(), doc.blocks.len());
            let _ = render_inline(&s, d);
        }
        let (rows, _) = to_feishu_post(&doc);
        assert_eq!(rows.len(), doc.blocks.len());
    }

    #[test]
    fn arbitrary_strings_never_panic(s in ".{0,200}") {
        let doc = parse(&s);
        for d in ALL {
            let _ = render(&doc, d);
        }
        let _ = to_feishu_post(&doc);
    }

    /// markdown_v2 is CommonMark: what it writes reads back as the same document
    /// (after one round, which settles URL encoding and text-node splits).
    #[test]
    fn v2_reads_back(s in r"([a-b1 *_`~&;=+\\\[\](){}!<>#|:.\n\t-]|<font color=red>|</font>|```|    |\n\|---\|---\|\n|\n> |\n- |\n1. |!\[a\]\(u\)|\[a\]\(u_\(1\)\)){0,40}") {
        let v2 = |src: &str| render(&parse(src), WecomMarkdownV2).0.join("\n\n");
        let once = v2(&s);
        let twice = v2(&once);
        let doc = parse(&once);
        // two lists with different bullets that only a blank line parts merge on the way back
        let merged = doc.blocks.windows(2).any(|w| matches!(w, [Block::List(..), Block::List(..)]));
        if !merged {
            proptest::prop_assert_eq!(parse(&twice), doc, "src {:?} once {:?}", s, once);
        }
    }

    /// `first_line` (a title from a parsed body) is the first non-blank line of the whole
    /// plain rendering, trimmed, though it writes only the blocks up to that line.
    #[test]
    fn first_line_is_the_rendered_first_line(s in r"([#*_\[\]()!>|`~<:.\\ \t\r\n-]|[a-c1]|<br>|```|    |\n\|---\|\n|\n- |\n1. |中){0,60}") {
        let whole = render_inline(&s, Plain);
        let want = whole.lines().find(|l| !l.trim().is_empty()).map(|l| l.trim().to_string());
        proptest::prop_assert_eq!(first_line(&parse(&s), Plain), want, "{:?}", s);
    }

    /// `first_line_start` (a DingTalk title) gives the title `first_line` gives, cut to `n`
    /// characters, though it writes a long paragraph's first inlines only: paragraphs of many
    /// spans, breaks, links and images, blank starts and long lines.
    #[test]
    fn first_line_start_is_the_first_line_cut(
        s in r"[ \n]{0,2}(\*a\*|\*\*b\*\*|[a-c ]{1,9}|\[x\]\(/u\)|!\[i\]\(/p\)|`c`|~~d~~|中|\t){0,300}((\n|  \n|<br>)(\*a\*|[a-c ]{1,5})){0,3}",
        n in 0usize..700,
    ) {
        let cut = |t: String| match t.char_indices().nth(n) {
            Some((i, _)) => format!("{}…", &t[..i]),
            None => t,
        };
        let doc = parse(&s);
        proptest::prop_assert_eq!(first_line_start(&doc, n).map(cut), first_line(&doc, Plain).map(cut), "{:?}", s);
    }

    /// Text written into a markdown dialect reads back as the same text.
    #[test]
    fn text_reads_back(s in r"[a-c0-9:/&;*_~`\[\]()<>#+=.|\\! -]{1,30}") {
        // the parser trims a paragraph and keeps inner spaces: compare like with like
        let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
        if s.is_empty() {
            return Ok(());
        }
        let doc = Doc { blocks: vec![Block::Paragraph(vec![Inline::Text(s.into())])] };
        let (out, _) = render(&doc, WecomMarkdownV2);
        proptest::prop_assert_eq!(parse(&out[0]).blocks, doc.blocks, "{}", out[0]);
    }
}

/// `ir::Text` keeps up to 22 bytes in place: text pushed in pieces of every width, with the
/// piece that crosses the 22nd byte cut nowhere (a character of 2, 3 or 4 bytes that would end
/// past it moves the whole text out), reads back as the text pushed.
#[test]
fn ir_text_keeps_every_character_whole_across_its_short_bound() {
    for lead in 0..=Text::SHORT {
        for c in ["é", "中", "🚀", "a", "e\u{301}"] {
            for tail in ["", "x", "中🚀"] {
                let head = "a".repeat(lead);
                let want = format!("{head}{c}{tail}");
                let mut t = Text::from(head.as_str());
                t.push_str(c);
                t.push_str(tail);
                assert_eq!(&*t, want.as_str(), "{lead} {c:?} {tail:?}");
                assert_eq!(t.in_place(), want.len() <= Text::SHORT, "{lead} {c:?} {tail:?}");
                assert_eq!(Text::from(want.clone()), t);
                assert_eq!(&*Text::from(want.as_str()), want.as_str());
                // and as the parser builds it: a paragraph's text read back whole
                let doc = parse(&format!("{want}\\*"));
                assert_eq!(first_line(&doc, Plain), Some(format!("{want}*").trim().to_string()));
            }
        }
    }
}

/// DingTalk's title is the rendered first line cut to 64 characters: `first_line_start`, which
/// writes only a long paragraph's first inlines, gives the same title with links, code, CJK,
/// emoji, entities, escapes, autolinks, inline HTML, mentions and breaks in the first line.
#[test]
fn first_line_start_titles_with_every_kind_of_inline() {
    let units = [
        "[x](http://a.b/c)",
        "`c d`",
        "中文",
        "🚀",
        "&amp;",
        "&#x1F680;",
        "&lt;b&gt;",
        "\\*",
        "<http://x.y>",
        "<b>",
        "<at id=1></at>",
        "![i](/p.png)",
        "**b**",
        "*e*",
        "~~s~~",
        "  \n",
        "\n",
        "<br>",
        "a ",
        "👩‍👩‍👧",
        " ",
    ];
    let cut = |t: String, n: usize| match t.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &t[..i]),
        None => t,
    };
    let mut seed = 7u64;
    for _ in 0..400 {
        let mut s = String::new();
        let len = (seed % 400) as usize;
        for _ in 0..len {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let u = units[(seed >> 33) as usize % units.len()];
            // line breaks rarely, so that first lines are long
            if (u.contains('\n') || u == "<br>") && (seed >> 20) % 16 != 0 {
                s.push('a');
            } else {
                s.push_str(u);
            }
        }
        let doc = parse(&s);
        for n in [0, 1, 20, 64, 65, 200] {
            assert_eq!(
                first_line_start(&doc, n).map(|t| cut(t, n)),
                first_line(&doc, Plain).map(|t| cut(t, n)),
                "{s:?} {n}"
            );
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(600))]
    /// `first_line_start` on long lists, quotes and tables (it writes a start of each: the first
    /// item, the first block, the first rows) gives the title `first_line` gives: items and rows
    /// that are blank, empty or long, nested quotes and lists, code blocks first.
    #[test]
    fn first_line_start_of_long_blocks_is_the_first_line_cut(
        lead in r"(> |>|- |-|1\. |3\. |\* |> - |- > |    |\| |)(\n)?",
        units in proptest::collection::vec(r"(> |- |1\. |\|a\|\n|\|b\|\n|\|---\|\n| |\t|\n|a|\*b\*|`c`|```\n|<br>|中|  \n|\\)", 0..200),
        n in proptest::prelude::prop_oneof![0usize..4, 60usize..70, 190usize..210],
    ) {
        let s = format!("{lead}{}", units.concat());
        let cut = |t: String| match t.char_indices().nth(n) {
            Some((i, _)) => format!("{}…", &t[..i]),
            None => t,
        };
        let doc = parse(&s);
        proptest::prop_assert_eq!(first_line_start(&doc, n).map(cut), first_line(&doc, Plain).map(cut), "{:?}", s);
    }
}

/// Long lists, quotes and tables as the 1 MiB inputs have them (thousands of items, rows or
/// lines): the title is the first line's, and so when the first item or row is blank.
#[test]
fn first_line_start_of_long_lists_quotes_and_tables() {
    let cases = [
        "- a\n".repeat(5000),
        "1. a\n".repeat(5000),
        "> a\n".repeat(5000),
        format!("|h|\n|---|\n{}", "|a|\n".repeat(5000)),
        format!("| |\n|---|\n|c|\n{}", "|a|\n".repeat(5000)),
        format!("| |\n|---|\n| |\n|b|\n{}", "|a|\n".repeat(5000)),
        format!("-\n{}", "- a\n".repeat(5000)),
        format!("> ```\n> ```\n{}", "> a\n".repeat(5000)),
        format!("- - {}\n", "a *b* ".repeat(3000)),
        format!("> {}", "x ".repeat(5000)),
    ];
    for s in &cases {
        let doc = parse(s);
        let want = first_line(&doc, Plain);
        assert!(want.is_some(), "{:?}", &s[..20]);
        for n in [0, 1, 64, 200] {
            let cut = |t: String| match t.char_indices().nth(n) {
                Some((i, _)) => format!("{}…", &t[..i]),
                None => t,
            };
            assert_eq!(first_line_start(&doc, n).map(cut), want.clone().map(cut), "{:?} {n}", &s[..20]);
        }
    }
}

proptest::proptest! {
    /// The vendored parser's memo of the last link destination scan (crates/pulldown-cmark,
    /// PATCH.md) gives what a fresh scan gives, for scans started in any order, over text made
    /// of what the scan looks at: parentheses at depths around the limit, escapes, spaces,
    /// line ends, pointy destinations, multi-byte characters.
    #[test]
    fn link_destination_memo_matches_a_fresh_scan(
        s in r"(\(|\)|\\|\\\(|\\\)|<|>|x|\[|\]|\]\(| |\n|中){0,160}",
        starts in proptest::collection::vec(0usize..170, 0..40),
        max in 0usize..6,
    ) {
        let mut sorted = starts.clone();
        sorted.sort_unstable();
        for max in [max, 32] {
            proptest::prop_assert!(pulldown_cmark::link_dest_memo_agrees(&s, &starts, max), "{:?} {:?} {}", s, starts, max);
            proptest::prop_assert!(pulldown_cmark::link_dest_memo_agrees(&s, &sorted, max), "{:?} {:?} {}", s, sorted, max);
        }
    }
}

/// `[x](` repeated: each `](` starts its scan inside the last one's (the case the memo is for);
/// with a `)` or a space now and then, and at every start, in order.
#[test]
fn link_destination_memo_on_repeated_link_openers() {
    for unit in ["[x](", "[x](a", "[x](()", "[x]( ", "(((\\(", "[x](<a>"] {
        let s = unit.repeat(100);
        let starts: Vec<usize> = (0..s.len()).collect();
        for max in [0, 1, 3, 32] {
            assert!(pulldown_cmark::link_dest_memo_agrees(&s, &starts, max), "{unit:?} {max}");
        }
    }
}

/// `s` parsed as is, then with one of parse.rs's test switches on (the path a fast one replaced).
fn parse_switched(switch: &'static std::thread::LocalKey<std::cell::Cell<bool>>, s: &str) -> (Doc, Doc) {
    let as_is = parse(s);
    switch.set(true);
    let switched = parse(s);
    switch.set(false);
    (as_is, switched)
}

proptest::proptest! {
    /// Text events that are the source as written are given to the IR builder as one run
    /// (parse.rs, `verbatim`): the same document as one at a time, around escapes, entities,
    /// `<` after a backslash (an escaped mention), code, HTML, tables and line ends.
    #[test]
    fn text_runs_parse_as_their_events_one_by_one(
        s in r"([a@ *_`~\[\]()<>|!:.-]|\\|\\<|\\\[|&amp;|&lt;|&#60;|<@a>|<br>|<font color=red>|</font>|<!--|-->|```|  \n|\n|\n\n|\n- |\n> |\n    |\n\|-\|\n|中){0,60}"
    ) {
        let (runs, events) = parse_switched(&super::parse::NO_RUNS, &s);
        proptest::prop_assert_eq!(runs, events, "{:?}", s);
    }
}

/// The vendored parser's short cut for the commonest entities (crates/pulldown-cmark,
/// PATCH.md) gives the table's values, and the parse reads them as before.
#[test]
fn common_entities_read_as_the_table_says() {
    assert!(pulldown_cmark::common_entities_agree());
    let doc = parse("&amp;&lt;&gt;&quot;&nbsp;&copy;&AMP;&amp");
    assert_eq!(doc.blocks, vec![Block::Paragraph(vec![Inline::Text("&<>\"\u{A0}©&&amp".into())])]);
}

proptest::proptest! {
    /// The IR builder's fast paths (parse.rs, `fast`: a paragraph frame closed without the
    /// container steps, a heading's inlines kept when no line break is in them) build the same
    /// document as the paths they replace: headings (ATX and setext, over several lines),
    /// paragraphs, emphasis and breaks inside quotes and lists.
    #[test]
    fn fast_builder_paths_build_what_the_slow_ones_do(
        s in r"(#{1,7} |a|中|\*|_|`|\n|\n\n|  \n|\n===\n|\n---\n|<br>|\\\n|> |- |1\. |<font color=red>|</font>|\[a\]\(u\)){0,60}"
    ) {
        let (fast, slow) = parse_switched(&super::parse::SLOW, &s);
        proptest::prop_assert_eq!(fast, slow, "{:?}", s);
    }
}

proptest::proptest! {
    /// The block writer's fast paths (write.rs, `fast`: a list of one-paragraph items written
    /// straight into one string, a one-line block not joined again) write what the paths they
    /// replace write, in every string dialect, with the same losses: lists (bulleted, numbered
    /// from any number, items over several lines, empty, nested, loose), headings, code, tables,
    /// rules, quotes.
    #[test]
    fn fast_block_writers_write_what_the_slow_ones_do(
        s in r"(- |\* |1\. |7\. |10\) |  - |\n|\n\n|a|b c|中|\*a\*|~~s~~|`c`|\[l\]\(u\)|  \n|# |---\n|```\n|> |\|a\|b\|\n\|-\|-\|\n|<br>|<font color=red>x</font>|\\){0,50}"
    ) {
        let doc = parse(&s);
        for d in [Dialect::WecomMarkdown, Dialect::WecomMarkdownV2, Dialect::DingTalk, Dialect::LarkMd, Dialect::Plain] {
            let fast = super::write::render_blocks(&doc.blocks, d);
            super::parse::SLOW.set(true);
            let slow = super::write::render_blocks(&doc.blocks, d);
            super::parse::SLOW.set(false);
            proptest::prop_assert_eq!(fast, slow, "{:?} {:?}", d, s);
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 64, ..Default::default() })]
    /// Whole renders of markdown and of cards (whose fields are written as markdown) give the same
    /// payloads and `degraded` with every fast path (parse.rs, write.rs, bound.rs: a whole-source
    /// parse with nothing left out is not measured) as with the paths they replace, on the three
    /// platforms, under `split` and `truncate`: sources from one line to past the platforms' limits.
    #[test]
    fn fast_paths_render_what_the_slow_ones_do(
        s in r"(# |a|b c|中|\*a\*|`c`|\[l\]\(u\)|\[r\]\n|\n\n\[r\]: http://x/ \x22t\x22\n|- |1\. |> |\n|\n\n|\|a\|b\|\n\|-\|-\|\n){1,40}",
        n in 1usize..300,
    ) {
        let body = s.repeat(n);
        for (i, msg) in [
            json!({"content": {"type": "markdown", "title": "T", "body": {"content": body}}}),
            json!({"content": {"type": "card", "title": "T", "body": {"subtitle": "S", "text": body, "fields": [{"name": "k", "value": s}]}}}),
        ]
        .iter()
        .enumerate()
        {
            for p in ["wecom", "dingtalk", "feishu"] {
                for ov in ["split", "truncate"] {
                    let (m, o) = (msg.to_string(), json!({"overflow": ov}).to_string());
                    let fast = crate::render::render_json(&m, p, &o, 0).map(|r| r.to_json()).map_err(|e| e.to_string());
                    super::parse::SLOW.set(true);
                    let slow = crate::render::render_json(&m, p, &o, 0).map(|r| r.to_json()).map_err(|e| e.to_string());
                    super::parse::SLOW.set(false);
                    proptest::prop_assert_eq!(fast, slow, "message {} {} {} {:?}", i, p, ov, s);
                }
            }
        }
    }
}
