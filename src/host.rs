//! The sender's [`Host`] on the host's globals (wasm32 only): `fetch`,
//! `AbortController`, `setTimeout` / `clearTimeout`, `Date.now`, `FormData`.
//! Never `window`: there is none in Workers, Deno or Node. A timer handle is a
//! `JsValue` (Node returns an object). Bound with `js_sys` only, no `web-sys`.

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

/// Let a promise settle on its own, its rejection handled (never "unhandled").
fn detach(r: Result<JsValue, JsValue>) {
    if let Ok(v) = r {
        wasm_bindgen_futures::spawn_local(async move {
            let _ = JsFuture::from(Promise::resolve(&v)).await;
        });
    }
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

/// The message of a rejected fetch, with its cause (Node puts the detail there),
/// the URL and any credential in it redacted (a host's error may quote the URL).
fn describe(err: &JsValue, url: &str) -> String {
    let get = |v: &JsValue, k: &str| prop(v, k).as_string();
    let mut s = get(err, "message").unwrap_or_else(|| err.as_string().unwrap_or_else(|| "fetch failed".into()));
    let cause = prop(err, "cause");
    if let Some(c) = get(&cause, "code").or_else(|| get(&cause, "message")) {
        s.push_str(": ");
        s.push_str(&c);
    }
    target::redact_error(&s, url, 300)
}

fn not_a_response(what: &str) -> HttpError {
    HttpError::Network(format!("the host's fetch did not give a Response ({what})"))
}

/// A header of a Response, `None` when absent or unreadable (no `headers`, a
/// `get` that throws or answers something else than a string).
fn header(resp: &JsValue, name: &str) -> Option<String> {
    let h = prop(resp, "headers");
    let get = method(&h, "get")?;
    get.call1(&h, &JsValue::from_str(name)).ok()?.as_string()
}

/// Read a body, at most `max` bytes: from its stream when there is one (the
/// read stops there and the stream is cancelled), else from `arrayBuffer()`
/// or `text()` (a Response-like object without a stream).
async fn read_body(resp: &JsValue, max: usize) -> Result<Vec<u8>, HttpError> {
    let too_large = || HttpError::Network(format!("the answer is larger than {max} bytes (not read further)"));
    let body = prop(resp, "body");
    if body.is_null() {
        return Ok(Vec::new()); // no body (204, HEAD): an empty one
    }
    if let Some(get_reader) = method(&body, "getReader") {
        let reader = get_reader.call0(&body).map_err(|_| not_a_response("its body cannot be read"))?;
        let read = method(&reader, "read").ok_or_else(|| not_a_response("its body cannot be read"))?;
        let mut out = Vec::new();
        // empty chunks could come forever without yielding to the timer
        let mut empty = 0u32;
        loop {
            let r = settle(read.call0(&reader)).await.map_err(|e| HttpError::Network(describe(&e, "")))?;
            if prop(&r, "done").is_truthy() {
                return Ok(out);
            }
            let v = prop(&r, "value");
            let Some(chunk) = v.dyn_ref::<Uint8Array>() else {
                detach(method(&reader, "cancel").ok_or(JsValue::NULL).and_then(|c| c.call0(&reader)));
                return Err(not_a_response("its body gave something else than bytes"));
            };
            let n = chunk.length() as usize;
            if n == 0 {
                empty += 1;
                if empty > 10_000 {
                    detach(method(&reader, "cancel").ok_or(JsValue::NULL).and_then(|c| c.call0(&reader)));
                    return Err(not_a_response("its body gives only empty chunks"));
                }
                continue;
            }
            if out.len() + n > max {
                detach(method(&reader, "cancel").ok_or(JsValue::NULL).and_then(|c| c.call0(&reader)));
                return Err(too_large());
            }
            let at = out.len();
            out.resize(at + n, 0);
            chunk.copy_to(&mut out[at..]);
        }
    }
    if let Some(f) = method(resp, "arrayBuffer") {
        let buf = settle(f.call0(resp)).await.map_err(|e| HttpError::Network(describe(&e, "")))?;
        if buf.is_instance_of::<js_sys::ArrayBuffer>() {
            let arr = Uint8Array::new(&buf);
            if arr.length() as usize > max {
                return Err(too_large());
            }
            return Ok(arr.to_vec());
        }
    }
    if let Some(f) = method(resp, "text") {
        let t = settle(f.call0(resp)).await.map_err(|e| HttpError::Network(describe(&e, "")))?;
        let t = t.as_string().ok_or_else(|| not_a_response("text() gave no string"))?;
        if t.len() > max {
            return Err(too_large());
        }
        return Ok(t.into_bytes());
    }
    Err(not_a_response("it has no body to read"))
}

impl JsHost {
    /// One fetch, settled within `timeout_ms` whatever the host's fetch does:
    /// `(status, retry-after, body of at most max bytes)`.
    async fn request(
        &self,
        url: &str,
        init: Object,
        timeout_ms: u64,
        max: usize,
        follow_redirects: bool,
    ) -> Result<(u16, Option<String>, Vec<u8>), HttpError> {
        let ctl = method(&js_sys::global(), "AbortController")
            .and_then(|c| Reflect::construct(&c, &Array::new()).ok())
            .filter(JsValue::is_object);
        if let Some(c) = &ctl {
            set(&init, "signal", &prop(c, "signal"));
        }
        // a redirect would re-post the body (and its signature) to another origin;
        // only a GET of the user's own media URL (no credential) follows one,
        // within the host's own limit
        set(&init, "redirect", &JsValue::from_str(if follow_redirects { "follow" } else { "manual" }));
        let work = async {
            let fetch =
                method(&js_sys::global(), "fetch").ok_or_else(|| HttpError::Network("the host has no fetch".into()))?;
            let resp = settle(fetch.call2(&js_sys::global(), &JsValue::from_str(url), &init))
                .await
                .map_err(|e| HttpError::Network(describe(&e, url)))?;
            if !resp.is_object() {
                return Err(not_a_response("not an object"));
            }
            let status = prop(&resp, "status").as_f64().unwrap_or(-1.0);
            if prop(&resp, "type").as_string().as_deref() == Some("opaqueredirect") {
                // a browser hides the status and the location of a manual redirect
                return Err(HttpError::Redirect { status: 0, location: None });
            }
            if !(100.0..=599.0).contains(&status) || status.fract() != 0.0 {
                return Err(not_a_response("no HTTP status"));
            }
            let status = status as u16;
            if (300..400).contains(&status) {
                let location = header(&resp, "location").map(|l| target::redact_url(&l));
                if let Some(cancel) = method(&prop(&resp, "body"), "cancel") {
                    detach(cancel.call0(&prop(&resp, "body")));
                }
                return Err(HttpError::Redirect { status, location });
            }
            let retry_after = header(&resp, "retry-after");
            if header(&resp, "content-length")
                .and_then(|l| l.trim().parse::<u64>().ok())
                .is_some_and(|l| l > max as u64)
            {
                if let Some(cancel) = method(&prop(&resp, "body"), "cancel") {
                    detach(cancel.call0(&prop(&resp, "body")));
                }
                return Err(HttpError::Network(format!("the answer is larger than {max} bytes (not read)")));
            }
            let body = read_body(&resp, max).await?;
            Ok((status, retry_after, body))
        };
        match within(timeout_ms, work).await {
            Some(r) => r,
            None => {
                if let Some(abort) = ctl.as_ref().and_then(|c| method(c, "abort")) {
                    let _ = abort.call0(ctl.as_ref().unwrap_or(&JsValue::UNDEFINED));
                }
                Err(HttpError::Timeout)
            }
        }
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
        let init = Object::new();
        set(&init, "method", &JsValue::from_str("POST"));
        let headers = Object::new();
        set(&headers, "content-type", &JsValue::from_str("application/json"));
        set(&init, "headers", &headers);
        set(&init, "body", &JsValue::from_str(body));
        let (status, retry_after, body) = self.request(url, init, timeout_ms, MAX_ANSWER_BYTES, false).await?;
        Ok(HttpResponse { status, body: String::from_utf8_lossy(&body).into_owned(), retry_after })
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
        Ok(HttpResponse { status, body: String::from_utf8_lossy(&body).into_owned(), retry_after })
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
        Ok(HttpResponse { status, body: String::from_utf8_lossy(&body).into_owned(), retry_after })
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
