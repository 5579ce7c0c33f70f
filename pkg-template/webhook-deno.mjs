// webhook-push/webhook, Deno entry: the main entry's API from the full wasm (with the generic
// webhook engine); a source-phase import gives the compiled module without any permission.
import source wasm from "./webhook_push_full_bg.wasm";
import { initSync } from "./webhook_push_full.js";

initSync({ module: wasm });

export { /* @exports */ } from "./webhook_push_full.js";
