// Browser (and default) entry: fetch the wasm next to this file. Bundlers recognise
// `new URL("./file", import.meta.url)` and emit the wasm as an asset.
import init from "./webhook_push.js";

await init({ module_or_path: new URL("./webhook_push_bg.wasm", import.meta.url) });

export { /* @exports */ } from "./webhook_push.js";
