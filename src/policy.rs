//! Delivery policy, pure (time is passed in): the retry schedule, what a
//! platform's answer means, and per-bot rate windows.

use std::collections::VecDeque;

use serde_json::Value;

use crate::error::{Error, ErrorCode, Result};
use crate::platform::Platform;
use crate::platform::spec::CodeMeaning;

/// Retries with exponential backoff and jitter (milliseconds, as the seed writes them).
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    pub initial_delay: u64,
    pub max_delay: u64,
    pub backoff_multiplier: f64,
    /// Jitter as a fraction of the delay: 0.2 = ±10 %.
    pub jitter: f64,
    /// A bound on the whole delivery, waits included; no retry starts after it.
    pub max_total_time: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            initial_delay: 1000,
            max_delay: 30_000,
            backoff_multiplier: 2.0,
            jitter: 0.2,
            max_total_time: 180_000,
        }
    }
}

impl RetryPolicy {
    pub fn validate(&self) -> Result<()> {
        let ok = self.backoff_multiplier.is_finite()
            && self.backoff_multiplier >= 1.0
            && self.jitter.is_finite()
            && (0.0..=1.0).contains(&self.jitter)
            && self.max_retries <= 100
            && self.initial_delay <= self.max_delay
            && self.max_delay <= 3_600_000;
        if ok {
            Ok(())
        } else {
            Err(Error::config("retryPolicy: maxRetries 0-100, delays 0-3600000 ms, backoffMultiplier >= 1, jitter 0-1"))
        }
    }

    /// The wait before retry number `retry` (1-based); `rand` in [0, 1).
    pub fn delay(&self, retry: u32, rand: f64) -> u64 {
        let exp = self.backoff_multiplier.powi(retry.saturating_sub(1).min(64) as i32);
        let base = (self.initial_delay as f64 * exp).min(self.max_delay as f64);
        let spread = self.jitter * (rand.clamp(0.0, 1.0) - 0.5);
        (base * (1.0 + spread)).max(0.0).min(self.max_delay as f64) as u64
    }
}

/// What an answer means for the sender.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Delivered,
    /// Worth trying again, after `retry_after` ms when the platform said.
    Retry {
        code: ErrorCode,
        retry_after: Option<u64>,
    },
    /// The signature or its timestamp was refused: sign again and retry once.
    Resign,
    /// Trying again will not help.
    Permanent {
        code: ErrorCode,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Classified {
    pub verdict: Verdict,
    pub platform_code: Option<i64>,
    pub platform_message: Option<String>,
}

/// The longest `Retry-After` honoured, seconds.
pub const MAX_RETRY_AFTER_S: u64 = 3600;

/// How long the platform blocks a bot after its rate limit is hit.
pub fn rate_block_ms(p: Platform) -> u64 {
    p.spec().rate_block_ms()
}

/// Classify an HTTP answer: the status, the body (all three platforms answer
/// 200 when they refuse) and a `Retry-After` header if any.
pub fn classify(p: Platform, status: u16, body: &str, retry_after_header: Option<&str>) -> Classified {
    // seconds, at most an hour: a larger or absurd value is a broken proxy, not a plan
    let retry_after =
        retry_after_header.and_then(|h| h.trim().parse::<u64>().ok()).map(|s| s.min(MAX_RETRY_AFTER_S) * 1000);
    let json: Option<Value> = crate::json::parse(body).ok();
    let (code, msg) = match &json {
        Some(v) => {
            let fields = p.spec().answer_fields();
            let code = fields.code.iter().find_map(|k| v.get(*k)).and_then(Value::as_i64);
            let msg = fields
                .message
                .iter()
                .find_map(|k| v.get(*k))
                .and_then(Value::as_str)
                .map(|s| crate::model::clip(s, 300));
            (code, msg)
        }
        None => (None, None),
    };
    // an answer that is not the platform's: its status and what kind of body came
    // back, never the body's text (a proxy's page may quote the request's URL)
    let msg = match (code, msg) {
        (None, None) => Some(format!("HTTP {status}, {}", body_kind(json.is_some(), body))),
        (_, m) => m,
    };
    let verdict = |v: Verdict| Classified { verdict: v, platform_code: code, platform_message: msg.clone() };
    if status == 429 {
        return verdict(Verdict::Retry {
            code: ErrorCode::RateLimit,
            retry_after: retry_after.or(Some(rate_block_ms(p))),
        });
    }
    if status >= 500 {
        // the platform (or a proxy in front of it) answered: an error on its side
        return verdict(Verdict::Retry { code: ErrorCode::PlatformError, retry_after });
    }
    if status == 408 {
        return verdict(Verdict::Retry { code: ErrorCode::Timeout, retry_after });
    }
    if !(200..300).contains(&status) {
        // a rate limit the platform answers with a 4xx and its own code (Feishu's 9499)
        let m = msg.as_deref().unwrap_or("").to_ascii_lowercase();
        if let Some(CodeMeaning::RateLimited { honours_retry_after }) = code.map(|c| p.spec().code_meaning(c, &m)) {
            let wait = if honours_retry_after { retry_after.unwrap_or(rate_block_ms(p)) } else { rate_block_ms(p) };
            return verdict(Verdict::Retry { code: ErrorCode::RateLimit, retry_after: Some(wait) });
        }
        return verdict(Verdict::Permanent { code: ErrorCode::PlatformError });
    }
    let Some(code) = code else {
        // 2xx with a body that is not the platform's answer: the request may
        // or may not have been taken; a proxy error page is the usual cause.
        return verdict(Verdict::Retry { code: ErrorCode::PlatformError, retry_after });
    };
    if code == 0 {
        return verdict(Verdict::Delivered);
    }
    let m = msg.as_deref().unwrap_or("").to_ascii_lowercase();
    let v = match code {
        -1 => Verdict::Retry { code: ErrorCode::PlatformError, retry_after },
        _ => match p.spec().code_meaning(code, &m) {
            CodeMeaning::RateLimited { honours_retry_after } => {
                let block = rate_block_ms(p);
                let wait = if honours_retry_after { retry_after.unwrap_or(block) } else { block };
                Verdict::Retry { code: ErrorCode::RateLimit, retry_after: Some(wait) }
            }
            CodeMeaning::Resign => Verdict::Resign,
            CodeMeaning::Refused => Verdict::Permanent { code: ErrorCode::PlatformError },
        },
    };
    verdict(v)
}

/// What kind of body an answer that is not the platform's had: its kind and size only.
fn body_kind(is_json: bool, body: &str) -> String {
    let n = body.len();
    let t = body.trim_start();
    if t.is_empty() {
        "an empty body, not the platform's JSON".to_string()
    } else if is_json {
        format!("a JSON body of {n} bytes without the platform's code")
    } else if t.starts_with('<') {
        format!("an HTML body of {n} bytes, not the platform's JSON")
    } else {
        format!("a body of {n} bytes that is not JSON")
    }
}

/// The documented rate limits: (count, window ms) pairs, all of which hold.
pub fn rate_limits(p: Platform) -> &'static [(usize, u64)] {
    p.spec().rate_limits()
}

/// Safety margin added to each local window. A slot moves to when its request
/// completed ([`RateWindow::settle`]), which is no earlier than the platform
/// counted its arrival, so the windows already hold as the platform counts
/// them, in real time. What is left to cover: whole-millisecond clocks (ours
/// truncates the completion, the platform's its stamp: under 2 ms together);
/// a timer firing early costs nothing (a slot is taken only when `take` finds
/// one at the clock's reading, else the sender sleeps again); and the
/// platform's stamps coming from more than one clock (its front ends), which
/// no fixed margin bounds: 10 ms leaves 8 ms for that
/// (`windows_hold_on_whole_ms_clocks_with_platform_stamps_8_ms_apart`). On
/// long windows, 1 % for a drifting clock. 10 ms on a 1 s window (Feishu's
/// 5/s): a burst of 50 takes 9 s + 9 × 10 ms of pacing (bench/LEVERS.md, "The
/// rate window's margin"); it was 20 ms, and 100 ms before that.
pub(crate) fn margin(window: u64) -> u64 {
    (window / 100).max(10)
}

/// The margin of the coordinator's shared windows: its grants are never
/// settled to a completion time (another instance's request may reach the
/// platform later than this one's by its own network path), so they keep the
/// wider floor of 100 ms.
pub(crate) fn shared_margin(window: u64) -> u64 {
    (window / 100).max(100)
}

/// A bot's sliding windows. A request takes a slot only when every window has
/// room now (nothing is reserved ahead: a platform counts arrivals, which lag
/// sends under load, so a slot computed in advance can be wrong by the time it
/// comes); a request that finds none sleeps until the earliest time one may
/// be free and asks again. Each slot moves to when its request completed
/// ([`RateWindow::settle`]): it arrived no later than that.
#[derive(Clone, Debug, Default)]
pub struct RateWindow {
    /// Reserved send times, ascending.
    times: VecDeque<u64>,
    /// No send before this (the platform said the bot is limited).
    blocked_until: u64,
}

impl RateWindow {
    /// The earliest time, at or after `now`, a new send may go.
    pub fn next_slot(&self, limits: &[(usize, u64)], now: u64) -> u64 {
        let mut t = now.max(self.blocked_until);
        for &(n, w) in limits {
            if n > 0 && self.times.len() >= n {
                let nth_last = self.times[self.times.len() - n];
                t = t.max(nth_last.saturating_add(w + margin(w)));
            }
        }
        t
    }

    /// Take a slot now when every window has room: `Ok(now)`. Otherwise
    /// `Err(t)`, the earliest time one may be free; nothing is taken.
    pub fn take(&mut self, limits: &[(usize, u64)], now: u64) -> std::result::Result<u64, u64> {
        let t = self.next_slot(limits, now);
        if t > now {
            return Err(t);
        }
        let at = self.times.iter().rposition(|&x| x <= now).map_or(0, |j| j + 1);
        self.times.insert(at, now);
        let longest = limits.iter().map(|&(_, w)| w + margin(w)).max().unwrap_or(0);
        let keep = limits.iter().map(|&(n, _)| n).max().unwrap_or(0);
        while self.times.len() > keep && self.times.front().is_some_and(|&f| f.saturating_add(longest) < now) {
            self.times.pop_front();
        }
        Ok(now)
    }

    /// The request sent in the slot `reserved` completed at `done`: it reached
    /// the platform no later than that, and the platform counts at arrival. A
    /// slow first request (a cold TLS connection) must not let a later, fast
    /// one land inside its window.
    pub fn settle(&mut self, reserved: u64, done: u64) {
        if done <= reserved {
            return;
        }
        if let Some(i) = self.times.iter().rposition(|&t| t == reserved) {
            self.times.remove(i);
            let at = self.times.iter().rposition(|&t| t <= done).map_or(0, |j| j + 1);
            self.times.insert(at, done);
        }
    }

    /// The platform said the bot is over its limit: nothing before `until`.
    pub fn block_until(&mut self, until: u64) {
        self.blocked_until = self.blocked_until.max(until);
    }

    pub fn is_idle(&self, now: u64, limits: &[(usize, u64)]) -> bool {
        let longest = limits.iter().map(|&(_, w)| w + margin(w)).max().unwrap_or(0);
        self.blocked_until <= now && self.times.back().is_none_or(|&t| t.saturating_add(longest) < now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_caps_and_jitters() {
        let p = RetryPolicy { jitter: 0.0, ..Default::default() };
        assert_eq!([p.delay(1, 0.5), p.delay(2, 0.5), p.delay(3, 0.5)], [1000, 2000, 4000]);
        assert_eq!(p.delay(10, 0.5), 30_000);
        let j = RetryPolicy { jitter: 0.2, ..Default::default() };
        assert_eq!(j.delay(1, 0.0), 900);
        assert_eq!(j.delay(1, 0.999_999), 1099);
        assert!(RetryPolicy { backoff_multiplier: f64::NAN, ..Default::default() }.validate().is_err());
    }

    #[test]
    fn classifies_each_platforms_answers() {
        use ErrorCode::*;
        let c = |p, s, b: &str| classify(p, s, b, None).verdict;
        assert_eq!(c(Platform::Wecom, 200, r#"{"errcode":0,"errmsg":"ok"}"#), Verdict::Delivered);
        assert_eq!(c(Platform::Feishu, 200, r#"{"code":0,"msg":"success","data":{}}"#), Verdict::Delivered);
        assert_eq!(c(Platform::Feishu, 200, r#"{"StatusCode":0,"StatusMessage":"success"}"#), Verdict::Delivered);
        assert!(matches!(c(Platform::Wecom, 200, r#"{"errcode":-1,"errmsg":"system busy"}"#), Verdict::Retry { .. }));
        assert_eq!(
            c(Platform::Wecom, 200, r#"{"errcode":45009,"errmsg":"api freq out of limit"}"#),
            Verdict::Retry { code: RateLimit, retry_after: Some(60_000) }
        );
        assert!(matches!(
            c(Platform::DingTalk, 200, r#"{"errcode":130101,"errmsg":"send too fast"}"#),
            Verdict::Retry { code: RateLimit, .. }
        ));
        assert!(matches!(
            c(Platform::Lark, 200, r#"{"code":11232,"msg":"frequency limited psm"}"#),
            Verdict::Retry { code: RateLimit, .. }
        ));
        // a rate-limit code is a rate limit under a 4xx status too, on every platform (Feishu
        // answers its limit as HTTP 400 9499 "too many request"); 9499's other messages are refusals
        assert_eq!(
            c(Platform::Wecom, 400, r#"{"errcode":45009,"errmsg":"api freq out of limit"}"#),
            Verdict::Retry { code: RateLimit, retry_after: Some(60_000) }
        );
        assert!(matches!(
            c(Platform::DingTalk, 403, r#"{"errcode":130101,"errmsg":"send too fast"}"#),
            Verdict::Retry { code: RateLimit, .. }
        ));
        assert!(matches!(
            c(Platform::Feishu, 400, r#"{"code":9499,"msg":"Too Many Request"}"#),
            Verdict::Retry { code: RateLimit, .. }
        ));
        assert_eq!(
            c(Platform::Feishu, 400, r#"{"code":9499,"msg":"Bad Request"}"#),
            Verdict::Permanent { code: PlatformError }
        );
        assert_eq!(
            c(Platform::Feishu, 200, r#"{"code":9499,"msg":"Bad Request"}"#),
            Verdict::Permanent { code: PlatformError }
        );
        // a 4xx whose code asks to sign again stays a refusal (the platforms answer those with 200)
        assert_eq!(
            c(
                Platform::Feishu,
                400,
                r#"{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}"#
            ),
            Verdict::Permanent { code: PlatformError }
        );
        assert_eq!(c(Platform::DingTalk, 200, r#"{"errcode":310000,"errmsg":"invalid timestamp"}"#), Verdict::Resign);
        assert_eq!(c(Platform::Feishu, 200, r#"{"code":19021,"msg":"sign match fail"}"#), Verdict::Resign);
        for (p, body) in [
            (Platform::DingTalk, r#"{"errcode":310000,"errmsg":"keywords not in content"}"#),
            (Platform::DingTalk, r#"{"errcode":310000,"errmsg":"sign not match"}"#),
            (Platform::Wecom, r#"{"errcode":40058,"errmsg":"invalid"}"#),
            (Platform::Wecom, r#"{"errcode":93000,"errmsg":"invalid webhook url"}"#),
            (Platform::Feishu, r#"{"code":9499,"msg":"Bad Request"}"#),
            (Platform::Feishu, r#"{"code":19024,"msg":"Key Words Not Found"}"#),
        ] {
            assert_eq!(c(p, 200, body), Verdict::Permanent { code: PlatformError }, "{body}");
        }
        assert!(matches!(c(Platform::Wecom, 503, "<html>"), Verdict::Retry { code: PlatformError, .. }));
        assert_eq!(
            classify(Platform::Wecom, 429, "", Some("7")).verdict,
            Verdict::Retry { code: RateLimit, retry_after: Some(7000) }
        );
        assert_eq!(c(Platform::Wecom, 404, "nope"), Verdict::Permanent { code: PlatformError });
        assert!(matches!(c(Platform::Wecom, 200, "not json"), Verdict::Retry { .. }));
        let full = classify(Platform::Wecom, 200, r#"{"errcode":40058,"errmsg":"too long"}"#, None);
        assert_eq!((full.platform_code, full.platform_message.as_deref()), (Some(40058), Some("too long")));
    }

    /// Send `count` requests as fast as the window lets, each landing
    /// `latency(i)` ms after it is sent; the arrival times.
    fn burst(p: Platform, count: usize, latency: impl Fn(usize) -> u64) -> Vec<u64> {
        let limits = rate_limits(p);
        let mut w = RateWindow::default();
        let mut now = 0;
        let mut arrivals = Vec::new();
        for i in 0..count {
            let at = loop {
                match w.take(limits, now) {
                    Ok(at) => break at,
                    Err(t) => now = t,
                }
            };
            let landed = at + latency(i);
            w.settle(at, landed);
            arrivals.push(landed);
        }
        arrivals
    }

    fn max_in_window(times: &[u64], w: u64) -> usize {
        times.iter().map(|&t| times.iter().filter(|&&u| u >= t && u < t + w).count()).max().unwrap_or(0)
    }

    #[test]
    fn a_burst_is_spread_to_keep_every_window() {
        let arrivals = burst(Platform::Wecom, 50, |_| 0);
        assert!(arrivals[..20].iter().all(|&t| t == 0));
        assert_eq!(arrivals[20], 60_600);
        assert_eq!(arrivals[40], 121_200);
        assert!(max_in_window(&arrivals, 60_000) <= 20);
        // slow and uneven arrivals (a loaded machine): still never 21 in a minute
        let arrivals = burst(Platform::DingTalk, 50, |i| [900, 20, 1500, 5][i % 4]);
        assert!(max_in_window(&arrivals, 60_000) <= 20);
    }

    #[test]
    fn feishu_keeps_both_windows() {
        let arrivals = burst(Platform::Feishu, 120, |i| (i as u64 * 37) % 300);
        assert!(max_in_window(&arrivals, 1_000) <= 5);
        assert!(max_in_window(&arrivals, 60_000) <= 100);
        // instant answers: five a second, each group 1 s + the 10 ms margin after the last
        let arrivals = burst(Platform::Feishu, 50, |_| 0);
        assert_eq!((arrivals[4], arrivals[5], arrivals[45]), (0, 1_010, 9 * 1_010));
        assert!(max_in_window(&arrivals, 1_000) <= 5);
        assert!(max_in_window(&arrivals, 60_000) <= 100);
    }

    /// Real time in µs. The sender reads a whole-millisecond clock (truncated)
    /// and its timer fires exactly when asked; a request of the first, third…
    /// group of five lands 999 µs after it is sent, one of the second, fourth…
    /// 1 µs after, and completes as it lands (the completion is what the window
    /// counts from, truncated: 999 µs lost). The platform stamps arrivals in
    /// whole ms on two clocks just over 8 ms apart, the earlier groups' the
    /// late one, each of their stamps on a whole ms. Every 1 s window of the
    /// stamps still holds at most 5 (with a margin under 9 ms it does not).
    #[test]
    fn windows_hold_on_whole_ms_clocks_with_platform_stamps_8_ms_apart() {
        let limits = rate_limits(Platform::Feishu);
        let mut w = RateWindow::default();
        let mut real: u64 = 0;
        let mut stamps = Vec::new();
        for i in 0..60 {
            let later_group = (i / 5) % 2 == 1;
            let at = loop {
                match w.take(limits, real / 1000) {
                    Ok(at) => break at,
                    Err(t) => real = t * 1000,
                }
            };
            let arrival = real + if later_group { 1 } else { 999 };
            w.settle(at, arrival / 1000);
            stamps.push((arrival + if later_group { 0 } else { 8_001 }) / 1000);
        }
        assert!(max_in_window(&stamps, 1_000) <= 5, "{stamps:?}");
        assert!(max_in_window(&stamps, 60_000) <= 100);
    }

    #[test]
    fn settling_at_arrival_keeps_the_window_after_a_slow_first_request() {
        let limits = rate_limits(Platform::DingTalk);
        let mut w = RateWindow::default();
        let first = w.take(limits, 0).unwrap();
        w.settle(first, 1_000); // a cold connection: it arrived 1 s later
        for _ in 1..20 {
            let t = w.take(limits, 1_000).unwrap();
            w.settle(t, t + 10);
        }
        // the 21st may not arrive within 60 s of the first ARRIVAL
        assert!(w.next_slot(limits, 1_000) >= 61_000);
        assert!(
            classify(Platform::Wecom, 503, "", Some("18446744073709551615")).verdict
                == Verdict::Retry { code: ErrorCode::PlatformError, retry_after: Some(3_600_000) }
        );
    }

    #[test]
    fn no_slot_means_nothing_taken_and_when_to_ask_again() {
        let limits = rate_limits(Platform::DingTalk);
        let mut w = RateWindow::default();
        for _ in 0..20 {
            w.take(limits, 1000).unwrap();
        }
        assert_eq!(w.take(limits, 1000), Err(61_600));
        assert_eq!(w.take(limits, 61_600), Ok(61_600));
        w.block_until(700_000);
        assert_eq!(w.next_slot(limits, 62_000), 700_000);
    }
}
