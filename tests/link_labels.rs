//! Reference-style links: labels match case-insensitively (pulldown-cmark's link-label lookup,
//! which goes through `UniCase`; the release build patches in crates/unicase-ascii, ASCII
//! folding only). Guards that the lookup still works for ASCII case differences and for CJK
//! labels, and documents the one difference from full Unicode folding.

use serde_json::json;
use webhook_push::model::UnifiedMessage;
use webhook_push::render::{RenderOptions, render};
use webhook_push::target::Platform;

fn wecom_markdown(md: &str) -> String {
    let v = json!({"content": {"type": "markdown", "body": {"content": md}}});
    let out = render(&UnifiedMessage::from_value(&v).unwrap(), Platform::Wecom, &RenderOptions::default()).unwrap();
    let p = &out.payloads[0];
    p["markdown"]["content"].as_str().or_else(|| p["markdown_v2"]["content"].as_str()).unwrap().to_string()
}

#[test]
fn ascii_labels_match_ignoring_case() {
    let md = "See the [build log][LOG] and [the docs][Docs Page].\n\n[log]: https://ci.example.com/builds/42\n[docs page]: https://docs.example.com/x\n";
    let out = wecom_markdown(md);
    assert!(out.contains("https://ci.example.com/builds/42"), "{out}");
    assert!(out.contains("https://docs.example.com/x"), "{out}");
}

#[test]
fn cjk_labels_match() {
    let md = "查看[构建日志][日志]。\n\n[日志]: https://ci.example.com/builds/43\n";
    let out = wecom_markdown(md);
    assert!(out.contains("https://ci.example.com/builds/43"), "{out}");
}

#[test]
fn an_undefined_label_stays_text() {
    let md = "See [the log][nope].\n\n[log]: https://ci.example.com/builds/44\n";
    let out = wecom_markdown(md);
    assert!(!out.contains("https://ci.example.com/builds/44"), "{out}");
    assert!(out.contains("the log"), "{out}");
}

/// The stand-in `UniCase` itself (crates/unicase-ascii, through the [patch]).
mod unicase_stand_in {
    use std::collections::hash_map::DefaultHasher;
    use std::hash::{Hash, Hasher};
    use unicase::UniCase;

    fn h<T: Hash>(t: &T) -> u64 {
        let mut s = DefaultHasher::new();
        t.hash(&mut s);
        s.finish()
    }

    #[test]
    fn ascii_case_is_folded_in_eq_hash_and_ord() {
        let a = UniCase::new("Release Notes");
        let b = UniCase::new("rELEASE nOTES");
        assert!(a == b);
        assert_eq!(h(&a), h(&b));
        assert_eq!(a.cmp(&b), std::cmp::Ordering::Equal);
        assert!(UniCase::new("abc") != UniCase::new("abd"));
        assert!(UniCase::new("abc") < UniCase::new("ABD"));
        assert_ne!(h(&UniCase::new("abc")), h(&UniCase::new("abd")));
    }

    #[test]
    fn non_ascii_is_compared_as_is() {
        assert!(UniCase::new("部署") == UniCase::new("部署"));
        assert!(UniCase::new("日志") != UniCase::new("日誌"));
        // the one difference from full Unicode folding
        assert!(UniCase::new("Ä") != UniCase::new("ä"));
    }

    #[test]
    fn the_string_is_kept_as_written() {
        let a = UniCase::new(String::from("MiXeD"));
        assert_eq!(a.as_ref() as &str, "MiXeD");
        assert_eq!(format!("{a}"), "MiXeD");
        assert_eq!(a.into_inner(), "MiXeD");
    }
}
