//! A coordinator shared by several senders (as isolates share a Durable Object):
//! one rate limit and one record per message across all of them, and a
//! coordinator that fails or hangs never loses the message.

mod common;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use common::host::{FakeHost, WECOM, block_on, text_id as text};
use webhook_push::ErrorCode;
use webhook_push::coordinator::{Coordinator, LocalFuture, bot_id, windows_for};
use webhook_push::sender::{SendResult, Sender, SenderOptions, Target};
use webhook_push::target::Platform;

/// What the relay's Durable Object does, in memory, on the platform's clock.
struct Shared {
    clock: Rc<Cell<u64>>,
    slots: RefCell<HashMap<String, Vec<u64>>>,
    records: RefCell<HashMap<(String, String), (String, u64)>>,
    calls: Cell<u32>,
    bots_seen: RefCell<Vec<String>>,
}

impl Shared {
    fn new(p: &FakeHost) -> Self {
        Shared {
            clock: p.now.clone(),
            slots: RefCell::default(),
            records: RefCell::default(),
            calls: Cell::new(0),
            bots_seen: RefCell::default(),
        }
    }
}

impl Coordinator for Shared {
    fn acquire<'b>(&'b self, bot: &'b str, windows: &'b [(usize, u64)]) -> LocalFuture<'b, Result<u64, String>> {
        Box::pin(async move {
            self.calls.set(self.calls.get() + 1);
            self.bots_seen.borrow_mut().push(bot.to_string());
            let now = self.clock.get();
            let mut slots = self.slots.borrow_mut();
            let times = slots.entry(bot.to_string()).or_default();
            let mut wait = 0;
            for &(n, w) in windows {
                let inside: Vec<u64> = times.iter().copied().filter(|&t| t + w > now).collect();
                if inside.len() >= n {
                    wait = wait.max(inside[inside.len() - n] + w - now);
                }
            }
            if wait == 0 {
                times.push(now);
            }
            Ok(wait)
        })
    }
    fn claim<'b>(&'b self, bot: &'b str, id: &'b str, ttl: u64) -> LocalFuture<'b, Result<String, String>> {
        Box::pin(async move {
            let now = self.clock.get();
            let mut r = self.records.borrow_mut();
            let key = (bot.to_string(), id.to_string());
            let current = r.get(&key).filter(|(_, exp)| *exp > now).map(|(s, _)| s.clone());
            match current.as_deref() {
                Some("sent") | Some("pending") => Ok(current.unwrap_or_default()),
                other => {
                    r.insert(key, ("pending".into(), now + ttl));
                    Ok(other.filter(|s| s.starts_with("partial:")).unwrap_or("new").to_string())
                }
            }
        })
    }
    fn settle<'b>(
        &'b self,
        bot: &'b str,
        id: &'b str,
        state: &'b str,
        ttl: u64,
    ) -> LocalFuture<'b, Result<(), String>> {
        Box::pin(async move {
            let now = self.clock.get();
            let key = (bot.to_string(), id.to_string());
            if state == "released" {
                self.records.borrow_mut().remove(&key);
            } else {
                self.records.borrow_mut().insert(key, (state.to_string(), now + ttl));
            }
            Ok(())
        })
    }
}

/// A coordinator that fails in a chosen way.
enum Broken {
    Errors,
    Hangs,
}

impl Coordinator for Broken {
    fn acquire<'b>(&'b self, _bot: &'b str, _w: &'b [(usize, u64)]) -> LocalFuture<'b, Result<u64, String>> {
        self.fail()
    }
    fn claim<'b>(&'b self, _bot: &'b str, _id: &'b str, _ttl: u64) -> LocalFuture<'b, Result<String, String>> {
        self.fail()
    }
    fn settle<'b>(&'b self, _b: &'b str, _id: &'b str, _s: &'b str, _t: u64) -> LocalFuture<'b, Result<(), String>> {
        self.fail()
    }
}

impl Broken {
    fn fail<'b, T: 'b>(&'b self) -> LocalFuture<'b, Result<T, String>> {
        match self {
            Broken::Errors => Box::pin(async { Err("storage unavailable".to_string()) }),
            Broken::Hangs => Box::pin(std::future::pending()),
        }
    }
}

/// One platform shared by every sender: a clock, and WeCom's 20 per sliding 60 s per bot.
fn platform() -> FakeHost {
    let p = FakeHost::new();
    p.enforce_window.set(true);
    p
}

fn to() -> Target {
    Target { webhook: WECOM.into(), secret: None }
}

fn senders(p: &FakeHost, n: usize, c: Option<Rc<dyn Coordinator>>) -> Vec<Sender<&FakeHost>> {
    (0..n)
        .map(|_| {
            let s = Sender::new(p, SenderOptions::default()).expect("options");
            match &c {
                Some(c) => s.with_coordinator(c.clone()),
                None => s,
            }
        })
        .collect()
}

fn burst(ss: &[Sender<&FakeHost>], n: usize) -> Vec<SendResult> {
    (0..n).map(|i| block_on(ss[i % ss.len()].send(&text(&format!("m{i}"), None), Platform::Wecom, &to()))).collect()
}

#[test]
fn without_a_coordinator_four_isolates_exceed_the_bots_limit() {
    // the control: each sender keeps only its own window, so together they go over
    let p = platform();
    let results = burst(&senders(&p, 4, None), 50);
    assert!(p.rate_errors.get() > 0, "four separate windows let more than 20 a minute through");
    assert!(results.iter().all(|r| r.success), "the platform's refusals are retried");
}

#[test]
fn with_one_coordinator_four_isolates_keep_the_bot_under_its_limit() {
    let p = platform();
    let shared = Rc::new(Shared::new(&p));
    let results = burst(&senders(&p, 4, Some(shared.clone() as Rc<dyn Coordinator>)), 50);
    assert_eq!(p.rate_errors.get(), 0, "no rate-limit answer from the platform");
    assert!(results.iter().all(|r| r.success && r.attempts == 1 && r.degraded.is_empty()));
    assert_eq!(p.delivered.borrow().len(), 50);
    assert!(shared.calls.get() >= 50, "every send asked the coordinator");
    // the coordinator sees the bot's hash, never the key
    let bots = shared.bots_seen.borrow();
    assert!(
        bots.iter().all(|b| b == &bot_id(Platform::Wecom, WECOM).unwrap() && b.len() == 38 && !b.contains("SECRET"))
    );
}

#[test]
fn a_wait_for_the_coordinators_slot_is_told_to_the_rate_wait_hook() {
    let p = platform();
    let shared = Rc::new(Shared::new(&p));
    let results = burst(&senders(&p, 2, Some(shared as Rc<dyn Coordinator>)), 25);
    assert!(results.iter().all(|r| r.success && r.degraded.is_empty()));
    // the 21st message waits for the bot's window: the CLI's progress line hears of it
    let waits = p.rate_waits.borrow();
    assert!(!waits.is_empty(), "no wait was told to the hook");
    assert!(waits.iter().all(|&(pl, w)| pl == Platform::Wecom && w > 0 && w <= 60_600), "{waits:?}");
}

#[test]
fn bot_identity_is_platform_and_credential_hashed() {
    let full = bot_id(Platform::Wecom, WECOM).unwrap();
    assert_eq!(full, bot_id(Platform::Wecom, &format!("{WECOM}&debug=1")).unwrap(), "an extra query is the same bot");
    assert_ne!(
        full,
        bot_id(Platform::DingTalk, "https://oapi.dingtalk.com/robot/send?access_token=SECRET-WECOM-KEY").unwrap()
    );
    // a URL without a credential has no bot id (the send fails before asking the coordinator)
    assert!(bot_id(Platform::Wecom, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send").is_err());
    assert!(full.starts_with("wecom:") && full[6..].chars().all(|c| c.is_ascii_hexdigit()) && full.len() == 38);
    // the windows it is asked about are the platform's, with the shared margin (100 ms on 1 s)
    assert_eq!(windows_for(Platform::Wecom), vec![(20, 60_600)]);
    assert_eq!(windows_for(Platform::Feishu), vec![(5, 1_100), (100, 60_600)]);
}

#[test]
fn a_message_id_goes_out_once_across_isolates() {
    let p = platform();
    let shared = Rc::new(Shared::new(&p));
    let ss = senders(&p, 2, Some(shared as Rc<dyn Coordinator>));
    let first = block_on(ss[0].send(&text("once", Some("alert-1")), Platform::Wecom, &to()));
    assert!(first.success);
    let second = block_on(ss[1].send(&text("once", Some("alert-1")), Platform::Wecom, &to()));
    assert!(!second.success);
    assert_eq!(second.error.as_ref().map(|e| e.code), Some(ErrorCode::Duplicate));
    assert_eq!(p.delivered.borrow().len(), 1);
}

#[test]
fn a_failed_send_releases_its_claim() {
    let p = platform();
    let shared = Rc::new(Shared::new(&p));
    let ss = senders(&p, 2, Some(shared as Rc<dyn Coordinator>));
    p.refuse.set(true);
    let r = block_on(ss[0].send(&text("x", Some("alert-2")), Platform::Wecom, &to()));
    assert!(!r.success);
    assert_ne!(r.error.as_ref().map(|e| e.code), Some(ErrorCode::Duplicate));
    p.refuse.set(false);
    let again = block_on(ss[1].send(&text("x", Some("alert-2")), Platform::Wecom, &to()));
    assert!(again.success, "released: another isolate may send it: {:?}", again.error);
}

#[test]
fn a_recorded_partial_send_resumes_with_the_rest() {
    let p = platform();
    let shared = Rc::new(Shared::new(&p));
    let long: String = (0..400).map(|i| format!("line {i} of a long alert\n")).collect();
    let msg = text(&long, Some("alert-3"));
    let bot = bot_id(Platform::Wecom, WECOM).unwrap();
    // another isolate delivered the first of the parts, then failed
    let parts = {
        let s = Sender::new(&p, SenderOptions::default()).expect("options");
        let r = block_on(s.send(&msg, Platform::Wecom, &to()));
        p.delivered.borrow_mut().clear();
        r.parts
    };
    assert!(parts >= 3, "the message splits: {parts}");
    block_on(shared.settle(&bot, "alert-3", &format!("partial:1/{parts}"), 60_000)).expect("settle");
    let ss = senders(&p, 1, Some(shared.clone() as Rc<dyn Coordinator>));
    let r = block_on(ss[0].send(&msg, Platform::Wecom, &to()));
    assert!(r.success);
    assert_eq!(r.parts_delivered, parts);
    assert_eq!(p.delivered.borrow().len(), parts - 1, "only the parts not yet delivered");
    assert_eq!(block_on(shared.claim(&bot, "alert-3", 1000)).as_deref(), Ok("sent"));
}

#[test]
fn a_failing_or_hanging_coordinator_falls_back_and_says_so() {
    for broken in [Broken::Errors, Broken::Hangs] {
        let p = platform();
        let c: Rc<dyn Coordinator> = Rc::new(broken);
        let s =
            Sender::new(&p, SenderOptions { timeout_ms: 2_000, ..Default::default() }).expect("o").with_coordinator(c);
        let start = p.now.get();
        let r = block_on(s.send(&text("still goes", Some("alert-4")), Platform::Wecom, &to()));
        assert!(r.success, "{:?}", r.error);
        assert_eq!(p.delivered.borrow().len(), 1);
        let notes: Vec<_> = r.degraded.iter().filter(|d| d.from == "coordinator").collect();
        assert!(notes.iter().any(|d| d.to == "local"), "{:?}", r.degraded);
        assert!(notes.iter().all(|d| !d.reason.contains("SECRET")));
        // each call waited at most the timeout (claim, acquire, settle)
        assert!(p.now.get() - start <= 3 * 2_000, "{}", p.now.get() - start);
        // the local dedup memory took over: a second send of the id is a duplicate
        let again = block_on(s.send(&text("still goes", Some("alert-4")), Platform::Wecom, &to()));
        assert_eq!(again.error.as_ref().map(|e| e.code), Some(ErrorCode::Duplicate));
    }
}

#[test]
fn a_coordinator_that_says_wait_too_long_gives_rate_limit() {
    let p = platform();
    let shared = Rc::new(Shared::new(&p));
    let opts = SenderOptions { max_queue_delay_ms: 5_000, ..Default::default() };
    let ss: Vec<_> = (0..2)
        .map(|_| Sender::new(&p, opts.clone()).expect("o").with_coordinator(shared.clone() as Rc<dyn Coordinator>))
        .collect();
    for i in 0..20 {
        assert!(block_on(ss[i % 2].send(&text(&format!("{i}"), None), Platform::Wecom, &to())).success);
    }
    let r = block_on(ss[0].send(&text("21st", None), Platform::Wecom, &to()));
    assert_eq!(r.error.as_ref().map(|e| e.code), Some(ErrorCode::RateLimit));
    assert!(r.retry_suggested && r.retry_after.is_some_and(|w| w > 50_000), "{:?}", r.retry_after);
    assert_eq!(p.delivered.borrow().len(), 20);
}
