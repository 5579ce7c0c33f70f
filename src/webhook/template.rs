//! Templates with `{{placeholders}}`, compiled once when the target is
//! configured and filled in at render time.
//!
//! For: the body (JSON with placeholders, or raw text) and header values of a
//! generic webhook target. Not for: parsing the message (see [`crate::model`])
//! or deciding what a variable means beyond reading it from the message
//! (see [`super::vars`]).
//!
//! Syntax: `{{name}}`, `{{name|format}}`, `{{name|default text}}`,
//! `{{name|format|default text}}`. Spaces around the name and the format are
//! ignored. A suffix that is a bare word (`[a-z_]+`) and names a format is a
//! format; for a variable that has formats, any other bare word is an
//! `INVALID_CONFIG` error (write `{{time|iso|never}}` for a default); anything
//! else is the default text, used when the value is absent or empty.
//!
//! In a JSON template a placeholder inside a JSON string is replaced by its
//! value escaped as string content; a placeholder standing where a JSON value
//! goes (`{"n": {{card.fields.count}}}`) inserts a typed value: a number,
//! boolean, object, array, a string, or `null` when absent.

use serde_json::Value;

use super::vars::{Format, Val, Var};
use crate::error::{Error, Result};

/// Longest placeholder expression accepted (between `{{` and `}}`).
pub const MAX_EXPR: usize = 256;
/// Most placeholders in one template.
pub const MAX_PLACEHOLDERS: usize = 256;
/// Longest template accepted, bytes.
pub const MAX_TEMPLATE_BYTES: usize = 256 * 1024;

/// Where a placeholder stands, which decides how its value is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    /// Inside a JSON string: escaped string content.
    JsonString,
    /// Where a JSON value goes: a typed JSON value.
    JsonValue,
    /// Raw text (a raw body, a header value): the text as is.
    Text,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Placeholder {
    pub var: Var,
    pub format: Format,
    pub default: Option<String>,
    pub slot: Slot,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Piece {
    Lit(String),
    Ph(Placeholder),
}

/// A compiled template.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    pub pieces: Vec<Piece>,
}

impl Template {
    /// Compile a JSON template; `what` names it in errors (`body`).
    /// The template must be valid JSON with each placeholder standing in.
    pub fn json(src: &str, what: &str) -> Result<Template> {
        let t = compile(src, what, true)?;
        let mut stand_in = String::with_capacity(src.len());
        for p in &t.pieces {
            match p {
                Piece::Lit(s) => stand_in.push_str(s),
                Piece::Ph(ph) if ph.slot == Slot::JsonValue => stand_in.push_str("null"),
                Piece::Ph(_) => {}
            }
        }
        if let Err(e) = crate::json::parse(&stand_in) {
            return Err(Error::config(format!(
                "{what} is not valid JSON (each placeholder standing in for a value): {e}; \
                 put a placeholder in quotes for a string, or alone where a value goes"
            )));
        }
        Ok(t)
    }

    /// Compile a raw text template (a raw body, a header value).
    pub fn text(src: &str, what: &str) -> Result<Template> {
        compile(src, what, false)
    }

    pub fn placeholders(&self) -> impl Iterator<Item = &Placeholder> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Ph(ph) => Some(ph),
            Piece::Lit(_) => None,
        })
    }

    /// The literal text, placeholders left out (to check a header's own characters).
    pub fn literal_text(&self) -> String {
        self.pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Lit(s) => Some(s.as_str()),
                Piece::Ph(_) => None,
            })
            .collect()
    }

    pub fn uses(&self, var: &Var) -> bool {
        self.placeholders().any(|p| &p.var == var)
    }
}

fn compile(src: &str, what: &str, json: bool) -> Result<Template> {
    if src.len() > MAX_TEMPLATE_BYTES {
        return Err(Error::config(format!("{what} is {} bytes; at most {MAX_TEMPLATE_BYTES}", src.len())));
    }
    let mut pieces = Vec::new();
    let mut lit = String::new();
    let mut in_string = false;
    let mut escaped = false;
    let mut count = 0usize;
    let mut rest = src;
    while !rest.is_empty() {
        if rest.starts_with("{{") {
            let body = &rest[2..];
            let end = body.find("}}").ok_or_else(|| {
                Error::config(format!("{what}: a placeholder opened with {{{{ is not closed with }}}}"))
            })?;
            let expr = &body[..end];
            count += 1;
            if count > MAX_PLACEHOLDERS {
                return Err(Error::config(format!("{what} has more than {MAX_PLACEHOLDERS} placeholders")));
            }
            if json && escaped {
                return Err(Error::config(format!("{what}: a placeholder may not follow a backslash")));
            }
            let slot = match (json, in_string) {
                (false, _) => Slot::Text,
                (true, true) => Slot::JsonString,
                (true, false) => Slot::JsonValue,
            };
            let ph = parse_placeholder(expr, slot, what)?;
            if !lit.is_empty() {
                pieces.push(Piece::Lit(std::mem::take(&mut lit)));
            }
            pieces.push(Piece::Ph(ph));
            rest = &body[end + 2..];
            escaped = false;
            continue;
        }
        let Some(c) = rest.chars().next() else { break };
        if json {
            if in_string {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    in_string = false;
                }
            } else if c == '"' {
                in_string = true;
            }
        }
        lit.push(c);
        rest = &rest[c.len_utf8()..];
    }
    if !lit.is_empty() {
        pieces.push(Piece::Lit(lit));
    }
    Ok(Template { pieces })
}

fn is_word(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
}

fn parse_placeholder(expr: &str, slot: Slot, what: &str) -> Result<Placeholder> {
    if expr.len() > MAX_EXPR {
        return Err(Error::config(format!("{what}: a placeholder is longer than {MAX_EXPR} characters")));
    }
    if expr.chars().any(|c| c.is_control() || c == '"' || c == '\\' || c == '{') {
        return Err(Error::config(format!(
            "{what}: a placeholder may not contain quotes, backslashes, braces or control characters"
        )));
    }
    let mut parts = expr.splitn(3, '|');
    let name = parts.next().unwrap_or("").trim();
    if name.is_empty() {
        return Err(Error::config(format!("{what}: an empty placeholder {{{{}}}}")));
    }
    let var = Var::parse(name).map_err(|why| Error::config(format!("{what}: {why}")))?;
    let second = parts.next();
    let third = parts.next();
    let formats = var.formats();
    let mut format = Format::Natural;
    let mut default = None;
    match (second, third) {
        (None, _) => {}
        (Some(s), None) => {
            let t = s.trim();
            match Format::parse(t) {
                Some(f) if formats.contains(&f) => format = f,
                Some(_) => {
                    return Err(Error::config(format!(
                        "{what}: the format '{t}' does not apply to {name}; {}",
                        format_hint(formats)
                    )));
                }
                None if is_word(t) && formats.len() > 2 => {
                    return Err(Error::config(format!(
                        "{what}: unknown format '{t}' for {name}; {}; for a default text write {{{{{name}|{}|{t}}}}}",
                        format_hint(formats),
                        formats.get(1).map_or("url", |f| f.as_str())
                    )));
                }
                None => default = Some(s.to_string()),
            }
        }
        (Some(f), Some(d)) => {
            let t = f.trim();
            match Format::parse(t) {
                Some(fm) if formats.contains(&fm) => format = fm,
                _ => {
                    return Err(Error::config(format!(
                        "{what}: unknown format '{}' for {name}; {}",
                        crate::model::clip(t, 40),
                        format_hint(formats)
                    )));
                }
            }
            default = Some(d.to_string());
        }
    }
    Ok(Placeholder { var, format, default, slot })
}

fn format_hint(formats: &[Format]) -> String {
    let names: Vec<&str> = formats.iter().skip(1).map(|f| f.as_str()).collect();
    format!("its formats are {}", names.join(", "))
}

/// Escape `s` as the content of a JSON string (no quotes). Beyond JSON's
/// rules, `</` is written `<\/` (a body may be embedded in an HTML page) and
/// U+2028 / U+2029 as `\u2028` / `\u2029` (JavaScript string literals).
pub fn escape_json_str(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut prev = '\0';
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '/' if prev == '<' => out.push_str("\\/"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                out.push(HEX[(c as usize >> 4) & 15] as char);
                out.push(HEX[c as usize & 15] as char);
            }
            c => out.push(c),
        }
        prev = c;
    }
}

/// A JSON value as text with the same extra escapes as [`escape_json_str`]
/// (`</` and U+2028/9 only ever occur inside strings, so this is safe).
pub fn json_text(v: &Value) -> String {
    let s = crate::json::to_string(v);
    if s.contains("</") || s.contains('\u{2028}') || s.contains('\u{2029}') {
        s.replace("</", "<\\/").replace('\u{2028}', "\\u2028").replace('\u{2029}', "\\u2029")
    } else {
        s
    }
}

/// Write one placeholder's value into `out`.
pub fn write_value(ph: &Placeholder, val: Val, out: &mut String) {
    let val = match (&ph.default, val.is_empty()) {
        (Some(d), true) => Val::Str(d.clone()),
        (_, _) => val,
    };
    match ph.slot {
        Slot::Text => out.push_str(&val.as_text()),
        Slot::JsonString => escape_json_str(&val.as_text(), out),
        Slot::JsonValue => match val {
            Val::Absent => out.push_str("null"),
            Val::Str(s) => {
                out.push('"');
                escape_json_str(&s, out);
                out.push('"');
            }
            Val::Json(v) => out.push_str(&json_text(&v)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_follow_json_strings() {
        let t = Template::json(r#"{"a":"x {{title}} \"{{type}}\"","n":{{timestamp}},"k\\":"{{message}}"}"#, "body")
            .unwrap();
        let slots: Vec<Slot> = t.placeholders().map(|p| p.slot).collect();
        assert_eq!(slots, [Slot::JsonString, Slot::JsonString, Slot::JsonValue, Slot::JsonString]);
    }

    #[test]
    fn template_errors_say_what_to_fix() {
        let e = Template::json(r#"{"a": "{{title}"}"#, "body").unwrap_err();
        assert!(e.message.contains("not closed"), "{e}");
        let e = Template::json(r#"{"a": {{title}} "b": 1}"#, "body").unwrap_err();
        assert!(e.message.contains("not valid JSON"), "{e}");
        let e = Template::json(r#"{"a": "{{titel}}"}"#, "body").unwrap_err();
        assert!(e.message.contains("titel"), "{e}");
        let e = Template::json(r#"{"a": "{{time|isoo}}"}"#, "body").unwrap_err();
        assert!(e.message.contains("isoo") && e.message.contains("iso, unix, unix_ms"), "{e}");
        let e = Template::json(r#"{"a": "{{title|iso}}"}"#, "body").unwrap_err();
        assert!(e.message.contains("does not apply to title"), "{e}");
        let e = Template::json(r#"{"a": "{{time|bogus|x}}"}"#, "body").unwrap_err();
        assert!(e.message.contains("bogus"), "{e}");
        let e = Template::json(r#"{"a": "{{}}"}"#, "body").unwrap_err();
        assert!(e.message.contains("empty"), "{e}");
        assert_eq!(e.code, crate::ErrorCode::InvalidConfig);
    }

    #[test]
    fn defaults_and_formats_are_told_apart() {
        let t =
            Template::text("{{title|untitled}} {{time|unix}} {{time|iso|never}} {{title|no title yet}}", "h").unwrap();
        let ps: Vec<&Placeholder> = t.placeholders().collect();
        assert_eq!(ps[0].default.as_deref(), Some("untitled"));
        assert_eq!(ps[1].format, Format::Unix);
        assert_eq!((ps[2].format, ps[2].default.as_deref()), (Format::Iso, Some("never")));
        assert_eq!(ps[3].default.as_deref(), Some("no title yet"));
    }

    #[test]
    fn escapes_everything_json_and_html_care_about() {
        let mut s = String::new();
        escape_json_str("a\"b\\c\nd\u{1}</script>\u{2028}中🚀", &mut s);
        assert_eq!(s, r#"a\"b\\c\nd\u0001<\/script>\u2028中🚀"#);
        let back: String = serde_json::from_str(&format!("\"{s}\"")).unwrap();
        assert_eq!(back, "a\"b\\c\nd\u{1}</script>\u{2028}中🚀");
    }
}
