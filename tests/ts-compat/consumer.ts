// TypeScript 5.0 / 5.1 (before \`using\` and Symbol.dispose): the package's types with
// skipLibCheck: true, as its README says. Checked by scripts/check-types.mjs with TypeScript 5.0.4.
import { isWebhookPushError, MessageSender, render } from "webhook-push";
import type { SendResult, UnifiedMessageInit } from "webhook-push";

const message: UnifiedMessageInit = { content: { type: "text", body: { text: "hello" } } };
const parts: number = render(message, "wecom").parts;
try {
  render({ content: { type: "text", body: { text: "" } } }, "dingtalk");
} catch (e: unknown) {
  if (isWebhookPushError(e)) console.log(e.code, e.path, parts);
}
const sender = new MessageSender({ timeout: 5000 });
export const pending: Promise<SendResult> = sender.send(message, "wecom", "0123456789abcdef");
