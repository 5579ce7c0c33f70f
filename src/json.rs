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
            push_ascii(out, b'[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    push_ascii(out, b',');
                }
                write(x, out);
            }
            push_ascii(out, b']');
        }
        Value::Object(m) => {
            push_ascii(out, b'{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    push_ascii(out, b',');
                }
                write_str(k, out);
                push_ascii(out, b':');
                write(x, out);
            }
            push_ascii(out, b'}');
        }
    }
}

pub fn write_str(s: &str, out: &mut String) {
    // SAFETY: only whole UTF-8 text is appended: slices of `s` cut before and after ASCII bytes
    // (a `"`, `\\` or control byte never sits inside a multi-byte character), and ASCII.
    let v = unsafe { out.as_mut_vec() };
    let b = s.as_bytes();
    v.reserve(b.len() + 2);
    v.push(b'"');
    // the text up to the first byte to escape, eight bytes at a time (as the reader skips it):
    // most strings (keys, short texts) have none and are this copy
    let first = crate::model::tree::skip_plain(b, 0);
    v.extend_from_slice(&b[..first]);
    if first < b.len() {
        write_escaped(&b[first..], v);
    }
    v.push(b'"');
}

/// The rest of [`write_str`]'s string from its first byte to escape, without the closing quote.
fn write_escaped(b: &[u8], v: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    // escapes and the short runs between them gather here and go into `v` a buffer at a time:
    // text dense with escapes (1 MiB of `a\n\n` or `\\`) was two `extend_from_slice` calls
    // per escape, most of a split's render of it
    let mut buf = [0u8; ESC_BUF];
    let mut k = 0;
    let mut start = 0;
    loop {
        // the text up to the next byte to escape: its first few bytes one at a time (escapes
        // often come close together: `\n\n`, `\\\\`), then eight at a time (as the reader skips it)
        let mut i = start;
        while i < b.len() && i < start + 4 && crate::model::tree::plain(b[i]) {
            i += 1;
        }
        if i == start + 4 {
            i = crate::model::tree::skip_plain(b, i);
        }
        let run = &b[start..i];
        if run.len() > SHORT_RUN {
            v.extend_from_slice(&buf[..k]);
            k = 0;
            v.extend_from_slice(run);
        } else {
            // a short run and an escape (6 bytes at most) always fit an emptied buffer
            if k + run.len() + 6 > ESC_BUF {
                v.extend_from_slice(&buf[..k]);
                k = 0;
            }
            for &x in run {
                buf[k] = x;
                k += 1;
            }
        }
        let Some(&c) = b.get(i) else { break };
        let esc = match c {
            b'"' => b'"',
            b'\\' => b'\\',
            b'\n' => b'n',
            b'\r' => b'r',
            b'\t' => b't',
            0x08 => b'b',
            0x0c => b'f',
            _ => 0,
        };
        if k + 6 > ESC_BUF {
            v.extend_from_slice(&buf[..k]);
            k = 0;
        }
        buf[k] = b'\\';
        if esc != 0 {
            buf[k + 1] = esc;
            k += 2;
        } else {
            buf[k + 1..k + 6].copy_from_slice(&[b'u', b'0', b'0', HEX[usize::from(c >> 4)], HEX[usize::from(c & 15)]]);
            k += 6;
        }
        start = i + 1;
    }
    v.extend_from_slice(&buf[..k]);
}

/// The buffer [`write_str`] gathers escapes and short runs in.
const ESC_BUF: usize = 128;
/// Runs of plain text at most this long go through [`write_str`]'s buffer (longer ones straight
/// into the output).
const SHORT_RUN: usize = 32;

/// `out.push(char::from(b))` for an ASCII byte without `String::push`'s UTF-8 encoder (out of
/// line at -Oz; it was most of a payload writer's own time): brackets, commas, colons.
#[inline(always)]
pub fn push_ascii(out: &mut String, b: u8) {
    if b.is_ascii() {
        // SAFETY: an ASCII byte is a whole UTF-8 character.
        unsafe { out.as_mut_vec() }.push(b);
    } else {
        out.push(char::from(b));
    }
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

        /// Strings with runs of plain text (read eight bytes at a time) between escapes, after
        /// text already in the buffer.
        #[test]
        fn strings_are_escaped_as_serde_json_does(s in "([a-z 中é🚀]{0,19}[\"\\\\\n\r\t\x00-\x1f\x7f]?){0,6}|\\PC{0,70}|(a|\n|\n\n|\\\\|\"|\x01|[a-z]{2,9}|[a-z]{30,40}|中){0,300}", head in "\\PC{0,3}") {
            let mut out = head.clone();
            write_str(&s, &mut out);
            prop_assert_eq!(out, format!("{head}{}", serde_json::to_string(&s).unwrap()));
        }
    }
}
