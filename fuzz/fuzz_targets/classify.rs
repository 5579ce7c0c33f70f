//! The answer classifier: any status, body and Retry-After for every platform. Oracles: no
//! panic, a bounded platform message, a bounded wait.
#![no_main]

use libfuzzer_sys::fuzz_target;
use webhook_push::policy::classify;
use webhook_push::target::Platform;

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let status = u16::from_be_bytes([data[0], data[1]]);
    let p = Platform::ALL[(data[2] as usize) % Platform::ALL.len()];
    let Ok(s) = std::str::from_utf8(&data[3..]) else { return };
    let (retry, body) = match s.split_once('\n') {
        Some((r, b)) if r.len() < 64 => (Some(r), b),
        _ => (None, s),
    };
    let c = classify(p, status, body, retry);
    if let Some(m) = &c.platform_message {
        assert!(m.chars().count() <= 301 + 3, "platform message of {} chars", m.chars().count());
    }
    let _ = format!("{:?}", c.verdict);
});
