// webhook-push/webhook, browser (and default) entry: the main entry's API from the full wasm
// (with the generic webhook engine: "webhook" targets, sendTo, services), fetched next to this
// file. webhook-push/inbound's browser entry imports this file, so the wasm is fetched once.
import init from "./webhook_push_full.js";

await init({ module_or_path: new URL("./webhook_push_full_bg.wasm", import.meta.url) });

export { /* @exports */ } from "./webhook_push_full.js";
