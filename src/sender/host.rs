//! The host the sender runs on, as a trait: clock, randomness, sleep, HTTP
//! (POST a body, GET bytes, POST a file) and an optional shared store. It
//! holds no policy: retries, rate windows and dedup are the sender's.

use std::future::{Future, poll_fn};
use std::pin::pin;
use std::task::Poll;

use crate::platform::Platform;

/// An HTTP answer, as much of it as the sender reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub body: String,
    pub retry_after: Option<String>,
}

/// A request of a target configured per target (the generic webhook): any
/// method, its own headers (`content-type` among them) and body.
#[derive(Clone, Copy, Debug)]
pub struct HttpRequest<'a> {
    pub method: &'a str,
    pub url: &'a str,
    pub headers: &'a [(String, String)],
    pub body: &'a str,
}

/// Why a request did not complete.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HttpError {
    Network(String),
    Timeout,
    /// The server answered with a redirect (`status`, the `Location` if any),
    /// which is not followed: it would re-post the body, signature included,
    /// elsewhere.
    Redirect {
        status: u16,
        location: Option<String>,
    },
}

/// What the sender needs from its host: the clock, randomness, sleep,
/// HTTP and a store. The host's globals in wasm (`crate::host`), a fake in tests.
#[allow(async_fn_in_trait)] // one thread (wasm): no Send bounds wanted
pub trait Host {
    fn now_ms(&self) -> u64;
    /// Uniform in [0, 1), for jitter.
    fn random(&self) -> f64;
    async fn sleep(&self, ms: u64);
    /// Run `work` for at most `ms`: `None` when the time ran out first. By
    /// default it races `work` against [`Host::sleep`]; a host whose pending
    /// timers keep its process alive (Node) clears the timer when `work`
    /// finishes first.
    async fn within<F: Future>(&self, ms: u64, work: F) -> Option<F::Output> {
        let mut work = pin!(work);
        let mut timer = pin!(self.sleep(ms));
        poll_fn(|cx| {
            if let Poll::Ready(v) = work.as_mut().poll(cx) {
                return Poll::Ready(Some(v));
            }
            if timer.as_mut().poll(cx).is_ready() {
                return Poll::Ready(None);
            }
            Poll::Pending
        })
        .await
    }
    /// A message of `platform` waits until `until_ms` for its bot's rate window
    /// (a progress hook; nothing by default).
    fn rate_wait(&self, _platform: Platform, _until_ms: u64) {}
    /// POST a JSON body with `Content-Type: application/json`.
    async fn post_json(&self, url: &str, body: &str, timeout_ms: u64) -> std::result::Result<HttpResponse, HttpError>;
    /// Send `req` as it is, reading at most `max_bytes` of the answer (a
    /// larger one is an error); redirects are not followed. A host that
    /// cannot says so (the default).
    async fn request(
        &self,
        _req: HttpRequest<'_>,
        _max_bytes: usize,
        _timeout_ms: u64,
    ) -> std::result::Result<HttpResponse, HttpError> {
        Err(HttpError::Network("this host cannot send a configured request".into()))
    }
    /// GET at most `max_bytes` (a larger body is an error): the user's own
    /// image or file URL, which carries no credential, so redirects are
    /// followed (within the host's limit), unlike every other request.
    async fn get_bytes(&self, url: &str, max_bytes: usize, timeout_ms: u64) -> std::result::Result<Vec<u8>, HttpError>;
    /// POST `multipart/form-data` with one file part.
    async fn post_file(
        &self,
        url: &str,
        field: &str,
        filename: &str,
        bytes: &[u8],
        timeout_ms: u64,
    ) -> std::result::Result<HttpResponse, HttpError>;
    /// A shared dedup store, if the caller gave one: the value under `key`
    /// (`"done"` or `"partial:N/M"`), `None` when absent or when there is no store.
    async fn store_get(&self, key: &str) -> Option<String>;
    async fn store_put(&self, key: &str, value: &str, ttl_ms: u64);
}
