// webhook-push/inbound, browser (and default) entry: fetch the inbound wasm next to this file.
import init from "./webhook_push_inbound.js";

await init({ module_or_path: new URL("./webhook_push_inbound_bg.wasm", import.meta.url) });

export { wecomHandler, dingtalkHandler, feishuHandler, wecomDownloadMedia } from "./inbound-handlers.mjs";
export { /* @inbound-exports */ } from "./webhook_push_inbound.js";
