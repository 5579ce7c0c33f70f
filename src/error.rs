//! The one error type of the crate, with a stable code a caller can branch on.
//!
//! Every fallible function in the core returns [`Error`]; nothing in the core
//! panics on input (a panic in wasm is a trap that kills the instance). The
//! binding layer turns an `Error` into a JS `Error` whose `.code` is
//! [`ErrorCode::as_str`] and whose `.path` is the JSON path of a bad field.

use std::fmt;

/// Stable, machine-readable error codes (the strings JS code sees in `.code`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The message is malformed: a missing or mistyped field, an empty list, ...
    InvalidMessage,
    /// The target or options are malformed: a bad webhook URL, an unknown option value.
    InvalidConfig,
    /// The platform name or URL host is not one this crate knows.
    UnknownPlatform,
    /// The platform cannot express the message even after degradation
    /// (e.g. a `raw` payload for another platform), or `overflow: "error"` was asked.
    Unsupported,
    /// The bot's rate limit is reached (locally or as the platform said).
    RateLimit,
    /// The request did not complete (DNS, connection reset, TLS, ...).
    NetworkError,
    /// The request took longer than the configured timeout.
    Timeout,
    /// The platform answered and refused the message.
    PlatformError,
    /// The message id was already delivered by this sender.
    Duplicate,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 9] = [
        ErrorCode::InvalidMessage,
        ErrorCode::InvalidConfig,
        ErrorCode::UnknownPlatform,
        ErrorCode::Unsupported,
        ErrorCode::RateLimit,
        ErrorCode::NetworkError,
        ErrorCode::Timeout,
        ErrorCode::PlatformError,
        ErrorCode::Duplicate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidMessage => "INVALID_MESSAGE",
            ErrorCode::InvalidConfig => "INVALID_CONFIG",
            ErrorCode::UnknownPlatform => "UNKNOWN_PLATFORM",
            ErrorCode::Unsupported => "UNSUPPORTED",
            ErrorCode::RateLimit => "RATE_LIMIT",
            ErrorCode::NetworkError => "NETWORK_ERROR",
            ErrorCode::Timeout => "TIMEOUT",
            ErrorCode::PlatformError => "PLATFORM_ERROR",
            ErrorCode::Duplicate => "DUPLICATE",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error with a code, a human message, and for a bad message the JSON path
/// of the offending field (`content.body.links[2].url`).
///
/// The message never contains a webhook key, access token or secret: code that
/// builds an error from a URL passes it through [`crate::target::redact_url`] first.
///
/// Its fields live in one box (read them as `e.code`, `e.message`, `e.path`): a `Result<T, Error>`
/// is then a pointer wide on its error side, so each `?` moves a pointer, not three fields
/// (measured in bench/LEVERS.md).
#[derive(Clone, PartialEq, Eq)]
pub struct Error(Box<ErrorFields>);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorFields {
    pub code: ErrorCode,
    pub message: String,
    pub path: Option<String>,
}

impl std::ops::Deref for Error {
    type Target = ErrorFields;
    fn deref(&self) -> &ErrorFields {
        &self.0
    }
}

impl std::ops::DerefMut for Error {
    fn deref_mut(&mut self) -> &mut ErrorFields {
        &mut self.0
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error(Box::new(ErrorFields { code, message: message.into(), path: None }))
    }

    /// An `INVALID_MESSAGE` error at a JSON path.
    pub fn at(path: impl Into<String>, message: impl Into<String>) -> Self {
        Error(Box::new(ErrorFields {
            code: ErrorCode::InvalidMessage,
            message: message.into(),
            path: Some(path.into()),
        }))
    }

    pub fn config(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::InvalidConfig, message)
    }

    pub fn unsupported(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::Unsupported, message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(p) => write!(f, "{}: {} (at {})", self.code, self.message, p),
            None => write!(f, "{}: {}", self.code, self.message),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;
