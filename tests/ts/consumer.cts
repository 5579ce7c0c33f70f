// The CommonJS view of the types (index.d.cts via the "require" condition), checked by
// scripts/check-types.mjs under nodenext with the ESM consumer.ts.
import wp = require("webhook-push");
import wh = require("webhook-push/webhook");

function sink(..._values: unknown[]): void {}

const message: wp.UnifiedMessageInit = { content: { type: "text", body: { text: "hi" } } };
const result: wp.RenderResult = wp.render(message, "dingtalk");
const platform: wp.Platform | null = wp.detectPlatform("https://oapi.dingtalk.com/robot/send?access_token=x");
const validated = new wp.UnifiedMessage(message);
sink(result.payloads.length, platform, validated.toJSON());
// @ts-expect-error an unknown platform name
wp.render(message, "slack");

// webhook-push/webhook under require (webhook.d.cts): the main entry's API with the webhook engine
const hooks = new wh.MessageSender({ services: { tickets: { url: "https://tickets.example.com/api" } } });
const sentTo: Promise<wh.SendToResult> = hooks.sendTo(message, "tickets");
sink(sentTo, hooks.services(), wh.render(message, "webhook", { webhook: { url: "https://x.example" } }).url);
