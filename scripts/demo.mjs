#!/usr/bin/env node
// `make demo`: build the package if needed, then render every example of
// tests/fixtures/seed_examples.json for WeCom, DingTalk and Feishu, printing the payloads
// and what each platform degraded.
//
//   node scripts/demo.mjs [name-substring ...]      e.g. node scripts/demo.mjs card news
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PLATFORMS = ["wecom", "dingtalk", "feishu"];

// build.sh is incremental: a no-op build takes a second or two; the first one compiles the
// Rust crate (a minute or two), so its step lines are shown.
if (!fs.existsSync(path.join(ROOT, "pkg", "node.mjs"))) console.log("demo: building the package first (scripts/build.sh; a minute or two, once)");
if (spawnSync("bash", [path.join(ROOT, "scripts", "build.sh")], { stdio: ["ignore", "inherit", "inherit"] }).status !== 0) {
  console.error("demo: the build failed (see above)");
  process.exit(1);
}
const { render } = await import(pathToFileURL(path.join(ROOT, "pkg", "node.mjs")).href);

const filters = process.argv.slice(2);
const examples = JSON.parse(fs.readFileSync(path.join(ROOT, "tests", "fixtures", "seed_examples.json"), "utf8")).filter(
  (ex) => filters.length === 0 || filters.some((f) => ex.name.includes(f)),
);
const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code, s) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
const indent = (s, n) => s.replace(/^/gm, " ".repeat(n));

let rendered = 0;
let degradedCount = 0;
let failed = 0;
for (const ex of examples) {
  console.log(paint("1", `\n━━ ${ex.name} ━━ (${ex.message.content?.type})`));
  for (const platform of PLATFORMS) {
    try {
      const r = render(ex.message, platform);
      rendered++;
      const parts = r.payloads.length === 1 ? "1 payload" : `${r.payloads.length} payloads (split)`;
      console.log(paint("36", `  ▸ ${platform}: ${parts}`));
      r.payloads.forEach((p, i) => {
        if (r.payloads.length > 1) console.log(`    [${i + 1}/${r.payloads.length}]`);
        console.log(indent(JSON.stringify(p, null, 2), 4));
      });
      for (const d of r.degraded) {
        degradedCount++;
        console.log(paint("33", `    degraded: ${d.from} → ${d.to}: ${d.reason}`));
      }
    } catch (e) {
      failed++;
      console.log(paint("31", `  ▸ ${platform}: ${e.code ?? e.name}${e.path ? ` at ${e.path}` : ""}: ${e.message}`));
    }
  }
}
console.log(
  `\ndemo: ${examples.length} examples × ${PLATFORMS.length} platforms: ${rendered} rendered, ${degradedCount} degradation steps, ${failed} errors`,
);
process.exit(failed ? 1 : 0);
