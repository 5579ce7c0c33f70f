//! WXBizMsgCrypt (WeCom AI-bot callbacks, DingTalk event callbacks): `WxCrypt::decrypt` and
//! `wecom::open` on any input, and on plaintexts the fuzzer lays out itself (random ‖ length
//! ‖ msg ‖ receiveid ‖ padding, any of them wrong), encrypted here with the key.
//!
//! Oracles: only typed refusals (the reasons a callback can have), none quoting the token, the
//! key, a signature or the ciphertext; `decrypt` agrees with an independent model of the
//! scheme (PKCS#7 to 32 bytes, the length field, the receiveid, UTF-8); `encrypt` → `decrypt`
//! and `envelope` give back the plaintext with the signature an independent SHA-1 computes;
//! a callback whose ciphertext was tampered with (one bit) is refused under its signature, and
//! never decrypts to the original message.
#![no_main]

#[path = "inbound_common.rs"]
mod inbound_common;

use base64::Engine as _;
use inbound_common::*;
use libfuzzer_sys::fuzz_target;
use webhook_push::inbound::Reason;
use webhook_push::inbound::crypto::WxCrypt;
use webhook_push::inbound::wecom::{self, Inbound, Query};

const TOKEN: &str = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo";
const AES_KEY: &str = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt";
/// Internal AI bots have an empty receiveid; the others a corp id / app key.
const RIDS: [&str; 2] = ["", "ww1436e0e65a779aee"];
const TS: &str = "1409659813";
const NONCE: &str = "1372623149";

const OPEN_REASONS: [Reason; 8] = [
    Reason::BadSignature,
    Reason::StaleTimestamp,
    Reason::BadCiphertext,
    Reason::BadPadding,
    Reason::BadReceiveId,
    Reason::BadBody,
    Reason::UnknownType,
    Reason::BadToken,
];
const DECRYPT_REASONS: [Reason; 3] = [Reason::BadCiphertext, Reason::BadPadding, Reason::BadReceiveId];

/// The scheme, written from protocols.md §0.1 independently of src/inbound/crypto.rs.
fn model(plain: &[u8], rid: &str) -> Result<String, Reason> {
    let n = *plain.last().ok_or(Reason::BadPadding)? as usize;
    if n == 0 || n > 32 || n > plain.len() || plain[plain.len() - n..].iter().any(|&b| b as usize != n) {
        return Err(Reason::BadPadding);
    }
    let body = &plain[..plain.len() - n];
    if body.len() < 20 {
        return Err(Reason::BadCiphertext);
    }
    let len = u32::from_be_bytes(body[16..20].try_into().unwrap()) as usize;
    let rest = &body[20..];
    if len > rest.len() {
        return Err(Reason::BadCiphertext);
    }
    if &rest[len..] != rid.as_bytes() {
        return Err(Reason::BadReceiveId);
    }
    String::from_utf8(rest[..len].to_vec()).map_err(|_| Reason::BadCiphertext)
}

/// Open a signed POST callback carrying `encrypt`.
fn open_post(c: &WxCrypt, encrypt: &str, sig: &str) -> Result<Inbound, webhook_push::inbound::Rejection> {
    let body = format!("{{\"encrypt\":\"{encrypt}\"}}");
    let q = Query { msg_signature: sig, timestamp: TS, nonce: NONCE, echostr: None };
    wecom::open(c, q, Some(&body), 1409659813, 300)
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else { return };
    let rid = RIDS[(sel & 1) as usize];
    let c = WxCrypt::new(TOKEN, AES_KEY, rid).expect("the V1 credentials are valid");
    let key = wx_key(AES_KEY);
    let iv: [u8; 16] = key[..16].try_into().unwrap();
    match (sel >> 1) % 4 {
        // any text: as a ciphertext, and as a whole request (signature, timestamp, nonce, body/echostr)
        0 => {
            let s = String::from_utf8_lossy(rest);
            if let Err(e) = c.decrypt(&s) {
                check_rejection(&e, &DECRYPT_REASONS, &[TOKEN, AES_KEY], &[&s]);
            }
            let f = fields(rest, 5);
            let q = Query {
                msg_signature: &f[0],
                timestamp: &f[1],
                nonce: &f[2],
                echostr: (sel & 0x20 != 0).then_some(f[3].as_str()),
            };
            let skew = if sel & 0x40 != 0 { 300 } else { 0 };
            if let Err(e) = wecom::open(&c, q, Some(&f[4]), 1409659813, skew) {
                check_rejection(&e, &OPEN_REASONS, &[TOKEN, AES_KEY], &[&f[0], &f[3], &f[4]]);
            }
            if let Err(e) = c.decrypt_media(rest) {
                check_rejection(&e, &DECRYPT_REASONS, &[TOKEN, AES_KEY], &[]);
            }
        }
        // a plaintext laid out by the fuzzer, encrypted with the key: decrypt agrees with the model
        1 | 2 => {
            if rest.len() < 8 {
                return;
            }
            let (h, msg) = rest.split_at(8);
            let mut plain = Vec::with_capacity(msg.len() + 80);
            plain.extend_from_slice(b"0123456789abcdef"); // the random prefix
            let len = (msg.len() as i64 + i64::from(h[0] as i8)).clamp(0, u32::MAX as i64) as u32;
            plain.extend_from_slice(&len.to_be_bytes());
            plain.extend_from_slice(msg);
            match h[1] % 4 {
                0 => plain.extend_from_slice(rid.as_bytes()),
                1 => plain.extend_from_slice(RIDS[1 - (sel & 1) as usize].as_bytes()),
                2 => plain.extend_from_slice(&rid.as_bytes()[..rid.len().saturating_sub(1)]),
                _ => {
                    plain.extend_from_slice(rid.as_bytes());
                    plain.push(h[2]);
                }
            }
            // padding: correct PKCS#7 to 32 bytes, or a fuzzer-chosen count / byte
            let pad = if h[3] % 4 == 0 { h[4] as usize % 48 } else { 32 - plain.len() % 32 };
            let fill = if h[3] % 4 == 1 { h[5] } else { pad as u8 };
            plain.extend(std::iter::repeat_n(pad as u8, pad));
            if let Some(last) = plain.len().checked_sub(1 + (h[6] as usize % 40))
                && h[3] % 4 == 1
            {
                plain[last] = fill;
            }
            while plain.len() % 16 != 0 {
                plain.push(h[7]);
            }
            let want = model(&plain, rid);
            let enc = B64.encode(cbc_encrypt_raw(&key, &iv, plain));
            let got = c.decrypt(&enc);
            match (&got, &want) {
                (Ok(g), Ok(w)) => assert_eq!(g, w),
                (Err(e), Err(r)) => {
                    assert_eq!(e.reason, *r, "{}", e.message);
                    check_rejection(e, &DECRYPT_REASONS, &[TOKEN, AES_KEY, &enc], &[]);
                }
                _ => panic!("decrypt {got:?}, the model says {want:?}"),
            }
            // the same through open() with a valid signature, and with one bit of the ciphertext flipped
            let sig = wx_signature([TOKEN, TS, NONCE, &enc]);
            match open_post(&c, &enc, &sig) {
                Ok(Inbound::Callback(cb)) => {
                    let w = want.as_ref().expect("open accepted what decrypt refuses");
                    assert_eq!(wecom::parse(w).as_ref().ok(), Some(cb.as_ref()));
                }
                Ok(Inbound::Verify(_)) => panic!("a POST is not a verification"),
                Err(e) => {
                    check_rejection(&e, &OPEN_REASONS, &[TOKEN, AES_KEY, &enc, &sig], &[]);
                    if let Ok(w) = &want {
                        assert!(wecom::parse(w).is_err(), "open refused a good callback: {e}");
                    }
                }
            }
            let mut raw = B64.decode(&enc).unwrap();
            let bit = usize::from(h[6]) * 8 + usize::from(h[7] % 8);
            let i = (bit / 8) % raw.len();
            raw[i] ^= 1 << (bit % 8);
            let tampered = B64.encode(&raw);
            let e = open_post(&c, &tampered, &sig).expect_err("a tampered ciphertext was accepted");
            assert_eq!(e.reason, Reason::BadSignature, "{}", e.message);
            if let Ok(w) = &want {
                assert_ne!(
                    c.decrypt(&tampered).ok().as_ref(),
                    Some(w),
                    "a tampered ciphertext decrypts to the original"
                );
            }
        }
        // encrypt -> decrypt, the envelope, the URL verification with `+` turned into spaces
        _ => {
            if rest.len() < 16 {
                return;
            }
            let (random, msg) = rest.split_at(16);
            let random: [u8; 16] = random.try_into().unwrap();
            let msg = String::from_utf8_lossy(msg);
            let enc = c.encrypt(&msg, &random).expect("any message encrypts");
            assert_eq!(c.decrypt(&enc).expect("a round trip decrypts"), msg);
            // the same key with another receiveid refuses it
            let other = WxCrypt::new(TOKEN, AES_KEY, RIDS[1 - (sel & 1) as usize]).unwrap();
            assert_eq!(other.decrypt(&enc).expect_err("another receiveid").reason, Reason::BadReceiveId);
            let env: serde_json::Value =
                serde_json::from_str(&c.envelope(&msg, &random, 1409659813, NONCE).unwrap()).expect("envelope is JSON");
            let e = env["encrypt"].as_str().unwrap();
            assert_eq!(e, enc, "the envelope encrypts the same way");
            assert_eq!(env["msgsignature"].as_str().unwrap(), wx_signature([TOKEN, TS, NONCE, e]));
            assert_eq!(env["timestamp"].as_u64(), Some(1409659813));
            assert_eq!(env["nonce"].as_str(), Some(NONCE));
            let sig = wx_signature([TOKEN, TS, NONCE, &enc]);
            let q = Query { msg_signature: &sig, timestamp: TS, nonce: NONCE, echostr: Some(&enc.replace('+', " ")) };
            match wecom::open(&c, q, None, 0, 0) {
                Ok(Inbound::Verify(s)) => assert_eq!(s, msg),
                other => panic!("URL verification: {other:?}"),
            }
            let media = c.encrypt_media(rest).unwrap();
            assert_eq!(media.len() % 32, 0, "media is padded to 32 bytes");
            assert_eq!(c.decrypt_media(&media).unwrap(), rest);
        }
    }
});
