#!/usr/bin/env node
// webhook-push: the command line. Every message, target and delivery goes through the
// package's own wasm core (render, parseTarget, platformInfo, MessageSender): this file
// parses arguments, reads files and the config, and prints. Bundled (with the TOML parser)
// into the package's cli.mjs by scripts/assemble-pkg.mjs, so the package has no dependencies.
import { Buffer } from "node:buffer";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";

const EXIT = { OK: 0, FAILED: 1, USAGE: 2, NOTHING: 3 };
const PLATFORMS = ["wecom", "dingtalk", "feishu", "lark"];
const TYPES = ["text", "markdown", "link", "news", "card", "image", "file"];

const EXIT_HELP = `Exit codes:
  0  every delivery succeeded (or, with --dry-run / render, everything rendered)
  1  at least one delivery failed, or Ctrl-C stopped it before all were delivered
  2  usage or input error (unknown flag or platform, missing webhook, malformed URL,
     bad JSON, empty body): nothing was sent
  3  nothing to send: no target configured or matched`;

const MESSAGE_HELP = `Message:
  -b, --content TEXT        the message; "-" reads stdin (also read when piped and no
                            --content / --file / --markdown-file is given)
      --type TYPE           text (default), markdown, link, news, card, image, file
  -t, --title TEXT          title (markdown, link, news, card; a heading elsewhere)
      --mention WHO         @ someone: a mobile number, a user id, or "all" (repeatable)
      --url URL             link / news / card target, image or file URL
      --button TEXT=URL     a card button (repeatable)
      --attach PATH         image or file to send as bytes (type image or file)
      --file PATH           a unified message as JSON ("-" for stdin)
      --markdown-file PATH  a markdown file as the message (type markdown)
  -e, --escapes             read \\n, \\t and \\\\ in --content and --title as escapes (off: literal)
      --message-id ID       dedup id; --correlation-id ID is carried into the result`;

const DELIVERY_HELP = `Delivery:
      --secret S            signing secret (DingTalk, Feishu, Lark); send-multi: PLATFORM=S
      --retries N           retries after the first attempt (default 3)
      --retry-delay MS      first retry's wait (default 1000), doubling up to --max-delay
      --max-delay MS        cap on one wait (default 30000)
      --timeout MS          per attempt (default 10000)
      --max-time MS         bound on a whole delivery, waits included (default 180000)
      --max-wait MS         longest wait for a bot's rate window (default 150000)
      --overflow MODE       over a platform's limit: split (default), truncate, error
      --base-url URL        scheme and host instead of the platforms' (a proxy, a test server;
                            also WEBHOOK_PUSH_BASE_URL); applies to keys, service URLs and
                            webhook URLs on a platform's own host (qyapi.weixin.qq.com,
                            oapi.dingtalk.com, open.feishu.cn, open.larksuite.com), not to
                            URLs on other hosts nor to the generic webhook target's url
  -d, --dry-run             render and print what would be sent; send nothing
Output:
      --json                the result objects as JSON on stdout
  -q, --quiet               print nothing but usage errors (use the exit code)
  -h, --help                this help`;

const HELP = {
  main: `webhook-push: send to WeCom, DingTalk and Feishu / Lark group bots.

Usage:
  webhook-push send PLATFORM WEBHOOK --content TEXT [options]
  webhook-push send URL [URL...] --content TEXT         (platform from each URL)
  webhook-push send --tag ops[,critical] --content TEXT (channels of the config file)
  webhook-push send-multi wecom dingtalk [feishu lark] --content TEXT
  webhook-push send-auto --content TEXT
  webhook-push render PLATFORM [WEBHOOK] --content TEXT
  webhook-push info PLATFORM
  webhook-push channels
  webhook-push COMMAND --help     webhook-push --version

WEBHOOK is a webhook URL, a bare key / access token / hook id, or an Apprise / shoutrrr
URL: dingtalk://{secret}@{token}/{phone}, wecombot://{key}, feishu://{token},
lark://{token}, lark://open.larksuite.com/{token}?secret=, wecom://{key}?mentioned_list=,
dingding://{token}?secret=. Secrets are never printed.

Environment (send-multi, send-auto, and send with no WEBHOOK): WECOM_WEBHOOK_KEY,
DINGTALK_ACCESS_TOKEN, DINGTALK_SECRET, FEISHU_WEBHOOK_ID, FEISHU_SECRET, LARK_WEBHOOK_ID,
LARK_SECRET. Config: --config FILE, WEBHOOK_PUSH_CONFIG, ./webhook-push.toml or
~/.config/webhook-push/config.toml.

${EXIT_HELP}`,
  send: `Usage:
  webhook-push send PLATFORM WEBHOOK [options]     one bot
  webhook-push send PLATFORM [options]             the bot configured in the environment
  webhook-push send URL [URL...] [options]         platform inferred from each URL
  webhook-push send --tag TAG [--tag TAG...]       config channels: a repeated --tag is OR,
                                                   a comma is AND, "all" is every channel
  webhook-push send --channel NAME [--channel ...] config channels by name
  webhook-push send [options]                      config channels that have no tags

${MESSAGE_HELP}

Targets:
  -c, --config FILE         the channels file (TOML)
  -g, --tag TAG             channels with this tag (repeatable)
      --channel NAME        the channel of this name (repeatable)

${DELIVERY_HELP}

${EXIT_HELP}`,
  "send-multi": `Usage:
  webhook-push send-multi PLATFORM [PLATFORM...] [options]

Each platform's webhook comes from --webhook PLATFORM=URL, else the environment
(WECOM_WEBHOOK_KEY, DINGTALK_ACCESS_TOKEN, FEISHU_WEBHOOK_ID, LARK_WEBHOOK_ID), and its
secret from --secret PLATFORM=S, else DINGTALK_SECRET / FEISHU_SECRET / LARK_SECRET.

      --webhook P=URL       the webhook of platform P (repeatable)

${MESSAGE_HELP}

${DELIVERY_HELP}

${EXIT_HELP}`,
  "send-auto": `Usage:
  webhook-push send-auto [options]

Sends to every platform configured in the environment: WECOM_WEBHOOK_KEY,
DINGTALK_ACCESS_TOKEN (+ DINGTALK_SECRET), FEISHU_WEBHOOK_ID (+ FEISHU_SECRET),
LARK_WEBHOOK_ID (+ LARK_SECRET). Exit 3 when none is set.

${MESSAGE_HELP}

${DELIVERY_HELP}

${EXIT_HELP}`,
  render: `Usage:
  webhook-push render PLATFORM [WEBHOOK] [options]
  webhook-push render URL [options]

Prints the payloads that would be posted (JSON), the URL redacted. Nothing is sent.

${MESSAGE_HELP}

      --secret S            sign as for sending (the signature is shown as ***)
      --overflow MODE       split (default), truncate, error

${EXIT_HELP}`,
  info: `Usage:
  webhook-push info PLATFORM [--json]

What the platform takes: each message type (native, degraded and to what, refused),
byte limits, rate limits, signing, the environment variables and URL schemes.`,
  channels: `Usage:
  webhook-push channels [--config FILE] [--tag TAG] [--json]

Lists the config file's channels: name, platform, target (secrets redacted), tags.

Config file (TOML), ./webhook-push.toml or ~/.config/webhook-push/config.toml:

  [channels.ops-ding]
  url = "dingtalk://\${DINGTALK_SECRET}@\${DINGTALK_ACCESS_TOKEN}/"   # \${VAR}: from the environment
  tags = ["ops", "critical"]

  [channels.team-wecom]
  platform = "wecom"
  webhook = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=..."
  mentions = ["all"]

  [channels.tickets]                  # any URL, by template (the generic webhook target)
  platform = "webhook"
  url = "https://tickets.example.com/api/events"
  method = "POST"                     # PUT, PATCH
  headers = { Authorization = "Bearer \${TICKETS_TOKEN}" }
  body = '{"title": "{{title|alert}}", "text": "{{message|text}}", "at": {{time|unix}}}'
  check = { status = "2xx", jsonPath = "ok", equals = true }
  retry = { count = 3, intervalSeconds = 5 }
  tags = ["ops"]                      # enabled = false: never selected`,
};

class UsageError extends Error {}
const usage = (msg) => {
  throw new UsageError(msg);
};

// ---- output ----------------------------------------------------------------------------------

/** Every credential met, replaced in anything printed. */
const SECRETS = new Set();
function keep(secret) {
  if (typeof secret === "string" && secret.length >= 4) SECRETS.add(secret);
}
function scrub(text) {
  let s = String(text);
  for (const sec of [...SECRETS].sort((a, b) => b.length - a.length)) s = s.split(sec).join("***");
  for (const sec of SECRETS) {
    const enc = encodeURIComponent(sec);
    if (enc !== sec) s = s.split(enc).join("***");
  }
  return s;
}

const out = [];
const print = (line) => out.push(scrub(line));
const printErr = (line) => process.stderr.write(`${scrub(line)}\n`);

/** Write what was printed, then exit once it is flushed (stdout may be a pipe). */
function finish(code) {
  const text = out.length ? `${out.join("\n")}\n` : "";
  out.length = 0;
  if (!text) return exitNow(code);
  process.stdout.write(text, () => exitNow(code));
}
function exitNow(code) {
  process.exitCode = code;
  process.exit(code);
}

// ---- arguments -------------------------------------------------------------------------------

const MESSAGE_OPTIONS = {
  content: { type: "string", short: "b" },
  type: { type: "string" },
  title: { type: "string", short: "t" },
  mention: { type: "string", multiple: true },
  url: { type: "string" },
  button: { type: "string", multiple: true },
  attach: { type: "string" },
  file: { type: "string" },
  "markdown-file": { type: "string" },
  escapes: { type: "boolean", short: "e" },
  "message-id": { type: "string" },
  "correlation-id": { type: "string" },
};
const DELIVERY_OPTIONS = {
  secret: { type: "string", multiple: true },
  retries: { type: "string" },
  "retry-delay": { type: "string" },
  "max-delay": { type: "string" },
  timeout: { type: "string" },
  "max-time": { type: "string" },
  "max-wait": { type: "string" },
  overflow: { type: "string" },
  "base-url": { type: "string" },
  "dry-run": { type: "boolean", short: "d" },
};
const OUTPUT_OPTIONS = {
  json: { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
  help: { type: "boolean", short: "h" },
};
const COMMANDS = {
  send: { ...MESSAGE_OPTIONS, ...DELIVERY_OPTIONS, ...OUTPUT_OPTIONS, config: { type: "string", short: "c" }, tag: { type: "string", short: "g", multiple: true }, channel: { type: "string", multiple: true } },
  "send-multi": { ...MESSAGE_OPTIONS, ...DELIVERY_OPTIONS, ...OUTPUT_OPTIONS, webhook: { type: "string", multiple: true } },
  "send-auto": { ...MESSAGE_OPTIONS, ...DELIVERY_OPTIONS, ...OUTPUT_OPTIONS },
  render: { ...MESSAGE_OPTIONS, ...OUTPUT_OPTIONS, secret: { type: "string", multiple: true }, overflow: { type: "string" }, "base-url": { type: "string" } },
  info: { ...OUTPUT_OPTIONS },
  channels: { ...OUTPUT_OPTIONS, config: { type: "string", short: "c" }, tag: { type: "string", short: "g", multiple: true } },
};

function parse(command, argv) {
  try {
    return parseArgs({ args: argv, options: COMMANDS[command], allowPositionals: true, strict: true });
  } catch (e) {
    // node's messages quote the flag, never a value; keep the first sentence
    const m = String(e.message).split(/\. |\n/)[0].replace(/^Unknown option/, "unknown option");
    usage(`${m} (see webhook-push ${command} --help)`);
  }
}

function int(values, name, { min = 0, max = 86_400_000 } = {}) {
  const v = values[name];
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) usage(`--${name} must be a whole number from ${min} to ${max}`);
  return Number(v);
}

function oneSecret(values) {
  const list = values.secret || [];
  if (list.length > 1) usage("--secret is given more than once; send-multi takes PLATFORM=S, send one secret");
  if (list[0] !== undefined && list[0].trim() === "") usage("--secret is empty");
  keep(list[0]);
  return list[0];
}

// ---- input -----------------------------------------------------------------------------------

let stdinRead = false;
async function readStdin(what) {
  if (stdinRead) usage(`stdin is read only once (${what})`);
  stdinRead = true;
  const chunks = [];
  for await (const c of process.stdin) chunks.push(typeof c === "string" ? Buffer.from(c) : c);
  return Buffer.concat(chunks).toString("utf8");
}
async function readFile(p, flag) {
  if (p === "-") return readStdin(flag);
  try {
    return fs.readFileSync(p, "utf8");
  } catch (e) {
    usage(`${flag} ${p}: ${e.code === "ENOENT" ? "no such file" : e.code === "EISDIR" ? "is a directory" : "cannot be read"}`);
  }
}
function stdinIsPiped() {
  try {
    const st = fs.fstatSync(0);
    return st.isFIFO() || st.isFile() || st.isSocket();
  } catch {
    return false;
  }
}

function unescape(s) {
  return s.replace(/\\(n|t|r|\\|")/g, (_, c) => ({ n: "\n", t: "\t", r: "\r", "\\": "\\", '"': '"' })[c]);
}

function mentionOf(who) {
  const w = String(who).trim();
  if (!w) usage("--mention is empty");
  if (w.toLowerCase() === "all" || w === "@all") return { type: "all" };
  if (/^\+?[\d\s()-]{11,20}$/.test(w) && /^\d{11,14}$/.test(w.replace(/\D/g, ""))) return { type: "mobile", value: w.replace(/\D/g, "") };
  return { type: "user_id", value: w.replace(/^@/, "") };
}

/** The message types that carry each of these flags. */
const FLAG_TYPES = { url: ["link", "news", "card", "image", "file"], button: ["card"], attach: ["image", "file"] };

/** The unified message from the flags, or from --file. Type and body checks are the core's. */
async function buildMessage(values, { typeFromUrl } = {}) {
  const meta = {};
  if (values["message-id"] !== undefined) meta.message_id = values["message-id"];
  if (values["correlation-id"] !== undefined) meta.correlation_id = values["correlation-id"];
  const sources = ["content", "file", "markdown-file"].filter((k) => values[k] !== undefined);
  if (sources.length > 1) usage(`give one of --content, --file and --markdown-file, not ${sources.map((s) => `--${s}`).join(" and ")}`);
  if (values.file !== undefined) {
    for (const k of ["type", "title", "mention", "url", "button", "attach"]) {
      if (values[k] !== undefined) usage(`--${k} does not go with --file: the file is the whole message`);
    }
    const name = values.file === "-" ? "stdin" : values.file;
    const text = await readFile(values.file, "--file");
    let msg;
    try {
      msg = JSON.parse(text);
    } catch (e) {
      usage(`${name}: not JSON (${String(e.message).split("\n")[0]})`);
    }
    if (msg && typeof msg === "object" && !Array.isArray(msg) && Object.keys(meta).length) msg.metadata = { ...(msg.metadata || {}), ...meta };
    return { msg, origin: name };
  }
  let type = values.type ?? typeFromUrl ?? "text";
  if (values["markdown-file"] !== undefined) {
    if (values.type !== undefined && values.type !== "markdown") usage("--markdown-file sends markdown; drop --type");
    type = "markdown";
  }
  if (!TYPES.includes(type)) usage(`--type must be one of ${TYPES.join(", ")}`);
  // a flag the type cannot carry is refused, not dropped
  for (const [flag, types] of Object.entries(FLAG_TYPES)) {
    if (values[flag] === undefined || types.includes(type)) continue;
    // where the type came from: the flag, the markdown file, the target URL's format, or the default
    const given =
      values.type !== undefined
        ? `--type ${type}`
        : values["markdown-file"] !== undefined
          ? "--markdown-file (a markdown message)"
          : typeFromUrl !== undefined
            ? `the target's format (${type})`
            : `the default --type ${type}`;
    if (flag === "attach" && type === "text") usage(`--attach sends an image or a file: add --type image or --type file`);
    usage(`--${flag} does not go with ${given}: it goes with --type ${types.join(" or ")}`);
  }
  let content;
  if (values["markdown-file"] !== undefined) content = await readFile(values["markdown-file"], "--markdown-file");
  else if (values.content === "-") content = await readStdin("--content -");
  else if (values.content !== undefined) content = values.escapes ? unescape(values.content) : values.content;
  else if (!["image", "file"].includes(type) && stdinIsPiped()) content = await readStdin("piped stdin");
  content = content === undefined ? "" : String(content).replace(/\r?\n$/, "");
  const title = values.title !== undefined && values.escapes ? unescape(values.title) : values.title;
  const needText = () => {
    if (!content.trim()) usage("the message is empty: give --content TEXT, --content - (stdin), --file or --markdown-file");
  };
  const attach = () => {
    if (values.attach === undefined) return undefined;
    try {
      return fs.readFileSync(values.attach);
    } catch (e) {
      usage(`--attach ${values.attach}: ${e.code === "ENOENT" ? "no such file" : "cannot be read"}`);
    }
  };
  let body;
  switch (type) {
    case "text":
      needText();
      body = { text: content };
      break;
    case "markdown":
      needText();
      body = { content };
      break;
    case "link":
      if (!values.url) usage("--type link needs --url");
      body = { title: title ?? content, text: content, url: values.url };
      break;
    case "news":
      if (!values.url) usage("--type news needs --url");
      body = { links: [{ title: title ?? content, description: content || undefined, url: values.url }] };
      break;
    case "card": {
      needText();
      const buttons = (values.button || []).map((b) => {
        const i = b.indexOf("=");
        if (i <= 0) usage("--button takes TEXT=URL");
        return { text: b.slice(0, i), url: b.slice(i + 1) };
      });
      body = { title, text: content, buttons: buttons.length ? buttons : undefined, url: values.url };
      break;
    }
    case "image": {
      // the text is the image's URL when nothing else gives one; an image carries no caption
      if (content && (values.attach !== undefined || values.url)) {
        usage("--content does not go with --type image: an image carries no text (send the text as its own message, or use --type card)");
      }
      const bytes = attach();
      if (bytes) body = { base64: bytes.toString("base64") };
      else if (values.url || content) body = { url: values.url || content.trim() };
      else usage("--type image needs --url URL or --attach PATH");
      break;
    }
    case "file": {
      if (content && (values.attach !== undefined || values.url)) {
        usage("--content does not go with --type file: a file carries no text (send the text as its own message)");
      }
      const bytes = attach();
      if (bytes) body = { base64: bytes.toString("base64"), name: path.basename(values.attach) };
      else if (values.url || content) body = { url: values.url || content.trim(), name: title };
      else usage("--type file needs --url URL or --attach PATH");
      break;
    }
  }
  const mentions = (values.mention || []).map(mentionOf);
  const msg = { content: { type, body } };
  if (title !== undefined && !["link", "news"].includes(type)) msg.content.title = title;
  if (mentions.length) msg.content.mentions = mentions;
  if (Object.keys(meta).length) msg.metadata = meta;
  return { msg, origin: "the message" };
}

/** The message for one target: a config channel's own mentions added. What a service URL says
 *  (its mentions, title, keyword, link, format) the core applies: the URL itself is sent. */
function messageFor(base, t) {
  if (!t.channelMentions?.length) return base;
  const msg = structuredClone(base);
  const c = msg.content;
  if (!c || typeof c !== "object") return msg;
  c.mentions = [...(Array.isArray(c.mentions) ? c.mentions : []), ...t.channelMentions];
  return msg;
}

// ---- targets ---------------------------------------------------------------------------------

/** The core's reading of a target, as a usage error when it is bad. */
function target(wp, input, platform, label) {
  let t;
  try {
    t = wp.parseTarget(String(input), platform);
  } catch (e) {
    usage(`${label ?? "the target"}: ${e.message}`);
  }
  keep(t.secret);
  if (!t.webhook.includes("://")) keep(t.webhook);
  else {
    // a webhook URL: its credential is the key / access_token, or the hook id
    try {
      const u = new URL(t.webhook);
      for (const k of ["key", "access_token", "token", "secret", "sign"]) keep(u.searchParams.get(k) ?? undefined);
      const hook = u.pathname.split("/hook/")[1];
      if (hook) keep(hook.split("/")[0]);
    } catch {
      keep(t.webhook);
    }
  }
  // the target as written: a service URL's message options are applied by the core
  return { ...t, input: String(input).trim(), name: label ?? t.platform };
}

function envTarget(wp, platform, env) {
  const info = wp.platformInfo(platform);
  const hook = env[info.env.webhook]?.trim();
  if (!hook) return null;
  const secret = info.env.secret ? env[info.env.secret]?.trim() || undefined : undefined;
  keep(secret);
  const t = target(wp, hook, platform, info.env.webhook);
  if (secret && !t.secret) t.secret = secret;
  return t;
}

/** The canonical platform for a name or alias (the core's list), or null. */
function platformName(wp, p) {
  try {
    return wp.parseTarget("placeholderkey", String(p)).platform;
  } catch {
    return null;
  }
}

// ---- config ----------------------------------------------------------------------------------

function configPath(explicit) {
  if (explicit) return explicit;
  if (process.env.WEBHOOK_PUSH_CONFIG) return process.env.WEBHOOK_PUSH_CONFIG;
  const here = path.resolve("webhook-push.toml");
  if (fs.existsSync(here)) return here;
  const base = process.env.XDG_CONFIG_HOME || path.join(os.homedir(), ".config");
  const home = path.join(base, "webhook-push", "config.toml");
  return fs.existsSync(home) ? home : null;
}

async function loadChannels(wp, explicit) {
  const file = configPath(explicit);
  if (!file) return { file: null, channels: [] };
  const text = await readFile(file, "--config");
  const { parse: parseToml } = await import("smol-toml");
  let doc;
  try {
    doc = parseToml(text);
  } catch (e) {
    usage(`${file}: not valid TOML (${String(e.message).split("\n")[0]})`);
  }
  const known = new Set(["channels"]);
  for (const k of Object.keys(doc)) if (!known.has(k)) usage(`${file}: unknown table or key '${k}' (expected [channels.NAME])`);
  const channels = [];
  const expand = (v, at) => {
    if (typeof v !== "string") usage(`${file}: ${at} must be a string`);
    return v.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name) => {
      const val = process.env[name];
      if (val === undefined || val === "") usage(`${file}: ${at} uses \${${name}}, which is not set`);
      return val;
    });
  };
  for (const [name, ch] of Object.entries(doc.channels || {})) {
    const at = `channels.${name}`;
    if (!ch || typeof ch !== "object" || Array.isArray(ch)) usage(`${file}: ${at} must be a table`);
    if (ch.platform === "webhook") {
      channels.push(webhookChannel(wp, name, ch, `${file}: ${at}`, expand));
      continue;
    }
    for (const k of Object.keys(ch)) {
      if (!["url", "platform", "webhook", "secret", "tags", "mentions"].includes(k)) usage(`${file}: ${at}.${k} is not a channel key (url, platform, webhook, secret, tags, mentions)`);
    }
    if ((ch.url === undefined) === (ch.webhook === undefined)) usage(`${file}: ${at} needs url, or platform and webhook`);
    const input = expand(ch.url ?? ch.webhook, `${at}.${ch.url !== undefined ? "url" : "webhook"}`);
    const platform = ch.platform === undefined ? undefined : expand(ch.platform, `${at}.platform`);
    const t = target(wp, input, platform, `${file}: ${at}`);
    t.name = name;
    if (ch.secret !== undefined) {
      const s = expand(ch.secret, `${at}.secret`);
      keep(s);
      t.secret = s;
    }
    const tags = ch.tags ?? [];
    if (!Array.isArray(tags) || !tags.every((x) => typeof x === "string" && x.trim())) usage(`${file}: ${at}.tags must be a list of strings`);
    t.tags = tags.map((x) => x.trim().toLowerCase());
    const mentions = ch.mentions ?? [];
    if (!Array.isArray(mentions)) usage(`${file}: ${at}.mentions must be a list of strings`);
    t.channelMentions = mentions.map((m, i) => (typeof m === "string" ? mentionOf(m) : usage(`${file}: ${at}.mentions[${i}] must be a string`)));
    t.mentions = [...t.mentions, ...t.channelMentions];
    t.redacted = wp.parseTarget(input, platform).redacted;
    channels.push(t);
  }
  return { file, channels };
}

const WEBHOOK_KEYS = ["platform", "url", "method", "headers", "body", "contentType", "timeout", "check", "retry", "rateLimit", "secret", "signing", "tags", "enabled", "description"];

/** A `platform = "webhook"` channel: the generic target's configuration, checked by the core.
 *  `${VAR}` is expanded in url, secret and header values; every credential is kept out of output. */
function webhookChannel(wp, name, ch, at, expand) {
  for (const k of Object.keys(ch)) {
    if (!WEBHOOK_KEYS.includes(k)) usage(`${at}.${k} is not a webhook channel key (${WEBHOOK_KEYS.join(", ")})`);
  }
  if (ch.url === undefined) usage(`${at} needs url`);
  const config = { ...ch, name };
  delete config.platform;
  config.url = expand(ch.url, "url");
  if (ch.secret !== undefined) config.secret = expand(ch.secret, "secret");
  keep(config.secret);
  if (typeof ch.headers === "string") config.headers = expand(ch.headers, "headers");
  else if (ch.headers && typeof ch.headers === "object") {
    config.headers = Object.fromEntries(Object.entries(ch.headers).map(([k, v]) => [k, expand(v, `headers.${k}`)]));
  }
  const headerValues = typeof config.headers === "string" ? config.headers.split(/\r?\n/).map((l) => l.slice(l.indexOf(":") + 1)) : Object.values(config.headers || {});
  for (const v of headerValues) for (const w of String(v).split(/\s+/)) if (w.length >= 8 && !w.includes("{{")) keep(w);
  let redacted = "(invalid url)";
  try {
    const u = new URL(config.url);
    for (const v of u.searchParams.values()) keep(v);
    redacted = `${u.origin}${u.pathname}${u.search ? `?${[...u.searchParams.keys()].map((k) => `${k}=***`).join("&")}` : ""}`;
  } catch {
    keep(config.url);
  }
  try {
    wp.render({ content: { type: "text", body: { text: "check" } } }, "webhook", { webhook: config });
  } catch (e) {
    if (e?.code !== "UNSUPPORTED") usage(`${at}: ${scrub(e.message)}`);
  }
  const tags = ch.tags ?? [];
  if (!Array.isArray(tags) || !tags.every((x) => typeof x === "string" && x.trim())) usage(`${at}.tags must be a list of strings`);
  return { platform: "webhook", name, config, secret: config.secret, tags: tags.map((x) => x.trim().toLowerCase()), mentions: [], redacted, enabled: ch.enabled !== false, webhook: redacted };
}

/** Apprise's rule: each --tag is OR, a comma inside one is AND, "all" matches every channel;
 *  with no --tag, the channels that have no tags. A disabled channel is never selected. */
function matchTags(channels, tagArgs) {
  channels = channels.filter((c) => c.enabled !== false);
  if (!tagArgs?.length) return channels.filter((c) => c.tags.length === 0);
  const groups = tagArgs.map((t) => t.split(",").map((x) => x.trim().toLowerCase()).filter(Boolean));
  if (groups.some((g) => g.length === 0)) usage("--tag is empty");
  return channels.filter((c) => groups.some((g) => g.every((tag) => tag === "all" || c.tags.includes(tag))));
}

// ---- delivery --------------------------------------------------------------------------------

function senderOptions(values, onRateWait) {
  const retryPolicy = {};
  const r = int(values, "retries", { max: 100 });
  if (r !== undefined) retryPolicy.maxRetries = r;
  const d = int(values, "retry-delay");
  if (d !== undefined) retryPolicy.initialDelay = d;
  const md = int(values, "max-delay");
  if (md !== undefined) retryPolicy.maxDelay = md;
  const mt = int(values, "max-time");
  if (mt !== undefined) retryPolicy.maxTotalTime = mt;
  const o = { retryPolicy, onRateWait };
  const t = int(values, "timeout", { min: 1 });
  if (t !== undefined) o.timeout = t;
  const w = int(values, "max-wait");
  if (w !== undefined) o.maxQueueDelay = w;
  if (values.overflow !== undefined) o.overflow = overflowOf(values.overflow);
  const base = values["base-url"] ?? process.env.WEBHOOK_PUSH_BASE_URL;
  if (base) o.baseUrls = Object.fromEntries(PLATFORMS.map((p) => [p, base]));
  return o;
}

function overflowOf(v) {
  if (!["split", "truncate", "error", "upstream"].includes(v)) usage("--overflow must be split, truncate or error");
  return v === "upstream" ? "error" : v;
}

function typeFromTargets(targets, values) {
  if (values.type !== undefined) return undefined;
  const f = targets.map((t) => t.format).filter(Boolean);
  return f.includes("markdown") ? "markdown" : undefined;
}

/** Check every target's message with the core before anything is sent (exit 2 on bad input). */
function precheck(wp, items, values, origin) {
  for (const it of items) {
    try {
      new wp.UnifiedMessage(it.msg);
    } catch (e) {
      usage(`${origin}: ${e.path ? `${e.path}: ` : ""}${e.message}`);
    }
    try {
      wp.render(it.msg, it.t.platform, renderOpts(it.t, values));
    } catch (e) {
      // a type a platform cannot show is that delivery's failure, not a usage error
      if (e.code === "UNSUPPORTED") continue;
      usage(`${it.t.name}: ${e.path ? `${e.path}: ` : ""}${e.message}`);
    }
  }
}

function renderOpts(t, values) {
  if (t.config) return { webhook: t.config };
  const o = { webhook: t.input ?? t.webhook };
  if (t.secret) o.secret = t.secret;
  const ov = values.overflow ?? t.overflow;
  if (ov) o.overflow = overflowOf(ov);
  const base = values["base-url"] ?? process.env.WEBHOOK_PUSH_BASE_URL;
  if (base) o.baseUrl = base;
  return o;
}

/** The URL render signed, as it may be shown: known credentials and the signature as ***. */
function shownUrl(url) {
  return url === null ? null : scrub(url).replace(/([?&](?:sign|timestamp)=)[^&#]*/g, "$1***");
}

function redactPayload(p) {
  const c = structuredClone(p);
  if (c && typeof c === "object" && c.headers && typeof c.body === "string") {
    // a webhook request: credential headers and signatures hidden, the rest scrubbed
    for (const k of Object.keys(c.headers)) {
      c.headers[k] = /auth|token|key|secret|sign|cookie|password|session|credential/i.test(k) ? "***" : scrub(c.headers[k]);
    }
    c.body = scrub(c.body);
    return c;
  }
  if (c && typeof c === "object" && "sign" in c) c.sign = "***";
  return c;
}

function fmtDuration(ms) {
  return ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;
}

function resultLine(r, name, tty) {
  const ok = r.success;
  const mark = ok ? (tty ? "\x1b[32m✓\x1b[0m" : "✓") : tty ? "\x1b[31m✗\x1b[0m" : "✗";
  const bits = [`${mark} ${r.platform}`];
  if (name && name !== r.platform) bits.push(name);
  bits.push(`${r.attempts} attempt${r.attempts === 1 ? "" : "s"}`);
  if (r.parts > 1) bits.push(`${r.partsDelivered}/${r.parts} parts`);
  if (r.degraded?.length) bits.push(`degraded: ${r.degraded.map((d) => `${d.from}→${d.to}`).join(", ")}`);
  if (!ok && r.error) {
    let e = r.error.code;
    if (r.error.platformCode !== null && r.error.platformCode !== undefined) e += ` ${r.error.platformCode}`;
    if (r.error.platformMessage) e += ` "${r.error.platformMessage}"`;
    bits.push(e);
    bits.push(r.error.message);
    if (r.retrySuggested) bits.push(`retry${r.retryAfter ? ` in ${fmtDuration(r.retryAfter)}` : " later"}`);
  }
  return bits.join("  ");
}

async function deliver(wp, items, values, extra = {}) {
  const tty = process.stdout.isTTY && !values.json;
  const color = tty && !process.env.NO_COLOR;
  const errTty = process.stderr.isTTY;
  const quiet = values.quiet;
  if (values["dry-run"]) {
    // Each target on its own: one the package refuses (a type the platform cannot take, a bad
    // secret) is shown as refused, as a real send would report it, and the others still render.
    const rendered = items.map(({ t, msg }) => {
      try {
        const r = wp.render(msg, t.platform, renderOpts(t, values));
        return { name: t.name, platform: r.platform, url: shownUrl(r.url), signed: Boolean(t.secret), payloads: r.payloads.map(redactPayload), degraded: r.degraded, parts: r.parts };
      } catch (e) {
        if (!e || typeof e.code !== "string") throw e;
        return { name: t.name, platform: t.platform, refused: true, error: { code: e.code, message: scrub(String(e.message)), ...(e.path ? { path: e.path } : {}) } };
      }
    });
    const refused = rendered.filter((r) => r.refused).length;
    if (values.json) print(JSON.stringify({ dryRun: true, success: refused === 0, rendered }, null, 2));
    else if (!quiet) {
      for (const r of rendered) {
        if (r.refused) {
          const mark = color ? "\x1b[31m✗\x1b[0m" : "✗";
          print(`${mark} ${r.platform}  ${r.name && r.name !== r.platform ? `${r.name}  ` : ""}refused  ${r.error.code}  ${r.error.message}`);
          continue;
        }
        print(`• ${r.platform}  ${r.name !== r.platform ? `${r.name}  ` : ""}${r.url}${r.signed ? " (signed)" : ""}  ${r.parts} part${r.parts === 1 ? "" : "s"}${r.degraded.length ? `  degraded: ${r.degraded.map((d) => `${d.from}→${d.to}`).join(", ")}` : ""}`);
        for (const p of r.payloads) print(`  ${JSON.stringify(p)}`);
      }
      print(`dry run: nothing was sent${refused ? ` (${refused} refused)` : ""}`);
    }
    return refused ? EXIT.FAILED : EXIT.OK;
  }

  let progress = "";
  const onRateWait = ({ platform, waitMs }) => {
    if (quiet) return;
    const line = `… waiting ${fmtDuration(waitMs)} for the ${platform} bot's rate window`;
    if (errTty) {
      process.stderr.write(`\r\x1b[K${line}`);
      progress = line;
    } else if (line !== progress) {
      process.stderr.write(`${line}\n`);
      progress = line;
    }
  };
  const sender = new wp.MessageSender(senderOptions(values, onRateWait));
  const results = new Array(items.length).fill(null);
  let interrupted = false;
  const done = new Promise((resolve) => {
    let left = items.length;
    items.forEach(({ t, msg }, i) => {
      const sent = t.config ? sender.send(msg, "webhook", { webhook: t.config }) : sender.send(msg, t.platform, { webhookUrl: t.input ?? t.webhook, secret: t.secret ?? undefined });
      sent.then((r) => {
        results[i] = r;
        if (!quiet && !values.json && tty) {
          if (progress && errTty) process.stderr.write("\r\x1b[K");
          progress = "";
          process.stdout.write(`${scrub(resultLine(r, t.name, color))}\n`);
          r.printed = true;
        }
        if (--left === 0) resolve();
      });
    });
  });
  const onSigint = () => {
    interrupted = true;
    report();
  };
  process.once("SIGINT", onSigint);
  process.once("SIGTERM", onSigint);

  function report() {
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigint);
    if (progress && errTty) process.stderr.write("\r\x1b[K");
    const finished = results.filter(Boolean);
    const pending = items.filter((_, i) => !results[i]);
    const failed = finished.filter((r) => !r.success).length + pending.length;
    if (values.json) {
      const clean = finished.map(({ printed, ...r }) => r);
      print(
        JSON.stringify(
          {
            success: failed === 0,
            successCount: finished.length - finished.filter((r) => !r.success).length,
            failedCount: failed,
            results: clean,
            ...(interrupted ? { interrupted: true, notDelivered: pending.map((it) => ({ platform: it.t.platform, name: it.t.name })) } : {}),
            ...extra,
          },
          null,
          2,
        ),
      );
    } else if (!quiet) {
      for (const r of results) if (r && !r.printed) print(resultLine(r, items[results.indexOf(r)].t.name, false));
      if (interrupted) {
        for (const it of pending) print(`✗ ${it.t.platform}  ${it.t.name !== it.t.platform ? `${it.t.name}  ` : ""}interrupted: not known to be delivered (a part may have gone out)`);
        print(`interrupted: ${finished.filter((r) => r.success).length} delivered, ${failed} not`);
      }
      if (extra.skippedPlatforms?.length) print(`skipped (not configured): ${extra.skippedPlatforms.join(", ")}`);
    }
    finish(failed === 0 ? EXIT.OK : EXIT.FAILED);
  }

  await done;
  if (!interrupted) report();
  return null;
}

// ---- commands --------------------------------------------------------------------------------

/** Does the config this command reads have a `platform = "webhook"` channel? Only then does the
 *  command load webhook-push/webhook, whose wasm carries the generic webhook engine; otherwise the
 *  main entry's smaller wasm (bench/cli.mjs: the one-shot send is faster on it). A config that
 *  does not parse loads the main entry, and loadChannels reports it. */
async function needsWebhookEngine(explicit) {
  const file = configPath(explicit);
  if (!file) return false;
  try {
    const { parse: parseToml } = await import("smol-toml");
    const doc = parseToml(fs.readFileSync(file, "utf8"));
    return Object.values(doc.channels || {}).some((ch) => ch && typeof ch === "object" && ch.platform === "webhook");
  } catch {
    return false;
  }
}

async function loadCore(readsConfig, explicitConfig) {
  // Node: a one-shot command runs little wasm, then exits; V8's optimising tier (TurboFan
  // compiling hot wasm functions in the background, waited for at exit) only delays it.
  // Liftoff, the baseline compiler, alone is the fastest one-shot (bench/cli.mjs measures it).
  if (process.versions?.node && !process.versions.bun && typeof globalThis.Deno === "undefined") {
    try {
      (await import("node:v8")).setFlagsFromString("--liftoff-only");
    } catch {
      // an unknown flag is harmless: tier-up stays on
    }
  }
  // webhook-push/webhook: the main entry's API with the generic webhook engine, for
  // `platform = "webhook"` channels (the main entry's wasm has no template engine)
  if (readsConfig && (await needsWebhookEngine(explicitConfig))) return import("./webhook-node.mjs");
  return import("./node.mjs");
}

async function cmdSend(wp, values, positionals) {
  let targets = [];
  let extra = {};
  if (positionals.length && platformName(wp, positionals[0])) {
    const [p, hook, ...more] = positionals;
    if (more.length) usage("send PLATFORM WEBHOOK takes one webhook; for several, give URLs or use send-multi");
    if (values.tag) usage("--tag selects config channels; drop PLATFORM WEBHOOK or --tag");
    if (hook === undefined) {
      const t = envTarget(wp, p, process.env);
      if (!t) {
        const info = wp.platformInfo(p);
        usage(`missing webhook: send ${p} WEBHOOK, or set ${info.env.webhook}`);
      }
      targets.push(t);
    } else targets.push(target(wp, hook, p));
    const s = oneSecret(values);
    if (s) targets[0].secret = s;
  } else if (positionals.length) {
    if (values.tag) usage("--tag selects config channels; give URLs or --tag, not both");
    if (positionals.length === 2 && /^[A-Za-z_]{1,16}$/.test(positionals[0])) {
      usage(`unknown platform '${positionals[0]}'; expected wecom, dingtalk, feishu or lark`);
    }
    positionals.forEach((u, i) => targets.push(target(wp, u, undefined, positionals.length > 1 ? `target ${i + 1}` : undefined)));
    const s = oneSecret(values);
    if (s) {
      if (targets.length > 1) usage("--secret with several URLs is ambiguous: put each secret in its URL");
      targets[0].secret = s;
    }
  } else {
    if (values.secret) usage("--secret goes with PLATFORM WEBHOOK; a channel's secret goes in the config");
    const { file, channels } = await loadChannels(wp, values.config);
    if (!file) {
      if (values.tag) return nothing("no config file: --config FILE, WEBHOOK_PUSH_CONFIG, ./webhook-push.toml or ~/.config/webhook-push/config.toml", values);
      usage("missing target: send PLATFORM WEBHOOK, send URL, or --tag with a config file (see webhook-push send --help)");
    }
    if (values.channel?.length) {
      if (values.tag) usage("--channel and --tag: give one or the other");
      for (const n of values.channel) {
        const c = channels.find((x) => x.name === n);
        if (!c) usage(`no channel '${n}' in ${file}`);
        if (c.enabled === false) return nothing(`channel '${n}' is disabled (enabled = false)`, values);
        targets.push(c);
      }
    } else targets = matchTags(channels, values.tag);
    if (!targets.length) return nothing(`no channel in ${file} matches ${values.tag ? `--tag ${values.tag.join(" --tag ")}` : "(no --tag: channels without tags)"}`, values);
  }
  return sendTo(wp, targets, values, extra);
}

function nothing(why, values) {
  if (values.json) print(JSON.stringify({ success: false, successCount: 0, failedCount: 0, results: [], nothingToSend: why }, null, 2));
  else if (!values.quiet) printErr(`webhook-push: nothing to send: ${why}`);
  return EXIT.NOTHING;
}

async function sendTo(wp, targets, values, extra) {
  const { msg, origin } = await buildMessage(values, { typeFromUrl: typeFromTargets(targets, values) });
  const items = targets.map((t) => ({ t, msg: messageFor(msg, t) }));
  precheck(wp, items, values, origin);
  return deliver(wp, items, values, extra);
}

async function cmdSendMulti(wp, values, positionals) {
  if (!positionals.length) usage("send-multi needs platforms: send-multi wecom dingtalk [feishu lark]");
  const hooks = {};
  for (const w of values.webhook || []) {
    const i = w.indexOf("=");
    if (i <= 0 || !platformName(wp, w.slice(0, i))) usage("--webhook takes PLATFORM=URL (wecom, dingtalk, feishu, lark)");
    hooks[platformName(wp, w.slice(0, i))] = w.slice(i + 1);
  }
  const secrets = {};
  for (const s of values.secret || []) {
    const i = s.indexOf("=");
    if (i <= 0 || !platformName(wp, s.slice(0, i))) usage("send-multi --secret takes PLATFORM=SECRET");
    secrets[platformName(wp, s.slice(0, i))] = s.slice(i + 1);
    keep(s.slice(i + 1));
  }
  const seen = new Set();
  const targets = [];
  for (const p of positionals) {
    if (!platformName(wp, p)) {
      const shown = /^[A-Za-z_]{1,16}$/.test(p) ? `'${p}'` : "given";
      usage(`unknown platform ${shown}; expected wecom, dingtalk, feishu or lark`);
    }
    const canon = platformName(wp, p);
    if (seen.has(canon)) usage(`${canon} is named twice`);
    seen.add(canon);
    let t;
    if (hooks[canon]) t = target(wp, hooks[canon], canon);
    else {
      t = envTarget(wp, canon, process.env);
      if (!t) usage(`missing webhook for ${canon}: --webhook ${canon}=URL or ${wp.platformInfo(canon).env.webhook}`);
    }
    const s = secrets[canon];
    if (s) t.secret = s;
    targets.push(t);
  }
  return sendTo(wp, targets, values, {});
}

async function cmdSendAuto(wp, values, positionals) {
  if (positionals.length) usage("send-auto takes no platforms: it sends to every one configured in the environment");
  if (values.secret) usage("send-auto reads secrets from the environment (DINGTALK_SECRET, FEISHU_SECRET, LARK_SECRET)");
  const targets = [];
  const skipped = [];
  for (const p of PLATFORMS) {
    const t = envTarget(wp, p, process.env);
    if (t) targets.push(t);
    else skipped.push(p); // every platform not configured, Lark too, as sendAuto reports them
  }
  if (!targets.length) {
    const names = PLATFORMS.map((p) => wp.platformInfo(p).env.webhook).join(", ");
    return nothing(`no platform is configured in the environment (${names})`, values);
  }
  return sendTo(wp, targets, values, { skippedPlatforms: skipped });
}

async function cmdRender(wp, values, positionals) {
  let t;
  if (!positionals.length) usage("render needs a platform or a URL: render PLATFORM [WEBHOOK]");
  if (positionals.length > 2) usage("render takes PLATFORM [WEBHOOK] or one URL");
  if (platformName(wp, positionals[0])) {
    const p = positionals[0];
    t = positionals[1] !== undefined ? target(wp, positionals[1], p) : { platform: platformName(wp, p), mentions: [], webhook: undefined, name: undefined };
  } else {
    if (positionals.length > 1) usage(`unknown platform${/^[A-Za-z_]{1,16}$/.test(positionals[0]) ? ` '${positionals[0]}'` : ""}; expected wecom, dingtalk, feishu or lark`);
    t = target(wp, positionals[0], undefined, undefined);
  }
  const s = oneSecret(values);
  if (s) t.secret = s;
  const { msg, origin } = await buildMessage(values, { typeFromUrl: typeFromTargets([t], values) });
  const m = messageFor(msg, t);
  precheck(wp, [{ t, msg: m }], values, origin);
  let r;
  try {
    r = wp.render(m, t.platform, renderOpts(t, values));
  } catch (e) {
    if (!values.quiet) printErr(`webhook-push: ${t.platform}: ${e.code}: ${e.message}`);
    return EXIT.FAILED;
  }
  const shown = { platform: r.platform, url: shownUrl(r.url), signed: Boolean(t.secret), payloads: r.payloads.map(redactPayload), degraded: r.degraded, parts: r.parts };
  if (!values.quiet) print(JSON.stringify(shown, null, 2));
  return EXIT.OK;
}

function cmdInfo(wp, values, positionals) {
  if (positionals.length !== 1) usage("info takes one platform: info wecom|dingtalk|feishu|lark|webhook");
  let info;
  try {
    info = wp.platformInfo(positionals[0]);
  } catch (e) {
    usage(e.message);
  }
  if (values.json) {
    print(JSON.stringify(info, null, 2));
    return EXIT.OK;
  }
  if (values.quiet) return EXIT.OK;
  const mark = { native: "✓", degraded: "↘", refused: "✗" };
  print(`${info.name} (${info.platform})`);
  print(`  webhook   ${info.webhook}`);
  print(`  env       ${info.env.webhook}${info.env.secret ? `, ${info.env.secret} (signing secret)` : ""}`);
  if (info.urlSchemes.length) print(`  URLs      ${info.urlSchemes.join("   ")}`);
  print(`  signing   ${info.signing.how}`);
  print(`  limits    ${Object.entries(info.limits).map(([k, v]) => `${k} ${v}`).join(", ")}`);
  if (info.rateLimits.length) print(`  rate      ${info.rateLimits.map((r) => `${r.count} per ${r.windowMs / 1000} s`).join(" and ")}; blocked ${fmtDuration(info.blockedMsAfterLimit)} once over`);
  else print("  rate      per target (its rateLimit)");
  print("  types");
  for (const t of info.types) {
    let line = `    ${mark[t.support]} ${t.type.padEnd(20)} ${t.support}`;
    if (t.support !== "refused") line += ` as ${t.sentAs}`;
    if (t.steps?.length) line += ` (${t.steps.map((s) => `${s.from}→${s.to}`).join(", ")})`;
    if (t.support === "refused") line += ` ${t.code}: ${t.reason}`;
    print(line);
  }
  return EXIT.OK;
}

async function cmdChannels(wp, values, positionals) {
  if (positionals.length) usage("channels takes no arguments");
  const { file, channels } = await loadChannels(wp, values.config);
  if (!file) return nothing("no config file: --config FILE, WEBHOOK_PUSH_CONFIG, ./webhook-push.toml or ~/.config/webhook-push/config.toml", values);
  const list = values.tag ? matchTags(channels, values.tag) : channels;
  if (values.json) {
    print(JSON.stringify({ file, channels: list.map((c) => ({ name: c.name, platform: c.platform, target: c.redacted, signed: Boolean(c.secret), tags: c.tags, mentions: c.mentions.length })) }, null, 2));
  } else if (!values.quiet) {
    print(`${file}: ${list.length} channel${list.length === 1 ? "" : "s"}`);
    for (const c of list) print(`  ${c.name.padEnd(16)} ${c.platform.padEnd(9)} ${c.redacted}${c.secret ? " (signed)" : ""}  ${c.tags.length ? `tags: ${c.tags.join(", ")}` : "(no tags)"}`);
  }
  return list.length ? EXIT.OK : EXIT.NOTHING;
}

async function main(argv) {
  const [command, ...rest] = argv;
  if (command === undefined || command === "-h" || command === "--help" || command === "help") {
    const sub = command === "help" ? rest[0] : undefined;
    if (command === undefined) {
      // no command: the usage goes to stderr, as for any usage error
      printErr(HELP.main);
      return EXIT.USAGE;
    }
    print(HELP[sub] ?? HELP.main);
    return EXIT.OK;
  }
  if (command === "-V" || command === "--version" || command === "version") {
    const pkg = JSON.parse(fs.readFileSync(new URL("./package.json", import.meta.url), "utf8"));
    print(`webhook-push ${pkg.version}`);
    return EXIT.OK;
  }
  if (!COMMANDS[command]) {
    const shown = /^[A-Za-z_-]{1,20}$/.test(command) ? `'${command}'` : "given";
    usage(`unknown command ${shown}; expected send, send-multi, send-auto, render, info or channels (webhook-push --help)`);
  }
  const { values, positionals } = parse(command, rest);
  if (values.help) {
    print(HELP[command]);
    return EXIT.OK;
  }
  if (values.json && values.quiet) usage("--json and --quiet do not go together");
  const wp = await loadCore(command === "send" || command === "channels", values.config);
  switch (command) {
    case "send":
      return cmdSend(wp, values, positionals);
    case "send-multi":
      return cmdSendMulti(wp, values, positionals);
    case "send-auto":
      return cmdSendAuto(wp, values, positionals);
    case "render":
      return cmdRender(wp, values, positionals);
    case "info":
      // the generic webhook target's facts (each type through its default body) need its engine
      return cmdInfo(positionals[0] === "webhook" ? await import("./webhook-node.mjs") : wp, values, positionals);
    case "channels":
      return cmdChannels(wp, values, positionals);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== null) finish(code);
  },
  (e) => {
    out.length = 0;
    if (e instanceof UsageError) {
      printErr(`webhook-push: ${e.message}`);
      finish(EXIT.USAGE);
    } else {
      // not expected: one line, no stack (it could quote an input)
      printErr(`webhook-push: internal error: ${e?.code ? `${e.code}: ` : ""}${e?.message ?? e}`);
      finish(EXIT.FAILED);
    }
  },
);
