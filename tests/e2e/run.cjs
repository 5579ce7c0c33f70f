// The scenario runner for Node as a CommonJS consumer: `require("webhook-push")` (node.cjs),
// then the same shared scenarios as every other runtime (an ES module, loaded with import()).
const process = require("node:process");
const wp = require("webhook-push");

const MARK = "@@E2E-REPORT@@";
(async () => {
  const { runScenarios } = await import("./scenarios.mjs");
  const plan = JSON.parse(process.argv.at(-1));
  const info = {
    runtime: "node",
    version: process.version,
    entry: require.resolve("webhook-push"),
    moduleSystem: "cjs",
    exports: Object.keys(wp).sort(),
  };
  const report = await runScenarios(wp, plan, { env: process.env, log: console.log });
  console.log(MARK + JSON.stringify({ info, report }));
})().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
