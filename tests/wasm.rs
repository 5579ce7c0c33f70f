//! wasm-bindgen tests, run under Node by wasm-bindgen-test-runner: the host
//! layer for real (timers, fetch, abort) and the JS errors of the bindings.
#![cfg(target_arch = "wasm32")]

use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;
use webhook_push::bindings;
use webhook_push::host::JsHost;
use webhook_push::sender::{Host, HttpError};

fn prop(v: &JsValue, k: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
}

#[wasm_bindgen_test]
fn render_returns_payloads_as_js_objects() {
    let msg = js_sys::JSON::parse(r#"{"content":{"type":"text","body":{"text":"hi"}}}"#).expect("json");
    let out = bindings::render(msg, JsValue::from_str("dingtalk"), None).expect("renders");
    assert_eq!(prop(&out, "platform").as_string().as_deref(), Some("dingtalk"));
    assert_eq!(prop(&out, "parts").as_f64(), Some(1.0));
}

#[wasm_bindgen_test]
fn errors_are_js_errors_with_code_and_path() {
    let msg = js_sys::JSON::parse(
        r#"{"content":{"type":"news","body":{"links":[{"title":"a","url":"https://x.y"},{"title":"b"}]}}}"#,
    )
    .expect("json");
    let err = bindings::render(msg, JsValue::from_str("wecom"), None).expect_err("invalid");
    assert!(err.is_instance_of::<js_sys::Error>());
    assert_eq!(prop(&err, "code").as_string().as_deref(), Some("INVALID_MESSAGE"));
    assert_eq!(prop(&err, "path").as_string().as_deref(), Some("content.body.links[1].url"));
    let err = bindings::render(JsValue::from_str("x"), JsValue::from_f64(3.0), None).expect_err("bad platform");
    assert_eq!(prop(&err, "code").as_string().as_deref(), Some("UNKNOWN_PLATFORM"));
    let err =
        bindings::detect_platform(JsValue::from_str("https://user:pw@qyapi.weixin.qq.com/x")).expect_err("malformed");
    assert_eq!(prop(&err, "code").as_string().as_deref(), Some("INVALID_CONFIG"));
    assert!(!prop(&err, "message").as_string().unwrap_or_default().contains("pw"));
}

#[wasm_bindgen_test]
async fn sleep_waits_on_set_timeout() {
    let t = JsHost::new(None, 10_000);
    let start = t.now_ms();
    t.sleep(30).await;
    assert!(t.now_ms() >= start + 25, "slept {} ms", t.now_ms() - start);
}

#[wasm_bindgen_test]
async fn fetch_to_a_closed_port_is_a_network_error() {
    let t = JsHost::new(None, 10_000);
    // port 9 (discard) on loopback: nothing listens in the test environment
    match t.post_json("http://127.0.0.1:9/robot/send?access_token=SECRETTOKEN", "{}", 5_000).await {
        Err(HttpError::Network(m)) => assert!(!m.is_empty()),
        other => panic!("expected a network error, got {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn a_fetch_that_never_answers_times_out() {
    // A server that accepts and never answers: Node's net module, from JS.
    let make: js_sys::Function = js_sys::Function::new_no_args(
        "return new Promise((resolve) => { const net = process.getBuiltinModule('node:net'); \
         const s = net.createServer(() => {}); s.listen(0, '127.0.0.1', () => resolve(s)); });",
    );
    let server = wasm_bindgen_futures::JsFuture::from(
        make.call0(&JsValue::NULL).expect("call").unchecked_into::<js_sys::Promise>(),
    )
    .await
    .expect("server");
    let address: js_sys::Function = prop(&server, "address").unchecked_into();
    let addr = address.call0(&server).expect("address");
    let port = prop(&addr, "port").as_f64().unwrap_or(0.0) as u16;
    let t = JsHost::new(None, 10_000);
    let start = t.now_ms();
    let r = t.post_json(&format!("http://127.0.0.1:{port}/x"), "{}", 200).await;
    assert_eq!(r, Err(HttpError::Timeout));
    assert!(t.now_ms() - start < 5_000);
    let close: js_sys::Function = prop(&server, "close").unchecked_into();
    let _ = close.call0(&server);
}
