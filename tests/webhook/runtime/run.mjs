// Node (ESM), Deno and Bun: import both entries by name from the consumer project.
import "./count-reads.mjs";
import * as wp from "webhook-push/webhook";
import * as main from "webhook-push";
import * as inbound from "webhook-push/inbound";
import { probe } from "./probe.mjs";

const [runtime, url] = (globalThis.Deno ? Deno.args : process.argv.slice(2));
const out = await probe(wp, main, runtime, url);
// webhook-push/inbound shares webhook-push/webhook's wasm: one glue module, one instance
out.oneWasm = inbound.MessageSender === wp.MessageSender && inbound.render === wp.render;
out.fullWasmReads = globalThis.__wpFullWasmReads ?? null;
console.log(`@@PROBE@@${JSON.stringify(out)}`);
