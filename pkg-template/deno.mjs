// Deno entry: a source-phase import gives the compiled WebAssembly.Module without any
// permission (fetching or reading the file would need --allow-read).
import source wasm from "./webhook_push_bg.wasm";
import { initSync } from "./webhook_push.js";

initSync({ module: wasm });

export { /* @exports */ } from "./webhook_push.js";
