//! The message reader: any bytes in, a message or a typed INVALID_MESSAGE out; a message
//! that reads renders on every platform without breaking a limit. The message tree's fast reader
//! reads what serde_json reads, or gives up.
#![no_main]
#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use webhook_push::ErrorCode;
use webhook_push::model::UnifiedMessage;
use webhook_push::model::tree::Node;
use webhook_push::target::Platform;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Some((tree, _)) = Node::parse_fast(s) {
        let theirs: serde_json::Value = serde_json::from_str(s).expect("the fast reader read JSON serde_json refuses");
        assert_eq!(tree.to_value(), theirs);
    }
    match UnifiedMessage::from_json(s) {
        Ok(msg) => {
            for p in Platform::ALL {
                common::render_checked(&msg, p, &common::options(0, p));
            }
        }
        Err(e) => assert_eq!(e.code, ErrorCode::InvalidMessage, "{}", e.message),
    }
});
