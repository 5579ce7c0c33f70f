//! What goes out in a result, scrubbed: the webhook URL, its credential,
//! the secret and every signature made, in each encoding they may be echoed
//! in (a platform's or a runtime's error may quote them).

use crate::platform::Platform;
use crate::target::{self, WebhookUrl};

/// Everything that could carry a credential out, replaced.
pub(super) struct Scrub<'a> {
    pub url: &'a str,
    pub secret: Option<&'a str>,
    /// Signatures computed for this send (base64), scrubbed in every encoding.
    pub signatures: &'a [String],
}

/// The forms a value may take once echoed: as is, JSON-escaped, percent-encoded
/// once or twice (upper and lower case hex).
fn encodings(v: &str) -> Vec<String> {
    let once = crate::sign::encode_query_value(v);
    let twice = crate::sign::encode_query_value(&once);
    let mut out = vec![v.to_string(), v.replace('/', "\\/"), once.clone(), twice.clone()];
    for e in [once, twice] {
        let lower = lower_hex(&e);
        if lower != e {
            out.push(lower);
        }
    }
    // longest first, so a shorter form never leaves part of a longer one
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out.dedup();
    out
}

/// `%2B` -> `%2b`.
fn lower_hex(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut after = 0;
    for c in s.chars() {
        if after > 0 {
            out.push(c.to_ascii_lowercase());
            after -= 1;
        } else {
            out.push(c);
            if c == '%' {
                after = 2;
            }
        }
    }
    out
}

impl Scrub<'_> {
    pub fn text(&self, s: &str) -> String {
        let mut out = s.to_string();
        for sig in self.signatures.iter().filter(|g| g.len() >= 8) {
            for form in encodings(sig) {
                out = out.replace(&form, "***");
            }
        }
        out = out.replace(self.url, &target::redact_url(self.url));
        if let Ok(u) = WebhookUrl::parse(self.url) {
            // wherever a platform puts its credential
            let cred = Platform::ALL.into_iter().find_map(|p| u.credential(p));
            if let Some(c) = cred.filter(|c| c.len() >= 4) {
                for form in encodings(c) {
                    out = out.replace(&form, "***");
                }
            }
        }
        if let Some(sec) = self.secret.filter(|s| s.len() >= 4) {
            for form in encodings(sec) {
                out = out.replace(&form, "***");
            }
        }
        // the signed URL (DingTalk's timestamp and sign) is not the one known here
        target::redact_text(&out)
    }
}
