//! pulldown-cmark's events through one non-generic function: the parser is instantiated here,
//! for one callback type, so it is compiled at this crate's opt-level.
#![no_std]

use core::ops::Range;

use pulldown_cmark::{BrokenLink, CowStr, Event, Options, Parser};

/// A reference that is not defined in the text: its destination and title, if found elsewhere.
pub type Broken<'a, 'c> = &'c mut dyn FnMut(BrokenLink<'a>) -> Option<(CowStr<'a>, CowStr<'a>)>;

/// Parses `src` with `opts` and hands each event and its source range to `sink`, in order.
#[inline(never)]
pub fn each_event<'a>(
    src: &'a str,
    opts: Options,
    broken: Broken<'a, '_>,
    sink: &mut dyn FnMut(Event<'a>, Range<usize>),
) {
    for (ev, range) in Parser::new_with_broken_link_callback(src, opts, Some(broken)).into_offset_iter() {
        sink(ev, range);
    }
}
