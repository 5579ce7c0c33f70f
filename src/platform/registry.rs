//! The registry: the one list naming every platform. Adding a platform is a
//! file implementing [`PlatformSpec`] and a line here (its constant and its
//! entry in [`REGISTRY`], at the same index).

use super::spec::{Platform, PlatformSpec};
use super::{dingtalk, feishu, webhook, wecom};
use crate::error::{Error, ErrorCode, Result};

/// Every platform, in the order of their handles.
static REGISTRY: [&dyn PlatformSpec; 5] =
    [&wecom::WeCom, &dingtalk::DingTalk, &feishu::FEISHU, &feishu::LARK, &webhook::Webhook];

#[allow(non_upper_case_globals)]
impl Platform {
    pub const Wecom: Platform = Platform(0);
    pub const DingTalk: Platform = Platform(1);
    pub const Feishu: Platform = Platform(2);
    /// Lark: Feishu's international edition, the same API at open.larksuite.com.
    pub const Lark: Platform = Platform(3);

    /// The generic webhook target: configured per target, never detected from a URL.
    pub const Webhook: Platform = Platform(4);

    /// The platforms a webhook URL or key alone addresses (detection, env, `platformInfo`).
    pub const ALL: [Platform; 4] = [Platform(0), Platform(1), Platform(2), Platform(3)];
    /// The platforms configured per target ([`PlatformSpec::configured`]).
    pub const CONFIGURED: [Platform; 1] = [Platform(4)];
}

impl Platform {
    /// What this platform knows.
    pub fn spec(self) -> &'static dyn PlatformSpec {
        REGISTRY[usize::from(self.0) % REGISTRY.len()]
    }

    pub fn as_str(self) -> &'static str {
        self.spec().name()
    }

    /// A human name for messages.
    pub fn display(self) -> &'static str {
        self.spec().display()
    }

    pub fn default_base(self) -> &'static str {
        self.spec().default_base()
    }

    /// Both share one API (Feishu and Lark): a URL of one serves the other.
    pub fn same_family(self, other: Platform) -> bool {
        self.spec().family() == other.spec().family()
    }

    /// Feishu or Lark (one API, two regions).
    pub fn is_feishu_like(self) -> bool {
        self.same_family(Platform::Feishu)
    }

    /// A platform by its name or an alias, case-insensitively.
    pub fn parse(name: &str) -> Result<Platform> {
        let wanted = name.trim().to_ascii_lowercase();
        let found = Platform::ALL.into_iter().chain(Platform::CONFIGURED).find(|p| {
            let s = p.spec();
            s.name() == wanted || s.aliases().contains(&wanted.as_str())
        });
        found.ok_or_else(|| {
            let shown = match super::spec::shown_name(name) {
                Some(n) => format!("'{n}'"),
                None => "given".to_string(),
            };
            Error::new(ErrorCode::UnknownPlatform, format!("unknown platform {shown}; expected {}", Platform::names()))
        })
    }

    /// The canonical names, for messages: `wecom, dingtalk, feishu or lark`.
    pub fn names() -> String {
        let names: Vec<&str> = Platform::ALL.iter().map(|p| p.as_str()).collect();
        match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => names.join(""),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::spec::{Credential, Signing};
    use crate::target::{WebhookUrl, detect_platform, webhook_url};

    /// One line per registered platform: what it provides.
    fn provides(p: Platform) -> String {
        let s = p.spec();
        let credential = match s.credential() {
            Credential::Query(q) => format!("query {q}"),
            Credential::PathAfter(m) => format!("path after {m}"),
            Credential::Configured => "configured".into(),
        };
        let signing = match s.signing() {
            Signing::Unsigned { .. } => "unsigned",
            Signing::UrlQuery => "signed in the query",
            Signing::BodyFields => "signed in the body",
        };
        let env = s.env_names();
        let media = match s.media() {
            Some(m) => format!(
                "media: image {}, file {}",
                m.inline_image_limit.map_or("no".into(), |n| n.to_string()),
                m.file_upload.map_or("no".into(), |f| format!("{}-{}", f.min_bytes, f.max_bytes))
            ),
            None => "no media step".into(),
        };
        format!(
            "{} ({}): {}; {credential}; {signing}; env {} {}; rate {:?}, blocked {} ms; {media}",
            s.name(),
            s.display(),
            s.default_base(),
            env.webhook,
            env.secret.unwrap_or("-"),
            s.rate_limits(),
            s.rate_block_ms(),
        )
    }

    #[test]
    fn every_registered_platform_and_what_it_provides() {
        let table: Vec<String> = Platform::ALL.into_iter().map(provides).collect();
        assert_eq!(
            table,
            [
                "wecom (WeCom): https://qyapi.weixin.qq.com; query key; unsigned; env WECOM_WEBHOOK_KEY -; rate [(20, 60000)], blocked 60000 ms; media: image 2097152, file 5-20971520",
                "dingtalk (DingTalk): https://oapi.dingtalk.com; query access_token; signed in the query; env DINGTALK_ACCESS_TOKEN DINGTALK_SECRET; rate [(20, 60000)], blocked 600000 ms; no media step",
                "feishu (Feishu): https://open.feishu.cn; path after /hook/; signed in the body; env FEISHU_WEBHOOK_ID FEISHU_SECRET; rate [(5, 1000), (100, 60000)], blocked 1000 ms; no media step",
                "lark (Lark): https://open.larksuite.com; path after /hook/; signed in the body; env LARK_WEBHOOK_ID LARK_SECRET; rate [(5, 1000), (100, 60000)], blocked 1000 ms; no media step",
            ]
        );
    }

    #[test]
    fn handles_names_and_aliases_agree_with_the_list() {
        for (i, p) in Platform::ALL.into_iter().enumerate() {
            assert_eq!(usize::from(p.0), i, "{p:?}: its constant is its index in the registry");
            assert_eq!(Platform::parse(p.as_str()).unwrap(), p);
            assert_eq!(Platform::parse(&p.as_str().to_ascii_uppercase()).unwrap(), p);
            for a in p.spec().aliases() {
                assert_eq!(Platform::parse(a).unwrap(), p, "alias {a}");
            }
        }
        let mut names: Vec<&str> = Platform::ALL
            .iter()
            .flat_map(|p| [p.as_str()].into_iter().chain(p.spec().aliases().iter().copied()))
            .collect();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n, "a name or alias is claimed twice");
        assert_eq!(Platform::names(), "wecom, dingtalk, feishu or lark");
    }

    #[test]
    fn a_url_built_from_a_key_detects_back_and_carries_the_key() {
        for p in Platform::ALL {
            let url = webhook_url(p, "KEY_0123456789", None).unwrap();
            assert_eq!(detect_platform(&url).unwrap(), Some(p), "{url}");
            assert_eq!(WebhookUrl::parse(&url).unwrap().credential(p), Some("KEY_0123456789"), "{url}");
            // and behind a proxy, where only the path can tell
            let proxied = webhook_url(p, "KEY_0123456789", Some("http://127.0.0.1:9")).unwrap();
            let seen = detect_platform(&proxied).unwrap();
            assert!(seen.is_some_and(|q| q.same_family(p)), "{proxied}: {seen:?}");
        }
    }

    #[test]
    fn signed_platforms_sign_and_unsigned_ones_say_why() {
        for p in Platform::ALL {
            let sig = p.spec().signature("SEC0123456789", 1_700_000_000_000).unwrap();
            match p.spec().signing() {
                Signing::Unsigned { why } => {
                    assert!(sig.is_none(), "{p:?}");
                    assert!(why.contains(p.display()), "{why}");
                }
                Signing::UrlQuery | Signing::BodyFields => {
                    let sig = sig.unwrap_or_else(|| panic!("{p:?} is signed but makes no signature"));
                    assert!(sig.timestamp.starts_with("1700000000"), "{sig:?}");
                    assert_eq!(sig.sign.len(), 44, "base64 of a SHA-256 HMAC: {sig:?}");
                }
            }
        }
    }

    /// Each platform words what its markdown dialect lost.
    #[test]
    fn losses_are_worded_by_the_platform() {
        use crate::model::UnifiedMessage;
        use crate::options::{RenderOptions, WecomMarkdown};
        let reasons = |p: Platform, md: &str, opts: RenderOptions| -> Vec<String> {
            let m = serde_json::json!({"content": {"type": "markdown", "body": {"content": md}}});
            let r = crate::render::render(&UnifiedMessage::from_value(&m).unwrap(), p, &opts).unwrap();
            r.degraded.iter().map(|d| format!("{}->{}: {}", d.from, d.to, d.reason)).collect()
        };
        let v1 = RenderOptions { wecom_markdown: WecomMarkdown::V1, ..Default::default() };
        assert_eq!(
            reasons(Platform::Wecom, "| a |\n|---|\n\n![i](u)", v1),
            ["table->text: WeCom markdown has no tables", "image->link: WeCom markdown cannot show images"]
        );
        assert_eq!(
            reasons(
                Platform::DingTalk,
                "```\nx\n```\n\n| a |\n|---|\n\n<font color=red>r</font> ~~s~~",
                RenderOptions::default()
            ),
            [
                "code_block->text: DingTalk markdown has no code blocks",
                "table->text: DingTalk markdown has no tables",
                "font->text: DingTalk markdown has no coloured text",
                "strikethrough->text: DingTalk markdown has no strikethrough",
            ]
        );
        assert_eq!(
            reasons(Platform::Lark, "# h\n\n| a |\n|---|", RenderOptions::default()),
            ["heading->bold: Feishu post has no headings", "table->text: Feishu post has no tables"]
        );
    }
}
