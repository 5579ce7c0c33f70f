// The typical messages every benchmark uses, and the bots they go to.

export const PLATFORMS = ["wecom", "dingtalk", "feishu"];

/** Text with mentions: an on-call ping. */
const textMentions = {
  content: {
    type: "text",
    body: { text: "磁盘告警 disk usage on db-01 is at 91% (threshold 85%). Please check the WAL archive job and free space before 18:00." },
    mentions: [
      { type: "mobile", value: "13800000000", display_name: "Zhang San" },
      { type: "mobile", value: "13900000000", display_name: "Li Si" },
    ],
  },
};

/** A markdown report: a deployment summary. */
const markdownReport = {
  content: {
    type: "markdown",
    title: "Deployment Report",
    body: {
      content: [
        "# Deployed ✅ api-gateway v1.24.3",
        "",
        "**Environment:** production (cn-shanghai)  ",
        "**Duration:** 4m 12s  ",
        "**Triggered by:** @zhangsan",
        "",
        "## Changes",
        "- Fix retry storm when the upstream answers `503` ([#1423](https://git.example.com/api/pull/1423))",
        "- Bump `tokio` to 1.47",
        "- New metric `gateway_upstream_latency_seconds`",
        "",
        "## Checks",
        "1. Smoke tests: 48/48 passed",
        "2. Error rate: 0.02% (before 0.03%)",
        "3. p99 latency: 182 ms",
        "",
        "> Rollback: `deploy rollback api-gateway --to v1.24.2`",
        "",
        "[Pipeline](https://ci.example.com/pipelines/88121) · [Logs](https://logs.example.com/api-gateway?since=15m) · [Dashboard](https://grafana.example.com/d/api)",
      ].join("\n"),
    },
  },
};

/** An Alertmanager-style alert as a neutral card: fields and buttons. */
const alertCard = {
  content: {
    type: "card",
    title: "[FIRING:2] HighErrorRate api-gateway",
    body: {
      title: "[FIRING:2] HighErrorRate",
      subtitle: "api-gateway · production",
      text: "**5xx ratio above 5% for 10 minutes.** Upstream `orders-svc` is answering `503` on `/v2/orders`.",
      color: "red",
      emphasis: { title: "7.4%", desc: "5xx ratio (5m)" },
      fields: [
        { name: "alertname", value: "HighErrorRate" },
        { name: "severity", value: "critical" },
        { name: "instance", value: "10.0.12.7:9100" },
        { name: "job", value: "api-gateway" },
        { name: "startsAt", value: "2026-11-22 09:41:07 CST" },
        { name: "value", value: "0.074" },
      ],
      buttons: [
        { text: "Runbook", url: "https://runbooks.example.com/HighErrorRate", style: "primary" },
        { text: "Grafana", url: "https://grafana.example.com/d/api?var-job=api-gateway" },
        { text: "Silence 1h", url: "https://alertmanager.example.com/#/silences/new?filter=%7Balertname%3D%22HighErrorRate%22%7D", style: "danger" },
      ],
      url: "https://alertmanager.example.com/#/alerts?filter=%7Bjob%3D%22api-gateway%22%7D",
    },
  },
};

/** About 10 KB of markdown: over WeCom's 4096-byte markdown limit, so it splits there. */
function longMarkdown() {
  const parts = ["# Nightly batch report 夜间批处理报告", ""];
  let i = 0;
  while (Buffer.byteLength(parts.join("\n")) < 9900) {
    i++;
    parts.push(
      `## Job ${i}: etl-orders-${String(i).padStart(2, "0")}`,
      "",
      `- Status: **${i % 7 === 0 ? "FAILED ❌" : "ok ✅"}**, rows ${(i * 104729) % 1000000}, took ${(i * 37) % 600}s`,
      `- Source \`s3://warehouse/raw/orders/2026-11-21/part-${i}.parquet\`, see [details](https://jobs.example.com/runs/${8000 + i})`,
      `- 备注：第 ${i} 个任务按计划完成，无需人工干预。`,
      "",
    );
  }
  return { content: { type: "markdown", title: "Nightly batch report", body: { content: parts.join("\n") } } };
}

export const MESSAGES = {
  text_mentions: textMentions,
  markdown_report: markdownReport,
  alert_card: alertCard,
  markdown_10kb: longMarkdown(),
};

export const MESSAGE_LABELS = {
  text_mentions: "text + 2 mentions",
  markdown_report: "markdown report",
  alert_card: "Alertmanager-style card",
  markdown_10kb: "10 KB markdown (splits on WeCom)",
};

/** The three short ones: one request each on every platform (bursts, Apprise). */
export const SHORT = ["text_mentions", "markdown_report", "alert_card"];

/** Signing secrets: DingTalk and Feishu bots are signed. */
export const SECRETS = {
  wecom: null,
  dingtalk: "SECbench0123456789abcdef0123456789abcdef0123456789abcdef01234567",
  feishu: "benchFeishuSecret0123456789",
};

/** A bot spec for the mock: { platform, key, secret? }. */
export function bot(platform, key) {
  return SECRETS[platform] ? { platform, key, secret: SECRETS[platform] } : { platform, key };
}

/** A copy of a message with a message_id. */
export function withId(msg, id) {
  return { ...msg, metadata: { ...(msg.metadata || {}), message_id: id } };
}

/**
 * What a user of Apprise would pass for the same message: notify(body, title, body_format), and
 * for DingTalk the mentioned mobiles as URL targets (Apprise's only kind of mention).
 */
export function forApprise(msg) {
  const c = msg.content;
  const mobiles = (c.mentions || []).filter((m) => m.type === "mobile").map((m) => m.value);
  if (c.type === "text") return { title: c.title || "", body: c.body.text, format: "text", mobiles };
  if (c.type === "markdown") return { title: c.title || "", body: c.body.content, format: "markdown", mobiles };
  if (c.type === "card") {
    const b = c.body;
    const lines = [];
    if (b.subtitle) lines.push(`*${b.subtitle}*`, "");
    if (b.emphasis) lines.push(`**${b.emphasis.title}** ${b.emphasis.desc || ""}`, "");
    if (b.text) lines.push(b.text, "");
    for (const f of b.fields || []) lines.push(`- **${f.name}**: ${f.value}`);
    lines.push("");
    lines.push((b.buttons || []).map((x) => `[${x.text}](${x.url})`).join(" · "));
    return { title: b.title || c.title || "", body: lines.join("\n"), format: "markdown", mobiles };
  }
  throw new Error(`no Apprise form for ${c.type}`);
}

// 1 MiB inputs (issue 8: the worst within 3x of plain): the unit each is made of, repeated. Markup
// the parser makes a tree item of per character (`[`, `]`, `<`, `<a`, `\\[`), links, `*a` (an
// emphasis span per two characters), and line- and block-shaped markdown (a line or block per 2-6
// bytes; under `truncate` the parse stops near the capacity, so per-line work over the whole
// source shows). bench/render.mjs measures these; the A/B scripts these and LARGE_EXTRA.
export const LARGE_INPUTS = {
  plain: "a", brackets: "[", angles: "<", links: "[x](", close: "]", emphasis: "*a", tags: "<a", escaped: "\\[",
  breaks: "a\n", paras: "a\n\n", quotes_md: "> a\n", bullets: "- a\n", numbered: "1. a\n", headings: "# a\n",
  table: "|a|\n", indented: "    a\n", fences: "```\n", definitions: "[a]: b\n", refs: "[a]\n", comments: "<!--\n",
  entities: "&amp;", hardbreaks: "a  \n", stars: "*", unders: "_", ticks: "`",
};
// escape-heavy and non-ASCII text: a `\"` per 2 characters (JSON in text), a `\\` escape per
// character, log lines (a `\n` per 80 characters), CJK (3 bytes a character, no escape)
export const LARGE_EXTRA = { quotes: 'a"', backslashes: "\\", lines: "x".repeat(79) + "\n", cjk: "中" };
// markdown made of link reference definitions (they render to nothing, so a bounded parse reads
// on to the end): each a function of the byte budget (bench/large-ab.mjs; WP_BENCH_LARGE_ONLY names them)
const fill = (n, unit) => unit.repeat(Math.floor(n / Buffer.byteLength(unit)));
const upTo = (n, line) => {
  const out = [];
  let len = 0;
  for (let i = 0; ; i++) {
    const l = line(i);
    if (len + l.length > n) return out.join("");
    out.push(l);
    len += l.length;
  }
};
export const LARGE_DEFS = {
  defs_tail: (n) => "x\n\n" + fill(n - 12, "[a]: b\n") + "\n\ntail",
  defs_distinct: (n) => upTo(n, (i) => `[a${i}]: b\n`),
  defs_titles: (n) => fill(n, '[a]: b "t"\n'),
  defs_multiline: (n) => fill(n, "[a]:\nb\n"),
  defs_quote: (n) => fill(n, "> [a]: b\n"),
  defs_list: (n) => fill(n, "- [a]: b\n"),
  defs_crlf: (n) => fill(n, "[a]: b\r\n"),
  defs_ref_end: (n) => "see [x]\n\n" + fill(n - 30, "[a]: b\n") + "[x]: /u\n",
  defs_distinct_ref_end: (n) => "see [x]\n\n" + upTo(n - 30, (i) => `[a${i}]: b\n`) + "[x]: /u\n",
};
