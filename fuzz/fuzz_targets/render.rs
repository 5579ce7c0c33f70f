//! Every renderer x overflow mode, with and without a signature. The first byte picks the
//! platform and options, the second the shape; the rest is either a whole message (JSON) or
//! the text of a text / markdown message, so the cut logic sees arbitrary text.
//! Oracles: signed bodies within the platform's limits, one part unless splitting, only typed
//! errors, and under `split` no text lost and no short link or mention cut in two.
#![no_main]
#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use serde_json::json;
use webhook_push::limits::Overflow;
use webhook_push::model::UnifiedMessage;
use webhook_push::target::Platform;

/// Short `[label](url)` links and `<@id>` mentions in `s` (what a cut must keep whole), but
/// those that cross another one (`[a](b[c)](d)`: a cut between their starts and ends breaks
/// one of them, so a long run of them cannot all stay whole). One inside another stays.
fn tokens(s: &str) -> Vec<&str> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    for (i, &c) in b.iter().enumerate() {
        if c == b'[' {
            let rest = &s[i..];
            if let Some(mid) = rest.find("](") {
                let label = &rest[1..mid];
                if label.len() <= 40 && !label.contains(['[', ']', '\n']) {
                    if let Some(end) = rest[mid + 2..].find(')') {
                        let url = &rest[mid + 2..mid + 2 + end];
                        if !url.is_empty() && url.len() <= 80 && !url.contains(|c: char| c.is_whitespace() || c == '(') {
                            out.push((i, i + mid + 3 + end));
                        }
                    }
                }
            }
        } else if c == b'<' && s[i..].starts_with("<@") {
            if let Some(end) = s[i..].find('>') {
                let id = &s[i + 2..i + end];
                if !id.is_empty() && id.len() <= 40 && !id.contains(|c: char| c.is_whitespace() || c == '<') {
                    out.push((i, i + end + 1));
                }
            }
        }
    }
    // sorted by start, each at most 124 bytes long: a later one that starts inside this one
    // and ends after it crosses it
    let mut crossed = vec![false; out.len()];
    for k in 0..out.len() {
        let (_, end) = out[k];
        for j in k + 1..out.len() {
            if out[j].0 >= end {
                break;
            }
            if out[j].1 > end {
                crossed[j] = true;
                crossed[k] = true;
            }
        }
    }
    out.iter().zip(crossed).filter(|(_, c)| !c).map(|(&(a, b), _)| &s[a..b]).collect()
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let (sel, shape, rest) = (data[0], data[1], &data[2..]);
    let Ok(s) = std::str::from_utf8(rest) else { return };
    let p = common::platform(sel);
    let opts = common::options(sel / 4, p);
    let msg = match shape % 3 {
        0 => match UnifiedMessage::from_json(s) {
            Ok(m) => m,
            Err(_) => return,
        },
        1 => match UnifiedMessage::from_value(&json!({"content": {"type": "text", "body": {"text": s}}})) {
            Ok(m) => m,
            Err(_) => return,
        },
        _ => match UnifiedMessage::from_value(&json!({"content": {"type": "markdown", "title": "T", "body": {"content": s}}})) {
            Ok(m) => m,
            Err(_) => return,
        },
    };
    let Some(r) = common::render_checked(&msg, p, &opts) else { return };
    // text under split: every character arrives, links and mentions whole
    if shape % 3 == 1 && opts.overflow == Overflow::Split && !r.degraded.iter().any(|d| d.to == "truncated") {
        let n = r.payloads.len();
        let mut parts = Vec::new();
        for (i, pl) in r.payloads.iter().enumerate() {
            let c = match p {
                Platform::Wecom | Platform::DingTalk => pl["text"]["content"].as_str(),
                Platform::Feishu | Platform::Lark => pl["content"]["text"].as_str(),
                _ => None,
            };
            let Some(c) = c else { return };
            let c = if n > 1 { c.strip_suffix(&format!("({}/{n})", i + 1)).unwrap_or(c) } else { c };
            parts.push(c.to_string());
        }
        assert_eq!(common::strip(&parts.concat()), common::strip(s), "text lost or changed under split");
        if n > 1 {
            for t in tokens(s) {
                assert!(parts.iter().any(|p| p.contains(t)), "{t:?} was cut across parts");
            }
        }
    }
});
