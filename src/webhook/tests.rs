//! The webhook engine end to end: config -> render -> check, natively.

use serde_json::{Value, json};

use super::*;
use crate::ErrorCode;
use crate::policy::Verdict;

/// 2026-11-30T10:58:38.123Z
const NOW: u64 = 1_796_036_318_123;

fn cfg(v: Value) -> WebhookConfig {
    WebhookConfig::from_value(&v).unwrap_or_else(|e| panic!("{e}"))
}

fn cfg_err(v: Value) -> crate::Error {
    let e = WebhookConfig::from_value(&v).expect_err("config accepted");
    assert_eq!(e.code, ErrorCode::InvalidConfig, "{e}");
    e
}

fn msg(v: Value) -> Message {
    Message::from_value(v).unwrap()
}

fn body_of(config: Value, m: &Message) -> Value {
    let r = render(m, &cfg(config), NOW).unwrap();
    serde_json::from_str(&r.body).unwrap()
}

fn text_msg(t: &str) -> Message {
    msg(json!({"content": {"type": "text", "title": "Disk full", "body": {"text": t}},
               "metadata": {"message_id": "m-1", "correlation_id": "c-9"}}))
}

fn card_msg() -> Message {
    msg(json!({"content": {"type": "card", "title": "Deploy", "body": {
        "subtitle": "prod", "text": "Rolled **v2** out", "image": "https://e.com/i.png", "url": "https://e.com/d",
        "fields": [{"name": "Service", "value": "api"}, {"name": "Took", "value": 42, "url": "https://e.com/t"}],
        "buttons": [{"text": "Open", "url": "https://e.com/o"}, {"text": "Roll back", "url": "https://e.com/r"}]}},
        "metadata": {"message_id": "dep-7"}}))
}

const URL: &str = "http://127.0.0.1:9/hook?token=T0KEN";

#[test]
fn every_seed_variable() {
    let m = msg(json!({"content": {"type": "link", "title": "Build", "logo": "https://e.com/logo.png",
        "body": {"title": "Build #5", "text": "green", "url": "https://e.com/b/5", "image_url": "https://e.com/5.png"}}}));
    let b = body_of(
        json!({"url": URL, "secret": "s3cret", "body": r#"{"sign":"{{sign}}","timestamp":{{timestamp}},"title":"{{title}}",
            "subTitle":"{{subTitle}}","logo":"{{logo}}","image":"{{image}}","message":"{{message}}","time":"{{time}}","type":"{{type}}"}"#}),
        &m,
    );
    assert_eq!(
        b,
        json!({"sign": signing::sign("s3cret", NOW / 1000).unwrap(), "timestamp": NOW / 1000, "title": "Build",
            "subTitle": "green", "logo": "https://e.com/logo.png", "image": "https://e.com/5.png",
            "message": "[Build #5](https://e.com/b/5)\n\ngreen", "time": "2026-11-30T10:58:38.123Z", "type": "link"})
    );
}

#[test]
fn time_formats_and_typed_values() {
    let b = body_of(
        json!({"url": URL, "body": r#"{"iso":"{{time|iso}}","s":{{time|unix}},"ms":{{time|unix_ms}},"s_str":"{{time|unix}}","bare":{{time}}}"#}),
        &text_msg("x"),
    );
    assert_eq!(
        b,
        json!({"iso": "2026-11-30T10:58:38.123Z", "s": 1_796_036_318u64, "ms": NOW, "s_str": "1796036318", "bare": "2026-11-30T10:58:38.123Z"})
    );
    assert_eq!(vars::iso8601(0), "1970-01-01T00:00:00.000Z");
    assert_eq!(vars::iso8601(951_782_400_000), "2000-02-29T00:00:00.000Z");
}

#[test]
fn message_formats_from_markdown() {
    let m = msg(
        json!({"content": {"type": "markdown", "body": {"content": "# Alert\n\n**CPU** at <95%> [graph](https://g.e/x)"}}}),
    );
    let b = body_of(
        json!({"url": URL, "body": r#"{"n":"{{message}}","t":"{{message|text}}","m":"{{message|markdown}}","h":"{{message|html}}"}"#}),
        &m,
    );
    assert_eq!(b["n"], "# Alert\n\n**CPU** at <95%> [graph](https://g.e/x)");
    assert_eq!(b["m"], b["n"]);
    assert_eq!(b["t"], "Alert\n\nCPU at <95%> graph (https://g.e/x)");
    assert!(!b["t"].as_str().unwrap().contains("**"), "{}", b["t"]);
    assert_eq!(
        b["h"],
        "<h1>Alert</h1>\n<p><strong>CPU</strong> at &lt;95%&gt; <a href=\"https://g.e/x\">graph</a></p>"
    );
    // a text body: html-escaped, line breaks as <br>
    let b = body_of(
        json!({"url": URL, "body": r#"{"h":"{{message|html}}","t":"{{message|text}}"}"#}),
        &text_msg("a<b>\nc"),
    );
    assert_eq!(b, json!({"h": "a&lt;b&gt;<br>c", "t": "a<b>\nc"}));
}

#[test]
fn message_fields_by_path_and_defaults() {
    let m = msg(
        json!({"content": {"type": "text", "body": {"text": "hi", "extra": {"n": 5, "ok": true, "list": [1, {"a": "b"}]}}},
        "metadata": {"message_id": "m-1", "correlation_id": "c-9"}}),
    );
    let b = body_of(
        json!({"url": URL, "body": r#"{"t":"{{content.body.text}}","id":"{{message_id}}","c":"{{metadata.correlation_id}}",
            "n":{{content.body.extra.n}},"ok":{{content.body.extra.ok}},"obj":{{content.body.extra.list[1]}},"arr":{{content.body.extra.list}},
            "missing":{{content.body.nope}},"title":"{{title|untitled}}","title2":{{title|no title}},"n_str":"{{content.body.extra.n}}",
            "obj_str":"{{content.body.extra.list[1]}}","cid":"{{correlation_id}}"}"#}),
        &m,
    );
    assert_eq!(
        b,
        json!({"t": "hi", "id": "m-1", "c": "c-9", "n": 5, "ok": true, "obj": {"a": "b"}, "arr": [1, {"a": "b"}],
            "missing": null, "title": "untitled", "title2": "no title", "n_str": "5", "obj_str": "{\"a\":\"b\"}", "cid": "c-9"})
    );
    // absent inside a string: empty, not "null"
    let b = body_of(json!({"url": URL, "body": r#"{"s":"[{{subTitle}}]"}"#}), &m);
    assert_eq!(b["s"], "[]");
}

#[test]
fn card_parts_by_name_and_rendered() {
    let m = card_msg();
    let b = body_of(
        json!({"url": URL, "body": r#"{"title":"{{card.title}}","sub":"{{card.subtitle}}","svc":"{{card.fields.Service}}",
            "took":{{card.fields.Took}},"open":"{{card.buttons.Open}}","rb":"{{card.buttons.Roll back}}","fields":{{card.fields}},
            "buttons":{{card.buttons}},"ft":"{{card.fields|text}}","fm":"{{card.fields|markdown}}","bt":"{{card.buttons|text}}",
            "bm":"{{card.buttons|markdown}}","md":"{{card}}","txt":"{{card|text}}","ctext":"{{card.text|text}}","img":"{{image}}",
            "url":"{{card.url}}","nofield":"{{card.fields.Nope|-}}"}"#}),
        &m,
    );
    assert_eq!(b["title"], "Deploy");
    assert_eq!(b["sub"], "prod");
    assert_eq!(b["svc"], "api");
    assert_eq!(b["took"], "42");
    assert_eq!(b["open"], "https://e.com/o");
    assert_eq!(b["rb"], "https://e.com/r");
    assert_eq!(
        b["fields"],
        json!([{"name": "Service", "value": "api"}, {"name": "Took", "value": "42", "url": "https://e.com/t"}])
    );
    assert_eq!(
        b["buttons"],
        json!([{"text": "Open", "url": "https://e.com/o"}, {"text": "Roll back", "url": "https://e.com/r"}])
    );
    assert_eq!(b["ft"], "Service: api\nTook: 42");
    assert_eq!(b["fm"], "**Service**: api\n**Took**: [42](https://e.com/t)");
    assert_eq!(b["bt"], "Open: https://e.com/o\nRoll back: https://e.com/r");
    assert_eq!(b["bm"], "[Open](https://e.com/o)\n[Roll back](https://e.com/r)");
    assert_eq!(
        b["md"],
        "**Deploy**\n\nprod\n\nRolled **v2** out\n\n**Service**: api  \n**Took**: [42](https://e.com/t)\n\n[Open](https://e.com/o) · [Roll back](https://e.com/r)"
    );
    assert!(b["txt"].as_str().unwrap().starts_with("Deploy\n\nprod\n\nRolled v2 out"), "{}", b["txt"]);
    assert_eq!(b["ctext"], "Rolled v2 out");
    assert_eq!(b["img"], "https://e.com/i.png");
    assert_eq!(b["url"], "https://e.com/d");
    assert_eq!(b["nofield"], "-");
    // card variables on a message that is not a card: absent
    let b = body_of(json!({"url": URL, "body": r#"{"f":{{card.fields}},"t":"{{card.title}}"}"#}), &text_msg("x"));
    assert_eq!(b, json!({"f": null, "t": ""}));
}

#[test]
fn json_safety() {
    let nasty = "say \"hi\" \\ back\\slash\nnew\tline\r\u{1}\u{1f} 中文 🚀 </script><script>alert(1)</script> \u{2028}";
    let m = text_msg(nasty);
    let r = render(
        &m,
        &cfg(json!({"url": URL, "body": r#"{"m":"{{message}}","pre {{title}}":"x{{message}}y","v":{{message}}}"#})),
        NOW,
    )
    .unwrap();
    assert!(!r.body.contains("</script>"), "{}", r.body);
    assert!(r.body.contains("<\\/script>"));
    assert!(r.body.contains("中文 🚀"), "CJK and emoji are kept as is");
    let b: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(b["m"], nasty);
    assert_eq!(b["pre Disk full"], format!("x{nasty}y"));
    assert_eq!(b["v"], nasty);
    // lone surrogates given as JSON escapes: U+FFFD, and the body is valid JSON
    let m = Message::from_json(
        r#"{"content":{"type":"text","title":"a\ud800b","body":{"text":"x\udc00 \ud83d\ude80 \ud83d"}}}"#,
    )
    .unwrap();
    let r = render(
        &m,
        &cfg(json!({"url": URL, "body": r#"{"t":"{{title}}","m":"{{message}}","p":{{content.body.text}}}"#})),
        NOW,
    )
    .unwrap();
    let b: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(b, json!({"t": "a\u{fffd}b", "m": "x\u{fffd} 🚀 \u{fffd}", "p": "x\u{fffd} 🚀 \u{fffd}"}));
}

#[test]
fn body_as_object_and_raw_text() {
    let c = cfg(json!({"url": URL, "body": {"text": "{{title}}: {{message}}", "n": 1}}));
    let r = render(&text_msg("a\"b"), &c, NOW).unwrap();
    assert_eq!(serde_json::from_str::<Value>(&r.body).unwrap(), json!({"text": "Disk full: a\"b", "n": 1}));
    assert_eq!(r.header("content-type"), Some("application/json"));
    let c = cfg(
        json!({"url": URL, "body": "title={{title|url}}&msg={{message|url}}", "contentType": "application/x-www-form-urlencoded"}),
    );
    let r = render(&text_msg("a&b c/中"), &c, NOW).unwrap();
    assert_eq!(r.body, "title=Disk%20full&msg=a%26b%20c%2F%E4%B8%AD");
    assert_eq!(r.header("content-type"), Some("application/x-www-form-urlencoded"));
    let c = cfg(json!({"url": URL, "body": "{{title}}\n{{message}}", "contentType": "text/plain"}));
    assert_eq!(render(&text_msg("l1\nl2 \"q\""), &c, NOW).unwrap().body, "Disk full\nl1\nl2 \"q\"");
    // default body: the seed's fields, typed
    let b = body_of(json!({"url": URL}), &text_msg("hello"));
    assert_eq!(b["type"], "text");
    assert_eq!(b["message"], "hello");
    assert_eq!(b["title"], "Disk full");
    assert_eq!(b["image"], Value::Null);
    assert_eq!(b["time"], "2026-11-30T10:58:38.123Z");
}

#[test]
fn headers_object_and_lines() {
    let c = cfg(
        json!({"url": URL, "headers": {"Authorization": "Bearer abc123xyz", "X-Title": "{{title}}", "X-Id": "{{message_id|none}}"}}),
    );
    let r = render(&text_msg("x"), &c, NOW).unwrap();
    assert_eq!(r.header("authorization"), Some("Bearer abc123xyz"));
    assert_eq!(r.header("x-title"), Some("Disk full"));
    assert_eq!(r.header("X-Id"), Some("m-1"));
    let c = cfg(
        json!({"url": URL, "headers": "Content-Type: application/json; charset=utf-8\r\n\nAuthorization: Bearer tok:en\n# note\nX-Custom-Header: {{type}}"}),
    );
    let r = render(&text_msg("x"), &c, NOW).unwrap();
    assert_eq!(r.header("content-type"), Some("application/json; charset=utf-8"));
    assert_eq!(r.headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case("content-type")).count(), 1);
    assert_eq!(r.header("authorization"), Some("Bearer tok:en"));
    assert_eq!(r.header("x-custom-header"), Some("text"));
    // Debug shows no credential
    let shown = format!("{r:?} {c:?}");
    assert!(!shown.contains("tok:en") && !shown.contains("T0KEN"), "{shown}");
}

#[test]
fn headers_with_cr_lf_are_refused() {
    for h in
        [json!({"X-A": "a\r\nX-Evil: 1"}), json!({"X-A": "a\nb"}), json!({"X-A": "a\rb"}), json!({"X-A": "a\u{0}"})]
    {
        let e = cfg_err(json!({"url": URL, "headers": h}));
        assert!(e.message.contains("CR, LF"), "{e}");
    }
    let e = cfg_err(json!({"url": URL, "headers": {"X Bad": "v"}}));
    assert!(e.message.contains("not a valid HTTP header name"), "{e}");
    let e = cfg_err(json!({"url": URL, "headers": {"Host": "evil"}}));
    assert!(e.message.contains("Host"), "{e}");
    let e = cfg_err(json!({"url": URL, "headers": "no colon here"}));
    assert!(e.message.contains("line 1"), "{e}");
    let e = cfg_err(json!({"url": URL, "headers": {"X-A": "1", "x-a": "2"}}));
    assert!(e.message.contains("twice"), "{e}");
    let e = cfg_err(json!({"url": URL, "headers": {"X-A": "中文"}}));
    assert!(e.message.contains("Latin-1"), "{e}");
    // after substitution: a title with a line break cannot go in a header
    let c = cfg(json!({"url": URL, "headers": {"X-Title": "{{title}}"}}));
    let m = msg(json!({"content": {"type": "text", "title": "a\r\nX-Evil: 1", "body": {"text": "x"}}}));
    let e = render(&m, &c, NOW).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidMessage);
    assert!(e.message.contains("X-Title") && !e.message.contains("Evil"), "{e}");
    // |url makes it safe
    let c = cfg(json!({"url": URL, "headers": {"X-Title": "{{title|url}}"}}));
    assert_eq!(render(&m, &c, NOW).unwrap().header("x-title"), Some("a%0D%0AX-Evil%3A%201"));
    let m = msg(json!({"content": {"type": "text", "title": "中文", "body": {"text": "x"}}}));
    let c = cfg(json!({"url": URL, "headers": {"X-Title": "{{title}}"}}));
    assert_eq!(render(&m, &c, NOW).unwrap_err().code, ErrorCode::InvalidMessage);
}

#[test]
fn methods() {
    for (given, want) in
        [(None, Method::Post), (Some("put"), Method::Put), (Some("PATCH"), Method::Patch), (Some("POST"), Method::Post)]
    {
        let mut v = json!({"url": URL});
        if let Some(g) = given {
            v["method"] = json!(g);
        }
        let r = render(&text_msg("x"), &cfg(v), NOW).unwrap();
        assert_eq!(r.method, want);
    }
    for bad in ["GET", "DELETE", "", "PO ST"] {
        let e = cfg_err(json!({"url": URL, "method": bad}));
        assert!(e.message.contains("POST, PUT or PATCH"), "{e}");
    }
    assert_eq!(Method::Patch.as_str(), "PATCH");
}

#[test]
fn config_errors_say_what_to_fix_and_quote_no_secret() {
    let cases: Vec<(Value, &str)> = vec![
        (json!({}), "url is required"),
        (json!({"url": "ftp://e.com/x"}), "https or http"),
        (json!({"url": "javascript:alert(1)"}), "https:// or http://"),
        (json!({"url": "https://user:pw@e.com/"}), "credentials"),
        (json!({"url": "https://e.com/{{title}}"}), "placeholders are not filled in the URL"),
        (json!({"url": URL, "body": "{\"a\": {{title}} \"b\"}"}), "not valid JSON"),
        (json!({"url": URL, "body": "{\"a\": \"{{nope}}\"}"}), "unknown variable 'nope'"),
        (json!({"url": URL, "body": "{\"a\": \"{{time|fancy}}\"}"}), "unknown format 'fancy'"),
        (json!({"url": URL, "body": "{\"a\": \"{{message|unix}}\"}"}), "does not apply to message"),
        (json!({"url": URL, "body": 5}), "body must be"),
        (json!({"url": URL, "body": "{\"a\": \"{{sign}}\"}"}), "needs a secret"),
        (json!({"url": URL, "secret": "TOPSECRETVALUE"}), "nothing uses it"),
        (json!({"url": URL, "secret": "TOPSECRETVALUE", "signing": "sign"}), "no {{sign}} placeholder"),
        (json!({"url": URL, "signing": "standard-webhooks"}), "needs a secret"),
        (json!({"url": URL, "secret": "whsec_TOPSECRET!!", "signing": "standard-webhooks"}), "whsec_"),
        (json!({"url": URL, "signing": "hmac"}), "signing must be"),
        (
            json!({"url": URL, "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "signing": "standard-webhooks",
                "headers": {"webhook-id": "x"}}),
            "set by Standard Webhooks",
        ),
        (json!({"url": URL, "timeout": 0}), "timeout must be"),
        (json!({"url": URL, "timeout": "10s"}), "timeout (ms) must be a number"),
        (json!({"url": URL, "check": {"status": 99}}), "100-599"),
        (json!({"url": URL, "check": {"status": "3xx"}}), "2xx"),
        (json!({"url": URL, "check": {"jsonPath": "errcode"}}), "needs check.equals"),
        (json!({"url": URL, "check": {"equals": 0}}), "needs check.jsonPath"),
        (json!({"url": URL, "check": {"jsonPath": "a..b", "equals": 0}}), "jsonPath must be a path"),
        (json!({"url": URL, "check": {"bodyContain": "ok"}}), "unknown check field 'bodyContain'"),
        (json!({"url": URL, "retry": {"count": 1.5}}), "retry.count"),
        (json!({"url": URL, "retry": {"count": 101}}), "retry.count"),
        (json!({"url": URL, "retry": {"intervalSeconds": 3601}}), "intervalSeconds"),
        (json!({"url": URL, "rateLimit": {"limit": 0, "periodMs": 1000}}), "rateLimit needs"),
        (json!({"url": URL, "rateLimit": {"limit": 5}}), "rateLimit needs"),
        (json!({"url": URL, "enabled": "yes"}), "enabled must be a boolean"),
        (json!({"url": URL, "tags": [1]}), "tag"),
        (json!({"url": URL, "bodyTemplate": "{}"}), "unknown webhook target field 'bodyTemplate'"),
        (json!({"url": URL, "body": "x", "contentType": "text/plain\r\n"}), "contentType"),
        (json!({"url": URL, "body": {"a": 1}, "contentType": "text/plain"}), "JSON object body"),
        (json!({"url": URL, "secret": "bad\nsecret", "signing": "standard-webhooks"}), "secret"),
        (json!({"url": URL, "platform": "wecom"}), "platform must be"),
    ];
    for (v, want) in cases {
        let e = cfg_err(v.clone());
        assert!(e.message.contains(want), "{v}: {e}");
        for secret in ["TOPSECRET", "T0KEN", "pw@", "evil"] {
            assert!(!e.message.contains(secret), "{v}: {e}");
        }
    }
    assert_eq!(WebhookConfig::from_json("{not json").unwrap_err().code, ErrorCode::InvalidConfig);
    assert_eq!(WebhookConfig::from_json("[]").unwrap_err().code, ErrorCode::InvalidConfig);
}

#[test]
fn service_fields_retry_and_rate_limit() {
    let c = cfg(json!({"url": URL, "name": "tickets", "enabled": false, "tags": ["ops", "p1"], "description": "d",
        "timeout": 5000, "retry": {"count": 4, "intervalSeconds": 2.5}, "rateLimit": {"limit": 20, "periodMs": 60000}}));
    assert_eq!(c.name.as_deref(), Some("tickets"));
    assert!(!c.enabled);
    assert_eq!(c.tags, ["ops", "p1"]);
    assert_eq!(c.timeout_ms, 5000);
    assert_eq!(c.rate_limits(), vec![(20, 60_000)]);
    let p = &c.retry;
    assert_eq!((p.max_retries, p.initial_delay, p.max_delay), (4, 2500, 2500));
    assert_eq!([p.delay(1, 0.0), p.delay(2, 0.9), p.delay(4, 0.5)], [2500, 2500, 2500], "a fixed interval");
    assert_eq!(p.max_total_time, 4 * (2500 + 5000) + 5000);
    assert!(p.validate().is_ok());
    let c = cfg(json!({"url": URL}));
    assert!(c.enabled);
    assert_eq!(c.retry, crate::policy::RetryPolicy::default());
    assert_eq!(c.timeout_ms, config::DEFAULT_TIMEOUT_MS);
    assert!(c.rate_limits().is_empty());
    assert_eq!(c.redacted_url(), "http://127.0.0.1:9/hook?token=***");
}

fn answer(c: &WebhookConfig, status: u16, body: &str) -> crate::policy::Classified {
    check_response(c, status, None, body, NOW, &[])
}

#[test]
fn status_checks() {
    use ErrorCode::*;
    let any = cfg(json!({"url": URL}));
    assert_eq!(answer(&any, 200, "").verdict, Verdict::Delivered);
    assert_eq!(answer(&any, 204, "").verdict, Verdict::Delivered);
    assert_eq!(answer(&any, 302, "").verdict, Verdict::Permanent { code: PlatformError });
    assert_eq!(answer(&any, 404, "no such hook").verdict, Verdict::Permanent { code: PlatformError });
    assert_eq!(answer(&any, 401, "").verdict, Verdict::Permanent { code: PlatformError });
    assert_eq!(answer(&any, 500, "").verdict, Verdict::Retry { code: PlatformError, retry_after: None });
    assert_eq!(answer(&any, 503, "").verdict, Verdict::Retry { code: PlatformError, retry_after: None });
    assert_eq!(answer(&any, 408, "").verdict, Verdict::Retry { code: Timeout, retry_after: None });
    assert_eq!(answer(&any, 425, "").verdict, Verdict::Retry { code: PlatformError, retry_after: None });
    assert_eq!(
        check_response(&any, 429, Some("12"), "", NOW, &[]).verdict,
        Verdict::Retry { code: RateLimit, retry_after: Some(12_000) }
    );
    assert_eq!(
        check_response(&any, 503, Some("Mon, 30 Nov 2026 10:59:38 GMT"), "", NOW, &[]).verdict,
        Verdict::Retry { code: PlatformError, retry_after: Some(59_877) }
    );
    let exact = cfg(json!({"url": URL, "check": {"status": 200}}));
    assert_eq!(answer(&exact, 200, "").verdict, Verdict::Delivered);
    let r = answer(&exact, 202, "queued");
    assert_eq!(r.verdict, Verdict::Permanent { code: PlatformError });
    assert_eq!(r.platform_message.as_deref(), Some("HTTP 202, expected 200: queued"));
    let set = cfg(json!({"url": URL, "check": {"status": [200, 201, 202]}}));
    assert_eq!(answer(&set, 202, "").verdict, Verdict::Delivered);
    assert_eq!(answer(&set, 204, "").verdict, Verdict::Permanent { code: PlatformError });
    let seed = cfg(json!({"url": URL, "check": "status"}));
    assert_eq!(answer(&seed, 201, "").verdict, Verdict::Permanent { code: PlatformError });
    let two = cfg(json!({"url": URL, "check": {"status": "2xx"}}));
    assert_eq!(answer(&two, 299, "").verdict, Verdict::Delivered);
}

#[test]
fn body_checks() {
    use ErrorCode::*;
    let contains = cfg(json!({"url": URL, "check": {"bodyContains": "\"ok\":true"}}));
    assert_eq!(answer(&contains, 200, r#"{"ok":true}"#).verdict, Verdict::Delivered);
    let r = answer(&contains, 200, r#"{"ok":false}"#);
    assert_eq!(r.verdict, Verdict::Permanent { code: PlatformError });
    assert!(r.platform_message.unwrap().contains("does not contain"));

    let errcode = cfg(json!({"url": URL, "check": {"jsonPath": "errcode", "equals": 0}}));
    let r = answer(&errcode, 200, r#"{"errcode":0,"errmsg":"ok"}"#);
    assert_eq!((r.verdict, r.platform_code), (Verdict::Delivered, Some(0)));
    assert_eq!(answer(&errcode, 200, r#"{"errcode":0.0}"#).verdict, Verdict::Delivered);
    let r = answer(&errcode, 200, r#"{"errcode":40001,"errmsg":"invalid credential"}"#);
    assert_eq!((r.verdict.clone(), r.platform_code), (Verdict::Permanent { code: PlatformError }, Some(40001)));
    assert!(r.platform_message.as_deref().unwrap().contains("errcode is 40001, expected 0"), "{r:?}");
    assert!(answer(&errcode, 200, r#"{"errmsg":"ok"}"#).platform_message.unwrap().contains("has no errcode"));
    assert!(answer(&errcode, 200, "<html>").platform_message.unwrap().contains("not JSON"));
    // a refusal with status 500 is still a retry, whatever the check
    assert!(matches!(answer(&errcode, 500, r#"{"errcode":1}"#).verdict, Verdict::Retry { .. }));

    let nested =
        cfg(json!({"url": URL, "check": {"jsonPath": "$.data.items[1].state", "equals": "done", "status": 200}}));
    assert_eq!(answer(&nested, 200, r#"{"data":{"items":[{},{"state":"done"}]}}"#).verdict, Verdict::Delivered);
    assert!(matches!(
        answer(&nested, 200, r#"{"data":{"items":[{"state":"done"}]}}"#).verdict,
        Verdict::Permanent { .. }
    ));
    let boolean = cfg(json!({"url": URL, "check": {"jsonPath": "ok", "equals": true}}));
    assert_eq!(answer(&boolean, 200, r#"{"ok":true}"#).verdict, Verdict::Delivered);
    assert!(matches!(answer(&boolean, 200, r#"{"ok":"true"}"#).verdict, Verdict::Permanent { .. }));

    let retryable = cfg(json!({"url": URL, "check": {"jsonPath": "errcode", "equals": 0, "retryable": true}}));
    assert_eq!(
        check_response(&retryable, 200, Some("3"), r#"{"errcode":-1}"#, NOW, &[]).verdict,
        Verdict::Retry { code: PlatformError, retry_after: Some(3000) }
    );
    // both checks must hold
    let both = cfg(json!({"url": URL, "check": {"bodyContains": "errcode", "jsonPath": "errcode", "equals": 0}}));
    assert_eq!(answer(&both, 200, r#"{"errcode":0}"#).verdict, Verdict::Delivered);
    assert!(matches!(answer(&both, 200, r#"{"code":0}"#).verdict, Verdict::Permanent { .. }));
}

#[test]
fn answers_are_read_bounded_and_quoted_without_credentials() {
    let c = cfg(json!({"url": URL, "secret": "s3cret-value-1", "headers": {"Authorization": "Bearer tok_live_abcdef"},
        "body": r#"{"sign":"{{sign}}","m":"{{message}}"}"#, "check": {"bodyContains": "accepted"}}));
    let req = render(&text_msg("x"), &c, NOW).unwrap();
    let sign = signing::sign("s3cret-value-1", NOW / 1000).unwrap();
    // an echo server repeating our request back
    let echo = format!("rejected: {} auth=Bearer tok_live_abcdef secret s3cret-value-1 {}", req.body, "y".repeat(5000));
    let r = check_response(&c, 400, None, &echo, NOW, req.secrets());
    let why = r.platform_message.unwrap();
    for s in ["s3cret-value-1", "tok_live_abcdef", sign.as_str(), &sign[..20]] {
        assert!(!why.contains(s), "{why}");
    }
    assert!(why.starts_with("HTTP 400, expected 2xx: rejected:"), "{why}");
    assert!(why.chars().count() <= 200, "{why}");
    // the check looks only at the first MAX_RESPONSE_BYTES
    let late = format!("{}accepted", " ".repeat(MAX_RESPONSE_BYTES));
    assert!(matches!(answer(&c, 200, &late).verdict, Verdict::Permanent { .. }));
    let early = format!("accepted{}", "中".repeat(MAX_RESPONSE_BYTES));
    assert_eq!(answer(&c, 200, &early).verdict, Verdict::Delivered);
}

/// Found by the `webhook` fuzz target: an answer echoing the URL's token bare (not as
/// `access_token=…`, which the generic redaction catches) was quoted in the reason.
#[test]
fn answers_do_not_quote_the_url_credentials_bare() {
    for (url, cred) in [
        ("https://hooks.example.com/in?access_token=URLtok0123456789&x=1", "URLtok0123456789"),
        ("https://hooks.example.com/in?x=1&token=URLtok0123456789", "URLtok0123456789"),
        ("https://hooks.example.com/open-apis/bot/v2/hook/URLtok0123456789", "URLtok0123456789"),
    ] {
        let c = cfg(json!({"url": url}));
        for echo in [format!("echo {cred} bad"), format!("{{\"errmsg\":\"{cred}\"}}"), format!("x{cred}y")] {
            let why = answer(&c, 400, &echo).platform_message.unwrap();
            assert!(!why.contains(cred), "{url}: {why}");
        }
        // what is not a credential is still quoted
        let why = answer(&c, 400, "hooks are down").platform_message.unwrap();
        assert!(why.ends_with(": hooks are down"), "{why}");
    }
}

/// Found by the `webhook` fuzz target: `{{sign}}` in a header whose name is not a known
/// credential header showed the signature in the request's `Debug`.
#[test]
fn a_request_debug_hides_the_signature_under_any_header_name() {
    let c = cfg(
        json!({"url": URL, "secret": "s3cret-value-1", "headers": {"X-Sgn": "{{sign}}", "X-Plain": "v-{{timestamp}}"}}),
    );
    let req = render(&text_msg("x"), &c, NOW).unwrap();
    let sign = signing::sign("s3cret-value-1", NOW / 1000).unwrap();
    assert_eq!(req.header("X-Sgn"), Some(sign.as_str()));
    let shown = format!("{req:?}");
    assert!(!shown.contains(&sign), "{shown}");
    assert!(shown.contains("X-Sgn: ***") && shown.contains(&format!("X-Plain: v-{}", NOW / 1000)), "{shown}");
}

#[test]
fn sign_placeholder_in_body_and_header() {
    let c = cfg(json!({"url": URL, "secret": "s3cret", "headers": {"X-Sign": "{{sign}}", "X-Ts": "{{timestamp}}"},
        "body": r#"{"timestamp":{{timestamp}},"sign":"{{sign}}"}"#}));
    assert!(c.signing.sign && !c.signing.standard_webhooks);
    let r = render(&text_msg("x"), &c, NOW).unwrap();
    let b: Value = serde_json::from_str(&r.body).unwrap();
    let ts = b["timestamp"].as_u64().unwrap();
    assert_eq!(ts, NOW / 1000);
    assert_eq!(r.header("x-ts"), Some(ts.to_string().as_str()));
    // a receiver's check, written from the documented string
    let expected = {
        use base64::Engine as _;
        use hmac::{Hmac, KeyInit, Mac};
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"s3cret").unwrap();
        mac.update(format!("{ts}\ns3cret").as_bytes());
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    };
    assert_eq!(b["sign"], expected);
    assert_eq!(r.header("x-sign"), Some(expected.as_str()));
    assert_eq!(r.secrets(), std::slice::from_ref(&expected));
    assert!(!format!("{r:?}").contains(&expected));
}

#[test]
fn standard_webhooks_headers() {
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let c =
        cfg(json!({"url": URL, "secret": secret, "signing": "standard-webhooks", "body": r#"{"m":"{{message}}"}"#}));
    let r = render(&text_msg("hello"), &c, NOW).unwrap();
    assert_eq!(r.header("webhook-id"), Some("m-1"));
    assert_eq!(r.header("webhook-timestamp"), Some("1796036318"));
    let key = signing::standard_key(secret).unwrap();
    let want = signing::standard_signature(&key, "m-1", 1_796_036_318, r.body.as_bytes()).unwrap();
    assert_eq!(r.header("webhook-signature"), Some(want.as_str()));
    assert!(want.starts_with("v1,") && want.len() == 47);
    // no message id: a stable derived id, the same on a retry a second later
    let m = msg(json!({"content": {"type": "text", "body": {"text": "x"}}}));
    let a = render(&m, &c, NOW).unwrap();
    let b = render(&m, &c, NOW + 1000).unwrap();
    assert_eq!(a.header("webhook-id"), b.header("webhook-id"));
    assert!(a.header("webhook-id").unwrap().starts_with("msg_"));
    assert_ne!(a.header("webhook-signature"), b.header("webhook-signature"));
    // both schemes at once
    let c = cfg(
        json!({"url": URL, "secret": secret, "signing": ["sign", "standard-webhooks"], "body": r#"{"s":"{{sign}}"}"#}),
    );
    let r = render(&text_msg("x"), &c, NOW).unwrap();
    assert_eq!(r.secrets().len(), 2);
    assert!(r.header("webhook-signature").is_some());
    assert!(!format!("{r:?} {c:?}").contains("MfKQ9r8"));
}

#[test]
fn raw_messages_say_what_they_cannot_fill() {
    let m = msg(
        json!({"content": {"type": "raw", "title": "t", "body": {"wecom": {"msgtype": "text", "text": {"content": "x"}}}}}),
    );
    let e = render(&m, &cfg(json!({"url": URL, "body": r#"{"m":"{{message}}"}"#})), NOW).unwrap_err();
    assert_eq!(e.code, ErrorCode::Unsupported);
    let b = body_of(json!({"url": URL, "body": r#"{"t":"{{title}}","p":{{content.body.wecom.text}}}"#}), &m);
    assert_eq!(b, json!({"t": "t", "p": {"content": "x"}}));
}

#[test]
fn render_json_entry_point() {
    let r = render_json(
        r#"{"content":{"type":"text","body":{"text":"hi"}}}"#,
        r#"{"url":"http://127.0.0.1:9/x","method":"PUT","body":"{\"t\":\"{{message}}\"}"}"#,
        NOW,
    )
    .unwrap();
    assert_eq!((r.method, r.url.as_str(), r.body.as_str()), (Method::Put, "http://127.0.0.1:9/x", r#"{"t":"hi"}"#));
    assert_eq!(render_json("{", r#"{"url":"http://127.0.0.1:9/x"}"#, NOW).unwrap_err().code, ErrorCode::InvalidMessage);
}

#[test]
fn errors_in_credential_headers_do_not_quote_them() {
    let e = cfg_err(json!({"url": URL, "headers": {"Authorization": "Bearer {{sk_live_123456}}"}}));
    assert!(e.message.contains("Authorization") && !e.message.contains("sk_live"), "{e}");
    let e = cfg_err(json!({"url": URL, "headers": {"X-Note": "{{nope}}"}}));
    assert!(e.message.contains("nope"), "{e}");
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn any_text() -> impl Strategy<Value = String> {
        "(\\PC|[\\x00-\\x1f\"\\\\/<>{}|\u{2028}])*"
    }

    const TOKENS: [&str; 20] = [
        "{",
        "}",
        "[",
        "]",
        "\"",
        ":",
        ",",
        "\"k\"",
        "1",
        "null",
        "{{title}}",
        "{{timestamp}}",
        "{{message|text}}",
        "\"a{{title}}b\"",
        "\\",
        " ",
        "{{",
        "}}",
        "{{content.body}}",
        "\"{{time|unix}}\"",
    ];

    /// A body text (never empty: the model refuses an empty text).
    fn body_text() -> impl Strategy<Value = String> {
        any_text().prop_map(|t| format!("x{t}"))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Whatever the message says, a checked template renders valid JSON
        /// whose values are exactly what the message said.
        #[test]
        fn any_text_renders_valid_json(title in any_text(), text in body_text()) {
            // a blank title is refused by the message reader (INVALID_MESSAGE), not by the engine
            prop_assume!(title.is_empty() || !title.trim().is_empty());
            let m = msg(json!({"content": {"type": "text", "title": title, "body": {"text": text}}}));
            let c = cfg(json!({"url": URL, "body": r#"{"t":"<{{title}}>","m":{{message}},"p":{{content.body.text}},"k {{title}}":[{{title|x}}]}"#}));
            let r = render(&m, &c, NOW).unwrap();
            let b: Value = serde_json::from_str(&r.body).unwrap();
            let shown_title = if title.is_empty() { "x".to_string() } else { title.clone() };
            prop_assert_eq!(&b["t"], &json!(format!("<{title}>")));
            prop_assert_eq!(&b["m"], &json!(text));
            prop_assert_eq!(&b[format!("k {title}")], &json!([shown_title]));
            prop_assert!(!r.body.contains("</"));
        }

        /// Any template text: compiled or refused with INVALID_CONFIG, never a
        /// panic; when compiled, it renders valid JSON for any message.
        #[test]
        fn any_template_compiles_or_is_refused(
            tokens in prop::collection::vec(prop::sample::select(TOKENS.to_vec()), 0..14),
            text in body_text(),
        ) {
            let src = tokens.concat();
            match WebhookConfig::from_value(&json!({"url": URL, "body": src})) {
                Err(e) => prop_assert_eq!(e.code, ErrorCode::InvalidConfig),
                Ok(c) => {
                    let m = msg(json!({"content": {"type": "text", "title": text, "body": {"text": text}}}));
                    let r = render(&m, &c, NOW).unwrap();
                    prop_assert!(serde_json::from_str::<Value>(&r.body).is_ok(), "{}", r.body);
                }
            }
        }

        /// Header values from the message: set as given, or refused, never split.
        #[test]
        fn header_values_never_carry_a_line_break(title in any_text()) {
            prop_assume!(title.is_empty() || !title.trim().is_empty());
            let m = msg(json!({"content": {"type": "text", "title": title, "body": {"text": "x"}}}));
            let c = cfg(json!({"url": URL, "headers": {"X-T": "a {{title}} b", "X-U": "{{title|url}}"}}));
            match render(&m, &c, NOW) {
                Ok(r) => {
                    for (_, v) in &r.headers {
                        prop_assert!(!v.contains(['\r', '\n', '\0']));
                    }
                    prop_assert!(r.header("x-u").unwrap().is_ascii());
                }
                Err(e) => prop_assert_eq!(e.code, ErrorCode::InvalidMessage),
            }
        }

        /// Any answer: a verdict, never a panic, and a bounded reason.
        #[test]
        fn any_answer_is_classified(status in 0u16..1000, body in any_text(), ra in proptest::option::of("[0-9A-Za-z ,:]{0,40}")) {
            let c = cfg(json!({"url": URL, "check": {"jsonPath": "a.b[0]", "equals": 1, "bodyContains": "a"}}));
            let r = check_response(&c, status, ra.as_deref(), &body, NOW, &[]);
            prop_assert!(r.platform_message.unwrap().chars().count() <= 260);
        }
    }
}
