// The transport runner for Node (ESM; WEBHOOK_PUSH_TRANSPORT=fetch keeps the fetch path), Deno and
// Bun: imports the installed package by name, runs transport.mjs with the plan given as the last
// argument and prints one report line. transport.test.mjs copies it next to transport.mjs.
import process from "node:process";
import * as wp from "webhook-push";
import { runTransport } from "./transport.mjs";

const MARK = "@@E2E-REPORT@@";
const plan = JSON.parse(process.argv.at(-1));
const runtime = globalThis.Deno ? "deno" : globalThis.Bun ? "bun" : "node";
const report = await runTransport(wp, plan);
console.log(MARK + JSON.stringify({ info: { runtime, entry: import.meta.resolve("webhook-push") }, report }));
