//! The sender's [`Host`] on the host's globals (wasm32 only): `fetch`,
//! `AbortController`, `setTimeout` / `clearTimeout`, `Date.now`, `FormData`.
//! Never `window`: there is none in Workers, Deno or Node. A timer handle is a
//! `JsValue` (Node returns an object). Bound with `js_sys` only, no `web-sys`.
//!
//! Each HTTP request is one call of the JS helper `pkg-template/host.js`
//! (fetch, its timeout race and abort, the capped body read, the few headers
//! read): one boundary crossing and one promise per attempt. What it answers
//! is turned into the sender's types here, where URLs and credentials are
//! redacted.

use std::cell::Cell;
use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::task::Poll;

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::sender::{Host, HttpError, HttpRequest, HttpResponse};
use crate::target;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(cb: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(handle: &JsValue);

    type FormData;
    #[wasm_bindgen(constructor)]
    fn new() -> FormData;
    #[wasm_bindgen(method)]
    fn append(this: &FormData, name: &str, value: &JsValue, filename: &str);

    type Blob;
    #[wasm_bindgen(constructor)]
    fn new(parts: &Array, options: &Object) -> Blob;
}

/// Longest delay a JS timer takes (2^31 - 1 ms); a larger one fires at once.
const MAX_TIMER_MS: u64 = 2_147_483_647;

/// The former name of [`JsHost`], kept while other branches merge.
pub type HostTransport = JsHost;

/// The sender's host in JS; `store` is an optional `{ get(key), put(key, value, opts) }`
/// (a Workers KV namespace fits) for dedup across instances; `on_rate_wait` an
/// optional function told `{ platform, waitMs }` when a message waits for its
/// bot's rate window.
pub struct JsHost {
    pub store: Option<JsValue>,
    /// The longest a store call is waited for (the send timeout); set by
    /// [`JsHost::new`], 10 s otherwise.
    pub store_timeout_ms: Cell<u64>,
    pub on_rate_wait: Option<Function>,
}

impl JsHost {
    pub fn new(store: Option<JsValue>, store_timeout_ms: u64) -> JsHost {
        JsHost { store, store_timeout_ms: Cell::new(store_timeout_ms), on_rate_wait: None }
    }
}

/// The largest platform answer read; the rest is not read (the stream is cancelled).
pub const MAX_ANSWER_BYTES: usize = 64 * 1024;

fn set(o: &Object, k: &str, v: &JsValue) {
    let _ = Reflect::set(o, &JsValue::from_str(k), v);
}

/// `v[k]`, `undefined` when absent or when reading it throws.
fn prop(v: &JsValue, k: &str) -> JsValue {
    if !v.is_object() && !v.is_function() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(v, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
}

fn method(v: &JsValue, k: &str) -> Option<Function> {
    prop(v, k).dyn_into::<Function>().ok()
}

/// The outcome of a host call that may throw, return a value, or return a
/// promise (or any thenable): a synchronous throw becomes an error, never an
/// exception through the wasm.
async fn settle(r: Result<JsValue, JsValue>) -> Result<JsValue, JsValue> {
    let v = r?;
    // Promise.resolve adopts a thenable; a throwing `then` becomes a rejection
    JsFuture::from(Promise::resolve(&v)).await
}

/// Run `work` for at most `ms`: `None` when the time ran out first. The timer
/// races the work itself, so a host call that never settles (a fetch ignoring
/// its AbortSignal, a store that hangs) cannot hold the caller.
async fn within<F: Future>(ms: u64, work: F) -> Option<F::Output> {
    let mut handle = JsValue::UNDEFINED;
    let timer = Promise::new(&mut |resolve, _| {
        handle = set_timeout(&resolve, ms.min(MAX_TIMER_MS) as f64);
    });
    let mut timer = JsFuture::from(timer);
    let mut work = pin!(work);
    let out = poll_fn(|cx| {
        if let Poll::Ready(v) = work.as_mut().poll(cx) {
            return Poll::Ready(Some(v));
        }
        if Pin::new(&mut timer).poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        Poll::Pending
    })
    .await;
    clear_timeout(&handle);
    out
}

/// An answer of the JS helper (`pkg-template/host.js`): `kind` 0 = an HTTP
/// answer, 1 = a network error, 2 = timed out, 3 = a redirect.
#[wasm_bindgen(module = "/pkg-template/host.js")]
extern "C" {
    type Answer;
    #[wasm_bindgen(method, getter)]
    fn kind(this: &Answer) -> u32;
    #[wasm_bindgen(method, getter)]
    fn status(this: &Answer) -> u32;
    #[wasm_bindgen(method, getter)]
    fn body(this: &Answer) -> Vec<u8>;
    #[wasm_bindgen(method, getter)]
    fn message(this: &Answer) -> Option<String>;
    #[wasm_bindgen(method, getter, js_name = retryAfter)]
    fn retry_after(this: &Answer) -> Option<String>;
    #[wasm_bindgen(method, getter)]
    fn location(this: &Answer) -> Option<String>;

    /// `fetch(url, init)` within `timeout_ms`, at most `max` bytes read; never rejects.
    #[wasm_bindgen(js_name = wpFetch)]
    fn wp_fetch(url: &str, init: &Object, timeout_ms: f64, max: f64, follow: bool) -> Promise;
    /// A POST of `body` with its content type, the same way.
    #[wasm_bindgen(js_name = wpPost)]
    fn wp_post(url: &str, body: &str, content_type: &str, timeout_ms: f64, max: f64) -> Promise;
}

/// What the helper's promise gave: `(status, retry-after, body of at most max bytes)`.
async fn answered(p: Promise, url: &str) -> Result<(u16, Option<String>, Vec<u8>), HttpError> {
    // the helper never rejects; a rejection all the same is a network error
    let a: Answer = match JsFuture::from(p).await {
        Ok(v) if v.is_object() => v.unchecked_into(),
        _ => return Err(HttpError::Network("the host's fetch failed".into())),
    };
    match a.kind() {
        0 => Ok((a.status() as u16, a.retry_after(), a.body())),
        2 => Err(HttpError::Timeout),
        3 => Err(HttpError::Redirect {
            status: a.status() as u16,
            location: a.location().map(|l| target::redact_url(&l)),
        }),
        // a host's error may quote the URL: redacted, clipped
        _ => Err(HttpError::Network(target::redact_error(
            &a.message().unwrap_or_else(|| "fetch failed".into()),
            url,
            300,
        ))),
    }
}

/// A body as text, invalid UTF-8 replaced (no copy when it is valid).
fn text(body: Vec<u8>) -> String {
    String::from_utf8(body).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn timeout_arg(ms: u64) -> f64 {
    ms.min(MAX_TIMER_MS) as f64
}

impl JsHost {
    /// One fetch, settled within `timeout_ms` whatever the host's fetch does.
    async fn request(
        &self,
        url: &str,
        init: Object,
        timeout_ms: u64,
        max: usize,
        follow_redirects: bool,
    ) -> Result<(u16, Option<String>, Vec<u8>), HttpError> {
        answered(wp_fetch(url, &init, timeout_arg(timeout_ms), max as f64, follow_redirects), url).await
    }

    /// A store call, bounded by the send timeout: a store that hangs or throws
    /// is a store that said nothing.
    async fn call_store(&self, method_name: &str, args: &Array) -> Option<JsValue> {
        let store = self.store.as_ref()?;
        let f = method(store, method_name)?;
        within(self.store_timeout_ms.get(), settle(f.apply(store, args))).await?.ok()
    }
}

impl Host for JsHost {
    fn now_ms(&self) -> u64 {
        js_sys::Date::now() as u64
    }

    fn random(&self) -> f64 {
        js_sys::Math::random()
    }

    fn rate_wait(&self, platform: crate::target::Platform, until_ms: u64) {
        if let Some(f) = &self.on_rate_wait {
            let info = Object::new();
            set(&info, "platform", &JsValue::from_str(platform.as_str()));
            let wait = until_ms.saturating_sub(self.now_ms());
            set(&info, "waitMs", &JsValue::from_f64(wait as f64));
            // a throwing callback is the caller's business, not the send's
            let _ = f.call1(&JsValue::UNDEFINED, &info);
        }
    }

    async fn sleep(&self, ms: u64) {
        let p = Promise::new(&mut |resolve, _| {
            set_timeout(&resolve, ms.min(MAX_TIMER_MS) as f64);
        });
        let _ = JsFuture::from(p).await;
    }

    async fn within<F: Future>(&self, ms: u64, work: F) -> Option<F::Output> {
        within(ms, work).await
    }

    async fn post_json(&self, url: &str, body: &str, timeout_ms: u64) -> Result<HttpResponse, HttpError> {
        let p = wp_post(url, body, "application/json", timeout_arg(timeout_ms), MAX_ANSWER_BYTES as f64);
        let (status, retry_after, body) = answered(p, url).await?;
        Ok(HttpResponse { status, body: text(body), retry_after })
    }

    async fn request(
        &self,
        req: HttpRequest<'_>,
        max_bytes: usize,
        timeout_ms: u64,
    ) -> Result<HttpResponse, HttpError> {
        let init = Object::new();
        set(&init, "method", &JsValue::from_str(req.method));
        let headers = Object::new();
        for (name, value) in req.headers {
            set(&headers, name, &JsValue::from_str(value));
        }
        set(&init, "headers", &headers);
        set(&init, "body", &JsValue::from_str(req.body));
        let (status, retry_after, body) = JsHost::request(self, req.url, init, timeout_ms, max_bytes, false).await?;
        Ok(HttpResponse { status, body: text(body), retry_after })
    }

    async fn get_bytes(&self, url: &str, max_bytes: usize, timeout_ms: u64) -> Result<Vec<u8>, HttpError> {
        let init = Object::new();
        set(&init, "method", &JsValue::from_str("GET"));
        let (status, _, body) = self.request(url, init, timeout_ms, max_bytes, true).await?;
        if !(200..300).contains(&status) {
            return Err(HttpError::Network(format!("HTTP {status}")));
        }
        Ok(body)
    }

    async fn post_file(
        &self,
        url: &str,
        field: &str,
        filename: &str,
        bytes: &[u8],
        timeout_ms: u64,
    ) -> Result<HttpResponse, HttpError> {
        let parts = Array::new();
        parts.push(&Uint8Array::from(bytes));
        let opts = Object::new();
        set(&opts, "type", &JsValue::from_str("application/octet-stream"));
        let form = FormData::new();
        form.append(field, &Blob::new(&parts, &opts), filename);
        let init = Object::new();
        set(&init, "method", &JsValue::from_str("POST"));
        set(&init, "body", &form);
        let (status, retry_after, body) = self.request(url, init, timeout_ms, MAX_ANSWER_BYTES, false).await?;
        Ok(HttpResponse { status, body: text(body), retry_after })
    }

    async fn store_get(&self, key: &str) -> Option<String> {
        self.store.as_ref()?;
        let v = self.call_store("get", &Array::of1(&JsValue::from_str(key))).await?;
        if v.is_null() || v.is_undefined() {
            return None;
        }
        Some(v.as_string().unwrap_or_else(|| "done".to_string()))
    }

    async fn store_put(&self, key: &str, value: &str, ttl_ms: u64) {
        let opts = Object::new();
        // Workers KV takes seconds, at least 60
        set(&opts, "expirationTtl", &JsValue::from_f64((ttl_ms / 1000).max(60) as f64));
        let args = Array::of3(&JsValue::from_str(key), &JsValue::from_str(value), &opts);
        let _ = self.call_store("put", &args).await;
    }
}
