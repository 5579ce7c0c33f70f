// webhook-push/inbound, Node (and Bun) entry: the full wasm (the sender, the generic webhook and
// src/inbound/), read and instantiated once by webhook-push/webhook's Node entry (both subpaths
// share it). inbound-node.cjs is this file bundled to CommonJS by scripts/assemble-pkg.mjs, with
// ./webhook-node.mjs required as ./webhook-node.cjs.
import { webcrypto } from "node:crypto";
import "./webhook-node.mjs";

// Node 18 has no global `crypto` unless started with --experimental-global-webcrypto.
if (!globalThis.crypto) globalThis.crypto = webcrypto;

export { wecomHandler, dingtalkHandler, feishuHandler, wecomDownloadMedia } from "./inbound-handlers.mjs";
export { /* @inbound-exports */ } from "./webhook_push_full.js";
