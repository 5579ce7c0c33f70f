//! Writing a `serde_json::Value` as JSON text, and reading JSON text into one ([`parse`]).
//!
//! One small writer instead of serde_json's generic serializer. Strings are escaped exactly
//! as serde_json does, so [`crate::limits::Measure::Json`] counts hold. Payloads are
//! [`crate::payload::Payload`]s, written and measured (`Payload::len`) with the same escaping.

use serde_json::Value;

/// The JSON text of a value, compact (no spaces), keys in the map's order.
pub fn to_string(v: &Value) -> String {
    let mut out = String::with_capacity(128);
    write(v, &mut out);
    out
}

/// A number as JSON text (serde_json's own formatting; a `Number` is never
/// NaN or infinite).
pub fn number(n: &serde_json::Number) -> String {
    n.to_string()
}

pub fn write(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => out.push_str(&number(n)),
        Value::String(s) => write_str(s, out),
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(x, out);
            }
            out.push(']');
        }
        Value::Object(m) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(k, out);
                out.push(':');
                write(x, out);
            }
            out.push('}');
        }
    }
}

pub fn write_str(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(s.len() + 2);
    out.push('"');
    let mut start = 0;
    // an index loop, not `bytes().enumerate()`: at -Oz a second user of that adapter anywhere in
    // the crate made it an out-of-line call per byte here (3.4x this function's time)
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        i += 1;
        // most bytes need no escape: one table look-up (the one `Measure::Json` counts by)
        if crate::limits::JSON_EXTRA[usize::from(b)] == 0 {
            continue;
        }
        let i = i - 1;
        let esc: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if esc.is_empty() {
            out.push_str("\\u00");
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        } else {
            out.push_str(esc);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// JSON text read into a `Value`, as `serde_json::from_str` reads it (the same errors, a key
/// given twice is its last value), through the message's tree: one reader of serde_json's
/// parser in the wasm instead of two.
pub fn parse(text: &str) -> Result<Value, serde_json::Error> {
    Ok(crate::model::tree::Node::parse(text)?.0.to_value())
}

/// Any JSON value for property tests: every scalar kind (integers at both ends, finite floats),
/// strings with the characters JSON escapes or writers treat specially, nested arrays and objects.
#[cfg(test)]
pub(crate) fn arb_value() -> impl proptest::strategy::Strategy<Value = Value> {
    use proptest::prelude::*;
    use serde_json::json;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
        "\\PC{0,20}|[\\x00-\\x1f\"\\\\\u{7f}\u{2028}]{0,5}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map("\\PC{0,8}", inner, 0..5).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn matches_serde_json_on_typical_payloads() {
        let v = json!({"msgtype": "text", "text": {"content": "告警 \"x\"\n\t\\ \u{1} 🚀", "n": 20, "neg": -3, "f": 1.5, "t": true, "z": null, "a": [1, "b", []]}});
        assert_eq!(to_string(&v), serde_json::to_string(&v).unwrap());
    }

    #[test]
    fn floats_read_back_the_same() {
        for f in [0.1, 1e300, -2.5e-8, 123456.789, 1.0] {
            let v = json!(f);
            let back: f64 = serde_json::from_str(&to_string(&v)).unwrap();
            assert_eq!(back, f);
        }
    }

    proptest! {
        #[test]
        fn same_text_as_serde_json(v in arb_value()) {
            let ours = to_string(&v);
            prop_assert_eq!(&ours, &serde_json::to_string(&v).unwrap());
            prop_assert_eq!(parse(&ours).unwrap(), serde_json::from_str::<Value>(&ours).unwrap());
        }
    }
}
