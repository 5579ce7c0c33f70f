// Node (CommonJS): require both entries by name (webhook-node.cjs and node.cjs).
const wp = require("webhook-push/webhook");
const main = require("webhook-push");

(async () => {
  const { probe } = await import("./probe.mjs");
  const [runtime, url] = process.argv.slice(2);
  console.log(`@@PROBE@@${JSON.stringify(await probe(wp, main, runtime, url))}`);
})();
