// ChatOps: talk to the relay's alerts from WeCom, DingTalk and Feishu (commands in Chinese and
// English). The bots' callbacks are handled by webhook-push/inbound; the state is D1 (state.js).
//
//   help | 帮助                          what the bot understands
//   firing | 告警 | 有什么告警             what is firing, most severe first, with age
//   details <id> | 详情 <id>              one alert (fingerprint, a 4+ character prefix, or alert name)
//   ack <id> | 确认 <id>                  acknowledge (shown on later notifications)
//   silence <id> <30m|2h|1d> | 静默 <id> <30分钟|2小时|1天>
//                                        an Alertmanager silence when ALERTMANAGER_URL is set,
//                                        else recorded by the relay and applied to its notifications

import { fmtDuration } from "./alerts.js";
import { acknowledge, findAlert, firing, silence } from "./state.js";

/** @type {[string, RegExp][]} */
const WORDS = [
  ["help", /^(help|h|\?|帮助|说明)$/i],
  ["firing", /^(firing|alerts|status|what is firing|what's firing|告警|正在告警|有什么告警|告警列表|当前告警)$/i],
  ["details", /^(details|detail|show|info|详情|查看)$/i],
  ["ack", /^(ack|acknowledge|确认|认领)$/i],
  ["silence", /^(silence|mute|静默|屏蔽)$/i],
];

const UNITS = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, 秒: 1e3, 分钟: 60e3, 分: 60e3, 小时: 3600e3, 时: 3600e3, 天: 86400e3 };
const MAX_SILENCE_MS = 30 * 86400e3;

/** "30m", "2h", "1d", "90s", "30分钟", "2小时", "1天" -> ms (null when not a duration). */
export function parseDuration(s) {
  const m = /^(\d{1,6})\s*(s|m|h|d|秒|分钟|分|小时|时|天)$/i.exec(String(s ?? "").trim());
  if (!m) return null;
  const v = Number(m[1]) * UNITS[m[2].toLowerCase()];
  return v > 0 && v <= MAX_SILENCE_MS ? v : null;
}

/** The command in a chat message (its leading @mention dropped): { cmd, args } or { cmd: "unknown" }. */
export function parseCommand(text) {
  const t = String(text ?? "")
    .replace(/^(@\S+\s*)+/, "")
    .replace(/^\/+/, "")
    .trim();
  for (const [cmd, re] of WORDS) {
    if (re.test(t)) return { cmd, args: [] };
  }
  const [head, ...rest] = t.split(/\s+/);
  for (const [cmd, re] of WORDS) {
    if (re.test(head ?? "")) return { cmd, args: rest };
  }
  return { cmd: "unknown", args: [] };
}

const ICON = { critical: "🔴", error: "🟠", warning: "🟡", info: "🔵" };

function short(fp) {
  return fp.length > 8 ? fp.slice(0, 8) : fp;
}

/** What the user typed, quoted back: at most 40 characters, no backticks. */
function quoted(s) {
  const t = String(s ?? "").replace(/`/g, "'");
  return t.length > 40 ? `${t.slice(0, 40)}…` : t;
}

function line(a, now) {
  const age = fmtDuration(now - (a.starts_at ?? a.first_seen));
  const marks = [];
  if (a.acknowledged_by) marks.push(`acked by ${a.acknowledged_by}`);
  if (a.silenced_until && a.silenced_until > now) marks.push(`silenced ${fmtDuration(a.silenced_until - now)} more`);
  return `- ${ICON[a.severity] ?? "⚪"} **${a.alertname}** ${a.severity ? `(${a.severity}) ` : ""}for ${age} \`${short(a.fingerprint)}\`${a.summary ? ` — ${a.summary}` : ""}${marks.length ? ` _${marks.join(", ")}_` : ""}`;
}

export const HELP = [
  "**Commands / 命令**",
  "- `firing` / `告警`: what is firing",
  "- `details <id>` / `详情 <id>`: one alert",
  "- `ack <id>` / `确认 <id>`: acknowledge",
  "- `silence <id> 2h` / `静默 <id> 2小时`: silence for a while",
  "`<id>`: the code shown after an alert (a fingerprint prefix) or the alert name.",
].join("\n");

/**
 * Run one command; resolves to the markdown answer.
 * @param {{ cmd: string, args: string[] }} c
 * @param {{ db: object, now: number, user: string, alertmanagerUrl?: string, fetch?: typeof fetch }} ctx   db: the D1 binding
 */
export async function runCommand(c, ctx) {
  const { db, now, user } = ctx;
  switch (c.cmd) {
    case "help":
    case "unknown":
      return HELP;
    case "firing": {
      const rows = await firing(db, 30);
      if (!rows.length) return "✅ Nothing is firing. / 当前没有告警。";
      return [`**${rows.length} firing / 正在告警**`, ...rows.map((a) => line(a, now))].join("\n");
    }
    case "details":
    case "ack":
    case "silence": {
      const found = await findAlert(db, c.args[0]);
      if (found.error === "missing") return `Which alert? e.g. \`${c.cmd} 1a2b3c4d\` / 请给出告警编号`;
      if (found.error === "ambiguous") return `\`${quoted(c.args[0])}\` matches several alerts: ${found.candidates.map((f) => `\`${short(f)}\``).join(", ")}`;
      if (found.error) return `No alert \`${quoted(c.args[0])}\`. / 没有找到该告警。`;
      const a = found.alert;
      if (c.cmd === "details") {
        const labels = JSON.parse(a.labels);
        return [
          `**${a.alertname}** \`${a.fingerprint}\``,
          `- status: ${a.status}${a.severity ? `, severity: ${a.severity}` : ""}`,
          `- since: ${new Date(a.starts_at ?? a.first_seen).toISOString()} (${fmtDuration(now - (a.starts_at ?? a.first_seen))})`,
          a.summary ? `- summary: ${a.summary}` : null,
          `- labels: ${Object.keys(labels)
            .sort()
            .map((k) => `${k}=${labels[k]}`)
            .join(", ")}`,
          a.acknowledged_by ? `- acknowledged by ${a.acknowledged_by}` : null,
          a.silenced_until && a.silenced_until > now ? `- silenced until ${new Date(a.silenced_until).toISOString()} by ${a.silenced_by}` : null,
        ]
          .filter(Boolean)
          .join("\n");
      }
      if (c.cmd === "ack") {
        await acknowledge(db, a.fingerprint, user, now);
        return `👌 **${a.alertname}** \`${short(a.fingerprint)}\` acknowledged by ${user}. / 已确认。`;
      }
      const dur = parseDuration(c.args[1]);
      if (dur === null) return "For how long? e.g. `silence <id> 2h` (up to 30d) / 请给出时长，如 `静默 <id> 2小时`";
      const until = now + dur;
      if (ctx.alertmanagerUrl) {
        const labels = JSON.parse(a.labels);
        const body = {
          matchers: Object.keys(labels).map((name) => ({ name, value: labels[name], isRegex: false, isEqual: true })),
          startsAt: new Date(now).toISOString(),
          endsAt: new Date(until).toISOString(),
          createdBy: user,
          comment: `silenced from chat by ${user}`,
        };
        const res = await (ctx.fetch ?? fetch)(`${ctx.alertmanagerUrl.replace(/\/+$/, "")}/api/v2/silences`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        if (!res.ok) return `Alertmanager refused the silence (HTTP ${res.status}). / 静默失败。`;
        const { silenceID } = await res.json().catch(() => ({}));
        await silence(db, a.fingerprint, until, user);
        return `🔕 **${a.alertname}** silenced in Alertmanager for ${fmtDuration(dur)}${silenceID ? ` (silence ${silenceID})` : ""}. / 已静默。`;
      }
      await silence(db, a.fingerprint, until, user);
      return `🔕 **${a.alertname}** \`${short(a.fingerprint)}\` silenced for ${fmtDuration(dur)} by ${user} (the relay's own notifications). / 已静默。`;
    }
    default:
      return HELP;
  }
}

/** The answer to one chat message, from any of the three platforms. */
export function chatopsOnMessage(env, options = {}) {
  return async (message, reply) => {
    if (!env.DB) {
      await reply.send("This relay has no D1 database bound (DB). / 未配置数据库。");
      return undefined;
    }
    const text = message.type === "card_action" ? String(message.action.value?.command ?? "") : (message.text ?? "");
    const c = parseCommand(text);
    const user = message.sender.name ?? message.sender.id ?? "someone";
    let answer;
    try {
      answer = await runCommand(c, { db: env.DB, now: (options.now ?? Date.now)(), user, alertmanagerUrl: env.ALERTMANAGER_URL, fetch: options.fetch });
    } catch (e) {
      // a D1 (or Alertmanager) failure still gets the user an answer; the log has the error's class only
      console.log(JSON.stringify({ level: "error", event: "chatops_command_failed", command: c.cmd, error: e instanceof Error ? e.name : "error" }));
      answer = "⚠️ The relay could not read or update its alert state just now; try again in a moment. / 暂时无法查询告警状态，请稍后再试。";
    }
    await reply.send(answer);
    return undefined;
  };
}
