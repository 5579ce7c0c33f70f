// Miniflare (workerd) for the benchmarks: the repository's devDependency when it is installed,
// else the copy bench/run.sh installs into bench/.deps (git-ignored) at an exact version.
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { BENCH, ROOT } from "./common.mjs";

export async function importMiniflare() {
  for (const base of [ROOT, path.join(BENCH, ".deps")]) {
    try {
      const resolved = createRequire(path.join(base, "package.json")).resolve("miniflare");
      const mod = await import(pathToFileURL(resolved).href);
      const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(resolved).replace(/(node_modules\/miniflare).*$/, "$1"), "package.json"), "utf8"));
      return { Miniflare: mod.Miniflare, version: pkg.version, from: path.relative(ROOT, base) || "." };
    } catch {
      /* next */
    }
  }
  throw new Error("miniflare is not installed (root devDependency or bench/.deps): run bench/run.sh");
}

/**
 * The modules of a Worker that imports the installed package by name: the package's workerd
 * entry (as its exports map gives it to wrangler), the glue, the wasm as CompiledWasm, and a
 * module named `webhook-push` that re-exports the entry.
 */
export function packageModules(dir, pkgDir) {
  const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8"));
  const entry = pkg.exports["."].workerd;
  const files = [entry, "webhook_push.js", "webhook_push_bg.wasm"];
  const prefix = "node_modules/webhook-push";
  const modules = files.map((f) => {
    const norm = path.posix.normalize(f);
    const p = path.join(dir, prefix, norm);
    return norm.endsWith(".wasm")
      ? { type: "CompiledWasm", path: p, contents: fs.readFileSync(path.join(pkgDir, norm)) }
      : { type: "ESModule", path: p, contents: fs.readFileSync(path.join(pkgDir, norm), "utf8") };
  });
  modules.push({ type: "ESModule", path: path.join(dir, "webhook-push"), contents: `export * from "./${prefix}/${path.posix.normalize(entry)}";\n` });
  return modules;
}
