//! Link reference definitions after a cut: the lines of the rest of a source
//! that may define one, found without parsing it (see `super::bound`, which
//! parses a prefix, and `super::parse::parse_with`, which reads these lines the
//! first time a reference is not defined in the prefix).

/// The lines of `rest` that may define a link reference, each with up to two
/// lines after it (a destination or title may follow on its own line), as a
/// small document of their own: a line whose text (after indentation, quote
/// markers and one list marker) starts with `[` and has `]:`, after a blank
/// line, a heading or another such line (a definition cannot interrupt a
/// paragraph). One pass over the bytes.
pub(crate) fn later_defs(rest: &str) -> String {
    let mut out = String::new();
    // every candidate has a `]:`: none in the rest (no `:` is one `memchr`), no line to look at
    if !rest.as_bytes().contains(&b':') || !rest.contains("]:") {
        return out;
    }
    let mut prev_ok = true;
    let b = rest.as_bytes();
    let mut i = 0;
    // by bytes, one line at a time (a `split` and `str` trims per line cost ~100 ns a line: 60 ms
    // natively for 1 MiB of `a\n`); every test below is the one of the `str` form
    while i <= b.len() {
        let end = line_end(b, i);
        let line = &rest[i..end];
        i = end + 1;
        // a line starting with no marker is its own text (no call for the markers)
        let t = match line.as_bytes().first() {
            Some(c) if c.is_ascii_graphic() && !matches!(c, b'>' | b'-' | b'*' | b'+' | b'0'..=b'9') => line,
            _ => strip_markers(line),
        };
        // the common line: its text starts with a visible ASCII character that is neither `#`
        // nor, after a line that allows one, the `[` of a definition: not blank, not a heading,
        // no candidate
        if let Some(&c) = t.as_bytes().first() {
            if c.is_ascii_graphic() && c != b'#' && (c != b'[' || !prev_ok) {
                prev_ok = false;
                continue;
            }
        }
        let cand = prev_ok && t.starts_with('[') && t.contains("]:");
        let blank = t.trim().is_empty();
        prev_ok = blank || cand || t.starts_with('#');
        if !cand {
            continue;
        }
        out.push_str(line);
        out.push('\n');
        for _ in 0..2 {
            if i > b.len() {
                break;
            }
            let e = line_end(b, i);
            let next = &rest[i..e];
            if next.trim().is_empty() || strip_markers(next).starts_with('[') {
                break;
            }
            out.push_str(next);
            out.push('\n');
            i = e + 1;
        }
        out.push('\n');
    }
    out
}

/// The end of the line starting at `i` (its `\n`, or the end of `b`).
fn line_end(b: &[u8], i: usize) -> usize {
    b.get(i..).and_then(|r| r.iter().position(|&c| c == b'\n')).map_or(b.len(), |k| i + k)
}

/// A line without its indentation, quote markers and one list marker (all ASCII: by bytes).
fn strip_markers(line: &str) -> &str {
    let b = line.as_bytes();
    let mut k = b.iter().position(|c| !matches!(c, b' ' | b'\t' | b'>')).unwrap_or(b.len());
    match b.get(k) {
        Some(b'-' | b'*' | b'+') => k += 1,
        _ => {
            let digits = b[k..].iter().take(9).take_while(|c| c.is_ascii_digit()).count();
            if digits > 0 && matches!(b.get(k + digits), Some(b'.' | b')')) {
                k += digits + 1;
            }
        }
    }
    k += b[k..].iter().take_while(|c| matches!(c, b' ' | b'\t')).count();
    line.get(k..).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `str` form the byte scan replaced (one `split` and `str` trims per line).
    fn later_defs_by_str(rest: &str) -> String {
        fn strip(line: &str) -> &str {
            let t = line.trim_start_matches([' ', '\t', '>']);
            let t = t.strip_prefix(['-', '*', '+']).unwrap_or_else(|| {
                let digits = t.bytes().take(9).take_while(u8::is_ascii_digit).count();
                match t.get(digits..) {
                    Some(r) if digits > 0 && (r.starts_with('.') || r.starts_with(')')) => &r[1..],
                    _ => t,
                }
            });
            t.trim_start_matches([' ', '\t'])
        }
        let mut out = String::new();
        let mut prev_ok = true;
        let mut lines = rest.split('\n').peekable();
        while let Some(line) = lines.next() {
            let t = strip(line);
            let cand = prev_ok && t.starts_with('[') && t.contains("]:");
            prev_ok = t.trim().is_empty() || cand || t.starts_with('#');
            if !cand {
                continue;
            }
            out.push_str(line);
            out.push('\n');
            for _ in 0..2 {
                match lines.peek() {
                    Some(next) if !next.trim().is_empty() && !strip(next).starts_with('[') => {
                        out.push_str(next);
                        out.push('\n');
                        lines.next();
                    }
                    _ => break,
                }
            }
            out.push('\n');
        }
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// The byte scan finds the lines the `str` form found, whatever the lines hold.
        #[test]
        fn later_definitions_by_bytes_are_those_by_str(s in "([\\[\\]:#>*+\\-0-9. \t\r\n a\u{3000}\u{a0}中]|\\[a\\]: /x|\n\n|1\\) |12345678901\\.){0,60}") {
            proptest::prop_assert_eq!(later_defs(&s), later_defs_by_str(&s));
        }
    }

    #[test]
    fn later_definitions_are_found_and_prose_is_not() {
        let rest = "text\n[not]: a paragraph line\n\n[a]: https://e.com/a\n> [b]:\n> https://e.com/b\n- [c]: /c \"t\"\n\nx [d]: no";
        let d = later_defs(rest);
        assert!(d.contains("[a]: https://e.com/a") && d.contains("> https://e.com/b") && d.contains("- [c]"), "{d}");
        assert!(!d.contains("[not]") && !d.contains("[d]"), "{d}");
    }
}
