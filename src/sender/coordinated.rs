//! The sender's side of a [`crate::coordinator::Coordinator`]: claiming a
//! message id, settling its outcome, taking a shared rate slot, each call
//! bounded by the per-request timeout; a failing coordinator falls back to
//! the sender's own memory, noted in the result.

use super::Sender;
use super::host::Host;
use crate::coordinator::{Claim, LocalFuture, fallback, parse_partial, windows_for};
use crate::degrade::{Degradation, Degraded};
use crate::platform::Platform;

impl<H: Host> Sender<H> {
    /// Run `f` for at most the per-request timeout (the host's timer is
    /// cleared when `f` answers first: it must not hold a process open).
    async fn bounded<'a, O>(&'a self, f: LocalFuture<'a, Result<O, String>>) -> Result<O, String> {
        let t = self.options.timeout_ms;
        match self.host.within(t, f).await {
            Some(r) => r,
            None => Err(format!("no answer within {t} ms")),
        }
    }

    pub(crate) async fn coord_claim(&self, bot: &str, message_id: Option<&str>, ttl_ms: u64) -> Claim {
        let (Some(c), Some(id)) = (self.coordinator.clone(), message_id) else { return Claim::NotUsed };
        match self.bounded(c.claim(bot, id, ttl_ms)).await {
            Ok(s) if s == "new" => Claim::Held(None),
            Ok(s) if s == "sent" || s == "pending" => Claim::Taken(s),
            Ok(s) => match parse_partial(&s) {
                Some(nm) => Claim::Held(Some(nm)),
                None => Claim::Failed(fallback("claim", &format!("it answered {}", crate::model::quote(&s, 40)))),
            },
            Err(e) => Claim::Failed(fallback("claim", &e)),
        }
    }

    /// Record the outcome of a held claim; a note when that failed.
    pub(crate) async fn coord_settle(
        &self,
        bot: &str,
        message_id: &str,
        state: &str,
        ttl_ms: u64,
    ) -> Option<Degradation> {
        let c = self.coordinator.clone()?;
        match self.bounded(c.settle(bot, message_id, state, ttl_ms)).await {
            Ok(()) => None,
            Err(e) => Some(Degradation {
                from: "coordinator".into(),
                to: "unrecorded".into(),
                reason: format!(
                    "the coordinator's settle failed ({}); the outcome {state} was not recorded",
                    crate::model::clip(&e, 120)
                ),
            }),
        }
    }

    /// Ask the coordinator for a slot for `bot` (the send's bot id) until
    /// `deadline`; each wait is told to the host's rate-wait hook, as the
    /// local window's are. `None`: no coordinator,
    /// or it failed (then `degraded` says so and the local window applies).
    /// `Some(Ok(()))`: a slot was taken. `Some(Err(wait))`: none before the deadline.
    pub(crate) async fn coord_slot(
        &self,
        platform: Platform,
        bot: &str,
        deadline: u64,
        degraded: &mut Degraded,
    ) -> Option<Result<(), u64>> {
        let c = self.coordinator.clone()?;
        let windows = windows_for(platform);
        // bounded: each round waits as long as the coordinator says
        for _ in 0..10_000 {
            let wait = match self.bounded(c.acquire(bot, &windows)).await {
                Ok(w) => w,
                Err(e) => {
                    degraded.record(fallback("acquire", &e));
                    return None;
                }
            };
            if wait == 0 {
                return Some(Ok(()));
            }
            let now = self.host.now_ms();
            if now.saturating_add(wait) > deadline {
                return Some(Err(wait));
            }
            self.host.rate_wait(platform, now.saturating_add(wait));
            self.host.sleep(wait).await;
        }
        Some(Err(1_000))
    }
}
