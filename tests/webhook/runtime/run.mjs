// Node (ESM), Deno and Bun: import both entries by name from the consumer project.
import * as wp from "webhook-push/webhook";
import * as main from "webhook-push";
import { probe } from "./probe.mjs";

const [runtime, url] = (globalThis.Deno ? Deno.args : process.argv.slice(2));
console.log(`@@PROBE@@${JSON.stringify(await probe(wp, main, runtime, url))}`);
