#!/usr/bin/env node
// `npm install` here first builds the package this Worker depends on (webhook-push from ../pkg,
// this repository's build), so that wrangler can resolve it. In your own project, depend on the
// published package (npm install webhook-push) or a release tarball and drop this preinstall.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "..", "..");
const pkg = path.join(repo, "pkg", "package.json");
const build = path.join(repo, "scripts", "build.sh");

if (fs.existsSync(pkg)) process.exit(0);
if (!fs.existsSync(build)) {
  console.error(
    "worker-example: ../pkg is missing and this is not the webhook-push repository: " +
      'depend on the package instead ("webhook-push": "^0.1.0", or the path of a release tarball) and remove the preinstall script',
  );
  process.exit(1);
}
console.error("worker-example: building the webhook-push package first (make build at the repository root; the first build takes a minute or two)");
const r = spawnSync("bash", [build], { cwd: repo, stdio: "inherit" });
if (r.status !== 0 || !fs.existsSync(pkg)) {
  console.error(
    "worker-example: the package build failed. It needs Rust (rustup, cargo) and Node 20+; see the repository README, " +
      "then run `make build` at the repository root and `npm install` here again",
  );
  process.exit(1);
}
