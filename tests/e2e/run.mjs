// The scenario runner for Node (ESM), Deno and Bun: imports the installed package by name, runs
// the shared scenarios with the plan given as the last argument and prints one report line.
// e2e.test.mjs copies this file next to scenarios.mjs into the consumer project and spawns it.
import process from "node:process";
import * as wp from "webhook-push";
import { runScenarios } from "./scenarios.mjs";

const MARK = "@@E2E-REPORT@@";
const plan = JSON.parse(process.argv.at(-1));
const runtime = globalThis.Deno ? "deno" : globalThis.Bun ? "bun" : "node";
const info = {
  runtime,
  version: globalThis.Deno?.version?.deno ?? globalThis.Bun?.version ?? process.version,
  entry: import.meta.resolve("webhook-push"),
  moduleSystem: "esm",
  exports: Object.keys(wp).sort(),
};
// The host's own environment object, as a user passes it to sendAuto.
const env = globalThis.Deno ? Deno.env.toObject() : process.env;
const report = await runScenarios(wp, plan, { env, log: console.log });
console.log(MARK + JSON.stringify({ info, report }));
