//! Apprise and shoutrrr service URLs, so that a URL written for either works
//! unchanged: `dingtalk://{secret}@{token}/{phone}`, `wecombot://{key}`,
//! `feishu://{token}`, `lark://{token}` (Apprise) and `lark://HOST/TOKEN?secret=`,
//! `wecom://KEY?mentioned_list=`, `dingding://TOKEN?secret=` (shoutrrr).
//!
//! A service URL becomes a platform, a bare key (so a base URL for a proxy or
//! a test server still applies), a signing secret, mentions and the URL's
//! message options. Errors never quote a key, token or secret; [`redacted`]
//! gives a form fit to show.

mod message;

pub use message::message_with;
use percent_encoding::percent_decode_str;
use serde_json::{Value, json};

use crate::error::{Error, ErrorCode, Result};
use crate::target::{self, Platform};

/// A mention carried by the URL (Apprise's phone targets, shoutrrr's lists).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UrlMention {
    Mobile(String),
    UserId(String),
    All,
}

/// What a service URL says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceTarget {
    pub platform: Option<Platform>,
    /// The bare key / access token / hook id.
    pub key: String,
    pub secret: Option<String>,
    pub mentions: Vec<UrlMention>,
    /// `text` or `markdown` (Apprise's `format=`).
    pub format: Option<&'static str>,
    /// `split`, `truncate` or `error` (Apprise's `overflow=`; `upstream` is `error`:
    /// nothing over a limit is posted).
    pub overflow: Option<&'static str>,
    pub title: Option<String>,
    /// shoutrrr DingTalk: a keyword the bot requires, appended when missing.
    pub keyword: Option<String>,
    /// shoutrrr Lark: a link added to the message.
    pub link: Option<String>,
    /// The scheme it was written with.
    pub scheme: &'static str,
}

/// Apprise's arguments common to every service: accepted, and with no effect here
/// (retries, timeouts and TLS are the sender's).
const IGNORED: [&str; 9] = ["emojis", "store", "tz", "retry", "wait", "verify", "rto", "cto", "redirect"];

/// Is `s` written in a service-URL scheme this module reads?
pub fn is_service_url(s: &str) -> bool {
    scheme_of(s).is_some()
}

fn scheme_of(s: &str) -> Option<&'static str> {
    let (scheme, _) = s.trim().split_once("://")?;
    ["dingtalk", "dingding", "wecombot", "wecom", "feishu", "lark"].into_iter().find(|k| k.eq_ignore_ascii_case(scheme))
}

/// A parameter name as it may be shown back.
fn shown_param(k: &str) -> String {
    if (1..=32).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
        format!("'{k}'")
    } else {
        "a parameter".to_string()
    }
}

fn decode(s: &str) -> Result<String> {
    let plus = s.replace('+', " ");
    percent_decode_str(&plus)
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|_| Error::config("a service URL has a percent-encoded value that is not UTF-8"))
}

/// Parse a service URL. `Ok(None)` when `s` is not one (an https URL or a bare key).
pub fn parse(s: &str) -> Result<Option<ServiceTarget>> {
    let s = s.trim();
    let Some(scheme) = scheme_of(s) else { return Ok(None) };
    let bad = |why: &str| Error::config(format!("malformed {scheme}:// URL: {why}"));
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("it contains spaces or control characters (percent-encode them)"));
    }
    let rest = &s[scheme.len() + 3..];
    let rest = rest.split('#').next().unwrap_or("");
    let (before_query, query) = match rest.split_once('?') {
        Some((a, q)) => (a, q),
        None => (rest, ""),
    };
    let (authority, path) = match before_query.find('/') {
        Some(i) => (&before_query[..i], &before_query[i + 1..]),
        None => (before_query, ""),
    };
    let (userinfo, host) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(decode(u)?), decode(h)?),
        None => (None, decode(authority)?),
    };
    let segments: Vec<String> = path.split('/').filter(|p| !p.is_empty()).map(decode).collect::<Result<Vec<_>>>()?;
    let mut params: Vec<(String, String)> = Vec::new();
    for kv in query.split('&').filter(|kv| !kv.is_empty()) {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        params.push((decode(k)?.to_ascii_lowercase(), decode(v)?));
    }
    let mut t = ServiceTarget { scheme, ..Default::default() };
    let mut used: Vec<&str> = Vec::new();
    let mut take = |name: &'static str| -> Option<String> {
        used.push(name);
        params.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    };
    let nonempty = |v: Option<String>| v.filter(|v| !v.is_empty());

    match scheme {
        "dingtalk" => {
            t.platform = Some(Platform::DingTalk);
            t.key = nonempty(take("token")).unwrap_or(host);
            check_token(scheme, "token", &t.key, |b| b.is_ascii_alphanumeric())?;
            t.secret = nonempty(take("secret")).or(userinfo.filter(|u| !u.is_empty()));
            if let Some(sec) = &t.secret {
                check_token(scheme, "secret", sec, |b| b.is_ascii_alphanumeric())?;
            }
            let mut phones: Vec<String> = segments;
            if let Some(to) = take("to") {
                phones.extend(to.split([',', ' ']).filter(|p| !p.is_empty()).map(str::to_string));
            }
            for p in phones {
                t.mentions.push(UrlMention::Mobile(phone(&p).ok_or_else(|| {
                    bad("a target after the token is not a phone number (11-14 digits, optional +, spaces, dashes and brackets)")
                })?));
            }
        }
        "dingding" => {
            t.platform = Some(Platform::DingTalk);
            t.key = host;
            check_token(scheme, "access token", &t.key, |b| b.is_ascii_alphanumeric())?;
            if !segments.is_empty() {
                return Err(bad("nothing may follow the access token in the path"));
            }
            t.secret = nonempty(take("secret"));
            match take("kind").as_deref() {
                None | Some("") | Some("custombot") => {}
                Some("worknotice") => {
                    return Err(Error::unsupported(
                        "dingding:// kind=worknotice (work notifications through an app) is not supported: use a group bot (kind=custombot)",
                    ));
                }
                Some(_) => return Err(bad("kind must be custombot")),
            }
            if take("template").is_some_and(|v| !v.is_empty()) {
                return Err(Error::unsupported("dingding:// template= is not supported: pass --type and the content"));
            }
            t.keyword = nonempty(take("keyword"));
        }
        "wecombot" => {
            t.platform = Some(Platform::Wecom);
            t.key = nonempty(take("key")).unwrap_or(host);
            check_token(scheme, "key", &t.key, |b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')?;
            if !segments.is_empty() {
                return Err(bad("nothing may follow the key in the path"));
            }
        }
        "wecom" => {
            t.platform = Some(Platform::Wecom);
            t.key = host;
            check_token(scheme, "key", &t.key, |b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')?;
            if !segments.is_empty() {
                return Err(bad("nothing may follow the key in the path"));
            }
            for (name, mobile) in [("mentioned_list", false), ("mentioned_mobile_list", true)] {
                for v in take(name).unwrap_or_default().split(',').map(str::trim).filter(|v| !v.is_empty()) {
                    t.mentions.push(match (v, mobile) {
                        ("@all", _) => UrlMention::All,
                        (v, true) => {
                            UrlMention::Mobile(phone(v).ok_or_else(|| {
                                bad("mentioned_mobile_list holds something that is not a phone number")
                            })?)
                        }
                        (v, false) => UrlMention::UserId(v.to_string()),
                    });
                }
            }
        }
        "feishu" | "lark" if host.contains('.') => {
            // shoutrrr: lark://HOST/TOKEN
            t.platform = Some(match host.to_ascii_lowercase().as_str() {
                "open.larksuite.com" => Platform::Lark,
                "open.feishu.cn" => Platform::Feishu,
                _ => return Err(bad("the host must be open.larksuite.com or open.feishu.cn")),
            });
            let [token] = segments.as_slice() else {
                return Err(bad("expected lark://HOST/TOKEN"));
            };
            t.key = token.clone();
            check_token(scheme, "token", &t.key, |b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')?;
            t.secret = nonempty(take("secret")).or(userinfo.filter(|u| !u.is_empty()));
            t.link = nonempty(take("link"));
        }
        _ => {
            // Apprise feishu:// and lark://; a secret (which Apprise cannot use) as user or ?secret=
            t.platform = Some(if scheme == "lark" { Platform::Lark } else { Platform::Feishu });
            t.key = nonempty(take("token")).unwrap_or(host);
            check_token(scheme, "token", &t.key, |b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')?;
            if !segments.is_empty() {
                return Err(bad("nothing may follow the token in the path"));
            }
            t.secret = nonempty(take("secret")).or(userinfo.filter(|u| !u.is_empty()));
        }
    }
    if let Some(sec) = &t.secret {
        crate::sign::check_secret(sec)?;
    }
    t.title = nonempty(take("title"));
    t.format = match take("format").as_deref() {
        None | Some("") => None,
        Some("text") => Some("text"),
        Some("markdown") => Some("markdown"),
        Some("html") => {
            return Err(Error::unsupported("format=html is not supported: these bots take text or markdown"));
        }
        Some(_) => return Err(bad("format must be text or markdown")),
    };
    t.overflow = match take("overflow").as_deref() {
        None | Some("") => None,
        Some("split") => Some("split"),
        Some("truncate") => Some("truncate"),
        Some("upstream") | Some("error") => Some("error"),
        Some(_) => return Err(bad("overflow must be split, truncate or upstream")),
    };
    for (k, _) in &params {
        if !used.contains(&k.as_str()) && !IGNORED.contains(&k.as_str()) {
            return Err(bad(&format!("unknown parameter {}", shown_param(k))));
        }
    }
    Ok(Some(t))
}

/// A key, token or secret checked against the characters Apprise / shoutrrr accept.
/// The message names what is wrong, never the value.
fn check_token(scheme: &str, what: &str, v: &str, ok: impl Fn(u8) -> bool) -> Result<()> {
    if v.is_empty() {
        return Err(Error::config(format!("malformed {scheme}:// URL: no {what}")));
    }
    if v.len() > 256 || !v.bytes().all(ok) {
        return Err(Error::config(format!(
            "malformed {scheme}:// URL: the {what} has characters it cannot have (letters, digits{} only)",
            if what == "secret" || scheme.starts_with("ding") { "" } else { ", '-' and '_'" }
        )));
    }
    Ok(())
}

/// A phone number as Apprise reads one: 11-14 digits once `+`, spaces, dashes and
/// brackets are stripped; the digits are returned.
fn phone(s: &str) -> Option<String> {
    let s = s.trim();
    if !s.chars().all(|c| c.is_ascii_digit() || " ()+-".contains(c)) {
        return None;
    }
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    (11..=14).contains(&digits.len()).then_some(digits)
}

impl ServiceTarget {
    /// The JSON form handed to JS: `{ platform, webhook, secret, mentions, format, overflow,
    /// title, keyword, link, redacted }`. `webhook` is the bare key; `redacted` is safe to show.
    pub fn to_value(&self) -> Value {
        let mentions: Vec<Value> = self
            .mentions
            .iter()
            .map(|m| match m {
                UrlMention::Mobile(v) => json!({"type": "mobile", "value": v}),
                UrlMention::UserId(v) => json!({"type": "user_id", "value": v}),
                UrlMention::All => json!({"type": "all"}),
            })
            .collect();
        json!({
            "platform": self.platform.map(Platform::as_str),
            "webhook": self.key,
            "secret": self.secret,
            "mentions": mentions,
            "format": self.format,
            "overflow": self.overflow,
            "title": self.title,
            "keyword": self.keyword,
            "link": self.link,
            "redacted": format!("{}://{}***", self.scheme, if self.secret.is_some() { "***@" } else { "" }),
        })
    }
}

/// Any target as a user writes one: a service URL, a webhook URL, or a bare key
/// with `platform` given. `platform`, when given, must agree with the URL.
pub fn resolve(input: &str, platform: Option<&str>) -> Result<ServiceTarget> {
    let want = match platform.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => Some(Platform::parse(p)?),
        None => None,
    };
    let input = input.trim();
    if input.is_empty() {
        return Err(Error::config("no webhook URL, service URL or key given"));
    }
    let mut t = match parse(input)? {
        Some(t) => t,
        None if input.contains("://") => {
            let found = target::detect_platform(input)?;
            let p = found.or(want).ok_or_else(|| {
                Error::new(
                    ErrorCode::UnknownPlatform,
                    "the webhook URL is of no known platform: name the platform (wecom, dingtalk, feishu or lark)",
                )
            })?;
            // the platform given decides; webhook_url refuses a URL of another platform
            let p = want.unwrap_or(p);
            target::webhook_url(p, input, None)?;
            let scheme = if input.to_ascii_lowercase().starts_with("https") { "https" } else { "http" };
            return Ok(ServiceTarget { platform: Some(p), key: input.to_string(), scheme, ..Default::default() });
        }
        None => {
            let p = want.ok_or_else(|| {
                Error::config("a bare key needs its platform: give the platform, or a URL (https://… or wecombot://…)")
            })?;
            target::webhook_url(p, input, None)?;
            return Ok(ServiceTarget { platform: Some(p), key: input.to_string(), ..Default::default() });
        }
    };
    if let (Some(w), Some(p)) = (want, t.platform) {
        let same = w.same_family(p);
        if !same {
            return Err(Error::config(format!(
                "the URL is a {} one, but the platform given is {}",
                p.display(),
                w.display()
            )));
        }
        t.platform = Some(if p.is_feishu_like() && t.scheme != "lark" { w } else { p });
    }
    if let Some(p) = t.platform {
        target::webhook_url(p, &t.key, None)?;
    }
    Ok(t)
}

/// A target as it may be shown: credentials replaced by `***`.
pub fn redacted(input: &str) -> String {
    let input = input.trim();
    match scheme_of(input) {
        Some(scheme) => {
            let has_user = input[scheme.len() + 3..].split(['/', '?']).next().is_some_and(|a| a.contains('@'));
            format!("{scheme}://{}***", if has_user { "***@" } else { "" })
        }
        None if input.contains("://") => target::redact_url(input),
        None => "***".to_string(),
    }
}

/// Example service URLs for a platform (`platformInfo`).
pub fn schemes_for(p: Platform) -> &'static [&'static str] {
    match p {
        Platform::Wecom => &["wecombot://{key}", "wecom://{key}?mentioned_list=a,b&mentioned_mobile_list=1,2"],
        Platform::DingTalk => {
            &["dingtalk://{secret}@{token}/{phone}/{phone}", "dingding://{token}?secret={secret}&keyword={kw}"]
        }
        Platform::Feishu => &["feishu://{secret}@{token}", "lark://open.feishu.cn/{token}?secret={secret}"],
        Platform::Lark => &["lark://{secret}@{token}", "lark://open.larksuite.com/{token}?secret={secret}"],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> ServiceTarget {
        parse(s).unwrap().unwrap()
    }

    #[test]
    fn apprise_dingtalk_forms() {
        let t = ok("dingtalk://abc123TOKEN/");
        assert_eq!((t.platform, t.key.as_str(), t.secret.as_deref()), (Some(Platform::DingTalk), "abc123TOKEN", None));
        let t = ok("dingtalk://SECabc@abc123TOKEN/");
        assert_eq!(t.secret.as_deref(), Some("SECabc"));
        let t = ok("dingtalk://SECabc@abc123TOKEN/13800000000/+86%20139-0000-0000");
        assert_eq!(
            t.mentions,
            vec![UrlMention::Mobile("13800000000".into()), UrlMention::Mobile("8613900000000".into())]
        );
        let t = ok("dingtalk://?token=abc123TOKEN&secret=SECabc&to=13800000000,13900000000&format=markdown");
        assert_eq!(t.key, "abc123TOKEN");
        assert_eq!(t.secret.as_deref(), Some("SECabc"));
        assert_eq!(t.mentions.len(), 2);
        assert_eq!(t.format, Some("markdown"));
        assert_eq!(ok("dingtalk://abc123TOKEN/?overflow=upstream").overflow, Some("error"));
        assert_eq!(ok("dingtalk://abc123TOKEN/?overflow=truncate&verify=no&rto=4").overflow, Some("truncate"));
    }

    #[test]
    fn apprise_wecom_feishu_lark() {
        let t = ok("wecombot://693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa");
        assert_eq!((t.platform, t.key.as_str()), (Some(Platform::Wecom), "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"));
        assert_eq!(ok("wecombot://?key=KEY_1234").key, "KEY_1234");
        let t = ok("feishu://hook-id_1");
        assert_eq!((t.platform, t.key.as_str()), (Some(Platform::Feishu), "hook-id_1"));
        assert_eq!(ok("feishu://SEC1@hook-id_1").secret.as_deref(), Some("SEC1"));
        let t = ok("lark://hook-id-2?format=text");
        assert_eq!((t.platform, t.format), (Some(Platform::Lark), Some("text")));
        assert_eq!(ok("LARK://?token=hook-id-2").key, "hook-id-2");
    }

    #[test]
    fn shoutrrr_forms() {
        let t = ok("lark://open.larksuite.com/tok-123?secret=S3cr&title=Hi&link=https%3A%2F%2Fe.com");
        assert_eq!(t.platform, Some(Platform::Lark));
        assert_eq!((t.key.as_str(), t.secret.as_deref(), t.title.as_deref()), ("tok-123", Some("S3cr"), Some("Hi")));
        assert_eq!(t.link.as_deref(), Some("https://e.com"));
        assert_eq!(ok("lark://open.feishu.cn/tok-123").platform, Some(Platform::Feishu));
        let t = ok("wecom://KEY_1234?mentioned_list=alice,@all&mentioned_mobile_list=13800000000");
        assert_eq!(
            t.mentions,
            vec![UrlMention::UserId("alice".into()), UrlMention::All, UrlMention::Mobile("13800000000".into())]
        );
        let t = ok("dingding://abc123TOKEN?kind=custombot&secret=SECx&keyword=alert&title=T");
        assert_eq!(
            (t.platform, t.secret.as_deref(), t.keyword.as_deref()),
            (Some(Platform::DingTalk), Some("SECx"), Some("alert"))
        );
    }

    #[test]
    fn not_service_urls() {
        assert_eq!(parse("https://oapi.dingtalk.com/robot/send?access_token=x").unwrap(), None);
        assert_eq!(parse("abcdef123456").unwrap(), None);
        assert!(!is_service_url("slack://x"));
    }

    #[test]
    fn bad_urls_are_typed_and_never_echo_secrets() {
        let cases = [
            ("dingtalk://SECRETVALUE@tok!en/", ErrorCode::InvalidConfig),
            ("dingtalk://SECRET-VALUE@abc123TOKENVALUE/", ErrorCode::InvalidConfig),
            ("dingtalk://abc123TOKENVALUE/12ab", ErrorCode::InvalidConfig),
            ("dingtalk://abc123TOKENVALUE/?secrt=SECRETVALUE", ErrorCode::InvalidConfig),
            ("dingtalk://abc123TOKENVALUE/?format=html", ErrorCode::Unsupported),
            ("wecombot://KEY.VALUE.SECRET", ErrorCode::InvalidConfig),
            ("wecombot://", ErrorCode::InvalidConfig),
            ("lark://evil.example.com/TOKENVALUE", ErrorCode::InvalidConfig),
            ("dingding://abc123TOKENVALUE?kind=worknotice&secret=SECRETVALUE", ErrorCode::Unsupported),
            ("feishu://TOKENVALUE/extra", ErrorCode::InvalidConfig),
            ("wecom://KEYVALUE?mentioned_mobile_list=abc", ErrorCode::InvalidConfig),
            ("feishu://TOKEN VALUE", ErrorCode::InvalidConfig),
            ("feishu://%FF%FE", ErrorCode::InvalidConfig),
        ];
        for (url, code) in cases {
            let e = parse(url).unwrap_err();
            assert_eq!(e.code, code, "{url}: {}", e.message);
            for secret in ["SECRETVALUE", "SECRET-VALUE", "TOKENVALUE", "KEY.VALUE", "KEYVALUE", "tok!en"] {
                assert!(!e.message.contains(secret), "{url}: {}", e.message);
            }
        }
    }

    #[test]
    fn resolve_any_target() {
        let t = resolve("https://oapi.dingtalk.com/robot/send?access_token=abc", None).unwrap();
        assert_eq!(t.platform, Some(Platform::DingTalk));
        let t = resolve("http://127.0.0.1:9/open-apis/bot/v2/hook/abc", Some("lark")).unwrap();
        assert_eq!(t.platform, Some(Platform::Lark));
        let t = resolve("abcdef123456", Some("wecom")).unwrap();
        assert_eq!((t.platform, t.key.as_str()), (Some(Platform::Wecom), "abcdef123456"));
        assert_eq!(resolve("abcdef123456", None).unwrap_err().code, ErrorCode::InvalidConfig);
        assert_eq!(resolve("https://example.com/x", None).unwrap_err().code, ErrorCode::UnknownPlatform);
        assert_eq!(resolve("feishu://hook-id_1", Some("lark")).unwrap().platform, Some(Platform::Lark));
        let e = resolve("https://oapi.dingtalk.com/robot/send?access_token=T0KENVALUE", Some("wecom")).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidConfig);
        assert!(!e.message.contains("T0KENVALUE"));
        let e = resolve("wecombot://KEYVALUE123", Some("dingtalk")).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidConfig);
        assert!(!e.message.contains("KEYVALUE"));
        assert_eq!(resolve("x", Some("slack")).unwrap_err().code, ErrorCode::UnknownPlatform);
        assert_eq!(resolve("  ", Some("wecom")).unwrap_err().code, ErrorCode::InvalidConfig);
    }

    #[test]
    fn redaction() {
        assert_eq!(redacted("dingtalk://SEC@TOKEN/1380000000"), "dingtalk://***@***");
        assert_eq!(redacted("wecombot://KEY"), "wecombot://***");
        assert_eq!(
            redacted("https://open.feishu.cn/open-apis/bot/v2/hook/ID"),
            "https://open.feishu.cn/open-apis/bot/v2/hook/***"
        );
        assert_eq!(redacted("KEY"), "***");
        let v = ok("dingtalk://SEC@TOKEN12/").to_value();
        assert_eq!(v["redacted"], "dingtalk://***@***");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 512, ..Default::default() })]

        /// Any text after any scheme: a target or a typed error, never a panic, and the
        /// credential-looking part never in an error.
        #[test]
        fn arbitrary_service_urls(
            scheme in "(dingtalk|dingding|wecombot|wecom|feishu|lark|LARK|https|x)",
            user in "[A-Za-z0-9%@:]{0,12}",
            rest in "[\\PC]{0,40}",
            secret in "Zq[A-Za-z0-9]{10}",
        ) {
            let url = format!("{scheme}://{user}@{secret}/{rest}");
            for input in [url.clone(), format!("{scheme}://{rest}?secret={secret}"), format!("{scheme}://{secret}{rest}")] {
                match resolve(&input, None) {
                    Ok(t) => {
                        proptest::prop_assert!(t.platform.is_some());
                        proptest::prop_assert!(!t.to_value()["redacted"].as_str().unwrap_or("").contains(&secret));
                    }
                    Err(e) => proptest::prop_assert!(!e.message.contains(&secret), "{}", e.message),
                }
                let _ = resolve(&input, Some("dingtalk"));
                // a service URL shows nothing but its scheme; an https URL keeps its host
                proptest::prop_assert!(!is_service_url(&input) || !redacted(&input).contains(&secret));
            }
        }
    }

    #[test]
    fn never_panics_on_odd_input() {
        for s in [
            "dingtalk://",
            "dingtalk://@",
            "lark://a.b",
            "lark://a.b/",
            "wecom://?",
            "feishu://%",
            "dingtalk://a/%E4%B8%AD",
            "dingding://x?kind",
            "wecombot://é",
        ] {
            let _ = parse(s);
            let _ = resolve(s, Some("wecom"));
            let _ = redacted(s);
        }
    }
}
