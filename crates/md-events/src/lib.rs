//! pulldown-cmark's events through one non-generic function: the parser is instantiated here,
//! for one callback type, so it is compiled at this crate's opt-level.
#![no_std]

use core::ops::Range;

use pulldown_cmark::{BrokenLink, CowStr, Event, Options, Parser, RefDefs};

/// A reference that is not defined in the text: its destination and title, if found elsewhere.
pub type Broken<'a, 'c> = &'c mut dyn FnMut(BrokenLink<'a>) -> Option<(CowStr<'a>, CowStr<'a>)>;

/// Parses `src` with `opts` and hands each event and its source range to `sink`, in order, then
/// the document's reference definitions to `defs`. References expand up to the limit of a text
/// of `whole_len` bytes (`src` may be part of a longer text: its prefix, or the text with some
/// definition lines left out).
#[inline(never)]
pub fn each_event<'a>(
    src: &'a str,
    opts: Options,
    whole_len: usize,
    broken: Broken<'a, '_>,
    sink: &mut dyn FnMut(Event<'a>, Range<usize>),
    defs: &mut dyn FnMut(&RefDefs<'_>),
) {
    let mut p = Parser::new_with_broken_link_callback(src, opts, Some(broken));
    p.set_link_ref_expansion_limit_for_len(whole_len);
    let mut it = p.into_offset_iter();
    for (ev, range) in &mut it {
        sink(ev, range);
    }
    defs(it.reference_definitions());
}
