// Alertmanager (webhook payload version 4) and Grafana (unified alerting webhook) notifications
// -> one neutral card per channel: title and colour by status, the alert count, each alert's
// labels, summary, description, start / end times and links, and buttons to the source and to
// silence. Many alerts: each is listed compactly, and past MAX_ALERTS the rest are summarised
// ("…and 37 more"); the package splits what is still over a platform's limit.
//
// No I/O here: parse* validate a payload into one normalised notification (or throw a BadInput
// with the JSON path of the problem); cardFor builds the unified message for a set of its alerts.

export class BadInput extends Error {
  /** @param {string} message @param {string} [path] */
  constructor(message, path) {
    super(path ? `${path}: ${message}` : message);
    this.name = "BadInput";
    this.path = path ?? "";
  }
}

const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

function labelMap(v, path, required) {
  if (v === undefined || v === null) {
    if (required) throw new BadInput("missing; expected an object of label names to string values", path);
    return {};
  }
  if (!isObj(v)) throw new BadInput("must be an object of names to string values", path);
  const out = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val === "string") out[k] = val;
    else if (typeof val === "number" || typeof val === "boolean") out[k] = String(val);
    else throw new BadInput("must be a string", `${path}.${k}`);
  }
  return out;
}

const optStr = (v, path) => {
  if (v === undefined || v === null) return "";
  if (typeof v !== "string") throw new BadInput("must be a string", path);
  return v;
};

function status(v, path, fallback) {
  if ((v === undefined || v === null || v === "") && fallback) return fallback;
  if (v !== "firing" && v !== "resolved") {
    throw new BadInput(`must be "firing" or "resolved" (got ${JSON.stringify(v)})`, path);
  }
  return v;
}

function alertsArray(body) {
  if (!Array.isArray(body.alerts)) {
    throw new BadInput(body.alerts === undefined ? "missing; expected an array of alerts" : "must be an array", "alerts");
  }
  if (body.alerts.length === 0) throw new BadInput("is empty; there is nothing to notify", "alerts");
  return body.alerts;
}

function commonAlert(a, i, top) {
  const at = `alerts[${i}]`;
  if (!isObj(a)) throw new BadInput("must be an object", at);
  return {
    status: status(a.status, `${at}.status`, top),
    labels: labelMap(a.labels, `${at}.labels`, true),
    annotations: labelMap(a.annotations, `${at}.annotations`, false),
    startsAt: optStr(a.startsAt, `${at}.startsAt`),
    endsAt: optStr(a.endsAt, `${at}.endsAt`),
    generatorURL: optStr(a.generatorURL, `${at}.generatorURL`),
    fingerprint: optStr(a.fingerprint, `${at}.fingerprint`),
    silenceURL: "",
    dashboardURL: "",
    panelURL: "",
    valueString: "",
  };
}

/** An Alertmanager webhook payload (version 4) -> the normalised notification. */
export function parseAlertmanager(body) {
  if (!isObj(body)) throw new BadInput("the body must be a JSON object: an Alertmanager webhook payload (version 4)");
  if (body.orgId !== undefined || body.version === "1") {
    throw new BadInput("this looks like a Grafana alerting payload (orgId / version \"1\"); post it to /v1/grafana instead");
  }
  if (body.version !== undefined && body.version !== "4") {
    throw new BadInput(`is ${JSON.stringify(body.version)}; this endpoint takes Alertmanager's webhook payload version "4"`, "version");
  }
  if (body.content !== undefined && body.alerts === undefined) {
    throw new BadInput("this looks like a unified message (content); post it to /v1/send instead");
  }
  const top = status(body.status, "status");
  const alerts = alertsArray(body).map((a, i) => commonAlert(a, i, top));
  return {
    source: "alertmanager",
    status: top,
    receiver: optStr(body.receiver, "receiver"),
    groupKey: optStr(body.groupKey, "groupKey"),
    groupLabels: labelMap(body.groupLabels, "groupLabels", false),
    commonLabels: labelMap(body.commonLabels, "commonLabels", false),
    commonAnnotations: labelMap(body.commonAnnotations, "commonAnnotations", false),
    externalURL: optStr(body.externalURL, "externalURL"),
    truncatedAlerts: nonNegInt(body.truncatedAlerts, "truncatedAlerts"),
    alerts,
  };
}

/** A Grafana unified alerting webhook payload -> the normalised notification. */
export function parseGrafana(body) {
  if (!isObj(body)) throw new BadInput("the body must be a JSON object: a Grafana alerting webhook payload");
  if (body.version === "4" && body.orgId === undefined) {
    throw new BadInput("this looks like an Alertmanager payload (version \"4\"); post it to /v1/alertmanager instead");
  }
  if (body.content !== undefined && body.alerts === undefined) {
    throw new BadInput("this looks like a unified message (content); post it to /v1/send instead");
  }
  const top = status(body.status, "status");
  const alerts = alertsArray(body).map((a, i) => {
    const out = commonAlert(a, i, top);
    const at = `alerts[${i}]`;
    out.silenceURL = optStr(a.silenceURL, `${at}.silenceURL`);
    out.dashboardURL = optStr(a.dashboardURL, `${at}.dashboardURL`);
    out.panelURL = optStr(a.panelURL, `${at}.panelURL`);
    out.valueString = optStr(a.valueString, `${at}.valueString`);
    return out;
  });
  return {
    source: "grafana",
    status: top,
    receiver: optStr(body.receiver, "receiver"),
    groupKey: optStr(body.groupKey, "groupKey"),
    groupLabels: labelMap(body.groupLabels, "groupLabels", false),
    commonLabels: labelMap(body.commonLabels, "commonLabels", false),
    commonAnnotations: labelMap(body.commonAnnotations, "commonAnnotations", false),
    externalURL: optStr(body.externalURL, "externalURL"),
    truncatedAlerts: nonNegInt(body.truncatedAlerts, "truncatedAlerts"),
    alerts,
  };
}

function nonNegInt(v, path) {
  if (v === undefined || v === null) return 0;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) throw new BadInput("must be a non-negative integer", path);
  return v;
}

// ---- rendering -------------------------------------------------------------------------------

/** Escape what CommonMark would read as markup in a value (labels, annotations). */
export function md(s) {
  return String(s)
    .replace(/[\\`*_[\]<>#|~&]/g, "\\$&")
    .replace(/^(\s*)([-+])(?=\s|$)/gm, "$1\\$2")
    .replace(/^(\s*\d+)([.)])(?=\s|$)/gm, "$1\\$2")
    .replace(/\r\n?/g, "\n");
}

/**
 * The longest link kept on a card. DingTalk and Feishu refuse a whole card over their byte
 * limits, and buttons with very long URLs; a longer link (a 25 KB generatorURL) is left out.
 */
export const MAX_URL_CHARS = 2048;

/** A link's URL for markdown: http(s) only, with the characters that end a link destination encoded; "" if too long. */
function safeUrl(u) {
  if (typeof u !== "string" || u === "" || u.length > MAX_URL_CHARS) return "";
  let url;
  try {
    url = new URL(u);
  } catch {
    return "";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "";
  const out = url.href.replace(/[()<> ]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
  return out.length > MAX_URL_CHARS ? "" : out;
}

// ---- severity ------------------------------------------------------------------------------------

/**
 * How each severity looks: the card's colour (Feishu header; WeCom and DingTalk have none), the
 * mark in the title (every platform), the icon of each firing alert, and WeCom's <font color>.
 * Override per severity with the SEVERITY_STYLES var, e.g. {"warning":{"color":"yellow","mark":"🟡"}}.
 */
export const SEVERITY_STYLES = {
  critical: { rank: 5, color: "red", mark: "🔥", icon: "🔴", wecom: "warning" },
  error: { rank: 4, color: "red", mark: "❗", icon: "🔴", wecom: "warning" },
  warning: { rank: 3, color: "orange", mark: "⚠️", icon: "🟠", wecom: "warning" },
  info: { rank: 2, color: "blue", mark: "ℹ️", icon: "🔵", wecom: "info" },
  none: { rank: 1, color: "grey", mark: "🔔", icon: "⚪", wecom: "comment" },
};
/** A firing alert with no (or an unknown) severity looks as firing alerts always did. */
const UNKNOWN_SEVERITY = { rank: 0, color: "red", mark: "🔥", icon: "🔴", wecom: "warning" };

/** Other spellings (Grafana, PagerDuty, Opsgenie habits) of the five severities. */
const SEVERITY_ALIASES = {
  crit: "critical", fatal: "critical", emergency: "critical", page: "critical", high: "critical", p1: "critical", disaster: "critical",
  err: "error", major: "error", p2: "error",
  warn: "warning", medium: "warning", minor: "warning", average: "warning", p3: "warning",
  information: "info", informational: "info", notice: "info", low: "info", p4: "info", p5: "info",
  ok: "none", normal: "none",
};

/** The canonical severity of a label value, or "" when it is none of the known ones. */
export function severityOf(value) {
  const v = String(value ?? "").trim().toLowerCase();
  if (SEVERITY_STYLES[v]) return v;
  return SEVERITY_ALIASES[v] ?? "";
}

function styleOf(sev, styles) {
  return sev ? { ...SEVERITY_STYLES[sev], ...(styles?.[sev] ?? {}) } : UNKNOWN_SEVERITY;
}

/** The highest severity among alerts (by the severity label), "" when none is known. */
export function topSeverity(alerts, label = "severity") {
  let best = "";
  for (const a of alerts) {
    const s = severityOf(a.labels[label]);
    if (s && (!best || SEVERITY_STYLES[s].rank > SEVERITY_STYLES[best].rank)) best = s;
  }
  return best;
}

const clip = (s, n) => {
  const chars = Array.from(s);
  return chars.length > n ? `${chars.slice(0, n - 1).join("")}…` : s;
};

/** Alertmanager sends endsAt "0001-01-01T00:00:00Z" for firing alerts: that is no time. */
function parseTime(s) {
  if (!s) return null;
  const t = Date.parse(s);
  return Number.isFinite(t) && t > 0 ? t : null;
}

const formatters = new Map();
function fmtTime(ms, tz) {
  let f = formatters.get(tz);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat("en-GB", {
        timeZone: tz,
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
        hourCycle: "h23",
      });
    } catch {
      f = null;
    }
    formatters.set(tz, f);
  }
  if (!f) return new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${tz === "UTC" ? "UTC" : tz}`;
}

export function fmtDuration(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`;
}

const pairs = (labels, skip) =>
  Object.keys(labels)
    .filter((k) => !skip.has(k))
    .sort()
    .map((k) => `${k}=${labels[k]}`);

/** Labels every alert of the list shares. */
function shared(alerts) {
  const [first, ...rest] = alerts;
  const out = {};
  for (const [k, v] of Object.entries(first.labels)) {
    if (rest.every((a) => a.labels[k] === v)) out[k] = v;
  }
  return out;
}

/** The silence link for the shared labels; when that is too long (a long label), for the alert name alone. */
function silenceLink(n, alerts, common) {
  const full = silenceLinkFor(n, alerts, common);
  if (full || Object.keys(common).length <= 1 || !common.alertname) return full;
  return silenceLinkFor(n, alerts, { alertname: common.alertname });
}

function silenceLinkFor(n, alerts, common) {
  if (n.source === "grafana") {
    if (alerts.length === 1 && alerts[0].silenceURL) return safeUrl(alerts[0].silenceURL);
    if (!n.externalURL) return safeUrl(alerts[0].silenceURL);
    const base = n.externalURL.replace(/\/+$/, "");
    const q = Object.keys(common)
      .sort()
      .map((k) => `matcher=${encodeURIComponent(`${k}=${common[k]}`)}`)
      .join("&");
    return safeUrl(`${base}/alerting/silence/new?alertmanager=grafana${q ? `&${q}` : ""}`);
  }
  if (!n.externalURL) return "";
  const base = n.externalURL.replace(/\/+$/, "");
  const sel = Object.keys(common)
    .sort()
    .map((k) => `${k}=${JSON.stringify(common[k])}`)
    .join(",");
  return safeUrl(`${base}/#/silences/new?filter=${encodeURIComponent(`{${sel}}`)}`);
}

const ICON = { firing: "🔴", resolved: "🟢" };

/**
 * The card for some (or all) of a notification's alerts.
 * @param {ReturnType<typeof parseAlertmanager>} n
 * @param {ReturnType<typeof parseAlertmanager>["alerts"]} alerts  the alerts routed to one channel
 * @param {{ maxAlerts?: number, timeZone?: string, now?: number, messageId?: string, correlationId?: string,
 *   severityLabel?: string, severityStyles?: Record<string, object>, platform?: string, compact?: boolean }} [opts]
 */
export function cardFor(n, alerts, opts = {}) {
  const maxAlerts = Math.max(1, opts.maxAlerts ?? 20);
  const tz = opts.timeZone || "UTC";
  const now = opts.now ?? Date.now();
  const firing = alerts.filter((a) => a.status === "firing");
  const resolved = alerts.filter((a) => a.status === "resolved");
  const isFiring = firing.length > 0;
  const common = shared(alerts);

  // Title as in Alertmanager's default template: [FIRING:3] <group label values>
  const groupVals = Object.keys(n.groupLabels)
    .sort((a, b) => (a === "alertname" ? -1 : b === "alertname" ? 1 : a.localeCompare(b)))
    .map((k) => n.groupLabels[k])
    .filter(Boolean);
  // No group labels (Alertmanager without group_by, Grafana's example): what the alerts share,
  // else the names of the alerts, not the first alert's name for all of them.
  const what = groupVals.length ? groupVals.join(" ") : common.alertname || namesOf(alerts);
  const head = isFiring
    ? `[FIRING:${firing.length}${resolved.length ? `, RESOLVED:${resolved.length}` : ""}]`
    : `[RESOLVED${alerts.length > 1 ? `:${alerts.length}` : ""}]`;
  const sevLabel = opts.severityLabel || "severity";
  const severity = topSeverity(isFiring ? firing : alerts, sevLabel);
  const style = styleOf(severity, opts.severityStyles);
  const title = clip(`${isFiring ? style.mark : "✅"} ${head} ${what}`, 120);
  const iconOf = (a) => (a.status === "resolved" ? ICON.resolved : styleOf(severityOf(a.labels[sevLabel]), opts.severityStyles).icon);

  const fields = [];
  fields.push({
    name: "Alerts",
    value: [firing.length && `${firing.length} firing`, resolved.length && `${resolved.length} resolved`]
      .filter(Boolean)
      .join(", "),
  });
  if (common[sevLabel]) fields.push({ name: "Severity", value: common[sevLabel] });
  else if (severity) fields.push({ name: "Severity", value: `${severity} (highest)` });
  for (const k of Object.keys(n.groupLabels).sort()) {
    if (fields.length >= 4) break;
    if (k === "alertname" || k === "severity" || !common[k]) continue;
    fields.push({ name: k, value: clip(common[k], 60) });
  }
  if (n.receiver && fields.length < 5) fields.push({ name: "Receiver", value: clip(n.receiver, 60) });

  const text = [];
  if (isFiring && severity && opts.platform === "wecom" && !opts.compact) {
    // WeCom markdown colours text three ways: warning (orange-red), info (green), comment (grey)
    text.push(`<font color="${style.wecom}">${style.mark} **${severity.toUpperCase()}**</font>`);
  }
  // What the alerts share, once.
  const ann = alerts.length > 1 ? n.commonAnnotations : {};
  if (ann.summary) text.push(`**Summary:** ${md(clip(ann.summary, 500))}`);
  if (ann.description) text.push(`**Description:** ${md(clip(ann.description, 1000))}`);
  const commonRunbook = safeUrl(ann.runbook_url);
  if (commonRunbook) text.push(`[Runbook](${commonRunbook})`);
  const sharedPairs = pairs(common, new Set(["alertname"]));
  if (alerts.length > 1 && sharedPairs.length) text.push(`**Labels:** ${md(clip(sharedPairs.join(", "), 600))}`);

  const detailed = alerts.length <= 5;
  const skip = new Set(alerts.length > 1 ? Object.keys(common) : ["alertname"]);
  // Firing first, then resolved; the original order within each.
  const listed = [...firing, ...resolved].slice(0, maxAlerts);
  // The first firing alert's source is a button; per-alert links only where they differ.
  const mainSrc = safeUrl((firing[0] ?? alerts[0]).generatorURL);
  const lines = [];
  listed.forEach((a, i) => {
    const name = a.labels.alertname || "alert";
    const own = pairs(a.labels, skip);
    const start = parseTime(a.startsAt);
    const end = a.status === "resolved" ? parseTime(a.endsAt) : null;
    const links = [];
    const src = safeUrl(a.generatorURL);
    if (src && src !== mainSrc) links.push(`[Source](${src})`);
    const sil = a.status === "firing" ? safeUrl(a.silenceURL) : "";
    if (sil && detailed) links.push(`[Silence](${sil})`);
    const runbook = safeUrl(a.annotations.runbook_url);
    if (runbook && runbook !== commonRunbook && detailed) links.push(`[Runbook](${runbook})`);
    const dash = safeUrl(a.panelURL || a.dashboardURL);
    if (dash) links.push(`[Dashboard](${dash})`);
    if (detailed) {
      // The alert's name, or when every alert has the same name, what tells them apart.
      const byLabels = alerts.length > 1 && common.alertname && own.length > 0 && own.join(", ").length <= 120;
      const label = byLabels ? own.join(", ") : name;
      const block = [`**${iconOf(a)} ${alerts.length > 1 ? `${i + 1}. ` : ""}${md(clip(label, 120))}** (${a.status})`];
      if (own.length && !byLabels) block.push(`Labels: ${md(clip(own.join(", "), 600))}`);
      // (what all alerts share is shown once, above)
      if (a.annotations.summary && a.annotations.summary !== ann.summary) block.push(`Summary: ${md(clip(a.annotations.summary, 500))}`);
      if (a.annotations.description && a.annotations.description !== ann.description) {
        block.push(`Description: ${md(clip(a.annotations.description, 1000))}`);
      }
      if (a.valueString) block.push(`Value: ${md(clip(a.valueString, 300))}`);
      const times = [];
      if (start) times.push(`Started: ${fmtTime(start, tz)}`);
      if (end) times.push(`Ended: ${fmtTime(end, tz)}${start ? ` (lasted ${fmtDuration(end - start)})` : ""}`);
      else if (start && a.status === "firing") times.push(`for ${fmtDuration(now - start)}`);
      if (times.length) block.push(times.join(" · "));
      if (links.length) block.push(links.join(" · "));
      lines.push(block.join("\n"));
    } else {
      // One line per alert: what differs, the summary, since when, the source.
      const bits = [own.length ? md(clip(own.join(", "), 160)) : md(clip(name, 100))];
      const sum = [a.annotations.summary, a.annotations.description].find((v) => v && v !== ann.summary && v !== ann.description);
      if (sum) bits.push(md(clip(sum, 140)));
      if (end && start) bits.push(`resolved after ${fmtDuration(end - start)}`);
      else if (end) bits.push("resolved");
      else if (start) bits.push(`for ${fmtDuration(now - start)}`);
      if (src && src !== mainSrc) bits.push(`[Source](${src})`);
      lines.push(`${iconOf(a)} ${bits.join(" — ")}`);
    }
  });
  // A partly resolved storm: what resolved is named before the list, which the firing fill
  const hiddenResolved = resolved.filter((a) => !listed.includes(a));
  if (hiddenResolved.length) {
    const names = hiddenResolved.map((a) => pairs(a.labels, skip).join(", ") || a.labels.alertname || "alert");
    text.push(`${ICON.resolved} **Resolved (${hiddenResolved.length}):** ${md(clip(names.join("; "), 600))}`);
  }
  if (lines.length) text.push(lines.join(detailed ? "\n\n" : "\n"));
  const more = alerts.length - listed.length + n.truncatedAlerts;
  if (more > 0) {
    const all = seeAllLink(n, common);
    text.push(`…and ${more} more${all ? ` ([see all](${all}))` : ""}`);
  }
  if (tooLong(n, alerts)) text.push("(a link longer than 2048 characters was left out)");

  if (opts.compact) return compactCard(n, alerts, { title, fields, firing, resolved, mainSrc, common, opts });

  const buttons = [];
  if (mainSrc) buttons.push({ text: "View source", url: mainSrc, style: "primary" });
  if (isFiring) {
    const sil = silenceLink(n, firing, shared(firing));
    if (sil) buttons.push({ text: "Silence", url: sil, style: "danger" });
  }
  const ext = safeUrl(n.externalURL);
  if (ext) buttons.push({ text: n.source === "grafana" ? "Grafana" : "Alertmanager", url: ext });

  const body = { title, text: text.join("\n\n"), fields, color: isFiring ? style.color : "green" };
  if (buttons.length) body.buttons = buttons;
  if (ext) body.url = ext;
  return finish({ content: { type: "card", title, body } }, opts);
}

function finish(message, opts) {
  const metadata = {};
  if (opts.messageId) metadata.message_id = opts.messageId;
  if (opts.correlationId) metadata.correlation_id = opts.correlationId;
  if (Object.keys(metadata).length) message.metadata = metadata;
  return message;
}

/** "DiskFull, NodeDown" (distinct names, at most three, then "+N"). */
function namesOf(alerts) {
  const names = [...new Set(alerts.map((a) => a.labels.alertname).filter(Boolean))];
  if (!names.length) return "alerts";
  return names.length > 3 ? `${names.slice(0, 3).join(", ")} +${names.length - 3}` : names.join(", ");
}

/** Some link of the notification is over MAX_URL_CHARS (and so was left out). */
function tooLong(n, alerts) {
  const long = (u) => typeof u === "string" && u.length > MAX_URL_CHARS;
  return long(n.externalURL) || alerts.some((a) => long(a.generatorURL) || long(a.silenceURL) || long(a.dashboardURL) || long(a.panelURL));
}

/** "see all": Alertmanager's alert list filtered to what the alerts share, else the external URL. */
function seeAllLink(n, common) {
  const ext = safeUrl(n.externalURL);
  if (!ext || n.source !== "alertmanager") return ext;
  const sel = Object.keys(common)
    .sort()
    .map((k) => `${k}=${JSON.stringify(common[k])}`)
    .join(",");
  if (!sel) return ext;
  return safeUrl(`${n.externalURL.replace(/\/+$/, "")}/#/alerts?filter=${encodeURIComponent(`{${sel}}`)}`) || ext;
}

/**
 * A WeCom template card that fits (WECOM_CARD=card): title, up to 6 fields, the first firing
 * alert's summary in the 112 characters WeCom shows, and the rest behind the card's buttons.
 */
function compactCard(n, alerts, { title, fields, firing, resolved, mainSrc, common, opts }) {
  const first = firing[0] ?? alerts[0];
  const what = first.annotations.summary || first.annotations.description || pairs(first.labels, new Set(["alertname"])).join(", ");
  let sub = `${first.labels.alertname || "alert"}: ${what}`.replace(/\s+/g, " ");
  if (alerts.length > 1) sub = `${sub} (+${alerts.length - 1} more)`;
  const out = [...fields];
  const inst = first.labels.instance;
  if (inst && out.length < 6) out.push({ name: "Instance", value: clip(inst, 26) });
  if (resolved.length && firing.length && out.length < 6) out.push({ name: "Resolved", value: String(resolved.length) });
  const buttons = [];
  if (mainSrc) buttons.push({ text: "View source", url: mainSrc, style: "primary" });
  if (firing.length) {
    const sil = silenceLink(n, firing, shared(firing));
    if (sil) buttons.push({ text: "Silence", url: sil, style: "danger" });
  }
  const all = seeAllLink(n, common);
  if (all) buttons.push({ text: "See all", url: all });
  // no markup: WeCom's card shows plain text
  const body = { title, text: md(clip(sub, 110)), fields: out.slice(0, 6).map((f) => ({ name: f.name, value: clip(String(f.value), 26) })) };
  if (buttons.length) body.buttons = buttons;
  const url = all || mainSrc;
  if (url) body.url = url;
  return finish({ content: { type: "card", title, body } }, opts);
}
