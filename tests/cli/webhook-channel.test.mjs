// The `webhook-push` command with `platform = "webhook"` channels (the generic target) in its
// TOML config: sent by --channel NAME and by --tag to a real receiver on 127.0.0.1, a disabled
// channel never sent, a bad template refused before anything goes out, and no token, secret or
// URL credential in any output. Runs the installed bin of the packed tarball.
//
//   bash scripts/pack-install.sh target/consumer
//   node --test tests/cli/webhook-channel.test.mjs        (CLI_RUNTIMES=node,deno,bun  CLI_CONSUMER=dir)
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const CONSUMER = path.resolve(ROOT, process.env.CLI_CONSUMER || "target/consumer");
const PKG = path.join(CONSUMER, "node_modules", "webhook-push");
const RUNTIMES = (process.env.CLI_RUNTIMES || "node,deno,bun").split(",").map((s) => s.trim()).filter(Boolean);

function command(rt) {
  const bin = path.join(CONSUMER, "node_modules", ".bin", "webhook-push");
  if (rt === "node") return [bin];
  if (rt === "deno") return [path.join(ROOT, "node_modules", ".bin", "deno"), "run", "-A", path.join(PKG, "cli.mjs")];
  if (rt === "bun") return [path.join(ROOT, "node_modules", ".bin", "bun"), bin];
  throw new Error(`unknown runtime ${rt}`);
}

const token = `tok_${crypto.randomBytes(10).toString("hex")}`;
const urlKey = `uk${crypto.randomBytes(10).toString("hex")}`;
const SECRETS = [token, urlKey];
const received = [];
let server;
let base;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wp-cli-webhook-"));

before(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const u = new URL(req.url, "http://x");
      received.push({ method: req.method, path: u.pathname, key: u.searchParams.get("key"), auth: req.headers.authorization, body });
      const fail = u.pathname === "/refuses";
      res.writeHead(200, { "content-type": "application/json" });
      res.end(fail ? JSON.stringify({ ok: false, error: `bad ${req.headers.authorization}` }) : JSON.stringify({ ok: true }));
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(async () => {
  await new Promise((r) => server.close(r));
  fs.rmSync(tmp, { recursive: true, force: true });
});

function run(rt, args, env = {}) {
  const [cmd, ...pre] = command(rt);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, [...pre, ...args], {
      cwd: tmp,
      env: { PATH: process.env.PATH, HOME: tmp, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      for (const s of SECRETS) assert.ok(!stdout.includes(s) && !stderr.includes(s), `${rt} ${args.join(" ")}: a secret was printed:\n${stdout}\n${stderr}`);
      resolve({ code, stdout, stderr });
    });
  });
}

function config() {
  const file = path.join(tmp, "webhook-push.toml");
  fs.writeFileSync(
    file,
    `
[channels.tickets]
platform = "webhook"
url = "${base}/tickets?key=\${URL_KEY}"
method = "PUT"
headers = { Authorization = "Bearer \${TICKETS_TOKEN}" }
body = '{"title": "{{title|untitled}}", "text": "{{message|text}}", "at": {{time|unix}}}'
check = { jsonPath = "ok", equals = true }
retry = { count = 1, intervalSeconds = 0.01 }
tags = ["ops"]

[channels.refuses]
platform = "webhook"
url = "${base}/refuses"
headers = "Authorization: Bearer \${TICKETS_TOKEN}"
body = { text = "{{message}}" }
check = { jsonPath = "ok", equals = true }
tags = ["ops"]

[channels.paused]
platform = "webhook"
url = "${base}/paused"
enabled = false
tags = ["ops"]
`,
  );
  return file;
}

const ENV = () => ({ TICKETS_TOKEN: token, URL_KEY: urlKey });

for (const rt of RUNTIMES) {
  describe(`webhook channels (${rt})`, () => {
    test("--channel sends the configured request; channels lists it redacted", async () => {
      const file = config();
      const before = received.length;
      const r = await run(rt, ["send", "-c", file, "--channel", "tickets", "--title", "Disk", "--content", "92% used", "--json"], ENV());
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const out = JSON.parse(r.stdout);
      assert.equal(out.results[0].platform, "webhook");
      assert.equal(out.results[0].success, true);
      const got = received.slice(before);
      assert.equal(got.length, 1);
      assert.equal(got[0].method, "PUT");
      assert.equal(got[0].auth, `Bearer ${token}`);
      assert.equal(got[0].key, urlKey);
      const b = JSON.parse(got[0].body);
      assert.equal(b.title, "Disk");
      assert.equal(b.text, "92% used");
      assert.equal(typeof b.at, "number");
      const list = await run(rt, ["channels", "-c", file, "--json"], ENV());
      assert.equal(list.code, 0, list.stderr);
      const tickets = JSON.parse(list.stdout).channels.find((c) => c.name === "tickets");
      assert.equal(tickets.platform, "webhook");
      assert.equal(tickets.target, `${base}/tickets?key=***`);
    });

    test("--tag sends to the enabled channels; a refusing receiver fails; the disabled one is never sent", async () => {
      const file = config();
      const before = received.length;
      const r = await run(rt, ["send", "-c", file, "--tag", "ops", "--content", "tagged", "--json"], ENV());
      assert.equal(r.code, 1, r.stdout + r.stderr);
      const out = JSON.parse(r.stdout);
      assert.equal(out.results.length, 2);
      const paths = received.slice(before).map((q) => q.path).sort();
      assert.deepEqual(paths, ["/refuses", "/tickets"]);
      assert.match(r.stdout, /ok is false, expected true/);
      const off = await run(rt, ["send", "-c", file, "--channel", "paused", "--content", "x"], ENV());
      assert.equal(off.code, 3, off.stdout + off.stderr);
      assert.ok(!received.some((q) => q.path === "/paused"));
    });

    test("a bad template is a usage error before anything is sent", async () => {
      const file = path.join(tmp, "bad.toml");
      fs.writeFileSync(file, `[channels.bad]\nplatform = "webhook"\nurl = "${base}/bad"\nbody = '{"a": "{{nope}}"}'\n`);
      const before = received.length;
      const r = await run(rt, ["send", "-c", file, "--channel", "bad", "--content", "x"]);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, /channels\.bad.*nope/);
      assert.equal(received.length, before);
    });
  });
}
