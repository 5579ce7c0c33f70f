// The runner of bench/send-runtimes.mjs in Deno and Bun: imports the installed package by name
// (copied into the consumer project, so `webhook-push` resolves through its node_modules and the
// exports map, as in a user's project), runs the workloads of the config file given as the last
// argument (bench/lib/rt-loop.mjs) and prints one report line.
import process from "node:process";
import * as wp from "webhook-push";
import { makeRunners, runAll } from "./rt-loop.mjs";

const MARK = "@@RT-BENCH@@";
const cfgText = globalThis.Deno ? Deno.readTextFileSync(process.argv.at(-1)) : await Bun.file(process.argv.at(-1)).text();
const cfg = JSON.parse(cfgText);
const packages = { ours: wp };
// a base build beside (an installed package dir): the entry this runtime's conditions pick
if (cfg.basePkg) packages.base = await import(`${cfg.basePkg}/${globalThis.Deno ? "deno.mjs" : "node.mjs"}`);
const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
const errors = [];
const runs = await runAll(cfg, makeRunners(cfg, packages, errors), cpuMs);
const info = {
  runtime: globalThis.Deno ? "deno" : "bun",
  version: globalThis.Deno?.version?.deno ?? globalThis.Bun?.version,
  entry: import.meta.resolve("webhook-push"),
};
console.log(MARK + JSON.stringify({ info, runs, errors }));
