//! What is being written (a string dialect, or Feishu post rows) and what
//! it could not show, recorded once per kind (the platform words it).

use super::ir::{Dialect, Loss};

/// What is being written (a dialect, or Feishu post rows) and what was lost so far.
pub(crate) struct Writer {
    pub(crate) dialect: Dialect,
    /// Writing Feishu post rows (then `dialect` is unused).
    pub(crate) post: bool,
    pub(crate) losses: Vec<Loss>,
}

impl Writer {
    /// Record that `from` became `to`, once per kind.
    pub(crate) fn lose(&mut self, from: &'static str, to: &'static str) {
        if !self.losses.iter().any(|l| l.from == from) {
            self.losses.push(Loss { from, to });
        }
    }
}
