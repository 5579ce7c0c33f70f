// webhook-push/inbound, browser (and default) entry: the full wasm, fetched and instantiated once
// by webhook-push/webhook's browser entry (both subpaths share it).
import "./webhook-browser.mjs";

export { wecomHandler, dingtalkHandler, feishuHandler, wecomDownloadMedia } from "./inbound-handlers.mjs";
export { /* @inbound-exports */ } from "./webhook_push_full.js";
