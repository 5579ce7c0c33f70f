#!/usr/bin/env node
// TypeScript checks of the installed package (run after scripts/pack-install.sh):
//   1. tests/ts/consumer.ts (+ consumer.cts) type-check with `tsc --noEmit --strict` against the
//      installed package's types: nodenext (ESM and CommonJS) and bundler resolution;
//   2. the generated webhook_push.d.ts equals tests/golden/webhook_push.d.ts
//      (UPDATE_GOLDEN=1 rewrites the golden file instead);
//   3. the public declarations (index.d.ts, index.d.cts; webhook-push/webhook's webhook.d.ts, .d.cts) contain no `any`.
//   4. webhook-push/inbound: strict consumers compile, no `any` in its declarations;
//   5. the package README's TypeScript examples compile with --strict, each as its own module.
//
//   node scripts/check-types.mjs [consumer-dir] [--golden-only]     (default target/consumer)
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const goldenOnly = args.includes("--golden-only");
const consumer = path.resolve(ROOT, args.find((a) => !a.startsWith("--")) ?? "target/consumer");
const pkgDir = path.join(consumer, "node_modules", "webhook-push");
const golden = path.join(ROOT, "tests", "golden", "webhook_push.d.ts");
const tsc = path.join(ROOT, "node_modules", ".bin", "tsc");
const failures = [];
const rel = (p) => path.relative(ROOT, p);

if (!fs.existsSync(path.join(pkgDir, "package.json"))) {
  console.error(`check-types: ${rel(pkgDir)} is missing; run scripts/pack-install.sh first`);
  process.exit(1);
}

// 1. the consumer compiles
for (const config of goldenOnly ? [] : ["tsconfig.json", "tsconfig.bundler.json"]) {
  const project = path.join(consumer, "ts", config);
  const r = spawnSync(tsc, ["-p", project, "--noEmit", "--strict", "--pretty", "false"], { encoding: "utf8" });
  if (r.status === 0) console.log(`ok   tsc --noEmit --strict -p ${config}`);
  else {
    failures.push(`tsc -p ${config}`);
    console.log(`FAIL tsc --noEmit --strict -p ${config}\n${(r.stdout + r.stderr).trim().replaceAll(consumer + path.sep, "")}`);
  }
}

// 1b. the oldest TypeScript supported: 5.0 with skipLibCheck (5.2 needs nothing: the types use
//     `Symbol.dispose`, which TypeScript knows from 5.2 on)
//     (tests/ts-compat holds it apart, so its tsc does not shadow the root's)
const compat = path.join(ROOT, "tests", "ts-compat");
const tsc50 = path.join(compat, "node_modules", "typescript", "bin", "tsc");
if (!goldenOnly) {
  if (!fs.existsSync(tsc50)) {
    spawnSync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: compat, stdio: ["ignore", "ignore", "inherit"] });
  }
  if (!fs.existsSync(tsc50)) {
    failures.push("typescript 5.0");
    console.log("FAIL TypeScript 5.0 could not be installed: run `npm ci` in tests/ts-compat");
  } else {
    const file = path.join(consumer, "ts", "compat.ts");
    fs.copyFileSync(path.join(compat, "consumer.ts"), file);
    const args = ["--noEmit", "--strict", "--skipLibCheck", "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022", "--pretty", "false"];
    const r = spawnSync(process.execPath, [tsc50, ...args, file], { encoding: "utf8" });
    if (r.status === 0) console.log("ok   TypeScript 5.0 (skipLibCheck) compiles tests/ts-compat/consumer.ts");
    else {
      failures.push("typescript 5.0");
      console.log(`FAIL TypeScript 5.0 (skipLibCheck)\n${(r.stdout + r.stderr).trim()}`);
    }
  }
}

// 2. the golden .d.ts
// The wasm's closure-shim exports are named by a symbol hash that changes with the compiler
// (stable vs the release build's nightly): compared as a sorted set of signatures, not by name.
function sameTypes(a, b) {
  const norm = (t) => {
    const lines = t.split("\n");
    const shim = /^(\s*readonly )wasm_bindgen\w*convert__closures\w*invoke\w*(: .*)$/;
    const out = [];
    for (let i = 0; i < lines.length; ) {
      if (!shim.test(lines[i])) out.push(lines[i++]);
      else {
        const run = [];
        while (i < lines.length && shim.test(lines[i])) run.push(lines[i++].replace(shim, "$1<closure shim>$2"));
        out.push(...run.sort());
      }
    }
    return out.join("\n");
  };
  return a === b || norm(a) === norm(b);
}
const generated = fs.readFileSync(path.join(pkgDir, "webhook_push.d.ts"), "utf8");
if (process.env.UPDATE_GOLDEN === "1") {
  fs.mkdirSync(path.dirname(golden), { recursive: true });
  fs.writeFileSync(golden, generated);
  console.log(`ok   ${rel(golden)} rewritten (UPDATE_GOLDEN=1)`);
} else if (!fs.existsSync(golden)) {
  failures.push("golden missing");
  console.log(`FAIL ${rel(golden)} does not exist: run "make golden" and commit it`);
} else if (sameTypes(fs.readFileSync(golden, "utf8"), generated)) {
  console.log(`ok   webhook_push.d.ts matches ${rel(golden)}`);
} else {
  failures.push("golden differs");
  const tmp = path.join(consumer, "generated.webhook_push.d.ts");
  fs.writeFileSync(tmp, generated);
  const d = spawnSync("diff", ["-u", golden, tmp], { encoding: "utf8" });
  console.log(`FAIL webhook_push.d.ts differs from ${rel(golden)} (if intended: make golden, then commit it)`);
  console.log((d.stdout || d.error?.message || "").split("\n").slice(0, 80).join("\n"));
}

// 3. no `any` in what users see (comments are not code: "any platform" in a doc is fine)
for (const f of goldenOnly ? [] : ["index.d.ts", "index.d.cts", "webhook.d.ts", "webhook.d.cts"]) {
  const code = fs
    .readFileSync(path.join(pkgDir, f), "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, " "))
    .replace(/\/\/.*$/gm, "");
  const hits = code.split("\n").flatMap((line, i) => (/\bany\b/.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : []));
  if (hits.length === 0) console.log(`ok   no \`any\` in ${f}`);
  else {
    failures.push(`any in ${f}`);
    console.log(`FAIL \`any\` in ${f}:\n  ${hits.join("\n  ")}`);
  }
}

// 4. the webhook-push/inbound subpath: a strict consumer compiles, and no `any` in its declarations
if (!goldenOnly && fs.existsSync(path.join(pkgDir, "inbound.d.ts"))) {
  for (const config of ["tsconfig.inbound.json", "tsconfig.inbound-bundler.json", "tsconfig.inbound-dom.json"]) {
    const project = path.join(consumer, "ts", config);
    const r = spawnSync(tsc, ["-p", project, "--noEmit", "--strict", "--pretty", "false"], { encoding: "utf8" });
    if (r.status === 0) console.log(`ok   tsc --noEmit --strict -p ${config}`);
    else {
      failures.push(`tsc -p ${config}`);
      console.log(`FAIL tsc --noEmit --strict -p ${config}\n${(r.stdout + r.stderr).trim().replaceAll(consumer + path.sep, "")}`);
    }
  }
  for (const f of ["inbound.d.ts", "inbound.d.cts"]) {
    const code = fs
      .readFileSync(path.join(pkgDir, f), "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, " "))
      .replace(/\/\/.*$/gm, "");
    const hits = code.split("\n").flatMap((line, i) => (/\bany\b/.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : []));
    if (hits.length === 0) console.log(`ok   no \`any\` in ${f}`);
    else {
      failures.push(`any in ${f}`);
      console.log(`FAIL \`any\` in ${f}:\n  ${hits.join("\n  ")}`);
    }
  }
}

// 5. the package README's TypeScript examples (its ```ts blocks that import the package: the others
//    list declarations) compile with --strict as a user would paste them, each in its own module
if (!goldenOnly) {
  const readme = fs.readFileSync(path.join(pkgDir, "README.md"), "utf8");
  const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]).filter((b) => /^import .* from "webhook-push[^"]*";$/m.test(b));
  if (blocks.length === 0) {
    failures.push("README examples");
    console.log("FAIL the package README has no ```ts example that imports the package");
  }
  const args = ["--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022", "--pretty", "false"];
  blocks.forEach((code, i) => {
    const file = path.join(consumer, "ts", `readme-${i + 1}.mts`);
    fs.writeFileSync(file, code);
    const r = spawnSync(tsc, [...args, file], { encoding: "utf8" });
    if (r.status === 0) console.log(`ok   README.md's TypeScript example ${i + 1} of ${blocks.length} compiles (--strict)`);
    else {
      failures.push(`README example ${i + 1}`);
      console.log(`FAIL README.md's TypeScript example ${i + 1}:\n${code}\n${(r.stdout + r.stderr).trim().replaceAll(consumer + path.sep, "")}`);
    }
  });
}

if (failures.length) {
  console.log(`check-types: ${failures.length} failed: ${failures.join(", ")}`);
  process.exit(1);
}
console.log("check-types: all passed");
