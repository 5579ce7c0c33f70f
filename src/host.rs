//! The [`Transport`] on the host's globals (wasm32 only): `fetch`,
//! `AbortController`, `setTimeout` / `clearTimeout`, `Date.now`, `FormData`.
//! Never `window`: there is none in Workers, Deno or Node. A timer handle is a
//! `JsValue` (Node returns an object). Bound with `js_sys` only, no `web-sys`.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::sender::{HttpResponse, Transport, TransportError};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch)]
    fn js_fetch(url: &str, init: &Object) -> Promise;
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(cb: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(handle: &JsValue);

    type AbortController;
    #[wasm_bindgen(constructor)]
    fn new() -> AbortController;
    #[wasm_bindgen(method, getter)]
    fn signal(this: &AbortController) -> JsValue;
    #[wasm_bindgen(method)]
    fn abort(this: &AbortController);

    type Response;
    #[wasm_bindgen(method, getter)]
    fn status(this: &Response) -> u16;
    #[wasm_bindgen(method)]
    fn text(this: &Response) -> Promise;
    #[wasm_bindgen(method, js_name = arrayBuffer)]
    fn array_buffer(this: &Response) -> Promise;
    #[wasm_bindgen(method, getter)]
    fn headers(this: &Response) -> Headers;

    type Headers;
    #[wasm_bindgen(method)]
    fn get(this: &Headers, name: &str) -> Option<String>;

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

/// The host transport; `store` is an optional `{ get(key), put(key, value, opts) }`
/// (a Workers KV namespace fits) for dedup across instances; `on_rate_wait` an
/// optional function told `{ platform, waitMs }` when a message waits for its
/// bot's rate window.
pub struct HostTransport {
    pub store: Option<JsValue>,
    pub on_rate_wait: Option<Function>,
}

/// A deadline on a piece of async work: aborts the fetch when it passes.
struct Deadline {
    handle: JsValue,
    fired: Rc<Cell<bool>>,
    // dropped after clearTimeout, so the JS function never outlives it unused
    _cb: Closure<dyn FnMut()>,
}

impl Deadline {
    fn start(ms: u64, ctl: &AbortController) -> Deadline {
        let fired = Rc::new(Cell::new(false));
        let f = fired.clone();
        let signal_owner: JsValue = AsRef::<JsValue>::as_ref(ctl).clone();
        let cb = Closure::<dyn FnMut()>::new(move || {
            f.set(true);
            signal_owner.unchecked_ref::<AbortController>().abort();
        });
        let handle = set_timeout(cb.as_ref().unchecked_ref(), ms.min(MAX_TIMER_MS) as f64);
        Deadline { handle, fired, _cb: cb }
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        clear_timeout(&self.handle);
    }
}

fn set(o: &Object, k: &str, v: &JsValue) {
    let _ = Reflect::set(o, &JsValue::from_str(k), v);
}

/// The message of a rejected fetch, with its cause (Node puts the detail there).
fn describe(err: &JsValue) -> String {
    let get = |v: &JsValue, k: &str| Reflect::get(v, &JsValue::from_str(k)).ok().and_then(|x| x.as_string());
    let mut s = get(err, "message").unwrap_or_else(|| err.as_string().unwrap_or_else(|| "fetch failed".into()));
    if let Ok(cause) = Reflect::get(err, &JsValue::from_str("cause")) {
        if let Some(c) = get(&cause, "code").or_else(|| get(&cause, "message")) {
            s.push_str(": ");
            s.push_str(&c);
        }
    }
    s
}

impl HostTransport {
    async fn request(
        &self,
        url: &str,
        init: Object,
        timeout_ms: u64,
        want_bytes: Option<usize>,
    ) -> Result<(u16, Option<String>, Result<String, Vec<u8>>), TransportError> {
        let ctl = AbortController::new();
        set(&init, "signal", &ctl.signal());
        let deadline = Deadline::start(timeout_ms, &ctl);
        let fail = |e: JsValue, d: &Deadline| {
            if d.fired.get() { TransportError::Timeout } else { TransportError::Network(describe(&e)) }
        };
        let resp: Response = match JsFuture::from(js_fetch(url, &init)).await {
            Ok(r) => r.unchecked_into(),
            Err(e) => return Err(fail(e, &deadline)),
        };
        let status = resp.status();
        let retry_after = resp.headers().get("retry-after");
        let body = match want_bytes {
            None => match JsFuture::from(resp.text()).await {
                Ok(t) => Ok(t.as_string().unwrap_or_default()),
                Err(e) => return Err(fail(e, &deadline)),
            },
            Some(max) => {
                let declared = resp.headers().get("content-length").and_then(|l| l.parse::<usize>().ok());
                if declared.is_some_and(|l| l > max) {
                    ctl.abort();
                    return Err(TransportError::Network(format!("larger than {max} bytes")));
                }
                match JsFuture::from(resp.array_buffer()).await {
                    Ok(buf) => {
                        let arr = Uint8Array::new(&buf);
                        if arr.length() as usize > max {
                            return Err(TransportError::Network(format!("larger than {max} bytes")));
                        }
                        Err(arr.to_vec())
                    }
                    Err(e) => return Err(fail(e, &deadline)),
                }
            }
        };
        drop(deadline);
        Ok((status, retry_after, body))
    }

    async fn call_store(&self, method: &str, args: &Array) -> Option<JsValue> {
        let store = self.store.as_ref()?;
        let f: Function = Reflect::get(store, &JsValue::from_str(method)).ok()?.dyn_into().ok()?;
        let out = f.apply(store, args).ok()?;
        if out.has_type::<Promise>() { JsFuture::from(out.unchecked_into::<Promise>()).await.ok() } else { Some(out) }
    }
}

impl Transport for HostTransport {
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

    async fn post_json(&self, url: &str, body: &str, timeout_ms: u64) -> Result<HttpResponse, TransportError> {
        let init = Object::new();
        set(&init, "method", &JsValue::from_str("POST"));
        let headers = Object::new();
        set(&headers, "content-type", &JsValue::from_str("application/json"));
        set(&init, "headers", &headers);
        set(&init, "body", &JsValue::from_str(body));
        let (status, retry_after, body) = self.request(url, init, timeout_ms, None).await?;
        Ok(HttpResponse { status, body: body.unwrap_or_default(), retry_after })
    }

    async fn get_bytes(&self, url: &str, max_bytes: usize, timeout_ms: u64) -> Result<Vec<u8>, TransportError> {
        let init = Object::new();
        set(&init, "method", &JsValue::from_str("GET"));
        let (status, _, body) = self.request(url, init, timeout_ms, Some(max_bytes)).await?;
        if !(200..300).contains(&status) {
            return Err(TransportError::Network(format!("HTTP {status}")));
        }
        Ok(body.err().unwrap_or_default())
    }

    async fn post_file(
        &self,
        url: &str,
        field: &str,
        filename: &str,
        bytes: &[u8],
        timeout_ms: u64,
    ) -> Result<HttpResponse, TransportError> {
        let parts = Array::new();
        parts.push(&Uint8Array::from(bytes));
        let opts = Object::new();
        set(&opts, "type", &JsValue::from_str("application/octet-stream"));
        let form = FormData::new();
        form.append(field, &Blob::new(&parts, &opts), filename);
        let init = Object::new();
        set(&init, "method", &JsValue::from_str("POST"));
        set(&init, "body", &form);
        let (status, retry_after, body) = self.request(url, init, timeout_ms, None).await?;
        Ok(HttpResponse { status, body: body.unwrap_or_default(), retry_after })
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
