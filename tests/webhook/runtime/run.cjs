// Node (CommonJS): require both entries by name (webhook-node.cjs and node.cjs).
// count the reads of the full wasm (both subpaths share one)
let fullWasmReads = 0;
const fs = require("node:fs");
const read = fs.readFileSync;
fs.readFileSync = function (file, ...rest) {
  if (String(file instanceof URL ? file.pathname : file).endsWith("_full_bg.wasm")) fullWasmReads++;
  return read.call(this, file, ...rest);
};
const wp = require("webhook-push/webhook");
const main = require("webhook-push");
const inbound = require("webhook-push/inbound");

(async () => {
  const { probe } = await import("./probe.mjs");
  const [runtime, url] = process.argv.slice(2);
  const out = await probe(wp, main, runtime, url);
  // webhook-push/inbound shares webhook-push/webhook's wasm: one glue module, one instance
  out.oneWasm = inbound.MessageSender === wp.MessageSender && inbound.render === wp.render;
  out.fullWasmReads = fullWasmReads;
  console.log(`@@PROBE@@${JSON.stringify(out)}`);
})();
