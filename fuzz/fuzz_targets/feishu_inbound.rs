//! Feishu / Lark events: decrypt (key = SHA-256(Encrypt Key)), `X-Lark-Signature` over the raw
//! body, the verification token, `url_verification`, `im.message.receive_v1`,
//! `card.action.trigger`.
//!
//! Oracles: any body and headers give a typed event or a typed refusal quoting neither key,
//! token nor signature; encrypt → decrypt gives back the plaintext; an encrypted event signed
//! here (independent SHA-256) is opened, and the same body with one byte changed, or with the
//! signature of another key, is refused; an accepted event shows as a JS value with its id.
#![no_main]

#[path = "inbound_common.rs"]
mod inbound_common;

use inbound_common::*;
use libfuzzer_sys::fuzz_target;
use webhook_push::inbound::feishu::{self, Credentials, Event, Headers};
use webhook_push::inbound::{Reason, crypto};

const KEY: &str = "1212121212";
const TOKEN: &str = "v-token-fuzz-1234";
const NOW: u64 = 1_700_000_000;

const OPEN_REASONS: [Reason; 8] = [
    Reason::BadConfig,
    Reason::BadSignature,
    Reason::StaleTimestamp,
    Reason::BadToken,
    Reason::BadCiphertext,
    Reason::BadPadding,
    Reason::BadBody,
    Reason::UnknownType,
];

fn check_event(ev: &Event) {
    let v = ev.to_value();
    match ev {
        Event::Challenge(c) => assert_eq!(v["challenge"].as_str(), Some(c.as_str())),
        Event::Message(m) => {
            assert_eq!(v["id"].as_str(), Some(m.event_id.as_str()));
            assert_eq!(ev.id(), Some(m.event_id.as_str()));
            let _ = m.text();
        }
        Event::CardAction(c) => assert_eq!(v["id"].as_str(), Some(c.event_id.as_str())),
    }
}

fn signature(ts: &str, nonce: &str, key: &str, body: &[u8]) -> String {
    hex(&sha256(&[ts.as_bytes(), nonce.as_bytes(), key.as_bytes(), body]))
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else { return };
    let creds = Credentials {
        encrypt_key: if sel & 2 != 0 { KEY.into() } else { String::new() },
        verification_token: if sel & 4 != 0 { TOKEN.into() } else { String::new() },
    };
    if sel & 1 == 0 {
        // anything, as a body (and headers), and as a ciphertext
        let f = fields(rest, 4);
        let headers = Headers { timestamp: Some(&f[0]), nonce: Some(&f[1]), signature: Some(&f[2]) };
        let skew = if sel & 8 != 0 { 300 } else { 0 };
        match feishu::open(&creds, headers, &f[3], NOW, skew) {
            Ok(ev) => check_event(&ev),
            Err(e) => check_rejection(&e, &OPEN_REASONS, &[KEY, TOKEN], &[&f[2]]),
        }
        if let Err(e) = crypto::feishu_decrypt(KEY, &f[3]) {
            check_rejection(&e, &[Reason::BadCiphertext, Reason::BadPadding], &[KEY], &[&f[3]]);
        }
        return;
    }
    // a plaintext of the fuzzer's, encrypted and signed here
    if rest.len() < 17 {
        return;
    }
    let (h, pt) = rest.split_at(17);
    let iv: [u8; 16] = h[..16].try_into().unwrap();
    let pt = String::from_utf8_lossy(pt);
    let enc = crypto::feishu_encrypt(KEY, &iv, &pt).expect("any plaintext encrypts");
    assert_eq!(crypto::feishu_decrypt(KEY, &enc).expect("a round trip decrypts"), pt);
    let body = format!("{{\"encrypt\":\"{enc}\"}}");
    let (ts, nonce) = ("1700000000", "nonce-fuzz");
    let sig = signature(ts, nonce, KEY, body.as_bytes());
    let creds = Credentials { encrypt_key: KEY.into(), ..creds };
    let headers = Headers { timestamp: Some(ts), nonce: Some(nonce), signature: Some(&sig) };
    let first = feishu::open(&creds, headers, &body, NOW, 300);
    match &first {
        Ok(ev) => check_event(ev),
        Err(e) => {
            check_rejection(e, &OPEN_REASONS, &[KEY, TOKEN, &sig], &[]);
            // the signature was right: a refusal is about the event itself
            assert_ne!(e.reason, Reason::BadSignature, "{}", e.message);
        }
    }
    if matches!(first, Ok(Event::Challenge(_))) {
        return; // url_verification is answered before the signature check, as the platform expects
    }
    // one byte of the body changed: never an event. (A url_verification is not signed, and
    // CBC lets a changed IV flip bits of the first block, so a changed body may become one.)
    let mut bad = body.clone().into_bytes();
    let i = usize::from(h[16]) * 7 % bad.len();
    bad[i] = if bad[i] == b'A' { b'B' } else { b'A' };
    if let Ok(bad) = String::from_utf8(bad)
        && let Ok(ev @ (Event::Message(_) | Event::CardAction(_))) = feishu::open(&creds, headers, &bad, NOW, 300)
    {
        panic!("a changed body was accepted: {ev:?}");
    }
    // the signature of another key: refused
    let other = signature(ts, nonce, "another key", body.as_bytes());
    let e = feishu::open(&creds, Headers { signature: Some(&other), ..headers }, &body, NOW, 300)
        .expect_err("another key's signature was accepted");
    if first.is_ok() {
        assert_eq!(e.reason, Reason::BadSignature, "{}", e.message);
    }
});
