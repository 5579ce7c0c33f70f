// Node (and Bun) entry: read the wasm next to this file and instantiate it synchronously; in
// Node the sender posts through node:http while fetch is Node's own (host-node.mjs).
// node.cjs is this file bundled to CommonJS by scripts/build.sh (esbuild).
import { readFileSync } from "node:fs";
import { installNodeTransport } from "./host-node.mjs";
import { initSync } from "./webhook_push.js";

installNodeTransport();
initSync({ module: readFileSync(new URL("./webhook_push_bg.wasm", import.meta.url)) });

export { /* @exports */ } from "./webhook_push.js";
