//! The sender's own dedup table: which message ids this sender has sent (or
//! is sending, or sent in part) to which bot, until when. Bounded in entries;
//! expired entries go as new ones come. A shared store (the host's) or a
//! coordinator extends it across isolates; this table is the local memory.

use std::collections::{HashMap, VecDeque};

use sha2::{Digest, Sha256};

/// What is known of a message id for a bot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Seen {
    InFlight,
    /// The first N of M parts of a split message went out; a re-send sends the rest.
    Partial(usize, usize),
    Delivered,
}

impl Seen {
    /// The value kept in a shared store: `done` or `partial:N/M`.
    pub(crate) fn stored(self) -> String {
        match self {
            Seen::Partial(n, m) => format!("partial:{n}/{m}"),
            _ => "done".to_string(),
        }
    }

    pub(crate) fn from_stored(v: &str) -> Seen {
        let nm = v.strip_prefix("partial:").and_then(|nm| nm.split_once('/'));
        match nm.and_then(|(n, m)| Some((n.parse().ok()?, m.parse().ok()?))) {
            Some((n, m)) => Seen::Partial(n, m),
            None => Seen::Delivered,
        }
    }
}

/// The dedup key: the message id and the bot's identity (a hash, never the
/// URL or its credential: it may go to a shared store).
pub(crate) fn dedup_key(id: &str, bot: &str) -> String {
    let h = Sha256::digest(bot.as_bytes());
    format!("webhook-push:{}:{id}", crate::sign::hex(&h[..8]))
}

/// Keys and what is known of them, oldest first.
#[derive(Default)]
pub(crate) struct DedupTable {
    entries: HashMap<String, (Seen, u64)>,
    order: VecDeque<String>,
}

impl DedupTable {
    /// What is known of `key` at `now`, unless expired.
    pub(crate) fn get(&self, key: &str, now: u64) -> Option<Seen> {
        self.entries.get(key).filter(|&&(_, exp)| exp > now).map(|&(s, _)| s)
    }

    pub(crate) fn forget(&mut self, key: &str) {
        if self.entries.remove(key).is_some() {
            self.order.retain(|k| k != key);
        }
    }

    /// Remember `key` as `s` until `exp`, keeping at most `max_entries` (at
    /// least one); the oldest go first, and expired ones at the front with them.
    pub(crate) fn mark(&mut self, key: &str, s: Seen, exp: u64, now: u64, max_entries: usize) {
        if self.entries.insert(key.to_string(), (s, exp)).is_none() {
            self.order.push_back(key.to_string());
        }
        while self.order.len() > max_entries.max(1) {
            if let Some(old) = self.order.pop_front() {
                self.entries.remove(&old);
            }
        }
        while let Some(front) = self.order.front() {
            match self.entries.get(front) {
                Some(&(_, e)) if e > now => break,
                _ => {
                    if let Some(old) = self.order.pop_front() {
                        self.entries.remove(&old);
                    }
                }
            }
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_values_round_trip() {
        assert_eq!(Seen::Partial(2, 5).stored(), "partial:2/5");
        assert_eq!(Seen::from_stored("partial:2/5"), Seen::Partial(2, 5));
        assert_eq!(Seen::Delivered.stored(), "done");
        assert_eq!(Seen::from_stored("done"), Seen::Delivered);
        // anything unreadable counts as delivered: never send twice
        assert_eq!(Seen::from_stored("partial:x/5"), Seen::Delivered);
    }

    #[test]
    fn an_entry_expires_at_its_time() {
        let mut t = DedupTable::default();
        t.mark("a", Seen::Delivered, 100, 0, 10);
        assert_eq!(t.get("a", 99), Some(Seen::Delivered));
        assert_eq!(t.get("a", 100), None);
    }

    #[test]
    fn the_oldest_entry_goes_beyond_the_bound() {
        let mut t = DedupTable::default();
        for (i, k) in ["a", "b", "c"].into_iter().enumerate() {
            t.mark(k, Seen::Delivered, 1_000, i as u64, 2);
        }
        assert_eq!(t.len(), 2);
        assert_eq!(t.get("a", 10), None);
        assert_eq!(t.get("c", 10), Some(Seen::Delivered));
    }

    #[test]
    fn expired_entries_at_the_front_go_when_one_is_marked() {
        let mut t = DedupTable::default();
        t.mark("old", Seen::InFlight, 50, 0, 10);
        t.mark("new", Seen::InFlight, 500, 60, 10);
        assert_eq!(t.len(), 1);
        assert_eq!(t.get("new", 60), Some(Seen::InFlight));
    }

    #[test]
    fn forget_removes_the_entry_and_its_place() {
        let mut t = DedupTable::default();
        t.mark("a", Seen::InFlight, 1_000, 0, 1);
        t.forget("a");
        assert_eq!(t.get("a", 0), None);
        t.mark("b", Seen::InFlight, 1_000, 0, 1);
        assert_eq!(t.get("b", 0), Some(Seen::InFlight));
    }

    #[test]
    fn the_key_holds_no_bot_credential() {
        let k = dedup_key("msg-1", "wecom:0123456789abcdef");
        assert!(k.starts_with("webhook-push:") && k.ends_with(":msg-1"), "{k}");
        assert!(!k.contains("0123456789abcdef"), "{k}");
        assert_ne!(k, dedup_key("msg-1", "wecom:fedcba9876543210"));
    }
}
