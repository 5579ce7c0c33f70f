//! Escaping plain text for markdown: only what would otherwise read as
//! markup, so ordinary text stays as it is.

/// Writes text into markdown, escaping only what would otherwise become markup:
/// flanking `*` / `_` (not `5 * 3`, not `snake_case`), `~~`, backticks, `[…](`,
/// things that look like HTML tags, block markers at a line start, and, in
/// link text or table cells, brackets or pipes.
pub(crate) fn esc(out: &mut String, s: &str, start: bool, link: bool, cell: bool) {
    // Most text has nothing that could read as markup: copy it whole.
    let b = s.as_bytes();
    let any_special = b.iter().any(|&c| special(c));
    if !(any_special || start && b.first().is_some_and(|&c| in_set(LEADS, c))) {
        out.push_str(s);
        return;
    }
    out.reserve(s.len() + 1);
    // a byte index: what comes before the marker is ASCII (`#`, digits, `|-: `)
    let lead = if start { lead_marker(s) } else { None };
    // only the line's marker can need a backslash (`10.0.12.7` or `2026-11-22` is none)
    if !any_special {
        let (a, rest) = s.split_at(lead.unwrap_or(s.len()).min(s.len()));
        out.push_str(a);
        if lead.is_some() {
            out.push('\\');
        }
        out.push_str(rest);
        return;
    }
    // The walk is over bytes: every character that may be escaped, and every one its rules
    // look at but a neighbour's class, is ASCII, so a byte index stands for its character
    // (a UTF-8 sequence's bytes are all >= 0x80); runs between escapes are copied whole.
    // CommonMark's delimiter-run rules; markup may touch a string's ends, so
    // they count as punctuation (but a line start as whitespace)
    let space = |c: Option<char>| c.is_none_or(char::is_whitespace);
    let punct = |c: Option<char>| c.is_some_and(|c| !c.is_alphanumeric() && !c.is_whitespace());
    // `[` opens a link (or a definition) when its `]` is followed by `(` (`:`),
    // and maybe does when its `]` is not in this string
    // (only where there is a `[`: an empty list says no `[` opens)
    let mut link_opens = if b.contains(&b'[') { vec![false; b.len()] } else { Vec::new() };
    let (mut open, mut marked) = (Vec::new(), Vec::new());
    if !link_opens.is_empty() {
        for (i, &c) in b.iter().enumerate() {
            match c {
                b'[' => open.push(i),
                b']' => {
                    // once its opener is escaped, a `](` would close any outer `[`
                    if matches!(b.get(i + 1), Some(b'(' | b':')) {
                        marked.append(&mut open);
                    } else {
                        open.pop();
                    }
                }
                _ => {}
            }
        }
    }
    for j in open.into_iter().chain(marked) {
        if let Some(m) = link_opens.get_mut(j) {
            *m = true;
        }
    }
    // an index, not an `Option`: compared once per byte (an `Option` compare is a call at
    // opt-level "z")
    let lead = lead.unwrap_or(usize::MAX);
    let tag_end = b.iter().rposition(|&c| c == b'>');
    let semi = b.iter().rposition(|&c| c == b';');
    let tildes = if b.contains(&b'~') { b.iter().filter(|&&c| c == b'~').count() } else { 0 };
    // the source up to `copied` is written
    let mut copied = 0;
    for (i, &c) in b.iter().enumerate() {
        // a character that is never escaped, and not the line's marker: copied with its run
        if i != lead && !special(c) {
            continue;
        }
        let prev = match i.checked_sub(1) {
            Some(j) => match b.get(j) {
                Some(&p) if p.is_ascii() => Some(char::from(p)),
                _ => s.get(..i).and_then(|h| h.chars().next_back()),
            },
            None if start => None,
            None => Some('!'),
        };
        let next = match b.get(i + 1) {
            Some(&n) if n.is_ascii() => Some(char::from(n)),
            _ => s.get(i + 1..).and_then(|t| t.chars().next()),
        }
        .or(Some('!'));
        // flanking, worked out only for the delimiters that need it
        let left = || !space(next) && (!punct(next) || space(prev) || punct(prev));
        let right = || !space(prev) && (!punct(prev) || space(next) || punct(next));
        let escape = i == lead
            || match c {
                b'\\' => next.is_some_and(|n| n.is_ascii_punctuation()),
                b'*' => left() || right(),
                // `snake_case` stays: an intraword `_` neither opens nor closes
                b'_' => (left() && (!right() || punct(prev))) || (right() && (!left() || punct(next))),
                // `version~1.0` stays: a lone `~` has nothing to pair with
                b'~' => (left() || right()) && tildes > 1,
                b'`' => true,
                b'[' => link || matches!(link_opens.get(i), Some(true)),
                b']' => link,
                b'|' => cell,
                // `&amp;` / `&#42;` would be read as a character reference
                b'&' => next.is_some_and(|n| n.is_ascii_alphanumeric() || n == '#') && semi.is_some_and(|e| e > i),
                _ => false,
            };
        if c == b'<'
            && next.is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?'))
            && (tag_end.is_some_and(|e| e > i) || (start && i == 0))
        {
            out.push_str(s.get(copied..i).unwrap_or(""));
            out.push_str("&lt;");
            copied = i + 1;
            continue;
        }
        if escape {
            // the character itself goes with the next run
            out.push_str(s.get(copied..i).unwrap_or(""));
            out.push('\\');
            copied = i;
        }
    }
    out.push_str(s.get(copied..).unwrap_or(""));
}

/// The bytes [`esc`] may escape: `\\ * _ ~ ` [ ] | & <`, one bit each (all ASCII).
const SPECIALS: u128 = bits(b"\\*_~`[]|&<");
/// The bytes a line's block marker may start with: digits and `# > - + * _ = |`.
const LEADS: u128 = bits(b"0123456789#>-+*_=|");

/// A set of ASCII bytes as a mask of 128 bits.
const fn bits(set: &[u8]) -> u128 {
    let mut m = 0u128;
    let mut k = 0;
    while k < set.len() {
        m |= 1 << set[k];
        k += 1;
    }
    m
}

/// Whether `b` is in the set `m` (see [`bits`]): a shift and a test, inlined. The closure with
/// a `matches!` of ten bytes it replaces was a call per byte of every text written (in wasm
/// `esc::{{closure}}` was 1.7–2.3 % of a 10 KB markdown render, besides `esc` itself 2.4–3.5 %).
#[inline(always)]
fn in_set(m: u128, b: u8) -> bool {
    b < 128 && (m >> b) & 1 != 0
}

/// Whether [`esc`] may escape byte `b`.
#[inline(always)]
fn special(b: u8) -> bool {
    in_set(SPECIALS, b)
}

/// Plain text made safe to put into markdown (a title, a card's field, a link's text): only
/// what would read as markup is escaped, line by line, exactly as body text is, so
/// `[WARN] disk_usage` stays as it is and no backslash shows where none is needed.
pub fn escape_text(s: &str, link: bool) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    escape_text_into(&mut out, s, link);
    out
}

/// [`escape_text`] appended to `out`.
pub fn escape_text_into(out: &mut String, s: &str, link: bool) {
    for (k, line) in s.split('\n').enumerate() {
        if k > 0 {
            out.push('\n');
        }
        esc(out, line, true, link, false);
    }
}

/// Where a line starting with `s` would be read as a block marker (heading,
/// quote, list item, rule, setext underline), the byte index of the character to escape
/// (every character before it is ASCII).
pub(crate) fn lead_marker(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let first = *b.first()?;
    // a GFM table's delimiter row (`|---|:--:|`) under a line of text
    let delim_row = b.iter().all(|c| matches!(c, b'|' | b':' | b'-' | b' ')) && b.contains(&b'|');
    if delim_row {
        return b.iter().position(|&c| c == b'-');
    }
    // `n` is after ASCII bytes only, so a character boundary
    let ends_at = |n: usize| s.get(n..).and_then(|t| t.chars().next()).is_none_or(char::is_whitespace);
    // a byte compare: a character other than an ASCII `first` or a space has a byte that is neither
    let all_same = b.iter().all(|&c| c == first || c == b' ');
    match first {
        b'#' => {
            let n = b.iter().take_while(|&&c| c == b'#').count();
            (n <= 6 && ends_at(n)).then_some(0)
        }
        b'>' => Some(0),
        b'-' | b'+' | b'*' if ends_at(1) => Some(0),
        b'-' | b'*' | b'_' | b'=' if all_same => Some(0),
        b'0'..=b'9' => {
            let n = b.iter().take_while(|c| c.is_ascii_digit()).count();
            (n <= 9 && matches!(b.get(n), Some(b'.' | b')')) && ends_at(n + 1)).then_some(n)
        }
        _ => None,
    }
}

/// Tests: the walk over characters [`esc`] replaced (the reference it is compared with).
#[cfg(test)]
pub(crate) mod by_chars {
    pub(crate) fn esc(out: &mut String, s: &str, start: bool, link: bool, cell: bool) {
        // Most text has nothing that could read as markup: copy it whole.
        let special = |b: u8| matches!(b, b'\\' | b'*' | b'_' | b'~' | b'`' | b'[' | b']' | b'|' | b'&' | b'<');
        let lead = |b: u8| b.is_ascii_digit() || matches!(b, b'#' | b'>' | b'-' | b'+' | b'*' | b'_' | b'=' | b'|');
        let any_special = s.bytes().any(special);
        if !(any_special || start && s.bytes().next().is_some_and(lead)) {
            out.push_str(s);
            return;
        }
        out.reserve(s.len() + 1);
        let cs: Vec<char> = s.chars().collect();
        let lead = if start { lead_marker(&cs) } else { None };
        // only the line's marker can need a backslash (`10.0.12.7` or `2026-11-22` is none); what
        // comes before it is ASCII (`#`, digits, `|-: `), so its index is a byte offset
        if !any_special && lead.is_none_or(|i| s.is_char_boundary(i)) {
            let (a, b) = s.split_at(lead.unwrap_or(s.len()).min(s.len()));
            out.push_str(a);
            if lead.is_some() {
                out.push('\\');
            }
            out.push_str(b);
            return;
        }
        // CommonMark's delimiter-run rules; markup may touch a string's ends, so
        // they count as punctuation (but a line start as whitespace)
        let space = |c: Option<&char>| c.is_none_or(|c| c.is_whitespace());
        let punct = |c: Option<&char>| c.is_some_and(|c| !c.is_alphanumeric() && !c.is_whitespace());
        // `[` opens a link (or a definition) when its `]` is followed by `(` (`:`),
        // and maybe does when its `]` is not in this string
        // (only where there is a `[`: an empty list says no `[` opens)
        let mut link_opens = if s.contains('[') { vec![false; cs.len()] } else { Vec::new() };
        let (mut open, mut marked) = (Vec::new(), Vec::new());
        for (i, &c) in cs.iter().enumerate() {
            match c {
                '[' => open.push(i),
                ']' => {
                    // once its opener is escaped, a `](` would close any outer `[`
                    if matches!(cs.get(i + 1), Some('(' | ':')) {
                        marked.append(&mut open);
                    } else {
                        open.pop();
                    }
                }
                _ => {}
            }
        }
        for j in open.into_iter().chain(marked) {
            if let Some(m) = link_opens.get_mut(j) {
                *m = true;
            }
        }
        // an index, not an `Option`: compared once per character (an `Option` compare is a call at
        // opt-level "z")
        let lead = lead.unwrap_or(usize::MAX);
        let tag_end = cs.iter().rposition(|&c| c == '>');
        let semi = cs.iter().rposition(|&c| c == ';');
        let tildes = cs.iter().filter(|&&c| c == '~').count();
        for (i, &c) in cs.iter().enumerate() {
            // a character that is never escaped, and not the line's marker: its neighbours do not matter
            if i != lead && !matches!(c, '\\' | '*' | '_' | '~' | '`' | '[' | ']' | '|' | '&' | '<') {
                out.push(c);
                continue;
            }
            let prev = match i.checked_sub(1) {
                Some(j) => cs.get(j),
                None if start => None,
                None => Some(&'!'),
            };
            let next = cs.get(i + 1).or(Some(&'!'));
            // flanking, worked out only for the delimiters that need it
            let left = || !space(next) && (!punct(next) || space(prev) || punct(prev));
            let right = || !space(prev) && (!punct(prev) || space(next) || punct(next));
            let escape = i == lead
                || match c {
                    '\\' => next.is_some_and(char::is_ascii_punctuation),
                    '*' => left() || right(),
                    // `snake_case` stays: an intraword `_` neither opens nor closes
                    '_' => (left() && (!right() || punct(prev))) || (right() && (!left() || punct(next))),
                    // `version~1.0` stays: a lone `~` has nothing to pair with
                    '~' => (left() || right()) && tildes > 1,
                    '`' => true,
                    '[' => link || matches!(link_opens.get(i), Some(true)),
                    ']' => link,
                    '|' => cell,
                    // `&amp;` / `&#42;` would be read as a character reference
                    '&' => next.is_some_and(|n| n.is_ascii_alphanumeric() || *n == '#') && semi.is_some_and(|e| e > i),
                    _ => false,
                };
            if c == '<'
                && next.is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?'))
                && (tag_end.is_some_and(|e| e > i) || (start && i == 0))
            {
                out.push_str("&lt;");
                continue;
            }
            if escape {
                out.push('\\');
            }
            out.push(c);
        }
    }

    /// Where a line starting with `cs` would be read as a block marker (heading,
    /// quote, list item, rule, setext underline), the index of the character to escape.
    pub(crate) fn lead_marker(cs: &[char]) -> Option<usize> {
        let first = *cs.first()?;
        // a GFM table's delimiter row (`|---|:--:|`) under a line of text
        let delim_row = cs.iter().all(|c| matches!(c, '|' | ':' | '-' | ' ')) && cs.contains(&'|');
        if delim_row {
            return cs.iter().position(|&c| c == '-');
        }
        let ends_at = |n: usize| cs.get(n).is_none_or(|c| c.is_whitespace());
        let all_same = cs.iter().all(|&c| c == first || c == ' ');
        match first {
            '#' => {
                let n = cs.iter().take_while(|&&c| c == '#').count();
                (n <= 6 && ends_at(n)).then_some(0)
            }
            '>' => Some(0),
            '-' | '+' | '*' if ends_at(1) => Some(0),
            '-' | '*' | '_' | '=' if all_same => Some(0),
            '0'..='9' => {
                let n = cs.iter().take_while(|c| c.is_ascii_digit()).count();
                (n <= 9 && matches!(cs.get(n), Some('.' | ')')) && ends_at(n + 1)).then_some(n)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    /// Text made of what the escape rules look at: every special character, the line markers,
    /// ASCII and Unicode letters, spaces and punctuation, multi-byte neighbours.
    fn text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            proptest::sample::select(vec![
                "\\", "*", "_", "~", "`", "[", "]", "|", "&", "<", ">", ";", "(", ":", "#", "-", "+", "=", ".", ")",
                "!", "/", "?", " ", "\t", "a", "Z", "7", "0", "é", "中", "\u{3000}", "\u{a0}", "😀", "，", "«",
            ]),
            0..24,
        )
        .prop_map(|v| v.concat())
    }

    /// The bit sets hold the bytes the `matches!` they replaced named, and no other.
    #[test]
    fn byte_sets_are_the_matches_they_replace() {
        for b in 0..=255u8 {
            let special = matches!(b, b'\\' | b'*' | b'_' | b'~' | b'`' | b'[' | b']' | b'|' | b'&' | b'<');
            let lead = b.is_ascii_digit() || matches!(b, b'#' | b'>' | b'-' | b'+' | b'*' | b'_' | b'=' | b'|');
            assert_eq!(super::special(b), special, "{b:#x}");
            assert_eq!(super::in_set(super::LEADS, b), lead, "{b:#x}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        /// The byte walk writes what the walk over characters wrote, for any text and flags.
        #[test]
        fn byte_walk_escapes_as_the_char_walk(s in text(), start: bool, link: bool, cell: bool) {
            let (mut a, mut b) = (String::from("x"), String::from("x"));
            super::esc(&mut a, &s, start, link, cell);
            super::by_chars::esc(&mut b, &s, start, link, cell);
            prop_assert_eq!(&a, &b, "{:?} start {} link {} cell {}", s, start, link, cell);
            let cs: Vec<char> = s.chars().collect();
            let want = super::by_chars::lead_marker(&cs).map(|k| cs[..k].iter().map(|c| c.len_utf8()).sum::<usize>());
            prop_assert_eq!(super::lead_marker(&s), want, "{:?}", s);
        }
    }
}
