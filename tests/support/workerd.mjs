// The one way the JS tests (and the benchmarks) load the packed package into workerd through
// Miniflare: find Miniflare, read worker-example/wrangler.toml, list the modules of a Worker that
// imports the installed package by name, and start Workers loopback-only with their output
// captured. What a Worker does, and how a test talks to it, stays with the test.
//
//   const { modules } = packageModules({ dir, pkgDir });            // + the test's own modules
//   const w = await startWorkerd({ modules, modulesRoot: dir, bindings });
//   await w.mf.dispatchFetch("http://t.invalid/");  w.output();  await w.dispose();
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const WORKER_DIR = path.join(ROOT, "worker-example");
/** The compatibility date of the Workers the tests write (worker-example has its own, in wrangler.toml). */
export const COMPATIBILITY_DATE = "2026-07-30";
/** The export conditions wrangler resolves a package with. */
export const WORKERD_CONDITIONS = ["workerd", "worker", "browser", "import", "default"];
/** For a Worker given by `scriptPath`: its .js / .mjs as ES modules, its .wasm compiled. */
export const MODULES_RULES = [
  { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
  { type: "CompiledWasm", include: ["**/*.wasm"] },
];

/**
 * Miniflare from the repository's devDependencies, else worker-example's, else `also` (extra
 * project directories, e.g. the benchmarks' pinned copy). `{ Miniflare, version, from }`.
 */
export async function importMiniflare({ also = [] } = {}) {
  for (const base of [ROOT, WORKER_DIR, ...also]) {
    let resolved;
    try {
      resolved = createRequire(path.join(base, "package.json")).resolve("miniflare");
    } catch {
      continue;
    }
    const mod = await import(pathToFileURL(resolved).href);
    const pkgJson = path.join(resolved.replace(/(node_modules[\\/]miniflare)[\\/].*$/, "$1"), "package.json");
    const version = JSON.parse(fs.readFileSync(pkgJson, "utf8")).version;
    return { Miniflare: mod.Miniflare, version, from: path.relative(ROOT, base) || "." };
  }
  throw new Error("miniflare is not installed: run `npm install` at the repository root (it is a devDependency)");
}

/** TOML text parsed with smol-toml (a root devDependency; loaded on first use, so the benchmarks need it only when they read TOML). */
export function parseToml(text) {
  return createRequire(import.meta.url)("smol-toml").parse(text);
}

/** worker-example/wrangler.toml, parsed. */
export function readWranglerToml() {
  return parseToml(fs.readFileSync(path.join(WORKER_DIR, "wrangler.toml"), "utf8"));
}

/** The target an exports-map node gives for `conditions` (in the map's order), or null. */
export function resolveExports(node, conditions) {
  if (typeof node === "string") return node;
  if (Array.isArray(node)) {
    for (const n of node) {
      const r = resolveExports(n, conditions);
      if (r) return r;
    }
    return null;
  }
  if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (conditions.includes(k)) {
        const r = resolveExports(v, conditions);
        if (r) return r;
      }
    }
  }
  return null;
}

const RELATIVE_IMPORT = /(?:^|[\s;])(?:import|export)\s*(?:source\s+)?(?:[^"';]*?\sfrom\s*)?["'](\.{1,2}\/[^"']+)["']/g;

/**
 * The modules of the installed package as a Worker importing it by name sees them, unbundled:
 * the entry its exports map gives `subpath` for wrangler's conditions and what that imports
 * (.wasm as CompiledWasm), under `dir`/node_modules/webhook-push/; and a module named `as`
 * (default: the package name plus the subpath) that re-exports the entry, so the Worker's
 * `import ... from "webhook-push"` resolves. `{ modules, entry }`, entry relative to `dir`.
 */
export function packageModules({ dir, pkgDir, subpath = ".", as }) {
  const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8"));
  const node = subpath === "." ? (pkg.exports["."] ?? pkg.exports) : pkg.exports[subpath];
  const found = resolveExports(node, WORKERD_CONDITIONS);
  if (!found) throw new Error(`the package's exports map has no entry for workerd at ${subpath}`);
  const prefix = "node_modules/webhook-push";
  const modules = [];
  const seen = new Set();
  const add = (rel) => {
    const norm = path.posix.normalize(rel);
    if (seen.has(norm)) return;
    seen.add(norm);
    const file = path.join(pkgDir, norm);
    if (norm.endsWith(".wasm")) {
      modules.push({ type: "CompiledWasm", path: path.join(dir, prefix, norm), contents: fs.readFileSync(file) });
      return;
    }
    const text = fs.readFileSync(file, "utf8");
    modules.push({ type: "ESModule", path: path.join(dir, prefix, norm), contents: text });
    for (const m of text.matchAll(RELATIVE_IMPORT)) add(path.posix.join(path.posix.dirname(norm), m[1]));
  };
  add(found);
  const entry = `${prefix}/${path.posix.normalize(found)}`;
  const name = as ?? path.posix.join("webhook-push", subpath);
  let rel = path.posix.relative(path.posix.dirname(name), entry);
  if (!rel.startsWith(".")) rel = `./${rel}`;
  modules.unshift({ type: "ESModule", path: path.join(dir, name), contents: `export * from "${rel}";\n` });
  return { modules, entry };
}

/**
 * Module lists joined, each path once: two subpaths' entries import the same files (the glue's
 * snippets/, the shared wasm), and workerd refuses a module listed twice.
 */
export function joinModules(...lists) {
  const seen = new Set();
  return lists.flat().filter((m) => !seen.has(m.path) && seen.add(m.path));
}

/** ES modules read from `dir`, by file name (a Worker's own files, beside packageModules). */
export function fileModules(dir, names) {
  return names.map((n) => ({ type: "ESModule", path: path.join(dir, n), contents: fs.readFileSync(path.join(dir, n), "utf8") }));
}

/**
 * Start Miniflare with `options` (one Worker's, or `workers: [...]` with shared ones beside):
 * no request.cf download (`cf: false`), listening on 127.0.0.1 only, the runtime's stdout and
 * stderr captured. A single Worker without a compatibility date gets COMPATIBILITY_DATE.
 * `miniflare` is an importMiniflare() result to use (default: the repository's).
 * `{ mf, url, output(), stdout(), stderr(), lines(), dispose() }`: output() is everything
 * printed (both streams, in order), lines() its complete lines and the partial last one.
 */
export async function startWorkerd({ miniflare, ...options }) {
  const { Miniflare } = miniflare ?? (await importMiniflare());
  let text = "";
  const streams = { stdout: "", stderr: "" };
  const onData = (name) => (d) => {
    const s = d.toString("utf8");
    text += s;
    streams[name] += s;
  };
  const mf = new Miniflare({
    ...(options.workers || options.compatibilityDate ? {} : { compatibilityDate: COMPATIBILITY_DATE }),
    ...options,
    cf: false,
    host: "127.0.0.1",
    handleRuntimeStdio(stdout, stderr) {
      stdout.on("data", onData("stdout"));
      stderr.on("data", onData("stderr"));
    },
  });
  let url;
  try {
    url = await mf.ready;
  } catch (e) {
    await mf.dispose().catch(() => {});
    throw new Error(`workerd did not start: ${e?.message ?? e}\n${text}`);
  }
  let disposed = null;
  return {
    mf,
    url,
    output: () => text,
    stdout: () => streams.stdout,
    stderr: () => streams.stderr,
    lines: () => text.split("\n").filter((l, i, all) => l !== "" || i < all.length - 1),
    dispose: () => (disposed ??= mf.dispose()),
  };
}
