//! The send loop: render, prepare media, keep each bot under its rate limit,
//! sign, post, classify, retry with backoff, dedup. Generic over a
//! [`Transport`] (the host's fetch and timers in wasm, a fake in tests), so
//! all of it runs natively under `cargo test` with a fake clock.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use base64::Engine as _;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::coordinator::{Claim, Coordinator};
use crate::degrade::Degradation;
use crate::error::{Error, ErrorCode, Result};
use crate::limits::Overflow;
use crate::model::{Body, UnifiedMessage};
use crate::platform::wecom;
use crate::policy::{self, RateWindow, RetryPolicy, Verdict};
use crate::render::{self, RenderOptions, WecomMarkdown};
use crate::target::{self, Platform, WebhookUrl};

/// An HTTP answer, as much of it as the sender reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub body: String,
    pub retry_after: Option<String>,
}

/// Why a request did not complete.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransportError {
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

/// What the sender needs from its host.
#[allow(async_fn_in_trait)] // one thread (wasm): no Send bounds wanted
pub trait Transport {
    fn now_ms(&self) -> u64;
    /// Uniform in [0, 1), for jitter.
    fn random(&self) -> f64;
    async fn sleep(&self, ms: u64);
    /// A message of `platform` waits until `until_ms` for its bot's rate window
    /// (a progress hook; nothing by default).
    fn rate_wait(&self, _platform: Platform, _until_ms: u64) {}
    /// POST a JSON body with `Content-Type: application/json`.
    async fn post_json(
        &self,
        url: &str,
        body: &str,
        timeout_ms: u64,
    ) -> std::result::Result<HttpResponse, TransportError>;
    /// GET at most `max_bytes` (a larger body is an error).
    async fn get_bytes(
        &self,
        url: &str,
        max_bytes: usize,
        timeout_ms: u64,
    ) -> std::result::Result<Vec<u8>, TransportError>;
    /// POST `multipart/form-data` with one file part.
    async fn post_file(
        &self,
        url: &str,
        field: &str,
        filename: &str,
        bytes: &[u8],
        timeout_ms: u64,
    ) -> std::result::Result<HttpResponse, TransportError>;
    /// A shared dedup store, if the caller gave one: the value under `key`
    /// (`"done"` or `"partial:N"`), `None` when absent or when there is no store.
    async fn store_get(&self, key: &str) -> Option<String>;
    async fn store_put(&self, key: &str, value: &str, ttl_ms: u64);
}

#[derive(Clone, Debug)]
pub struct SenderOptions {
    pub retry: RetryPolicy,
    /// Per attempt.
    pub timeout_ms: u64,
    /// The longest a message waits for its bot's rate window before it
    /// resolves with `RATE_LIMIT`.
    pub max_queue_delay_ms: u64,
    /// Keep each bot under its documented limit on our side.
    pub rate_limit: bool,
    pub base_urls: HashMap<Platform, String>,
    pub overflow: Overflow,
    pub wecom_markdown: WecomMarkdown,
    pub dedup_ttl_ms: u64,
    pub dedup_max_entries: usize,
}

impl Default for SenderOptions {
    fn default() -> Self {
        SenderOptions {
            retry: RetryPolicy::default(),
            timeout_ms: 10_000,
            max_queue_delay_ms: 150_000,
            rate_limit: true,
            base_urls: HashMap::new(),
            overflow: Overflow::Split,
            wecom_markdown: WecomMarkdown::Auto,
            dedup_ttl_ms: 24 * 3_600_000,
            dedup_max_entries: 10_000,
        }
    }
}

/// Where to send: a webhook URL or bare key, and the signing secret.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Target {
    pub webhook: String,
    pub secret: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendError {
    pub code: ErrorCode,
    pub message: String,
    pub platform_code: Option<i64>,
    pub platform_message: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SendResult {
    pub success: bool,
    pub platform: Platform,
    /// HTTP requests made (uploads and image fetches not counted).
    pub attempts: u32,
    pub error: Option<SendError>,
    pub retry_suggested: bool,
    /// Milliseconds to wait before trying again, when known.
    pub retry_after: Option<u64>,
    pub degraded: Vec<Degradation>,
    pub message_id: Option<String>,
    pub correlation_id: Option<String>,
    pub elapsed_ms: u64,
    /// Messages the content was split into, and how many were delivered.
    pub parts: usize,
    pub parts_delivered: usize,
}

impl SendResult {
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("success".into(), Value::Bool(self.success));
        m.insert("platform".into(), Value::String(self.platform.as_str().into()));
        m.insert("attempts".into(), Value::from(self.attempts));
        m.insert(
            "error".into(),
            match &self.error {
                None => Value::Null,
                Some(e) => json!({
                    "code": e.code.as_str(),
                    "message": e.message,
                    "platformCode": e.platform_code,
                    "platformMessage": e.platform_message,
                }),
            },
        );
        m.insert("retrySuggested".into(), Value::Bool(self.retry_suggested));
        m.insert("retryAfter".into(), self.retry_after.map_or(Value::Null, Value::from));
        m.insert(
            "degraded".into(),
            self.degraded.iter().map(|d| json!({"from": d.from, "to": d.to, "reason": d.reason})).collect(),
        );
        m.insert("messageId".into(), self.message_id.clone().map_or(Value::Null, Value::String));
        m.insert("correlationId".into(), self.correlation_id.clone().map_or(Value::Null, Value::String));
        m.insert("elapsedMs".into(), Value::from(self.elapsed_ms));
        m.insert("parts".into(), Value::from(self.parts));
        m.insert("partsDelivered".into(), Value::from(self.parts_delivered));
        Value::Object(m)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Seen {
    InFlight,
    /// The first N of M parts of a split message went out; a re-send sends the rest.
    Partial(usize, usize),
    Delivered,
}

impl Seen {
    /// The value kept in a shared store.
    fn stored(self) -> String {
        match self {
            Seen::Partial(n, m) => format!("partial:{n}/{m}"),
            _ => "done".to_string(),
        }
    }

    fn from_stored(v: &str) -> Seen {
        let nm = v.strip_prefix("partial:").and_then(|nm| nm.split_once('/'));
        match nm.and_then(|(n, m)| Some((n.parse().ok()?, m.parse().ok()?))) {
            Some((n, m)) => Seen::Partial(n, m),
            None => Seen::Delivered,
        }
    }
}

#[derive(Default)]
struct State {
    windows: HashMap<String, RateWindow>,
    sends: u64,
    seen: HashMap<String, (Seen, u64)>,
    seen_order: VecDeque<String>,
}

pub struct Sender<T: Transport> {
    pub transport: T,
    pub options: SenderOptions,
    state: RefCell<State>,
    /// Shared rate slots and message records; replaces `state`'s when set.
    pub(crate) coordinator: Option<Rc<dyn Coordinator>>,
}

/// Everything that could carry a credential out, replaced.
struct Scrub<'a> {
    url: &'a str,
    secret: Option<&'a str>,
    /// Signatures computed for this send (base64), scrubbed in every encoding.
    signatures: &'a [String],
}

/// The forms a value may take once echoed: as is, JSON-escaped, percent-encoded
/// once or twice (upper and lower case hex).
fn encodings(v: &str) -> Vec<String> {
    let once = crate::sign::encode_query_value(v);
    let twice = crate::sign::encode_query_value(&once);
    let mut out = vec![v.to_string(), v.replace('/', "\\/"), once.clone(), twice.clone()];
    for e in [once, twice] {
        let lower = lower_hex(&e);
        if lower != e {
            out.push(lower);
        }
    }
    // longest first, so a shorter form never leaves part of a longer one
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out.dedup();
    out
}

/// `%2B` -> `%2b`.
fn lower_hex(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut after = 0;
    for c in s.chars() {
        if after > 0 {
            out.push(c.to_ascii_lowercase());
            after -= 1;
        } else {
            out.push(c);
            if c == '%' {
                after = 2;
            }
        }
    }
    out
}

impl Scrub<'_> {
    fn text(&self, s: &str) -> String {
        let mut out = s.to_string();
        for sig in self.signatures.iter().filter(|g| g.len() >= 8) {
            for form in encodings(sig) {
                out = out.replace(&form, "***");
            }
        }
        out = out.replace(self.url, &target::redact_url(self.url));
        if let Ok(u) = WebhookUrl::parse(self.url) {
            let cred = u
                .query_param("key")
                .or(u.query_param("access_token"))
                .or_else(|| u.path.rsplit_once("/hook/").map(|(_, id)| id));
            if let Some(c) = cred.filter(|c| c.len() >= 4) {
                for form in encodings(c) {
                    out = out.replace(&form, "***");
                }
            }
        }
        if let Some(sec) = self.secret.filter(|s| s.len() >= 4) {
            for form in encodings(sec) {
                out = out.replace(&form, "***");
            }
        }
        // the signed URL (DingTalk's timestamp and sign) is not the one known here
        target::redact_text(&out)
    }
}

struct Attempt {
    /// Parts already delivered by an earlier send of this message_id, of how many.
    resume: Option<(usize, usize)>,
    attempts: u32,
    degraded: Vec<Degradation>,
    parts: usize,
    parts_delivered: usize,
    /// Signatures computed (scrubbed from the result).
    signatures: Vec<String>,
}

impl<T: Transport> Sender<T> {
    pub fn new(transport: T, options: SenderOptions) -> Result<Self> {
        options.retry.validate()?;
        Ok(Sender { transport, options, state: RefCell::new(State::default()), coordinator: None })
    }

    /// Share rate slots and dedup records with other senders (see [`crate::coordinator`]).
    pub fn with_coordinator(mut self, c: Rc<dyn Coordinator>) -> Self {
        self.coordinator = Some(c);
        self
    }

    fn result(&self, platform: Platform, msg: Option<&UnifiedMessage>, start: u64) -> SendResult {
        SendResult {
            success: false,
            platform,
            attempts: 0,
            error: None,
            retry_suggested: false,
            retry_after: None,
            degraded: Vec::new(),
            message_id: msg.and_then(|m| m.metadata.message_id.clone()),
            correlation_id: msg.and_then(|m| m.metadata.correlation_id.clone()),
            elapsed_ms: self.transport.now_ms().saturating_sub(start),
            parts: 0,
            parts_delivered: 0,
        }
    }

    fn failed(&self, mut r: SendResult, e: SendError, retry: Option<Option<u64>>) -> SendResult {
        r.error = Some(e);
        r.retry_suggested = retry.is_some();
        r.retry_after = retry.flatten();
        r
    }

    /// Send one message to one bot. Never fails: a failure is in the result.
    pub async fn send(&self, msg: &UnifiedMessage, platform: Platform, target: &Target) -> SendResult {
        let start = self.transport.now_ms();
        let sends = {
            let mut st = self.state.borrow_mut();
            st.sends = st.sends.wrapping_add(1);
            st.sends
        };
        if sends % 256 == 0 {
            self.tidy();
        }
        let base = self.options.base_urls.get(&platform).map(String::as_str);
        let url = match target::webhook_url(platform, &target.webhook, base) {
            Ok(u) => u,
            Err(e) => return self.failed(self.result(platform, Some(msg), start), plain(e), None),
        };
        if let Some(s) = &target.secret {
            if let Err(e) = crate::sign::check_secret(s) {
                return self.failed(self.result(platform, Some(msg), start), plain(e), None);
            }
        }
        let bot = match target::bot_id_of_url(platform, &url) {
            Ok(b) => b,
            Err(e) => return self.failed(self.result(platform, Some(msg), start), plain(e), None),
        };
        // a coordinator, when there is one, holds the message's record instead of this sender
        let message_id = msg.metadata.message_id.as_deref();
        let mut notes = Vec::new();
        let mut held = false;
        let mut resume: Option<(usize, usize)> = None;
        match self.coord_claim(&bot, message_id, self.in_flight_ttl()).await {
            Claim::Taken(state) => {
                let e = SendError {
                    code: ErrorCode::Duplicate,
                    message: format!(
                        "this message_id is {} for this bot (shared record); nothing was sent",
                        if state == "sent" { "already delivered" } else { "being sent" }
                    ),
                    platform_code: None,
                    platform_message: None,
                };
                return self.failed(self.result(platform, Some(msg), start), e, None);
            }
            Claim::Held(r) => {
                held = true;
                resume = r;
            }
            Claim::Failed(note) => notes.push(note),
            Claim::NotUsed => {}
        }
        let dedup_key = message_id.filter(|_| !held).map(|id| dedup_key(id, &bot));
        if let Some(k) = &dedup_key {
            // Marked in flight before the store is asked (an await): a concurrent
            // send of the same id sees the mark and stops.
            let local = self.seen(k, start);
            if local.is_none() || matches!(local, Some(Seen::Partial(..))) {
                self.mark(k, Seen::InFlight, start.saturating_add(self.in_flight_ttl()));
            }
            let seen = match local {
                Some(s) => Some(s),
                None => self.transport.store_get(k).await.map(|v| Seen::from_stored(&v)),
            };
            match seen {
                Some(Seen::Delivered | Seen::InFlight) => {
                    if local.is_none() {
                        self.forget(k); // our own mark: the store said it was delivered
                    }
                    let e = SendError {
                        code: ErrorCode::Duplicate,
                        message:
                            "this message_id was already delivered to this bot (or is being sent); nothing was sent"
                                .into(),
                        platform_code: None,
                        platform_message: None,
                    };
                    return self.failed(self.result(platform, Some(msg), start), e, None);
                }
                Some(Seen::Partial(n, m)) => resume = Some((n, m)),
                None => {}
            }
        }
        let mut att =
            Attempt { resume, attempts: 0, degraded: notes, parts: 0, parts_delivered: 0, signatures: Vec::new() };
        let outcome = self.deliver(msg, platform, &url, target.secret.as_deref(), start, &mut att).await;
        let scrub = Scrub { url: &url, secret: target.secret.as_deref(), signatures: &att.signatures };
        if let (true, Some(id)) = (held, message_id) {
            let went_out = if att.parts_delivered > 0 { Some((att.parts_delivered, att.parts)) } else { resume };
            let state = match (&outcome, went_out) {
                (Ok(()), _) => "sent".to_string(),
                (Err(_), Some((n, m))) => format!("partial:{n}/{m}"),
                (Err(_), None) => "released".to_string(),
            };
            if let Some(note) = self.coord_settle(&bot, id, &state, self.options.dedup_ttl_ms).await {
                att.degraded.push(note);
            }
        }
        let mut r = self.result(platform, Some(msg), start);
        r.attempts = att.attempts;
        r.degraded = std::mem::take(&mut att.degraded);
        r.parts = att.parts;
        r.parts_delivered = att.parts_delivered;
        match outcome {
            Ok(()) => {
                r.success = true;
                if let Some(k) = &dedup_key {
                    self.mark(k, Seen::Delivered, self.transport.now_ms().saturating_add(self.options.dedup_ttl_ms));
                    self.transport.store_put(k, &Seen::Delivered.stored(), self.options.dedup_ttl_ms).await;
                }
                r
            }
            Err((mut e, retry)) => {
                if let Some(k) = &dedup_key {
                    // parts that went out are remembered, now or by an earlier send
                    // (this one may have failed before it got to them): a re-send sends the rest
                    let went_out =
                        if att.parts_delivered > 0 { Some((att.parts_delivered, att.parts)) } else { resume };
                    match went_out {
                        Some((n, m)) => {
                            let partial = Seen::Partial(n, m);
                            self.mark(k, partial, self.transport.now_ms().saturating_add(self.options.dedup_ttl_ms));
                            self.transport.store_put(k, &partial.stored(), self.options.dedup_ttl_ms).await;
                        }
                        None => self.forget(k),
                    }
                }
                e.message = scrub.text(&e.message);
                e.platform_message = e.platform_message.map(|m| scrub.text(&m));
                self.failed(r, e, retry)
            }
        }
    }

    /// Prepare, render and post every part. `Err((error, Some(retry_after)))`
    /// when trying again later may work.
    async fn deliver(
        &self,
        msg: &UnifiedMessage,
        platform: Platform,
        url: &str,
        secret: Option<&str>,
        start: u64,
        att: &mut Attempt,
    ) -> std::result::Result<(), (SendError, Option<Option<u64>>)> {
        let prepared = self.prepare_media(msg, platform, url, &mut att.degraded).await?;
        let msg = prepared.as_ref().unwrap_or(msg);
        let opts = RenderOptions {
            webhook: None,
            secret: None,
            now_ms: start,
            overflow: self.options.overflow,
            wecom_markdown: self.options.wecom_markdown,
            base_url: None,
        };
        let rendered = render::render(msg, platform, &opts).map_err(|e| (plain(e), None))?;
        att.degraded.extend(rendered.degraded);
        att.parts = rendered.payloads.len();
        // a re-send of a message whose first parts went out sends the rest, if
        // it still renders to the same number of parts (else it all goes again)
        if let Some((n, m)) = att.resume {
            if m == att.parts && n < m {
                att.parts_delivered = n;
            } else {
                att.degraded.push(Degradation {
                    from: "resume".into(),
                    to: "all parts".into(),
                    reason: format!("{n} of {m} parts went out before, but the message now renders to {}", att.parts),
                });
            }
        }
        for payload in rendered.payloads.iter().skip(att.parts_delivered) {
            self.post_one(platform, url, secret, payload, start, att).await?;
            att.parts_delivered += 1;
        }
        Ok(())
    }

    async fn post_one(
        &self,
        platform: Platform,
        url: &str,
        secret: Option<&str>,
        payload: &Value,
        start: u64,
        att: &mut Attempt,
    ) -> std::result::Result<(), (SendError, Option<Option<u64>>)> {
        let limits = policy::rate_limits(platform);
        // rate windows are the bot's, whatever form its URL was given in
        let bot = target::bot_id_of_url(platform, url).unwrap_or_else(|_| url.to_string());
        let mut retries = 0u32;
        let mut resigned = false;
        loop {
            let now = self.transport.now_ms();
            let mut slot = None;
            if self.options.rate_limit {
                // the wait for a slot counts towards the message's whole time too
                let left = self.options.retry.max_total_time.saturating_sub(now.saturating_sub(start));
                let max_wait = self.options.max_queue_delay_ms.min(left);
                let deadline = now.saturating_add(max_wait);
                let no_slot = |wait: u64| SendError {
                    code: ErrorCode::RateLimit,
                    message: format!(
                        "the {} bot's rate limit leaves no slot within maxQueueDelay or the time left ({max_wait} ms); next slot in {wait} ms",
                        platform.display(),
                    ),
                    platform_code: None,
                    platform_message: None,
                };
                // a coordinator's slot (shared by every sender), else this sender's own window
                let shared = self.coord_slot(platform, url, deadline, &mut att.degraded).await;
                if let Some(Err(wait)) = shared {
                    return Err((no_slot(wait), Some(Some(wait))));
                }
                // bounded: each round sleeps until a slot may be free
                for _ in 0..if shared.is_some() { 0 } else { 10_000 } {
                    let now = self.transport.now_ms();
                    let taken = {
                        let mut st = self.state.borrow_mut();
                        st.windows.entry(bot.clone()).or_default().take(limits, now)
                    };
                    match taken {
                        Ok(at) => {
                            slot = Some(at);
                            break;
                        }
                        Err(free) if free <= deadline => {
                            self.transport.rate_wait(platform, free);
                            self.transport.sleep(free - now).await
                        }
                        Err(free) => {
                            let wait = free.saturating_sub(now);
                            return Err((no_slot(wait), Some(Some(wait))));
                        }
                    }
                }
            }
            let now = self.transport.now_ms();
            let (post_url, body) = match signed(platform, url, payload, secret, now) {
                Ok(x) => x,
                Err(e) => return Err((plain(e), None)),
            };
            if let Some(s) = secret {
                if let Ok(Some(crate::platform::spec::Signature { sign: sig, .. })) = platform.spec().signature(s, now)
                {
                    if !att.signatures.contains(&sig) {
                        att.signatures.push(sig);
                    }
                }
            }
            att.attempts += 1;
            let answer = self.transport.post_json(&post_url, &body, self.options.timeout_ms).await;
            if let Some(at) = slot {
                let done = self.transport.now_ms();
                let mut st = self.state.borrow_mut();
                if let Some(w) = st.windows.get_mut(&bot) {
                    w.settle(at, done);
                }
            }
            let c = match answer {
                Ok(resp) => policy::classify(platform, resp.status, &resp.body, resp.retry_after.as_deref()),
                Err(TransportError::Timeout) => policy::Classified {
                    verdict: Verdict::Retry { code: ErrorCode::Timeout, retry_after: None },
                    platform_code: None,
                    platform_message: Some(format!("no answer within {} ms", self.options.timeout_ms)),
                },
                Err(TransportError::Network(m)) => policy::Classified {
                    verdict: Verdict::Retry { code: ErrorCode::NetworkError, retry_after: None },
                    platform_code: None,
                    platform_message: Some(m),
                },
                Err(TransportError::Redirect { status, location }) => policy::Classified {
                    // a redirect is not followed: it would take the body (and a signature) elsewhere
                    verdict: Verdict::Permanent { code: ErrorCode::PlatformError },
                    platform_code: None,
                    platform_message: Some(redirect_text(status, location.as_deref())),
                },
            };
            let err = |code: ErrorCode, what: &str| SendError {
                code,
                message: match (&c.platform_code, &c.platform_message) {
                    (Some(pc), Some(pm)) => format!("{what}: {} answered {pc} {pm}", platform.display()),
                    (Some(pc), None) => format!("{what}: {} answered {pc}", platform.display()),
                    (None, Some(pm)) => format!("{what}: {pm}"),
                    (None, None) => what.to_string(),
                },
                platform_code: c.platform_code,
                platform_message: c.platform_message.clone(),
            };
            match c.verdict {
                Verdict::Delivered => return Ok(()),
                Verdict::Resign if !resigned => {
                    resigned = true;
                    continue;
                }
                Verdict::Resign => {
                    return Err((err(ErrorCode::PlatformError, "the signature was refused twice"), None));
                }
                Verdict::Permanent { code } => return Err((err(code, "refused"), None)),
                Verdict::Retry { code, retry_after } => {
                    let now = self.transport.now_ms();
                    if code == ErrorCode::RateLimit {
                        let until = now.saturating_add(retry_after.unwrap_or_else(|| policy::rate_block_ms(platform)));
                        let mut st = self.state.borrow_mut();
                        st.windows.entry(bot.clone()).or_default().block_until(until);
                    }
                    retries += 1;
                    let delay =
                        self.options.retry.delay(retries, self.transport.random()).max(retry_after.unwrap_or(0));
                    if retries > self.options.retry.max_retries {
                        return Err((err(code, "gave up after retries"), Some(retry_after)));
                    }
                    if now.saturating_add(delay).saturating_sub(start) > self.options.retry.max_total_time {
                        return Err((err(code, "no time left to retry (retryPolicy.maxTotalTime)"), Some(Some(delay))));
                    }
                    if code == ErrorCode::RateLimit && delay > self.options.max_queue_delay_ms {
                        return Err((err(code, "rate limited for longer than maxQueueDelay"), Some(Some(delay))));
                    }
                    self.transport.sleep(delay).await;
                }
            }
        }
    }

    /// The platform's media step, if it has one (WeCom takes image bytes and
    /// files by media_id): fetch and upload them first. Where that fails and a URL exists, the renderer's degradation
    /// (a news card, a link) applies instead, recorded.
    async fn prepare_media(
        &self,
        msg: &UnifiedMessage,
        platform: Platform,
        url: &str,
        degraded: &mut Vec<Degradation>,
    ) -> std::result::Result<Option<UnifiedMessage>, (SendError, Option<Option<u64>>)> {
        let Some(media) = platform.spec().media() else { return Ok(None) };
        let t = self.options.timeout_ms;
        match &msg.content.body {
            Body::Image(img) if img.base64.is_none() && img.url.is_some() && media.inline_image_limit.is_some() => {
                let src = img.url.as_deref().unwrap_or_default();
                let limit = media.inline_image_limit.unwrap_or_default();
                let why = match self.transport.get_bytes(src, limit, t).await {
                    Ok(bytes) if is_jpg_or_png(&bytes) => {
                        let mut m = msg.clone();
                        if let Body::Image(i) = &mut m.content.body {
                            i.base64 = Some(base64::engine::general_purpose::STANDARD.encode(&bytes));
                            i.md5 = None;
                        }
                        return Ok(Some(m));
                    }
                    Ok(_) => "the image is not a JPG or PNG".to_string(),
                    Err(TransportError::Timeout) => "fetching the image timed out".to_string(),
                    Err(TransportError::Network(e)) => {
                        format!("the image could not be fetched ({})", crate::model::clip(&e, 80))
                    }
                    Err(TransportError::Redirect { status, location }) => {
                        format!("the image could not be fetched ({})", redirect_text(status, location.as_deref()))
                    }
                };
                degraded.push(Degradation { from: "image".into(), to: "news".into(), reason: why });
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
                    match self.transport.get_bytes(f.url.as_deref().unwrap_or_default(), up.max_bytes, t).await {
                        Ok(b) => b,
                        Err(e) => {
                            let why = match e {
                                TransportError::Timeout => "fetching the file timed out".to_string(),
                                TransportError::Network(m) => {
                                    format!("the file could not be fetched ({})", crate::model::clip(&m, 80))
                                }
                                TransportError::Redirect { status, location } => format!(
                                    "the file could not be fetched ({})",
                                    redirect_text(status, location.as_deref())
                                ),
                            };
                            degraded.push(Degradation { from: "file".into(), to: "link".into(), reason: why });
                            return Ok(None);
                        }
                    }
                };
                if bytes.len() < up.min_bytes || bytes.len() > up.max_bytes {
                    return Err((plain(Error::at("content.body", up.limit_text)), None));
                }
                let name = f.name.clone().unwrap_or_else(|| "file".into());
                let answer = self.transport.post_file(&upload, up.field, &name, &bytes, t).await;
                let media_id = match &answer {
                    Ok(r) if r.status == 200 => {
                        serde_json::from_str::<Value>(&r.body).ok().and_then(|v| (up.media_id)(&v))
                    }
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
                        degraded.push(Degradation {
                            from: "file".into(),
                            to: "link".into(),
                            reason: format!("the upload to {} failed; the file is sent as a link", platform.display()),
                        });
                        Ok(None)
                    }
                    None => {
                        let e = SendError {
                            code: ErrorCode::NetworkError,
                            message: format!("the file upload to {} failed", platform.display()),
                            platform_code: None,
                            platform_message: answer.ok().map(|r| crate::model::clip(&r.body, 200)),
                        };
                        Err((e, Some(None)))
                    }
                }
            }
            _ => Ok(None),
        }
    }

    fn seen(&self, key: &str, now: u64) -> Option<Seen> {
        let st = self.state.borrow();
        st.seen.get(key).filter(|&&(_, exp)| exp > now).map(|&(s, _)| s)
    }

    /// How long an in-flight mark holds if its send never finishes (the host
    /// dropped it): the longest a delivery may take.
    fn in_flight_ttl(&self) -> u64 {
        self.options.retry.max_total_time.saturating_add(self.options.timeout_ms)
    }

    fn forget(&self, key: &str) {
        let mut st = self.state.borrow_mut();
        if st.seen.remove(key).is_some() {
            st.seen_order.retain(|k| k != key);
        }
    }

    /// Remember `key` as `s` until `exp`.
    fn mark(&self, key: &str, s: Seen, exp: u64) {
        let mut st = self.state.borrow_mut();
        let now = self.transport.now_ms();
        if st.seen.insert(key.to_string(), (s, exp)).is_none() {
            st.seen_order.push_back(key.to_string());
        }
        while st.seen_order.len() > self.options.dedup_max_entries.max(1) {
            if let Some(old) = st.seen_order.pop_front() {
                st.seen.remove(&old);
            }
        }
        // expired entries at the front go too
        while let Some(front) = st.seen_order.front().cloned() {
            match st.seen.get(&front) {
                Some(&(_, e)) if e > now => break,
                _ => {
                    st.seen_order.pop_front();
                    st.seen.remove(&front);
                }
            }
        }
    }

    /// Rate windows and dedup entries held (memory checks).
    pub fn held(&self) -> (usize, usize) {
        let st = self.state.borrow();
        (st.windows.len(), st.seen.len())
    }

    /// Forget idle rate windows (called now and then; windows are tiny).
    pub fn tidy(&self) {
        let now = self.transport.now_ms();
        let mut st = self.state.borrow_mut();
        st.windows.retain(|_, w| !w.is_idle(now, &[(100, 60_000)]));
    }

    /// Send to several platforms at once.
    pub async fn send_multi(&self, msg: &UnifiedMessage, targets: &[(Platform, Target)]) -> Vec<SendResult> {
        let futs: Vec<Pin<Box<dyn Future<Output = SendResult> + '_>>> =
            targets.iter().map(|(p, t)| Box::pin(self.send(msg, *p, t)) as Pin<Box<dyn Future<Output = _>>>).collect();
        join_all(futs).await
    }
}

/// A short error with no platform answer.
fn plain(e: Error) -> SendError {
    let message = match &e.path {
        Some(p) if !p.is_empty() => format!("{} (at {p})", e.message),
        _ => e.message.clone(),
    };
    SendError { code: e.code, message, platform_code: None, platform_message: None }
}

fn signed(platform: Platform, url: &str, payload: &Value, secret: Option<&str>, now: u64) -> Result<(String, String)> {
    match secret {
        None => Ok((url.to_string(), crate::json::to_string(payload))),
        Some(s) => {
            let mut p = payload.clone();
            render::sign_payload(platform, &mut p, s, now)?;
            Ok((render::sign_url(platform, url, s, now)?, crate::json::to_string(&p)))
        }
    }
}

/// The dedup key: the message id and the bot's identity (a hash, never the
/// URL or its credential: it may go to a shared store).
fn dedup_key(id: &str, bot: &str) -> String {
    let h = Sha256::digest(bot.as_bytes());
    format!("webhook-push:{}:{id}", wecom::hex(&h[..8]))
}

/// What a redirect answer is reported as: the status and where it pointed
/// (credentials redacted); it is not followed.
fn redirect_text(status: u16, location: Option<&str>) -> String {
    match location {
        Some(l) if !l.is_empty() => format!(
            "HTTP {status} redirect to {} (redirects are not followed)",
            crate::model::clip(&target::redact_text(&target::redact_url(l)), 200)
        ),
        _ if status == 0 => "a redirect, status hidden by the host (redirects are not followed)".to_string(),
        _ => format!("HTTP {status} redirect (redirects are not followed)"),
    }
}

fn is_jpg_or_png(b: &[u8]) -> bool {
    b.starts_with(b"\x89PNG\r\n\x1a\n") || b.starts_with(&[0xFF, 0xD8, 0xFF])
}

/// The seed's environment variables (and Lark's), as each platform names
/// them: platform, webhook variable, secret variable.
pub fn env_names() -> impl Iterator<Item = (Platform, &'static str, Option<&'static str>)> {
    Platform::ALL.into_iter().map(|p| {
        let e = p.spec().env_names();
        (p, e.webhook, e.secret)
    })
}

/// The seed's environment variables, read into targets for `sendAuto`.
/// Returns the configured targets and the platforms that are not configured.
pub fn targets_from_env(get: impl Fn(&str) -> Option<String>) -> (Vec<(Platform, Target)>, Vec<Platform>) {
    let mut configured = Vec::new();
    let mut skipped = Vec::new();
    let nonempty = |k: &str| get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    for (p, hook, secret) in env_names() {
        match nonempty(hook) {
            Some(w) => configured.push((p, Target { webhook: w, secret: secret.and_then(nonempty) })),
            None => skipped.push(p),
        }
    }
    (configured, skipped)
}

/// Poll futures together until all are done (no runtime needed).
pub fn join_all<'a, O>(futs: Vec<Pin<Box<dyn Future<Output = O> + 'a>>>) -> impl Future<Output = Vec<O>> + 'a
where
    O: 'a,
{
    struct JoinAll<'a, O> {
        futs: Vec<Option<Pin<Box<dyn Future<Output = O> + 'a>>>>,
        out: Vec<Option<O>>,
    }
    // Only boxed futures and outputs are held, never pinned in place.
    impl<O> Unpin for JoinAll<'_, O> {}
    impl<O> Future for JoinAll<'_, O> {
        type Output = Vec<O>;
        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Vec<O>> {
            let this = self.get_mut();
            let mut pending = false;
            for (slot, out) in this.futs.iter_mut().zip(this.out.iter_mut()) {
                if let Some(f) = slot {
                    match f.as_mut().poll(cx) {
                        Poll::Ready(v) => {
                            *out = Some(v);
                            *slot = None;
                        }
                        Poll::Pending => pending = true,
                    }
                }
            }
            if pending { Poll::Pending } else { Poll::Ready(this.out.iter_mut().filter_map(Option::take).collect()) }
        }
    }
    let n = futs.len();
    JoinAll { futs: futs.into_iter().map(Some).collect(), out: (0..n).map(|_| None).collect() }
}
