// webhook-push/webhook, Node (and Bun) entry: the main entry's API from the full wasm (with the
// generic webhook engine: "webhook" targets, sendTo, services), read next to this file and
// instantiated synchronously. webhook-node.cjs is this file bundled to CommonJS by
// scripts/assemble-pkg.mjs.
import { readFileSync } from "node:fs";
import { installNodeTransport } from "./host-node.mjs";
import { initSync } from "./webhook_push_full.js";

installNodeTransport(); // in Node, the sender posts through node:http while fetch is Node's own
initSync({ module: readFileSync(new URL("./webhook_push_full_bg.wasm", import.meta.url)) });

export { /* @exports */ } from "./webhook_push_full.js";
