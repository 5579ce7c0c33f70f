//! The send loop: render, prepare media, keep each bot under its rate limit,
//! sign, post, classify, retry with backoff, dedup. Generic over a [`Host`]
//! (the host's fetch and timers in wasm, a fake in tests), so all of it runs
//! natively under `cargo test` with a fake clock.
//!
//! Beside the loop: [`host`] (the host trait), `dedup` (the local dedup
//! table), `media` (the platform's media step), `coordinated` (the shared
//! coordinator's calls), `env` (targets from environment variables), `join`.

mod coordinated;
mod dedup;
mod env;
pub mod host;
mod join;
mod media;
mod result;
mod scrub;
#[cfg(feature = "webhook")]
mod webhook;

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use crate::payload::Payload;

use crate::coordinator::{Claim, Coordinator};
use crate::degrade::Degraded;
use crate::error::{Error, ErrorCode, Result};
use crate::limits::Overflow;
use crate::model::UnifiedMessage;
use crate::platform::spec::Signing;
use crate::policy::{self, RateWindow, RetryPolicy, Verdict};
use crate::render::{self, RenderOptions, WecomMarkdown};
use crate::target::{self, Platform};
use dedup::{DedupTable, Seen, dedup_key};
pub use env::{env_names, targets_from_env};
pub use host::{Host, HttpError, HttpRequest, HttpResponse};
pub use join::join_all;
pub use result::{SendError, SendErrorFields, SendResult};
use scrub::Scrub;

/// The host trait's former name, kept while other branches merge.
pub use host::Host as Transport;
/// The host error's former name, kept while other branches merge.
pub type TransportError = HttpError;

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

#[derive(Default)]
struct State {
    windows: HashMap<String, RateWindow>,
    sends: u64,
    dedup: DedupTable,
    /// Each target's URL and bot id, worked out once (a hash each time otherwise):
    /// keyed by platform and webhook as given; emptied when it reaches [`BOTS_HELD`].
    bots: HashMap<(Platform, String), (String, String)>,
}

/// Targets whose URL and bot id a sender keeps.
const BOTS_HELD: usize = 1024;

pub struct Sender<H: Host> {
    pub host: H,
    pub options: SenderOptions,
    state: RefCell<State>,
    /// Shared rate slots and message records; replaces `state`'s when set.
    pub(crate) coordinator: Option<Rc<dyn Coordinator>>,
}

struct Attempt {
    /// The bot's id ([`target::bot_id_of_url`]): its rate windows and records.
    bot: String,
    /// Parts already delivered by an earlier send of this message_id, of how many.
    resume: Option<(usize, usize)>,
    attempts: u32,
    /// The one record of what was degraded for this send (each step once).
    degraded: Degraded,
    parts: usize,
    parts_delivered: usize,
    /// Signatures computed (scrubbed from the result).
    signatures: Vec<String>,
    /// What is done with content over the platform's limit.
    overflow: Overflow,
}

impl<H: Host> Sender<H> {
    pub fn new(host: H, options: SenderOptions) -> Result<Self> {
        options.retry.validate()?;
        Ok(Sender { host, options, state: RefCell::new(State::default()), coordinator: None })
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
            elapsed_ms: self.host.now_ms().saturating_sub(start),
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
        self.send_with(msg, platform, target, None).await
    }

    /// [`Sender::send`], with this send's `overflow` instead of the sender's
    /// when given (a service URL's `overflow=`).
    pub async fn send_with(
        &self,
        msg: &UnifiedMessage,
        platform: Platform,
        target: &Target,
        overflow: Option<Overflow>,
    ) -> SendResult {
        let start = self.host.now_ms();
        let sends = {
            let mut st = self.state.borrow_mut();
            st.sends = st.sends.wrapping_add(1);
            st.sends
        };
        if sends % 256 == 0 {
            self.tidy();
        }
        if platform.spec().configured() {
            let e = Error::config(
                "the webhook target is sent with its configuration: send_webhook (JS: send(message, \"webhook\", { webhook: config }) or sendTo)",
            );
            return self.failed(self.result(platform, Some(msg), start), plain(e), None);
        }
        let (url, bot) = match self.bot_of(platform, &target.webhook) {
            Ok(x) => x,
            Err(e) => return self.failed(self.result(platform, Some(msg), start), plain(e), None),
        };
        if let Some(s) = &target.secret {
            if let Err(e) = crate::sign::check_secret(s) {
                return self.failed(self.result(platform, Some(msg), start), plain(e), None);
            }
        }
        // a coordinator, when there is one, holds the message's record instead of this sender
        let message_id = msg.metadata.message_id.as_deref();
        let mut notes = Degraded::default();
        let mut held = false;
        let mut resume: Option<(usize, usize)> = None;
        match self.coord_claim(&bot, message_id, self.in_flight_ttl()).await {
            Claim::Taken(state) => {
                let e = SendError::from(SendErrorFields {
                    code: ErrorCode::Duplicate,
                    message: format!(
                        "this message_id is {} for this bot (shared record); nothing was sent",
                        if state == "sent" { "already delivered" } else { "being sent" }
                    ),
                    platform_code: None,
                    platform_message: None,
                });
                return self.failed(self.result(platform, Some(msg), start), e, None);
            }
            Claim::Held(r) => {
                held = true;
                resume = r;
            }
            Claim::Failed(note) => notes.record(note),
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
                None => self.host.store_get(k).await.map(|v| Seen::from_stored(&v)),
            };
            match seen {
                Some(Seen::Delivered | Seen::InFlight) => {
                    if local.is_none() {
                        self.forget(k); // our own mark: the store said it was delivered
                    }
                    let e = SendError::from(SendErrorFields {
                        code: ErrorCode::Duplicate,
                        message:
                            "this message_id was already delivered to this bot (or is being sent); nothing was sent"
                                .into(),
                        platform_code: None,
                        platform_message: None,
                    });
                    return self.failed(self.result(platform, Some(msg), start), e, None);
                }
                Some(Seen::Partial(n, m)) => resume = Some((n, m)),
                None => {}
            }
        }
        let mut att = Attempt {
            bot: bot.clone(),
            resume,
            attempts: 0,
            degraded: notes,
            parts: 0,
            parts_delivered: 0,
            signatures: Vec::new(),
            overflow: overflow.unwrap_or(self.options.overflow),
        };
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
                att.degraded.record(note);
            }
        }
        let mut r = self.result(platform, Some(msg), start);
        r.attempts = att.attempts;
        r.degraded = std::mem::take(&mut att.degraded).0;
        r.parts = att.parts;
        r.parts_delivered = att.parts_delivered;
        match outcome {
            Ok(()) => {
                r.success = true;
                if let Some(k) = &dedup_key {
                    self.mark(k, Seen::Delivered, self.host.now_ms().saturating_add(self.options.dedup_ttl_ms));
                    self.host.store_put(k, &Seen::Delivered.stored(), self.options.dedup_ttl_ms).await;
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
                            self.mark(k, partial, self.host.now_ms().saturating_add(self.options.dedup_ttl_ms));
                            self.host.store_put(k, &partial.stored(), self.options.dedup_ttl_ms).await;
                        }
                        None => self.forget(k),
                    }
                }
                e.message = scrub.text(&e.message);
                e.platform_message = e.platform_message.take().map(|m| scrub.text(&m));
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
            overflow: att.overflow,
            wecom_markdown: self.options.wecom_markdown,
            base_url: None,
        };
        let rendered = render::render(msg, platform, &opts).map_err(|e| (plain(e), None))?;
        for d in rendered.degraded {
            att.degraded.record(d);
        }
        att.parts = rendered.payloads.len();
        // a re-send of a message whose first parts went out sends the rest, if
        // it still renders to the same number of parts (else it all goes again)
        if let Some((n, m)) = att.resume {
            if m == att.parts && n < m {
                att.parts_delivered = n;
            } else {
                att.degraded.push(
                    "resume",
                    "all parts",
                    format!("{n} of {m} parts went out before, but the message now renders to {}", att.parts),
                );
            }
        }
        for payload in rendered.payloads.iter().skip(att.parts_delivered) {
            self.post_one(platform, url, secret, payload, start, att).await?;
            att.parts_delivered += 1;
        }
        Ok(())
    }

    /// Wait for a rate slot for the bot, when rate limiting is on: the
    /// coordinator's (shared by every sender) if there is one, else this
    /// sender's own window. The wait counts towards the message's whole time.
    /// `Ok(Some(t))`: a local slot taken at `t`, to settle when the request
    /// completes; `Ok(None)`: nothing local to settle; `Err`: no slot in time.
    async fn wait_for_slot(
        &self,
        platform: Platform,
        bot: &str,
        start: u64,
        degraded: &mut Degraded,
    ) -> std::result::Result<Option<u64>, (SendError, Option<Option<u64>>)> {
        if !self.options.rate_limit {
            return Ok(None);
        }
        let limits = policy::rate_limits(platform);
        let now = self.host.now_ms();
        let left = self.options.retry.max_total_time.saturating_sub(now.saturating_sub(start));
        let max_wait = self.options.max_queue_delay_ms.min(left);
        let deadline = now.saturating_add(max_wait);
        let no_slot = |wait: u64| {
            SendError::from(SendErrorFields {
                code: ErrorCode::RateLimit,
                message: format!(
                    "the {} bot's rate limit leaves no slot within maxQueueDelay or the time left ({max_wait} ms); next slot in {wait} ms",
                    platform.display(),
                ),
                platform_code: None,
                platform_message: None,
            })
        };
        match self.coord_slot(platform, bot, deadline, degraded).await {
            Some(Ok(())) => return Ok(None),
            Some(Err(wait)) => return Err((no_slot(wait), Some(Some(wait)))),
            None => {}
        }
        // bounded: each round sleeps until a slot may be free
        for _ in 0..10_000 {
            let now = self.host.now_ms();
            let taken = self.state.borrow_mut().windows.entry(bot.to_string()).or_default().take(limits, now);
            match taken {
                Ok(at) => return Ok(Some(at)),
                Err(free) if free <= deadline => {
                    self.host.rate_wait(platform, free);
                    self.host.sleep(free - now).await
                }
                Err(free) => {
                    let wait = free.saturating_sub(now);
                    return Err((no_slot(wait), Some(Some(wait))));
                }
            }
        }
        Ok(None)
    }

    async fn post_one(
        &self,
        platform: Platform,
        url: &str,
        secret: Option<&str>,
        payload: &Payload,
        start: u64,
        att: &mut Attempt,
    ) -> std::result::Result<(), (SendError, Option<Option<u64>>)> {
        // rate windows are the bot's (its id, whatever form its URL was given in)
        let bot = att.bot.clone();
        let bot = bot.as_str();
        let mut retries = 0u32;
        let mut resigned = false;
        // the payload's text, written once for every attempt, unless the signature
        // goes into the body (a new timestamp each attempt)
        let signs_body = secret.is_some() && platform.spec().signing() == Signing::BodyFields;
        let text = if signs_body { None } else { Some(payload.to_text()) };
        loop {
            let slot = self.wait_for_slot(platform, bot, start, &mut att.degraded).await?;
            let now = self.host.now_ms();
            let (post_url, body, sig) = match signed(platform, url, payload, text.as_deref(), secret, now) {
                Ok(x) => x,
                Err(e) => return Err((plain(e), None)),
            };
            if let Some(sig) = sig {
                if !att.signatures.contains(&sig) {
                    att.signatures.push(sig);
                }
            }
            att.attempts += 1;
            let answer = self.host.post_json(&post_url, &body, self.options.timeout_ms).await;
            if let Some(at) = slot {
                let done = self.host.now_ms();
                let mut st = self.state.borrow_mut();
                if let Some(w) = st.windows.get_mut(bot) {
                    w.settle(at, done);
                }
            }
            let c = match answer {
                Ok(resp) => policy::classify(platform, resp.status, &resp.body, resp.retry_after.as_deref()),
                Err(HttpError::Timeout) => policy::Classified {
                    verdict: Verdict::Retry { code: ErrorCode::Timeout, retry_after: None },
                    platform_code: None,
                    platform_message: Some(format!("no answer within {} ms", self.options.timeout_ms)),
                },
                Err(HttpError::Network(m)) => policy::Classified {
                    verdict: Verdict::Retry { code: ErrorCode::NetworkError, retry_after: None },
                    platform_code: None,
                    platform_message: Some(m),
                },
                Err(HttpError::Redirect { status, location }) => policy::Classified {
                    // a redirect is not followed: it would take the body (and a signature) elsewhere
                    verdict: Verdict::Permanent { code: ErrorCode::PlatformError },
                    platform_code: None,
                    platform_message: Some(redirect_text(status, location.as_deref())),
                },
            };
            let err = |code: ErrorCode, what: &str| {
                SendError::from(SendErrorFields {
                    code,
                    message: match (&c.platform_code, &c.platform_message) {
                        (Some(pc), Some(pm)) => format!("{what}: {} answered {pc} {pm}", platform.display()),
                        (Some(pc), None) => format!("{what}: {} answered {pc}", platform.display()),
                        (None, Some(pm)) => format!("{what}: {pm}"),
                        (None, None) => what.to_string(),
                    },
                    platform_code: c.platform_code,
                    platform_message: c.platform_message.clone(),
                })
            };
            match c.verdict {
                Verdict::Delivered => return Ok(()),
                // signing again cannot help a bot that was given no secret
                Verdict::Resign if secret.is_none() => {
                    let what = "the bot requires signing (its signature check is on): give its secret";
                    return Err((err(ErrorCode::PlatformError, what), None));
                }
                Verdict::Resign if !resigned => {
                    resigned = true;
                    continue;
                }
                Verdict::Resign => {
                    return Err((err(ErrorCode::PlatformError, "the signature was refused twice"), None));
                }
                Verdict::Permanent { code } => return Err((err(code, "refused"), None)),
                Verdict::Retry { code, retry_after } => {
                    let now = self.host.now_ms();
                    if code == ErrorCode::RateLimit {
                        let until = now.saturating_add(retry_after.unwrap_or_else(|| policy::rate_block_ms(platform)));
                        let mut st = self.state.borrow_mut();
                        st.windows.entry(bot.to_string()).or_default().block_until(until);
                    }
                    retries += 1;
                    let delay = self.options.retry.delay(retries, self.host.random()).max(retry_after.unwrap_or(0));
                    if retries > self.options.retry.max_retries {
                        let what = if retries > 1 { "gave up after retries" } else { "failed (no retries allowed)" };
                        return Err((err(code, what), Some(retry_after)));
                    }
                    if now.saturating_add(delay).saturating_sub(start) > self.options.retry.max_total_time {
                        return Err((err(code, "no time left to retry (retryPolicy.maxTotalTime)"), Some(Some(delay))));
                    }
                    if code == ErrorCode::RateLimit && delay > self.options.max_queue_delay_ms {
                        return Err((err(code, "rate limited for longer than maxQueueDelay"), Some(Some(delay))));
                    }
                    self.host.sleep(delay).await;
                }
            }
        }
    }

    /// The URL to post to for `webhook` and its bot's id ([`target::bot_id_of_url`]),
    /// remembered per target.
    fn bot_of(&self, platform: Platform, webhook: &str) -> Result<(String, String)> {
        let key = (platform, webhook.to_string());
        if let Some(x) = self.state.borrow().bots.get(&key) {
            return Ok(x.clone());
        }
        let base = self.options.base_urls.get(&platform).map(String::as_str);
        let url = target::webhook_url(platform, webhook, base)?;
        let bot = target::bot_id_of_url(platform, &url)?;
        let mut st = self.state.borrow_mut();
        if st.bots.len() >= BOTS_HELD {
            st.bots.clear();
        }
        st.bots.insert(key, (url.clone(), bot.clone()));
        Ok((url, bot))
    }

    fn seen(&self, key: &str, now: u64) -> Option<Seen> {
        self.state.borrow().dedup.get(key, now)
    }

    /// How long an in-flight mark holds if its send never finishes (the host
    /// dropped it): the longest a delivery may take.
    fn in_flight_ttl(&self) -> u64 {
        self.options.retry.max_total_time.saturating_add(self.options.timeout_ms)
    }

    fn forget(&self, key: &str) {
        self.state.borrow_mut().dedup.forget(key);
    }

    /// Remember `key` as `s` until `exp`.
    fn mark(&self, key: &str, s: Seen, exp: u64) {
        let now = self.host.now_ms();
        self.state.borrow_mut().dedup.mark(key, s, exp, now, self.options.dedup_max_entries);
    }

    /// Rate windows and dedup entries held (memory checks).
    pub fn held(&self) -> (usize, usize) {
        let st = self.state.borrow();
        (st.windows.len(), st.dedup.len())
    }

    /// Targets whose URL and bot id are remembered (memory checks).
    pub fn targets_held(&self) -> usize {
        self.state.borrow().bots.len()
    }

    /// Forget idle rate windows (called now and then; windows are tiny).
    pub fn tidy(&self) {
        let now = self.host.now_ms();
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
pub(crate) fn plain(e: Error) -> SendError {
    let message = match &e.path {
        Some(p) if !p.is_empty() => format!("{} (at {p})", e.message),
        _ => e.message.clone(),
    };
    SendError::from(SendErrorFields { code: e.code, message, platform_code: None, platform_message: None })
}

/// The URL and body to post, and the signature they carry (to scrub from the
/// result). `text`: the payload's JSON text when the signature (if any) does
/// not go into the body; else the payload is signed and written here.
fn signed<'t>(
    platform: Platform,
    url: &str,
    payload: &Payload,
    text: Option<&'t str>,
    secret: Option<&str>,
    now: u64,
) -> Result<(String, Cow<'t, str>, Option<String>)> {
    match (secret, text) {
        (None, Some(t)) => Ok((url.to_string(), Cow::Borrowed(t), None)),
        (None, None) => Ok((url.to_string(), Cow::Owned(payload.to_text()), None)),
        (Some(s), Some(t)) => {
            // signed in the URL (or not at all): the payload is left as it is
            let (u, sig) = render::sign_request(platform, url, &mut Payload::Null, s, now)?;
            Ok((u, Cow::Borrowed(t), sig))
        }
        (Some(s), None) => {
            let mut p = payload.clone();
            let (u, sig) = render::sign_request(platform, url, &mut p, s, now)?;
            Ok((u, Cow::Owned(p.to_text()), sig))
        }
    }
}

/// What a redirect answer is reported as: the status and where it pointed
/// (credentials redacted); it is not followed.
pub(crate) fn redirect_text(status: u16, location: Option<&str>) -> String {
    match location {
        Some(l) if !l.is_empty() => format!(
            "HTTP {status} redirect to {} (redirects are not followed)",
            crate::model::clip(&target::redact_text(&target::redact_url(l)), 200)
        ),
        _ if status == 0 => "a redirect, status hidden by the host (redirects are not followed)".to_string(),
        _ => format!("HTTP {status} redirect (redirects are not followed)"),
    }
}
