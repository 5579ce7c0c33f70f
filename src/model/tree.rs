//! A message's JSON read into a small tree of our own, borrowed from the text.
//!
//! `serde_json::Value` makes a `String` of every string and key and a `BTreeMap` of every
//! object, then the reader walks it once and drops it all. A message is read once and its
//! objects are small, so this tree keeps strings borrowed from the input where they hold no
//! escape, and objects as a `Vec` of pairs in source order, looked up from the end (a key
//! written twice means its last value, as in serde_json). The JSON itself is read by
//! serde_json's own deserializer (its errors, its nesting limit); only the tree is ours.
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

    proptest! {
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
