//! Regressions from the code review of the send loop: each test reproduced a bug (overflow on
//! an absurd Retry-After, duplicates through a shared store, dedup order, windows counted at
//! send time, a clock stepping back, waits beyond maxTotalTime) and now guards its fix.

mod common;

use common::host::{Answer, DING, FakeHost, WECOM, block_on, text_id, to};
use serde_json::json;
use webhook_push::ErrorCode;
use webhook_push::sender::{HttpError, HttpResponse, Sender, SenderOptions, Target};
use webhook_push::target::Platform;

fn t() -> FakeHost {
    FakeHost::new()
}

/// A 503 or a 429 with an absurd Retry-After: `now + retry_after` overflowed (a panic in a
/// debug build; in release it wrapped and reported retryAfter 18446744073709551615). Now the
/// wait is capped at an hour and the sum saturates.
#[test]
fn huge_retry_after_is_capped() {
    for status in [503, 429] {
        let f = t();
        f.script.borrow_mut().push_back(Answer::Reply(HttpResponse {
            status,
            body: "busy".into(),
            retry_after: Some("18446744073709551615".into()),
        }));
        let s = Sender::new(&f, SenderOptions::default()).unwrap();
        let r = block_on(s.send(&text_id("x", None), Platform::Wecom, &to(WECOM)));
        assert!(!r.success, "{status}: an hour's wait exceeds maxTotalTime");
        assert!(r.retry_suggested);
        assert!(r.retry_after.is_some_and(|w| w <= 3_600_000), "{status}: retryAfter {:?}", r.retry_after);
    }
}

/// Concurrent sends of the same message_id with a shared store: one goes out, the other is a
/// DUPLICATE (both went out while the store read was in flight).
#[test]
fn concurrent_duplicates_with_a_store_post_once() {
    let f = FakeHost::with_store();
    let s = Sender::new(&f, SenderOptions::default()).unwrap();
    let m = text_id("once", Some("id-1"));
    let rs = block_on(s.send_multi(&m, &[(Platform::Wecom, to(WECOM)), (Platform::Wecom, to(WECOM))]));
    assert_eq!(f.post_count(), 1, "the same message_id was posted {} times", f.post_count());
    let outcomes: Vec<_> = rs.iter().map(|r| (r.success, r.error.as_ref().map(|e| e.code))).collect();
    assert_eq!(outcomes, [(true, None), (false, Some(ErrorCode::Duplicate))]);
}

/// A failed send leaves its key in seen_order; the later success adds it again;
/// eviction then forgets a live entry while the table is under its bound.
#[test]
fn dedup_order_duplicates_evict_live_entries() {
    let f = t();
    let opts = SenderOptions { dedup_max_entries: 2, ..Default::default() };
    let s = Sender::new(&f, opts).unwrap();
    let x = text_id("x", Some("X"));
    f.script.borrow_mut().push_back(Answer::Reply(HttpResponse {
        status: 200,
        body: r#"{"errcode":40058,"errmsg":"bad"}"#.into(),
        retry_after: None,
    }));
    assert!(!block_on(s.send(&x, Platform::Wecom, &to(WECOM))).success);
    assert!(block_on(s.send(&x, Platform::Wecom, &to(WECOM))).success);
    assert!(block_on(s.send(&text_id("y", Some("Y")), Platform::Wecom, &to(WECOM))).success);
    // two live ids, bound 2: X must still be remembered
    let again = block_on(s.send(&x, Platform::Wecom, &to(WECOM)));
    assert_eq!(again.error.map(|e| e.code), Some(ErrorCode::Duplicate), "X delivered twice");
}

/// Windows are counted at send time + 300 ms margin; the platform counts at
/// arrival. A first request that takes 1 s to arrive (cold TLS) and fast later
/// ones put 21 arrivals in 60 s: DingTalk then blocks the bot for 10 minutes.
#[test]
fn window_counted_at_send_not_arrival() {
    let f = t();
    f.enforce_window.set(true);
    f.latency.borrow_mut().push_back(1000);
    let s = Sender::new(&f, SenderOptions::default()).unwrap();
    for i in 0..21 {
        let r = block_on(s.send(&text_id(&format!("m{i}"), None), Platform::DingTalk, &to(DING)));
        if !r.success {
            eprintln!("{i}: {:?}", r.error);
        }
    }
    assert_eq!(f.rate_errors.get(), 0, "platform saw > 20 in 60 s");
}

/// The clock going back (NTP step on a Node host) between start and a retry:
/// `now + delay - start` underflows (debug panic; release: wraps to "no time left").
#[test]
fn clock_going_back_underflows() {
    let f = t();
    f.script.borrow_mut().push_back(Answer::Reply(HttpResponse {
        status: 200,
        body: r#"{"errcode":-1,"errmsg":"busy"}"#.into(),
        retry_after: None,
    }));
    f.step_back.set(10_000);
    let s = Sender::new(&f, SenderOptions::default()).unwrap();
    let r = block_on(s.send(&text_id("x", None), Platform::Wecom, &to(WECOM)));
    eprintln!("{r:?}");
    assert!(r.success, "a transient -1 was not retried after a clock step");
}

/// maxTotalTime ("a bound on the whole delivery, waits included") does not bound
/// rate-window waits: 60 WeCom parts take ~3 minutes with the default 120 s bound.
#[test]
fn max_total_time_does_not_bound_rate_waits() {
    let f = t();
    let s = Sender::new(&f, SenderOptions::default()).unwrap();
    let long: String = (0..60).map(|i| format!("{i} {}\n\n", "x".repeat(2000))).collect();
    let start = f.now.get();
    let r = block_on(s.send(&text_id(&long, None), Platform::Wecom, &to(WECOM)));
    eprintln!(
        "parts {} delivered {} elapsed {} ms success {}",
        r.parts,
        r.parts_delivered,
        f.now.get() - start,
        r.success
    );
    assert!(f.now.get() - start <= 120_000, "delivery took {} ms", f.now.get() - start);
}

/// Issue 8, defect 7: a redirect was followed (a 307 re-posted the signed body elsewhere and
/// was reported delivered). Now the transport reports it and the send fails at once, permanent,
/// naming the status and the redacted location.
#[test]
fn a_redirect_is_a_permanent_error_with_the_redacted_location() {
    let f = t();
    f.script.borrow_mut().push_back(Answer::Fail(HttpError::Redirect {
        status: 307,
        location: Some("https://evil.example/cgi-bin/webhook/send?key=SECRET-WECOM-KEY".into()),
    }));
    let s = Sender::new(&f, SenderOptions::default()).unwrap();
    let r = block_on(s.send(&text_id("x", None), Platform::Wecom, &to(WECOM)));
    assert!(!r.success);
    assert_eq!(f.post_count(), 1, "not retried");
    assert!(!r.retry_suggested);
    let e = r.error.clone().unwrap();
    assert_eq!(e.code, ErrorCode::PlatformError);
    assert!(e.message.contains("307") && e.message.contains("evil.example"), "{}", e.message);
    assert!(!format!("{:?}", r.to_value()).contains("SECRET-WECOM-KEY"));
}

/// Issue 8, defect 8: a platform (or proxy) echoing the computed signature put it in the
/// result, raw, percent-encoded or double-encoded. All are scrubbed now.
#[test]
fn an_echoed_signature_is_scrubbed_in_every_encoding() {
    let f = t();
    let secret = "SECsecretsecret0123";
    let sig = webhook_push::sign::feishu_sign(secret, f.now.get() / 1000).unwrap();
    let once = webhook_push::sign::encode_query_value(&sig);
    let twice = webhook_push::sign::encode_query_value(&once);
    assert_ne!(once, sig, "this signature has characters that encode");
    let echo = format!("sign mismatch: {sig} | {once} | {twice} | {}", once.to_lowercase());
    let body = serde_json::to_string(&json!({"code": 19024, "msg": echo})).unwrap();
    f.script.borrow_mut().push_back(Answer::Reply(HttpResponse { status: 200, body: body.clone(), retry_after: None }));
    let s = Sender::new(&f, SenderOptions::default()).unwrap();
    let target = Target { webhook: "hookid12345678".into(), secret: Some(secret.into()) };
    let r = block_on(s.send(&text_id("x", None), Platform::Feishu, &target));
    assert!(!r.success);
    let out = r.to_value().to_string();
    assert!(out.contains("sign mismatch"), "{out}");
    // the raw signature, and each encoding (base64 of an HMAC has + / = often; a lone
    // fragment of 12 characters would be a leak too)
    for leak in [sig.as_str(), &once, &twice, &sig[..12]] {
        assert!(!out.contains(leak), "{leak} in {out}");
    }
}

/// Issue 8, defect 13: the same bot given as a bare key and as a URL (or with an extra
/// query parameter) had two dedup records and two rate windows. Keyed by identity now.
#[test]
fn one_bot_given_two_ways_shares_dedup_and_rate_window() {
    let f = t();
    let opts = SenderOptions { max_queue_delay_ms: 0, ..SenderOptions::default() };
    let s = Sender::new(&f, opts).unwrap();
    let bare = to("SECRET-WECOM-KEY");
    let url = to(WECOM);
    let extra = to("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?debug=1&key=SECRET-WECOM-KEY");
    assert!(block_on(s.send(&text_id("x", Some("m1")), Platform::Wecom, &bare)).success);
    let again = block_on(s.send(&text_id("x", Some("m1")), Platform::Wecom, &url));
    assert_eq!(again.error.map(|e| e.code), Some(ErrorCode::Duplicate));
    let again = block_on(s.send(&text_id("x", Some("m1")), Platform::Wecom, &extra));
    assert_eq!(again.error.map(|e| e.code), Some(ErrorCode::Duplicate));
    // 19 more through the URL fill the bot's 20 a minute; the 21st, by the other form, waits
    for i in 0..19 {
        let target = if i % 2 == 0 { &url } else { &extra };
        assert!(block_on(s.send(&text_id("x", None), Platform::Wecom, target)).success);
    }
    let r = block_on(s.send(&text_id("x", None), Platform::Wecom, &bare));
    assert_eq!(r.error.map(|e| e.code), Some(ErrorCode::RateLimit));
    assert_eq!(f.post_count(), 20);
    assert_eq!(s.held().0, 1, "one rate window for the one bot");
}
