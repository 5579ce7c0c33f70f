// The Worker's source type-checks (JSDoc, checkJs) against the packed package's .d.ts: a change
// to the package's TypeScript surface that breaks the relay fails here.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { test } from "node:test";
import { ROOT, WORKER_DIR, prepareWorker } from "./harness.mjs";

test("worker-example/src type-checks against webhook-push's types", async () => {
  const built = await prepareWorker();
  let tsc;
  try {
    tsc = createRequire(path.join(ROOT, "package.json")).resolve("typescript/bin/tsc");
  } catch {
    assert.fail("typescript is not installed: run `npm install` at the repository root");
  }
  const types = path.join(built.dir, "app", "node_modules", "webhook-push", "index.d.ts");
  assert.ok(fs.existsSync(types), types);
  // the runtime's module (what @cloudflare/workers-types declares), as much of it as the relay uses
  const shim = path.join(built.dir, "cloudflare-workers.d.ts");
  fs.writeFileSync(
    shim,
    `declare module "cloudflare:workers" {
  interface Storage {
    get<T = unknown>(key: string): Promise<T | undefined>;
    put(key: string, value: unknown): Promise<void>;
    delete(key: string | string[]): Promise<boolean | number>;
    list<T = unknown>(options?: { prefix?: string }): Promise<Map<string, T>>;
    getAlarm(): Promise<number | null>;
    setAlarm(at: number): Promise<void>;
  }
  export class DurableObject {
    constructor(ctx: { storage: Storage }, env: unknown);
    ctx: { storage: Storage };
    env: unknown;
  }
}
`,
  );
  const config = path.join(built.dir, "tsconfig.relay.json");
  fs.writeFileSync(
    config,
    JSON.stringify({
      compilerOptions: {
        allowJs: true,
        checkJs: true,
        noEmit: true,
        target: "es2022",
        module: "es2022",
        moduleResolution: "bundler",
        lib: ["es2022", "dom"],
        types: [],
        skipLibCheck: true,
        paths: {
          "webhook-push": [types],
          "webhook-push/inbound": [path.join(path.dirname(types), "inbound.d.ts")],
          "webhook-push/webhook": [path.join(path.dirname(types), "webhook.d.ts")],
        },
      },
      files: [shim, path.join(WORKER_DIR, "src", "index.js")],
    }),
  );
  try {
    execFileSync(process.execPath, [tsc, "-p", config], { encoding: "utf8", stdio: "pipe" });
  } catch (e) {
    assert.fail(`tsc found errors:\n${e.stdout}${e.stderr}`);
  }
});
