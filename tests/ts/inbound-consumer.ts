// A strict consumer of webhook-push/inbound: the handlers, the typed messages they pass, and the
// pure functions, with no DOM or Node typings (scripts/check-types.mjs compiles it with tsc).
import {
  dingtalkHandler,
  feishuHandler,
  feishuOpen,
  render,
  wecomHandler,
  wecomDownloadMedia,
  wecomOpen,
  type InboundError,
  type InboundHandler,
  type InboundMessage,
  type Reply,
  type ReplyResult,
  type WecomMessage,
} from "webhook-push/inbound";

async function onMessage(message: InboundMessage, reply: Reply): Promise<void> {
  const sender: string = message.sender.id;
  switch (message.platform) {
    case "wecom": {
      const url: string | undefined = message.responseUrl;
      if (message.event?.type === "template_card_event") {
        const keys: string[] = message.event.selected.map((s) => s.questionKey);
        void keys;
      }
      void url;
      break;
    }
    case "dingtalk": {
      const expires: number | undefined = message.sessionWebhookExpiredTime;
      const admin: boolean = message.sender.isAdmin;
      void expires;
      void admin;
      break;
    }
    case "feishu":
      if (message.kind === "card_action") {
        const v = message.action.value;
        void v;
      } else {
        const chat: string = message.chatId;
        void chat;
      }
      break;
  }
  const r: ReplyResult = await reply.send(`hello ${sender}`);
  if (!r.success) {
    const code: string | undefined = r.error?.code;
    void code;
  }
  await reply.send({ content: { type: "markdown", body: { content: "**ok**" } } });
}

const wecomOnly = (m: WecomMessage): string | undefined => m.text;
void wecomOnly;

const handlers: InboundHandler[] = [
  wecomHandler({ token: "t", encodingAesKey: "k".repeat(43), onMessage, allowFrom: ["zhangsan"], replyWindow: 500 }),
  dingtalkHandler({ appSecret: "s", onMessage, dedup: { ttl: 60_000 } }),
  feishuHandler({ appId: "cli", appSecret: "s", encryptKey: "e", verificationToken: "v", onMessage, lark: true, log: null }),
];
void handlers;

try {
  const opened = wecomOpen({ token: "t", encodingAesKey: "k".repeat(43) }, { msg_signature: "s", timestamp: "1", nonce: "n" }, "{}", 0, 0);
  if ("verify" in opened) {
    const plain: string = opened.verify;
    void plain;
  } else {
    const id: string = opened.message.id;
    void id;
  }
  const f = feishuOpen({}, { timestamp: null }, "{}", 0, 0);
  void f;
} catch (e) {
  const err = e as InboundError;
  const status: number = err.status;
  const reason: "bad_signature" | string = err.reason;
  void status;
  void reason;
}
void render;

async function media(m: WecomMessage): Promise<number> {
  const url = m.images?.[0];
  if (url === undefined) return 0;
  const { bytes, contentType } = await wecomDownloadMedia({ token: "t", encodingAesKey: "k".repeat(43) }, url, { maxBytes: 1 << 20 });
  void contentType;
  return bytes.length;
}
void media;
