//! Regressions from the code review of the renderers: each test reproduced a bug (split
//! explosions from mentions, payloads over a limit, lost card content, injection through a
//! display name, a signature in a URL fragment, a key echoed in an error) and now guards its fix.

use serde_json::{Value, json};
use webhook_push::model::UnifiedMessage;
use webhook_push::render::{RenderOptions, render};
use webhook_push::target::Platform;

fn r(v: Value, p: Platform) -> webhook_push::Result<webhook_push::render::Rendered> {
    render(&UnifiedMessage::from_value(&v)?, p, &RenderOptions::default())
}

fn len(v: &webhook_push::payload::Payload) -> usize {
    serde_json::to_string(&v.to_value()).unwrap().len()
}

/// WeCom markdown: mention tail eats the room; split then cuts every character
/// into its own message and the first message is still over 4096 bytes.
#[test]
fn wecom_markdown_many_mentions_explodes_split() {
    let mentions: Vec<Value> = (0..256).map(|i| json!({"type": "user_id", "value": format!("user_{i:012}")})).collect();
    let body = "Deploy report. ".repeat(60); // ~900 bytes
    let m = json!({"content": {"type": "markdown", "body": {"content": body}, "mentions": mentions}});
    // 256 mentions take more than the whole markdown limit: refused, not cut into crumbs
    let e = r(m.clone(), Platform::Wecom).unwrap_err();
    assert_eq!((e.code, e.path.as_deref()), (webhook_push::ErrorCode::InvalidMessage, Some("content.mentions")));
    // a few mentions and a long body: a handful of parts, each within the limit
    let mut few = m;
    few["content"]["mentions"] = json!([{"type": "user_id", "value": "zhangsan"}]);
    few["content"]["body"]["content"] = json!("Deploy report. ".repeat(2000));
    let out = r(few, Platform::Wecom).unwrap();
    assert!(out.payloads.len() <= 20);
    for p in &out.payloads {
        assert!(p["markdown"]["content"].as_str().unwrap().len() <= 4096);
    }
}

/// DingTalk text: a long mention value eats the room the same way.
#[test]
fn dingtalk_text_huge_mention_explodes_split() {
    let m = json!({"content": {"type": "text", "body": {"text": "hello world ".repeat(100)},
        "mentions": [{"type": "user_id", "value": "u".repeat(21000)}]}});
    let e = r(m, Platform::DingTalk).unwrap_err();
    assert_eq!(e.path.as_deref(), Some("content.mentions"));
}

/// DingTalk link / feedCard: no body limit check at all.
#[test]
fn dingtalk_link_and_feedcard_over_body_limit() {
    let m = json!({"content": {"type": "link", "body": {"title": "t", "text": "x".repeat(25_000), "url": "https://e.com"}}});
    let out = r(m, Platform::DingTalk).unwrap();
    let l = len(&out.payloads[0]);
    eprintln!("link body = {l}");
    let links: Vec<Value> = (0..64)
        .map(|i| json!({"title": format!("{i} {}", "标题".repeat(60)), "url": "https://e.com/x", "image_url": "https://e.com/p.png"}))
        .collect();
    let f = json!({"content": {"type": "feed", "body": {"links": links}}});
    let out2 = r(f, Platform::DingTalk).unwrap();
    let l2 = len(&out2.payloads[0]);
    eprintln!("feedCard body = {l2}, degraded = {:?}", out2.degraded);
    assert!(l <= 20000 && l2 <= 20000, "link {l} / feedCard {l2} bytes > 20000, no error and no split");
}

/// Feishu card JSON 2.0 (schema "2.0", body.elements): the body is dropped silently.
#[test]
fn feishu_card_v2_body_is_dropped() {
    let m = json!({"content": {"type": "card", "body": {"card_type": "interactive", "schema": "2.0",
        "header": {"title": {"tag": "plain_text", "content": "Alert"}},
        "body": {"elements": [{"tag": "markdown", "content": "**CPU 95%** on web-1"}]}}}});
    let out = r(m, Platform::Feishu).unwrap();
    let s = out.payloads[0].to_string();
    eprintln!("{s}");
    assert!(s.contains("CPU 95%"), "card 2.0 body lost; degraded = {:?}", out.degraded);
}

/// Feishu native card: a seed-style `{type: action, actions: [{text, url}]}` element
/// passes through as an action whose buttons have no tag and a string text.
#[test]
fn feishu_seed_style_action_element_is_malformed() {
    let m = json!({"content": {"type": "card", "body": {"card_type": "interactive", "title": "T",
        "elements": [{"type": "div", "text": "x"}, {"type": "action", "actions": [{"text": "Open", "url": "https://e.com"}]}]}}});
    let out = r(m, Platform::Feishu).unwrap();
    let els = &out.payloads[0]["card"]["elements"];
    eprintln!("{els}");
    let btn = &els[1]["actions"][0];
    assert_eq!(btn["tag"], "button", "button element not normalised: {btn}");
}

/// WeCom news_notice has no sub_title_text / emphasis_content (WeCom docs): a neutral
/// card with an image becomes news_notice and its text is silently dropped by WeCom.
#[test]
fn wecom_neutral_card_with_image_puts_text_where_news_notice_has_none() {
    let m = json!({"content": {"type": "card", "body": {"title": "Release", "text": "v1.2 is out",
        "emphasis": {"title": "99%"}, "image": "https://e.com/a.png", "url": "https://e.com"}}});
    // a neutral card keeps its text: text_notice, the image as a link row (recorded)
    let out = r(m, Platform::Wecom).unwrap();
    let tc = &out.payloads[0]["template_card"];
    assert_eq!(tc["card_type"], "text_notice");
    assert_eq!(tc["sub_title_text"], "v1.2 is out");
    assert_eq!(tc["emphasis_content"]["title"], "99%");
    assert_eq!(tc["horizontal_content_list"][0]["url"], "https://e.com/a.png");
    assert!(out.degraded.iter().any(|d| d.from == "image" && d.to == "link"));
    // a WeCom news_notice body: no text_notice-only fields; text as a quote
    let n = json!({"content": {"type": "card", "body": {"card_type": "news_notice", "title": "Release",
        "text": "v1.2 is out", "card_image": {"url": "https://e.com/a.png"}, "action": {"type": 1, "url": "https://e.com"}}}});
    let out = r(n, Platform::Wecom).unwrap();
    let tc = &out.payloads[0]["template_card"];
    assert_eq!(tc["card_type"], "news_notice");
    assert!(tc.get("sub_title_text").is_none() && tc.get("emphasis_content").is_none(), "{tc}");
    assert_eq!(tc["quote_area"]["quote_text"], "v1.2 is out");
}

/// WeCom native card: mini-program jumps (type 2) and typed horizontal rows (type 2/3)
/// are rebuilt from the model and lose their appid/pagepath/userid/media_id, unrecorded.
#[test]
fn wecom_native_card_loses_typed_rows_and_mini_program_jumps() {
    let m = json!({"content": {"type": "card", "body": {"card_type": "text_notice", "title": "T",
        "horizontal_content_list": [{"keyname": "owner", "value": "Zhang", "type": 3, "userid": "zhangsan"}],
        "jump_list": [{"type": 2, "title": "Mini", "appid": "wx123", "pagepath": "pages/index"},
                      {"type": 1, "title": "Web", "url": "https://e.com"}],
        "card_action": {"type": 1, "url": "https://e.com"}}}});
    let out = r(m, Platform::Wecom).unwrap();
    let tc = &out.payloads[0]["template_card"];
    eprintln!("{tc}\ndegraded = {:?}", out.degraded);
    assert_eq!(tc["horizontal_content_list"][0]["userid"], "zhangsan", "userid row lost");
    assert_eq!(tc["jump_list"].as_array().map(Vec::len), Some(2), "mini-program jump lost");
}

/// WeCom native card with its own sub_title_text and > 6 horizontal rows: the extra
/// rows are recorded as "field -> text" but the text is never written (the original
/// sub_title_text wins), so they vanish.
#[test]
fn wecom_native_card_extra_rows_vanish() {
    let rows: Vec<Value> = (0..8).map(|i| json!({"keyname": format!("k{i}"), "value": format!("v{i}")})).collect();
    let m = json!({"content": {"type": "card", "body": {"card_type": "text_notice", "title": "T",
        "sub_title_text": "summary", "horizontal_content_list": rows,
        "card_action": {"type": 1, "url": "https://e.com"}}}});
    let out = r(m, Platform::Wecom).unwrap();
    let tc = &out.payloads[0]["template_card"];
    eprintln!("{tc}\ndegraded = {:?}", out.degraded);
    assert!(tc.to_string().contains("k7"), "rows 7 and 8 lost although recorded as field->text");
}

/// A card that goes down to markdown keeps the degradations of the abandoned attempt.
#[test]
fn wecom_card_down_to_markdown_reports_steps_that_did_not_happen() {
    let m = json!({"content": {"type": "card", "body": {"title": "T", "text": "x".repeat(200),
        "buttons": [{"text":"a","url":"https://a"},{"text":"b","url":"https://b"},{"text":"c","url":"https://c"},{"text":"d","url":"https://d"}]}}});
    let out = r(m, Platform::Wecom).unwrap();
    eprintln!("{}\n{:?}", out.payloads[0]["msgtype"], out.degraded);
    assert!(!out.degraded.iter().any(|d| d.from == "button"), "button->link recorded but the card is markdown");
}

/// WeCom markdown_v2 code block containing ``` is fenced with ````; split repeats
/// the fence as ```` + ``` (wrong closer) and keeps a stray "`" line.
#[test]
fn wecom_v2_split_code_block_with_long_fence() {
    let code: String = (0..400).map(|i| format!("let x{i} = \"```\";\n")).collect();
    let m = json!({"content": {"type": "markdown", "body": {"content": format!("```rust\n{code}```")}}});
    let out = r(m, Platform::Wecom).unwrap();
    for p in &out.payloads {
        let c = p["markdown_v2"]["content"].as_str().unwrap();
        let first = c.lines().next().unwrap();
        let last_fence = c.lines().rfind(|l| l.starts_with("```")).unwrap();
        eprintln!("first={first:?} last_fence={last_fence:?}");
        assert_eq!(first.trim_end_matches(|c: char| c.is_alphanumeric()), last_fence, "fences differ");
    }
}

/// Feishu post: a link whose href alone is over the room gives a payload over 20 KB.
#[test]
fn feishu_post_with_huge_href_over_limit() {
    let url = format!("https://e.com/{}", "a".repeat(21_000));
    let m = json!({"content": {"type": "markdown", "body": {"content": format!("see [x]({url})")}}});
    match r(m, Platform::Feishu) {
        Ok(out) => {
            for p in &out.payloads {
                assert!(len(p) <= 20480, "payload {} bytes", len(p));
            }
        }
        Err(e) => assert_eq!(e.path.as_deref(), Some("content.body")),
    }
}

/// DingTalk action card with many long buttons: the shell alone is over the limit.
#[test]
fn dingtalk_action_card_buttons_over_limit_are_refused() {
    let btns: Vec<Value> = (0..64)
        .map(|i| json!({"text": format!("b{i}"), "url": format!("https://e.com/{}", "p".repeat(400))}))
        .collect();
    let m = json!({"content": {"type": "card", "body": {"title": "T", "text": "hello", "buttons": btns}}});
    // the buttons alone are over the limit: refused, saying where, rather than cut
    let e = r(m, Platform::DingTalk).expect_err("64 buttons of 400 bytes fit no DingTalk card");
    assert_eq!((e.code, e.path.as_deref()), (webhook_push::ErrorCode::InvalidMessage, Some("content.body")), "{e}");
    assert!(e.message.contains("20000"), "{e}");
}

/// A webhook URL with a fragment: the DingTalk signature is appended after `#`
/// and never reaches the server.
#[test]
fn dingtalk_fragment_swallows_signature() {
    let m = UnifiedMessage::from_value(&json!({"content": {"type": "text", "body": {"text": "x"}}})).unwrap();
    let opts = RenderOptions {
        webhook: Some("https://oapi.dingtalk.com/robot/send?access_token=T0K#x".into()),
        secret: Some("SECabc".into()),
        now_ms: 1_577_836_800_000,
        ..Default::default()
    };
    let out = render(&m, Platform::DingTalk, &opts).unwrap();
    let url = out.url.unwrap();
    eprintln!("{url}");
    assert!(!url.split_once('#').is_some_and(|(_, f)| f.contains("sign=")), "sign is in the fragment: {url}");
}

/// DingTalk: "@1380000000" is taken as present because "@13800000000" contains it.
#[test]
fn dingtalk_mention_word_substring() {
    let m = json!({"content": {"type": "markdown", "body": {"content": "ping @13800000000"},
        "mentions": [{"type": "mobile", "value": "1380000000"}]}});
    let out = r(m, Platform::DingTalk).unwrap();
    let text = out.payloads[0]["markdown"]["text"].as_str().unwrap().to_string();
    eprintln!("{text}");
    assert!(text.contains("@1380000000 ") || text.ends_with("@1380000000"), "word not appended: {text}");
}

/// display_name is not escaped: it can inject an @all into a Feishu text message.
#[test]
fn feishu_display_name_injects_at_all() {
    let m = json!({"content": {"type": "text", "body": {"text": "hi"},
        "mentions": [{"type": "user_id", "value": "ou_1", "display_name": "x</at><at user_id=\"all\">y"}]}});
    let out = r(m, Platform::Feishu).unwrap();
    let t = out.payloads[0]["content"]["text"].as_str().unwrap().to_string();
    eprintln!("{t}");
    assert!(!t.contains("<at user_id=\"all\">"), "injected @all: {t}");
}

/// Arguments swapped (`send(msg, key, "wecom")`): the platform error echoes the key.
#[test]
fn unknown_platform_echoes_a_key() {
    let key = "693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa";
    let e = Platform::parse(key).unwrap_err();
    eprintln!("{}", e.message);
    assert!(!e.message.contains(key), "key leaked: {}", e.message);
    let e = webhook_push::render::render_json(
        r#"{"content":{"type":"text","body":{"text":"x"}}}"#,
        "https://open.feishu.cn/open-apis/bot/v2/hook/0123-SECRET",
        "",
        0,
    )
    .unwrap_err();
    eprintln!("{}", e.message);
}

// ---- issue 8 (robustness): what an adversarial search broke ----

/// Defect 2: only each field was bounded (1 MiB), so a message with many big fields made
/// one render block for seconds. The whole message's text is bounded too.
#[test]
fn issue8_whole_message_text_is_bounded() {
    let big = "[".repeat((1 << 20) - 8);
    let m = json!({"content": {"type": "markdown", "title": big, "body": {"content": big.clone()},
        "buttons": [{"text": "ok", "url": "https://example.com/a"}], "footer": big}});
    let e = r(m, Platform::Wecom).unwrap_err();
    assert_eq!(e.code, webhook_push::ErrorCode::InvalidMessage);
    assert!(e.message.contains("accepted in all"), "{}", e.message);
    // one field of (nearly) 1 MiB is still accepted
    let one = json!({"content": {"type": "text", "body": {"text": "[".repeat((1 << 20) - 8)}}});
    for p in Platform::ALL {
        let out = r(one.clone(), p).unwrap();
        assert!(out.payloads.len() <= 20, "{p:?}: {} parts", out.payloads.len());
    }
}

/// Defect 2: a split that is cut before packing (so nothing is packed only to be dropped)
/// still ends with the truncation marker and keeps every part within the limit.
#[test]
fn issue8_capped_split_ends_truncated_within_limits() {
    for unit in ["[", "<", "a ", "<@x> ", "[l](https://e.com/x) "] {
        let text = unit.repeat(400_000 / unit.len());
        let m = json!({"content": {"type": "text", "body": {"text": text}}});
        let out = r(m, Platform::Wecom).unwrap();
        assert_eq!(out.payloads.len(), 20, "{unit}");
        for p in &out.payloads {
            assert!(p["text"]["content"].as_str().unwrap().len() <= 2048, "{unit}");
        }
        let last = out.payloads[19]["text"]["content"].as_str().unwrap();
        assert!(last.contains("…(truncated)"), "{unit}: {last}");
    }
}

fn signed(overflow: &str) -> RenderOptions {
    let v = json!({"webhook": "hookid12345678", "secret": "SECxxxxxxxx", "overflow": overflow});
    RenderOptions::from_value(&v, 1_700_000_000_000).unwrap()
}

/// The body as sent within its platform's limit (signature included).
fn assert_within_limits(out: &webhook_push::render::Rendered, what: &str) {
    for p in &out.payloads {
        let n = len(p);
        match out.platform {
            Platform::Feishu | Platform::Lark => assert!(n <= 20480, "{what}: Feishu body {n} bytes"),
            Platform::DingTalk => assert!(n <= 20000, "{what}: DingTalk body {n} bytes"),
            Platform::Wecom => {
                for k in ["text", "markdown", "markdown_v2"] {
                    if let Some(c) = p[k]["content"].as_str() {
                        assert!(
                            c.len() <= if k == "text" { 2048 } else { 4096 },
                            "{what}: WeCom {k} {} bytes",
                            c.len()
                        );
                    }
                }
            }
            other => panic!("{what}: no limit known here for {other:?}"),
        }
    }
}

/// Defect 3: a Feishu paragraph over 20 KB under `truncate` rendered to 20,409 bytes; the
/// signature's 79 took it over 20,480 (and render refused it as INVALID_MESSAGE).
#[test]
fn issue8_signed_feishu_truncate_fits() {
    let m = json!({"content": {"type": "markdown", "title": "T", "body": {"content": "a".repeat(30000)}}});
    for ov in ["truncate", "split"] {
        let out = render(&UnifiedMessage::from_value(&m).unwrap(), Platform::Feishu, &signed(ov))
            .unwrap_or_else(|e| panic!("{ov}: {e:?}"));
        assert_within_limits(&out, ov);
        assert!(out.payloads[0]["sign"].is_string());
    }
}

mod signed_renders {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
        /// Defect 3: every platform, every overflow mode, signed: what renders fits as sent.
        #[test]
        fn signed_bodies_fit(unit in "(a|中|\\[x\\]\\(https://e\\.com/\\)|<@u> |\\n|\\n\\n|\"|\\\\| ){1,6}",
                             reps in 1usize..6000, md in any::<bool>(), ov in 0usize..3) {
            let body: String = unit.repeat(reps).chars().take(40_000).collect();
            prop_assume!(!body.trim().is_empty()); // blank text is refused (defect 10)
            let m = if md {
                json!({"content": {"type": "markdown", "title": "T", "body": {"content": body}}})
            } else {
                json!({"content": {"type": "text", "body": {"text": body}}})
            };
            let msg = UnifiedMessage::from_value(&m).unwrap();
            let ov = ["split", "truncate", "error"][ov];
            for p in Platform::ALL {
                let opts = if p == Platform::Wecom {
                    RenderOptions::from_value(&json!({"overflow": ov}), 0).unwrap()
                } else {
                    signed(ov)
                };
                match render(&msg, p, &opts) {
                    Ok(out) => assert_within_limits(&out, &format!("{p:?} {ov}")),
                    Err(e) => prop_assert!(ov == "error", "{p:?} {ov}: {e:?}"),
                }
            }
        }
    }
}

/// Defect 4: text the caller escaped never becomes a live mention: WeCom `<@…>` (from `\<@…\>`
/// or `&lt;@…&gt;`), Feishu `<at …>`, DingTalk `@mobile` outside `atMobiles`. A mention
/// written as one still is one.
#[test]
fn issue8_escaped_mentions_stay_inert() {
    let md = |s: &str| json!({"content": {"type": "markdown", "body": {"content": s}}});
    for src in ["hi \\<@zhangsan\\> and \\<@all\\>", "hi &lt;@zhangsan&gt; and &#60;@all&#62;", "\\<@zhangsan>"] {
        let out = r(md(src), Platform::Wecom).unwrap();
        let c = out.payloads[0]["markdown"]["content"].as_str().unwrap();
        assert!(!c.contains("<@"), "{src:?} -> {c:?}");
        assert!(c.contains("zhangsan"), "{c:?}");
    }
    let out = r(md("ping <@lisi> now"), Platform::Wecom).unwrap();
    assert!(out.payloads[0]["markdown"]["content"].as_str().unwrap().contains("<@lisi>"));
    for src in ["\\<at user_id=\"all\"\\>all\\</at\\>", "&lt;at user_id=\"all\"&gt;all&lt;/at&gt;"] {
        let out = r(md(src), Platform::Feishu).unwrap();
        // a post's text element is never read for tags; only an `at` element mentions
        let s = serde_json::to_string(&out.payloads[0].to_value()).unwrap();
        assert!(!s.contains("\"tag\":\"at\""), "{src:?} -> {s}");
        let card = json!({"content": {"type": "card", "body": {"card_type": "text_notice", "title": "T", "description": src}}});
        let s = serde_json::to_string(&r(card, Platform::Feishu).unwrap().payloads[0].to_value()).unwrap();
        assert!(s.contains("lark_md") && s.contains("all"), "{s}");
        assert!(!s.contains("<at"), "{src:?} -> {s}");
    }
    let out =
        r(json!({"content": {"type": "text", "body": {"text": "call @13800000000"}}}), Platform::DingTalk).unwrap();
    let at = &out.payloads[0]["at"];
    assert!(at["atMobiles"].as_array().is_none_or(Vec::is_empty), "{at}");
    assert_ne!(at["isAtAll"], json!(true));
}

/// Defect 10: blank required fields and unchecked fields of platform-flavoured cards reached
/// the platform, which refused them; each is now INVALID_MESSAGE naming the field.
#[test]
fn issue8_blank_and_unchecked_fields_are_refused() {
    let cases = [
        (json!({"content": {"type": "text", "body": {"text": " \n\t"}}}), "content.body.text"),
        (json!({"content": {"type": "markdown", "title": "  ", "body": {"content": "x"}}}), "content.title"),
        (json!({"content": {"type": "image", "body": {"image_key": " "}}}), "content.body.image_key"),
        (json!({"content": {"type": "file", "body": {"media_id": "\t"}}}), "content.body.media_id"),
        (
            json!({"content": {"type": "card", "body": {"title": "T", "text": "x",
                "buttons": [{"text": "  ", "url": "https://e.com/a"}]}}}),
            "content.body.buttons[0].text",
        ),
        (
            json!({"content": {"type": "card", "body": {"card_type": "interactive", "title": "T",
                "elements": [{"tag": "div", "text": "plain string"}]}}}),
            "content.body.elements[0].text",
        ),
        (
            json!({"content": {"type": "card", "body": {"card_type": "text_notice", "title": "T",
                "card_action": {"type": 1, "url": "https://e.com/a"},
                "jump_list": [{"type": "1", "title": "open", "url": "https://e.com/b"}]}}}),
            "content.body.jump_list[0].type",
        ),
    ];
    for (m, path) in cases {
        let e = UnifiedMessage::from_value(&m).map(|_| ()).unwrap_err();
        assert_eq!((e.code, e.path.as_deref()), (webhook_push::ErrorCode::InvalidMessage, Some(path)), "{m}: {e:?}");
    }
}

/// Defect 5: markdown titles were backslash-escaped on WeCom and DingTalk (`\[WARN\] disk\_usage`)
/// though nothing there reads as markup; titles are escaped as bodies are. `*high*` losing its
/// emphasis on WeCom markdown is reported.
#[test]
fn issue8_titles_escaped_like_bodies() {
    let m = json!({"content": {"type": "markdown", "title": "[WARN] disk_usage", "body": {"content": "[WARN] disk_usage is *high*"}}});
    let out = r(m.clone(), Platform::Wecom).unwrap();
    let c = out.payloads[0]["markdown"]["content"].as_str().unwrap();
    assert!(c.starts_with("**[WARN] disk_usage**"), "{c}");
    assert!(!c.contains('\\'), "{c}");
    assert!(out.degraded.iter().any(|d| d.from == "emphasis"), "{:?}", out.degraded);
    let out = r(m, Platform::DingTalk).unwrap();
    let t = out.payloads[0]["markdown"]["text"].as_str().unwrap();
    assert!(t.starts_with("### [WARN] disk_usage"), "{t}");
    assert!(!t.contains('\\'), "{t}");
    // what would be markup is still escaped, in titles as in bodies
    let m = json!({"content": {"type": "markdown", "title": "**not bold** [x](y)", "body": {"content": "x"}}});
    let c = r(m, Platform::Wecom).unwrap().payloads[0]["markdown"]["content"].as_str().unwrap().to_string();
    assert!(c.contains("\\*\\*not bold\\*\\*") && c.contains("\\[x](y)"), "{c}");
}

/// WeCom text under `split`: the parts, markers stripped. Checks nothing is lost and every
/// `token` lies whole inside one part.
fn split_keeps_whole(text: &str, tokens: &[&str]) {
    let m = json!({"content": {"type": "text", "body": {"text": text}}});
    let out = r(m, Platform::Wecom).unwrap();
    let n = out.payloads.len();
    assert!(n > 1, "expected a split, got {n} part");
    let parts: Vec<String> = out
        .payloads
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let c = p["text"]["content"].as_str().unwrap();
            assert!(c.len() <= 2048, "part {} is {} bytes", i + 1, c.len());
            c.strip_suffix(&format!("\n\n({}/{n})", i + 1)).unwrap_or(c).to_string()
        })
        .collect();
    let strip = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    assert_eq!(strip(&parts.concat()), strip(text), "text lost or changed under split");
    for t in tokens {
        assert!(parts.iter().any(|p| p.contains(t)), "{t:?} was cut across parts: {parts:?}");
    }
}

/// Fuzz-found (render target): a `[` far before a link made the link's protected span start
/// there, so the span outgrew the room and the cut fell inside the URL. A link starts at the
/// last `[` before its `](`.
#[test]
fn split_does_not_cut_a_link_after_a_stray_bracket() {
    let link = "[ab<cd](https://e.com/x)";
    let text = format!("[{}{link} and <@u1> more", "a".repeat(2010));
    split_keeps_whole(&text, &[link, "<@u1>"]);
    // a long run of `[` in front, as the fuzzer had it
    let text = format!("{}{link} and <@u1> more", "[".repeat(2011));
    split_keeps_whole(&text, &[link, "<@u1>"]);
}

/// Fuzz-found, the same family: a `<…>` opened before a link and closed inside its label made
/// the scan jump past the link's `[`, so the link went unprotected.
#[test]
fn split_does_not_cut_a_link_whose_label_closes_a_tag() {
    let link = "[lab>el](https://e.com/y)";
    let text = format!("{}<x{link} tail", "a".repeat(2022));
    split_keeps_whole(&text, &[link]);
}

/// Fuzz-found, the same family: text that starts a part with `[<<](` reads as one link up to
/// the first `)` ~2 KB on, longer than a part; merged, it swallowed the short link and mention
/// inside it, so the cut fell back to the plain byte limit, inside the link. A span that starts
/// the text and is longer than the room is now left out, and what it contains stays whole.
#[test]
fn split_does_not_cut_a_link_inside_a_longer_false_link() {
    let link = "[ab<cd](https://e.com/x)";
    for pad in [2010, 2020, 2030, 2040] {
        // at the start of the text, and at the start of a later part
        let text = format!("[<<](](f({}{link} and <@u1> more", "[".repeat(pad));
        split_keeps_whole(&text, &[link, "<@u1>"]);
        let text = format!("{} [<<](](f({}{link} and <@u1> more", "z".repeat(1900), "[".repeat(pad));
        split_keeps_whole(&text, &[link, "<@u1>"]);
    }
}

/// Links whose labels open a `<` that closes in the next link's label (`[d>e<1](h)[d>e<2](h)…`)
/// made one chain of overlapping spans longer than a part; the cut fell back to the byte limit,
/// inside a link. Something in a chain must be cut: now it is a tag, not a link or mention.
#[test]
fn split_cuts_a_chain_of_overlapping_spans_at_a_tag() {
    for prefix in ["", "some words first "] {
        let links: Vec<String> = (0..400).map(|k| format!("[d>e<{k}](h)")).collect();
        let text = format!("{prefix}[a<b](c){} <@u1> tail", links.concat());
        let mut tokens: Vec<&str> = links.iter().map(String::as_str).collect();
        tokens.extend(["[a<b](c)", "<@u1>"]);
        split_keeps_whole(&text, &tokens);
        // links with mentions in their labels, chained by the `<` ending each URL
        let links: Vec<String> = (0..300).map(|k| format!("[d>e<@m{k}>](h<)")).collect();
        let text = format!("{prefix}{} tail", links.concat());
        let mentions: Vec<String> = (0..300).map(|k| format!("<@m{k}>")).collect();
        split_keeps_whole(&text, &links.iter().chain(&mentions).map(String::as_str).collect::<Vec<_>>());
        // chained by Feishu `<at …>…</at>` tags opened in one label and closed in the next
        let links: Vec<String> = (0..300).map(|k| format!("[c</at><at {k}](d)")).collect();
        let text = format!("{prefix}<at x>{} tail", links.concat());
        split_keeps_whole(&text, &links.iter().map(String::as_str).collect::<Vec<_>>());
    }
}

/// Fuzz-found (render target, after the chain fix): a false link that starts a part and fits
/// (`[x](f(…[y)`), overlapped by a second false link that starts inside it (`[y)…](g(…`) and
/// runs to the `)` of a real link: merged, one chain from the part's start past the room, read
/// as a tag-free chain, so the cut fell back to the byte limit, inside the real link. Such a
/// chain is now cut before the last short link or mention that crosses the limit.
#[test]
fn split_does_not_cut_a_link_inside_a_chain_of_false_links() {
    for link in ["[ab<cd](https://e.com/x)", "[ab](https://e.com/x)", "<@u1>"] {
        for pad in [505, 510, 515, 520] {
            let chain = format!("[x](f({}[y){}](g({}", "a".repeat(300), "b".repeat(1200), "c".repeat(pad));
            // at the start of the text, and at the start of a later part
            let text = format!("{chain}{link} and <@u1> more {}", "d".repeat(300));
            split_keeps_whole(&text, &[link, "<@u1>"]);
            let text = format!("{} {chain}{link} and <@u1> more", "z".repeat(1900));
            split_keeps_whole(&text, &[link, "<@u1>"]);
        }
    }
}

/// A WeCom image with a title and mentions: the image goes out alone, and `degraded` says the
/// title and the mentions were not sent (they were dropped without a word).
#[test]
fn wecom_image_says_its_title_and_mentions_were_not_sent() {
    let png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
    let m = json!({"content": {"type": "image", "title": "T", "body": {"base64": png},
        "mentions": [{"type": "user_id", "value": "zhangsan"}]}});
    let out = r(m, Platform::Wecom).unwrap();
    assert_eq!(out.payloads[0]["msgtype"], "image");
    let from: Vec<&str> = out.degraded.iter().map(|d| d.from.as_str()).collect();
    assert_eq!(from, ["mention", "title"]);
    let plain = json!({"content": {"type": "image", "body": {"base64": png}}});
    assert!(r(plain, Platform::Wecom).unwrap().degraded.is_empty());
    // by URL it is an article: the title is the article's
    let by_url = json!({"content": {"type": "image", "title": "T", "body": {"url": "https://e.com/a.png"}}});
    let out = r(by_url, Platform::Wecom).unwrap();
    assert_eq!(out.payloads[0]["news"]["articles"][0]["title"], "T");
    assert!(out.degraded.iter().all(|d| d.from != "title"));
}
