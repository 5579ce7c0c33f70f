// Node only: counts the reads of the full wasm (globalThis.__wpFullWasmReads), so the probe can
// check that webhook-push/webhook and webhook-push/inbound read and compile it once between them.
// Imported before the package's entries (ESM evaluates sibling imports in order).
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";

if (globalThis.process?.versions?.node && !globalThis.Deno && !globalThis.Bun) {
  globalThis.__wpFullWasmReads = 0;
  const read = fs.readFileSync;
  fs.readFileSync = function (file, ...rest) {
    if (String(file instanceof URL ? file.pathname : file).endsWith("_full_bg.wasm")) globalThis.__wpFullWasmReads++;
    return read.call(this, file, ...rest);
  };
  syncBuiltinESMExports();
}
