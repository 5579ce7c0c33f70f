//! The patched pulldown-cmark (crates/pulldown-cmark, why: the root Cargo.toml) keeps upstream's
//! HTML entity table front-coded (names) with the values end to end. These tests prove it is upstream's table: the
//! same count, the same checksum (computed from upstream 0.13.6's src/entities.rs by
//! crates/pulldown-cmark/gen-entities.mjs, and independently), every entry found by the lookup
//! and through the parser, and the CommonMark spec's entity examples.

#[allow(dead_code)]
#[path = "../crates/pulldown-cmark/src/entities.rs"]
mod entities;

use pulldown_cmark::{Event, Parser};

/// Upstream 0.13.6's table: `const ENTITIES: [(&[u8], &str); 2125]`.
const UPSTREAM_COUNT: usize = 2125;
/// FNV-1a 64 over the UTF-8 of `name \0 value \0` for every entry of upstream's table, in order.
const UPSTREAM_FNV1A64: u64 = 0xf4c5_6f45_a8f8_3e8f;

fn records() -> Vec<(String, &'static str)> {
    entities::entries()
}

fn fnv1a64(bytes: impl IntoIterator<Item = u8>, mut h: u64) -> u64 {
    for b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// What the parser makes of `text` as one paragraph: its text events joined.
fn paragraph_text(text: &str) -> String {
    Parser::new(text)
        .filter_map(|e| match e {
            Event::Text(t) => Some(t.into_string()),
            Event::SoftBreak => Some("\n".to_string()),
            _ => None,
        })
        .collect()
}

#[test]
fn table_is_upstreams_count_checksum_and_order() {
    let recs = records();
    assert_eq!(recs.len(), UPSTREAM_COUNT);
    let mut h = 0xcbf2_9ce4_8422_2325;
    for (name, value) in &recs {
        h = fnv1a64(name.bytes().chain([0]).chain(value.bytes()).chain([0]), h);
    }
    assert_eq!(h, UPSTREAM_FNV1A64, "the table's content differs from upstream 0.13.6's");
    for w in recs.windows(2) {
        assert!(w[0].0.as_bytes() < w[1].0.as_bytes(), "not strictly sorted at {}", w[1].0);
    }
    for (name, value) in &recs {
        assert!(!name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric()), "name {name:?}");
        assert!(!value.is_empty() && !value.contains(['\0', '\u{1}']), "value of {name}");
    }
}

#[test]
fn every_entry_is_found_by_the_lookup() {
    for (name, value) in records() {
        assert_eq!(entities::get_entity(name.as_bytes()), Some(value), "&{name};");
    }
}

#[test]
fn names_not_in_the_table_are_not_found() {
    let recs = records();
    let known: std::collections::HashSet<&str> = recs.iter().map(|r| r.0.as_str()).collect();
    let mut probes: Vec<String> = vec![String::new(), "A".into(), "zz".into(), "zwnjx".into(), "0".into()];
    for (name, _) in &recs {
        // a prefix, an extension, and a changed last byte of each real name
        probes.push(name[..name.len() - 1].to_string());
        probes.push(format!("{name}a"));
        probes.push(format!("{}{}", &name[..name.len() - 1], if name.ends_with('Z') { '0' } else { 'Z' }));
    }
    for p in probes.iter().filter(|p| !known.contains(p.as_str())) {
        assert_eq!(entities::get_entity(p.as_bytes()), None, "{p:?}");
    }
    // bytes the scanner never passes (it stops at non-alphanumerics), still answered safely
    for p in [&b"\x01"[..], b"\0", b"AElig\x01", b"\xff\xfe", b"amp\0"] {
        assert_eq!(entities::get_entity(p), None, "{p:?}");
    }
}

#[test]
fn every_entry_resolves_through_the_parser() {
    // the patched crate is the one the parser uses: each entity between two letters
    for (name, value) in records() {
        assert_eq!(paragraph_text(&format!("a&{name};b")), format!("a{value}b"), "&{name};");
    }
}

#[test]
fn commonmark_spec_entity_examples() {
    // CommonMark 0.31.2, "Entity and numeric character references", examples 25, 26 and 29
    assert_eq!(
        paragraph_text(
            "&nbsp; &amp; &copy; &AElig; &Dcaron;\n&frac34; &HilbertSpace; &DifferentialD;\n&ClockwiseContourIntegral; &ngE;"
        ),
        "\u{a0} & © Æ Ď\n¾ ℋ ⅆ\n∲ ≧̸"
    );
    assert_eq!(paragraph_text("&#35; &#1234; &#992; &#0;"), "# Ӓ Ϡ \u{fffd}");
    assert_eq!(paragraph_text("&copy"), "&copy");
    assert_eq!(paragraph_text("&MadeUpEntity;"), "&MadeUpEntity;");
    // example 28: not entities
    assert_eq!(
        paragraph_text("&nbsp &x; &#; &#x;\n&#87654321;\n&#abcdef0;\n&ThisIsNotDefined; &hi?;"),
        "&nbsp &x; &#; &#x;\n&#87654321;\n&#abcdef0;\n&ThisIsNotDefined; &hi?;"
    );
}
