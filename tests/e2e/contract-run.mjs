// The host-contract runner for Node (ESM), Deno and Bun: imports the installed package by name, runs
// contract.mjs with the plan given as the last argument and prints one report line.
// contract.test.mjs copies this file next to contract.mjs into the consumer project.
import process from "node:process";
import * as wp from "webhook-push";
import { runContract } from "./contract.mjs";

const MARK = "@@E2E-REPORT@@";
const plan = JSON.parse(process.argv.at(-1));
const info = { runtime: globalThis.Deno ? "deno" : globalThis.Bun ? "bun" : "node", entry: import.meta.resolve("webhook-push") };
const report = await runContract(wp, plan, { log: console.log });
console.log(MARK + JSON.stringify({ info, report }));
