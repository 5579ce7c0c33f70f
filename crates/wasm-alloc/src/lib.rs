//! talc as the global allocator of single-threaded wasm instead of std's dlmalloc: smaller
//! (bench/LEVERS.md, "Size levers, third round"). Nothing to call: linking this crate is enough.
#![no_std]

#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
