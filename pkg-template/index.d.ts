/// <reference lib="esnext.disposable" />
// The public types of webhook-push: wasm-bindgen's webhook_push.d.ts without the
// manual-initialisation API (every entry point initialises the wasm itself). Self-contained,
// so a consumer needs neither DOM nor Node typings. index.d.cts is the same text for require().
/* @declarations */
