//! Where a message goes: the platform, its webhook URL (from a URL or a bare
//! key / access token / hook id), detection of the platform from a URL, and
//! redaction of credentials for anything a person may read.
//!
//! URL handling is a small strict parser for webhook URLs rather than the `url`
//! crate: it needs only scheme, host, port, path and query, and the `url`
//! crate's IDNA tables would cost more wasm than the whole renderer.

use crate::error::{Error, Result};

pub use crate::platform::spec::shown_name;
use crate::platform::spec::{Credential, Signing};
pub use crate::platform::{Platform, PlatformSpec};

/// A webhook URL split into the parts this crate needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookUrl<'a> {
    pub scheme: &'a str,
    /// `host[:port]`, lower case not enforced.
    pub authority: &'a str,
    pub host: &'a str,
    pub path: &'a str,
    pub query: Option<&'a str>,
}

impl<'a> WebhookUrl<'a> {
    /// Parse an absolute http(s) URL strictly. Errors never echo the URL
    /// (it usually carries the credential).
    pub fn parse(s: &'a str) -> Result<WebhookUrl<'a>> {
        let bad = |why: &str| Error::config(format!("malformed webhook URL: {why}"));
        if s.chars().any(|c| c.is_whitespace() || c.is_control() || !c.is_ascii()) {
            return Err(bad("it contains spaces, control or non-ASCII characters (percent-encode them)"));
        }
        let (scheme, rest) = s.split_once("://").ok_or_else(|| bad("it must start with https:// or http://"))?;
        let scheme_ok = scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http");
        if !scheme_ok {
            return Err(bad("the scheme must be https or http"));
        }
        let rest = rest.split('#').next().unwrap_or("");
        let (before_query, query) = match rest.split_once('?') {
            Some((a, q)) => (a, Some(q)),
            None => (rest, None),
        };
        let (authority, path) = match before_query.find('/') {
            Some(i) => (&before_query[..i], &before_query[i..]),
            None => (before_query, "/"),
        };
        if authority.contains('@') {
            return Err(bad("credentials in the authority are not accepted"));
        }
        let host = if let Some(stripped) = authority.strip_prefix('[') {
            let end = stripped.find(']').ok_or_else(|| bad("unclosed IPv6 bracket"))?;
            let port = &stripped[end + 1..];
            check_port(port.strip_prefix(':').unwrap_or(port), port.is_empty()).map_err(|_| bad("bad port"))?;
            &authority[..end + 2]
        } else {
            let (h, port) = match authority.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            };
            if let Some(p) = port {
                check_port(p, false).map_err(|_| bad("bad port"))?;
            }
            if h.is_empty() || !h.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_') {
                return Err(bad("bad host"));
            }
            h
        };
        if host.is_empty() {
            return Err(bad("no host"));
        }
        Ok(WebhookUrl { scheme, authority, host, path, query })
    }

    /// The value of a query parameter, not decoded.
    pub fn query_param(&self, name: &str) -> Option<&'a str> {
        self.query?.split('&').find_map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (k == name).then_some(v)
        })
    }

    /// Which platform the host (or, for a proxy or mock, the path) says:
    /// an exact host first, then a host suffix, then a path prefix.
    pub fn platform(&self) -> Option<Platform> {
        let host = self.host.to_ascii_lowercase();
        let all = Platform::ALL;
        all.into_iter()
            .find(|p| p.spec().hosts().contains(&host.as_str()))
            .or_else(|| all.into_iter().find(|p| p.spec().host_suffixes().iter().any(|s| host.ends_with(s))))
            .or_else(|| all.into_iter().find(|p| p.spec().path_prefix().is_some_and(|pre| self.path.starts_with(pre))))
    }

    /// The bot's credential in this URL, as the platform places it (not decoded).
    pub fn credential(&self, platform: Platform) -> Option<&'a str> {
        let cred = match platform.spec().credential() {
            Credential::Query(name) => self.query_param(name),
            Credential::PathAfter(marker) => {
                self.path.rsplit_once(marker).map(|(_, id)| id).filter(|id| !id.contains('/'))
            }
            Credential::Configured => None,
        };
        cred.filter(|c| !c.is_empty())
    }
}

fn check_port(p: &str, empty_ok: bool) -> std::result::Result<(), ()> {
    if p.is_empty() {
        return if empty_ok { Ok(()) } else { Err(()) };
    }
    match p.parse::<u32>() {
        Ok(n) if (1..=65535).contains(&n) && p.bytes().all(|b| b.is_ascii_digit()) => Ok(()),
        _ => Err(()),
    }
}

/// The platform a webhook URL belongs to: `Ok(None)` for a well-formed URL
/// of no known platform, `INVALID_CONFIG` for a malformed one.
pub fn detect_platform(url: &str) -> Result<Option<Platform>> {
    Ok(WebhookUrl::parse(url.trim())?.platform())
}

/// Is this a bare credential (WeCom key, DingTalk access token, Feishu hook id)?
fn is_bare_key(s: &str) -> bool {
    (8..=128).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The webhook URL to post to for `platform`, from a full URL or a bare key.
///
/// `base` replaces the scheme and host of a URL built from a bare key (a proxy,
/// a private deployment, a test server), and of a full URL on the platform's
/// own public host (`qyapi.weixin.qq.com`, `oapi.dingtalk.com`,
/// `open.feishu.cn`, `open.larksuite.com`): pointing the package at a test
/// server sends nothing to the real platform. A full URL on any other host (a
/// proxy the caller chose) is used as given. A full URL is checked to carry
/// the credential its platform needs and not to be another known platform's.
pub fn webhook_url(platform: Platform, webhook: &str, base: Option<&str>) -> Result<String> {
    if platform.spec().configured() {
        return Err(Error::config(format!(
            "the {} target takes its configuration ({{ url, body, … }}), not a webhook URL or key",
            platform.display()
        )));
    }
    let webhook = webhook.trim();
    if webhook.is_empty() {
        return Err(Error::config(format!("no webhook URL or key given for {}", platform.display())));
    }
    if !webhook.contains("://") {
        if !is_bare_key(webhook) {
            return Err(Error::config(format!(
                "the {} webhook is neither a URL nor a key (8-128 letters, digits, '-' or '_')",
                platform.display()
            )));
        }
        let base = match base {
            Some(b) => {
                WebhookUrl::parse(b)?;
                b.trim_end_matches('/')
            }
            None => platform.default_base(),
        };
        return Ok(platform.spec().webhook_url(base, webhook));
    }
    // a #fragment never reaches the server, and a URL signature is appended to the query
    let webhook = webhook.split('#').next().unwrap_or(webhook);
    let u = WebhookUrl::parse(webhook)?;
    if let Some(p) = u.platform() {
        if !p.same_family(platform) {
            return Err(Error::config(format!(
                "the webhook URL is a {} webhook, but the platform is {}",
                p.display(),
                platform.display()
            )));
        }
    }
    if u.credential(platform).is_none() {
        return Err(Error::config(format!(
            "the {} webhook URL has no {}",
            platform.display(),
            platform.spec().credential_wording()
        )));
    }
    if platform.spec().signing() == Signing::UrlQuery
        && (u.query_param("sign").is_some() || u.query_param("timestamp").is_some())
    {
        return Err(Error::config(format!(
            "the {} webhook URL already carries timestamp/sign; pass the secret instead and it is signed per request",
            platform.display()
        )));
    }
    match base {
        Some(b) if u.platform().is_some_and(|p| p.spec().hosts().contains(&u.host.to_ascii_lowercase().as_str())) => {
            WebhookUrl::parse(b)?;
            let mut url = format!("{}{}", b.trim_end_matches('/'), u.path);
            if let Some(q) = u.query {
                url.push('?');
                url.push_str(q);
            }
            Ok(url)
        }
        _ => Ok(webhook.to_string()),
    }
}

/// The bot's identity: its platform and a hash of its credential (WeCom key,
/// DingTalk access token, Feishu / Lark hook id), never the credential itself.
/// A bare key, the full URL, a URL with extra query parameters or another
/// base URL for the same bot all give the same identity, so dedup records
/// and rate windows are shared. Safe to log and to key a store by.
pub fn bot_id(platform: Platform, webhook: &str, base: Option<&str>) -> Result<String> {
    let url = webhook_url(platform, webhook, base)?;
    bot_id_of_url(platform, &url)
}

/// [`bot_id`] of a URL that [`webhook_url`] returned.
pub fn bot_id_of_url(platform: Platform, url: &str) -> Result<String> {
    use sha2::{Digest, Sha256};
    let u = WebhookUrl::parse(url)?;
    let cred = u
        .credential(platform)
        .ok_or_else(|| Error::config(format!("the {} webhook URL has no credential", platform.display())))?;
    let mut h = Sha256::new();
    h.update(b"webhook-push bot\n");
    h.update(platform.as_str().as_bytes());
    h.update(b"\n");
    h.update(cred.as_bytes());
    Ok(format!("{}:{}", platform.as_str(), crate::sign::hex(&h.finalize()[..16])))
}

/// Query parameters whose values are credentials wherever they appear,
/// besides each platform's own credential parameter.
const SECRET_PARAMS: [&str; 6] = ["key", "access_token", "sign", "token", "secret", "signature"];

/// Is a query parameter of this name a credential (any case)?
fn is_secret_param(name: &str) -> bool {
    SECRET_PARAMS.iter().any(|n| n.eq_ignore_ascii_case(name))
        || Platform::ALL
            .iter()
            .any(|p| matches!(p.spec().credential(), Credential::Query(q) if q.eq_ignore_ascii_case(name)))
}

/// Where a credential path segment starts in `path`, as any platform places one.
fn credential_in_path(path: &str) -> Option<usize> {
    Platform::ALL.iter().find_map(|p| match p.spec().credential() {
        Credential::PathAfter(marker) => path.find(marker).map(|i| i + marker.len()),
        Credential::Query(_) | Credential::Configured => None,
    })
}

/// Credential parameters quoted anywhere in free text (`sign=...`,
/// `access_token=...`) and credential path segments (a Feishu `/hook/<id>`)
/// replaced by `***`: a runtime's fetch error may quote the signed URL it was
/// given (Deno's does). Each value runs to the next `&`, quote, bracket, `#`
/// or white space (a path segment also to the next `/` or `?`).
pub fn redact_text(s: &str) -> String {
    redact_paths(&redact_query_text(s))
}

/// A credential path segment after each platform's marker, in free text.
fn redact_paths(s: &str) -> String {
    let mut s = s.to_string();
    for p in Platform::ALL {
        let Credential::PathAfter(marker) = p.spec().credential() else { continue };
        let mut out = String::with_capacity(s.len());
        let mut rest = s.as_str();
        while let Some(i) = rest.find(marker) {
            let tail = &rest[i + marker.len()..];
            let end = tail
                .find(|c: char| matches!(c, '/' | '?' | '&' | '"' | '\'' | ')' | ']' | '>' | '#') || c.is_whitespace())
                .unwrap_or(tail.len());
            out.push_str(&rest[..i + marker.len()]);
            if end > 0 {
                out.push_str("***");
            }
            rest = &tail[end..];
        }
        out.push_str(rest);
        s = out;
    }
    s
}

/// A host's error message about a request to `url`, safe to report: the URL
/// and every credential quoted in it redacted first, then clipped to `max`
/// characters (a cut made before would leave part of a credential unmatched).
pub fn redact_error(message: &str, url: &str, max: usize) -> String {
    let s = if url.is_empty() { message.to_string() } else { message.replace(url, &redact_url(url)) };
    crate::model::clip(&redact_text(&s), max)
}

fn redact_query_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('=') {
        let (head, tail) = (&rest[..i], &rest[i + 1..]);
        // the name is ASCII, so `start` is on a character boundary
        let start = head.len() - head.bytes().rev().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
        out.push_str(head);
        out.push('=');
        if is_secret_param(&head[start..]) {
            let end = tail
                .find(|c: char| matches!(c, '&' | '"' | '\'' | ')' | ']' | '>' | '#') || c.is_whitespace())
                .unwrap_or(tail.len());
            out.push_str("***");
            rest = &tail[end..];
        } else {
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

/// A URL with every credential replaced by `***`: query values of key,
/// access_token, sign, token, secret, signature and each platform's
/// credential parameter, and a credential path segment (a Feishu hook id). Safe to put in an error, a result or a log line.
pub fn redact_url(url: &str) -> String {
    let (head, fragment_free) = match url.split_once('#') {
        Some((h, _)) => (h, true),
        None => (url, false),
    };
    let (path_part, query) = match head.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (head, None),
    };
    let mut out = String::with_capacity(url.len());
    match credential_in_path(path_part) {
        Some(i) => {
            out.push_str(&path_part[..i]);
            out.push_str("***");
        }
        None => out.push_str(path_part),
    }
    if let Some(q) = query {
        out.push('?');
        for (i, kv) in q.split('&').enumerate() {
            if i > 0 {
                out.push('&');
            }
            match kv.split_once('=') {
                Some((k, _)) if is_secret_param(k) => {
                    out.push_str(k);
                    out.push_str("=***");
                }
                _ => out.push_str(kv),
            }
        }
    }
    if fragment_free {
        out.push_str("#***");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A host error quoting a long signed URL, cut at 300 characters inside
    /// the credential (or inside the URL in another spelling): no part of a
    /// credential survives, on any platform.
    #[test]
    fn a_host_error_is_redacted_before_it_is_clipped() {
        let now = 1_700_000_000_000;
        for p in Platform::ALL {
            let cred = "CRED0123456789abcdefCRED0123456789abcdef";
            let base = p.spec().webhook_url(p.spec().default_base(), cred);
            let mut payload = crate::payload::Payload::Object(crate::payload::Obj::new());
            let (url, sig) = match p.spec().signing() {
                crate::platform::spec::Signing::Unsigned { .. } => (base.clone(), None),
                _ => crate::render::sign_request(p, &base, &mut payload, "SECRET-1", now).unwrap(),
            };
            // the credential and the signature as they appear in the URL
            let mut secrets = vec![cred.to_string()];
            if let Some(s) = sig {
                secrets.push(crate::sign::encode_query_value(&s));
                secrets.push(s);
            }
            for quoted in [url.clone(), url.replacen("https://", "", 1), format!("<{url}>")] {
                for pad in 0..quoted.len() {
                    let msg = format!("{} request to {quoted} failed, reason: ECONNREFUSED", "x".repeat(pad));
                    let out = redact_error(&msg, &url, 300);
                    for s in &secrets {
                        // any 6 characters of a credential or signature would be a leak
                        for w in s.as_bytes().windows(6) {
                            let w = std::str::from_utf8(w).unwrap_or("");
                            assert!(
                                w.is_empty() || !out.contains(w),
                                "{p:?} pad {pad}: {w:?} of a credential in {out:?}"
                            );
                        }
                    }
                }
            }
        }
    }
    use crate::error::ErrorCode;

    #[test]
    fn detects_each_platform_from_its_host() {
        let cases = [
            ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc", Some(Platform::Wecom)),
            ("https://oapi.dingtalk.com/robot/send?access_token=abc", Some(Platform::DingTalk)),
            ("https://open.feishu.cn/open-apis/bot/v2/hook/abc", Some(Platform::Feishu)),
            ("https://open.larksuite.com/open-apis/bot/v2/hook/abc", Some(Platform::Lark)),
            ("http://127.0.0.1:8787/open-apis/bot/v2/hook/abc", Some(Platform::Feishu)),
            ("http://127.0.0.1:8787/cgi-bin/webhook/send?key=k", Some(Platform::Wecom)),
            ("https://example.com/hooks/1", None),
        ];
        for (url, want) in cases {
            assert_eq!(detect_platform(url).unwrap(), want, "{url}");
        }
    }

    #[test]
    fn malformed_urls_are_invalid_config_without_the_secret() {
        for url in [
            "ftp://qyapi.weixin.qq.com/x?key=SECRETKEY",
            "https://user:SECRETKEY@oapi.dingtalk.com/robot/send",
            "https://qyapi.weixin.qq.com:99999/x?key=SECRETKEY",
            "https:// qyapi.weixin.qq.com/?key=SECRETKEY",
            "qyapi.weixin.qq.com/?key=SECRETKEY",
            "https://[::1/x?key=SECRETKEY",
            "https://bad_host!/x?key=SECRETKEY",
        ] {
            let e = detect_platform(url).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidConfig, "{url}");
            assert!(!e.message.contains("SECRETKEY"), "{}", e.message);
        }
    }

    #[test]
    fn bare_keys_become_urls_and_base_overrides_host() {
        assert_eq!(
            webhook_url(Platform::Wecom, "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa", None).unwrap(),
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
        );
        assert_eq!(
            webhook_url(Platform::DingTalk, "abcdef0123456789", Some("http://127.0.0.1:9000/")).unwrap(),
            "http://127.0.0.1:9000/robot/send?access_token=abcdef0123456789"
        );
        assert_eq!(
            webhook_url(Platform::Lark, "hook-id-123", None).unwrap(),
            "https://open.larksuite.com/open-apis/bot/v2/hook/hook-id-123"
        );
        let e = webhook_url(Platform::Wecom, "not a key!", None).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidConfig);
        assert!(!e.message.contains("not a key"));
    }

    /// A base URL (a test server) applies to a full URL on the platform's own
    /// public host as to a bare key; a URL on another host (a proxy the user
    /// chose) stays as given.
    #[test]
    fn base_overrides_the_public_host_of_a_full_url() {
        let base = Some("http://127.0.0.1:9400/");
        for (p, url, want) in [
            (
                Platform::Wecom,
                "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K0123456789#frag",
                "http://127.0.0.1:9400/cgi-bin/webhook/send?key=K0123456789",
            ),
            (
                Platform::DingTalk,
                "https://OAPI.dingtalk.com/robot/send?access_token=T0123456789",
                "http://127.0.0.1:9400/robot/send?access_token=T0123456789",
            ),
            (
                Platform::Feishu,
                "https://open.feishu.cn/open-apis/bot/v2/hook/H0123456789",
                "http://127.0.0.1:9400/open-apis/bot/v2/hook/H0123456789",
            ),
            (
                Platform::Feishu,
                "https://open.larksuite.com/open-apis/bot/v2/hook/H0123456789",
                "http://127.0.0.1:9400/open-apis/bot/v2/hook/H0123456789",
            ),
            (
                Platform::Lark,
                "https://open.larksuite.com/open-apis/bot/v2/hook/H0123456789",
                "http://127.0.0.1:9400/open-apis/bot/v2/hook/H0123456789",
            ),
            // another host: the user's own proxy, as given
            (
                Platform::Wecom,
                "https://proxy.example.com/cgi-bin/webhook/send?key=K0123456789",
                "https://proxy.example.com/cgi-bin/webhook/send?key=K0123456789",
            ),
        ] {
            assert_eq!(webhook_url(p, url, base).unwrap(), want, "{url}");
            let key = want.rsplit(['=', '/']).next().unwrap();
            assert_eq!(bot_id(p, url, base).unwrap(), bot_id(p, key, None).unwrap(), "{url}");
        }
        // no base: as given
        let u = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K0123456789";
        assert_eq!(webhook_url(Platform::Wecom, u, None).unwrap(), u);
        // a malformed base is refused, not ignored
        let e = webhook_url(Platform::Wecom, u, Some("not a url")).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidConfig);
        assert!(!e.message.contains("K0123456789"));
    }

    #[test]
    fn a_url_of_another_platform_or_without_credential_is_refused() {
        let e =
            webhook_url(Platform::Wecom, "https://oapi.dingtalk.com/robot/send?access_token=T0KEN", None).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidConfig);
        assert!(!e.message.contains("T0KEN"));
        assert!(webhook_url(Platform::Wecom, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send", None).is_err());
        assert!(webhook_url(Platform::Feishu, "https://open.feishu.cn/open-apis/bot/v2/hook/", None).is_err());
        assert!(webhook_url(Platform::Feishu, "https://open.larksuite.com/open-apis/bot/v2/hook/x1", None).is_ok());
        assert!(
            webhook_url(Platform::DingTalk, "https://oapi.dingtalk.com/robot/send?access_token=a&sign=x", None)
                .is_err()
        );
    }

    #[test]
    fn redaction_hides_every_credential() {
        assert_eq!(
            redact_url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRET&debug=1"),
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***&debug=1"
        );
        assert_eq!(
            redact_url("https://oapi.dingtalk.com/robot/send?access_token=SECRET&timestamp=1&sign=SIG"),
            "https://oapi.dingtalk.com/robot/send?access_token=***&timestamp=1&sign=***"
        );
        assert_eq!(
            redact_url("https://open.feishu.cn/open-apis/bot/v2/hook/SECRET"),
            "https://open.feishu.cn/open-apis/bot/v2/hook/***"
        );
    }

    #[test]
    fn credentials_in_free_text_are_redacted() {
        let deno = "fetch failed: error sending request for url (http://127.0.0.1:1/robot/send?access_token=T0K&timestamp=17&sign=ab%2Bc%3D): client error";
        assert_eq!(
            redact_text(deno),
            "fetch failed: error sending request for url (http://127.0.0.1:1/robot/send?access_token=***&timestamp=17&sign=***): client error"
        );
        assert_eq!(redact_text("缺少参数sign=x y"), "缺少参数sign=*** y");
        assert_eq!(redact_text("image_key=abc design=1 a=b"), "image_key=abc design=1 a=b");
        assert_eq!(redact_text("…key=SECRET"), "…key=***");
        assert_eq!(redact_text("no equals here"), "no equals here");
    }

    #[test]
    fn one_bot_one_identity() {
        let key = "KEY0123456789abcdef";
        let id = bot_id(Platform::Wecom, key, None).unwrap();
        assert!(id.starts_with("wecom:") && !id.contains(key) && id.len() == "wecom:".len() + 32);
        for same in [
            format!("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={key}"),
            format!("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?debug=1&key={key}"),
            format!("http://127.0.0.1:8080/cgi-bin/webhook/send?key={key}#x"),
        ] {
            assert_eq!(bot_id(Platform::Wecom, &same, None).unwrap(), id, "{same}");
        }
        assert_ne!(bot_id(Platform::Wecom, "KEY0123456789abcdeX", None).unwrap(), id);
        assert_ne!(bot_id(Platform::DingTalk, key, None).unwrap(), id);
        let feishu = bot_id(Platform::Feishu, "hookid12345678", None).unwrap();
        assert_eq!(
            bot_id(Platform::Feishu, "https://open.feishu.cn/open-apis/bot/v2/hook/hookid12345678", None).unwrap(),
            feishu
        );
        assert!(bot_id(Platform::Wecom, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send", None).is_err());
        // the message had a stray article ("has no a hook id")
        let e = webhook_url(Platform::Feishu, "https://open.feishu.cn/open-apis/bot/v2/hook/", None).unwrap_err();
        assert_eq!(e.message, "the Feishu webhook URL has no hook id after /open-apis/bot/v2/hook/");
    }

    #[test]
    fn platform_names_and_aliases() {
        assert_eq!(Platform::parse("WeCom").unwrap(), Platform::Wecom);
        assert_eq!(Platform::parse("dingtalk").unwrap(), Platform::DingTalk);
        assert_eq!(Platform::parse("lark").unwrap(), Platform::Lark);
        assert_eq!(Platform::parse("slack").unwrap_err().code, ErrorCode::UnknownPlatform);
        let key = "693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa";
        assert!(!Platform::parse(key).unwrap_err().message.contains(key));
        assert!(
            webhook_url(Platform::DingTalk, "https://oapi.dingtalk.com/robot/send?access_token=T#x", None)
                .is_ok_and(|u| !u.contains('#'))
        );
    }
}
