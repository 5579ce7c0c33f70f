// Channels and routes, read from the Worker's env.
//
// A channel is a named bot: a platform plus the NAMES of the env variables (secrets) that hold
// its webhook key / URL and its signing secret. Channels never carry the values themselves, so a
// channel can be written to the queue, logged and shown in responses by name.
//
// The seed's variables make one channel per platform, named after it:
//   wecom     WECOM_WEBHOOK_KEY
//   dingtalk  DINGTALK_ACCESS_TOKEN (+ DINGTALK_SECRET)
//   feishu    FEISHU_WEBHOOK_ID     (+ FEISHU_SECRET)
//   lark      LARK_WEBHOOK_ID       (+ LARK_SECRET)
// ROUTES (a JSON string in a var or secret) adds named channels and label-matching rules:
//   {
//     "channels": { "oncall": { "platform": "dingtalk", "webhook_env": "ONCALL_TOKEN", "secret_env": "ONCALL_SECRET" } },
//     "routes": [ { "matchers": ["severity=critical"], "channels": ["oncall"], "continue": true },
//                 { "matchers": ["team=~db|storage"], "channels": ["feishu"] } ],
//     "default": ["wecom"]
//   }
// Routes are tried in order, as in Alertmanager: the first that matches wins unless it says
// "continue": true. Labels that match no route go to "default" (all channels when omitted).
// A channel may be any URL by template (the package's generic "webhook" target): its URL in an
// env variable (a secret), its request in "config", header values may name env variables:
//   "tickets": { "platform": "webhook", "webhook_env": "TICKETS_URL", "secret_env": "TICKETS_SECRET",
//                "config": { "headers": { "Authorization": "Bearer ${TICKETS_TOKEN}" },
//                            "body": { "title": "{{title}}", "text": "{{message|text}}" },
//                            "check": { "jsonPath": "ok", "equals": true } } }
// Mentions, per channel and per severity of the firing alerts ("*": any severity), in a channel's
// definition or for any channel (the seed's too) under "mentions":
//   "mentions": { "wecom": { "critical": [{ "type": "all" }], "*": [{ "type": "mobile", "value": "13800000000" }] } }

export const PLATFORMS = ["wecom", "dingtalk", "feishu", "lark"];

/**
 * @typedef {"wecom" | "dingtalk" | "feishu" | "lark"} Platform
 * @typedef {{ type: "mobile" | "user_id" | "all", value?: string }} Mention
 * @typedef {{ name: string, platform: Platform, webhookEnv: string, secretEnv: string | null, mentions?: Record<string, Mention[]> }} Channel
 */

/** @type {Channel[]} */
const SEED_CHANNELS = [
  { name: "wecom", platform: "wecom", webhookEnv: "WECOM_WEBHOOK_KEY", secretEnv: null },
  { name: "dingtalk", platform: "dingtalk", webhookEnv: "DINGTALK_ACCESS_TOKEN", secretEnv: "DINGTALK_SECRET" },
  { name: "feishu", platform: "feishu", webhookEnv: "FEISHU_WEBHOOK_ID", secretEnv: "FEISHU_SECRET" },
  { name: "lark", platform: "lark", webhookEnv: "LARK_WEBHOOK_ID", secretEnv: "LARK_SECRET" },
];

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const ENV_RE = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** A configuration mistake (bad ROUTES, no channels): HTTP 500, the message says what to fix. */
export class ConfigError extends Error {
  constructor(message) {
    super(message);
    this.name = "ConfigError";
  }
}

const str = (v) => (typeof v === "string" ? v.trim() : "");

/**
 * Channels and routes from env. Throws ConfigError for a ROUTES value that is not valid.
 * @returns {{ channels: Map<string, Channel>,
 *             routes: {matchers: Matcher[], channels: string[], continue: boolean}[], defaults: string[] }}
 */
export function loadConfig(env) {
  const channels = new Map();
  for (const c of SEED_CHANNELS) {
    if (str(env[c.webhookEnv])) channels.set(c.name, c);
  }
  let routes = [];
  let defaults = null;
  const raw = env.ROUTES;
  // a string (a var or secret), or an object (a TOML table under [vars])
  if (typeof raw === "string" ? raw.trim() !== "" : raw !== undefined && raw !== null) {
    let spec = raw;
    if (typeof raw === "string") {
      try {
        spec = JSON.parse(raw);
      } catch (e) {
        throw new ConfigError(`ROUTES is not valid JSON: ${e.message}`);
      }
    }
    if (!spec || typeof spec !== "object" || Array.isArray(spec)) throw new ConfigError("ROUTES must be a JSON object");
    for (const k of Object.keys(spec)) {
      if (!["channels", "routes", "default", "mentions"].includes(k)) {
        throw new ConfigError(`ROUTES.${k}: unknown key (expected channels, routes, default, mentions)`);
      }
    }
    if (spec.channels !== undefined) {
      if (!spec.channels || typeof spec.channels !== "object" || Array.isArray(spec.channels)) {
        throw new ConfigError("ROUTES.channels must be an object of name -> { platform, webhook_env, secret_env? }");
      }
      for (const [name, def] of Object.entries(spec.channels)) {
        const at = `ROUTES.channels.${name}`;
        if (!NAME_RE.test(name)) throw new ConfigError(`${at}: a channel name is 1-64 letters, digits, '_', '.' or '-'`);
        if (!def || typeof def !== "object") throw new ConfigError(`${at} must be an object`);
        if (def.platform === "webhook") {
          channels.set(name, webhookChannel(env, name, def, at));
          continue;
        }
        for (const k of Object.keys(def)) {
          if (!["platform", "webhook_env", "secret_env", "mentions"].includes(k)) {
            throw new ConfigError(`${at}.${k}: unknown key (expected platform, webhook_env, secret_env, mentions)`);
          }
        }
        if (!PLATFORMS.includes(def.platform)) {
          throw new ConfigError(`${at}.platform must be one of ${PLATFORMS.join(", ")} or webhook`);
        }
        if (typeof def.webhook_env !== "string" || !ENV_RE.test(def.webhook_env)) {
          throw new ConfigError(
            `${at}.webhook_env must name the env variable (a secret) that holds the webhook URL or key, e.g. "OPS_WECOM_KEY"`,
          );
        }
        if (def.secret_env !== undefined && (typeof def.secret_env !== "string" || !ENV_RE.test(def.secret_env))) {
          throw new ConfigError(`${at}.secret_env must name the env variable that holds the signing secret`);
        }
        if (!str(env[def.webhook_env])) {
          throw new ConfigError(`${at}: the env variable ${def.webhook_env} is not set (wrangler secret put ${def.webhook_env})`);
        }
        const ch = {
          name,
          platform: def.platform,
          webhookEnv: def.webhook_env,
          secretEnv: def.secret_env ?? null,
        };
        if (def.mentions !== undefined) ch.mentions = parseMentions(def.mentions, `${at}.mentions`);
        channels.set(name, ch);
      }
    }
    const known = (list, at) => {
      if (!Array.isArray(list) || list.length === 0 || !list.every((n) => typeof n === "string")) {
        throw new ConfigError(`${at} must be a non-empty array of channel names`);
      }
      for (const n of list) {
        if (!channels.has(n)) throw new ConfigError(`${at}: no channel named "${n}" (configured: ${[...channels.keys()].join(", ") || "none"})`);
      }
      return [...new Set(list)];
    };
    if (spec.routes !== undefined) {
      if (!Array.isArray(spec.routes)) throw new ConfigError("ROUTES.routes must be an array");
      routes = spec.routes.map((r, i) => {
        const at = `ROUTES.routes[${i}]`;
        if (!r || typeof r !== "object" || Array.isArray(r)) throw new ConfigError(`${at} must be an object`);
        for (const k of Object.keys(r)) {
          if (!["matchers", "channels", "continue"].includes(k)) {
            throw new ConfigError(`${at}.${k}: unknown key (expected matchers, channels, continue)`);
          }
        }
        const ms = r.matchers ?? [];
        if (!Array.isArray(ms)) throw new ConfigError(`${at}.matchers must be an array such as ["severity=critical"]`);
        return {
          matchers: ms.map((m, j) => parseMatcher(m, `${at}.matchers[${j}]`)),
          channels: known(r.channels, `${at}.channels`),
          continue: r.continue === true,
        };
      });
    }
    if (spec.default !== undefined) defaults = known(spec.default, "ROUTES.default");
    if (spec.mentions !== undefined) {
      if (!spec.mentions || typeof spec.mentions !== "object" || Array.isArray(spec.mentions)) {
        throw new ConfigError('ROUTES.mentions must be an object: channel name -> { severity or "*": [mentions] }');
      }
      for (const [name, m] of Object.entries(spec.mentions)) {
        const c = channels.get(name);
        if (!c) throw new ConfigError(`ROUTES.mentions.${name}: no channel named "${name}" (configured: ${[...channels.keys()].join(", ") || "none"})`);
        // a copy: the seed's channel objects are shared
        channels.set(name, { ...c, mentions: { ...(c.mentions ?? {}), ...parseMentions(m, `ROUTES.mentions.${name}`) } });
      }
    }
  }
  return { channels, routes, defaults: defaults ?? [...channels.keys()] };
}

const HEADER_ENV_RE = /\$\{([A-Za-z_][A-Za-z0-9_]{0,127})\}/g;

/** A `platform: "webhook"` channel of ROUTES: the URL (and secret) by env name, the rest in `config`. */
function webhookChannel(env, name, def, at) {
  for (const k of Object.keys(def)) {
    if (!["platform", "webhook_env", "secret_env", "config"].includes(k)) {
      throw new ConfigError(`${at}.${k}: unknown key (expected platform, webhook_env, secret_env, config)`);
    }
  }
  if (typeof def.webhook_env !== "string" || !ENV_RE.test(def.webhook_env)) {
    throw new ConfigError(`${at}.webhook_env must name the env variable (a secret) that holds the target's URL, e.g. "TICKETS_URL"`);
  }
  if (!str(env[def.webhook_env])) throw new ConfigError(`${at}: the env variable ${def.webhook_env} is not set (wrangler secret put ${def.webhook_env})`);
  if (def.secret_env !== undefined && (typeof def.secret_env !== "string" || !ENV_RE.test(def.secret_env))) {
    throw new ConfigError(`${at}.secret_env must name the env variable that holds the signing secret`);
  }
  const config = def.config ?? {};
  if (!config || typeof config !== "object" || Array.isArray(config)) throw new ConfigError(`${at}.config must be an object: { method, headers, body, check, retry, … }`);
  for (const k of ["url", "secret"]) {
    if (k in config) throw new ConfigError(`${at}.config.${k}: keep it in an env variable (webhook_env, secret_env), not in ROUTES`);
  }
  const headerEnv = [];
  if (config.headers !== undefined) {
    if (!config.headers || typeof config.headers !== "object" || Array.isArray(config.headers)) throw new ConfigError(`${at}.config.headers must be an object`);
    for (const [h, v] of Object.entries(config.headers)) {
      if (typeof v !== "string") throw new ConfigError(`${at}.config.headers.${h} must be a string`);
      for (const [, n] of v.matchAll(HEADER_ENV_RE)) {
        if (!str(env[n])) throw new ConfigError(`${at}.config.headers.${h}: the env variable ${n} is not set`);
        headerEnv.push(n);
      }
    }
  }
  return { name, platform: "webhook", webhookEnv: def.webhook_env, secretEnv: def.secret_env ?? null, config, headerEnv };
}

const MENTION_TYPES = ["mobile", "user_id", "all"];

/** `{ critical: [{type, value}], "*": [...] }`, checked. */
function parseMentions(v, at) {
  if (!v || typeof v !== "object" || Array.isArray(v)) throw new ConfigError(`${at} must be an object: severity (or "*") -> [mentions]`);
  const out = {};
  for (const [sev, list] of Object.entries(v)) {
    const where = `${at}.${sev}`;
    if (!Array.isArray(list) || list.length === 0 || list.length > 20) throw new ConfigError(`${where} must be an array of 1-20 mentions`);
    out[sev.toLowerCase()] = list.map((m, i) => {
      if (!m || typeof m !== "object" || !MENTION_TYPES.includes(m.type)) {
        throw new ConfigError(`${where}[${i}] must be { "type": "mobile" | "user_id" | "all", "value": "..." }`);
      }
      if (m.type === "all") return { type: "all" };
      if (typeof m.value !== "string" || !m.value.trim()) throw new ConfigError(`${where}[${i}].value: a ${m.type} is required`);
      return { type: m.type, value: m.value.trim() };
    });
  }
  return out;
}

/** The mentions a channel names for a severity ("" when unknown): that severity's, else "*"'s. */
export function mentionsFor(channel, severity) {
  const m = channel.mentions;
  if (!m) return [];
  return (severity && m[severity]) || m["*"] || [];
}

/** SEVERITY_LABEL and SEVERITY_STYLES (a JSON var) for alert cards. */
export function severityOptions(env) {
  const label = str(env.SEVERITY_LABEL) || "severity";
  let styles;
  const raw = env.SEVERITY_STYLES;
  if (typeof raw === "string" ? raw.trim() !== "" : raw !== undefined && raw !== null) {
    try {
      styles = typeof raw === "string" ? JSON.parse(raw) : raw;
    } catch (e) {
      throw new ConfigError(`SEVERITY_STYLES is not valid JSON: ${e.message}`);
    }
    if (!styles || typeof styles !== "object" || Array.isArray(styles)) throw new ConfigError("SEVERITY_STYLES must be a JSON object: severity -> { color, mark, icon }");
    for (const [sev, s] of Object.entries(styles)) {
      if (!["critical", "error", "warning", "info", "none"].includes(sev)) {
        throw new ConfigError(`SEVERITY_STYLES.${sev}: one of critical, error, warning, info, none`);
      }
      for (const [k, v] of Object.entries(s ?? {})) {
        if (!["color", "mark", "icon", "wecom"].includes(k) || typeof v !== "string") {
          throw new ConfigError(`SEVERITY_STYLES.${sev}.${k}: expected color, mark, icon or wecom, as strings`);
        }
      }
    }
  }
  return { severityLabel: label, severityStyles: styles };
}

/**
 * @typedef {{ name: string, op: "=" | "!=" | "=~" | "!~", value: string, re?: RegExp }} Matcher
 */

/** An Alertmanager-style matcher: `name=value`, `name!=value`, `name=~regex`, `name!~regex`; the value may be quoted. */
export function parseMatcher(s, at = "matcher") {
  if (typeof s !== "string") throw new ConfigError(`${at} must be a string such as "severity=critical"`);
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/.exec(s);
  if (!m) throw new ConfigError(`${at}: "${s}" is not a matcher (label=value, label!=value, label=~regex, label!~regex)`);
  let value = m[3];
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    try {
      value = JSON.parse(value);
    } catch {
      throw new ConfigError(`${at}: bad quoted value ${value}`);
    }
  }
  const out = { name: m[1], op: m[2], value };
  if (out.op === "=~" || out.op === "!~") {
    try {
      // anchored, as in Alertmanager
      out.re = new RegExp(`^(?:${value})$`);
    } catch (e) {
      throw new ConfigError(`${at}: bad regular expression: ${e.message}`);
    }
  }
  return out;
}

export function matches(matcher, labels) {
  const v = typeof labels[matcher.name] === "string" ? labels[matcher.name] : "";
  switch (matcher.op) {
    case "=":
      return v === matcher.value;
    case "!=":
      return v !== matcher.value;
    case "=~":
      return matcher.re.test(v);
    default:
      return !matcher.re.test(v);
  }
}

/** The channel names for a set of labels. */
export function routeLabels(config, labels) {
  const out = new Set();
  let matched = false;
  for (const r of config.routes) {
    if (r.matchers.every((m) => matches(m, labels))) {
      matched = true;
      for (const c of r.channels) out.add(c);
      if (!r.continue) break;
    }
  }
  if (!matched) for (const c of config.defaults) out.add(c);
  return [...out];
}

/** The send target of a channel, read from env at send time (never logged, never queued). */
export function targetOf(env, channel) {
  if (channel.platform === "webhook") {
    const cfg = { ...channel.config, name: channel.name, url: str(env[channel.webhookEnv]) };
    if (channel.secretEnv && str(env[channel.secretEnv])) cfg.secret = str(env[channel.secretEnv]);
    if (cfg.headers) cfg.headers = Object.fromEntries(Object.entries(cfg.headers).map(([h, v]) => [h, v.replace(HEADER_ENV_RE, (_, n) => str(env[n]))]));
    return { webhook: cfg };
  }
  const webhookUrl = str(env[channel.webhookEnv]);
  const secret = channel.secretEnv ? str(env[channel.secretEnv]) : "";
  return secret ? { webhookUrl, secret } : { webhookUrl };
}

/** The ChatOps bots' credentials (chatops-relay.js): scrubbed like the channels' secrets. */
export const CHATOPS_SECRET_VARS = [
  "WECOM_BOT_TOKEN",
  "WECOM_BOT_AES_KEY",
  "DINGTALK_APP_SECRET",
  "FEISHU_APP_SECRET",
  "FEISHU_ENCRYPT_KEY",
  "FEISHU_VERIFICATION_TOKEN",
];

/** Every configured secret value, for scrubbing log lines and responses (defence in depth). */
export function secretValues(env, config) {
  const out = new Set();
  const add = (v) => {
    const s = str(v);
    if (s.length >= 4) out.add(s);
  };
  add(env.RELAY_TOKEN);
  for (const name of CHATOPS_SECRET_VARS) add(env[name]);
  for (const c of SEED_CHANNELS) {
    add(env[c.webhookEnv]);
    if (c.secretEnv) add(env[c.secretEnv]);
  }
  if (config) {
    for (const c of config.channels.values()) {
      add(env[c.webhookEnv]);
      if (c.secretEnv) add(env[c.secretEnv]);
      for (const n of c.headerEnv ?? []) add(env[n]);
    }
  }
  return [...out].sort((a, b) => b.length - a.length);
}

/** Scheme and host per platform: PLATFORM_BASE_URL for all, or WECOM_BASE_URL etc. (proxies, private deployments, tests). */
export function baseUrls(env) {
  const out = {};
  for (const p of PLATFORMS) {
    const v = str(env[`${p.toUpperCase()}_BASE_URL`]) || str(env.PLATFORM_BASE_URL);
    if (v) out[p] = v;
  }
  return out;
}

/** A non-negative integer env knob, or its default. */
export function intVar(env, name, def) {
  const v = env[name];
  if (v === undefined || v === null || v === "") return def;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : def;
}
