//! A service URL's message options applied to the message sent with it: the
//! mentions it names (Apprise's phone targets, shoutrrr's lists), its title,
//! `format=markdown`, shoutrrr Lark's link and shoutrrr DingTalk's keyword
//! (appended when the message lacks it: the bot refuses a message without
//! it). The message's own fields win: a title it has is kept, its mentions
//! come first. `overflow=` is a render option ([`super::ServiceTarget::overflow`]).

use serde_json::{Map, Value};

use super::{ServiceTarget, UrlMention};

impl ServiceTarget {
    /// Does the URL say anything about the message?
    pub fn has_message_options(&self) -> bool {
        !self.mentions.is_empty()
            || self.title.is_some()
            || self.keyword.is_some()
            || self.link.is_some()
            || self.format == Some("markdown")
    }

    /// Apply the URL's message options to a message in its JSON form (as
    /// given, before it is checked). A message without a `content` object is
    /// left as it is (checking it says what is wrong).
    pub fn apply_to_message(&self, msg: &mut Value) {
        let Some(c) = msg.get_mut("content").and_then(Value::as_object_mut) else { return };
        if self.format == Some("markdown") {
            as_markdown(c);
        }
        if !self.mentions.is_empty() {
            let mut all = match c.remove("mentions") {
                Some(Value::Array(a)) => a,
                None | Some(Value::Null) => Vec::new(),
                // not a list: left for the check to refuse
                Some(other) => {
                    c.insert("mentions".into(), other);
                    return;
                }
            };
            all.extend(self.mentions.iter().map(|m| match m {
                UrlMention::Mobile(v) => serde_json::json!({"type": "mobile", "value": v}),
                UrlMention::UserId(v) => serde_json::json!({"type": "user_id", "value": v}),
                UrlMention::All => serde_json::json!({"type": "all"}),
            }));
            c.insert("mentions".into(), Value::Array(all));
        }
        if let Some(t) = &self.title {
            if !c.contains_key("title") {
                c.insert("title".into(), Value::String(t.clone()));
            }
        }
        if let Some(l) = &self.link {
            add_line(c, l);
        }
        if let Some(k) = &self.keyword {
            if !crate::json::to_string(&Value::Object(c.clone())).contains(k.as_str()) {
                add_line(c, k);
            }
        }
    }
}

/// `format=markdown`: a text message's text is markdown.
fn as_markdown(c: &mut Map<String, Value>) {
    if c.get("type").and_then(Value::as_str) != Some("text") {
        return;
    }
    let Some(Value::Object(body)) = c.get("body") else { return };
    let Some(Value::String(text)) = body.get("text") else { return };
    if body.len() != 1 {
        return;
    }
    let body = serde_json::json!({ "content": text });
    c.insert("type".into(), Value::String("markdown".into()));
    c.insert("body".into(), body);
}

/// A line added to a text or markdown body (other types have no free text to add to).
fn add_line(c: &mut Map<String, Value>, line: &str) {
    let (field, sep) = match c.get("type").and_then(Value::as_str) {
        Some("text") => ("text", "\n"),
        Some("markdown") => ("content", "\n\n"),
        _ => return,
    };
    if let Some(Value::String(s)) = c.get_mut("body").and_then(|b| b.get_mut(field)) {
        s.push_str(sep);
        s.push_str(line);
    }
}

/// A message (JSON text, as given) with `st`'s message options applied; the
/// text as it was when there are none, or when it is not JSON (checking it
/// says so).
pub fn message_with(json: &str, st: Option<&ServiceTarget>) -> String {
    let Some(st) = st.filter(|s| s.has_message_options()) else { return json.to_string() };
    let Ok(mut v) = crate::json::parse(&crate::model::replace_lone_surrogates(json)) else {
        return json.to_string();
    };
    st.apply_to_message(&mut v);
    crate::json::to_string(&v)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::resolve;
    use super::*;
    use crate::model::UnifiedMessage;
    use crate::render::{RenderOptions, render};
    use crate::target::Platform;

    fn applied(url: &str, msg: Value) -> Value {
        let st = resolve(url, None).unwrap();
        serde_json::from_str(&message_with(&msg.to_string(), Some(&st))).unwrap()
    }

    fn rendered(url: &str, p: Platform, msg: Value) -> Value {
        let st = resolve(url, None).unwrap();
        let m = UnifiedMessage::from_json(&message_with(&msg.to_string(), Some(&st))).unwrap();
        let r = render(&m, p, &RenderOptions::default()).unwrap();
        r.payloads[0].to_value()
    }

    #[test]
    fn a_shoutrrr_dingtalk_keyword_is_in_what_is_sent() {
        let text = json!({"content": {"type": "text", "body": {"text": "disk full"}}});
        let p = rendered("dingding://TOKEN0123456789?keyword=KW1", Platform::DingTalk, text.clone());
        assert_eq!(p["text"]["content"], "disk full\nKW1");
        // already there: not added again
        let has = json!({"content": {"type": "text", "body": {"text": "KW1: disk full"}}});
        assert_eq!(applied("dingding://TOKEN0123456789?keyword=KW1", has)["content"]["body"]["text"], "KW1: disk full");
        let md = json!({"content": {"type": "markdown", "title": "t", "body": {"content": "**disk** full"}}});
        let p = rendered("dingding://TOKEN0123456789?keyword=KW1", Platform::DingTalk, md);
        assert!(p["markdown"]["text"].as_str().unwrap().ends_with("\n\nKW1"), "{p}");
    }

    #[test]
    fn apprise_phone_numbers_become_mentions() {
        let text = json!({"content": {"type": "text", "body": {"text": "on call"}, "mentions": [{"type": "all"}]}});
        let m = applied("dingtalk://SEC0123@TOKEN0123456789/13800000000/13900000000", text.clone());
        assert_eq!(
            m["content"]["mentions"],
            json!([{"type": "all"}, {"type": "mobile", "value": "13800000000"}, {"type": "mobile", "value": "13900000000"}])
        );
        let p = rendered("dingtalk://SEC0123@TOKEN0123456789/13800000000", Platform::DingTalk, text);
        assert_eq!(p["at"]["atMobiles"], json!(["13800000000"]), "{p}");
        // shoutrrr WeCom lists
        let plain = json!({"content": {"type": "text", "body": {"text": "x"}}});
        let p = rendered(
            "wecom://KEY_0123456789?mentioned_list=alice&mentioned_mobile_list=13800000000",
            Platform::Wecom,
            plain,
        );
        assert_eq!(p["text"]["mentioned_list"], json!(["alice"]), "{p}");
        assert_eq!(p["text"]["mentioned_mobile_list"], json!(["13800000000"]), "{p}");
    }

    #[test]
    fn title_link_and_format() {
        let text = json!({"content": {"type": "text", "body": {"text": "body"}}});
        let m = applied("lark://open.larksuite.com/tok-12345678?title=Hi&link=https%3A%2F%2Fe.com%2Fx", text.clone());
        assert_eq!(m["content"]["title"], "Hi");
        assert_eq!(m["content"]["body"]["text"], "body\nhttps://e.com/x");
        // the message's own title wins
        let titled = json!({"content": {"type": "text", "title": "Mine", "body": {"text": "b"}}});
        assert_eq!(applied("lark://open.larksuite.com/tok-12345678?title=Hi", titled)["content"]["title"], "Mine");
        // format=markdown: a text message is markdown
        let m = applied("dingtalk://TOKEN0123456789/?format=markdown", text.clone());
        assert_eq!(m["content"], json!({"type": "markdown", "body": {"content": "body"}}));
        // nothing to apply: the text as given, byte for byte
        let raw = r#"{"content":{"type":"text","body":{"text":"é"}}}"#;
        let st = resolve("dingtalk://TOKEN0123456789/", None).unwrap();
        assert_eq!(message_with(raw, Some(&st)), raw);
        // not JSON, or no content: left for the check to refuse
        let st = resolve("dingding://TOKEN0123456789?keyword=KW1", None).unwrap();
        assert_eq!(message_with("{not json", Some(&st)), "{not json");
        assert_eq!(applied("dingding://TOKEN0123456789?keyword=KW1", json!({"x": 1})), json!({"x": 1}));
        assert_eq!(
            applied("dingtalk://TOKEN0123456789/13800000000", json!({"content": {"type": "text", "mentions": 3}}))["content"]
                ["mentions"],
            3
        );
    }
}
