//! The webhook URL parser: any text as a webhook (bare key or URL) and as a base URL, for
//! every platform. Oracles: only INVALID_CONFIG / UNKNOWN_PLATFORM errors, none echoing a
//! credential-like run of the input; an accepted URL parses again as the same platform (when
//! its host or path names one), and its redacted form does not carry the credential.
#![no_main]

use libfuzzer_sys::fuzz_target;
use webhook_push::ErrorCode;
use webhook_push::target::{Platform, WebhookUrl, detect_platform, redact_url, webhook_url};

/// Runs of 12+ key characters with a digit in `s` (what could be a credential, not a word
/// such as `access_token` that an error may name).
fn key_runs(s: &str) -> Vec<&str> {
    s.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .filter(|r| r.len() >= 12 && r.bytes().any(|b| b.is_ascii_digit()))
        .collect()
}

fn check_err(e: &webhook_push::Error, input: &str) {
    assert!(matches!(e.code, ErrorCode::InvalidConfig | ErrorCode::UnknownPlatform), "{:?}", e.code);
    for r in key_runs(input) {
        assert!(!e.message.contains(r), "error echoes {r:?}: {}", e.message);
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let (hook, base) = match s.split_once('\u{0}') {
        Some((h, b)) => (h, Some(b)),
        None => (s, None),
    };
    if let Err(e) = detect_platform(s) {
        check_err(&e, s);
    }
    let _ = WebhookUrl::parse(s).map(|u| (u.platform(), u.query_param("access_token")));
    for p in Platform::ALL {
        match webhook_url(p, hook, base) {
            Ok(url) => {
                let parsed = WebhookUrl::parse(&url).expect("an accepted webhook URL parses again");
                // a URL to another host (a proxy) is taken as given; a known one must be this platform's
                let again = parsed.platform();
                let bare = !hook.contains("://");
                // (a base URL's own path may look like another platform's: that is the caller's proxy)
                if (bare && base.is_none()) || (!bare && again.is_some()) {
                    assert!(
                        again == Some(p) || (p.is_feishu_like() && again.is_some_and(Platform::is_feishu_like)),
                        "{p:?} webhook became {again:?}"
                    );
                }
                // the credential itself never survives redaction: where it was, the redacted URL
                // holds something else
                let cred = |u: &WebhookUrl<'_>| u.credential(p).map(str::to_string);
                if let Some(c) = cred(&parsed).filter(|c| c.len() >= 8) {
                    let red = redact_url(&url);
                    if let Ok(r) = WebhookUrl::parse(&red) {
                        assert_ne!(cred(&r).as_deref(), Some(c.as_str()), "redacted URL keeps the credential: {red}");
                    }
                }
            }
            Err(e) => check_err(&e, s),
        }
    }
});
