// Import one entry file of the installed package in a fresh process and print
// { exports, fetched, rendered } as JSON. Used by entries.test.mjs.
//   browser.mjs: fetch is replaced by one that serves file: URLs as application/wasm;
//   workerd.mjs, deno.mjs: .wasm imports yield a compiled WebAssembly.Module (wasm-module-hooks.mjs).
import fs from "node:fs";
import { register } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { loadExamples, renderAll } from "./shared.mjs";

const entry = process.argv[2];
const fetched = [];
globalThis.fetch = async (input) => {
  const url = new URL(String(input instanceof Request ? input.url : input));
  if (url.protocol !== "file:") throw new Error(`unexpected fetch of ${url}`);
  fetched.push(fileURLToPath(url));
  return new Response(fs.readFileSync(url), { headers: { "content-type": "application/wasm" } });
};
register("./wasm-module-hooks.mjs", import.meta.url);

const mod = await import(pathToFileURL(entry).href);
const rendered = renderAll(mod.render, loadExamples());
process.stdout.write(JSON.stringify({ exports: Object.keys(mod), fetched, rendered }));
