//! The one fake `Host` of the native sender tests: a clock that moves only when the
//! sender sleeps (or a request takes time), scripted answers, request latency, a
//! clock step back, a platform that enforces its 20-a-minute window, files to fetch,
//! uploads, and an optional shared store whose reads answer a poll later.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use webhook_push::model::UnifiedMessage;
use webhook_push::sender::{Host, HttpError, HttpResponse, Target};
use webhook_push::target::Platform;

/// The fake clock's start (Nov 2023, in ms).
pub const T0: u64 = 1_700_000_000_000;

pub const WECOM: &str = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRET-WECOM-KEY";
pub const DING: &str = "https://oapi.dingtalk.com/robot/send?access_token=SECRETDINGTOKEN";
pub const FEISHU: &str = "https://open.feishu.cn/open-apis/bot/v2/hook/SECRET-FEISHU-HOOK";

/// Run a future on this thread to completion (bounded: a future that never finishes panics).
pub fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..1_000_000 {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
    panic!("future never finished");
}

/// A target with no signing secret.
pub fn to(webhook: &str) -> Target {
    Target { webhook: webhook.into(), secret: None }
}

/// A text message, with `metadata.message_id` when `id` is given.
pub fn text_id(t: &str, id: Option<&str>) -> UnifiedMessage {
    let mut v = serde_json::json!({"content": {"type": "text", "body": {"text": t}}});
    if let Some(id) = id {
        v["metadata"] = serde_json::json!({"message_id": id});
    }
    UnifiedMessage::from_value(&v).expect("valid message")
}

/// Pending once, then ready (a store call that really goes to the network).
struct YieldOnce(bool);
impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            Poll::Pending
        }
    }
}

/// How the platform answers one POST.
#[derive(Clone, Debug)]
pub enum Answer {
    /// The platform's success body (Feishu's for a `/hook/` URL, else WeCom / DingTalk's).
    Ok,
    /// Status 200 with this body.
    Body(&'static str),
    /// This status with an HTML body.
    Status(u16),
    /// This whole answer.
    Reply(HttpResponse),
    /// The request times out (the clock moves by the request's timeout).
    Timeout,
    /// The request fails with this transport error.
    Fail(HttpError),
}

/// One POST as the platform received it.
#[derive(Clone, Debug)]
pub struct Post {
    /// The fake clock when it was sent.
    pub at: u64,
    pub url: String,
    pub body: String,
}

#[derive(Default)]
pub struct FakeHost {
    /// The clock (shared with a fake coordinator through the Rc).
    pub now: Rc<Cell<u64>>,
    /// Answers to the next POSTs, in order; `Answer::Ok` once it runs out.
    pub script: RefCell<VecDeque<Answer>>,
    /// Every POST, in order.
    pub posts: RefCell<Vec<Post>>,
    /// Milliseconds from send to arrival, per POST in order (then 0); the clock moves by it.
    pub latency: RefCell<VecDeque<u64>>,
    /// The clock steps back by this much during the next POST (an NTP step), once.
    pub step_back: Cell<u64>,
    /// Enforce 20 arrivals per sliding 60 s per bot (the URL without its signature), as WeCom
    /// and DingTalk do: over it, the platform's rate-limit answer.
    pub enforce_window: Cell<bool>,
    arrivals: RefCell<HashMap<String, Vec<u64>>>,
    /// How many rate-limit answers the window gave.
    pub rate_errors: Cell<u32>,
    /// Answer every POST with a permanent refusal (invalid webhook).
    pub refuse: Cell<bool>,
    /// The text of each message answered `Answer::Ok`.
    pub delivered: RefCell<Vec<String>>,
    /// What GET answers, by URL (anything else: a 404 network error).
    pub files: RefCell<HashMap<String, Vec<u8>>>,
    /// (url, "field:filename", bytes) of each upload.
    pub uploads: RefCell<Vec<(String, String, usize)>>,
    /// The shared dedup store, if the test gives one.
    pub store: Option<RefCell<HashMap<String, String>>>,
    /// What the rate-wait hook was told: (platform, wait in ms).
    pub rate_waits: RefCell<Vec<(Platform, u64)>>,
}

impl FakeHost {
    pub fn new() -> Self {
        let f = FakeHost::default();
        f.now.set(T0);
        f
    }

    pub fn with_store() -> Self {
        FakeHost { store: Some(RefCell::default()), ..FakeHost::new() }
    }

    pub fn post_count(&self) -> usize {
        self.posts.borrow().len()
    }

    /// Over the bot's window: the rate-limit answer, else record the arrival.
    fn window(&self, url: &str, arrive: u64) -> Option<HttpResponse> {
        let bot = url.split("&timestamp").next().unwrap_or(url).to_string();
        let mut a = self.arrivals.borrow_mut();
        let times = a.entry(bot).or_default();
        if times.iter().filter(|&&t| t + 60_000 > arrive).count() >= 20 {
            self.rate_errors.set(self.rate_errors.get() + 1);
            let body = if url.contains("dingtalk") {
                r#"{"errcode":130101,"errmsg":"send too fast"}"#
            } else {
                r#"{"errcode":45009,"errmsg":"api freq out of limit"}"#
            };
            return Some(HttpResponse { status: 200, body: body.into(), retry_after: None });
        }
        times.push(arrive);
        None
    }
}

fn ok(body: &str) -> Result<HttpResponse, HttpError> {
    Ok(HttpResponse { status: 200, body: body.to_string(), retry_after: None })
}

impl Host for &FakeHost {
    fn now_ms(&self) -> u64 {
        self.now.get()
    }
    fn random(&self) -> f64 {
        0.5
    }
    async fn sleep(&self, ms: u64) {
        self.now.set(self.now.get() + ms);
    }
    fn rate_wait(&self, platform: Platform, until_ms: u64) {
        self.rate_waits.borrow_mut().push((platform, until_ms.saturating_sub(self.now.get())));
    }
    async fn post_json(&self, url: &str, body: &str, timeout_ms: u64) -> Result<HttpResponse, HttpError> {
        self.posts.borrow_mut().push(Post { at: self.now.get(), url: url.to_string(), body: body.to_string() });
        let arrive = self.now.get() + self.latency.borrow_mut().pop_front().unwrap_or(0);
        self.now.set(arrive - self.step_back.replace(0));
        if self.refuse.get() {
            return ok(r#"{"errcode":93000,"errmsg":"invalid webhook url"}"#);
        }
        if self.enforce_window.get() {
            if let Some(limited) = self.window(url, arrive) {
                return Ok(limited);
            }
        }
        let answer = self.script.borrow_mut().pop_front().unwrap_or(Answer::Ok);
        match answer {
            Answer::Ok => {
                let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
                self.delivered.borrow_mut().push(v["text"]["content"].as_str().unwrap_or_default().to_string());
                if url.contains("/hook/") {
                    ok(r#"{"code":0,"msg":"success","data":{}}"#)
                } else {
                    ok(r#"{"errcode":0,"errmsg":"ok"}"#)
                }
            }
            Answer::Body(b) => ok(b),
            Answer::Status(s) => Ok(HttpResponse { status: s, body: "<html>busy</html>".into(), retry_after: None }),
            Answer::Reply(r) => Ok(r),
            Answer::Timeout => {
                self.now.set(self.now.get() + timeout_ms);
                Err(HttpError::Timeout)
            }
            Answer::Fail(e) => Err(e),
        }
    }
    async fn get_bytes(&self, url: &str, max: usize, _t: u64) -> Result<Vec<u8>, HttpError> {
        match self.files.borrow().get(url) {
            Some(b) if b.len() <= max => Ok(b.clone()),
            Some(_) => Err(HttpError::Network("too large".into())),
            None => Err(HttpError::Network(format!("404 for {url}"))),
        }
    }
    async fn post_file(
        &self,
        url: &str,
        field: &str,
        name: &str,
        bytes: &[u8],
        _t: u64,
    ) -> Result<HttpResponse, HttpError> {
        self.uploads.borrow_mut().push((url.to_string(), format!("{field}:{name}"), bytes.len()));
        ok(r#"{"errcode":0,"errmsg":"ok","type":"file","media_id":"MEDIA1","created_at":"1"}"#)
    }
    async fn store_get(&self, key: &str) -> Option<String> {
        let s = self.store.as_ref()?;
        let v = s.borrow().get(key).cloned(); // the read happens now, the answer arrives later
        YieldOnce(false).await;
        v
    }
    async fn store_put(&self, key: &str, value: &str, _ttl: u64) {
        if let Some(s) = &self.store {
            s.borrow_mut().insert(key.to_string(), value.to_string());
        }
    }
}
