// webhook-push/webhook, Cloudflare Workers entry: the main entry's API from the full wasm (with
// the generic webhook engine), imported as a module (wrangler / miniflare: CompiledWasm).
import wasm from "./webhook_push_full_bg.wasm";
import { initSync } from "./webhook_push_full.js";

initSync({ module: wasm });

export { /* @exports */ } from "./webhook_push_full.js";
