//! The generic webhook target through the sender, under a fake host and a
//! fake clock: the request as configured, retries and their timing, the
//! answer check, the rate limit, dedup, a disabled target, and no secret in
//! a result. Feature `webhook`: `cargo test --features webhook --test webhook_sender`.

#![cfg(feature = "webhook")]

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use serde_json::{Value, json};
use webhook_push::ErrorCode;
use webhook_push::sender::{Host, HttpError, HttpRequest, HttpResponse, SendResult, Sender, SenderOptions};
use webhook_push::target::Platform;
use webhook_push::webhook::{Message, WebhookConfig};

fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..1_000_000 {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
    panic!("future never finished");
}

#[derive(Clone, Debug)]
enum Answer {
    Status(u16, &'static str),
    RetryAfter(u16, &'static str),
    Timeout,
    Network(String),
}

#[derive(Clone, Debug)]
struct Seen {
    at: u64,
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: String,
}

#[derive(Default)]
struct Fake {
    now: Cell<u64>,
    script: RefCell<VecDeque<Answer>>,
    requests: RefCell<Vec<Seen>>,
}

impl Host for &Fake {
    fn now_ms(&self) -> u64 {
        self.now.get()
    }
    fn random(&self) -> f64 {
        0.5
    }
    async fn sleep(&self, ms: u64) {
        self.now.set(self.now.get() + ms);
    }
    async fn request(&self, req: HttpRequest<'_>, _max: usize, timeout_ms: u64) -> Result<HttpResponse, HttpError> {
        self.requests.borrow_mut().push(Seen {
            at: self.now.get(),
            method: req.method.to_string(),
            url: req.url.to_string(),
            headers: req.headers.to_vec(),
            body: req.body.to_string(),
        });
        match self.script.borrow_mut().pop_front().unwrap_or(Answer::Status(200, "ok")) {
            Answer::Status(s, b) => Ok(HttpResponse { status: s, body: b.into(), retry_after: None }),
            Answer::RetryAfter(s, ra) => {
                Ok(HttpResponse { status: s, body: String::new(), retry_after: Some(ra.into()) })
            }
            Answer::Timeout => {
                self.now.set(self.now.get() + timeout_ms);
                Err(HttpError::Timeout)
            }
            Answer::Network(m) => Err(HttpError::Network(m)),
        }
    }
    async fn post_json(&self, _url: &str, _body: &str, _t: u64) -> Result<HttpResponse, HttpError> {
        panic!("the webhook target must not be posted as a chat platform")
    }
    async fn get_bytes(&self, _url: &str, _max: usize, _t: u64) -> Result<Vec<u8>, HttpError> {
        Err(HttpError::Network("no".into()))
    }
    async fn post_file(&self, _u: &str, _f: &str, _n: &str, _b: &[u8], _t: u64) -> Result<HttpResponse, HttpError> {
        Err(HttpError::Network("no".into()))
    }
    async fn store_get(&self, _key: &str) -> Option<String> {
        None
    }
    async fn store_put(&self, _key: &str, _value: &str, _ttl: u64) {}
}

const T0: u64 = 1_700_000_000_000;

fn fake(script: Vec<Answer>) -> Fake {
    let f = Fake::default();
    f.now.set(T0);
    *f.script.borrow_mut() = script.into();
    f
}

fn cfg(v: Value) -> WebhookConfig {
    WebhookConfig::from_value(&v).expect("valid target")
}

fn msg(v: Value) -> Message {
    Message::from_value(v).expect("valid message")
}

fn text(t: &str) -> Message {
    msg(json!({"content": {"type": "text", "body": {"text": t}}}))
}

fn send(f: &Fake, m: &Message, c: &WebhookConfig) -> SendResult {
    let s = Sender::new(f, SenderOptions::default()).unwrap();
    block_on(s.send_webhook(m, c))
}

#[test]
fn the_request_is_the_one_configured_method_headers_and_body() {
    let f = fake(vec![]);
    let c = cfg(json!({
        "url": "http://127.0.0.1:9/tickets?team=ops",
        "method": "PUT",
        "headers": {"Authorization": "Bearer tok_0123456789", "X-Source": "{{type}}"},
        "body": {"summary": "{{message}}", "at": "{{time|unix}}"},
    }));
    let r = send(&f, &text("disk \"full\"\nnow"), &c);
    assert!(r.success, "{r:?}");
    assert_eq!((r.platform, r.attempts, r.parts, r.parts_delivered), (Platform::Webhook, 1, 1, 1));
    assert_eq!(r.to_value()["platform"], "webhook");
    let reqs = f.requests.borrow();
    assert_eq!(reqs.len(), 1);
    let q = &reqs[0];
    assert_eq!((q.method.as_str(), q.url.as_str()), ("PUT", "http://127.0.0.1:9/tickets?team=ops"));
    assert!(q.headers.contains(&("Authorization".into(), "Bearer tok_0123456789".into())), "{:?}", q.headers);
    assert!(q.headers.contains(&("content-type".into(), "application/json".into())), "{:?}", q.headers);
    let body: Value = serde_json::from_str(&q.body).unwrap();
    assert_eq!(body["summary"], "disk \"full\"\nnow");
}

#[test]
fn a_5xx_retries_at_the_configured_interval_then_gives_up() {
    let f = fake(vec![Answer::Status(503, "busy"); 5]);
    let c = cfg(
        json!({"url": "http://127.0.0.1:9/h", "body": {"t": "{{message}}"}, "retry": {"count": 2, "intervalSeconds": 5}}),
    );
    let r = send(&f, &text("x"), &c);
    assert!(!r.success);
    assert_eq!(r.attempts, 3);
    let e = r.error.unwrap();
    assert_eq!(e.code, ErrorCode::PlatformError);
    assert!(e.message.contains("503"), "{}", e.message);
    assert!(r.retry_suggested);
    let at: Vec<u64> = f.requests.borrow().iter().map(|q| q.at - T0).collect();
    assert_eq!(at, [0, 5000, 10_000]);
}

#[test]
fn network_errors_and_timeouts_retry_then_deliver() {
    let f = fake(vec![Answer::Network("connection refused".into()), Answer::Timeout, Answer::Status(204, "")]);
    let c = cfg(
        json!({"url": "http://127.0.0.1:9/h", "body": {"t": "{{message}}"}, "timeout": 2000, "retry": {"count": 3, "intervalSeconds": 1}}),
    );
    let r = send(&f, &text("x"), &c);
    assert!(r.success, "{r:?}");
    assert_eq!(r.attempts, 3);
    let at: Vec<u64> = f.requests.borrow().iter().map(|q| q.at - T0).collect();
    assert_eq!(at, [0, 1000, 1000 + 2000 + 1000]);
}

#[test]
fn a_4xx_is_permanent_and_429_honours_retry_after() {
    let f = fake(vec![Answer::Status(400, "bad field")]);
    let c = cfg(
        json!({"url": "http://127.0.0.1:9/h", "body": {"t": "{{message}}"}, "retry": {"count": 3, "intervalSeconds": 1}}),
    );
    let r = send(&f, &text("x"), &c);
    assert_eq!((r.success, r.attempts), (false, 1));
    assert_eq!(r.error.as_ref().unwrap().code, ErrorCode::PlatformError);
    assert!(!r.retry_suggested);

    let f = fake(vec![Answer::RetryAfter(429, "7"), Answer::Status(200, "ok")]);
    let r = send(&f, &text("x"), &c);
    assert!(r.success, "{r:?}");
    let at: Vec<u64> = f.requests.borrow().iter().map(|q| q.at - T0).collect();
    assert_eq!(at, [0, 7000]);
}

#[test]
fn a_failed_check_is_permanent_unless_retryable() {
    let body = r#"{"errcode":40001,"errmsg":"bad"}"#;
    let mk = |retryable: bool| {
        cfg(json!({
            "url": "http://127.0.0.1:9/h", "body": {"t": "{{message}}"},
            "check": {"jsonPath": "errcode", "equals": 0, "retryable": retryable},
            "retry": {"count": 2, "intervalSeconds": 1},
        }))
    };
    let f = fake(vec![Answer::Status(200, body); 3]);
    let r = send(&f, &text("x"), &mk(false));
    assert_eq!((r.success, r.attempts), (false, 1));
    let e = r.error.unwrap();
    assert_eq!(e.platform_code, Some(40001));
    assert!(e.message.contains("errcode is 40001"), "{}", e.message);

    let f = fake(vec![Answer::Status(200, body), Answer::Status(200, r#"{"errcode":0}"#)]);
    let r = send(&f, &text("x"), &mk(true));
    assert_eq!((r.success, r.attempts), (true, 2), "{r:?}");
}

#[test]
fn the_rate_limit_spaces_sends_to_one_target() {
    let f = fake(vec![]);
    let c = cfg(
        json!({"url": "http://127.0.0.1:9/h", "body": {"t": "{{message}}"}, "rateLimit": {"limit": 2, "periodMs": 10000}}),
    );
    let s = Sender::new(&f, SenderOptions::default()).unwrap();
    for _ in 0..3 {
        assert!(block_on(s.send_webhook(&text("x"), &c)).success);
    }
    let at: Vec<u64> = f.requests.borrow().iter().map(|q| q.at - T0).collect();
    assert_eq!(at.len(), 3);
    assert!(at[2] >= 10_000, "the third waits for the window: {at:?}");
}

#[test]
fn a_disabled_target_sends_nothing_and_a_message_id_is_sent_once() {
    let f = fake(vec![]);
    let off = cfg(json!({"url": "http://127.0.0.1:9/h", "enabled": false, "body": {"t": "{{message}}"}}));
    let r = send(&f, &text("x"), &off);
    assert_eq!(r.error.unwrap().code, ErrorCode::InvalidConfig);
    assert!(f.requests.borrow().is_empty());

    let on = cfg(json!({"url": "http://127.0.0.1:9/h", "body": {"t": "{{message}}"}}));
    let m = msg(json!({"content": {"type": "text", "body": {"text": "x"}}, "metadata": {"message_id": "m-1"}}));
    let s = Sender::new(&f, SenderOptions::default()).unwrap();
    assert!(block_on(s.send_webhook(&m, &on)).success);
    let again = block_on(s.send_webhook(&m, &on));
    assert_eq!(again.error.unwrap().code, ErrorCode::Duplicate);
    assert_eq!(f.requests.borrow().len(), 1);
}

#[test]
fn no_secret_token_or_signature_in_a_failed_result() {
    let secret = "s3cret-value-0123456789";
    let token = "tok_abcdef0123456789";
    let c = cfg(json!({
        "url": "http://127.0.0.1:9/h?token=urltoken0123456789",
        "headers": {"Authorization": format!("Bearer {token}"), "X-Sign": "{{sign}}"},
        "body": {"t": "{{message}}", "sign": "{{sign}}", "ts": "{{timestamp}}"},
        "secret": secret,
        "retry": {"count": 0},
    }));
    let sig = webhook_push::webhook::signing::sign(secret, T0 / 1000).unwrap();
    let echo: &'static str = Box::leak(format!("refused {secret} {token} {sig} urltoken0123456789").into_boxed_str());
    for answer in [Answer::Status(401, echo), Answer::Network(echo.to_string())] {
        let f = fake(vec![answer]);
        let r = send(&f, &text("x"), &c);
        assert!(!r.success);
        let shown = serde_json::to_string(&r.to_value()).unwrap();
        for s in [secret, token, sig.as_str(), "urltoken0123456789"] {
            assert!(!shown.contains(s), "{s} in {shown}");
        }
        // the request did carry them
        let q = f.requests.borrow()[0].clone();
        assert!(q.body.contains(&sig.replace('/', "\\/")) || q.body.contains(&sig), "{}", q.body);
    }
}

#[test]
fn render_json_gives_the_request_and_a_missing_config_is_invalid_config() {
    let m = r#"{"content":{"type":"text","body":{"text":"hi"}}}"#;
    let opts = r#"{"webhook":{"url":"http://127.0.0.1:9/h","method":"PATCH","body":{"t":"{{message}}"}}}"#;
    let r = webhook_push::render::render_json(m, "webhook", opts, T0).unwrap();
    let v = r.to_value();
    assert_eq!(v["platform"], "webhook");
    assert_eq!(v["url"], "http://127.0.0.1:9/h");
    assert_eq!(v["payloads"][0]["method"], "PATCH");
    assert_eq!(v["payloads"][0]["body"], r#"{"t":"hi"}"#);
    // a JSON text works the same
    let opts2 = json!({"webhook": r#"{"url":"http://127.0.0.1:9/h","method":"PATCH","body":{"t":"{{message}}"}}"#});
    assert_eq!(webhook_push::render::render_json(m, "webhook", &opts2.to_string(), T0).unwrap().to_value(), v);
    for bad in
        ["{}", r#"{"webhook":{"url":"ftp://x/"}}"#, r#"{"webhook":{"url":"http://127.0.0.1:9/","body":"{{nope}}"}}"#]
    {
        let e = webhook_push::render::render_json(m, "webhook", bad, T0).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidConfig, "{bad}: {}", e.message);
    }
    // an option render does not read for the target is refused, naming it, never its value
    let typo = r#"{"webhook":{"url":"http://127.0.0.1:9/h"},"baseUrl":"http://SECRETVALUE/","overflow":"split"}"#;
    let e = webhook_push::render::render_json(m, "webhook", typo, T0).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidConfig, "{}", e.message);
    assert!(e.message.starts_with("options.baseUrl is not an option: use webhook: { url"), "{}", e.message);
    assert!(!e.message.contains("SECRETVALUE"), "{}", e.message);
    let e = webhook_push::render::render_json(
        m,
        "webhook",
        r#"{"config":{"url":"http://127.0.0.1:9/h"},"ovreflow":1}"#,
        T0,
    )
    .unwrap_err();
    assert!(
        e.message.starts_with("options.ovreflow is not an option (the options are webhook, config, timestamp)"),
        "{}",
        e.message
    );
    assert_eq!(Platform::parse("Webhook").unwrap(), Platform::Webhook);
    assert!(Platform::Webhook.spec().configured());
    assert!(Platform::ALL.iter().all(|p| !p.spec().configured()));
}
