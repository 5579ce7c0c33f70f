//! Shared by the inbound targets: independent references (SHA-1 / SHA-256 / HMAC / raw
//! AES-CBC from the RustCrypto crates, not the crate's own helpers) and the "typed refusal,
//! no secret" oracle.
#![allow(dead_code)]

use base64::Engine as _;
use webhook_push::inbound::{Reason, Rejection};

pub const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Split `data` on NUL bytes into at most `n` UTF-8 fields (lossy), missing ones empty.
pub fn fields(data: &[u8], n: usize) -> Vec<String> {
    let mut out: Vec<String> = data.splitn(n, |&b| b == 0).map(|f| String::from_utf8_lossy(f).into_owned()).collect();
    out.resize(n, String::new());
    out
}

/// Runs of 12+ key characters with a digit in `s`: what in a fuzzer's input could be a
/// credential, as opposed to a word such as `timestamp` that a message may name.
pub fn key_runs(s: &str) -> Vec<&str> {
    s.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '/' | '=')))
        .filter(|r| r.len() >= 12 && r.bytes().any(|b| b.is_ascii_digit()))
        .collect()
}

/// A refusal: one of the `allowed` reasons, with a message that quotes none of the configured
/// `secrets` (8+ characters) and no credential-like run of the fuzzer's `inputs`.
pub fn check_rejection(r: &Rejection, allowed: &[Reason], secrets: &[&str], inputs: &[&str]) {
    assert!(allowed.contains(&r.reason), "unexpected reason {:?}: {}", r.reason, r.message);
    assert!(!r.message.is_empty());
    let shown = format!("{r} {:?} {}", r, webhook_push::Error::from(r.clone()).message);
    for s in secrets {
        if s.len() >= 8 {
            assert!(!shown.contains(s), "a refusal quotes a secret: {shown}");
        }
    }
    for i in inputs {
        for run in key_runs(i) {
            assert!(!shown.contains(run), "a refusal quotes {run:?} of its input: {shown}");
        }
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// sha1 over the sorted parts (the WXBizMsgCrypt signature), from the `sha1` crate.
pub fn wx_signature(parts: [&str; 4]) -> String {
    use sha1::Digest as _;
    let mut p = parts;
    p.sort_unstable();
    let mut h = sha1::Sha1::new();
    for s in p {
        h.update(s.as_bytes());
    }
    hex(&h.finalize())
}

/// Raw AES-256-CBC over whole blocks (no padding): what a sender with the key produces.
pub fn cbc_encrypt_raw(key: &[u8; 32], iv: &[u8; 16], mut data: Vec<u8>) -> Vec<u8> {
    use cbc::cipher::{BlockModeEncrypt, KeyIvInit};
    assert!(data.len() % 16 == 0);
    let mut enc = cbc::Encryptor::<aes::Aes256>::new_from_slices(key, iv).unwrap();
    for chunk in data.chunks_exact_mut(16) {
        let block: &mut cbc::cipher::Block<cbc::Encryptor<aes::Aes256>> = chunk.try_into().unwrap();
        enc.encrypt_block(block);
    }
    data
}

/// The 32-byte key of a 43-character EncodingAESKey.
pub fn wx_key(encoding_aes_key: &str) -> [u8; 32] {
    let lenient = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
    );
    lenient.decode(format!("{encoding_aes_key}=")).unwrap().try_into().unwrap()
}

pub fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    use sha2::Digest as _;
    let mut h = sha2::Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// base64(HMAC-SHA256(key, msg)).
pub fn hmac_b64(key: &[u8], msg: &[u8]) -> String {
    use hmac::{KeyInit, Mac};
    let mut m = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key).unwrap();
    m.update(msg);
    B64.encode(m.finalize().into_bytes())
}
