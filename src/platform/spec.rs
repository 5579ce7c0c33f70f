//! The platform contract: what the platform-agnostic layers (target, render,
//! sign, policy, sender, platform_info) ask a platform, and the [`Platform`]
//! handle they pass around.
//!
//! Everything one platform knows lives in its own file as an implementation
//! of [`PlatformSpec`]; the registry (`registry.rs`) is the only place that
//! names every platform. This module names none.

use std::fmt;

use serde_json::Value;

use crate::degrade::Degraded;
use crate::error::Result;
use crate::model::UnifiedMessage;
use crate::options::RenderOptions;
use crate::payload::Payload;

/// A platform: a small Copy handle into the registry. The registered
/// platforms are associated constants (`Platform::Wecom`, …, defined beside
/// the registry) and can be matched on; their knowledge is behind
/// [`Platform::spec`].
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Platform(pub(crate) u8);

impl fmt::Debug for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.display())
    }
}

/// What a renderer is given besides the message.
pub struct Ctx<'a> {
    pub platform: Platform,
    pub opts: &'a RenderOptions,
    pub degraded: &'a mut Degraded,
}

/// Turning a message into a platform's payloads.
pub trait PlatformRenderer: Sync {
    /// The payloads to post, in order (several when content was split).
    fn render(&self, msg: &UnifiedMessage, ctx: &mut Ctx<'_>) -> Result<Vec<Payload>>;
}

/// Where the bot's credential sits in its webhook URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential {
    /// A query parameter (`key`, `access_token`).
    Query(&'static str),
    /// The path segment after this marker (`/hook/<id>`).
    PathAfter(&'static str),
    /// None in a URL alone: each target's configuration says where to send
    /// (the generic webhook).
    Configured,
}

/// How a signed bot carries its signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signing {
    /// The bot is not signed; a secret is refused with this explanation.
    Unsigned { why: &'static str },
    /// `timestamp` and `sign` appended to the URL's query (the sign percent-encoded).
    UrlQuery,
    /// `timestamp` and `sign` as string fields of the JSON body.
    BodyFields,
}

/// A signature made for one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    pub timestamp: String,
    pub sign: String,
}

/// What a non-zero answer code means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeMeaning {
    /// The bot is over its rate limit. With `honours_retry_after`, a
    /// `Retry-After` header says how long; else the platform's block time.
    RateLimited { honours_retry_after: bool },
    /// The signature or its timestamp was refused: sign again.
    Resign,
    /// Anything else: trying again will not help.
    Refused,
}

/// The answer's fields: the first present one is read.
#[derive(Clone, Copy, Debug)]
pub struct AnswerFields {
    pub code: &'static [&'static str],
    pub message: &'static [&'static str],
}

/// The environment variables that configure a bot for `sendAuto`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EnvNames {
    pub webhook: &'static str,
    pub secret: Option<&'static str>,
}

/// A media step the sender runs before rendering: fetch an image given by
/// URL and inline it, upload a file to get an id the platform shows.
#[derive(Clone, Copy, Debug)]
pub struct MediaStep {
    /// Inline an image given by URL as base64 (JPG or PNG up to this many bytes).
    pub inline_image_limit: Option<usize>,
    /// Upload a file given by URL or base64 and send it by the id answered.
    pub file_upload: Option<FileUpload>,
}

#[derive(Clone, Copy, Debug)]
pub struct FileUpload {
    /// The upload URL for a send URL (same bot), or `None` when it has no such shape.
    pub upload_url: fn(&str) -> Option<String>,
    /// The multipart field name.
    pub field: &'static str,
    /// Smallest and largest file, bytes.
    pub min_bytes: usize,
    pub max_bytes: usize,
    /// How the limit is said in an error.
    pub limit_text: &'static str,
    /// The id in a successful answer, if it is one.
    pub media_id: fn(&Value) -> Option<String>,
}

/// Everything about one platform.
pub trait PlatformSpec: PlatformRenderer {
    /// The canonical name (`"wecom"`): results, bot ids, the JS `Platform` type.
    fn name(&self) -> &'static str;
    /// A human name for messages (`"WeCom"`).
    fn display(&self) -> &'static str;
    /// Other accepted names, lower case.
    fn aliases(&self) -> &'static [&'static str] {
        &[]
    }
    /// Scheme and host of the public service.
    fn default_base(&self) -> &'static str;
    /// Hosts that are this platform, exactly (lower case).
    fn hosts(&self) -> &'static [&'static str];
    /// Host suffixes that are this platform (`.larksuite.com`).
    fn host_suffixes(&self) -> &'static [&'static str] {
        &[]
    }
    /// A path prefix that says this platform behind a proxy or a mock.
    fn path_prefix(&self) -> Option<&'static str> {
        None
    }
    /// Platforms of one family share one API: a URL of one is accepted for another.
    fn family(&self) -> &'static str {
        self.name()
    }
    /// A raw payload keyed by this name serves when there is none for this platform.
    fn raw_fallback(&self) -> Option<&'static str> {
        None
    }

    /// The webhook URL for a bare credential at `base` (no trailing `/`).
    fn webhook_url(&self, base: &str, credential: &str) -> String;
    /// Where the credential sits in a webhook URL.
    fn credential(&self) -> Credential;
    /// What is missing when a URL has no credential (`"key= query parameter"`).
    fn credential_wording(&self) -> &'static str;

    /// How requests are signed.
    fn signing(&self) -> Signing;
    /// The signature for a request at `now_ms` (signed platforms only).
    fn signature(&self, _secret: &str, _now_ms: u64) -> Result<Option<Signature>> {
        Ok(None)
    }
    /// Environment variables for the webhook and the secret.
    fn env_names(&self) -> EnvNames;

    /// A rendered payload's size as the platform measures it, and its limit;
    /// `None` when the payload has no measured part.
    fn measured_size(&self, payload: &Payload) -> Option<(usize, usize)>;

    /// The answer's code and message fields.
    fn answer_fields(&self) -> AnswerFields;
    /// What a non-zero answer code means (the message lower-cased).
    fn code_meaning(&self, code: i64, message: &str) -> CodeMeaning;
    /// The documented rate limits: (count, window ms) pairs, all of which hold.
    fn rate_limits(&self) -> &'static [(usize, u64)];
    /// How long the platform blocks a bot after its rate limit is hit, ms.
    fn rate_block_ms(&self) -> u64;

    /// The limits as `platformInfo` shows them (`maxParts` is added).
    fn limits_info(&self) -> serde_json::Map<String, Value>;
    /// How a request is signed, in words (`platformInfo`).
    fn signing_how(&self) -> &'static str;
    /// A placeholder credential for an example webhook URL.
    fn credential_placeholder(&self) -> &'static str;

    /// The media step the sender runs first, if the platform has one.
    fn media(&self) -> Option<MediaStep> {
        None
    }

    /// Configured per target (the generic webhook): the request (URL, method,
    /// headers, body) and the answer check are each target's, given with it;
    /// the static answers above are not consulted when sending.
    fn configured(&self) -> bool {
        false
    }
}

/// A platform name as it may be shown back: only when it looks like a name
/// (1-16 letters or `_`). A key or URL passed in the wrong argument must not
/// end up in an error or a result.
pub fn shown_name(name: &str) -> Option<&str> {
    let looks_like_a_name =
        (1..=16).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_');
    looks_like_a_name.then_some(name)
}
