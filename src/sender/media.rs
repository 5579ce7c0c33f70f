//! The media step before rendering, as the platform describes it
//! ([`crate::platform::spec::MediaStep`]): an image given by URL fetched and
//! inlined, a file uploaded for an id.

use base64::Engine as _;
use serde_json::Value;

use super::host::{Host, HttpError};
use super::{SendError, SendErrorFields, Sender, plain, redirect_text};
use crate::degrade::{Degradation, Degraded};
use crate::error::{Error, ErrorCode};
use crate::model::{Body, UnifiedMessage};
use crate::platform::Platform;

impl<H: Host> Sender<H> {
    /// The platform's media step, if it has one (WeCom takes image bytes and
    /// files by media_id): fetch and upload them first. Where that fails and a
    /// URL exists, the renderer's degradation (a news card, a link) applies
    /// instead, recorded.
    pub(super) async fn prepare_media(
        &self,
        msg: &UnifiedMessage,
        platform: Platform,
        url: &str,
        degraded: &mut Degraded,
    ) -> std::result::Result<Option<UnifiedMessage>, (SendError, Option<Option<u64>>)> {
        let Some(media) = platform.spec().media() else { return Ok(None) };
        let t = self.options.timeout_ms;
        match &msg.content.body {
            Body::Image(img) if img.base64.is_none() && img.url.is_some() && media.inline_image_limit.is_some() => {
                let src = img.url.as_deref().unwrap_or_default();
                let limit = media.inline_image_limit.unwrap_or_default();
                let why = match self.host.get_bytes(src, limit, t).await {
                    Ok(bytes) if is_jpg_or_png(&bytes) => {
                        let mut m = msg.clone();
                        if let Body::Image(i) = &mut m.content.body {
                            i.base64 = Some(base64::engine::general_purpose::STANDARD.encode(&bytes));
                            i.md5 = None;
                        }
                        return Ok(Some(m));
                    }
                    Ok(_) => "the image is not a JPG or PNG".to_string(),
                    Err(HttpError::Timeout) => "fetching the image timed out".to_string(),
                    Err(HttpError::Network(e)) => {
                        format!("the image could not be fetched ({})", crate::model::clip(&e, 80))
                    }
                    Err(HttpError::Redirect { status, location }) => {
                        format!("the image could not be fetched ({})", redirect_text(status, location.as_deref()))
                    }
                };
                degraded.record(Degradation { from: "image".into(), to: "news".into(), reason: why });
                Ok(None)
            }
            Body::File(f) if f.media_id.is_none() && media.file_upload.is_some() => {
                let Some(up) = media.file_upload else { return Ok(None) };
                let Some(upload) = (up.upload_url)(url) else { return Ok(None) };
                let bytes = if let Some(b64) = &f.base64 {
                    base64::engine::general_purpose::STANDARD
                        .decode(b64.trim())
                        .map_err(|_| (plain(Error::at("content.body.base64", "is not valid base64")), None))?
                } else {
                    match self.host.get_bytes(f.url.as_deref().unwrap_or_default(), up.max_bytes, t).await {
                        Ok(b) => b,
                        Err(e) => {
                            let why = match e {
                                HttpError::Timeout => "fetching the file timed out".to_string(),
                                HttpError::Network(m) => {
                                    format!("the file could not be fetched ({})", crate::model::clip(&m, 80))
                                }
                                HttpError::Redirect { status, location } => format!(
                                    "the file could not be fetched ({})",
                                    redirect_text(status, location.as_deref())
                                ),
                            };
                            degraded.record(Degradation { from: "file".into(), to: "link".into(), reason: why });
                            return Ok(None);
                        }
                    }
                };
                if bytes.len() < up.min_bytes || bytes.len() > up.max_bytes {
                    return Err((plain(Error::at("content.body", up.limit_text)), None));
                }
                let name = f.name.clone().unwrap_or_else(|| "file".into());
                let answer = self.host.post_file(&upload, up.field, &name, &bytes, t).await;
                let media_id = match &answer {
                    Ok(r) if r.status == 200 => crate::json::parse(&r.body).ok().and_then(|v: Value| (up.media_id)(&v)),
                    _ => None,
                };
                match media_id {
                    Some(id) => {
                        let mut m = msg.clone();
                        if let Body::File(ff) = &mut m.content.body {
                            ff.media_id = Some(id);
                        }
                        Ok(Some(m))
                    }
                    None if f.url.is_some() => {
                        degraded.record(Degradation {
                            from: "file".into(),
                            to: "link".into(),
                            reason: format!("the upload to {} failed; the file is sent as a link", platform.display()),
                        });
                        Ok(None)
                    }
                    None => {
                        let e = SendError::from(SendErrorFields {
                            code: ErrorCode::NetworkError,
                            message: format!("the file upload to {} failed", platform.display()),
                            platform_code: None,
                            platform_message: answer.ok().map(|r| crate::model::clip(&r.body, 200)),
                        });
                        Err((e, Some(None)))
                    }
                }
            }
            _ => Ok(None),
        }
    }
}

fn is_jpg_or_png(b: &[u8]) -> bool {
    b.starts_with(b"\x89PNG\r\n\x1a\n") || b.starts_with(&[0xFF, 0xD8, 0xFF])
}
