//! A small reader over `serde_json::Value` that knows the JSON path of what it
//! reads, so every error names the field (`content.body.links[2].url`).
//!
//! Hand-written instead of `#[derive(Deserialize)]`: the message shapes are
//! loose (a button's text may be a string or `{content}`), validation errors
//! need the same paths as type errors, and it keeps the wasm small.

use serde_json::{Map, Value};

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

/// A JSON object being read, with its path.
#[derive(Clone)]
pub struct Obj<'a> {
    pub map: &'a Map<String, Value>,
    pub path: String,
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

pub fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

/// The value at `path` as an object.
pub fn as_obj<'a>(v: &'a Value, path: impl Into<String>) -> Result<Obj<'a>> {
    let path = path.into();
    match v {
        Value::Object(map) => Ok(Obj { map, path }),
        other => {
            let msg = format!("must be an object, not {}", type_name(other));
            Err(Error::at(path, msg))
        }
    }
}

/// A string value, checked for size.
pub fn as_str<'a>(v: &'a Value, path: &str) -> Result<&'a str> {
    match v {
        Value::String(s) if s.len() > MAX_STRING_BYTES => {
            Err(Error::at(path, format!("is {} bytes; at most {} are accepted", s.len(), MAX_STRING_BYTES)))
        }
        Value::String(s) => Ok(s),
        other => Err(Error::at(path, format!("must be a string, not {}", type_name(other)))),
    }
}

impl<'a> Obj<'a> {
    /// The raw value of a key; `null` counts as absent.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        match self.map.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => Some(v),
        }
    }

    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn path_of(&self, key: &str) -> String {
        join(&self.path, key)
    }

    /// An optional string; an empty string counts as absent.
    pub fn opt_str(&self, key: &str) -> Result<Option<&'a str>> {
        match self.get(key) {
            None => Ok(None),
            // the common case builds no path (a path is only for an error)
            Some(Value::String(s)) if s.len() <= MAX_STRING_BYTES => Ok(if s.is_empty() { None } else { Some(s) }),
            Some(v) => {
                let s = as_str(v, &self.path_of(key))?;
                Ok(if s.is_empty() { None } else { Some(s) })
            }
        }
    }

    /// A required string with something besides white space in it.
    pub fn req_str(&self, key: &str) -> Result<&'a str> {
        match self.opt_str(key)? {
            Some(s) if s.trim().is_empty() => Err(Error::at(self.path_of(key), "must not be blank")),
            Some(s) => Ok(s),
            None if self.map.contains_key(key) => Err(Error::at(self.path_of(key), "must not be empty")),
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
            Some(Value::Number(n)) => Ok(Some(crate::json::number(n))),
            Some(Value::Bool(b)) => Ok(Some(if *b { "1" } else { "0" }.to_string())),
            Some(v) => Ok(Some(as_str(v, &self.path_of(key))?.to_string())),
        }
    }

    /// A required URL: non-empty, no white space or control characters.
    /// Deliberately lenient beyond that (relative and custom-scheme links such
    /// as `dingtalk://` are legitimate in bot messages).
    pub fn req_url(&self, key: &str) -> Result<&'a str> {
        let s = self.req_str(key)?;
        check_url(s, &self.path_of(key))?;
        Ok(s)
    }

    pub fn opt_url(&self, key: &str) -> Result<Option<&'a str>> {
        match self.opt_str(key)? {
            None => Ok(None),
            Some(s) => {
                check_url(s, &self.path_of(key))?;
                Ok(Some(s))
            }
        }
    }

    pub fn opt_bool(&self, key: &str) -> Result<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(Error::at(self.path_of(key), format!("must be a boolean, not {}", type_name(other)))),
        }
    }

    pub fn opt_obj(&self, key: &str) -> Result<Option<Obj<'a>>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => as_obj(v, self.path_of(key)).map(Some),
        }
    }

    /// An optional array (absent = empty).
    pub fn arr(&self, key: &str) -> Result<&'a [Value]> {
        match self.get(key) {
            None => Ok(&[]),
            Some(Value::Array(a)) => Ok(a),
            Some(other) => Err(Error::at(self.path_of(key), format!("must be an array, not {}", type_name(other)))),
        }
    }
}

/// A borrowed optional string as an owned one: one shared call at each field instead of a
/// `map(str::to_string)` expanded there.
#[inline(never)]
pub fn owned(s: Option<&str>) -> Option<String> {
    s.map(str::to_string)
}

pub fn check_url(s: &str, path: &str) -> Result<()> {
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::at(path, "must be a URL without spaces or control characters"));
    }
    Ok(())
}
