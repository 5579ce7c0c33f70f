//! A long JS string into the wasm as UTF-8 by `TextEncoder.encodeInto` straight into the wasm's
//! memory. A child of `bindings`.
//!
//! wasm-bindgen's `as_string()` copies a string one UTF-16 unit at a time in a JS loop while it
//! is ASCII (`passStringToWasm0`), ~2-3 ns a unit: ~3 ms for the 1.5 MB of JSON a 1 MiB text of
//! short lines becomes (`\n` is written `\\n`), where `encodeInto` takes ~0.2 ms (measured in
//! bench/LEVERS.md, "Text split and newline-heavy JSON"). Short strings keep `as_string()`: a
//! few calls across the boundary cost more than its loop does for them.

use js_sys::{JsString, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// From this many UTF-16 units on, a string crosses by `encodeInto`.
const LONG: u32 = 512;

#[wasm_bindgen]
extern "C" {
    type TextEncoder;
    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;
    #[wasm_bindgen(method, js_name = encodeInto)]
    fn encode_into(this: &TextEncoder, s: &JsString, dest: &Uint8Array) -> EncodeResult;

    /// `{ read, written }`: UTF-16 units read, bytes written.
    type EncodeResult;
    #[wasm_bindgen(method, getter)]
    fn read(this: &EncodeResult) -> f64;
    #[wasm_bindgen(method, getter)]
    fn written(this: &EncodeResult) -> f64;
}

thread_local! {
    static ENCODER: TextEncoder = TextEncoder::new();
}

/// The string `v` as UTF-8 (what `v.as_string()` gives), `None` when `v` is not a string.
pub(crate) fn js_string(v: &JsValue) -> Option<String> {
    let s: &JsString = v.dyn_ref()?;
    let n = s.length();
    if n < LONG {
        return v.as_string();
    }
    long_string(s, n).or_else(|| v.as_string())
}

/// `s` (`n` UTF-16 units) encoded into a buffer of `n` bytes (enough when it is ASCII), and the
/// rest, if any, into room for 3 bytes a unit (enough for any string: a unit is at most 3 bytes
/// of UTF-8, a surrogate pair 4). `None` if that did not take it all (it always does).
fn long_string(s: &JsString, n: u32) -> Option<String> {
    let total = n as usize;
    let mut buf: Vec<u8> = Vec::with_capacity(total);
    let mut read = 0usize;
    for _ in 0..2 {
        let rest;
        let src = if read == 0 {
            s
        } else {
            rest = s.slice(read as u32, n);
            buf.reserve((total - read).saturating_mul(3));
            &rest
        };
        let len = buf.len();
        let spare = buf.capacity() - len;
        let (r, w) = ENCODER.with(|e| {
            // SAFETY: the view is of the buffer's spare capacity, made after the buffer's last
            // (re)allocation, and used at once by `encodeInto`, which runs no wasm code and writes
            // at most `spare` bytes. Handing the view back to Rust may itself run wasm code (the
            // externref table's slot), and if that grew the memory the view is detached:
            // `encodeInto` then writes nothing (`read` 0), and the caller falls back to
            // `as_string()` (nothing is written through a stale view either way).
            let view = unsafe { Uint8Array::view_mut_raw(buf.as_mut_ptr().add(len), spare) };
            let res = e.encode_into(src, &view);
            (res.read(), res.written())
        });
        let written = (w as usize).min(spare);
        // SAFETY: `encodeInto` initialised `written` bytes past `len`, within the capacity.
        unsafe { buf.set_len(len + written) };
        read += r as usize;
        if read >= total {
            // SAFETY: `encodeInto` writes UTF-8 (a lone surrogate as U+FFFD), whole characters
            // only; wasm-bindgen's own `as_string()` takes the same bytes unchecked. Checking
            // them again costs ~1 ms a MiB of CJK in the wasm.
            return Some(unsafe { String::from_utf8_unchecked(buf) });
        }
    }
    None
}
