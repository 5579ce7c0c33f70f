//! The send loop under the fake host (tests/common/host.rs) and its clock: retries, re-signing,
//! timeouts, rate windows, split parts, dedup, media, and no leaked secrets.

mod common;

use std::cell::RefCell;
use std::collections::HashMap;

use common::host::{Answer, DING, FEISHU, FakeHost, WECOM, block_on, to};
use serde_json::{Value, json};
use webhook_push::ErrorCode;
use webhook_push::limits::Overflow;
use webhook_push::model::UnifiedMessage;
use webhook_push::sender::{HttpError, SendResult, Sender, SenderOptions, Target, targets_from_env};
use webhook_push::target::Platform;

fn fake() -> FakeHost {
    FakeHost::new()
}

fn sender(f: &FakeHost) -> Sender<&FakeHost> {
    Sender::new(f, SenderOptions::default()).expect("options")
}

fn msg(v: Value) -> UnifiedMessage {
    UnifiedMessage::from_value(&v).expect("valid message")
}

fn text(t: &str) -> UnifiedMessage {
    msg(json!({"content": {"type": "text", "body": {"text": t}}}))
}

fn assert_no_secrets(r: &SendResult) {
    let s = r.to_value().to_string();
    for secret in ["SECRET-WECOM-KEY", "SECRETDINGTOKEN", "SECRET-FEISHU-HOOK", "SECsecret"] {
        assert!(!s.contains(secret), "result leaks {secret}: {s}");
    }
    for (i, _) in s.match_indices("sign=") {
        assert!(s[i + 5..].starts_with("***"), "result leaks a signature: {s}");
    }
}

#[test]
fn delivers_on_each_platform_and_signs() {
    let f = fake();
    let s = sender(&f);
    let r = block_on(s.send(&text("hi"), Platform::Wecom, &to(WECOM)));
    assert!(r.success, "{r:?}");
    assert_eq!((r.attempts, r.parts, r.parts_delivered), (1, 1, 1));
    let t = Target { webhook: DING.into(), secret: Some("SECsecret".into()) };
    let r = block_on(s.send(&text("hi"), Platform::DingTalk, &t));
    assert!(r.success);
    let t = Target { webhook: FEISHU.into(), secret: Some("SECsecret".into()) };
    assert!(block_on(s.send(&text("hi"), Platform::Feishu, &t)).success);
    let posts = f.posts.borrow();
    assert!(posts[1].url.contains("&timestamp=1700000000000&sign="), "{}", posts[1].url);
    let body: Value = serde_json::from_str(&posts[2].body).expect("json");
    assert_eq!(body["timestamp"], "1700000000");
    assert!(body["sign"].as_str().is_some_and(|s| s.len() == 44));
}

#[test]
fn retries_transient_failures_with_backoff() {
    let f = fake();
    let s = sender(&f);
    f.script.borrow_mut().extend([
        Answer::Body(r#"{"errcode":-1,"errmsg":"system busy"}"#),
        Answer::Status(502),
        Answer::Ok,
    ]);
    let start = f.now.get();
    let r = block_on(s.send(&text("hi"), Platform::Wecom, &to(WECOM)));
    assert!(r.success);
    assert_eq!(r.attempts, 3);
    let times: Vec<u64> = f.posts.borrow().iter().map(|p| p.at - start).collect();
    assert_eq!(times, vec![0, 1000, 3000], "1 s then 2 s (jitter centred)");
}

#[test]
fn permanent_errors_are_not_retried() {
    let f = fake();
    let s = sender(&f);
    f.script.borrow_mut().push_back(Answer::Body(r#"{"errcode":40058,"errmsg":"content exceed max length"}"#));
    let r = block_on(s.send(&text("hi"), Platform::Wecom, &to(WECOM)));
    assert!(!r.success);
    assert_eq!(r.attempts, 1);
    assert!(!r.retry_suggested);
    let e = r.error.expect("error");
    assert_eq!(
        (e.code, e.platform_code, e.platform_message.as_deref()),
        (ErrorCode::PlatformError, Some(40058), Some("content exceed max length"))
    );
}

#[test]
fn resigns_once_then_gives_up() {
    let f = fake();
    let s = sender(&f);
    let t = Target { webhook: FEISHU.into(), secret: Some("SECsecret".into()) };
    f.script
        .borrow_mut()
        .push_back(Answer::Body(r#"{"code":19021,"msg":"sign match fail or timestamp is not within one hour"}"#));
    let r = block_on(s.send(&text("a"), Platform::Feishu, &t));
    assert!(r.success);
    assert_eq!(r.attempts, 2);
    f.script.borrow_mut().extend([
        Answer::Body(r#"{"code":19021,"msg":"sign match fail"}"#),
        Answer::Body(r#"{"code":19021,"msg":"sign match fail"}"#),
    ]);
    let r = block_on(s.send(&text("b"), Platform::Feishu, &t));
    assert!(!r.success);
    assert_eq!(r.attempts, 2);
    assert!(!r.retry_suggested);
}

/// Feishu's 19021 to a bot given no secret: one attempt, and what to do (not "refused twice").
#[test]
fn a_signature_refused_for_a_bot_without_secret_says_to_give_it() {
    let f = fake();
    let s = sender(&f);
    f.script.borrow_mut().push_back(Answer::Body(r#"{"code":19021,"msg":"sign match fail"}"#));
    let r = block_on(s.send(&text("a"), Platform::Feishu, &to(FEISHU)));
    assert!(!r.success);
    assert_eq!(r.attempts, 1);
    assert!(!r.retry_suggested);
    let e = r.error.expect("error");
    assert!(e.message.contains("requires signing") && e.message.contains("secret"), "{}", e.message);
    assert_no_secrets_in(&e.message);
}

/// Feishu answers its rate limit as HTTP 400 {"code":9499,"msg":"too many request"}: retried
/// as a rate limit; 9499 with another message stays a bad request.
#[test]
fn feishus_400_too_many_request_is_a_rate_limit() {
    use webhook_push::sender::HttpResponse;
    let f = fake();
    let s = sender(&f);
    let reply = |msg: &str| {
        Answer::Reply(HttpResponse {
            status: 400,
            body: format!(r#"{{"code":9499,"msg":"{msg}","data":{{}}}}"#),
            retry_after: None,
        })
    };
    f.script.borrow_mut().extend([reply("too many request"), Answer::Ok]);
    let r = block_on(s.send(&text("a"), Platform::Feishu, &to(FEISHU)));
    assert!(r.success, "{r:?}");
    assert_eq!(r.attempts, 2);
    f.script.borrow_mut().push_back(reply("Bad Request"));
    let r = block_on(s.send(&text("b"), Platform::Feishu, &to(FEISHU)));
    assert!(!r.success);
    assert_eq!(r.attempts, 1);
    assert_eq!(r.error.map(|e| e.code), Some(ErrorCode::PlatformError));
}

/// An answer that is not the platform's JSON names its status and the kind and size of its body
/// (never its text), and a single attempt is not said to have "given up after retries".
#[test]
fn an_answer_that_is_not_json_names_its_status_and_body_kind() {
    use webhook_push::sender::HttpResponse;
    let f = fake();
    let s = Sender::new(
        &f,
        SenderOptions {
            retry: webhook_push::policy::RetryPolicy { max_retries: 0, ..Default::default() },
            ..Default::default()
        },
    )
    .expect("options");
    let page = "<html>502 Bad Gateway for /cgi-bin/webhook/send?key=SECRET-WECOM-KEY</html>";
    for (status, body, want) in [
        (502, page, format!("HTTP 502, an HTML body of {} bytes, not the platform's JSON", page.len())),
        (404, page, format!("HTTP 404, an HTML body of {} bytes, not the platform's JSON", page.len())),
        (500, "Internal error SECRET-WECOM-KEY", "HTTP 500, a body of 31 bytes that is not JSON".to_string()),
        (200, page, format!("HTTP 200, an HTML body of {} bytes, not the platform's JSON", page.len())),
        (502, "", "HTTP 502, an empty body, not the platform's JSON".to_string()),
        (
            400,
            r#"{"error":"SECRET-WECOM-KEY"}"#,
            "HTTP 400, a JSON body of 28 bytes without the platform's code".to_string(),
        ),
    ] {
        f.script.borrow_mut().push_back(Answer::Reply(HttpResponse { status, body: body.into(), retry_after: None }));
        let r = block_on(s.send(&text("a"), Platform::Wecom, &to(WECOM)));
        assert!(!r.success);
        assert_eq!(r.attempts, 1);
        let e = r.error.clone().expect("error");
        assert_eq!(e.platform_message.as_deref(), Some(want.as_str()), "{status} {body}");
        assert!(e.message.contains(&want), "{}", e.message);
        assert!(!e.message.contains("gave up after retries"), "{}", e.message);
        assert_no_secrets(&r);
    }
}

fn assert_no_secrets_in(s: &str) {
    for secret in ["SECRET-WECOM-KEY", "SECRETDINGTOKEN", "SECRET-FEISHU-HOOK", "SECsecret"] {
        assert!(!s.contains(secret), "leaks {secret}: {s}");
    }
}

#[test]
fn timeouts_retry_then_fail_with_timeout() {
    let f = fake();
    let s = sender(&f);
    f.script.borrow_mut().extend([Answer::Timeout, Answer::Timeout, Answer::Timeout, Answer::Timeout]);
    let r = block_on(s.send(&text("hi"), Platform::Wecom, &to(WECOM)));
    assert!(!r.success);
    assert_eq!(r.attempts, 4, "1 + maxRetries 3");
    assert_eq!(r.error.as_ref().map(|e| e.code), Some(ErrorCode::Timeout));
    assert!(r.retry_suggested);
}

#[test]
fn network_errors_are_scrubbed_of_secrets() {
    let f = fake();
    let s = sender(&f);
    let msg_with_url = format!("error sending request for url ({WECOM}): connection refused");
    f.script.borrow_mut().extend((0..4).map(|_| Answer::Fail(HttpError::Network(msg_with_url.clone()))));
    let r = block_on(s.send(&text("hi"), Platform::Wecom, &to(WECOM)));
    assert_eq!(r.error.as_ref().map(|e| e.code), Some(ErrorCode::NetworkError));
    assert_no_secrets(&r);
    assert!(r.error.as_ref().is_some_and(|e| e.message.contains("key=***")), "{r:?}");
    // a runtime that quotes the signed URL (Deno does): timestamp and sign go too
    let t = Target { webhook: DING.into(), secret: Some("SECsecret".into()) };
    let signed_err = format!("error sending request for url ({DING}&timestamp=1700000000000&sign=ab%2Bcd%3D): reset");
    f.script.borrow_mut().extend((0..4).map(|_| Answer::Fail(HttpError::Network(signed_err.clone()))));
    let r = block_on(s.send(&text("hi"), Platform::DingTalk, &t));
    assert_no_secrets(&r);
    assert!(!r.to_value().to_string().contains("ab%2Bcd"), "{r:?}");
    // and a bad URL names no credential either
    let r = block_on(s.send(
        &text("hi"),
        Platform::Wecom,
        &to("https://oapi.dingtalk.com/robot/send?access_token=SECRETDINGTOKEN"),
    ));
    assert_eq!(r.error.as_ref().map(|e| e.code), Some(ErrorCode::InvalidConfig));
    assert_no_secrets(&r);
}

#[test]
fn a_burst_of_50_to_one_bot_gets_no_rate_limit_errors() {
    let f = fake();
    f.enforce_window.set(true);
    let s = sender(&f);
    let start = f.now.get();
    let results: Vec<SendResult> =
        (0..50).map(|i| block_on(s.send(&text(&format!("m{i}")), Platform::Wecom, &to(WECOM)))).collect();
    assert!(results.iter().all(|r| r.success && r.attempts == 1));
    assert_eq!(f.rate_errors.get(), 0);
    let last = f.posts.borrow().last().map(|p| p.at - start).unwrap_or_default();
    assert!(last < 125_000, "50 messages take two windows, not more: {last} ms");
}

#[test]
fn past_max_queue_delay_resolves_with_rate_limit_and_retry_after() {
    let f = fake();
    let opts = SenderOptions { max_queue_delay_ms: 5_000, ..Default::default() };
    let s = Sender::new(&f, opts).expect("options");
    for i in 0..20 {
        assert!(block_on(s.send(&text(&format!("{i}")), Platform::DingTalk, &to(DING))).success);
    }
    let r = block_on(s.send(&text("21st"), Platform::DingTalk, &to(DING)));
    assert!(!r.success);
    assert_eq!(r.error.as_ref().map(|e| e.code), Some(ErrorCode::RateLimit));
    assert!(r.retry_suggested);
    assert!(r.retry_after.is_some_and(|w| w > 50_000 && w <= 61_000), "{:?}", r.retry_after);
    assert_eq!(f.posts.borrow().len(), 20, "nothing sent for the 21st");
}

#[test]
fn platform_rate_limit_blocks_the_bot_then_recovers() {
    let f = fake();
    let s = sender(&f);
    f.script.borrow_mut().push_back(Answer::Body(r#"{"errcode":45009,"errmsg":"api freq out of limit"}"#));
    let start = f.now.get();
    let r = block_on(s.send(&text("x"), Platform::Wecom, &to(WECOM)));
    assert!(r.success);
    assert_eq!(r.attempts, 2);
    assert!(f.posts.borrow()[1].at - start >= 60_000, "waited out the window");
}

#[test]
fn split_parts_go_in_order_as_one_result() {
    let f = fake();
    let s = sender(&f);
    let long: String = (0..300).map(|i| format!("line {i} of the report\n\n")).collect();
    let r = block_on(s.send(&text(&long), Platform::Wecom, &to(WECOM)));
    assert!(r.success);
    assert!(r.parts >= 3, "{}", r.parts);
    assert_eq!(r.parts_delivered, r.parts);
    {
        let posts = f.posts.borrow();
        assert_eq!(posts.len(), r.parts);
        let first: Value = serde_json::from_str(&posts[0].body).expect("json");
        let c = first["text"]["content"].as_str().unwrap_or_default();
        assert!(c.starts_with("line 0 ") && c.ends_with(&format!("(1/{})", r.parts)), "{c}");
    }
    // a failure in the middle reports what went out
    f.script.borrow_mut().extend([Answer::Ok, Answer::Body(r#"{"errcode":40058,"errmsg":"bad"}"#)]);
    let r = block_on(s.send(&text(&long), Platform::Wecom, &to(WECOM)));
    assert!(!r.success);
    assert_eq!(r.parts_delivered, 1);
}

#[test]
fn a_sends_own_overflow_replaces_the_senders() {
    let f = fake();
    let s = sender(&f);
    let long: String = (0..300).map(|i| format!("line {i} of the report\n\n")).collect();
    // the sender splits; this send truncates (a service URL's overflow=truncate)
    let r = block_on(s.send_with(&text(&long), Platform::Wecom, &to(WECOM), Some(Overflow::Truncate)));
    assert!(r.success, "{:?}", r.error);
    assert_eq!((r.parts, f.posts.borrow().len()), (1, 1));
    assert!(r.degraded.iter().any(|d| d.to.contains("trunc")), "{:?}", r.degraded);
    // overflow=error: nothing is posted
    let r = block_on(s.send_with(&text(&long), Platform::Wecom, &to(WECOM), Some(Overflow::Error)));
    assert!(!r.success);
    assert_eq!(f.posts.borrow().len(), 1);
    // none given: the sender's own (split)
    let r = block_on(s.send_with(&text(&long), Platform::Wecom, &to(WECOM), None));
    assert!(r.success && r.parts >= 3, "{}", r.parts);
}

#[test]
fn a_resend_after_a_partial_delivery_sends_only_the_rest() {
    let mut f = fake();
    f.store = Some(RefCell::new(HashMap::new()));
    let long: String = (0..300).map(|i| format!("line {i} of the report\n\n")).collect();
    let m = msg(json!({"metadata": {"message_id": "split-1"}, "content": {"type": "text", "body": {"text": long}}}));
    let s = sender(&f);
    f.script.borrow_mut().extend([Answer::Ok, Answer::Body(r#"{"errcode":40058,"errmsg":"bad"}"#)]);
    let r = block_on(s.send(&m, Platform::Wecom, &to(WECOM)));
    assert_eq!((r.success, r.parts_delivered), (false, 1));
    let n = r.parts;
    let sent_before = f.posts.borrow().len();
    // the same sender resumes at part 2
    let r = block_on(s.send(&m, Platform::Wecom, &to(WECOM)));
    assert!(r.success, "{r:?}");
    assert_eq!((r.parts, r.parts_delivered), (n, n));
    assert_eq!(f.posts.borrow().len() - sent_before, n - 1);
    let second: Value = serde_json::from_str(&f.posts.borrow()[sent_before].body).expect("json");
    assert!(second["text"]["content"].as_str().is_some_and(|c| c.ends_with(&format!("(2/{n})"))));
    // and then it is a duplicate
    let r = block_on(s.send(&m, Platform::Wecom, &to(WECOM)));
    assert_eq!(r.error.map(|e| e.code), Some(ErrorCode::Duplicate));
    // another sender sharing the store resumes the same way
    let m2 = msg(json!({"metadata": {"message_id": "split-2"}, "content": {"type": "text", "body": {"text": long}}}));
    f.script.borrow_mut().extend([Answer::Ok, Answer::Ok, Answer::Body(r#"{"errcode":40058,"errmsg":"bad"}"#)]);
    assert_eq!(block_on(s.send(&m2, Platform::Wecom, &to(WECOM))).parts_delivered, 2);
    let other = sender(&f);
    let before = f.posts.borrow().len();
    let r = block_on(other.send(&m2, Platform::Wecom, &to(WECOM)));
    assert!(r.success);
    assert_eq!(f.posts.borrow().len() - before, n - 2);
}

#[test]
fn dedup_by_message_id_per_bot() {
    let f = fake();
    let s = sender(&f);
    let m = msg(
        json!({"metadata": {"message_id": "unique-id-123"}, "content": {"type": "text", "body": {"text": "Same message"}}}),
    );
    assert!(block_on(s.send(&m, Platform::Wecom, &to(WECOM))).success);
    let again = block_on(s.send(&m, Platform::Wecom, &to(WECOM)));
    assert_eq!(again.error.as_ref().map(|e| e.code), Some(ErrorCode::Duplicate));
    assert_eq!(again.attempts, 0);
    assert_eq!(again.message_id.as_deref(), Some("unique-id-123"));
    assert!(block_on(s.send(&m, Platform::DingTalk, &to(DING))).success, "another bot is another delivery");
    assert_eq!(f.posts.borrow().len(), 2);
    // a failed delivery does not count: the retry may go
    let m2 = msg(json!({"metadata": {"message_id": "id-2"}, "content": {"type": "text", "body": {"text": "x"}}}));
    f.script.borrow_mut().push_back(Answer::Body(r#"{"errcode":40058,"errmsg":"bad"}"#));
    assert!(!block_on(s.send(&m2, Platform::Wecom, &to(WECOM))).success);
    assert!(block_on(s.send(&m2, Platform::Wecom, &to(WECOM))).success);
    // TTL: after it, the id may be sent again
    f.now.set(f.now.get() + 25 * 3_600_000);
    assert!(block_on(s.send(&m, Platform::Wecom, &to(WECOM))).success);
}

#[test]
fn a_resumed_send_that_fails_early_keeps_what_went_out() {
    let f = fake();
    let s = sender(&f);
    let long: String = (0..300).map(|i| format!("line {i} of the report\n\n")).collect();
    let m = msg(json!({"metadata": {"message_id": "early-1"}, "content": {"type": "text", "body": {"text": long}}}));
    f.script.borrow_mut().extend([Answer::Ok, Answer::Body(r#"{"errcode":40058,"errmsg":"bad"}"#)]);
    let r = block_on(s.send(&m, Platform::Wecom, &to(WECOM)));
    assert_eq!(r.parts_delivered, 1);
    let n = r.parts;
    // the same id fails before any part is rendered (a WeCom file whose base64 is bad:
    // the upload step refuses it) ...
    let bad = msg(
        json!({"metadata": {"message_id": "early-1"}, "content": {"type": "file", "body": {"base64": "@@not base64@@"}}}),
    );
    let r = block_on(s.send(&bad, Platform::Wecom, &to(WECOM)));
    assert_eq!(r.error.map(|e| e.code), Some(ErrorCode::InvalidMessage));
    // ... and what went out before is still remembered: the report resumes at part 2
    let before = f.posts.borrow().len();
    let r = block_on(s.send(&m, Platform::Wecom, &to(WECOM)));
    assert!(r.success, "{r:?}");
    assert_eq!(f.posts.borrow().len() - before, n - 1);
}

#[test]
fn dedup_memory_is_bounded() {
    let f = fake();
    let opts = SenderOptions { dedup_max_entries: 100, rate_limit: false, ..Default::default() };
    let s = Sender::new(&f, opts).expect("options");
    for i in 0..1000 {
        let m = msg(
            json!({"metadata": {"message_id": format!("id-{i}")}, "content": {"type": "text", "body": {"text": "x"}}}),
        );
        block_on(s.send(&m, Platform::Wecom, &to(WECOM)));
    }
    assert!(s.held().1 <= 100);
}

#[test]
fn shared_store_dedups_across_senders() {
    let mut f = fake();
    f.store = Some(RefCell::new(HashMap::new()));
    let m = msg(json!({"metadata": {"message_id": "shared-1"}, "content": {"type": "text", "body": {"text": "x"}}}));
    let a = sender(&f);
    assert!(block_on(a.send(&m, Platform::Wecom, &to(WECOM))).success);
    let key = f.store.as_ref().map(|s| s.borrow().keys().next().cloned().unwrap_or_default()).unwrap_or_default();
    assert!(key.starts_with("webhook-push:") && !key.contains("SECRET"), "{key}");
    let b = sender(&f);
    let r = block_on(b.send(&m, Platform::Wecom, &to(WECOM)));
    assert_eq!(r.error.map(|e| e.code), Some(ErrorCode::Duplicate));
}

#[test]
fn wecom_image_by_url_is_fetched_and_sent_as_bytes() {
    let f = fake();
    let png = b"\x89PNG\r\n\x1a\nrest-of-png".to_vec();
    f.files.borrow_mut().insert("https://example.com/a.png".into(), png.clone());
    f.files.borrow_mut().insert("https://example.com/a.gif".into(), b"GIF89a....".to_vec());
    let s = sender(&f);
    let m = msg(json!({"content": {"type": "image", "body": {"url": "https://example.com/a.png"}}}));
    let r = block_on(s.send(&m, Platform::Wecom, &to(WECOM)));
    assert!(r.success && r.degraded.is_empty(), "{r:?}");
    let body: Value = serde_json::from_str(&f.posts.borrow()[0].body).expect("json");
    assert_eq!(body["msgtype"], "image");
    assert_eq!(body["image"]["md5"].as_str().map(str::len), Some(32));
    // not a JPG/PNG: the news card, recorded
    let m = msg(json!({"content": {"type": "image", "body": {"url": "https://example.com/a.gif"}}}));
    let r = block_on(s.send(&m, Platform::Wecom, &to(WECOM)));
    assert!(r.success);
    // one record: the media step's reason, not the renderer's again for the same step
    let steps: Vec<_> = r.degraded.iter().map(|d| (d.from.as_str(), d.to.as_str(), d.reason.as_str())).collect();
    assert_eq!(steps, [("image", "news", "the image is not a JPG or PNG")], "{:?}", r.degraded);
}

#[test]
fn wecom_file_is_uploaded_then_sent_by_media_id() {
    let f = fake();
    f.files.borrow_mut().insert("https://example.com/report.pdf".into(), b"%PDF-1.4 report".to_vec());
    let s = sender(&f);
    let m = msg(
        json!({"content": {"type": "file", "body": {"url": "https://example.com/report.pdf", "name": "report.pdf"}}}),
    );
    let r = block_on(s.send(&m, Platform::Wecom, &to(WECOM)));
    assert!(r.success, "{r:?}");
    let up = f.uploads.borrow();
    assert_eq!(up.len(), 1);
    assert!(up[0].0.contains("/cgi-bin/webhook/upload_media?key=SECRET-WECOM-KEY&type=file"));
    assert_eq!(up[0].1, "media:report.pdf");
    let body: Value = serde_json::from_str(&f.posts.borrow()[0].body).expect("json");
    assert_eq!(body, json!({"msgtype": "file", "file": {"media_id": "MEDIA1"}}));
}

#[test]
fn send_multi_reports_each_platform() {
    let f = fake();
    let s = sender(&f);
    let targets =
        vec![(Platform::Wecom, to(WECOM)), (Platform::DingTalk, to(DING)), (Platform::Feishu, to("not a key!"))];
    let rs = block_on(s.send_multi(&text("hi"), &targets));
    assert_eq!(rs.len(), 3);
    assert!(rs[0].success && rs[1].success);
    assert_eq!(rs[2].error.as_ref().map(|e| e.code), Some(ErrorCode::InvalidConfig));
}

#[test]
fn env_targets_follow_the_seed_names() {
    let env: HashMap<&str, &str> = [
        ("WECOM_WEBHOOK_KEY", "k-123456789"),
        ("FEISHU_WEBHOOK_ID", "hook-1234"),
        ("FEISHU_SECRET", "s3cret"),
        ("DINGTALK_SECRET", "x"),
    ]
    .into_iter()
    .collect();
    let (targets, skipped) = targets_from_env(|k| env.get(k).map(|v| v.to_string()));
    assert_eq!(targets.iter().map(|(p, _)| *p).collect::<Vec<_>>(), vec![Platform::Wecom, Platform::Feishu]);
    assert_eq!(targets[1].1.secret.as_deref(), Some("s3cret"));
    assert_eq!(skipped, vec![Platform::DingTalk, Platform::Lark]);
}

#[test]
fn bad_options_are_refused() {
    let f = fake();
    let mut opts = SenderOptions::default();
    opts.retry.backoff_multiplier = 0.5;
    assert!(Sender::new(&f, opts).is_err());
}

#[test]
fn each_target_is_posted_to_its_own_url_and_the_remembered_targets_stay_bounded() {
    let f = fake();
    let s = Sender::new(&f, SenderOptions { rate_limit: false, ..SenderOptions::default() }).expect("options");
    let key = |i: usize| format!("bounded-target-key-{i:05}");
    // more targets than a sender keeps, then the first ones again (forgotten by then)
    let order: Vec<usize> = (0..1500).chain(0..3).chain([1499]).collect();
    for &i in &order {
        let r = block_on(s.send(&text("hi"), Platform::Wecom, &to(&key(i))));
        assert!(r.success, "{r:?}");
        assert!(s.targets_held() <= 1024, "{} targets held", s.targets_held());
    }
    let posts = f.posts.borrow();
    assert_eq!(posts.len(), order.len());
    for (p, &i) in posts.iter().zip(&order) {
        assert!(p.url.ends_with(&format!("key={}", key(i))), "{} is not the URL of target {i}", p.url);
    }
    // a bad target is still refused each time, remembered or not
    for _ in 0..2 {
        let r = block_on(s.send(&text("hi"), Platform::Wecom, &to("no")));
        assert_eq!(r.error.map(|e| e.code), Some(ErrorCode::InvalidConfig));
    }
}
