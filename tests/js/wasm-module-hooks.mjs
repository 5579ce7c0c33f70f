// Node module hooks that load an entry file the way its runtime would, for entry-child.mjs:
// - a .wasm import yields a compiled WebAssembly.Module as its default export, as workerd
//   and wrangler do (CompiledWasm);
// - `import source x from "./y.wasm"` (deno.mjs; Node 20 cannot parse it) is read as a
//   default import of the same, which is what a source-phase import of wasm gives.
import { readFileSync } from "node:fs";

export async function load(url, context, nextLoad) {
  if (url.endsWith(".wasm")) {
    return {
      format: "module",
      shortCircuit: true,
      source: `import { readFileSync } from "node:fs";
export default new WebAssembly.Module(readFileSync(new URL(${JSON.stringify(url)})));`,
    };
  }
  if (url.startsWith("file:") && url.endsWith(".mjs")) {
    const source = readFileSync(new URL(url), "utf8");
    if (/^import source /m.test(source)) {
      return { format: "module", shortCircuit: true, source: source.replace(/^import source (\w+) from/gm, "import $1 from") };
    }
  }
  return nextLoad(url, context);
}
