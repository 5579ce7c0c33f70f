// webhook-push/inbound, Node (and Bun) entry: the full wasm (the sender, the generic webhook and src/inbound/)
// read next to this file and instantiated synchronously. inbound-node.cjs is this file
// bundled to CommonJS by scripts/assemble-pkg.mjs.
import { readFileSync } from "node:fs";
import { webcrypto } from "node:crypto";
import { initSync } from "./webhook_push_full.js";

// Node 18 has no global `crypto` unless started with --experimental-global-webcrypto.
if (!globalThis.crypto) globalThis.crypto = webcrypto;
initSync({ module: readFileSync(new URL("./webhook_push_full_bg.wasm", import.meta.url)) });

export { wecomHandler, dingtalkHandler, feishuHandler, wecomDownloadMedia } from "./inbound-handlers.mjs";
export { /* @inbound-exports */ } from "./webhook_push_full.js";
