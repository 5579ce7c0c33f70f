// The relay's pure parts, in Node (no workerd): payload parsing, cards, matchers, routes, config.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BadInput, cardFor, fmtDuration, md, parseAlertmanager, parseGrafana } from "../../worker-example/src/alerts.js";
import {
  ConfigError,
  baseUrls,
  loadConfig,
  mentionsFor,
  parseMatcher,
  routeLabels,
  secretValues,
  severityOptions,
  targetOf,
} from "../../worker-example/src/config.js";
import { scrubber } from "../../worker-example/src/log.js";
import { fixture, readWranglerToml } from "./harness.mjs";

const NOW = Date.parse("2026-11-22T09:05:00Z");
const card = (n, alerts = n.alerts, opts = {}) => cardFor(n, alerts, { now: NOW, ...opts }).content.body;

describe("Alertmanager payloads", () => {
  test("firing: red, [FIRING:n], each alert with its labels, summary, start time; source and silence buttons", () => {
    const n = parseAlertmanager(fixture("alertmanager-firing.json"));
    const c = card(n);
    assert.equal(c.color, "red");
    assert.match(c.title, /^🔥 \[FIRING:2\] HighCPUUsage prod-sh-1$/);
    assert.deepEqual(c.fields[0], { name: "Alerts", value: "2 firing" });
    assert.deepEqual(c.fields[1], { name: "Severity", value: "critical" });
    for (const ip of ["10.0.3.17:9100", "10.0.3.22:9100"]) {
      assert.ok(c.text.includes(`instance=${ip}`), ip);
      assert.ok(c.text.includes(`CPU usage on ${ip} is above 90%`), `summary of ${ip}`);
    }
    assert.match(c.text, /Started: 2026-11-22 08:41:07 UTC · for 23m/);
    assert.match(c.text, /\[Runbook\]\(https:\/\/runbooks\.example\.com\/node\/high-cpu\)/);
    const [src, silence, am] = c.buttons;
    assert.equal(src.text, "View source");
    assert.ok(src.url.startsWith("http://prometheus-k8s-0:9090/graph?g0.expr="));
    assert.equal(silence.text, "Silence");
    const filter = decodeURIComponent(new URL(silence.url.replace("/#/", "/")).searchParams.get("filter"));
    assert.equal(filter, '{alertname="HighCPUUsage",cluster="prod-sh-1",job="node-exporter",namespace="monitoring",severity="critical",team="infra"}');
    assert.ok(silence.url.startsWith("http://alertmanager.monitoring.svc:9093/#/silences/new?filter="));
    assert.deepEqual(am, { text: "Alertmanager", url: "http://alertmanager.monitoring.svc:9093/" });
    assert.equal(c.url, "http://alertmanager.monitoring.svc:9093/");
  });

  test("resolved: green, [RESOLVED], end times and durations, no silence button", () => {
    const n = parseAlertmanager(fixture("alertmanager-resolved.json"));
    const c = card(n);
    assert.equal(c.color, "green");
    assert.match(c.title, /^✅ \[RESOLVED:2\] HighCPUUsage/);
    assert.match(c.text, /Ended: 2026-11-22 09:02:37 UTC \(lasted 21m\)/);
    assert.ok(!c.buttons.some((b) => b.text === "Silence"));
    assert.deepEqual(c.fields[0], { name: "Alerts", value: "2 resolved" });
  });

  test("50 alerts: one line each up to MAX_ALERTS, firing first, then '…and N more'", () => {
    const n = parseAlertmanager(fixture("alertmanager-many.json"));
    const c = card(n, n.alerts, { maxAlerts: 20 });
    assert.match(c.title, /\[FIRING:45, RESOLVED:5\] DiskSpaceLow/);
    const lines = c.text.split("\n").filter((l) => l.startsWith("🟠") || l.startsWith("🟢 device"));
    assert.equal(lines.length, 20);
    assert.ok(lines.every((l) => l.startsWith("🟠")), "firing alerts (warning: orange) are listed first");
    // the 5 resolved are named before the list, not hidden in "…and N more"
    assert.match(c.text, /🟢 \*\*Resolved \(5\):\*\* device=\/dev\/nvme1n1, instance=db-46\.prod\.internal:9100/);
    assert.ok(c.text.indexOf("Resolved (5)") < c.text.indexOf(lines[0]));
    // "see all" is Alertmanager's alert list filtered to the group's shared labels
    const seeAll = /…and 30 more \(\[see all\]\(([^)]+)\)\)/.exec(c.text);
    assert.ok(seeAll, c.text);
    assert.ok(seeAll[1].startsWith("http://alertmanager.monitoring.svc:9093/#/alerts?filter="), seeAll[1]);
    assert.equal(
      decodeURIComponent(seeAll[1].split("filter=")[1]),
      '{alertname="DiskSpaceLow",cluster="prod-sh-1",job="node-exporter",severity="warning",team="dba"}',
    );
    // the shared labels once, not per line
    assert.match(c.text, /\*\*Labels:\*\* cluster=prod-sh-1, job=node-exporter, severity=warning, team=dba/);
    assert.ok(!lines[0].includes("team=dba"));
    const all = card(n, n.alerts, { maxAlerts: 100 });
    assert.ok(!all.text.includes("more"));
    assert.equal(all.text.split("\n").filter((l) => l.startsWith("🟢")).length, 5);
  });

  test("truncatedAlerts counts into the summary", () => {
    const body = fixture("alertmanager-firing.json");
    body.truncatedAlerts = 7;
    assert.match(card(parseAlertmanager(body)).text, /…and 7 more/);
  });

  test("label values and annotations are escaped, not read as markdown", () => {
    const body = fixture("alertmanager-firing.json");
    body.alerts[0].annotations.summary = "disk *almost* full [x](http://evil) <b>#1</b>";
    const t = card(parseAlertmanager(body)).text;
    assert.ok(t.includes("disk \\*almost\\* full \\[x\\](http://evil) \\<b\\>\\#1\\</b\\>"), t);
    assert.equal(md("- a\n1. b"), "\\- a\n1\\. b");
  });

  test("bad payloads say what is wrong and where", () => {
    const bad = (body, re) =>
      assert.throws(() => parseAlertmanager(body), (e) => e instanceof BadInput && re.test(e.message), JSON.stringify(body).slice(0, 80));
    bad([], /JSON object/);
    bad({ status: "firing" }, /^alerts: missing/);
    bad({ status: "firing", alerts: [] }, /^alerts: is empty/);
    bad({ status: "boom", alerts: [{ labels: {} }] }, /^status: must be "firing" or "resolved"/);
    bad({ status: "firing", alerts: [{ labels: { a: "b" } }, { annotations: {} }] }, /^alerts\[1\]\.labels: missing/);
    bad({ status: "firing", alerts: [{ labels: { a: { b: 1 } } }] }, /^alerts\[0\]\.labels\.a: must be a string/);
    bad({ version: "3", status: "firing", alerts: [{ labels: {} }] }, /^version: is "3"/);
    bad(fixture("grafana-firing.json"), /\/v1\/grafana/);
    bad({ content: { type: "text", body: { text: "x" } } }, /\/v1\/send/);
    assert.throws(() => parseGrafana(fixture("alertmanager-firing.json")), /\/v1\/alertmanager/);
  });
});

describe("Grafana payloads", () => {
  test("firing: per-alert silence and dashboard links, values, Grafana button", () => {
    const n = parseGrafana(fixture("grafana-firing.json"));
    const c = card(n);
    assert.equal(c.color, "orange", "severity=warning");
    assert.match(c.title, /\[FIRING:2\] API p99 latency Payments/);
    assert.ok(c.text.includes("Value: \\[ var='A' labels={instance=pay-7f9c-1} value=1243.5 \\]"), "value, escaped");
    assert.match(c.text, /\[Silence\]\(https:\/\/grafana\.example\.com\/alerting\/silence\/new\?alertmanager=grafana&matcher=alertname%3DAPI\+p99\+latency/);
    assert.match(c.text, /\[Dashboard\]\(https:\/\/grafana\.example\.com\/d\/pay-api-overview\?.*viewPanel=12\)/);
    // the shared description once, at the top
    assert.equal(c.text.split("p99 request latency has been above 800 ms").length, 2);
    const silence = c.buttons.find((b) => b.text === "Silence");
    assert.ok(silence.url.startsWith("https://grafana.example.com/alerting/silence/new?alertmanager=grafana&matcher="));
    assert.deepEqual(c.buttons.at(-1), { text: "Grafana", url: "https://grafana.example.com/" });
  });

  test("resolved and 50 alerts", () => {
    const r = card(parseGrafana(fixture("grafana-resolved.json")));
    assert.equal(r.color, "green");
    assert.match(r.title, /^✅ \[RESOLVED\] API p99 latency Payments$/);
    const m = card(parseGrafana(fixture("grafana-many.json")), undefined, { maxAlerts: 10 });
    assert.match(m.text, /…and 40 more/);
  });
});

describe("times", () => {
  test("durations and time zones", () => {
    assert.equal(fmtDuration(45_000), "45s");
    assert.equal(fmtDuration(12 * 60_000), "12m");
    assert.equal(fmtDuration(3 * 3600_000 + 5 * 60_000), "3h 5m");
    assert.equal(fmtDuration(50 * 3600_000), "2d 2h");
    const n = parseAlertmanager(fixture("alertmanager-firing.json"));
    assert.match(card(n, n.alerts, { timeZone: "Asia/Shanghai" }).text, /Started: 2026-11-22 16:41:07 Asia\/Shanghai/);
    assert.match(card(n, n.alerts, { timeZone: "Not/AZone" }).text, /Started: 2026-11-22 08:41:07 UTC/);
  });
});

describe("routing", () => {
  const env = {
    WECOM_WEBHOOK_KEY: "k1",
    FEISHU_WEBHOOK_ID: "f1",
    FEISHU_SECRET: "fs",
    ONCALL_TOKEN: "t2",
    ONCALL_SECRET: "s2",
    ROUTES: JSON.stringify({
      channels: { oncall: { platform: "dingtalk", webhook_env: "ONCALL_TOKEN", secret_env: "ONCALL_SECRET" } },
      routes: [
        { matchers: ["severity=critical"], channels: ["oncall"], continue: true },
        { matchers: ["team=~db|storage", 'env!="staging"'], channels: ["feishu"] },
        { matchers: ["team=~db|storage"], channels: ["wecom"] },
      ],
      default: ["wecom"],
    }),
  };

  test("seed channels, named channels, first match wins unless continue, default", () => {
    const cfg = loadConfig(env);
    assert.deepEqual([...cfg.channels.keys()], ["wecom", "feishu", "oncall"]);
    assert.deepEqual(routeLabels(cfg, { severity: "critical", team: "web" }), ["oncall"]);
    assert.deepEqual(routeLabels(cfg, { severity: "critical", team: "db" }), ["oncall", "feishu"]);
    assert.deepEqual(routeLabels(cfg, { team: "storage", env: "staging" }), ["wecom"]);
    assert.deepEqual(routeLabels(cfg, { team: "dbx" }), ["wecom"]); // regexes are anchored
    assert.deepEqual(routeLabels(cfg, {}), ["wecom"]);
    assert.deepEqual(targetOf(env, cfg.channels.get("oncall")), { webhookUrl: "t2", secret: "s2" });
    assert.deepEqual(targetOf(env, cfg.channels.get("wecom")), { webhookUrl: "k1" });
  });

  test("without ROUTES every configured channel gets everything", () => {
    const cfg = loadConfig({ WECOM_WEBHOOK_KEY: "a", DINGTALK_ACCESS_TOKEN: "b", DINGTALK_SECRET: "c" });
    assert.deepEqual(routeLabels(cfg, { anything: "x" }), ["wecom", "dingtalk"]);
    assert.deepEqual(loadConfig({}).defaults, []);
  });

  test("matchers", () => {
    assert.deepEqual(parseMatcher('severity = "critical"'), { name: "severity", op: "=", value: "critical" });
    assert.equal(parseMatcher("a!~x|y").op, "!~");
    assert.throws(() => parseMatcher("no operator"), ConfigError);
    assert.throws(() => parseMatcher("a=~("), /bad regular expression/);
  });

  test("a bad ROUTES says what to fix", () => {
    const bad = (routes, re, extra = {}) =>
      assert.throws(() => loadConfig({ WECOM_WEBHOOK_KEY: "k", ...extra, ROUTES: typeof routes === "string" ? routes : JSON.stringify(routes) }), (e) => e instanceof ConfigError && re.test(e.message));
    bad("{nope", /ROUTES is not valid JSON/);
    bad([], /must be a JSON object/);
    bad({ route: [] }, /ROUTES\.route: unknown key/);
    bad({ channels: { x: { platform: "slack", webhook_env: "A" } } }, /ROUTES\.channels\.x\.platform/);
    bad({ channels: { x: { platform: "wecom", webhook_env: "https://qyapi" } } }, /webhook_env must name the env variable/);
    bad({ channels: { x: { platform: "wecom", webhook_env: "MISSING_VAR" } } }, /MISSING_VAR is not set/);
    bad({ routes: [{ matchers: ["a=b"], channels: ["nope"] }] }, /ROUTES\.routes\[0\]\.channels: no channel named "nope"/);
    bad({ routes: [{ matchers: "a=b", channels: ["wecom"] }] }, /matchers must be an array/);
    bad({ default: [] }, /ROUTES\.default must be a non-empty array/);
  });

  test("ROUTES as an object (a TOML table under [vars])", () => {
    const cfg = loadConfig({ WECOM_WEBHOOK_KEY: "k", ROUTES: { routes: [{ matchers: ["a=b"], channels: ["wecom"] }] } });
    assert.equal(cfg.routes.length, 1);
  });

  test("base URLs and secret scrubbing", () => {
    assert.deepEqual(baseUrls({ PLATFORM_BASE_URL: "http://127.0.0.1:1", FEISHU_BASE_URL: "http://proxy:2" }), {
      wecom: "http://127.0.0.1:1",
      dingtalk: "http://127.0.0.1:1",
      feishu: "http://proxy:2",
      lark: "http://127.0.0.1:1",
    });
    const e2 = { ...env, ONCALL_TOKEN: "oncall-token-1", ONCALL_SECRET: "oncall/secret+2", RELAY_TOKEN: "tok-123456" };
    const scrub = scrubber(secretValues(e2, loadConfig(e2)));
    // every configured value, also URL-encoded; values under 4 characters are not scrubbed
    assert.equal(
      scrub('{"a":"k1 oncall-token-1 oncall%2Fsecret%2B2 tok-123456x f1"}'),
      '{"a":"k1 *** *** ***x f1"}',
    );
  });

  test("the ChatOps bots' credentials are scrubbed too", () => {
    const bots = {
      WECOM_BOT_TOKEN: "wecom-bot-token-3a9f",
      WECOM_BOT_AES_KEY: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
      DINGTALK_APP_SECRET: "dingtalk-app/secret+7",
      FEISHU_APP_SECRET: "feishu-app-secret-41c2",
      FEISHU_ENCRYPT_KEY: "feishu-encrypt-key-9d0e",
      FEISHU_VERIFICATION_TOKEN: "feishu-verification-77b1",
    };
    const values = secretValues({ ...bots, FEISHU_APP_ID: "cli_public_id" }, null);
    for (const [name, v] of Object.entries(bots)) assert.ok(values.includes(v), `${name} is scrubbed`);
    assert.ok(!values.includes("cli_public_id"), "the app id is not a secret");
    const scrub = scrubber(values);
    const line = JSON.stringify({ message: Object.values(bots).join(" ") + " " + encodeURIComponent(bots.DINGTALK_APP_SECRET) });
    const out = scrub(line);
    for (const v of Object.values(bots)) assert.ok(!out.includes(v) && !out.includes(encodeURIComponent(v)), v);
    assert.equal(out, JSON.stringify({ message: "*** *** *** *** *** *** ***" }));
  });
});

describe("wrangler.toml", () => {
  test("bindings, queues and vars agree with the code", () => {
    const t = readWranglerToml();
    assert.equal(t.main, "src/index.js");
    assert.match(t.compatibility_date, /^\d{4}-\d{2}-\d{2}$/);
    const producers = Object.fromEntries(t.queues.producers.map((p) => [p.binding, p.queue]));
    assert.deepEqual(Object.keys(producers).sort(), ["RELAY_DLQ", "RELAY_QUEUE"]);
    const main = t.queues.consumers.find((c) => c.queue === producers.RELAY_QUEUE);
    assert.equal(main.dead_letter_queue, producers.RELAY_DLQ);
    assert.equal(String(main.max_retries), t.vars.QUEUE_MAX_RETRIES);
    assert.equal(t.vars.DEAD_LETTER_QUEUE, producers.RELAY_DLQ);
    assert.ok(t.queues.consumers.some((c) => c.queue === producers.RELAY_DLQ), "the DLQ has a consumer (it logs)");
    for (const secret of ["RELAY_TOKEN", "WECOM_WEBHOOK_KEY", "DINGTALK_SECRET", "FEISHU_SECRET"]) {
      assert.ok(!(secret in t.vars), `${secret} must be a secret, not a var`);
    }
  });
});

describe("first use: titles, severity, storms, long links, WeCom cards, mentions", () => {
  const am = (alerts, extra = {}) =>
    parseAlertmanager({ version: "4", status: "firing", groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: "http://am.test", alerts, ...extra });
  const a = (labels, extra = {}) => ({ status: "firing", labels, annotations: { summary: `${labels.alertname} on ${labels.instance ?? "x"}` }, startsAt: "2026-11-22T09:00:00Z", ...extra });

  test("a group with no group labels is titled by the alerts' names, not the first one's", () => {
    const c = card(am([a({ alertname: "DiskFull", instance: "a", severity: "warning" }), a({ alertname: "NodeDown", instance: "b", severity: "critical" })]));
    assert.match(c.title, /\[FIRING:2\] DiskFull, NodeDown$/);
    const same = card(am([a({ alertname: "DiskFull", instance: "a" }), a({ alertname: "DiskFull", instance: "b" })]));
    assert.match(same.title, /\[FIRING:2\] DiskFull$/);
    const many = card(am(["A", "B", "C", "D", "E"].map((x) => a({ alertname: x }))));
    assert.match(many.title, /A, B, C \+2$/);
  });

  test("severity sets colour, title mark and icons (critical, error, warning, info, none, Grafana's spellings)", () => {
    const by = (sev) => card(am([a({ alertname: "X", severity: sev })]));
    assert.deepEqual([by("critical").color, by("critical").title.slice(0, 2)], ["red", "🔥"]);
    assert.equal(by("error").color, "red");
    assert.ok(by("error").title.startsWith("❗"));
    assert.equal(by("warning").color, "orange");
    assert.ok(by("warning").title.startsWith("⚠️"));
    assert.equal(by("info").color, "blue");
    assert.equal(by("none").color, "grey");
    assert.equal(by("High").color, "red", "an alias");
    assert.equal(by("medium").color, "orange");
    assert.equal(by("whatever").color, "red", "unknown: as firing always looked");
    // the highest severity of a mixed group, and each alert its own icon
    const mixed = card(am([a({ alertname: "A", severity: "warning" }), a({ alertname: "B", severity: "critical" })]));
    assert.equal(mixed.color, "red");
    assert.match(mixed.text, /🟠 1\. A/);
    assert.match(mixed.text, /🔴 2\. B/);
    assert.deepEqual(mixed.fields.find((f) => f.name === "Severity"), { name: "Severity", value: "critical (highest)" });
    // WeCom gets <font color>; configurable label and styles
    const one = am([a({ alertname: "X", severity: "warning" })]);
    const wc = cardFor(one, one.alerts, { platform: "wecom" }).content.body;
    assert.match(wc.text, /^<font color="warning">⚠️ \*\*WARNING\*\*<\/font>/);
    const styled = cardFor(am([a({ alertname: "X", prio: "warning" })]), am([a({ alertname: "X", prio: "warning" })]).alerts, {
      severityLabel: "prio",
      severityStyles: { warning: { color: "yellow", mark: "🟡" } },
    }).content.body;
    assert.equal(styled.color, "yellow");
    assert.ok(styled.title.startsWith("🟡"));
  });

  test("a 25 KB generatorURL or externalURL, or a long shared label, drops or shortens the link, not the card", () => {
    const huge = `http://prom.test/graph?g0.expr=${"x".repeat(25_000)}`;
    const c = card(am([a({ alertname: "X", instance: "a" }, { generatorURL: huge })], { externalURL: `http://am.test/?${"y".repeat(25_000)}` }));
    assert.ok(JSON.stringify(c).length < 5000, `${JSON.stringify(c).length} bytes`);
    assert.ok(!c.buttons?.some((b) => b.text === "View source" || b.text === "Alertmanager"));
    assert.match(c.text, /a link longer than 2048 characters was left out/);
    const longLabel = card(am([a({ alertname: "X", instance: "a", query: "q".repeat(5000) })]));
    const silence = longLabel.buttons.find((b) => b.text === "Silence");
    assert.ok(silence && silence.url.length < 2048, "the silence link for the alert name alone");
    assert.equal(decodeURIComponent(silence.url.split("filter=")[1]), '{alertname="X"}');
  });

  test("WECOM_CARD=card: the alert fits a WeCom card (text within 112 characters, at most 6 fields), the rest behind its buttons", () => {
    const n = parseAlertmanager(fixture("alertmanager-firing.json"));
    const c = cardFor(n, n.alerts, { now: NOW, compact: true, platform: "wecom" }).content.body;
    assert.ok(Array.from(c.text).length <= 112, c.text);
    assert.match(c.text, /^HighCPUUsage: CPU usage on 10\.0\.3\.17:9100 is above 90% \(\+1 more\)/);
    assert.ok(c.fields.length <= 6);
    assert.deepEqual(c.buttons.map((b) => b.text), ["View source", "Silence", "See all"]);
  });

  test("ROUTES mentions per channel and severity; bad ones say what to fix", () => {
    const env = {
      WECOM_WEBHOOK_KEY: "k",
      DINGTALK_ACCESS_TOKEN: "t",
      ROUTES: JSON.stringify({ mentions: { wecom: { critical: [{ type: "all" }], "*": [{ type: "mobile", value: "13800000000" }] } } }),
    };
    const cfg = loadConfig(env);
    assert.deepEqual(mentionsFor(cfg.channels.get("wecom"), "critical"), [{ type: "all" }]);
    assert.deepEqual(mentionsFor(cfg.channels.get("wecom"), "warning"), [{ type: "mobile", value: "13800000000" }]);
    assert.deepEqual(mentionsFor(cfg.channels.get("dingtalk"), "critical"), []);
    for (const [m, re] of [
      [{ nope: {} }, /no channel named "nope"/],
      [{ wecom: { critical: [{ type: "pager" }] } }, /critical\[0\] must be/],
      [{ wecom: { critical: [{ type: "mobile" }] } }, /value: a mobile is required/],
    ]) {
      assert.throws(() => loadConfig({ ...env, ROUTES: JSON.stringify({ mentions: m }) }), (e) => e instanceof ConfigError && re.test(e.message));
    }
    assert.throws(() => severityOptions({ SEVERITY_STYLES: '{"urgent":{}}' }), ConfigError);
  });
});
