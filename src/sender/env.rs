//! The seed's environment variables, read into targets for `sendAuto`: each
//! platform names its variables ([`crate::platform::spec::EnvNames`]).

use super::Target;
use crate::platform::Platform;

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
