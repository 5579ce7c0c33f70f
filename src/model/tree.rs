//! A message's JSON read into a small tree of our own, borrowed from the text.
//!
//! `serde_json::Value` makes a `String` of every string and key and a `BTreeMap` of every
//! object, then the reader walks it once and drops it all. A message is read once and its
//! objects are small, so this tree keeps strings borrowed from the input where they hold no
//! escape, and objects as a `Vec` of pairs in source order, looked up from the end (a key
//! written twice means its last value, as in serde_json). The JSON is read by a fast reader of
//! our own where it is sure to read it as serde_json does, else by serde_json's own deserializer
//! (its results, its errors, its nesting limit).
//! While reading, the bytes of every string and key are counted (the message's size bound),
//! so no second walk is needed to check it.

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;

use serde_core::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// One JSON value.
#[derive(Clone, Debug, PartialEq)]
pub enum Node<'a> {
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'a, str>),
    Array(Vec<Node<'a>>),
    /// Pairs in source order; a key may appear twice (the last one counts).
    Object(Vec<(Cow<'a, str>, Node<'a>)>),
}

/// An object's pairs.
pub type Pairs<'a> = [(Cow<'a, str>, Node<'a>)];

impl<'a> Node<'a> {
    /// Read JSON text; also the bytes of its strings and keys (every one as written, so a key
    /// given twice counts twice; `reader::text_bytes` of [`Node::to_value`] is the exact count).
    pub fn parse(json: &'a str) -> Result<(Node<'a>, usize), serde_json::Error> {
        Self::parse_raw(json, &[])
    }

    /// [`Node::parse`] of JSON text whose long strings crossed beside it (`raw`, see
    /// [`raw_index`]): a string value that is a placeholder is read as the string it stands for.
    /// With some beside it, only by the fast reader: where that gives up (an error, deep
    /// nesting), an error (the caller reads the message again as one JSON text, whose result or
    /// error is serde_json's, its columns included).
    pub fn parse_raw(json: &'a str, raw: &'a [String]) -> Result<(Node<'a>, usize), serde_json::Error> {
        // Our own reader first (bench/LEVERS.md, "Escape-heavy strings"); it gives up on anything
        // it is not sure of, and serde_json then reads the text again: its result or its error.
        if let Some(read) = Fast::read(json, raw) {
            return Ok(read);
        }
        if !raw.is_empty() {
            return Err(de::Error::custom("not read with long strings beside it"));
        }
        Self::parse_serde(json)
    }

    /// [`Node::parse`] by the fast reader alone: `None` where it gives up (any error, a lone
    /// surrogate escape, deep nesting), when [`Node::parse`] is the way.
    pub fn parse_fast(json: &'a str) -> Option<(Node<'a>, usize)> {
        Fast::read(json, &[])
    }

    /// [`Node::parse_fast`] with long strings beside the text ([`Node::parse_raw`]).
    pub fn parse_fast_raw(json: &'a str, raw: &'a [String]) -> Option<(Node<'a>, usize)> {
        Fast::read(json, raw)
    }

    /// [`Node::parse`] by serde_json's deserializer alone.
    fn parse_serde(json: &'a str) -> Result<(Node<'a>, usize), serde_json::Error> {
        let count = Cell::new(0usize);
        let mut de = serde_json::Deserializer::from_str(json);
        let node = Seed(&count).deserialize(&mut de)?;
        de.end()?;
        Ok((node, count.get()))
    }

    /// A borrowed tree of a `Value`, with the bytes of its strings and keys.
    pub fn from_value(v: &'a Value) -> (Node<'a>, usize) {
        let mut total = 0usize;
        let node = borrow(v, &mut total);
        (node, total)
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Node::Object(_))
    }

    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Node::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    /// The same value as a `serde_json::Value` (for the parts the model keeps as one).
    pub fn to_value(&self) -> Value {
        match self {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            Node::Number(n) => Value::Number(n.clone()),
            Node::String(s) => Value::String(s.to_string()),
            Node::Array(a) => Value::Array(a.iter().map(Node::to_value).collect()),
            Node::Object(pairs) => Value::Object(to_map(pairs)),
        }
    }
}

/// An object's pairs as a `serde_json::Map` (a key given twice: its last value).
pub fn to_map(pairs: &Pairs<'_>) -> Map<String, Value> {
    let mut m = Map::new();
    for (k, v) in pairs {
        m.insert(k.to_string(), v.to_value());
    }
    m
}

/// The value of `key` in an object's pairs: the last one given.
pub fn lookup<'t, 'a>(pairs: &'t Pairs<'a>, key: &str) -> Option<&'t Node<'a>> {
    pairs.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
}

fn borrow<'a>(v: &'a Value, total: &mut usize) -> Node<'a> {
    match v {
        Value::Null => Node::Null,
        Value::Bool(b) => Node::Bool(*b),
        Value::Number(n) => Node::Number(n.clone()),
        Value::String(s) => {
            *total = total.saturating_add(s.len());
            Node::String(Cow::Borrowed(s))
        }
        Value::Array(a) => Node::Array(a.iter().map(|x| borrow(x, total)).collect()),
        Value::Object(m) => Node::Object(
            m.iter()
                .map(|(k, x)| {
                    *total = total.saturating_add(k.len());
                    (Cow::Borrowed(k.as_str()), borrow(x, total))
                })
                .collect(),
        ),
    }
}

/// The first character of a placeholder: a string value `"\u{FDD0}N"` (N in decimal, no sign, no
/// leading zero) in JSON text that crossed with long strings beside it stands for the Nth of them.
/// When any crossed so, every string value that starts with this noncharacter crossed beside the
/// text too (pkg-template/host.js `messageJson`), so one left in the text is a placeholder; keys
/// are never replaced.
pub const RAW_MARK: char = '\u{FDD0}';

/// The string of `raw` that the string value `s` stands for, if it is a placeholder.
#[inline]
pub fn raw_index<'r>(s: &str, raw: &'r [String]) -> Option<&'r str> {
    if raw.is_empty() {
        return None;
    }
    // U+FDD0 is EF B7 90 in UTF-8
    let digits = s.as_bytes().strip_prefix(&[0xEF, 0xB7, 0x90])?;
    if digits.is_empty() || digits.len() > 9 || (digits.len() > 1 && digits[0] == b'0') {
        return None;
    }
    let mut n = 0usize;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n * 10 + usize::from(d - b'0');
    }
    raw.get(n).map(String::as_str)
}

/// serde_json refuses a 128th nested array or object; the fast reader leaves 127 and deeper to it.
const FAST_MAX_DEPTH: usize = 126;

/// A JSON reader for the message's tree that is quick on strings full of escapes (serde_json's
/// string parse, generic and so built at this crate's opt-level "z", spends ~23 ns on every
/// escape: 11.5 ms for 1 MiB of `\\[` text). It reads only what it is sure of, the way serde_json reads it:
/// strings (borrowed when they hold no escape), literals, arrays and objects; a number's text is
/// handed to serde_json itself. On anything else (an error of any kind, a lone surrogate escape,
/// deep nesting) it gives up (`None`) and the caller lets serde_json read the whole text, so
/// results and errors are serde_json's by construction (property-tested against it below).
struct Fast<'a> {
    s: &'a str,
    i: usize,
    count: usize,
    /// Long strings that crossed beside the text ([`raw_index`]).
    raw: &'a [String],
}

/// Eight bytes at once: is any of them `"`, `\\` or a control character (below 0x20)?
#[inline(always)]
fn has_special(x: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // a byte is zero in `v` exactly where it matched; `(v - 1) & !v` has its high bit set there
    // (and, at worst, above a match too: only "any" is asked)
    let q = x ^ (ONES * u64::from(b'"'));
    let b = x ^ (ONES * u64::from(b'\\'));
    let control = x.wrapping_sub(ONES * 0x20) & !x;
    (control | (q.wrapping_sub(ONES) & !q) | (b.wrapping_sub(ONES) & !b)) & HIGH != 0
}

impl<'a> Fast<'a> {
    fn read(s: &'a str, raw: &'a [String]) -> Option<(Node<'a>, usize)> {
        let mut f = Fast { s, i: 0, count: 0, raw };
        let node = f.value(0)?;
        f.ws();
        (f.i == s.len()).then_some((node, f.count))
    }

    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.i).copied()
    }

    #[inline(always)]
    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.i += 1;
        }
    }

    /// Past `c` (after white space), or `false` if the next byte is not `c`. These three are
    /// called per token: out of line at -Oz (calls, not work) they were a third of the reader's
    /// time (bench/LEVERS.md, "`render()` of small messages outside markdown").
    #[inline(always)]
    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        let ok = self.peek() == Some(c);
        if ok {
            self.i += 1;
        }
        ok
    }

    fn value(&mut self, depth: usize) -> Option<Node<'a>> {
        self.ws();
        match self.peek()? {
            b'"' => {
                self.i += 1;
                let mut s = self.string()?;
                if let Some(r) = raw_index(&s, self.raw) {
                    s = Cow::Borrowed(r);
                }
                self.count = self.count.saturating_add(s.len());
                Some(Node::String(s))
            }
            b'[' if depth < FAST_MAX_DEPTH => {
                self.i += 1;
                let mut out = Vec::new();
                if self.eat(b']') {
                    return Some(Node::Array(out));
                }
                loop {
                    out.push(self.value(depth + 1)?);
                    if self.eat(b']') {
                        return Some(Node::Array(out));
                    }
                    if !self.eat(b',') {
                        return None;
                    }
                }
            }
            b'{' if depth < FAST_MAX_DEPTH => {
                self.i += 1;
                let mut out = Vec::new();
                if self.eat(b'}') {
                    return Some(Node::Object(out));
                }
                loop {
                    if !self.eat(b'"') {
                        return None;
                    }
                    let k = self.string()?;
                    self.count = self.count.saturating_add(k.len());
                    if !self.eat(b':') {
                        return None;
                    }
                    out.push((k, self.value(depth + 1)?));
                    if self.eat(b'}') {
                        return Some(Node::Object(out));
                    }
                    if !self.eat(b',') {
                        return None;
                    }
                }
            }
            b'n' => self.literal("null", Node::Null),
            b't' => self.literal("true", Node::Bool(true)),
            b'f' => self.literal("false", Node::Bool(false)),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn literal(&mut self, word: &str, node: Node<'a>) -> Option<Node<'a>> {
        let rest = self.s.get(self.i..)?;
        rest.starts_with(word).then(|| {
            self.i += word.len();
            node
        })
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
        self.i - start
    }

    /// A number as JSON writes it, read by serde_json (its integers, its floats, its range).
    fn number(&mut self) -> Option<Node<'a>> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return None;
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if self.digits() == 0 {
                return None;
            }
        }
        let (node, _) = Node::parse_serde(self.s.get(start..self.i)?).ok()?;
        matches!(node, Node::Number(_)).then_some(node)
    }

    /// A string's value, after its opening quote; borrowed when it holds no escape.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        let (s, next) = string_at(self.s, self.i)?;
        self.i = next;
        Some(s)
    }
}

/// Neither `"`, `\\` nor a control byte.
#[inline(always)]
pub(crate) fn plain(c: u8) -> bool {
    c != b'"' && c != b'\\' && c >= 0x20
}

/// The index of the first `"`, `\\` or control byte at or after `i` (or the end).
#[inline(always)]
pub(crate) fn skip_plain(b: &[u8], mut i: usize) -> usize {
    while i + 8 <= b.len() {
        let eight = [b[i], b[i + 1], b[i + 2], b[i + 3], b[i + 4], b[i + 5], b[i + 6], b[i + 7]];
        if has_special(u64::from_le_bytes(eight)) {
            break;
        }
        i += 8;
    }
    while i < b.len() && plain(b[i]) {
        i += 1;
    }
    i
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `x` equal to `c`: the lowest one set is the first such byte
/// (a borrow can only set bits above a true match).
#[inline(always)]
fn bytes_eq(x: u64, c: u8) -> u64 {
    let v = x ^ (ONES * u64::from(c));
    v.wrapping_sub(ONES) & !v & HIGH
}

/// Eight bytes at `i`, if there are eight.
#[inline(always)]
fn word_at(b: &[u8], i: usize) -> Option<u64> {
    b.get(i..).and_then(<[u8]>::first_chunk::<8>).map(|w| u64::from_le_bytes(*w))
}

/// What a simple escape (`\\n`, …) stands for, by the byte after the backslash; 0: not one.
const UNESCAPE: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t[b'/' as usize] = b'/';
    t[b'b' as usize] = 0x08;
    t[b'f' as usize] = 0x0c;
    t[b'n' as usize] = b'\n';
    t[b'r' as usize] = b'\r';
    t[b't' as usize] = b'\t';
    t
};

/// The index of the closing quote of the string whose text starts at `start`: the first `"`
/// after an even run of backslashes (a backslash escapes the byte after it, so in a run of
/// them they pair up). `None` at a control byte before it (never in a JSON string, escaped or
/// not) or without one. Eight bytes at a time up to each `"` or control byte.
fn closing_quote(b: &[u8], start: usize) -> Option<usize> {
    let mut i = start;
    loop {
        while let Some(w) = word_at(b, i) {
            let m = bytes_eq(w, b'"') | (w.wrapping_sub(ONES * 0x20) & !w & HIGH);
            if m != 0 {
                i += (m.trailing_zeros() / 8) as usize;
                break;
            }
            i += 8;
        }
        let c = *b.get(i)?;
        if c < 0x20 {
            return None;
        }
        if c == b'"' {
            let run = b.get(start..i)?.iter().rev().take_while(|&&x| x == b'\\').count();
            if run % 2 == 0 {
                return Some(i);
            }
        }
        i += 1;
    }
}

/// The string whose text starts at `start` (after its opening quote): its value and the index
/// past its closing quote. Borrowed when it holds no escape; else the closing quote is found
/// first ([`closing_quote`]), and the text up to it unescaped in one loop into a buffer of its
/// length (an escape is never shorter written than read): each escape by a table, the text
/// between them eight bytes at a time. `None` on a control character, a bad escape, a lone surrogate or no
/// closing quote.
fn string_at(s: &str, start: usize) -> Option<(Cow<'_, str>, usize)> {
    let b = s.as_bytes();
    let end = skip_plain(b, start);
    if *b.get(end)? == b'"' {
        return Some((Cow::Borrowed(s.get(start..end)?), end + 1));
    }
    let end = closing_quote(b, end)?;
    let body = b.get(start..end)?;
    // eight bytes of room past the text: a word is stored whole, up to the backslash in it
    let mut buf = vec![0u8; body.len() + 8];
    let out = buf.as_mut_slice();
    let (mut i, mut j) = (0usize, 0usize);
    while let Some(&c) = body.get(i) {
        if c == b'\\' {
            let e = *body.get(i + 1)?;
            let simple = UNESCAPE[usize::from(e)];
            if simple != 0 {
                *out.get_mut(j)? = simple;
                i += 2;
                j += 1;
                continue;
            }
            if e != b'u' {
                return None;
            }
            let (c, used) = unicode_escape(body, i)?;
            let mut utf8 = [0u8; 4];
            let utf8 = c.encode_utf8(&mut utf8).as_bytes();
            out.get_mut(j..j + utf8.len())?.copy_from_slice(utf8);
            i += used;
            j += utf8.len();
            continue;
        }
        // a run of text (no `"` or control byte is left in `body`): eight bytes at a time, up
        // to the next backslash
        let k = match word_at(body, i) {
            Some(w) => {
                *out.get_mut(j..).and_then(<[u8]>::first_chunk_mut::<8>)? = w.to_le_bytes();
                let m = bytes_eq(w, b'\\');
                if m == 0 { 8 } else { (m.trailing_zeros() / 8) as usize }
            }
            None => {
                *out.get_mut(j)? = c;
                1
            }
        };
        i += k;
        j += k;
    }
    if i != body.len() {
        return None;
    }
    buf.truncate(j);
    Some((Cow::Owned(String::from_utf8(buf).ok()?), end + 1))
}

/// The value of the `\\uXXXX` escape at `at`.
fn hex4(b: &[u8], at: usize) -> Option<u32> {
    if b.get(at) != Some(&b'\\') || b.get(at + 1) != Some(&b'u') {
        return None;
    }
    let mut n = 0u32;
    for &c in b.get(at + 2..at + 6)? {
        n = n * 16 + char::from(c).to_digit(16)?;
    }
    Some(n)
}

/// The `\\uXXXX` escape at `at` (a surrogate pair as one character) and the bytes it takes; a
/// lone surrogate: `None`.
fn unicode_escape(b: &[u8], at: usize) -> Option<(char, usize)> {
    let n = hex4(b, at)?;
    if (0xD800..0xDC00).contains(&n) {
        let low = hex4(b, at + 6)?;
        if !(0xDC00..0xE000).contains(&low) {
            return None;
        }
        return Some((char::from_u32(0x10000 + ((n - 0xD800) << 10) + (low - 0xDC00))?, 12));
    }
    Some((char::from_u32(n)?, 6))
}

/// Reads one value, adding its strings' and keys' bytes to the count.
#[derive(Clone, Copy)]
struct Seed<'c>(&'c Cell<usize>);

impl Seed<'_> {
    fn add(&self, n: usize) {
        self.0.set(self.0.get().saturating_add(n));
    }
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Node<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Node<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Node<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Node<'de>, E> {
        Ok(Node::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Node<'de>, E> {
        Ok(Node::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Node<'de>, E> {
        Ok(Node::Number(n.into()))
    }

    fn visit_f64<E>(self, f: f64) -> Result<Node<'de>, E> {
        // serde_json reads no NaN or infinity; were one to come, it is null as in `Value`
        Ok(Number::from_f64(f).map_or(Node::Null, Node::Number))
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Node<'de>, E> {
        self.add(s.len());
        Ok(Node::String(Cow::Borrowed(s)))
    }

    fn visit_str<E>(self, s: &str) -> Result<Node<'de>, E> {
        self.add(s.len());
        Ok(Node::String(Cow::Owned(s.to_string())))
    }

    fn visit_string<E>(self, s: String) -> Result<Node<'de>, E> {
        self.add(s.len());
        Ok(Node::String(Cow::Owned(s)))
    }

    fn visit_unit<E>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }

    fn visit_none<E>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node<'de>, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(self)? {
            out.push(v);
        }
        Ok(Node::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node<'de>, A::Error> {
        let mut out = Vec::new();
        while let Some(k) = map.next_key_seed(Key)? {
            self.add(k.len());
            let v = map.next_value_seed(self)?;
            out.push((k, v));
        }
        Ok(Node::Object(out))
    }
}

/// Reads an object's key, borrowed when it holds no escape.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Cow<'de, str>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(s))
    }

    fn visit_str<E>(self, s: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(s.to_string()))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn strings_without_escapes_are_borrowed() {
        let (n, total) = Node::parse(r#"{"a":"plain","b\n":"esc\"aped","c":[1,-2,1.5,true,null]}"#).unwrap();
        let Node::Object(pairs) = &n else { panic!("not an object: {n:?}") };
        assert!(matches!(&pairs[0].0, Cow::Borrowed("a")));
        assert!(matches!(&pairs[0].1, Node::String(Cow::Borrowed("plain"))));
        assert!(matches!(&pairs[1].0, Cow::Owned(k) if k == "b\n"));
        assert!(matches!(&pairs[1].1, Node::String(Cow::Owned(s)) if s == "esc\"aped"));
        assert_eq!(total, 1 + 5 + 2 + 8 + 1);
        assert_eq!(n.to_value(), json!({"a":"plain","b\n":"esc\"aped","c":[1,-2,1.5,true,null]}));
    }

    #[test]
    fn placeholders_stand_for_the_strings_beside_the_text() {
        let raw = vec!["long \"one\"\n".to_string(), "two".to_string()];
        let text = "{\"a\":\"\u{FDD0}1\",\"\u{FDD0}0\":[\"\u{FDD0}0\",\"\u{FDD0}01\",\"\u{FDD0}2\",\"\u{FDD0}\",\"\u{FDD0}+1\"]}";
        let (n, total) = Node::parse_raw(text, &raw).unwrap();
        let expect =
            json!({"a": "two", "\u{FDD0}0": ["long \"one\"\n", "\u{FDD0}01", "\u{FDD0}2", "\u{FDD0}", "\u{FDD0}+1"]});
        assert_eq!(n.to_value(), expect);
        // counted as read: the long strings' bytes, the key and the look-alikes as written
        assert_eq!(total, 1 + 3 + 4 + 11 + 5 + 4 + 3 + 5);
        assert_eq!(crate::model::reader::text_bytes(&n.to_value()), total);
        // without strings beside the text nothing is a placeholder
        let (n, _) = Node::parse(text).unwrap();
        assert_eq!(n.to_value()["a"], json!("\u{FDD0}1"));
        // what the fast reader gives up on is an error with strings beside it (read again as JSON)
        let deep = format!("{}\"\u{FDD0}0\"{}", "[".repeat(130), "]".repeat(130));
        assert!(Node::parse_raw(&deep, &raw).is_err());
        assert!(Node::parse(&deep).is_err());
        assert!(Node::parse_raw("[\"\u{FDD0}0\",]", &raw).is_err());
    }

    #[test]
    fn a_key_given_twice_means_its_last_value() {
        let (n, total) = Node::parse(r#"{"k":"first","x":1,"k":"second"}"#).unwrap();
        let Node::Object(pairs) = &n else { panic!() };
        assert_eq!(lookup(pairs, "k"), Some(&Node::String("second".into())));
        assert_eq!(lookup(pairs, "y"), None);
        assert_eq!(total, 1 + 5 + 1 + 1 + 6);
        assert_eq!(crate::model::reader::text_bytes(&n.to_value()), 1 + 6 + 1);
        assert_eq!(n.to_value(), serde_json::from_str::<Value>(r#"{"k":"first","x":1,"k":"second"}"#).unwrap());
    }

    #[test]
    fn errors_are_serde_jsons() {
        for bad in ["", "{", "{\"a\":}", "[1,]", "{} x", "\"\\ud800\"", "nul"] {
            let ours = Node::parse(bad).unwrap_err().to_string();
            let theirs = serde_json::from_str::<Value>(bad).unwrap_err().to_string();
            assert_eq!(ours, theirs, "{bad:?}");
        }
        let deep = "[".repeat(200) + &"]".repeat(200);
        let ours = Node::parse(&deep).unwrap_err().to_string();
        assert_eq!(ours, serde_json::from_str::<Value>(&deep).unwrap_err().to_string());
    }

    fn value_bytes(v: &Value) -> usize {
        match v {
            Value::String(s) => s.len(),
            Value::Array(a) => a.iter().map(value_bytes).sum(),
            Value::Object(m) => m.iter().map(|(k, v)| k.len() + value_bytes(v)).sum(),
            _ => 0,
        }
    }

    /// The fast reader's answer, which must be serde_json's whenever it gives one.
    fn same_as_serde(text: &str) -> Option<(Node<'_>, usize)> {
        let fast = Fast::read(text, &[]);
        if let Some(f) = &fast {
            assert_eq!(Some(f), Node::parse_serde(text).ok().as_ref(), "{text:?}");
        }
        assert_eq!(
            Node::parse(text).map_err(|e| e.to_string()),
            Node::parse_serde(text).map_err(|e| e.to_string()),
            "{text:?}"
        );
        fast
    }

    #[test]
    fn the_fast_reader_reads_messages_and_escapes() {
        for text in [
            r#"{"content":{"type":"text","body":{"text":"a\\[b\n\"c\"\t\/\b\f\r \u00e9\u4E2D\ud83d\ude80 中"}}}"#,
            r#" [ null , true,false, 0, -0, 1.5e3, -2E-2, 18446744073709551615, 18446744073709551616, -9223372036854775808, {}, [], "" ] "#,
            r#"{"k":1,"k":"again","k\u0000":{"":[[]]}}"#,
            "\"\\u0000\"",
        ] {
            assert!(same_as_serde(text).is_some(), "{text:?}");
        }
        let (n, total) = Fast::read(r#"{"a\\":"x\ny"}"#, &[]).unwrap();
        assert_eq!(n, Node::Object(vec![("a\\".into(), Node::String("x\ny".into()))]));
        assert_eq!(total, 2 + 3);
    }

    #[test]
    fn the_fast_reader_leaves_errors_and_lone_surrogates_to_serde_json() {
        for text in [
            "",
            " ",
            "{",
            "}",
            "[1,]",
            "[,1]",
            "{\"a\" 1}",
            "{\"a\":1,}",
            "{1:2}",
            "01",
            "1.",
            "1e",
            "-",
            "+1",
            ".5",
            "1e400",
            "-1e400",
            "nul",
            "nulll",
            "truex",
            "\"a",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\\u12g4\"",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"\\ud800\\u0041\"",
            "\"\\ud800x\"",
            "\"a\tb\"",
            "\"\u{1}\"",
            "[1] 2",
            "\"\\",
        ] {
            assert!(same_as_serde(text).is_none(), "{text:?}");
        }
        // nesting: serde_json refuses the 128th level; the fast reader leaves from 127 to it
        for depth in [1, 126, 127, 128, 129, 300] {
            let text = "[".repeat(depth) + &"]".repeat(depth);
            assert_eq!(same_as_serde(&text).is_some(), depth <= 126, "{depth}");
            let text = "{\"a\":".repeat(depth) + "1" + &"}".repeat(depth);
            assert_eq!(same_as_serde(&text).is_some(), depth <= 126, "{depth}");
        }
    }

    #[test]
    fn eight_bytes_at_once_finds_every_special_byte() {
        for pos in 0..8 {
            for c in 0u8..=255 {
                let mut b = [b'a'; 8];
                b[pos] = c;
                let special = c == b'"' || c == b'\\' || c < 0x20;
                assert_eq!(has_special(u64::from_le_bytes(b)), special, "{c} at {pos}");
                let mut b = [0xe4; 8];
                b[pos] = c;
                assert_eq!(has_special(u64::from_le_bytes(b)), special, "{c} at {pos} among non-ASCII");
            }
        }
    }

    /// Adversarial probes (review): numbers, white space, keys, escapes at every offset of the
    /// eight-byte scan, raw control bytes, trailing text, a BOM, nesting, a long array. Each is
    /// read as serde_json reads it (or left to it); the ones marked `true` must be read by the fast
    /// reader itself, the errors must be errors.
    #[test]
    fn review_probes_answer_as_serde_json() {
        let numbers = [
            "-0",
            "-0.0",
            "0.0",
            "0e0",
            "0E-0",
            "1.0",
            "1E+2",
            "1e-400",
            "-1e-400",
            "1e308",
            "1.7976931348623157e308",
            "4.9e-324",
            "123456789012345678901234567890",
            "-9223372036854775809",
            "-9223372036854775808",
            "18446744073709551615",
            "18446744073709551616",
            "0.1000000000000000055511151231257827",
            "1e400",
            "-1e400",
            "00",
            "-01",
            "1.e3",
            "0x10",
            "Infinity",
            "-Infinity",
            "NaN",
            "--1",
            "-",
            "2.",
            "1e+",
            "1e-",
            "+0",
            ".0",
            "1_0",
            "1 ",
            " 1",
            "-a",
            "0.",
            "01.5",
            "1e0001",
        ];
        for n in numbers {
            for text in [n.to_string(), format!("[{n}]"), format!("{{\"a\":{n}}}"), format!("[{n},{n}]")] {
                same_as_serde(&text);
            }
        }
        for (text, fast) in [
            (" \t\r\n1\n", true),
            ("\u{a0}1", false),
            ("\u{b}1", false),
            ("\u{c}1", false),
            ("1\u{feff}", false),
            ("\u{feff}1", false),
            ("\u{feff}{}", false),
            ("\u{2028}[]", false),
            (r#"{"":1,"":2}"#, true),
            (r#"{"a":1,"a":{"a":[]},"a":null}"#, true),
            (r#"{"\u0000":"\u0000","a\u0000b":1}"#, true),
            (r#"{"a\nb":1,"\u00e9":2,"\ud83d\ude80":3,"\"":4,"\\":5}"#, true),
            (r#"{"\ud83d":1}"#, false),
            (r#"{"a":1}{"#, false),
            ("{} ,", false),
            ("[]]", false),
            ("1 2", false),
            (r#""a""b""#, false),
            ("null\u{0}", false),
            ("true false", false),
            (r#"[1,,2]"#, false),
            (r#"{"a"::1}"#, false),
            (r#"{'a':1}"#, false),
            (r#"{"a":1;"b":2}"#, false),
            ("\"\u{7f}\u{80}\u{10ffff}\"", true),
        ] {
            assert_eq!(same_as_serde(text).is_some(), fast, "{text:?}");
        }
        // every escape, a surrogate pair, and a pair split by text, at every offset of the scan
        let escapes = [
            (r#"\""#, "\""),
            (r"\\", "\\"),
            (r"\/", "/"),
            (r"\b", "\u{8}"),
            (r"\f", "\u{c}"),
            (r"\n", "\n"),
            (r"\r", "\r"),
            (r"\t", "\t"),
            (r"\u0000", "\0"),
            (r"\u001F", "\u{1f}"),
            (r"\u00E9", "é"),
            (r"\uFFFF", "\u{ffff}"),
            (r"\uD83D\uDE80", "🚀"),
            (r"\udbff\udfff", "\u{10ffff}"),
            (r"\uD800\uDC00", "\u{10000}"),
        ];
        for pad in 0..20 {
            for lead in ["a", "é", "中"] {
                let p = lead.repeat(pad);
                for (esc, val) in escapes {
                    let text = format!("\"{p}{esc}{p}\"");
                    let (n, count) = same_as_serde(&text).unwrap_or_else(|| panic!("{text:?}"));
                    assert_eq!(n, Node::String(format!("{p}{val}{p}").into()), "{text:?}");
                    assert_eq!(count, 2 * p.len() + val.len());
                    let key = format!("{{\"{p}{esc}\":\"{esc}{p}\"}}");
                    assert!(same_as_serde(&key).is_some(), "{key:?}");
                }
                for bad in [
                    r"\a",
                    r"\x41",
                    r"\U0041",
                    r"\'",
                    r"\0",
                    r"\u{41}",
                    r"\u004-",
                    r"\u-041",
                    r"\uD83D",
                    r"\uDE80",
                    r"\uD83Da\uDE80",
                    r"\uD83D\n",
                    r"\uD83D\uD83D",
                    r"\uDE80\uD83D",
                    r"\ ",
                    r"\é",
                ] {
                    let text = format!("\"{p}{bad}{p}\"");
                    assert!(same_as_serde(&text).is_none(), "{text:?}");
                }
                // a string ending in a backslash, or with no closing quote
                for end in ["\\", "\\\"", "\\\\\\", "", "\\u00"] {
                    let text = format!("\"{p}{end}");
                    assert!(same_as_serde(&text).is_none(), "{text:?}");
                    assert!(Node::parse(&text).is_err(), "{text:?}");
                }
                // a raw control byte in a string is an error, wherever it is; DEL is text
                for c in (0u8..0x20).map(char::from) {
                    let text = format!("[\"{p}{c}{p}\"]");
                    assert!(same_as_serde(&text).is_none(), "{text:?}");
                    assert!(Node::parse(&text).is_err(), "{text:?}");
                    let text = format!("[\"{p}\\n{c}{p}\"]");
                    assert!(Node::parse(&text).is_err(), "{text:?}");
                }
            }
        }
        // nesting of arrays and objects mixed, at and past the limit
        for depth in 120..132 {
            let open: String = (0..depth).map(|i| if i % 2 == 0 { "[" } else { "{\"k\":" }).collect();
            let close: String = (0..depth).rev().map(|i| if i % 2 == 0 { "]" } else { "}" }).collect();
            let text = format!("{open}\"\\n\"{close}");
            assert_eq!(same_as_serde(&text).is_some(), depth <= 126, "{depth}");
            assert_eq!(Node::parse(&text).is_ok(), depth <= 127, "{depth}");
        }
        // a long array, and one with a bad last element
        let long = format!("[{}0]", "0,\"\\t\",{},[],".repeat(50_000));
        assert!(same_as_serde(&long).is_some());
        let bad = format!("[{}0,]", "0,".repeat(50_000));
        assert!(same_as_serde(&bad).is_none());
    }

    #[test]
    fn the_message_bound_counts_unescaped_bytes_as_serde_json_does() {
        use crate::model::{UnifiedMessage, reader::MAX_MESSAGE_BYTES};
        let fixed = "content".len() + "type".len() + "text".len() * 2 + "body".len() + "a".len();
        for extra in [0usize, 1] {
            // `\"` and `\/` are two bytes written, one read: the bound is on what is read (each string
            // within its own bound of 1 MiB)
            let first = MAX_MESSAGE_BYTES / 2 - 16;
            let rest = MAX_MESSAGE_BYTES - fixed - first + extra;
            let text = format!(
                r#"{{"content":{{"type":"text","body":{{"text":"{}"}},"a":"{}"}}}}"#,
                "\\\"".repeat(first),
                "\\/".repeat(rest)
            );
            assert!(Node::parse_fast(&text).is_some(), "read by the fast reader");
            let fast = UnifiedMessage::from_json(&text).map_err(|e| e.message.clone());
            let v: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(fast, UnifiedMessage::from_value(&v).map_err(|e| e.message.clone()), "{extra}");
            assert_eq!(fast.is_ok(), extra == 0, "{extra}: {fast:?}");
        }
    }

    proptest! {
        #[test]
        fn fast_reader_strings_are_serde_jsons(
            s in "\\PC{0,40}|[\\x00-\\x1f\"\\\\/\u{7f}\u{2028}\u{e9}\u{4e2d}\u{1f680}a]{0,40}",
            escape_as_u in any::<u64>(),
        ) {
            // as serde_json writes it, and with some characters written as `\uXXXX` (pairs too)
            let text = serde_json::to_string(&s).unwrap();
            prop_assert!(same_as_serde(&text).is_some());
            let mut u = String::from("\"");
            for (i, c) in s.chars().enumerate() {
                if (escape_as_u >> (i % 64)) & 1 == 1 {
                    let mut units = [0u16; 2];
                    for unit in c.encode_utf16(&mut units) {
                        u.push_str(&format!("\\u{unit:04X}"));
                    }
                } else {
                    let w = serde_json::to_string(&c.to_string()).unwrap();
                    u.push_str(&w[1..w.len() - 1]);
                }
            }
            u.push('"');
            let (n, _) = same_as_serde(&u).unwrap();
            prop_assert_eq!(n, Node::String(s.clone().into()));
        }

        #[test]
        fn fast_reader_on_broken_json_answers_as_serde_json(
            v in crate::json::arb_value(),
            cuts in prop::collection::vec((any::<prop::sample::Index>(), "[\\x00-\\x7f]{0,3}|\\\\u[0-9a-fA-FdD]{0,4}"), 0..4),
        ) {
            let mut text = serde_json::to_string(&v).unwrap();
            for (at, with) in &cuts {
                let mut i = at.index(text.len() + 1);
                while !text.is_char_boundary(i) {
                    i -= 1;
                }
                let end = (i + with.len() % 3).min(text.len());
                let end = (end..=text.len()).find(|&e| text.is_char_boundary(e)).unwrap_or(text.len());
                text.replace_range(i..end, with);
            }
            same_as_serde(&text);
        }

        /// Strings dense with escapes, backslash runs and quotes (valid or not), long enough
        /// that the eight-byte steps meet them at every offset.
        #[test]
        fn escape_dense_strings_answer_as_serde_json(
            raw in r#"([a/bfnrtu0-9A-F"]|\\|\\\\|\\"|\\u00e9|\\ud83d\\ude80|\\ud83d|\\n|\\x|\x01|中){0,80}"#,
            tail in r#"[\]}",: a]{0,3}"#,
        ) {
            same_as_serde(&format!("\"{raw}\""));
            same_as_serde(&format!("[\"{raw}\"{tail}"));
            same_as_serde(&format!("{{\"{raw}\":\"{raw}\"}}{tail}"));
        }

        #[test]
        fn reads_what_serde_json_reads(v in crate::json::arb_value()) {
            let text = serde_json::to_string(&v).unwrap();
            // serde_json's own reading (its floats may differ from `v` in the last digit)
            let read: Value = serde_json::from_str(&text).unwrap();
            let (n, total) = Node::parse(&text).unwrap();
            prop_assert_eq!(n.to_value(), read.clone());
            prop_assert_eq!(total, value_bytes(&v));
            let (b, btotal) = Node::from_value(&read);
            prop_assert_eq!(b, n);
            prop_assert_eq!(btotal, total);
        }
    }
}
