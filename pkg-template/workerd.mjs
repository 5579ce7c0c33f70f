// Cloudflare Workers entry: Workers forbid compiling wasm from bytes at run time, so the
// wasm is imported as a module (wrangler / miniflare: CompiledWasm) and instantiated from it.
import wasm from "./webhook_push_bg.wasm";
import { initSync } from "./webhook_push.js";

initSync({ module: wasm });

export { /* @exports */ } from "./webhook_push.js";
