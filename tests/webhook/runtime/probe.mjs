// What each runtime checks, given both entries of the installed package: webhook-push/webhook
// (`wp`) sends to the loopback receiver by "webhook" and by a named service, and renders; the
// main entry (`main`) answers each webhook use with UNSUPPORTED naming the subpath. Plain data
// out, for the test to assert on.
export async function probe(wp, main, runtime, url) {
  const msg = { content: { type: "text", body: { text: `from ${runtime}` } }, metadata: { message_id: `${runtime}-1` } };
  const cfg = { url: `${url}/${runtime}`, body: '{"text": {{message}}, "via": "{{type}}"}' };
  const out = { runtime };
  const caught = (f) => {
    try {
      f();
      return "no error";
    } catch (e) {
      return main.isWebhookPushError(e) ? `${e.code}: ${e.message}` : `untyped: ${e}`;
    }
  };
  const sender = new wp.MessageSender({ services: { recv: { ...cfg, url: `${url}/${runtime}/service` } }, retryPolicy: { maxRetries: 0 } });
  const one = await sender.send(msg, "webhook", { webhook: cfg });
  out.send = { success: one.success, platform: one.platform, code: one.error?.code ?? null };
  const many = await sender.sendTo({ ...msg, metadata: { message_id: `${runtime}-2` } }, "recv");
  out.sendTo = { successCount: many.successCount, service: many.results[0]?.service ?? null };
  out.services = sender.services().map((s) => s.name);
  out.render = wp.render(msg, "webhook", { webhook: cfg }).payloads[0].body;
  out.sameExports = Object.keys(wp).sort().join() === Object.keys(main).sort().join();

  // platformInfo (of the chat platforms), detectPlatform and botId answer alike from both entries
  // (platformInfo("webhook") answers from both; its types and engine limits differ: below)
  const facts = (e) =>
    JSON.stringify([
      ...["wecom", "dingtalk", "feishu", "lark"].map((p) => caught(() => e.platformInfo(p)) === "no error" && e.platformInfo(p)),
      caught(() => e.platformInfo("webhook")),
      ["https://example.com/hook", "https://open.feishu.cn/open-apis/bot/v2/hook/abcdefgh"].map((u) => e.detectPlatform(u)),
      caught(() => e.botId("webhook", "https://example.com/hook")),
    ]);
  out.sameFacts = facts(wp) === facts(main);
  out.webhookInfo = caught(() => main.platformInfo("webhook"));
  const infoOf = (e) => {
    const i = e.platformInfo("webhook");
    return { webhook: i.webhook, env: i.env.webhook, rateLimits: i.rateLimits.length, maxBodyBytes: i.limits.maxBodyBytes ?? null, types: i.types.map((t) => `${t.type}: ${t.support}${t.code ? ` ${t.code}` : ""}`) };
  };
  out.webhookFacts = { main: infoOf(main), wp: infoOf(wp) };
  const m = new main.MessageSender({ retryPolicy: { maxRetries: 0 } });
  const r = await m.send(msg, "webhook", { webhook: cfg });
  out.main = {
    send: r.success ? "sent" : `${r.error.code}: ${r.error.message}`,
    render: caught(() => main.render(msg, "webhook", { webhook: cfg })),
    services: caught(() => new main.MessageSender({ services: { recv: cfg } })),
    // no services at all (e.g. from an empty config) is not a webhook use
    noServices: caught(() => new main.MessageSender({ services: {} })),
    sendTo: caught(() => m.sendTo(msg, "recv")),
    list: caught(() => m.services()),
    // what the main entry still does: every chat platform
    wecom: main.render({ content: { type: "text", body: { text: "x" } } }, "wecom").payloads[0].msgtype,
  };
  return out;
}
