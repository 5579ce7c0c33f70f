//! The markdown writers: any text parses and is written in every dialect and as Feishu post
//! rows without panicking, and the output stays proportional to the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use webhook_push::markdown::{self, Dialect};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let bound = 16 * s.len() + 4096;
    let doc = markdown::parse(s);
    let _ = doc.features();
    for d in [Dialect::WecomMarkdown, Dialect::WecomMarkdownV2, Dialect::DingTalk, Dialect::LarkMd, Dialect::Plain] {
        let (blocks, _) = markdown::render(&doc, d);
        let n: usize = blocks.iter().map(String::len).sum();
        assert!(n <= bound, "{d:?}: {n} bytes from {}", s.len());
        let inline = markdown::render_inline(s, d);
        assert!(inline.len() <= bound, "{d:?} inline: {} bytes from {}", inline.len(), s.len());
    }
    let (rows, _) = webhook_push::platform::feishu_post::to_feishu_post(&doc);
    let n: usize = rows.iter().flatten().flatten().map(|e| e.to_text().len()).sum();
    assert!(n <= 4 * bound, "post rows: {n} bytes from {}", s.len());
});
