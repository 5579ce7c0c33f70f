// Runs the relay Worker (worker-example/) in workerd through Miniflare, against the loopback mock
// platforms (tests/mock/). Used by the relay tests and by scripts/relay-demo.mjs.
//
//   const built = await prepareWorker();       // pack pkg/, install the tarball, bundle the Worker
//   const mock = await startMock();            // the three platforms on 127.0.0.1 with one bot each
//   const relay = await startRelay({ built, mock, env: { ... } });
//   const res = await relay.post("/v1/alertmanager", payload);   // { status, body, headers, text }
//   await waitFor(() => relay.events("delivered").length === 3);
//   relay.logText();                           // everything the Worker printed
//   await relay.dispose(); await mock.close();
//
// The Worker is built as a user's project would be: pkg/ is packed with `npm pack`, the tarball
// is installed into a scratch project beside a copy of worker-example/src, and the source's
// `import ... from "webhook-push"` is resolved by esbuild with the conditions wrangler uses
// (workerd, worker, browser), so the package's workerd entry imports its .wasm as a module
// (CompiledWasm), as Workers require. Queues, the dead-letter queue and KV are Miniflare's
// simulations, configured from worker-example/wrangler.toml.

import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startMockPlatforms } from "../mock/platforms.mjs";
import { MODULES_RULES, parseToml, readWranglerToml, startWorkerd } from "../support/workerd.mjs";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const WORKER_DIR = path.join(ROOT, "worker-example");
export const FIXTURES = path.join(ROOT, "tests", "relay", "fixtures");
const WORK = path.join(ROOT, "target", "relay");

export const fixture = (name) => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), "utf8"));

// ---- dev tools: from the root's node_modules, else from worker-example/node_modules ----------

async function importTool(name) {
  for (const base of [path.join(ROOT, "package.json"), path.join(WORKER_DIR, "package.json")]) {
    let resolved;
    try {
      resolved = createRequire(base).resolve(name);
    } catch {
      continue;
    }
    return import(pathToFileURL(resolved).href);
  }
  throw new Error(
    `relay harness: the npm package "${name}" is not installed; run \`npm install\` at the repository root (it is a devDependency)`,
  );
}

// ---- wrangler.toml: read with smol-toml (tests/support/workerd.mjs) -------------------------------

export { parseToml, readWranglerToml };

// ---- build: pack, install, bundle --------------------------------------------------------------

function filesUnder(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out.sort();
}

function hashFiles(files) {
  const h = crypto.createHash("sha256");
  for (const f of files) h.update(path.relative(ROOT, f)).update("\0").update(fs.readFileSync(f)).update("\0");
  return h.digest("hex").slice(0, 16);
}

/**
 * Pack pkg/, install the tarball into a scratch copy of the Worker project and bundle it.
 * Cached under target/relay/build-<hash of pkg/, worker-example/src and this file>.
 * @returns {Promise<{ dir: string, scriptPath: string, version: string, tarball: string }>}
 */
export async function prepareWorker({ quiet = true } = {}) {
  const pkgDir = path.join(ROOT, "pkg");
  if (!fs.existsSync(path.join(pkgDir, "package.json"))) {
    throw new Error("relay harness: pkg/ is not built; run `bash scripts/build.sh` first");
  }
  const key = hashFiles([...filesUnder(pkgDir), ...filesUnder(path.join(WORKER_DIR, "src")), fileURLToPath(import.meta.url)]);
  const dir = path.join(WORK, `build-${key}`);
  const scriptPath = path.join(dir, "dist", "index.js");
  const version = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8")).version;
  if (fs.existsSync(scriptPath)) return { dir, scriptPath, version, tarball: fs.readdirSync(path.join(dir, "pack"))[0] };

  fs.mkdirSync(WORK, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(WORK, `tmp-${process.pid}-`));
  try {
    const stdio = ["ignore", "pipe", quiet ? "pipe" : "inherit"];
    // 1. npm pack pkg/ (what would be published)
    const packDir = path.join(tmp, "pack");
    fs.mkdirSync(packDir);
    const packed = JSON.parse(
      execFileSync("npm", ["pack", pkgDir, "--pack-destination", packDir, "--json", "--loglevel=error"], { stdio, encoding: "utf8" }),
    );
    const tarball = path.join(packDir, path.basename(packed[0].filename));
    // 2. a user's project: the Worker's source and the installed tarball (offline: it has no dependencies)
    const app = path.join(tmp, "app");
    fs.cpSync(path.join(WORKER_DIR, "src"), path.join(app, "src"), { recursive: true });
    fs.copyFileSync(path.join(WORKER_DIR, "wrangler.toml"), path.join(app, "wrangler.toml"));
    fs.writeFileSync(path.join(app, "package.json"), '{ "name": "relay-under-test", "private": true, "type": "module" }\n');
    execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", "--no-package-lock", "--loglevel=error", tarball], {
      cwd: app,
      stdio,
    });
    // 3. bundle as wrangler does: conditions workerd / worker / browser, .wasm kept as a module
    const esbuild = await importTool("esbuild");
    const dist = path.join(tmp, "dist");
    fs.mkdirSync(dist);
    const wasmModules = {
      name: "wasm-modules",
      setup(b) {
        b.onResolve({ filter: /\.wasm$/ }, (args) => {
          const file = path.resolve(args.resolveDir, args.path);
          fs.copyFileSync(file, path.join(dist, path.basename(file)));
          return { path: `./${path.basename(file)}`, external: true };
        });
      },
    };
    await esbuild.build({
      entryPoints: [path.join(app, "src", "index.js")],
      bundle: true,
      format: "esm",
      platform: "neutral",
      target: "es2022",
      conditions: ["workerd", "worker", "browser"],
      mainFields: ["browser", "module", "main"],
      outfile: path.join(dist, "index.js"),
      // the runtime's own modules (the Durable Object base class), as wrangler leaves them
      external: ["cloudflare:*"],
      plugins: [wasmModules],
      logLevel: "silent",
    });
    try {
      fs.renameSync(tmp, dir);
    } catch (e) {
      // another process built the same thing first
      if (!fs.existsSync(scriptPath)) throw e;
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  prune(dir);
  return { dir, scriptPath, version, tarball: fs.readdirSync(path.join(dir, "pack"))[0] };
}

/** Remove earlier builds (and leftovers of interrupted ones) older than an hour, keeping the newest five. */
function prune(keep) {
  const hour = Date.now() - 3600_000;
  const entries = fs
    .readdirSync(WORK)
    .filter((n) => /^(build|tmp)-/.test(n))
    .map((n) => ({ p: path.join(WORK, n), t: fs.statSync(path.join(WORK, n)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  entries.forEach((e, i) => {
    if (e.p !== keep && e.t < hour && (i >= 5 || e.p.includes(`${path.sep}tmp-`))) fs.rmSync(e.p, { recursive: true, force: true });
  });
}

/** Apply worker-example/migrations/*.sql in order, as `wrangler d1 migrations apply` does. */
export async function applyMigrations(db) {
  const dir = path.join(WORKER_DIR, "migrations");
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith(".sql")).sort()) {
    const sql = fs
      .readFileSync(path.join(dir, f), "utf8")
      .split("\n")
      .map((l) => l.replace(/--.*$/, "")) // the migrations have no "--" inside strings
      .join("\n");
    for (const stmt of sql.split(";").map((x) => x.trim()).filter(Boolean)) await db.prepare(stmt).run();
  }
}

// ---- the mock platforms -------------------------------------------------------------------------

export const BOTS = {
  wecom: { platform: "wecom", key: "wecom-key-7c1f0a9e4b" },
  dingtalk: { platform: "dingtalk", key: "dingtalk-token-5d2e8b13f6", secret: "SECdingtalk0secret0b8f2c61a9d4e7" },
  feishu: { platform: "feishu", key: "feishu-hook-3a9c7e51d2", secret: "feishu-secret-e6b0d48c21" },
};

/** The seed's env variables for BOTS. */
export const SEED_ENV = {
  WECOM_WEBHOOK_KEY: BOTS.wecom.key,
  DINGTALK_ACCESS_TOKEN: BOTS.dingtalk.key,
  DINGTALK_SECRET: BOTS.dingtalk.secret,
  FEISHU_WEBHOOK_ID: BOTS.feishu.key,
  FEISHU_SECRET: BOTS.feishu.secret,
};

export const RELAY_TOKEN = "relay-token-9f8e7d6c5b4a39281706";

/** Every secret the tests configure, to check that none leaks into a response or a log line. */
export const SECRETS = [RELAY_TOKEN, ...Object.values(BOTS).flatMap((b) => [b.key, b.secret].filter(Boolean))];

export async function startMock(opts = {}) {
  const mock = await startMockPlatforms({ port: 0, ...opts });
  for (const b of Object.values(BOTS)) mock.addBot(b);
  return mock;
}

// ---- the relay ------------------------------------------------------------------------------------

/**
 * Start the relay in workerd. Queue and KV settings come from wrangler.toml; `queue` overrides
 * timings for tests (small batch timeout, few retries). `env` adds / replaces vars and secrets.
 */
export async function startRelay({
  built,
  mock,
  env = {},
  seed = true,
  token = RELAY_TOKEN,
  kv = true,
  queue = {},
  port,
  coordinator = true,
  isolates = 1,
  d1 = false,
} = {}) {
  const toml = readWranglerToml();
  const vars = Object.fromEntries(Object.entries(toml.vars ?? {}).map(([k, v]) => [k, String(v)]));
  // queue.none: no Queues bound at all (a relay deployed without them)
  const producers = {};
  for (const p of queue.none ? [] : toml.queues?.producers ?? []) producers[p.binding] = { queueName: p.queue };
  const consumers = {};
  for (const c of queue.none ? [] : toml.queues?.consumers ?? []) {
    consumers[c.queue] = {
      maxBatchSize: c.max_batch_size,
      maxBatchTimeout: queue.maxBatchTimeout ?? c.max_batch_timeout,
      maxRetries: queue.maxRetries ?? c.max_retries,
      ...(c.dead_letter_queue ? { deadLetterQueue: c.dead_letter_queue } : {}),
    };
    if (c.dead_letter_queue && queue.maxRetries !== undefined) vars.QUEUE_MAX_RETRIES = String(queue.maxRetries);
  }
  if (queue.maxRetries === undefined && !queue.none) {
    const main = (toml.queues?.consumers ?? []).find((c) => c.dead_letter_queue);
    if (main && String(main.max_retries) !== vars.QUEUE_MAX_RETRIES) {
      throw new Error(`wrangler.toml: QUEUE_MAX_RETRIES (${vars.QUEUE_MAX_RETRIES}) differs from the consumer's max_retries (${main.max_retries})`);
    }
  }
  const bindings = {
    ...vars,
    ...(seed ? SEED_ENV : {}),
    ...(token ? { RELAY_TOKEN: token } : {}),
    ...(mock ? { PLATFORM_BASE_URL: mock.url } : {}),
    ...env,
  };
  for (const [k, v] of Object.entries(bindings)) if (v === undefined || v === null) delete bindings[k];

  // The Durable Object bindings of wrangler.toml (coordinator: false leaves them out: the in-isolate path)
  const doBindings = coordinator ? (toml.durable_objects?.bindings ?? []) : [];
  // isolates > 1: that many copies of the Worker, each its own isolate with its own module scope
  // (its own MessageSender), sharing the queues, KV and Durable Objects, as isolates in production do
  const names = Array.from({ length: Math.max(1, isolates) }, (_, i) => `relay-${i}`);
  const workers = names.map((name, i) => ({
    name,
    modules: true,
    scriptPath: built.scriptPath,
    modulesRoot: path.dirname(built.scriptPath),
    modulesRules: MODULES_RULES,
    compatibilityDate: toml.compatibility_date,
    compatibilityFlags: toml.compatibility_flags ?? [],
    bindings,
    queueProducers: producers,
    // one consumer per queue
    queueConsumers: i === 0 ? consumers : {},
    kvNamespaces: kv ? ["DEDUP_KV"] : [],
    // d1: the DB binding (Miniflare's D1), with worker-example/migrations applied below
    ...(d1 ? { d1Databases: ["DB"] } : {}),
    durableObjects: Object.fromEntries(
      doBindings.map((b) => [b.name, i === 0 ? { className: b.class_name } : { className: b.class_name, scriptName: names[0] }]),
    ),
  }));
  // loopback only, no request.cf download from workers.cloudflare.com (and no cache file)
  const worker = await startWorkerd({ workers, ...(port !== undefined ? { port } : {}) });
  const { mf, url } = worker;
  if (d1) await applyMigrations(await mf.getD1Database("DB"));

  const parsed = () =>
    worker.lines().flatMap((l) => {
      const i = l.indexOf("{");
      if (i < 0) return [];
      try {
        const v = JSON.parse(l.slice(i));
        return v && typeof v.event === "string" ? [v] : [];
      } catch {
        return [];
      }
    });

  return {
    mf,
    url: url.href.replace(/\/$/, ""),
    env: bindings,
    /** POST JSON (or a string / Buffer as is) with the bearer token unless `token: null`. */
    async post(p, body, { token: t = token, headers = {}, raw = false } = {}) {
      const h = { "content-type": "application/json", ...headers };
      if (t) h.authorization = `Bearer ${t}`;
      const res = await mf.dispatchFetch(`http://relay.test${p}`, {
        method: "POST",
        headers: h,
        body: raw || typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body),
      });
      return response(res);
    },
    async get(p, init = {}) {
      return response(await mf.dispatchFetch(`http://relay.test${p}`, init));
    },
    /** POST JSON to isolate `i` (of `isolates`). */
    async postTo(i, p, body) {
      const w = await mf.getWorker(names[i % names.length]);
      const res = await w.fetch(`http://relay.test${p}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
      return response(res);
    },
    /** Raw log lines. */
    lines: worker.lines,
    logText: worker.output,
    /** Parsed JSON log events, optionally only those named `event`. */
    events: (event) => parsed().filter((e) => !event || e.event === event),
    async dispose() {
      await worker.dispose();
    },
  };
}

async function response(res) {
  const text = await res.text();
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: Object.fromEntries(res.headers), text, body };
}

/** Poll until `cond()` is truthy, or a non-empty array (returns it), or fail after `timeout` ms. */
export async function waitFor(cond, { timeout = 15_000, interval = 50, what = "the condition" } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await cond();
    if (Array.isArray(v) ? v.length > 0 : v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** The text a person sees, from a platform payload (for the demo and for assertions). */
export function visibleText(platform, body) {
  if (!body || typeof body !== "object") return "";
  if (platform === "wecom") {
    if (body.markdown) return body.markdown.content;
    if (body.markdown_v2) return body.markdown_v2.content;
    if (body.text) return body.text.content;
    if (body.template_card) {
      const c = body.template_card;
      return [c.main_title?.title, c.main_title?.desc, c.sub_title_text, ...(c.horizontal_content_list ?? []).map((h) => `${h.keyname}: ${h.value}`)]
        .filter(Boolean)
        .join("\n");
    }
  }
  if (platform === "dingtalk") {
    if (body.actionCard) return body.actionCard.text;
    if (body.markdown) return body.markdown.text;
    if (body.text) return body.text.content;
  }
  if (platform === "feishu" || platform === "lark") {
    if (body.card) {
      const parts = [body.card.header?.title?.content];
      const walkEl = (el) => {
        if (!el || typeof el !== "object") return;
        if (el.text?.content) parts.push(el.text.content);
        if (el.tag === "markdown" && el.content) parts.push(el.content);
        for (const f of el.fields ?? []) if (f.text?.content) parts.push(f.text.content);
        for (const a of el.actions ?? []) if (a.text?.content) parts.push(`[${a.text.content}]`);
        for (const c of el.elements ?? []) walkEl(c);
      };
      for (const el of body.card.elements ?? body.card.body?.elements ?? []) walkEl(el);
      return parts.filter(Boolean).join("\n");
    }
    if (body.content?.text) return body.content.text;
    if (body.content?.post) return postText(body.content.post);
  }
  return JSON.stringify(body);
}

/** A Feishu `post` as a person reads it: the title, then each row's text, links, mentions, images. */
export function postText(post) {
  const lang = post.zh_cn ?? post.en_us ?? Object.values(post)[0] ?? {};
  const row = (els) =>
    (Array.isArray(els) ? els : [])
      .map((e) => {
        switch (e?.tag) {
          case "text":
          case "md":
            return e.text ?? "";
          case "a":
            return `${e.text ?? e.href} <${e.href}>`;
          case "at":
            return `@${e.user_name ?? e.user_id}`;
          case "img":
            return `[image ${e.image_key ?? ""}]`.replace(" ]", "]");
          case "code_block":
            return `\n${e.text ?? ""}\n`;
          case "hr":
            return "———";
          default:
            return "";
        }
      })
      .join("");
  return [lang.title, ...(lang.content ?? []).map(row)].filter((x) => x !== undefined && x !== null && x !== "").join("\n");
}
