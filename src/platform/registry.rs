//! The registry: the one list naming every platform. Adding a platform is a
//! file implementing [`PlatformSpec`] and a line here (its constant and its
//! entry in [`REGISTRY`], at the same index).

use super::spec::{Platform, PlatformSpec};
use super::{dingtalk, feishu, wecom};
use crate::error::{Error, ErrorCode, Result};

/// Every platform, in the order of their handles.
static REGISTRY: [&dyn PlatformSpec; 4] = [&wecom::WeCom, &dingtalk::DingTalk, &feishu::FEISHU, &feishu::LARK];

#[allow(non_upper_case_globals)]
impl Platform {
    pub const Wecom: Platform = Platform(0);
    pub const DingTalk: Platform = Platform(1);
    pub const Feishu: Platform = Platform(2);
    /// Lark: Feishu's international edition, the same API at open.larksuite.com.
    pub const Lark: Platform = Platform(3);

    pub const ALL: [Platform; 4] = [Platform(0), Platform(1), Platform(2), Platform(3)];
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
        let found = Platform::ALL.into_iter().find(|p| {
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
