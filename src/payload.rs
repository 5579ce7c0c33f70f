//! A payload as the renderers build it and the sender posts it: a JSON value
//! whose objects keep their keys in insertion order (so a payload comes out
//! as the platforms' docs write it, `msgtype` first) and whose keys and
//! literal strings are `&'static str` (no allocation per key, no tree to
//! balance or drop). Written and measured with exactly the escaping of
//! [`crate::json`] (the byte limits depend on it).
//!
//! The parts of a message that the model keeps as `serde_json::Value` (raw
//! bodies, platform-flavoured card parts) come in through `From<&Value>`;
//! [`Payload::to_value`] turns a payload back into a `Value` (tests, results).

use std::borrow::Cow;
use std::fmt;

use serde_json::{Number, Value};

use crate::json::{push_ascii, write_str};

/// A string of a payload: a literal, or owned.
pub type Str = Cow<'static, str>;

/// A JSON value whose objects keep insertion order.
#[derive(Clone, Debug, Default)]
pub enum Payload {
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    String(Str),
    Array(Vec<Payload>),
    Object(Obj),
}

/// A JSON object: its pairs in insertion order, keys unique.
#[derive(Clone, Debug, Default)]
pub struct Obj(Vec<(Str, Payload)>);

static NULL: Payload = Payload::Null;

impl Obj {
    pub fn new() -> Self {
        Obj(Vec::new())
    }

    pub fn with_capacity(n: usize) -> Self {
        Obj(Vec::with_capacity(n))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, key: &str) -> Option<&Payload> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Payload> {
        self.0.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Set `key`: an existing key keeps its place and takes the new value.
    #[inline]
    pub fn insert(&mut self, key: impl Into<Str>, value: Payload) {
        self.set(key.into(), value);
    }

    #[inline(never)]
    fn set(&mut self, key: Str, value: Payload) {
        match self.get_mut(&key) {
            Some(v) => *v = value,
            None => self.0.push((key, value)),
        }
    }

    /// [`Obj::insert`] of a literal key.
    #[inline]
    pub fn put(&mut self, key: &'static str, value: impl Into<Payload>) {
        self.set(Cow::Borrowed(key), value.into());
    }

    /// Append a pair whose key is known to be new (the renderers' own objects).
    pub fn push(&mut self, key: &'static str, value: Payload) {
        self.0.push((Cow::Borrowed(key), value));
    }

    /// Append a pair whose key is not in the object yet and not among the others appended
    /// (a `serde_json::Map`'s keys, which are distinct): no look-up, so copying a user's
    /// object of n keys costs n steps, not n² (as [`Obj::insert`] of each would).
    pub fn push_new(&mut self, key: String, value: Payload) {
        self.0.push((Cow::Owned(key), value));
    }

    pub fn remove(&mut self, key: &str) -> Option<Payload> {
        let i = self.0.iter().position(|(k, _)| k == key)?;
        Some(self.0.remove(i).1)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Payload)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }
}

/// Equal as JSON objects: the same keys with equal values, in any order.
impl PartialEq for Obj {
    fn eq(&self, other: &Obj) -> bool {
        self.len() == other.len() && self.0.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl PartialEq for Payload {
    fn eq(&self, other: &Payload) -> bool {
        match (self, other) {
            (Payload::Null, Payload::Null) => true,
            (Payload::Bool(a), Payload::Bool(b)) => a == b,
            (Payload::Number(a), Payload::Number(b)) => a == b,
            (Payload::String(a), Payload::String(b)) => a == b,
            (Payload::Array(a), Payload::Array(b)) => a == b,
            (Payload::Object(a), Payload::Object(b)) => a == b,
            _ => false,
        }
    }
}

impl Payload {
    /// An object from its pairs, built by one out-of-line loop (see `obj!`); the keys, written
    /// at the call site, are distinct.
    #[inline(never)]
    pub fn object(pairs: &mut [(&'static str, Payload)]) -> Payload {
        let mut m = Obj::with_capacity(pairs.len());
        for (k, v) in pairs {
            debug_assert!(!m.contains_key(k), "obj! with {k} twice");
            m.push(k, std::mem::take(v));
        }
        Payload::Object(m)
    }

    pub fn get(&self, key: &str) -> Option<&Payload> {
        match self {
            Payload::Object(m) => m.get(key),
            _ => None,
        }
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Payload> {
        match self {
            Payload::Object(m) => m.get_mut(key),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Payload::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&Vec<Payload>> {
        match self {
            Payload::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Obj> {
        match self {
            Payload::Object(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_object_mut(&mut self) -> Option<&mut Obj> {
        match self {
            Payload::Object(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Payload::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Payload::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Payload::Object(_))
    }

    pub fn is_string(&self) -> bool {
        matches!(self, Payload::String(_))
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Payload::Null)
    }

    /// The JSON text, compact, keys in insertion order.
    pub fn to_text(&self) -> String {
        let mut out = String::with_capacity(256);
        self.write(&mut out);
        out
    }

    /// Bytes of [`Payload::to_text`], without writing it.
    pub fn len(&self) -> usize {
        match self {
            Payload::Null => 4,
            Payload::Bool(true) => 4,
            Payload::Bool(false) => 5,
            Payload::Number(n) => crate::json::number(n).len(),
            Payload::String(s) => str_len(s),
            Payload::Array(a) => 2 + a.iter().map(Payload::len).sum::<usize>() + a.len().saturating_sub(1),
            Payload::Object(m) => {
                2 + m.0.iter().map(|(k, v)| str_len(k) + 1 + v.len()).sum::<usize>() + m.len().saturating_sub(1)
            }
        }
    }

    /// Never empty (a JSON value has at least one byte); for clippy's `len_without_is_empty`.
    pub fn is_empty(&self) -> bool {
        false
    }

    pub fn write(&self, out: &mut String) {
        match self {
            Payload::Null => out.push_str("null"),
            Payload::Bool(true) => out.push_str("true"),
            Payload::Bool(false) => out.push_str("false"),
            Payload::Number(n) => out.push_str(&crate::json::number(n)),
            Payload::String(s) => write_str(s, out),
            Payload::Array(a) => {
                push_ascii(out, b'[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        push_ascii(out, b',');
                    }
                    x.write(out);
                }
                push_ascii(out, b']');
            }
            Payload::Object(m) => {
                push_ascii(out, b'{');
                for (i, (k, x)) in m.0.iter().enumerate() {
                    if i > 0 {
                        push_ascii(out, b',');
                    }
                    write_str(k, out);
                    push_ascii(out, b':');
                    x.write(out);
                }
                push_ascii(out, b'}');
            }
        }
    }

    /// The same JSON value as a `serde_json::Value` (its objects' keys sorted).
    pub fn to_value(&self) -> Value {
        match self {
            Payload::Null => Value::Null,
            Payload::Bool(b) => Value::Bool(*b),
            Payload::Number(n) => Value::Number(n.clone()),
            Payload::String(s) => Value::String(s.to_string()),
            Payload::Array(a) => Value::Array(a.iter().map(Payload::to_value).collect()),
            Payload::Object(m) => Value::Object(m.0.iter().map(|(k, v)| (k.to_string(), v.to_value())).collect()),
        }
    }
}

fn str_len(s: &str) -> usize {
    2 + crate::limits::Measure::Json.cost(s)
}

/// The JSON text (as [`Payload::to_text`]).
impl fmt::Display for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

impl std::ops::Index<&str> for Payload {
    type Output = Payload;
    /// The value at `key`, or `null` (as `serde_json::Value`'s index).
    fn index(&self, key: &str) -> &Payload {
        self.get(key).unwrap_or(&NULL)
    }
}

impl std::ops::Index<usize> for Payload {
    type Output = Payload;
    fn index(&self, i: usize) -> &Payload {
        match self {
            Payload::Array(a) => a.get(i).unwrap_or(&NULL),
            _ => &NULL,
        }
    }
}

impl PartialEq<Value> for Payload {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Payload::Null, Value::Null) => true,
            (Payload::Bool(a), Value::Bool(b)) => a == b,
            (Payload::Number(a), Value::Number(b)) => a == b,
            (Payload::String(a), Value::String(b)) => a == b,
            (Payload::Array(a), Value::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y),
            (Payload::Object(a), Value::Object(b)) => {
                a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| v == w))
            }
            _ => false,
        }
    }
}

impl PartialEq<Payload> for Value {
    fn eq(&self, other: &Payload) -> bool {
        other == self
    }
}

impl PartialEq<str> for Payload {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == Some(other)
    }
}

impl PartialEq<&str> for Payload {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

impl PartialEq<String> for Payload {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == Some(other.as_str())
    }
}

impl PartialEq<bool> for Payload {
    fn eq(&self, other: &bool) -> bool {
        self.as_bool() == Some(*other)
    }
}

macro_rules! eq_int {
    ($($t:ty),*) => {$(
        impl PartialEq<$t> for Payload {
            fn eq(&self, other: &$t) -> bool {
                matches!(self, Payload::Number(n) if *n == Number::from(*other))
            }
        }
    )*};
}
eq_int!(i32, i64, u64, usize);

impl From<&'static str> for Payload {
    fn from(s: &'static str) -> Self {
        Payload::String(Cow::Borrowed(s))
    }
}

impl From<String> for Payload {
    fn from(s: String) -> Self {
        Payload::String(Cow::Owned(s))
    }
}

impl From<Str> for Payload {
    fn from(s: Str) -> Self {
        Payload::String(s)
    }
}

impl From<bool> for Payload {
    fn from(b: bool) -> Self {
        Payload::Bool(b)
    }
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Payload {
            fn from(n: $t) -> Self {
                Payload::Number(Number::from(n))
            }
        }
    )*};
}
from_int!(i32, i64, u32, u64, usize);

impl From<Obj> for Payload {
    fn from(m: Obj) -> Self {
        Payload::Object(m)
    }
}

impl<T: Into<Payload>> From<Vec<T>> for Payload {
    fn from(v: Vec<T>) -> Self {
        Payload::Array(v.into_iter().map(Into::into).collect())
    }
}

impl From<&[Payload]> for Payload {
    fn from(v: &[Payload]) -> Self {
        Payload::Array(v.to_vec())
    }
}

impl<T: Into<Payload>> From<Option<T>> for Payload {
    fn from(v: Option<T>) -> Self {
        v.map_or(Payload::Null, Into::into)
    }
}

/// A user-given part of a message (kept by the model as a `serde_json::Value`).
impl From<&Value> for Payload {
    fn from(v: &Value) -> Self {
        match v {
            Value::Null => Payload::Null,
            Value::Bool(b) => Payload::Bool(*b),
            Value::Number(n) => Payload::Number(n.clone()),
            Value::String(s) => Payload::String(Cow::Owned(s.clone())),
            Value::Array(a) => Payload::Array(a.iter().map(Payload::from).collect()),
            Value::Object(m) => {
                Payload::Object(Obj(m.iter().map(|(k, v)| (Cow::Owned(k.clone()), Payload::from(v))).collect()))
            }
        }
    }
}

impl From<&Payload> for Value {
    fn from(p: &Payload) -> Self {
        p.to_value()
    }
}

impl From<Payload> for Value {
    fn from(p: Payload) -> Self {
        p.to_value()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn keys_keep_their_order_and_insert_replaces_in_place() {
        let mut m = Obj::new();
        m.put("msgtype", "text");
        m.put("text", Payload::object(&mut [("content", "a".into())]));
        m.put("msgtype", "markdown");
        let p = Payload::Object(m);
        assert_eq!(p.to_text(), r#"{"msgtype":"markdown","text":{"content":"a"}}"#);
        assert_eq!(p, json!({"text": {"content": "a"}, "msgtype": "markdown"}));
        assert_ne!(p, json!({"text": {"content": "a"}}));
        assert_eq!(p["text"]["content"], "a");
        assert!(p["nothing"]["deeper"].is_null());
    }

    proptest! {
        /// From a `Value` and back: the same value, the same text as serde_json
        /// writes (its objects are sorted, so the order is the same), the same length.
        #[test]
        fn same_value_text_and_length_as_serde_json(v in crate::json::arb_value()) {
            let p = Payload::from(&v);
            prop_assert_eq!(&p.to_value(), &v);
            prop_assert!(p == v);
            let text = p.to_text();
            prop_assert_eq!(&text, &serde_json::to_string(&v).unwrap());
            prop_assert_eq!(p.len(), text.len());
        }
    }
}
