// The `webhook-push` command as a user runs it: installed from the packed tarball
// (scripts/pack-install.sh -> target/consumer), spawned as a process in Node, Deno and Bun,
// sending to the loopback mock platforms (tests/mock). Every run's stdout and stderr are
// searched for every key, token and secret used.
//
//   bash scripts/pack-install.sh target/consumer
//   node --test tests/cli/                 (CLI_RUNTIMES=node,deno,bun  CLI_CONSUMER=dir)
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { startMockPlatforms } from "../mock/platforms.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const CONSUMER = path.resolve(ROOT, process.env.CLI_CONSUMER || "target/consumer");
const PKG = path.join(CONSUMER, "node_modules", "webhook-push");
const RUNTIMES = (process.env.CLI_RUNTIMES || "node,deno,bun").split(",").map((s) => s.trim()).filter(Boolean);
const RUN_TIMEOUT_MS = 60_000;

if (!fs.existsSync(path.join(PKG, "package.json"))) {
  throw new Error(`${PKG} is missing: run scripts/pack-install.sh (or set CLI_CONSUMER)`);
}

function tool(name) {
  const bin = path.join(ROOT, "node_modules", ".bin", name);
  if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: npm install at the repository root`);
  return bin;
}

/** How each runtime runs the installed bin. */
function command(rt) {
  const bin = path.join(CONSUMER, "node_modules", ".bin", "webhook-push");
  switch (rt) {
    case "node":
      return [bin]; // the shebang: what npx runs
    case "deno":
      return [tool("deno"), "run", "-A", path.join(PKG, "cli.mjs")];
    case "bun":
      return [tool("bun"), bin];
    default:
      throw new Error(`unknown runtime ${rt}`);
  }
}

/** Every credential used, searched for in every output. */
const SECRETS = new Set();
const rand = (n = 10) => crypto.randomBytes(n).toString("hex");
function secret(prefix) {
  const s = `${prefix}${rand()}`;
  SECRETS.add(s);
  return s;
}

let mock;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wp-cli-"));
const HOME = path.join(tmp, "home");
fs.mkdirSync(HOME, { recursive: true });

before(async () => {
  mock = await startMockPlatforms({ port: 0 });
});
after(async () => {
  await mock?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/**
 * Run the CLI. Returns { code, stdout, stderr }. Asserts no secret appears in either stream.
 * opts: env (added to a clean environment), input (stdin text; else stdin is closed/empty),
 * cwd, onSpawn(child).
 */
function run(rt, args, opts = {}) {
  const [cmd, ...pre] = command(rt);
  const env = {
    PATH: process.env.PATH,
    HOME,
    XDG_CONFIG_HOME: path.join(HOME, ".config"),
    DENO_NO_UPDATE_CHECK: "1",
    NO_COLOR: "1",
    WEBHOOK_PUSH_BASE_URL: mock.url,
    ...opts.env,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, [...pre, ...args], { cwd: opts.cwd ?? tmp, env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${rt} ${args.join(" ")}: no exit within ${RUN_TIMEOUT_MS} ms\n${stdout}\n${stderr}`));
    }, RUN_TIMEOUT_MS);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      for (const s of SECRETS) {
        assert.ok(!stdout.includes(s) && !stderr.includes(s), `${rt} ${args[0]}: a secret was printed:\n${stdout}\n${stderr}`);
        const enc = encodeURIComponent(s);
        assert.ok(!stdout.includes(enc) && !stderr.includes(enc), `${rt}: an encoded secret was printed`);
      }
      resolve({ code, stdout, stderr });
    });
    opts.onSpawn?.(child);
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

/** A usage error: exit 2, one line on stderr, no stack, nothing on stdout. */
function assertUsage(r, re) {
  assert.equal(r.code, 2, `exit ${r.code}: ${r.stdout}${r.stderr}`);
  assert.equal(r.stdout, "");
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /^webhook-push: /);
  assert.doesNotMatch(r.stderr, /\n\s+at |Error:|file:\/\//);
  if (re) assert.match(r.stderr, re);
}

const sent = (platform, key) => mock.receivedFor(platform, key).filter((r) => r.outcome?.status === 200);

for (const rt of RUNTIMES) {
  describe(`webhook-push in ${rt}`, () => {
    // bots of this runtime only (random keys), so the mock's records separate cleanly
    const wecom = secret("wk");
    const ding = secret("dt");
    const dingSecret = secret("SEC");
    const feishu = secret("fh");
    const feishuSecret = secret("fs");
    const lark = secret("lk");
    const larkSecret = secret("ls");
    const kwDing = secret("dk");
    const kwDingSecret = secret("SEC");
    const feishuBurst = secret("fb");
    const wecomInt = secret("wi");
    const dingInt = secret("di");
    before(() => {
      // many runs a minute reach these bots: only the burst bot keeps its platform's rate limit
      const off = { rateLimit: false };
      mock.addBot({ platform: "wecom", key: wecom, ...off });
      mock.addBot({ platform: "dingtalk", key: ding, secret: dingSecret, ...off });
      mock.addBot({ platform: "feishu", key: feishu, secret: feishuSecret, ...off });
      mock.addBot({ platform: "lark", key: lark, secret: larkSecret, ...off });
      mock.addBot({ platform: "dingtalk", key: kwDing, secret: kwDingSecret, keywords: ["alert"], ...off });
      mock.addBot({ platform: "feishu", key: feishuBurst });
      mock.addBot({ platform: "wecom", key: wecomInt, ...off });
      mock.addBot({ platform: "dingtalk", key: dingInt, ...off });
    });

    test("--version, --help, per-command help; no command is a usage error", async () => {
      const pkg = JSON.parse(fs.readFileSync(path.join(PKG, "package.json"), "utf8"));
      const v = await run(rt, ["--version"]);
      assert.equal(v.code, 0);
      assert.equal(v.stdout.trim(), `webhook-push ${pkg.version}`);
      const h = await run(rt, ["--help"]);
      assert.equal(h.code, 0);
      for (const c of ["send-multi", "send-auto", "render", "info", "channels", "Exit codes", "dingtalk://"]) assert.ok(h.stdout.includes(c), c);
      const sh = await run(rt, ["send", "--help"]);
      assert.equal(sh.code, 0);
      for (const c of ["--markdown-file", "--escapes", "--tag", "--dry-run", "--json", "3  nothing to send"]) assert.ok(sh.stdout.includes(c), c);
      const none = await run(rt, []);
      assert.equal(none.code, 2);
      assert.equal(none.stdout, "");
      assert.match(none.stderr, /Usage:/);
    });

    test("send PLATFORM WEBHOOK (the seed's form) with a webhook URL; \\n literal unless --escapes", async () => {
      const url = mock.webhookUrl("wecom", wecom);
      const before = sent("wecom", wecom).length;
      const r = await run(rt, ["send", "wecom", url, "--content", "line1\\nline2"]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /✓ wecom {2}1 attempt/);
      const e = await run(rt, ["send", "wecom", url, "--type", "markdown", "--title", "Report", "--content", "# Daily Report\\n- Metrics here", "-e"]);
      assert.equal(e.code, 0, e.stdout + e.stderr);
      const got = sent("wecom", wecom).slice(before);
      assert.equal(got.length, 2);
      assert.equal(got[0].body.text.content, "line1\\nline2");
      assert.equal(got[1].body.msgtype, "markdown");
      const md = got[1].body.markdown.content;
      assert.match(md, /^# Daily Report$/m, md);
      assert.match(md, /^- Metrics here$/m, md);
      assert.ok(!md.includes("\\n"), md);
    });

    test("a markdown body that renders to nothing (only link definitions): exit 2 with the path, nothing sent", async () => {
      const url = mock.webhookUrl("wecom", wecom);
      const before = mock.receivedFor("wecom", wecom).length;
      const beforeFeishu = mock.receivedFor("feishu", feishu).length;
      const r = await run(rt, ["send", "wecom", url, "--type", "markdown", "--content", "[a]: https://e.com/\\n[b]: https://e.com/", "-e"]);
      assertUsage(r, /content\.body\.content: renders to nothing on WeCom: only link definitions/);
      const f = await run(rt, ["send", mock.webhookUrl("feishu", feishu), "--secret", feishuSecret, "--type", "markdown", "--content", "<!-- nothing -->"]);
      assertUsage(f, /content\.body\.content: renders to nothing on Feishu: only HTML/);
      assert.equal(mock.receivedFor("wecom", wecom).length, before, "nothing was posted");
      assert.equal(mock.receivedFor("feishu", feishu).length, beforeFeishu, "nothing was posted");
    });

    test("the platform is inferred from a URL; signed DingTalk from an Apprise URL with phone targets", async () => {
      const r = await run(rt, ["send", mock.webhookUrl("feishu", feishu), "--secret", feishuSecret, "--content", "inferred"]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /✓ feishu/);
      const before = sent("dingtalk", ding).length;
      const a = await run(rt, ["send", `dingtalk://${dingSecret}@${ding}/13800000000/+86%20139-0000-0000`, "--content", "apprise"]);
      assert.equal(a.code, 0, a.stdout + a.stderr);
      const got = sent("dingtalk", ding).slice(before);
      assert.equal(got.length, 1);
      assert.deepEqual(got[0].body.at.atMobiles, ["13800000000", "8613900000000"]);
      assert.ok(got[0].query.sign, "signed");
      // ?token= / ?secret= / ?to= and format=markdown
      const q = await run(rt, ["send", `dingtalk://?token=${ding}&secret=${dingSecret}&to=13700000000&format=markdown`, "--title", "T", "--content", "**bold**"]);
      assert.equal(q.code, 0, q.stdout + q.stderr);
      const last = sent("dingtalk", ding).at(-1);
      assert.equal(last.body.msgtype, "markdown");
      assert.deepEqual(last.body.at.atMobiles, ["13700000000"]);
    });

    test("Apprise wecombot:// feishu:// lark:// and shoutrrr lark:// wecom:// dingding://", async () => {
      const cases = [
        [`wecombot://${wecom}`, "wecom", wecom],
        [`wecombot://?key=${wecom}`, "wecom", wecom],
        [`feishu://${feishuSecret}@${feishu}`, "feishu", feishu],
        [`lark://${larkSecret}@${lark}?format=text&overflow=upstream`, "lark", lark],
        [`lark://open.larksuite.com/${lark}?secret=${larkSecret}&title=Shoutrrr`, "lark", lark],
        [`lark://open.feishu.cn/${feishu}?secret=${feishuSecret}`, "feishu", feishu],
      ];
      for (const [url, platform, key] of cases) {
        const n = sent(platform, key).length;
        const r = await run(rt, ["send", url, "--content", `via ${platform}`]);
        assert.equal(r.code, 0, `${url.split(":")[0]}: ${r.stdout}${r.stderr}`);
        assert.equal(sent(platform, key).length, n + 1, url.split("://")[0]);
      }
      const w = await run(rt, ["send", `wecom://${wecom}?mentioned_list=alice,@all&mentioned_mobile_list=13800000000`, "--content", "shoutrrr"]);
      assert.equal(w.code, 0, w.stdout + w.stderr);
      const wb = sent("wecom", wecom).at(-1).body;
      assert.deepEqual(wb.text.mentioned_list, ["alice", "@all"]);
      assert.deepEqual(wb.text.mentioned_mobile_list, ["13800000000"]);
      // the bot requires the keyword "alert": appended when missing, as shoutrrr does
      const k = await run(rt, ["send", `dingding://${kwDing}?secret=${kwDingSecret}&keyword=alert`, "--content", "disk full"]);
      assert.equal(k.code, 0, k.stdout + k.stderr);
      assert.match(sent("dingtalk", kwDing).at(-1).body.text.content, /disk full\nalert/);
      // without the keyword the platform refuses: exit 1 with its own words
      const nk = await run(rt, ["send", `dingding://${kwDing}?secret=${kwDingSecret}`, "--content", "disk full"]);
      assert.equal(nk.code, 1);
      assert.match(nk.stdout, /✗ dingtalk .*310000 "keywords not in content"/);
    });

    test("stdin: --content - and a piped body; --file (and - ) and --markdown-file", async () => {
      const n = sent("wecom", wecom).length;
      const a = await run(rt, ["send", "wecom", wecom, "--content", "-"], { input: "from stdin\n" });
      assert.equal(a.code, 0, a.stdout + a.stderr);
      const b = await run(rt, ["send", "wecom", wecom], { input: "piped body\n" });
      assert.equal(b.code, 0, b.stdout + b.stderr);
      const msgFile = path.join(tmp, `${rt}-card.json`);
      fs.writeFileSync(msgFile, JSON.stringify({ content: { type: "card", title: "Deploy", body: { text: "**ok**", buttons: [{ text: "Open", url: "https://example.com" }] } }, metadata: { message_id: `m-${rt}` } }));
      const c = await run(rt, ["send", "wecom", wecom, "--file", msgFile, "--json"]);
      assert.equal(c.code, 0, c.stdout + c.stderr);
      assert.equal(JSON.parse(c.stdout).results[0].messageId, `m-${rt}`);
      const d = await run(rt, ["send", "wecom", wecom, "--file", "-"], { input: JSON.stringify({ content: { type: "text", body: { text: "file from stdin" } } }) });
      assert.equal(d.code, 0, d.stdout + d.stderr);
      const md = path.join(tmp, `${rt}-report.md`);
      fs.writeFileSync(md, "# Nightly\n\n| job | status |\n|---|---|\n| build | ok |\n");
      const e = await run(rt, ["send", "wecom", wecom, "--markdown-file", md, "--message-id", `r-${rt}`, "--correlation-id", "c1", "--json"]);
      assert.equal(e.code, 0, e.stdout + e.stderr);
      assert.equal(JSON.parse(e.stdout).results[0].correlationId, "c1");
      const got = sent("wecom", wecom).slice(n);
      assert.deepEqual(
        got.map((g) => g.body.msgtype),
        ["text", "text", "template_card", "text", "markdown_v2"],
      );
      assert.equal(got[0].body.text.content, "from stdin");
      assert.equal(got[1].body.text.content, "piped body");
      assert.equal(got[3].body.text.content, "file from stdin");
    });

    test("config file: channels (redacted), --tag OR / AND / all, untagged default, ${VAR}, default locations", async () => {
      const dir = path.join(tmp, `${rt}-cfg`);
      fs.mkdirSync(dir, { recursive: true });
      const toml = `
[channels.ops-wecom]
url = "wecombot://\${WK}"
tags = ["ops"]

[channels.ops-ding]
platform = "dingtalk"
webhook = "${ding}"
secret = "\${DS}"
tags = ["ops", "critical"]
mentions = ["13800000000"]

[channels.dev-feishu]
url = "feishu://${feishuSecret}@${feishu}"
tags = ["dev"]

[channels.default-lark]
url = "lark://${larkSecret}@${lark}"
`;
      const file = path.join(dir, "webhook-push.toml");
      fs.writeFileSync(file, toml);
      const env = { WK: wecom, DS: dingSecret };
      const ls = await run(rt, ["channels", "--config", file], { env });
      assert.equal(ls.code, 0, ls.stdout + ls.stderr);
      assert.match(ls.stdout, /ops-ding +dingtalk +\*\*\* \(signed\) +tags: ops, critical/);
      assert.match(ls.stdout, /default-lark +lark +lark:\/\/\*\*\*@\*\*\* \(signed\) +\(no tags\)/);
      const lj = await run(rt, ["channels", "--json"], { env, cwd: dir }); // ./webhook-push.toml
      assert.equal(lj.code, 0, lj.stderr);
      assert.equal(JSON.parse(lj.stdout).channels.length, 4);

      const count = () => [sent("wecom", wecom).length, sent("dingtalk", ding).length, sent("feishu", feishu).length, sent("lark", lark).length];
      const delta = async (args, opts) => {
        const b = count();
        const r = await run(rt, args, { env, ...opts });
        return { r, d: count().map((n, i) => n - b[i]) };
      };
      let x = await delta(["send", "-c", file, "--tag", "ops", "--content", "ops"]);
      assert.equal(x.r.code, 0, x.r.stdout + x.r.stderr);
      assert.deepEqual(x.d, [1, 1, 0, 0]);
      assert.deepEqual(sent("dingtalk", ding).at(-1).body.at.atMobiles, ["13800000000"]);
      x = await delta(["send", "-c", file, "--tag", "ops,critical", "--content", "and"]);
      assert.deepEqual(x.d, [0, 1, 0, 0]);
      x = await delta(["send", "-c", file, "-g", "dev", "-g", "critical", "--content", "or"]);
      assert.deepEqual(x.d, [0, 1, 1, 0]);
      x = await delta(["send", "-c", file, "--tag", "all", "--content", "all", "--json"]);
      assert.deepEqual(x.d, [1, 1, 1, 1]);
      assert.equal(JSON.parse(x.r.stdout).successCount, 4);
      x = await delta(["send", "--content", "untagged"], { cwd: dir });
      assert.equal(x.r.code, 0, x.r.stdout + x.r.stderr);
      assert.deepEqual(x.d, [0, 0, 0, 1]);
      x = await delta(["send", "-c", file, "--tag", "nomatch", "--content", "none"]);
      assert.equal(x.r.code, 3);
      assert.deepEqual(x.d, [0, 0, 0, 0]);
      // ~/.config/webhook-push/config.toml
      const home = path.join(HOME, ".config", "webhook-push");
      fs.mkdirSync(home, { recursive: true });
      fs.writeFileSync(path.join(home, "config.toml"), `[channels.home]\nurl = "wecombot://${wecom}"\ntags = ["home"]\n`);
      try {
        x = await delta(["send", "--tag", "home", "--content", "from home config"]);
        assert.equal(x.r.code, 0, x.r.stdout + x.r.stderr);
        assert.deepEqual(x.d, [1, 0, 0, 0]);
      } finally {
        fs.rmSync(home, { recursive: true, force: true });
      }
      // a ${VAR} that is not set, an unknown key, bad TOML: exit 2, nothing sent
      x = await delta(["send", "-c", file, "--tag", "ops", "--content", "x"], { env: { WK: wecom } });
      assertUsage(x.r, /channels\.ops-ding\.secret uses \$\{DS\}, which is not set/);
      assert.deepEqual(x.d, [0, 0, 0, 0]);
      const bad = path.join(dir, "bad.toml");
      fs.writeFileSync(bad, `[channels.a]\nurl = "wecombot://${wecom}"\ntgas = ["x"]\n`);
      assertUsage(await run(rt, ["channels", "-c", bad]), /channels\.a\.tgas is not a channel key/);
      fs.writeFileSync(bad, `[channels.a\nurl = 1`);
      assertUsage(await run(rt, ["channels", "-c", bad]), /not valid TOML/);
    });

    test("send-multi and send-auto from flags and the environment", async () => {
      const b = [sent("wecom", wecom).length, sent("dingtalk", ding).length, sent("feishu", feishu).length];
      const m = await run(rt, ["send-multi", "wecom", "dingtalk", "--webhook", `wecom=wecombot://${wecom}`, "--webhook", `dingtalk=${ding}`, "--secret", `dingtalk=${dingSecret}`, "--content", "Notification"]);
      assert.equal(m.code, 0, m.stdout + m.stderr);
      assert.match(m.stdout, /✓ wecom/);
      assert.match(m.stdout, /✓ dingtalk/);
      const env = { WECOM_WEBHOOK_KEY: wecom, DINGTALK_ACCESS_TOKEN: ding, DINGTALK_SECRET: dingSecret, FEISHU_WEBHOOK_ID: feishu, FEISHU_SECRET: feishuSecret };
      const me = await run(rt, ["send-multi", "wecom", "dingtalk", "feishu", "--content", "from env"], { env });
      assert.equal(me.code, 0, me.stdout + me.stderr);
      const a = await run(rt, ["send-auto", "--content", "All platforms", "--json"], { env });
      assert.equal(a.code, 0, a.stdout + a.stderr);
      const aj = JSON.parse(a.stdout);
      assert.equal(aj.successCount, 3);
      // as the library's sendAuto: every platform not configured is reported, Lark included
      assert.deepEqual(aj.skippedPlatforms, ["lark"]);
      assert.deepEqual([sent("wecom", wecom).length - b[0], sent("dingtalk", ding).length - b[1], sent("feishu", feishu).length - b[2]], [3, 3, 2]);
      const partial = await run(rt, ["send-auto", "--content", "only wecom"], { env: { WECOM_WEBHOOK_KEY: wecom } });
      assert.equal(partial.code, 0);
      assert.match(partial.stdout, /skipped \(not configured\): dingtalk, feishu, lark$/m);
      const none = await run(rt, ["send-auto", "--content", "nobody"]);
      assert.equal(none.code, 3);
      assert.match(none.stderr, /nothing to send/);
      assertUsage(await run(rt, ["send-multi", "wecom", "dingtalk", "--content", "x"], { env: { WECOM_WEBHOOK_KEY: wecom } }), /missing webhook for dingtalk/);
    });

    test("info PLATFORM, from the core", async () => {
      for (const p of ["wecom", "dingtalk", "feishu", "lark"]) {
        const r = await run(rt, ["info", p, "--json"]);
        assert.equal(r.code, 0, r.stderr);
        const info = JSON.parse(r.stdout);
        assert.equal(info.platform, p);
        assert.ok(info.types.length >= 10);
        assert.ok(info.rateLimits.length >= 1);
        assert.ok(info.env.webhook.endsWith(p === "wecom" ? "_WEBHOOK_KEY" : p === "dingtalk" ? "_ACCESS_TOKEN" : "_WEBHOOK_ID"));
      }
      const t = await run(rt, ["info", "feishu"]);
      assert.equal(t.code, 0);
      assert.match(t.stdout, /↘ markdown +degraded as post/);
      assert.match(t.stdout, /✗ image \(base64\) +refused UNSUPPORTED/);
      assert.match(t.stdout, /5 per 1 s and 100 per 60 s/);
      assertUsage(await run(rt, ["info", "slack"]), /unknown platform 'slack'/);
      // the generic webhook target: what is fixed about it, not an error about a URL it was not given
      const w = await run(rt, ["info", "webhook"]);
      assert.equal(w.code, 0, w.stderr);
      assert.match(w.stdout, /^Webhook \(webhook\)$/m);
      assert.match(w.stdout, /configured per target: \{ url, method, headers, body/);
      assert.match(w.stdout, /rate +per target \(its rateLimit\)/);
      // from the engine's entry: each type through the default body
      assert.match(w.stdout, /✓ text +native as json \(the default body\)/);
      assert.doesNotMatch(w.stdout + w.stderr, /not a webhook URL or key/);
      const wj = JSON.parse((await run(rt, ["info", "webhook", "--json"])).stdout);
      assert.equal(wj.env.webhook, "WEBHOOK_CONFIG");
      assert.deepEqual(wj.rateLimits, []);
    });

    test("render and --dry-run print what would be posted and send nothing", async () => {
      const b = mock.received.length;
      const r = await run(rt, ["render", "dingtalk", ding, "--secret", dingSecret, "--type", "markdown", "--title", "T", "--content", "| a | b |\n|---|---|\n| 1 | 2 |"]);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.equal(out.payloads[0].msgtype, "markdown");
      assert.match(out.url, /access_token=\*\*\*&timestamp=\*\*\*&sign=\*\*\*$/);
      assert.deepEqual(out.degraded.map((d) => d.from), ["table"]);
      const f = await run(rt, ["render", `feishu://${feishuSecret}@${feishu}`, "--content", "hi"]);
      assert.equal(JSON.parse(f.stdout).payloads[0].sign, "***");
      const d = await run(rt, ["send", "--dry-run", "wecom", wecom, "--content", "dry"]);
      assert.equal(d.code, 0);
      assert.match(d.stdout, /dry run: nothing was sent/);
      const dj = await run(rt, ["send-auto", "-d", "--json", "--content", "dry"], { env: { FEISHU_WEBHOOK_ID: feishu, FEISHU_SECRET: feishuSecret } });
      assert.equal(JSON.parse(dj.stdout).rendered[0].platform, "feishu");
      assert.equal(mock.received.length, b, "nothing reached the mock");
    });

    test("a base URL applies to a full webhook URL on the platform's own host: nothing reaches the real platform", async () => {
      // WEBHOOK_PUSH_BASE_URL is the mock (run()'s environment); --base-url the same
      const n = sent("wecom", wecom).length;
      const w = await run(rt, ["send", "wecom", `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${wecom}`, "--content", "to the mock", "--retries", "0"]);
      assert.equal(w.code, 0, w.stdout + w.stderr);
      assert.equal(sent("wecom", wecom).length, n + 1);
      const d = sent("dingtalk", ding).length;
      const dr = await run(rt, ["send", `https://oapi.dingtalk.com/robot/send?access_token=${ding}`, "--secret", dingSecret, "--base-url", mock.url, "--content", "to the mock", "--retries", "0"], { env: { WEBHOOK_PUSH_BASE_URL: "" } });
      assert.equal(dr.code, 0, dr.stdout + dr.stderr);
      assert.equal(sent("dingtalk", ding).length, d + 1);
      // render shows the URL it would post to: the base URL's host
      const r = await run(rt, ["render", "feishu", `https://open.feishu.cn/open-apis/bot/v2/hook/${feishu}`, "--secret", feishuSecret, "--content", "x"]);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(JSON.parse(r.stdout).url.startsWith(`${mock.url}/open-apis/bot/v2/hook/`), r.stdout);
    });

    test("flags the message type cannot carry are usage errors naming the flag and the type, not dropped", async () => {
      const png = path.join(tmp, "red.png");
      fs.writeFileSync(png, Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex"));
      const b = mock.received.length;
      assertUsage(await run(rt, ["send", "wecom", wecom, "--attach", png, "-b", "caption"]), /--attach sends an image or a file: add --type image or --type file/);
      assertUsage(await run(rt, ["send", "wecom", wecom, "--attach", png]), /--attach sends an image or a file: add --type image or --type file/);
      assertUsage(await run(rt, ["send", "wecom", wecom, "--url", "https://e.com/", "-b", "x"]), /--url does not go with the default --type text: it goes with --type link or news or card or image or file/);
      assertUsage(await run(rt, ["send", "wecom", wecom, "--button", "A=https://e.com/", "-b", "x"]), /--button does not go with the default --type text: it goes with --type card/);
      const mdFile = path.join(tmp, "flags.md");
      fs.writeFileSync(mdFile, "# h\n");
      assertUsage(await run(rt, ["send", "wecom", wecom, "--markdown-file", mdFile, "--url", "https://e.com/"]), /--url does not go with --markdown-file \(a markdown message\)/);
      assertUsage(await run(rt, ["send", `wecom://${wecom}?format=markdown`, "--url", "https://e.com/", "-b", "x"]), /--url does not go with the target's format \(markdown\)/);
      assertUsage(await run(rt, ["send", "wecom", wecom, "--type", "markdown", "--attach", png, "-b", "x"]), /--attach does not go with --type markdown/);
      assertUsage(await run(rt, ["send", "wecom", wecom, "--type", "image", "--attach", png, "-b", "caption text", "-t", "T"]), /--content does not go with --type image/);
      assert.equal(mock.received.length, b, "nothing was sent");
      // what WeCom cannot show of an image (its title) is in degraded
      const j = await run(rt, ["send", "wecom", wecom, "--type", "image", "--attach", png, "-t", "T", "--json", "--dry-run"]);
      assert.equal(j.code, 0, j.stdout + j.stderr);
      assert.deepEqual(JSON.parse(j.stdout).rendered[0].degraded.map((d) => d.from), ["title"]);
    });

    test("--dry-run shows a message type a platform refuses as refused (✗ UNSUPPORTED, exit 1), not as an internal error", async () => {
      const b = mock.received.length;
      const png = path.join(tmp, "dry.png");
      fs.writeFileSync(png, Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex"));
      const one = await run(rt, ["send", "dingtalk", ding, "--secret", dingSecret, "--type", "image", "--attach", png, "--dry-run"]);
      assert.equal(one.code, 1, one.stdout + one.stderr);
      assert.doesNotMatch(one.stdout + one.stderr, /internal error/);
      assert.match(one.stdout, /^✗ dingtalk +refused +UNSUPPORTED +\S/m);
      assert.match(one.stdout, /dry run: nothing was sent \(1 refused\)/);
      // several targets: the one that can take it still renders; --json carries the refusal
      const multi = await run(rt, ["send-multi", "wecom", "dingtalk", "--webhook", `wecom=${wecom}`, "--webhook", `dingtalk=${ding}`, "--type", "image", "--attach", png, "--dry-run", "--json"]);
      assert.equal(multi.code, 1, multi.stdout + multi.stderr);
      const mj = JSON.parse(multi.stdout);
      assert.equal(mj.dryRun, true);
      assert.equal(mj.success, false);
      const byPlatform = Object.fromEntries(mj.rendered.map((r) => [r.platform, r]));
      assert.equal(byPlatform.wecom.payloads[0].msgtype, "image");
      assert.equal(byPlatform.dingtalk.refused, true);
      assert.equal(byPlatform.dingtalk.error.code, "UNSUPPORTED");
      assert.equal(mock.received.length, b, "nothing reached the mock");
    });

    test("--json and --quiet; exit 1 on a failure, with the platform's own words", async () => {
      const j = await run(rt, ["send", "wecom", wecom, "--content", "json", "--json"]);
      assert.equal(j.code, 0);
      const res = JSON.parse(j.stdout);
      assert.equal(res.success, true);
      assert.equal(res.results[0].platform, "wecom");
      const q = await run(rt, ["send", "wecom", wecom, "--content", "quiet", "-q"]);
      assert.equal(q.code, 0);
      assert.equal(q.stdout + q.stderr, "");
      const wrong = secret("nokey");
      const w = await run(rt, ["send", "wecom", wrong, "--content", "x"]);
      assert.equal(w.code, 1);
      assert.match(w.stdout, /✗ wecom {2}1 attempt {2}PLATFORM_ERROR 93000 "invalid webhook url"/);
      const wq = await run(rt, ["send", "wecom", wrong, "--content", "x", "--quiet"]);
      assert.equal(wq.code, 1);
      assert.equal(wq.stdout, "");
      // retried, then failed: busy three times with --retries 2
      mock.script("wecom", wecom, [{ type: "busy", times: 3 }]);
      const busy = await run(rt, ["send", "wecom", wecom, "--content", "busy", "--retries", "2", "--retry-delay", "10", "--json"]);
      assert.equal(busy.code, 1);
      const bj = JSON.parse(busy.stdout);
      assert.equal(bj.results[0].attempts, 3);
      assert.equal(bj.results[0].error.platformCode, -1);
      assert.equal(bj.results[0].retrySuggested, true);
      // one delivered, one failed: exit 1
      const mixed = await run(rt, ["send", `wecombot://${wecom}`, `wecombot://${wrong}`, "--content", "mixed", "--json"]);
      assert.equal(mixed.code, 1);
      assert.deepEqual(JSON.parse(mixed.stdout).results.map((r) => r.success), [true, false]);
    });

    test("bad input: one line, exit 2, nothing sent, no secret", async () => {
      const b = mock.received.length;
      const msg = path.join(tmp, `${rt}-bad.json`);
      fs.writeFileSync(msg, JSON.stringify({ content: { type: "news", body: { links: [{ title: "a", url: "https://e.com" }, { title: "b" }] } } }));
      const syntax = path.join(tmp, `${rt}-syntax.json`);
      fs.writeFileSync(syntax, '{"content": {');
      const cases = [
        [["send", "wecom", wecom, "--content", "x", "--bogus"], /unknown option '--bogus'/],
        [["sned", "wecom"], /unknown command 'sned'/],
        [["send", "slack", wecom, "--content", "x"], /unknown platform 'slack'/],
        [["send", "dingtalk", "--content", "x"], /missing webhook: send dingtalk WEBHOOK, or set DINGTALK_ACCESS_TOKEN/],
        [["send", "--content", "x"], /missing target/],
        [["send", `dingtalk://${dingSecret}@bad!${ding}/`, "--content", "x"], /malformed dingtalk:\/\/ URL: the token/],
        [["send", `dingtalk://${ding}/?secrt=${dingSecret}`, "--content", "x"], /unknown parameter 'secrt'/],
        [["send", `https://oapi.dingtalk.com:99999/robot/send?access_token=${ding}`, "--content", "x"], /malformed webhook URL: bad port/],
        [["send", "wecom", `https://oapi.dingtalk.com/robot/send?access_token=${ding}`, "--content", "x"], /is a DingTalk webhook, but the platform is WeCom/],
        [["send", "wecom", wecom, "--file", msg], /content\.body\.links\[1\]\.url/],
        [["send", "wecom", wecom, "--file", syntax], /not JSON/],
        [["send", "wecom", wecom, "--file", path.join(tmp, "missing.json")], /no such file/],
        [["send", "wecom", wecom, "--content", "   "], /the message is empty/],
        [["send", "wecom", wecom, "--content", "x", "--type", "video"], /--type must be one of/],
        [["send", "wecom", wecom, "--content", "x", "--retries", "many"], /--retries must be a whole number/],
        [["send", "wecom", wecom, "--secret", dingSecret, "--content", "x"], /WeCom group bots are not signed/],
        [["send", `dingding://${ding}?kind=worknotice&secret=${dingSecret}`, "--content", "x"], /worknotice/],
      ];
      for (const [args, re] of cases) assertUsage(await run(rt, args), re);
      assertUsage(await run(rt, ["send", "wecom", wecom], { input: "" }), /the message is empty/);
      assert.equal(mock.received.length, b, "nothing was sent");
    });

    test("a burst over a rate window shows a progress line and is delivered in full", async () => {
      // Feishu: 5 a second. One message split into 7 parts waits for the window once.
      const para = (i) => `${String(i).repeat(8)} ${"x".repeat(14_000)}`;
      const text = Array.from({ length: 7 }, (_, i) => para(i)).join("\n\n");
      const n = sent("feishu", feishuBurst).length;
      const r = await run(rt, ["send", "feishu", feishuBurst, "--content", "-", "--json"], { input: text });
      assert.equal(r.code, 0, r.stderr);
      const res = JSON.parse(r.stdout).results[0];
      assert.equal(res.parts, 7);
      assert.equal(res.partsDelivered, 7);
      assert.equal(sent("feishu", feishuBurst).length - n, 7);
      assert.match(r.stderr, /… waiting \d+\.\d s for the feishu bot's rate window/);
    });

    test("Ctrl-C (SIGINT) stops and reports what was and was not delivered", async () => {
      mock.script("dingtalk", dingInt, [{ type: "delay", ms: 20_000 }]);
      const before = mock.receivedFor("dingtalk", dingInt).length;
      let child;
      const done = run(rt, ["send", `wecombot://${wecomInt}`, `dingtalk://${dingInt}/`, "--content", "interrupt me", "--timeout", "30000"], {
        onSpawn: (c) => (child = c),
      });
      // wait (bounded) until the delayed request reached the mock, then interrupt
      for (let i = 0; i < 300 && mock.receivedFor("dingtalk", dingInt).length === before; i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok(mock.receivedFor("dingtalk", dingInt).length > before, "the DingTalk request arrived");
      await new Promise((r) => setTimeout(r, 200));
      child.kill("SIGINT");
      const r = await done;
      assert.equal(r.code, 1, r.stdout + r.stderr);
      // the delayed DingTalk request is reported as not delivered; WeCom as delivered, or as
      // interrupted if its answer had not been read yet: either way the counts agree
      assert.match(r.stdout, /✗ dingtalk .*interrupted: not known to be delivered/);
      const m = r.stdout.match(/interrupted: (\d) delivered, (\d) not/);
      assert.ok(m, r.stdout);
      assert.equal(Number(m[1]) + Number(m[2]), 2);
      assert.equal(/✓ wecom/.test(r.stdout), m[1] === "1", r.stdout);
      assert.equal(/✗ wecom .*interrupted/.test(r.stdout), m[1] === "0", r.stdout);
    });

    test("the library takes the same URLs: render, send and sendMulti", { skip: rt !== "node" }, async () => {
      const wp = await import(path.join(PKG, "node.mjs"));
      const r = wp.render({ content: { type: "text", body: { text: "hi" } } }, "dingtalk", { webhook: `dingtalk://${dingSecret}@${ding}/`, baseUrl: mock.url });
      assert.match(r.url, /access_token=.*&timestamp=\d+&sign=/);
      const sender = new wp.MessageSender({ baseUrls: { dingtalk: mock.url, lark: mock.url }, retryPolicy: { maxRetries: 0 } });
      const n = sent("dingtalk", ding).length;
      const one = await sender.send({ content: { type: "text", body: { text: "lib" } } }, "dingtalk", `dingtalk://${dingSecret}@${ding}/`);
      assert.equal(one.success, true, JSON.stringify(one.error));
      assert.equal(sent("dingtalk", ding).length, n + 1);
      const multi = await sender.sendMulti({ content: { type: "text", body: { text: "lib multi" } } }, { platforms: ["lark"], webhookUrls: { lark: `lark://open.larksuite.com/${lark}?secret=${larkSecret}` } });
      assert.equal(multi.successCount, 1, JSON.stringify(multi.results));
      const bad = await sender.send({ content: { type: "text", body: { text: "x" } } }, "wecom", `dingtalk://${ding}/`);
      assert.equal(bad.error.code, "INVALID_CONFIG");
      assert.ok(!JSON.stringify(bad).includes(ding));
      const t = wp.parseTarget(`wecom://${wecom}?mentioned_list=@all`);
      assert.deepEqual([t.platform, t.webhook, t.redacted, t.mentions], ["wecom", wecom, "wecom://***", [{ type: "all" }]]);
      // the URL's message options apply in the library too: a keyword the bot requires, phone mentions
      const kw = wp.render({ content: { type: "text", body: { text: "disk full" } } }, "dingtalk", { webhook: `dingding://${kwDing}?keyword=alert` });
      assert.equal(kw.payloads[0].text.content, "disk full\nalert");
      const withKw = await sender.send({ content: { type: "text", body: { text: "lib kw" } } }, "dingtalk", `dingding://${kwDing}?secret=${kwDingSecret}&keyword=alert`);
      assert.equal(withKw.success, true, JSON.stringify(withKw.error));
      assert.equal(sent("dingtalk", kwDing).at(-1).body.text.content, "lib kw\nalert");
      const phones = await sender.send({ content: { type: "text", body: { text: "lib at" } } }, "dingtalk", `dingtalk://${dingSecret}@${ding}/13800000000`);
      assert.equal(phones.success, true, JSON.stringify(phones.error));
      assert.deepEqual(sent("dingtalk", ding).at(-1).body.at.atMobiles, ["13800000000"]);
      const multiKw = await sender.sendMulti({ content: { type: "text", body: { text: "lib multi kw" } } }, { platforms: ["dingtalk"], webhookUrls: { dingtalk: `dingding://${kwDing}?keyword=alert` }, secrets: { dingtalk: kwDingSecret } });
      assert.equal(multiKw.successCount, 1, JSON.stringify(multiKw.results));
      assert.equal(sent("dingtalk", kwDing).at(-1).body.text.content, "lib multi kw\nalert");
      // overflow=error: a message over the limit is not posted, unless the sender's options say otherwise
      const long = { content: { type: "text", body: { text: "x ".repeat(15000) } } };
      const n2 = sent("dingtalk", ding).length;
      const refused = await sender.send(long, "dingtalk", `dingtalk://${dingSecret}@${ding}/?overflow=upstream`);
      assert.equal(refused.success, false);
      assert.equal(sent("dingtalk", ding).length, n2, "nothing posted");
      const splitter = new wp.MessageSender({ baseUrls: { dingtalk: mock.url }, retryPolicy: { maxRetries: 0 }, overflow: "split" });
      const split = await splitter.send(long, "dingtalk", `dingtalk://${dingSecret}@${ding}/?overflow=upstream`);
      assert.equal(split.success, true, JSON.stringify(split.error));
      assert.ok(split.parts >= 2, `${split.parts}`);
    });

    test("npx-style: the bin runs from the consumer's node_modules/.bin by name", { skip: rt !== "node" }, async () => {
      const r = await new Promise((resolve) => {
        const c = spawn("npx", ["--offline", "--no-install", "webhook-push", "info", "wecom", "--json"], { cwd: CONSUMER, env: { PATH: process.env.PATH, HOME, npm_config_update_notifier: "false" } });
        let out = "";
        c.stdout.on("data", (d) => (out += d));
        c.on("close", (code) => resolve({ code, out }));
      });
      assert.equal(r.code, 0);
      assert.equal(JSON.parse(r.out).platform, "wecom");
    });
  });
}
