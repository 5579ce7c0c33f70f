//! Signing a generic webhook request, so the receiver can check it came from
//! the holder of the target's secret.
//!
//! For: the `{{sign}}` / `{{timestamp}}` placeholders and the Standard
//! Webhooks headers. Not for: the chat platforms' own signing
//! (see [`crate::sign`]).
//!
//! **`{{sign}}`** (signing `"sign"`): with `timestamp` the unix time in
//! seconds (the value of `{{timestamp}}` in the same request, decimal ASCII)
//! and `secret` the target's secret exactly as configured (UTF-8 bytes):
//!
//! ```text
//! sign = base64( HMAC-SHA256( key = secret, message = timestamp + "\n" + secret ) )
//! ```
//!
//! standard base64 with padding (44 characters). This is DingTalk's scheme
//! with the time in seconds, so receivers written for DingTalk check it with
//! one change. It proves the sender knows the secret at that time, not what the
//! body says (the signature is inside the body): the receiver should refuse a
//! `timestamp` more than a few minutes off its clock. For body integrity use
//! Standard Webhooks.
//!
//! **Standard Webhooks** (signing `"standard-webhooks"`,
//! <https://www.standardwebhooks.com/>, spec `spec/standard-webhooks.md`):
//! the secret is `whsec_` followed by the base64 of the key (the prefix is
//! optional); three headers are added:
//!
//! ```text
//! webhook-id: <id>                 the message_id, else msg_<32 hex of SHA-256 of the message>
//! webhook-timestamp: <unix seconds>
//! webhook-signature: v1,<base64( HMAC-SHA256( key, id + "." + timestamp + "." + body ) )>
//! ```
//!
//! The id is the same on every retry of the same message (a receiver
//! deduplicates on it); the timestamp and signature are made per attempt.

use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::sign::hmac_b64;

/// The `{{sign}}` value for `timestamp_s`: DingTalk's construction
/// ([`crate::sign::dingtalk_sign`]) over the time in seconds.
pub fn sign(secret: &str, timestamp_s: u64) -> Result<String> {
    crate::sign::dingtalk_sign(secret, timestamp_s)
}

/// The key of a Standard Webhooks secret (`whsec_<base64>`, prefix optional).
/// The error never quotes the secret.
pub fn standard_key(secret: &str) -> Result<Vec<u8>> {
    let b64 = secret.strip_prefix("whsec_").unwrap_or(secret);
    match base64::engine::general_purpose::STANDARD.decode(b64) {
        Ok(k) if !k.is_empty() => Ok(k),
        _ => Err(Error::config(
            "secret: a Standard Webhooks secret is whsec_ followed by the base64 of the key (24 to 64 random bytes)",
        )),
    }
}

/// `v1,<base64 signature>` of `id.timestamp.body`.
pub fn standard_signature(key: &[u8], id: &str, timestamp_s: u64, body: &[u8]) -> Result<String> {
    let mut msg = Vec::with_capacity(id.len() + body.len() + 24);
    msg.extend_from_slice(id.as_bytes());
    msg.push(b'.');
    msg.extend_from_slice(timestamp_s.to_string().as_bytes());
    msg.push(b'.');
    msg.extend_from_slice(body);
    Ok(format!("v1,{}", hmac_b64(key, &msg)?))
}

/// A Standard Webhooks id: the message's own id when it is a usable header
/// value (1-128 printable ASCII, no spaces), else `msg_` + 32 hex digits of
/// SHA-256 of the message's canonical JSON (stable across retries).
pub fn webhook_id(message_id: Option<&str>, canonical_message: &str) -> String {
    if let Some(id) = message_id {
        if (1..=128).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_graphic()) {
            return id.to_string();
        }
    }
    let digest = Sha256::digest(canonical_message.as_bytes());
    let mut s = String::from("msg_");
    for b in digest.iter().take(16) {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vector of the reference JavaScript library's "sign function works"
    /// test: standard-webhooks/standard-webhooks,
    /// libraries/javascript/src/webhook.test.ts.
    #[test]
    fn standard_webhooks_reference_vector() {
        let key = standard_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let sig =
            standard_signature(&key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, br#"{"test": 2432232314}"#).unwrap();
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        // the prefix is optional, as in the reference libraries
        assert_eq!(standard_key("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap(), key);
        // one byte of the body changed: another signature
        let other =
            standard_signature(&key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, br#"{"test": 2432232315}"#).unwrap();
        assert_ne!(other, sig);
    }

    #[test]
    fn bad_standard_secrets_are_refused_without_quoting_them() {
        for s in ["whsec_", "whsec_not base64!!", "", "whsec_%%%%"] {
            let e = standard_key(s).unwrap_err();
            assert_eq!(e.code, crate::ErrorCode::InvalidConfig);
            if s.len() > 6 {
                assert!(!e.message.contains(&s[6..]), "{e}");
            }
        }
    }

    /// `{{sign}}`: the documented string, checked against an HMAC computed
    /// independently (Node: `crypto.createHmac("sha256", "s3cret")
    /// .update("1700000000\ns3cret").digest("base64")`).
    #[test]
    fn sign_is_the_documented_string() {
        let s = sign("s3cret", 1_700_000_000).unwrap();
        assert_eq!(s, NODE_VECTOR);
        assert_eq!(s.len(), 44);
        assert_ne!(sign("s3cret", 1_700_000_001).unwrap(), s);
    }

    const NODE_VECTOR: &str = "awbVqOKPToDBadVuZukL3iPdnsmBrRxvTcqnlgYUWc4=";

    #[test]
    fn ids_are_stable_and_header_safe() {
        assert_eq!(webhook_id(Some("evt-1"), "{}"), "evt-1");
        let a = webhook_id(Some("has space"), r#"{"a":1}"#);
        assert!(a.starts_with("msg_") && a.len() == 36, "{a}");
        assert_eq!(a, webhook_id(None, r#"{"a":1}"#));
        assert_ne!(a, webhook_id(None, r#"{"a":2}"#));
    }
}
