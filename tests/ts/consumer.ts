// A consumer of the whole typed surface of webhook-push, type-checked (never run) against
// the installed package by scripts/check-types.mjs: `tsc --noEmit --strict`, ESM under
// nodenext and bundler resolution. The @ts-expect-error lines fail the check if a type
// loosens (to `any`, to `string`, to an optional that should be required).
import { detectPlatform, isWebhookPushError, MessageSender, render, UnifiedMessage } from "webhook-push";
import type { SendCoordinator } from "webhook-push";
import type {
  Article,
  CardBody,
  CardButton,
  CardField,
  Degradation,
  DingTalkCard,
  ErrorCode,
  FeishuCard,
  JsonValue,
  Mention,
  MessageContent,
  MessageMetadata,
  NeutralCard,
  Platform,
  RenderOptions,
  RenderResult,
  UnifiedMessageInit,
  WebhookPushError,
  WecomCard,
} from "webhook-push";
// @ts-expect-error the manual init API is not part of the package's surface
import { initSync } from "webhook-push";
// @ts-expect-error nor is wasm-bindgen's default init
import init from "webhook-push";

// No console: the check runs without DOM or Node typings.
function sink(..._values: unknown[]): void {}

const mentions: Mention[] = [
  { type: "mobile", value: "13800000000", display_name: "Zhang San" },
  { type: "user_id", value: "zhangsan" },
  { type: "all" },
];
const metadata: MessageMetadata = { message_id: "msg-1", correlation_id: "deploy-42" };
const text: UnifiedMessageInit = { content: { type: "text", body: { text: "Deployed" }, mentions }, metadata };
const markdown: UnifiedMessageInit = { content: { type: "markdown", title: "Report", body: { content: "# Stats\n- ok" } } };
const articles: Article[] = [{ title: "Webhooks", description: "best practice", url: "https://example.com/a", image_url: "https://example.com/a.png" }];
const news: UnifiedMessageInit = { content: { type: "news", body: { links: articles } } };
const image: UnifiedMessageInit = { content: { type: "image", body: { url: "https://example.com/i.png", alt: "chart" } } };
const link: UnifiedMessageInit = { content: { type: "link", body: { title: "Docs", text: "Read", url: "https://example.com" } } };
const file: UnifiedMessageInit = { content: { type: "file", body: { media_id: "m-1", name: "report.pdf" } } };
const raw: UnifiedMessageInit = { content: { type: "raw", body: { feishu: { msg_type: "text", content: { text: "hi" } } } } };

const fields: CardField[] = [{ name: "Host", value: "web-01" }, { name: "CPU", value: 95, url: "https://example.com/cpu" }];
const buttons: CardButton[] = [{ text: "Open", url: "https://example.com", style: "primary" }, { text: { content: "Ack" }, url: "https://example.com/ack" }];
const neutral: NeutralCard = { title: "Alert", text: "**CPU** high", emphasis: { title: "95%" }, fields, buttons, color: "red", url: "https://example.com" };
const wecom: WecomCard = {
  card_type: "text_notice",
  title: "系统告警",
  horizontal_content_list: [{ keyname: "服务器", value: "web-01" }],
  jump_list: [{ type: 1, url: "https://example.com/alerts", title: "查看详情" }],
  action: { type: 1, url: "https://example.com/alerts" },
};
const dingtalk: DingTalkCard = { card_type: "multi", title: "Release", actions: [{ text: "Approve", url: "https://example.com/ok" }] };
const feishu: FeishuCard = { card_type: "interactive", header: { title: { tag: "plain_text", content: "Hi" } }, elements: [{ tag: "div" }] };
const cards: CardBody[] = [neutral, wecom, dingtalk, feishu];
const cardMessages: UnifiedMessageInit[] = cards.map((body) => ({ content: { type: "card", body } }));

const platforms: Platform[] = ["wecom", "dingtalk", "feishu", "lark"];
const options: RenderOptions = {
  webhook: "https://oapi.dingtalk.com/robot/send?access_token=abc",
  secret: "SEC000000000000000000000",
  timestamp: 1577836800000,
  overflow: "split",
  wecomMarkdown: "auto",
  baseUrl: "http://127.0.0.1:8080",
};
const alsoOptions: RenderOptions = { webhookUrl: "https://open.feishu.cn/open-apis/bot/v2/hook/x", overflow: "truncate", wecomMarkdown: "v2" };

function summary(r: RenderResult): string {
  const p: Platform = r.platform;
  const url: string | null = r.url;
  const parts: number = r.parts;
  const first: { [key: string]: JsonValue } | undefined = r.payloads[0];
  const steps: string[] = r.degraded.map((d: Degradation) => `${d.from} -> ${d.to}: ${d.reason}`);
  return `${p} ${url ?? "-"} ${parts} ${JSON.stringify(first)} ${steps.join("; ")}`;
}

function describeContent(c: MessageContent): string {
  switch (c.type) {
    case "text":
      return c.body.text;
    case "markdown":
      return c.body.content;
    case "news":
    case "feed":
      return c.body.links.map((a) => a.url).join(" ");
    case "link":
      return c.body.url;
    case "image":
      return c.body.url ?? c.body.image_key ?? "";
    case "file":
      return c.body.name ?? "";
    case "card":
      return c.body.title ?? "";
    case "raw":
      return Object.keys(c.body).join(",");
    default: {
      const unreachable: never = c;
      return unreachable;
    }
  }
}

function explain(code: ErrorCode): string {
  switch (code) {
    case "INVALID_MESSAGE":
    case "INVALID_CONFIG":
    case "UNKNOWN_PLATFORM":
    case "UNSUPPORTED":
      return "fix the input";
    case "RATE_LIMIT":
    case "NETWORK_ERROR":
    case "TIMEOUT":
      return "retry later";
    case "PLATFORM_ERROR":
    case "DUPLICATE":
      return "look at the platform";
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

const all: UnifiedMessageInit[] = [text, markdown, news, image, link, file, raw, ...cardMessages];
for (const m of all) {
  for (const p of platforms) {
    sink(summary(render(m, p)), describeContent(m.content));
  }
}
sink(summary(render(text, "dingtalk", options)), summary(render(markdown, "feishu", alsoOptions)));

try {
  render(news, "wecom");
} catch (e) {
  const err = e as WebhookPushError;
  const code: ErrorCode = err.code;
  const path: string | undefined = err.path;
  const message: string = err.message;
  sink(explain(code), path, message);
}

const detected: Platform | null = detectPlatform("https://open.feishu.cn/open-apis/bot/v2/hook/x");
sink(detected);

const validated = new UnifiedMessage(text);
const plain: UnifiedMessageInit = validated.toJSON();
const content: MessageContent = validated.content;
const meta: MessageMetadata | undefined = validated.metadata;
sink(summary(render(validated, "lark")), plain, content, meta);
validated.free();
{
  using scoped = new UnifiedMessage(markdown);
  sink(describeContent(scoped.content));
}

// The types are precise: each of these is an error.
// @ts-expect-error an unknown platform name
render(text, "slack");
// @ts-expect-error a message needs content
render({}, "wecom");
// @ts-expect-error a text body needs text
render({ content: { type: "text", body: {} } }, "wecom");
// @ts-expect-error body shapes follow the type
render({ content: { type: "markdown", body: { text: 1 } } }, "wecom");
// @ts-expect-error overflow is one of three strings
render(text, "wecom", { overflow: "explode" });
// @ts-expect-error the secret is a string
render(text, "dingtalk", { secret: 42 });
// @ts-expect-error detectPlatform takes a string
detectPlatform(42);
// @ts-expect-error the constructor validates the shape too
new UnifiedMessage({ content: { type: "news", body: { links: [{ title: "no url" }] } } });
// @ts-expect-error result fields are typed
const notString: string = render(text, "wecom").parts;
// @ts-expect-error the platform of a result is the Platform union
const notDetected: "slack" = render(text, "wecom").platform;
// @ts-expect-error error codes are a closed union
const notCode: ErrorCode = "OOPS";

sink(initSync, init, notString, notDetected, notCode);

// catch (e): the type guard narrows unknown to WebhookPushError
try {
  render(news, "wecom");
} catch (e: unknown) {
  if (isWebhookPushError(e)) {
    const code: ErrorCode = e.code;
    sink(code, e.path);
  }
}

// a shared coordinator (a Durable Object, Redis...) as the interface the relay implements
const slots = new Map<string, number[]>();
const records = new Map<string, string>();
const coordinator: SendCoordinator = {
  async acquire(bot, windows) {
    const now = Date.now();
    const times = (slots.get(bot) ?? []).filter((t) => windows.some((w) => t > now - w.periodMs));
    const full = windows.find((w) => times.filter((t) => t > now - w.periodMs).length >= w.limit);
    if (full) return { waitMs: full.periodMs };
    slots.set(bot, [...times, now]);
    return { waitMs: 0 };
  },
  async claim(bot, messageId, _ttlMs) {
    const k = `${bot}:${messageId}`;
    const cur = records.get(k);
    if (cur === "sent" || cur === "pending") return cur;
    records.set(k, "pending");
    return cur ?? "new";
  },
  async settle(bot, messageId, state, _ttlMs) {
    if (state === "released") records.delete(`${bot}:${messageId}`);
    else records.set(`${bot}:${messageId}`, state);
  },
};
sink(new MessageSender({ coordinator, timeout: 5000 }));

// the generic webhook target, from webhook-push/webhook (same API; its wasm has the engine):
// one target, named services, the request rendered
import { MessageSender as WebhookSender, render as renderWebhook } from "webhook-push/webhook";
import type { SendToResult, WebhookTarget } from "webhook-push/webhook";
const ticketsTarget: WebhookTarget = {
  url: "https://tickets.example.com/api",
  method: "PUT",
  headers: { Authorization: "Bearer x" },
  body: { title: "{{title|alert}}", at: "{{time|unix}}" },
  check: { status: [200, 201], jsonPath: "ok", equals: true },
  retry: { count: 2, intervalSeconds: 1 },
  signing: "standard-webhooks",
  secret: "whsec_x",
};
const services = new WebhookSender({ services: { tickets: ticketsTarget, off: { url: "https://x.example", enabled: false } } });
async function webhookTarget(): Promise<void> {
  const one = await services.send({ content: { type: "text", body: { text: "x" } } }, "webhook", { webhook: ticketsTarget });
  sink(one.platform === "webhook");
  const many: SendToResult = await services.sendTo({ content: { type: "text", body: { text: "x" } } }, ["tickets", "off"]);
  sink(many.results.map((r) => r.service), many.skipped);
  sink(services.services().map((s) => s.name));
  sink(renderWebhook({ content: { type: "text", body: { text: "x" } } }, "webhook", { webhook: ticketsTarget }).payloads[0]);
  // the same classes and types as the main entry's
  const same: MessageSender = services;
  sink(same);
}
sink(webhookTarget);
