// Node (CommonJS): require both entries by name (webhook-node.cjs and node.cjs).
const wp = require("webhook-push/webhook");
const main = require("webhook-push");
const inbound = require("webhook-push/inbound");

(async () => {
  const { probe } = await import("./probe.mjs");
  const [runtime, url] = process.argv.slice(2);
  const out = await probe(wp, main, runtime, url);
  // webhook-push/inbound shares webhook-push/webhook's wasm: one glue module, one instance
  out.oneWasm = inbound.MessageSender === wp.MessageSender && inbound.render === wp.render;
  console.log(`@@PROBE@@${JSON.stringify(out)}`);
})();
