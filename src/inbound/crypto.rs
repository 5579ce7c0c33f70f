//! The callback crypto the three platforms use, as pure functions:
//!
//! - WXBizMsgCrypt (WeCom AI bots, and DingTalk event callbacks): SHA-1 signature over the
//!   sorted strings, AES-256-CBC with the 43-character EncodingAESKey, PKCS#7 padding to
//!   **32**-byte blocks, plaintext = random(16) ‖ u32be(len) ‖ msg ‖ receiveid;
//! - Feishu / Lark events: key = SHA-256(Encrypt Key), base64(iv ‖ AES-256-CBC-PKCS#7), and
//!   the `X-Lark-Signature` (hex SHA-256 over timestamp ‖ nonce ‖ key ‖ raw body);
//! - the DingTalk robot's inbound `sign` header (HMAC-SHA256 keyed by the app secret).
//!
//! Nothing here panics on input; every failure is a [`Rejection`] whose message names what
//! was wrong and never quotes a key, token, signature or ciphertext.

use aes::Aes256;
use base64::Engine as _;
use cbc::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use sha1::{Digest, Sha1};
use sha2::Sha256;

use super::{Reason, Rejection};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Largest ciphertext accepted (base64 text of a callback, or an encrypted media download).
pub const MAX_CIPHERTEXT: usize = 16 * 1024 * 1024;

fn hex(bytes: &[u8]) -> String {
    const H: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(H[(b >> 4) as usize] as char);
        s.push(H[(b & 15) as usize] as char);
    }
    s
}

/// Equal in time independent of where the inputs differ (lengths are not secret).
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// AES-256-CBC decrypt of whole blocks, no unpadding.
fn cbc_decrypt(key: &[u8; 32], iv: &[u8], data: &[u8]) -> Result<Vec<u8>, Rejection> {
    if data.is_empty() || data.len() % 16 != 0 {
        return Err(Rejection::new(Reason::BadCiphertext, "the ciphertext is not a whole number of AES blocks"));
    }
    let mut dec = cbc::Decryptor::<Aes256>::new_from_slices(key, iv)
        .map_err(|_| Rejection::new(Reason::BadConfig, "the AES key or IV has the wrong length"))?;
    let mut out = data.to_vec();
    for chunk in out.chunks_exact_mut(16) {
        let block: &mut cbc::cipher::Block<cbc::Decryptor<Aes256>> = chunk
            .try_into()
            .map_err(|_| Rejection::new(Reason::BadCiphertext, "the ciphertext is not a whole number of AES blocks"))?;
        dec.decrypt_block(block);
    }
    Ok(out)
}

/// AES-256-CBC encrypt of `data`, which must already be padded to whole blocks.
fn cbc_encrypt(key: &[u8; 32], iv: &[u8], mut data: Vec<u8>) -> Result<Vec<u8>, Rejection> {
    if data.len() % 16 != 0 {
        return Err(Rejection::new(Reason::BadConfig, "plaintext is not padded to whole AES blocks"));
    }
    let mut enc = cbc::Encryptor::<Aes256>::new_from_slices(key, iv)
        .map_err(|_| Rejection::new(Reason::BadConfig, "the AES key or IV has the wrong length"))?;
    for chunk in data.chunks_exact_mut(16) {
        let block: &mut cbc::cipher::Block<cbc::Encryptor<Aes256>> = chunk
            .try_into()
            .map_err(|_| Rejection::new(Reason::BadConfig, "plaintext is not padded to whole AES blocks"))?;
        enc.encrypt_block(block);
    }
    Ok(data)
}

/// PKCS#7 padding to a multiple of `block` bytes (pad byte 1..=block).
fn pad(mut data: Vec<u8>, block: usize) -> Vec<u8> {
    let n = block - data.len() % block;
    data.extend(std::iter::repeat_n(n as u8, n));
    data
}

/// Remove PKCS#7 padding of up to `max_pad` bytes, checking every pad byte.
fn unpad(data: &[u8], max_pad: usize) -> Result<&[u8], Rejection> {
    let bad = || Rejection::new(Reason::BadPadding, "the decrypted data has bad padding");
    let n = *data.last().ok_or_else(bad)? as usize;
    if n == 0 || n > max_pad || n > data.len() {
        return Err(bad());
    }
    let (body, tail) = data.split_at(data.len() - n);
    if tail.iter().any(|&b| b as usize != n) {
        return Err(bad());
    }
    Ok(body)
}

fn b64_decode(text: &str, what: &str) -> Result<Vec<u8>, Rejection> {
    if text.len() > MAX_CIPHERTEXT {
        return Err(Rejection::new(Reason::BadCiphertext, format!("{what} is too long")));
    }
    B64.decode(text.trim().as_bytes())
        .map_err(|_| Rejection::new(Reason::BadCiphertext, format!("{what} is not valid base64")))
}

/// WXBizMsgCrypt: one bot's token, AES key and receiveid.
#[derive(Clone)]
pub struct WxCrypt {
    token: String,
    key: [u8; 32],
    receive_id: String,
}

impl std::fmt::Debug for WxCrypt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // never the token or the key
        f.debug_struct("WxCrypt").field("receive_id", &self.receive_id).finish_non_exhaustive()
    }
}

impl WxCrypt {
    /// `encoding_aes_key` is the 43-character key from the console; `receive_id` is "" for
    /// internal AI bots, the corp id / app key otherwise (checked on every decrypt).
    pub fn new(token: &str, encoding_aes_key: &str, receive_id: &str) -> Result<WxCrypt, Rejection> {
        if token.is_empty() {
            return Err(Rejection::new(Reason::BadConfig, "the callback token is empty"));
        }
        let k = encoding_aes_key.trim();
        if k.len() != 43 {
            return Err(Rejection::new(Reason::BadConfig, "the EncodingAESKey must be exactly 43 characters"));
        }
        let mut padded = String::with_capacity(44);
        padded.push_str(k);
        padded.push('=');
        // The 43rd character's low bits are not always zero in real keys: decode leniently.
        let lenient = base64::engine::GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            base64::engine::GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
        );
        let raw = lenient
            .decode(padded.as_bytes())
            .map_err(|_| Rejection::new(Reason::BadConfig, "the EncodingAESKey is not base64"))?;
        let key: [u8; 32] = raw
            .try_into()
            .map_err(|_| Rejection::new(Reason::BadConfig, "the EncodingAESKey does not decode to 32 bytes"))?;
        Ok(WxCrypt { token: token.to_string(), key, receive_id: receive_id.to_string() })
    }

    /// sha1 over the sorted [token, timestamp, nonce, encrypt], lower-case hex.
    pub fn signature(&self, timestamp: &str, nonce: &str, encrypt: &str) -> String {
        let mut parts = [self.token.as_str(), timestamp, nonce, encrypt];
        parts.sort_unstable();
        let mut h = Sha1::new();
        for p in parts {
            h.update(p.as_bytes());
        }
        hex(&h.finalize())
    }

    /// Check a callback's signature (`msg_signature`, or DingTalk's `signature`).
    pub fn verify(&self, signature: &str, timestamp: &str, nonce: &str, encrypt: &str) -> Result<(), Rejection> {
        let want = self.signature(timestamp, nonce, encrypt);
        if ct_eq(want.as_bytes(), signature.trim().to_ascii_lowercase().as_bytes()) {
            Ok(())
        } else {
            Err(Rejection::new(Reason::BadSignature, "the callback signature does not match"))
        }
    }

    /// Decrypt a base64 `encrypt` (or `echostr`) into the message, checking the receiveid.
    /// A `+` turned into a space by query decoding is taken back as `+`.
    pub fn decrypt(&self, encrypt: &str) -> Result<String, Rejection> {
        let text = encrypt.trim().replace(' ', "+");
        let data = b64_decode(&text, "the ciphertext")?;
        let plain = cbc_decrypt(&self.key, &self.key[..16], &data)?;
        let body = unpad(&plain, 32)?;
        if body.len() < 20 {
            return Err(Rejection::new(Reason::BadCiphertext, "the decrypted data is too short"));
        }
        let n = u32::from_be_bytes([body[16], body[17], body[18], body[19]]) as usize;
        let rest = &body[20..];
        if n > rest.len() {
            return Err(Rejection::new(Reason::BadCiphertext, "the decrypted length field is past the end"));
        }
        let (msg, rid) = rest.split_at(n);
        if rid != self.receive_id.as_bytes() {
            return Err(Rejection::new(Reason::BadReceiveId, "the receiveid in the message is not this bot's"));
        }
        String::from_utf8(msg.to_vec())
            .map_err(|_| Rejection::new(Reason::BadCiphertext, "the decrypted message is not UTF-8"))
    }

    /// Encrypt `msg` with the given 16 random bytes (the caller draws them from a CSPRNG;
    /// fixed in tests to reproduce the published vector).
    pub fn encrypt(&self, msg: &str, random: &[u8; 16]) -> Result<String, Rejection> {
        let len = u32::try_from(msg.len()).map_err(|_| Rejection::new(Reason::BadConfig, "the reply is too long"))?;
        let mut plain = Vec::with_capacity(20 + msg.len() + self.receive_id.len() + 32);
        plain.extend_from_slice(random);
        plain.extend_from_slice(&len.to_be_bytes());
        plain.extend_from_slice(msg.as_bytes());
        plain.extend_from_slice(self.receive_id.as_bytes());
        let data = cbc_encrypt(&self.key, &self.key[..16], pad(plain, 32))?;
        Ok(B64.encode(data))
    }

    /// The encrypted reply envelope `{"encrypt","msgsignature","timestamp","nonce"}`
    /// (WeCom AI bot; timestamp in seconds, the callback's nonce).
    pub fn envelope(&self, msg: &str, random: &[u8; 16], timestamp_s: u64, nonce: &str) -> Result<String, Rejection> {
        let encrypt = self.encrypt(msg, random)?;
        let ts = timestamp_s.to_string();
        let sig = self.signature(&ts, nonce, &encrypt);
        let v = serde_json::json!({"encrypt": encrypt, "msgsignature": sig, "timestamp": timestamp_s, "nonce": nonce});
        Ok(crate::json::to_string(&v))
    }

    /// An encrypted media download (image / file URL of a WeCom AI-bot callback): same key,
    /// IV = key[..16], PKCS#7 to 32 bytes, no random prefix.
    pub fn decrypt_media(&self, data: &[u8]) -> Result<Vec<u8>, Rejection> {
        if data.len() > MAX_CIPHERTEXT {
            return Err(Rejection::new(Reason::BadCiphertext, "the media is too large"));
        }
        let plain = cbc_decrypt(&self.key, &self.key[..16], data)?;
        Ok(unpad(&plain, 32)?.to_vec())
    }

    /// Encrypt media the way WeCom does (tests and the test client).
    pub fn encrypt_media(&self, data: &[u8]) -> Result<Vec<u8>, Rejection> {
        cbc_encrypt(&self.key, &self.key[..16], pad(data.to_vec(), 32))
    }
}

/// Feishu / Lark: AES key = SHA-256(encrypt_key).
fn feishu_key(encrypt_key: &str) -> [u8; 32] {
    Sha256::digest(encrypt_key.as_bytes()).into()
}

/// Decrypt a Feishu `{"encrypt": ...}` value: base64(iv16 ‖ AES-256-CBC(PKCS#7)).
/// When the padding is not PKCS#7 the span between the first `{` and the last `}` is taken,
/// as the official Go SDK does.
pub fn feishu_decrypt(encrypt_key: &str, encrypt: &str) -> Result<String, Rejection> {
    if encrypt_key.is_empty() {
        return Err(Rejection::new(Reason::BadConfig, "the Feishu Encrypt Key is empty"));
    }
    let data = b64_decode(encrypt, "the Feishu ciphertext")?;
    if data.len() < 32 {
        return Err(Rejection::new(Reason::BadCiphertext, "the Feishu ciphertext is too short"));
    }
    let (iv, body) = data.split_at(16);
    let plain = cbc_decrypt(&feishu_key(encrypt_key), iv, body)?;
    let text = match unpad(&plain, 16) {
        Ok(b) => b,
        Err(e) => {
            let start = plain.iter().position(|&b| b == b'{');
            let end = plain.iter().rposition(|&b| b == b'}');
            match (start, end) {
                (Some(s), Some(t)) if s < t => &plain[s..=t],
                _ => return Err(e),
            }
        }
    };
    String::from_utf8(text.to_vec())
        .map_err(|_| Rejection::new(Reason::BadCiphertext, "the decrypted Feishu event is not UTF-8"))
}

/// Encrypt like Feishu does (the test client and tests); `iv` is 16 random bytes.
pub fn feishu_encrypt(encrypt_key: &str, iv: &[u8; 16], plaintext: &str) -> Result<String, Rejection> {
    let ct = cbc_encrypt(&feishu_key(encrypt_key), iv, pad(plaintext.as_bytes().to_vec(), 16))?;
    let mut out = iv.to_vec();
    out.extend_from_slice(&ct);
    Ok(B64.encode(out))
}

/// `X-Lark-Signature`: hex(sha256(timestamp + nonce + encrypt_key + raw_body)).
pub fn feishu_signature(timestamp: &str, nonce: &str, encrypt_key: &str, raw_body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(timestamp.as_bytes());
    h.update(nonce.as_bytes());
    h.update(encrypt_key.as_bytes());
    h.update(raw_body);
    hex(&h.finalize())
}

/// Check `X-Lark-Signature` over the raw body as received.
pub fn feishu_verify(
    timestamp: &str,
    nonce: &str,
    encrypt_key: &str,
    raw_body: &[u8],
    signature: &str,
) -> Result<(), Rejection> {
    let want = feishu_signature(timestamp, nonce, encrypt_key, raw_body);
    if ct_eq(want.as_bytes(), signature.trim().to_ascii_lowercase().as_bytes()) {
        Ok(())
    } else {
        Err(Rejection::new(Reason::BadSignature, "X-Lark-Signature does not match"))
    }
}

/// DingTalk robot inbound: `sign` = base64(HmacSHA256(key = appSecret, timestamp + "\n" + appSecret)),
/// and |now − timestamp| ≤ 1 hour.
pub fn dingtalk_verify(app_secret: &str, timestamp: &str, sign: &str, now_ms: u64) -> Result<(), Rejection> {
    if app_secret.is_empty() {
        return Err(Rejection::new(Reason::BadConfig, "the DingTalk app secret is empty"));
    }
    let ts: u64 = timestamp
        .trim()
        .parse()
        .map_err(|_| Rejection::new(Reason::BadSignature, "the timestamp header is missing or not a number"))?;
    if now_ms.abs_diff(ts) > 3_600_000 {
        return Err(Rejection::new(Reason::StaleTimestamp, "the timestamp header is more than one hour off"));
    }
    let want = crate::sign::dingtalk_sign(app_secret, ts)
        .map_err(|_| Rejection::new(Reason::BadConfig, "the DingTalk app secret is unusable"))?;
    if ct_eq(want.as_bytes(), sign.trim().as_bytes()) {
        Ok(())
    } else {
        Err(Rejection::new(Reason::BadSignature, "the sign header does not match"))
    }
}
