//! `UniCase<S>`: a string compared and hashed with ASCII case folding.
//!
//! pulldown-cmark uses `unicase::UniCase` for one thing: matching reference-link and footnote
//! labels case-insensitively (`[Foo]` finds `[foo]: https://…`). The real crate folds the whole
//! of Unicode with tables that cost the wasm ~9 KB; this one folds ASCII letters only, so labels
//! that differ only in the case of a non-ASCII letter (`[Ä]` / `[ä]`) do not match. Chinese,
//! Japanese and Korean have no letter case, so for this package's messages the two agree.
#![no_std]
#![forbid(unsafe_code)]

use core::cmp::Ordering;
use core::fmt;
use core::hash::{Hash, Hasher};
use core::ops::{Deref, DerefMut};

/// A string that compares and hashes ignoring the case of ASCII letters.
#[derive(Clone, Copy, Default)]
pub struct UniCase<S>(S);

impl<S: AsRef<str>> UniCase<S> {
    /// Wraps a string.
    pub fn new(s: S) -> Self {
        UniCase(s)
    }
    /// Wraps a string (all strings are folded the same way here).
    pub const fn unicode(s: S) -> Self {
        UniCase(s)
    }
    /// Wraps a string (all strings are folded the same way here).
    pub const fn ascii(s: S) -> Self {
        UniCase(s)
    }
    /// The wrapped string.
    pub fn into_inner(self) -> S {
        self.0
    }
    /// Whether the string is ASCII.
    pub fn is_ascii(&self) -> bool {
        self.0.as_ref().is_ascii()
    }
}

impl<S> Deref for UniCase<S> {
    type Target = S;
    fn deref(&self) -> &S {
        &self.0
    }
}

impl<S> DerefMut for UniCase<S> {
    fn deref_mut(&mut self) -> &mut S {
        &mut self.0
    }
}

impl<S: AsRef<str>> AsRef<str> for UniCase<S> {
    fn as_ref(&self) -> &str {
        self.0.as_ref()
    }
}

impl<S: AsRef<str>> From<S> for UniCase<S> {
    fn from(s: S) -> Self {
        UniCase(s)
    }
}

impl<S: AsRef<str>, T: AsRef<str>> PartialEq<UniCase<T>> for UniCase<S> {
    fn eq(&self, other: &UniCase<T>) -> bool {
        self.0.as_ref().eq_ignore_ascii_case(other.0.as_ref())
    }
}

impl<S: AsRef<str>> Eq for UniCase<S> {}

impl<S: AsRef<str>> Hash for UniCase<S> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        let s = self.0.as_ref();
        for b in s.bytes() {
            h.write_u8(b.to_ascii_lowercase());
        }
        // the same terminator `str`'s Hash writes, so "ab" + "c" and "a" + "bc" differ in a tuple
        h.write_u8(0xff);
    }
}

impl<S: AsRef<str>> PartialOrd for UniCase<S> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<S: AsRef<str>> Ord for UniCase<S> {
    fn cmp(&self, other: &Self) -> Ordering {
        let a = self.0.as_ref().bytes().map(|b| b.to_ascii_lowercase());
        let b = other.0.as_ref().bytes().map(|b| b.to_ascii_lowercase());
        a.cmp(b)
    }
}

impl<S: fmt::Debug> fmt::Debug for UniCase<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<S: fmt::Display> fmt::Display for UniCase<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

// Tested from the main crate (tests/link_labels.rs, a dev-dependency on `unicase` that the
// [patch] resolves to this crate), so that `cargo test` at the root runs the tests.
