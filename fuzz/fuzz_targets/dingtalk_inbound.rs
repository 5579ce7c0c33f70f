//! DingTalk robot inbound (HTTP mode): the `timestamp` / `sign` headers and the message body.
//!
//! Oracles: any headers and body give a typed value or a typed refusal that quotes neither
//! the app secret nor the sign; a sign computed here (HMAC-SHA256 from the `hmac` crate) is
//! accepted within one hour of the clock and refused as stale past it; a sign with one
//! character changed, or made with another secret, is refused; an accepted message shows as
//! a JS value with its msgId, and its sessionWebhook is offered only before it expires.
#![no_main]

#[path = "inbound_common.rs"]
mod inbound_common;

use inbound_common::*;
use libfuzzer_sys::fuzz_target;
use webhook_push::inbound::{Reason, crypto, dingtalk};

const SECRET: &str = "this is a secret";
const NOW: u64 = 1_577_262_236_757;
const HOUR: u64 = 3_600_000;

fn check_message(m: &dingtalk::Message, now_ms: u64) {
    let v = m.to_value();
    assert_eq!(v["platform"], "dingtalk");
    assert_eq!(v["id"].as_str(), Some(m.id()));
    let _ = m.sender();
    match m.reply_url(now_ms) {
        Ok(u) => {
            assert!(!u.is_empty());
            assert!(m.session_webhook_expired_time.is_none_or(|t| t >= 0 && (t as u64) > now_ms));
        }
        Err(e) => check_rejection(&e, &[Reason::BadReply], &[], &[]),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else { return };
    if sel & 1 == 0 {
        // anything, as secret / timestamp / sign / body
        let f = fields(rest, 4);
        let now = NOW.wrapping_add(u64::from(sel) << 20);
        let allowed =
            [Reason::BadConfig, Reason::BadSignature, Reason::StaleTimestamp, Reason::BadBody, Reason::UnknownType];
        match dingtalk::open(&f[0], &f[1], &f[2], &f[3], now) {
            Ok(m) => check_message(&m, now),
            Err(e) => check_rejection(&e, &allowed, &[], &[&f[0], &f[2]]),
        }
        match dingtalk::parse(&f[3]) {
            Ok(m) => check_message(&m, now),
            Err(e) => check_rejection(&e, &[Reason::BadBody, Reason::UnknownType], &[], &[&f[3]]),
        }
        return;
    }
    // a sign made here, at a fuzzer-chosen distance from the clock
    if rest.len() < 9 {
        return;
    }
    let (h, secret) = rest.split_at(9);
    let secret = if secret.is_empty() { SECRET.to_string() } else { String::from_utf8_lossy(secret).into_owned() };
    let offset = i64::from_be_bytes(h[..8].try_into().unwrap()) % (3 * HOUR as i64);
    let ts = NOW.saturating_add_signed(offset);
    let ts_s = ts.to_string();
    let sign = hmac_b64(secret.as_bytes(), format!("{ts}\n{secret}").as_bytes());
    let fresh = NOW.abs_diff(ts) <= HOUR;
    match crypto::dingtalk_verify(&secret, &ts_s, &sign, NOW) {
        Ok(()) => assert!(fresh, "a sign {offset} ms off was accepted"),
        Err(e) => {
            assert!(!fresh, "a fresh sign was refused: {e}");
            assert_eq!(e.reason, Reason::StaleTimestamp);
        }
    }
    if !fresh {
        return;
    }
    // one character of the sign changed: refused
    let mut bad = sign.clone().into_bytes();
    let i = usize::from(h[8]) % bad.len();
    bad[i] = if bad[i] == b'A' { b'B' } else { b'A' };
    let bad = String::from_utf8(bad).unwrap();
    let e = crypto::dingtalk_verify(&secret, &ts_s, &bad, NOW).expect_err("a changed sign was accepted");
    check_rejection(&e, &[Reason::BadSignature], &[&sign, &bad], &[&secret]);
    // another secret: refused
    let other = format!("{secret}x");
    let e = crypto::dingtalk_verify(&other, &ts_s, &sign, NOW).expect_err("another secret's sign was accepted");
    check_rejection(&e, &[Reason::BadSignature], &[&sign], &[&secret]);
});
