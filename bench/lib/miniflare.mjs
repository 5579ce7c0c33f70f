// Miniflare (workerd) for the benchmarks, through the tests' loader (tests/support/workerd.mjs):
// the repository's devDependency when it is installed, else the copy bench/run.sh installs into
// bench/.deps (git-ignored) at an exact version.
import path from "node:path";
import * as workerd from "../../tests/support/workerd.mjs";
import { BENCH } from "./common.mjs";

export async function importMiniflare() {
  try {
    return await workerd.importMiniflare({ also: [path.join(BENCH, ".deps")] });
  } catch {
    throw new Error("miniflare is not installed (root devDependency or bench/.deps): run bench/run.sh");
  }
}

/**
 * The modules of a Worker that imports the installed package by name: the package's workerd
 * entry (as its exports map gives it to wrangler) and what it imports, the wasm as CompiledWasm,
 * and a module named `webhook-push` that re-exports the entry.
 */
export function packageModules(dir, pkgDir) {
  return workerd.packageModules({ dir, pkgDir }).modules;
}
