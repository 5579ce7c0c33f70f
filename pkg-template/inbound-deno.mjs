// webhook-push/inbound, Deno entry: a source-phase import gives the compiled module without
// any permission.
import source wasm from "./webhook_push_full_bg.wasm";
import { initSync } from "./webhook_push_full.js";

initSync({ module: wasm });

export { wecomHandler, dingtalkHandler, feishuHandler, wecomDownloadMedia } from "./inbound-handlers.mjs";
export { /* @inbound-exports */ } from "./webhook_push_full.js";
