//! WeCom AI-bot messages (the decrypted JSON of a callback) and the replies built for them.
//!
//! Oracles: `parse` gives a typed value or a `bad_body` / `unknown_type` refusal; an accepted
//! callback shows as a JS value with its msgid and sender; a passive reply is checked without
//! a panic; a markdown cut (response_url and stream replies) is a prefix of the text within
//! the byte limit that does not end inside a `<@mention>`; the response_url answer classifier
//! takes any status and body.
#![no_main]

#[path = "inbound_common.rs"]
mod inbound_common;

use inbound_common::*;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use webhook_push::inbound::Reason;
use webhook_push::inbound::wecom;

fn check_cut(s: &str, max: usize) {
    let cut = wecom::cut_markdown(s, max);
    if s.len() <= max {
        assert_eq!(cut, s);
        return;
    }
    assert!(cut.len() <= max, "cut to {} bytes > {max}", cut.len());
    assert!(s.starts_with(&cut), "the cut is not a prefix");
    // no `<@userid>` mention (an id without spaces or angle brackets) spans the cut
    let mut from = 0;
    while let Some(i) = s[from..].find("<@") {
        let open = from + i;
        let id_end = s[open + 2..].find(|c: char| c == '>' || c == '<' || c.is_whitespace()).map(|j| open + 2 + j);
        if let Some(close) = id_end.filter(|&j| s.as_bytes()[j] == b'>') {
            assert!(!(open < cut.len() && cut.len() <= close), "the mention {:?} was cut", &s[open..=close]);
        }
        from = open + 2;
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else { return };
    let s = String::from_utf8_lossy(rest);
    match wecom::parse(&s) {
        Ok(cb) => {
            let v = cb.to_value();
            assert_eq!(v["platform"], "wecom");
            assert_eq!(v["id"].as_str(), Some(cb.id()));
            assert!(v["sender"].is_object());
            assert!(v["type"].is_string());
            let replies = [
                wecom::stream_reply("s", &s, sel & 1 == 1, &[("aGk=".into(), "md5".into())], Some("f")),
                wecom::markdown_reply(&s, None),
                serde_json::json!({"msgtype": "text", "text": {"content": "hi"}}),
                serde_json::json!({"response_type": "update_template_card", "template_card": {}}),
                Value::Null,
            ];
            for r in &replies {
                if let Err(e) = wecom::check_passive_reply(&cb, r) {
                    check_rejection(&e, &[Reason::BadReply], &[], &[]);
                }
            }
        }
        Err(e) => check_rejection(&e, &[Reason::BadBody, Reason::UnknownType], &[], &[&s]),
    }
    // replies are bounded, and cut where the platform would not break a link or a mention
    let max = usize::from(sel) * 3;
    check_cut(&s, max);
    for r in [wecom::markdown_reply(&s, Some("f")), wecom::stream_reply("s", &s, true, &[], None)] {
        let body = r.get("markdown").or(r.get("stream")).unwrap();
        let c = body["content"].as_str().unwrap();
        assert!(c.len() <= wecom::CONTENT_LIMIT);
        assert!(s.starts_with(c));
    }
    let status = u16::from(sel) * 3;
    let _ = wecom::classify_response(status, &s);
});
