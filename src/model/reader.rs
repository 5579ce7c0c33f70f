//! A small reader over the message's [`Node`] tree that knows the JSON path of what it
//! reads, so every error names the field (`content.body.links[2].url`). The path is a chain
//! of borrowed steps, written out as text only when an error is made.
//!
//! Hand-written instead of `#[derive(Deserialize)]`: the message shapes are
//! loose (a button's text may be a string or `{content}`), validation errors
//! need the same paths as type errors, and it keeps the wasm small.

use serde_json::Value;

use super::tree::{Node, Pairs, lookup};

use crate::error::{Error, Result};

/// Longest string accepted in any field (1 MiB): the largest platform body is
/// 20 KB, so anything beyond this is a mistake, and refusing it early bounds work.
pub const MAX_STRING_BYTES: usize = 1 << 20;

/// Most text one message may carry in all (its strings and keys, 2 MiB): 20
/// parts of the largest body are 400 KB, so this is room to spare, and it
/// bounds the work of a render whatever the number of fields.
pub const MAX_MESSAGE_BYTES: usize = 2 << 20;

/// The bytes of every string and key in `v` (without recursion, so any depth is safe).
pub fn text_bytes(v: &Value) -> usize {
    let mut total = 0usize;
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::String(s) => total = total.saturating_add(s.len()),
            Value::Array(a) => stack.extend(a.iter()),
            Value::Object(m) => {
                for (k, v) in m {
                    total = total.saturating_add(k.len());
                    stack.push(v);
                }
            }
            _ => {}
        }
    }
    total
}

/// Where a value is in the message: written out (`content.body.links[2].url`) only for an error.
#[derive(Clone, Copy)]
pub enum Path<'p> {
    /// A path as text (`""` for the message itself, `"content.body"`).
    At(&'p str),
    Key(&'p Path<'p>, &'p str),
    Index(&'p Path<'p>, usize),
}

impl<'p> Path<'p> {
    pub fn key<'s>(&'s self, key: &'s str) -> Path<'s> {
        Path::Key(self, key)
    }

    pub fn index(&self, i: usize) -> Path<'_> {
        Path::Index(self, i)
    }

    fn write(&self, out: &mut String) {
        match *self {
            Path::At(s) => out.push_str(s),
            Path::Key(parent, key) => {
                parent.write(out);
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Path::Index(parent, i) => {
                parent.write(out);
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
        }
    }

    /// The path as text.
    pub fn text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }
}

pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

pub fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_string() } else { format!("{path}.{key}") }
}

/// A JSON object being read, with its path.
#[derive(Clone, Copy)]
pub struct Obj<'a, 'p> {
    pub map: &'a Pairs<'a>,
    pub path: Path<'p>,
}

/// What a value is, for an error ("must be a string, not a number").
pub fn kind(v: &Node<'_>) -> &'static str {
    match v {
        Node::Null => "null",
        Node::Bool(_) => "a boolean",
        Node::Number(_) => "a number",
        Node::String(_) => "a string",
        Node::Array(_) => "an array",
        Node::Object(_) => "an object",
    }
}

/// The value at `path` as an object.
pub fn as_obj<'a, 'p>(v: &'a Node<'a>, path: Path<'p>) -> Result<Obj<'a, 'p>> {
    match v {
        Node::Object(map) => Ok(Obj { map, path }),
        other => Err(Error::at(path.text(), format!("must be an object, not {}", kind(other)))),
    }
}

/// A string value, checked for size.
pub fn as_str<'a>(v: &'a Node<'a>, path: Path<'_>) -> Result<&'a str> {
    match v {
        Node::String(s) if s.len() > MAX_STRING_BYTES => {
            Err(Error::at(path.text(), format!("is {} bytes; at most {} are accepted", s.len(), MAX_STRING_BYTES)))
        }
        Node::String(s) => Ok(s),
        other => Err(Error::at(path.text(), format!("must be a string, not {}", kind(other)))),
    }
}

impl<'a, 'p> Obj<'a, 'p> {
    /// The raw value of a key; `null` counts as absent.
    pub fn get(&self, key: &str) -> Option<&'a Node<'a>> {
        match lookup(self.map, key) {
            None | Some(Node::Null) => None,
            Some(v) => Some(v),
        }
    }

    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The path of a key, as text (for an error).
    pub fn path_of(&self, key: &str) -> String {
        self.path.key(key).text()
    }

    /// An optional string; an empty string counts as absent.
    pub fn opt_str(&self, key: &str) -> Result<Option<&'a str>> {
        match self.get(key) {
            None => Ok(None),
            // the common case builds no path (a path is only for an error)
            Some(Node::String(s)) if s.len() <= MAX_STRING_BYTES => Ok(if s.is_empty() { None } else { Some(s) }),
            Some(v) => {
                let s = as_str(v, self.path.key(key))?;
                Ok(if s.is_empty() { None } else { Some(s) })
            }
        }
    }

    /// A required string with something besides white space in it.
    pub fn req_str(&self, key: &str) -> Result<&'a str> {
        match self.opt_str(key)? {
            Some(s) if s.trim().is_empty() => Err(Error::at(self.path_of(key), "must not be blank")),
            Some(s) => Ok(s),
            None if lookup(self.map, key).is_some() => Err(Error::at(self.path_of(key), "must not be empty")),
            None => Err(Error::at(self.path_of(key), "is required")),
        }
    }

    /// An optional string that, when given, is not only white space (a title, an id).
    pub fn opt_nonblank(&self, key: &str) -> Result<Option<&'a str>> {
        match self.opt_str(key)? {
            Some(s) if s.trim().is_empty() => Err(Error::at(self.path_of(key), "must not be blank")),
            other => Ok(other),
        }
    }

    /// A string, or a number written as a string (WeCom `type: 1`, DingTalk `"0"`).
    pub fn opt_scalar(&self, key: &str) -> Result<Option<String>> {
        match self.get(key) {
            None => Ok(None),
            Some(Node::Number(n)) => Ok(Some(crate::json::number(n))),
            Some(Node::Bool(b)) => Ok(Some(if *b { "1" } else { "0" }.to_string())),
            Some(v) => Ok(Some(as_str(v, self.path.key(key))?.to_string())),
        }
    }

    /// A required URL: non-empty, no white space or control characters.
    /// Deliberately lenient beyond that (relative and custom-scheme links such
    /// as `dingtalk://` are legitimate in bot messages).
    pub fn req_url(&self, key: &str) -> Result<&'a str> {
        let s = self.req_str(key)?;
        check_url(s, self.path.key(key))?;
        Ok(s)
    }

    pub fn opt_url(&self, key: &str) -> Result<Option<&'a str>> {
        match self.opt_str(key)? {
            None => Ok(None),
            Some(s) => {
                check_url(s, self.path.key(key))?;
                Ok(Some(s))
            }
        }
    }

    pub fn opt_bool(&self, key: &str) -> Result<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(Node::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(Error::at(self.path_of(key), format!("must be a boolean, not {}", kind(other)))),
        }
    }

    /// An optional object; its path borrows this one's.
    pub fn opt_obj<'s>(&'s self, key: &'s str) -> Result<Option<Obj<'a, 's>>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => as_obj(v, self.path.key(key)).map(Some),
        }
    }

    /// An optional array (absent = empty).
    pub fn arr(&self, key: &str) -> Result<&'a [Node<'a>]> {
        match self.get(key) {
            None => Ok(&[]),
            Some(Node::Array(a)) => Ok(a),
            Some(other) => Err(Error::at(self.path_of(key), format!("must be an array, not {}", kind(other)))),
        }
    }
}

/// A borrowed optional string as an owned one: one shared call at each field instead of a
/// `map(str::to_string)` expanded there.
#[inline(never)]
pub fn owned(s: Option<&str>) -> Option<String> {
    s.map(str::to_string)
}

pub fn check_url(s: &str, path: Path<'_>) -> Result<()> {
    if bad_url_chars(s) {
        return Err(Error::at(path.text(), "must be a URL without spaces or control characters"));
    }
    Ok(())
}

/// Whether `s` holds white space or a control character. ASCII is checked a byte at a time (in
/// ASCII those are the bytes up to the space, and DEL); only a URL with other characters is
/// decoded and asked of each character (what `char::is_whitespace` / `is_control` say).
fn bad_url_chars(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_ascii() {
        return b.iter().any(|&c| c <= b' ' || c == 0x7f);
    }
    s.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        /// The ASCII check finds exactly what the per-character one finds.
        #[test]
        fn url_chars_are_checked_as_chars(s in "[ -~\t\n\r\x0b\x0c\x00-\x1f\x7f\u{85}\u{a0}\u{2028}\u{3000}é中]{0,30}|\\PC{0,30}|\\pC{0,5}") {
            prop_assert_eq!(super::bad_url_chars(&s), s.chars().any(|c| c.is_whitespace() || c.is_control()));
        }
    }

    /// Every ASCII character alone, in a URL and at its end, and a few others.
    #[test]
    fn each_character_is_checked_as_a_char() {
        let chars =
            (0u8..128).map(char::from).chain(['\u{85}', '\u{a0}', '\u{2028}', '\u{3000}', 'é', '中', '\u{1F600}']);
        for c in chars {
            let bad = c.is_whitespace() || c.is_control();
            for s in [c.to_string(), format!("https://e.com/{c}a"), format!("https://e.com/{c}")] {
                assert_eq!(super::bad_url_chars(&s), bad, "{s:?}");
            }
        }
    }
}
