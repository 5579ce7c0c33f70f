//! DingTalk and Feishu / Lark request signing, HMAC-SHA256. The clock is
//! passed in (the host gives `Date.now()`), so signing is deterministic.

use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha2::Sha256;

use crate::error::{Error, Result};

type HmacSha256 = Hmac<Sha256>;

/// What is left unencoded in a query value: RFC 3986 unreserved characters.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// The last key signed with, its HMAC state after the key (two of a short message's four
/// SHA-256 blocks), and the last message signed with it and its signature.
struct Last {
    key: Vec<u8>,
    mac: HmacSha256,
    signed: Option<(Vec<u8>, String)>,
}

thread_local! {
    /// One entry: renders and sends to one bot repeat their key (DingTalk's is the secret; Feishu's
    /// the timestamp in seconds and the secret, with an empty message: the same signature for a
    /// whole second). Never read out of this module; replaced by the next key.
    static LAST: std::cell::RefCell<Option<Last>> = const { std::cell::RefCell::new(None) };
}

/// base64 of HMAC-SHA256(key, msg).
pub(crate) fn hmac_b64(key: &[u8], msg: &[u8]) -> Result<String> {
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        if let Some(l) = last.as_ref().filter(|l| l.key == key) {
            if let Some((m, out)) = &l.signed {
                if m == msg {
                    return Ok(out.clone());
                }
            }
        } else {
            // HMAC accepts keys of any length; the error arm exists only in the type.
            let mac = HmacSha256::new_from_slice(key).map_err(|_| Error::config("the signing secret is unusable"))?;
            *last = Some(Last { key: key.to_vec(), mac, signed: None });
        }
        let Some(l) = last.as_mut() else { return Err(Error::config("the signing secret is unusable")) };
        let out = uncached(l.mac.clone(), msg);
        l.signed = Some((msg.to_vec(), out.clone()));
        Ok(out)
    })
}

/// base64 of the HMAC of `msg` from `mac`, the state after its key.
fn uncached(mut mac: HmacSha256, msg: &[u8]) -> String {
    mac.update(msg);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// DingTalk: base64(HmacSHA256(key = secret, msg = timestamp_ms + "\n" + secret)), not yet URL-encoded.
pub fn dingtalk_sign(secret: &str, timestamp_ms: u64) -> Result<String> {
    let msg = format!("{timestamp_ms}\n{secret}");
    hmac_b64(secret.as_bytes(), msg.as_bytes())
}

/// The DingTalk webhook URL with `&timestamp=...&sign=...` appended, the sign
/// percent-encoded exactly once.
pub fn dingtalk_signed_url(url: &str, secret: &str, timestamp_ms: u64) -> Result<String> {
    let sign = dingtalk_sign(secret, timestamp_ms)?;
    let sep = if url.contains('?') { '&' } else { '?' };
    Ok(format!("{url}{sep}timestamp={timestamp_ms}&sign={}", utf8_percent_encode(&sign, QUERY_VALUE)))
}

/// Feishu / Lark: base64(HmacSHA256(key = timestamp_s + "\n" + secret, msg = "")).
pub fn feishu_sign(secret: &str, timestamp_s: u64) -> Result<String> {
    let key = format!("{timestamp_s}\n{secret}");
    hmac_b64(key.as_bytes(), b"")
}

/// Percent-encode a query value (RFC 3986 unreserved left as is).
pub fn encode_query_value(s: &str) -> String {
    utf8_percent_encode(s, QUERY_VALUE).to_string()
}

/// Lower-case hex of bytes (hash prefixes in bot ids and dedup keys).
pub fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 15) as usize] as char);
    }
    s
}

pub fn check_secret(secret: &str) -> Result<()> {
    if secret.trim().is_empty() {
        return Err(Error::config("the signing secret is empty"));
    }
    if secret.len() > 1024 || secret.chars().any(|c| c.is_control()) {
        return Err(Error::config("the signing secret is malformed (control characters or over 1024 bytes)"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feishu_vector_from_go_lark() {
        assert_eq!(feishu_sign("xxx", 1661860880).unwrap(), "QnWVTSBe6FmQDE0bG6X0mURbI+DnvVyu1h+j5dHOjrU=");
    }

    #[test]
    fn dingtalk_vector() {
        assert_eq!(
            dingtalk_sign("SEC000000000000000000000", 1577836800000).unwrap(),
            "+nNCK5RddMDikgXSXJcDpPb9RZqSQXlesQPy6NpNYUk="
        );
    }

    #[test]
    fn dingtalk_url_is_encoded_exactly_once() {
        let url = dingtalk_signed_url(
            "https://oapi.dingtalk.com/robot/send?access_token=T",
            "SEC000000000000000000000",
            1577836800000,
        )
        .unwrap();
        assert_eq!(
            url,
            "https://oapi.dingtalk.com/robot/send?access_token=T&timestamp=1577836800000&sign=%2BnNCK5RddMDikgXSXJcDpPb9RZqSQXlesQPy6NpNYUk%3D"
        );
        assert!(!url.contains("%25"), "double-encoded");
    }

    /// The cache of the last key and signature gives what a fresh HMAC gives, whatever the
    /// order of keys and messages (a key repeated, a message repeated under another key).
    #[test]
    fn the_last_key_cache_signs_as_a_fresh_hmac() {
        use proptest::prelude::*;
        let fresh = |key: &[u8], msg: &[u8]| uncached(HmacSha256::new_from_slice(key).unwrap(), msg);
        let pick = proptest::collection::vec((0usize..3, 0usize..3), 1..40);
        proptest!(|(calls in pick, keys in proptest::collection::vec(".{0,80}", 3), msgs in proptest::collection::vec(".{0,80}", 3))| {
            for (k, m) in calls {
                let (key, msg) = (keys[k].as_bytes(), msgs[m].as_bytes());
                prop_assert_eq!(hmac_b64(key, msg).unwrap(), fresh(key, msg));
            }
        });
        // a key over the block size (hashed first) too
        let long = "S".repeat(100);
        for ts in [1u64, 1, 2, 2, 1] {
            assert_eq!(dingtalk_sign(&long, ts).unwrap(), fresh(long.as_bytes(), format!("{ts}\n{long}").as_bytes()));
            assert_eq!(feishu_sign(&long, ts).unwrap(), fresh(format!("{ts}\n{long}").as_bytes(), b""));
        }
    }

    #[test]
    fn secrets_are_checked() {
        assert!(check_secret("").is_err());
        assert!(check_secret("a\nb").is_err());
        assert!(check_secret("SECabc").is_ok());
    }
}
