//! Oracles shared by the fuzz targets: what the platforms check, checked independently of
//! the renderers' own bookkeeping.
#![allow(dead_code)]

use webhook_push::limits::Overflow;
use webhook_push::platform::{dingtalk, feishu, wecom};
use webhook_push::render::{RenderOptions, Rendered, WecomMarkdown, render};
use webhook_push::target::Platform;
use webhook_push::{ErrorCode, model::UnifiedMessage};

/// What the platforms check besides sizes (every required text field shows something): the
/// native tests' oracle, one file for both.
#[path = "../../tests/common/acceptable.rs"]
mod acceptable;

pub const SECRET: &str = "SECfuzz0123456789abcdef";
pub const KEY: &str = "fuzzkey0123456789";

/// Options from one selector byte: overflow mode, signed or not, WeCom markdown flavour.
pub fn options(sel: u8, platform: Platform) -> RenderOptions {
    let overflow = [Overflow::Split, Overflow::Truncate, Overflow::Error][(sel % 3) as usize];
    let signed = (sel / 3) % 2 == 1 && platform != Platform::Wecom;
    let wecom_markdown = [WecomMarkdown::Auto, WecomMarkdown::V1, WecomMarkdown::V2][((sel / 6) % 3) as usize];
    RenderOptions {
        webhook: Some(KEY.into()),
        secret: signed.then(|| SECRET.into()),
        now_ms: 1_700_000_000_000 + u64::from(sel) * 7919,
        overflow,
        wecom_markdown,
        base_url: None,
    }
}

pub fn platform(sel: u8) -> Platform {
    Platform::ALL[(sel as usize) % Platform::ALL.len()]
}

/// Every payload, as it will be sent (signed), within its platform's limit.
pub fn check_limits(r: &Rendered) {
    for p in &r.payloads {
        match r.platform {
            Platform::DingTalk => {
                let n = p.to_text().len();
                assert!(n <= dingtalk::BODY_LIMIT, "DingTalk body {n} bytes");
            }
            Platform::Feishu | Platform::Lark => {
                let n = p.to_text().len();
                assert!(n <= feishu::BODY_LIMIT, "Feishu body {n} bytes");
            }
            Platform::Wecom => {
                for (k, limit) in
                    [("text", wecom::TEXT_LIMIT), ("markdown", wecom::MARKDOWN_LIMIT), ("markdown_v2", wecom::MARKDOWN_LIMIT)]
                {
                    if let Some(c) = p.get(k).and_then(|b| b.get("content")).and_then(webhook_push::payload::Payload::as_str) {
                        assert!(c.len() <= limit, "WeCom {k} content {} bytes", c.len());
                    }
                }
            }
            other => panic!("no limit known here for {other:?}"),
        }
    }
}

/// Nothing the caller gave as a credential appears in an error.
pub fn check_error(e: &webhook_push::Error) {
    assert!(
        matches!(e.code, ErrorCode::InvalidMessage | ErrorCode::InvalidConfig | ErrorCode::Unsupported),
        "render error with code {:?}: {}",
        e.code,
        e.message
    );
    assert!(!e.message.contains(SECRET) && !e.message.contains(KEY), "credential in error: {}", e.message);
}

/// Render a message and check it; the rendered result when it rendered.
pub fn render_checked(msg: &UnifiedMessage, p: Platform, opts: &RenderOptions) -> Option<Rendered> {
    match render(msg, p, opts) {
        Ok(r) => {
            check_limits(&r);
            // raw payloads are the caller's own, passed through
            if !matches!(msg.content.body, webhook_push::model::Body::Raw(_)) {
                for pl in &r.payloads {
                    if let Err(e) = acceptable::check_acceptable(r.platform, &pl.to_value()) {
                        panic!("a payload the platform refuses: {e}");
                    }
                }
            }
            assert!(r.payloads.len() <= webhook_push::platform::MAX_PARTS, "{} parts", r.payloads.len());
            if opts.overflow != Overflow::Split {
                assert_eq!(r.payloads.len(), 1, "{:?} gave several parts", opts.overflow);
            }
            let text = r.to_json();
            // the signing secret never reaches a payload, unless the message's own text holds it
            // (the fuzzer's dictionary has it: then it is the caller's content, sent as given)
            if let Some(s) = &opts.secret {
                if !format!("{msg:?}").contains(s.as_str()) {
                    assert!(!text.contains(s.as_str()), "the secret is in the payload");
                }
            }
            Some(r)
        }
        Err(e) => {
            check_error(&e);
            None
        }
    }
}

/// Without the whitespace (cuts may drop it at part boundaries).
pub fn strip(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}
