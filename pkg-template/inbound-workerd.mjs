// webhook-push/inbound, Cloudflare Workers entry: the inbound wasm imported as a module
// (wrangler / miniflare: CompiledWasm) and instantiated from it.
import wasm from "./webhook_push_full_bg.wasm";
import { initSync } from "./webhook_push_full.js";

initSync({ module: wasm });

export { wecomHandler, dingtalkHandler, feishuHandler, wecomDownloadMedia } from "./inbound-handlers.mjs";
export { /* @inbound-exports */ } from "./webhook_push_full.js";
