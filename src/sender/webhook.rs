//! The send loop of a target configured per target (the generic webhook):
//! the target's own request ([`crate::webhook::render`], made again for each
//! attempt so `{{timestamp}}` and signatures are fresh), its own answer check
//! ([`crate::webhook::check_response`]), its retry policy and rate limit.
//! Rate windows and dedup records are keyed by the target's bot id (a hash of
//! its URL). Everything shown is scrubbed of the URL's credentials, the
//! secret, credential header values and every signature made.

use super::dedup::{Seen, dedup_key};
use super::host::{Host, HttpError, HttpRequest};
use super::result::{SendError, SendErrorFields, SendResult};
use super::scrub::Scrub;
use super::{Sender, plain, redirect_text};
use crate::error::ErrorCode;
use crate::platform::Platform;
use crate::policy::{Classified, Verdict};
use crate::webhook::{self, Message, WebhookConfig};

type Failure = (SendError, Option<Option<u64>>);

/// The parts of a target's URL its redaction hides (credential query values
/// and path segments): a receiver's answer or a runtime's error may echo them alone.
fn url_credentials(url: &str) -> Vec<String> {
    let shown = crate::target::redact_url(url);
    let without_fragment = url.split('#').next().unwrap_or(url);
    let (path, query) = without_fragment.split_once('?').unwrap_or((without_fragment, ""));
    let values = query.split('&').filter_map(|kv| kv.split_once('=').map(|(_, v)| v));
    let segments = path.split('/').skip(3);
    values.chain(segments).filter(|v| v.len() >= 4 && !shown.contains(*v)).map(str::to_string).collect()
}

fn error(code: ErrorCode, message: String) -> SendError {
    SendError::from(SendErrorFields { code, message, platform_code: None, platform_message: None })
}

impl<H: Host> Sender<H> {
    /// Send one message to a generic webhook target. Never fails: a failure
    /// is in the result (`platform` is `webhook`).
    pub async fn send_webhook(&self, msg: &Message, cfg: &WebhookConfig) -> SendResult {
        let start = self.host.now_ms();
        let platform = Platform::Webhook;
        if !cfg.enabled {
            let e = error(
                ErrorCode::InvalidConfig,
                "this webhook target is disabled (enabled: false); nothing was sent".into(),
            );
            return self.failed(self.result(platform, Some(&msg.parsed), start), e, None);
        }
        let bot = crate::platform::webhook::bot_id(cfg);
        let message_id = msg.parsed.metadata.message_id.as_deref();
        let key = message_id.map(|id| dedup_key(id, &bot));
        if let Some(k) = &key {
            let local = self.seen(k, start);
            if local.is_none() {
                self.mark(k, Seen::InFlight, start.saturating_add(self.in_flight_ttl()));
            }
            let seen = match local {
                Some(s) => Some(s),
                None => self.host.store_get(k).await.map(|v| Seen::from_stored(&v)),
            };
            if matches!(seen, Some(Seen::Delivered | Seen::InFlight)) {
                if local.is_none() {
                    self.forget(k);
                }
                let e = error(
                    ErrorCode::Duplicate,
                    "this message_id was already delivered to this target (or is being sent); nothing was sent".into(),
                );
                return self.failed(self.result(platform, Some(&msg.parsed), start), e, None);
            }
        }
        let mut attempts = 0u32;
        let mut secrets = cfg.secrets();
        secrets.extend(url_credentials(cfg.url()));
        let outcome = self.webhook_attempts(msg, cfg, &bot, start, &mut attempts, &mut secrets).await;
        let mut r = self.result(platform, Some(&msg.parsed), start);
        r.attempts = attempts;
        r.parts = 1;
        match outcome {
            Ok(()) => {
                r.success = true;
                r.parts_delivered = 1;
                if let Some(k) = &key {
                    self.mark(k, Seen::Delivered, self.host.now_ms().saturating_add(self.options.dedup_ttl_ms));
                    self.host.store_put(k, &Seen::Delivered.stored(), self.options.dedup_ttl_ms).await;
                }
                r
            }
            Err((mut e, retry)) => {
                if let Some(k) = &key {
                    self.forget(k);
                }
                let scrub = Scrub { url: cfg.url(), secret: None, signatures: &secrets };
                e.message = scrub.text(&e.message);
                e.platform_message = e.platform_message.take().map(|m| scrub.text(&m));
                self.failed(r, e, retry)
            }
        }
    }

    async fn webhook_attempts(
        &self,
        msg: &Message,
        cfg: &WebhookConfig,
        bot: &str,
        start: u64,
        attempts: &mut u32,
        secrets: &mut Vec<String>,
    ) -> Result<(), Failure> {
        let policy = &cfg.retry;
        let limits = cfg.rate_limits();
        let mut retries = 0u32;
        loop {
            let slot = self.webhook_slot(&limits, bot, start, policy.max_total_time).await?;
            let now = self.host.now_ms();
            let req = webhook::render(msg, cfg, now).map_err(|e| (plain(e), None))?;
            for s in req.secrets() {
                if !secrets.contains(s) {
                    secrets.push(s.clone());
                }
            }
            *attempts += 1;
            let http =
                HttpRequest { method: req.method.as_str(), url: &req.url, headers: &req.headers, body: &req.body };
            let answer = self.host.request(http, webhook::MAX_RESPONSE_BYTES, cfg.timeout_ms).await;
            if let Some(at) = slot {
                let done = self.host.now_ms();
                if let Some(w) = self.state.borrow_mut().windows.get_mut(bot) {
                    w.settle(at, done);
                }
            }
            let c = match answer {
                Ok(resp) => webhook::check_response(
                    cfg,
                    resp.status,
                    resp.retry_after.as_deref(),
                    &resp.body,
                    self.host.now_ms(),
                    req.secrets(),
                ),
                Err(HttpError::Timeout) => Classified {
                    verdict: Verdict::Retry { code: ErrorCode::Timeout, retry_after: None },
                    platform_code: None,
                    platform_message: Some(format!("no answer within {} ms", cfg.timeout_ms)),
                },
                Err(HttpError::Network(m)) => Classified {
                    verdict: Verdict::Retry { code: ErrorCode::NetworkError, retry_after: None },
                    platform_code: None,
                    platform_message: Some(m),
                },
                Err(HttpError::Redirect { status, location }) => Classified {
                    verdict: Verdict::Permanent { code: ErrorCode::PlatformError },
                    platform_code: None,
                    platform_message: Some(redirect_text(status, location.as_deref())),
                },
            };
            let err = |code: ErrorCode, what: &str| {
                SendError::from(SendErrorFields {
                    code,
                    message: match &c.platform_message {
                        Some(pm) => format!("{what}: {pm}"),
                        None => what.to_string(),
                    },
                    platform_code: c.platform_code,
                    platform_message: c.platform_message.clone(),
                })
            };
            match c.verdict {
                Verdict::Delivered => return Ok(()),
                // the target's check has no re-sign verdict; were it given, it is final
                Verdict::Resign => return Err((err(ErrorCode::PlatformError, "refused"), None)),
                Verdict::Permanent { code } => return Err((err(code, "refused"), None)),
                Verdict::Retry { code, retry_after } => {
                    let now = self.host.now_ms();
                    if code == ErrorCode::RateLimit {
                        let until = now.saturating_add(retry_after.unwrap_or(1000));
                        self.state.borrow_mut().windows.entry(bot.to_string()).or_default().block_until(until);
                    }
                    retries += 1;
                    if retries > policy.max_retries {
                        let what = if retries > 1 { "gave up after retries" } else { "failed (no retries allowed)" };
                        return Err((err(code, what), Some(retry_after)));
                    }
                    let delay = policy.delay(retries, self.host.random()).max(retry_after.unwrap_or(0));
                    if now.saturating_add(delay).saturating_sub(start) > policy.max_total_time {
                        return Err((err(code, "no time left to retry"), Some(Some(delay))));
                    }
                    self.host.sleep(delay).await;
                }
            }
        }
    }

    /// A slot in the target's own rate window, when it has one and rate
    /// limiting is on: `Ok(Some(t))` a slot taken at `t`, to settle.
    async fn webhook_slot(
        &self,
        limits: &[(usize, u64)],
        bot: &str,
        start: u64,
        max_total_time: u64,
    ) -> Result<Option<u64>, Failure> {
        if !self.options.rate_limit || limits.is_empty() {
            return Ok(None);
        }
        let now = self.host.now_ms();
        let left = max_total_time.saturating_sub(now.saturating_sub(start));
        let max_wait = self.options.max_queue_delay_ms.min(left);
        let deadline = now.saturating_add(max_wait);
        // bounded: each round sleeps until a slot may be free
        for _ in 0..10_000 {
            let now = self.host.now_ms();
            let taken = self.state.borrow_mut().windows.entry(bot.to_string()).or_default().take(limits, now);
            match taken {
                Ok(at) => return Ok(Some(at)),
                Err(free) if free <= deadline => {
                    self.host.rate_wait(Platform::Webhook, free);
                    self.host.sleep(free - now).await
                }
                Err(free) => {
                    let wait = free.saturating_sub(now);
                    let e = error(
                        ErrorCode::RateLimit,
                        format!("the target's rateLimit leaves no slot within {max_wait} ms; next slot in {wait} ms"),
                    );
                    return Err((e, Some(Some(wait))));
                }
            }
        }
        Ok(None)
    }
}
