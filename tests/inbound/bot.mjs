// The bot under test, the same in every runtime (web globals only): the three handlers of
// webhook-push/inbound mounted on one fetch function, and an onMessage that reports what it got
// to the loopback test platform and answers.
//
//   "ping"        -> reply "pong <platform>" at once (WeCom: passive, in the HTTP answer)
//   "slow ..."    -> wait for the platform's gate (opened by the test after the callback was
//                    acknowledged), reply, then try a second reply; both results reported
//   "long"        -> a 30000-byte markdown reply ending in a link
//   "card"        -> reply with a card (WeCom: a passive template card)
//   image (WeCom) -> download and decrypt it, report its SHA-256 or the error code
//   card action   -> answer with a toast
export function makeBot(inbound, cfg) {
  const report = (path, body) =>
    fetch(`${cfg.platform}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }).then((r) =>
      r.text(),
    );
  const onMessage = async (message, reply) => {
    await report("/seen", { platform: message.platform, id: message.id, type: message.type, text: message.text ?? null, sender: message.sender.id, message });
    if (message.type === "card_action") return { toast: { type: "success", content: `acked ${message.action.value?.fp ?? ""}` } };
    if (message.event?.type === "template_card_event") {
      // the card update answers the event; a reply.send goes through response_url
      const r = await reply.send("card event seen");
      await report("/result", { id: message.id, results: [r] });
      return { response_type: "update_template_card", userids: [message.sender.id], template_card: { card_type: "text_notice", task_id: message.event.taskId, main_title: { title: "acked" } } };
    }
    const text = (message.text ?? "").replace(/^@\S+\s*/, "").trim();
    if (text === "ping") {
      const r = await reply.send(`pong **${message.platform}**`);
      await report("/result", { id: message.id, results: [r] });
    } else if (text.startsWith("slow")) {
      await fetch(`${cfg.platform}/gate?id=${encodeURIComponent(message.id)}`).then((r) => r.text());
      const first = await reply.send({ content: { type: "markdown", body: { content: `slow answer to ${message.sender.id}` } } });
      const second = await reply.send("a second answer");
      await report("/result", { id: message.id, results: [first, second] });
    } else if (text === "card") {
      const card = { title: "Disk full", text: "firing on db-1", url: "https://example.com/a/1", buttons: [{ text: "Runbook", url: "https://example.com/rb" }] };
      const r = await reply.send({ content: { type: "card", body: card } });
      await report("/result", { id: message.id, results: [r] });
    } else if (message.platform === "wecom" && message.type === "image") {
      let outcome;
      try {
        const { bytes } = await inbound.wecomDownloadMedia(cfg.wecom, message.images[0]);
        const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
        outcome = { sha256: Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join(""), length: bytes.length };
      } catch (e) {
        outcome = { code: e.code, message: e.message };
      }
      await report("/result", { id: message.id, results: [outcome] });
    } else if (text === "long") {
      const r = await reply.send(`${"告警 ".repeat(10000)}[runbook](https://example.com/runbook)`);
      await report("/result", { id: message.id, results: [r] });
    }
    return undefined;
  };
  const common = { onMessage, allowFrom: cfg.allowFrom, replyWindow: cfg.replyWindow, log: (line) => console.log(line) };
  const wecom = inbound.wecomHandler({ ...common, ...cfg.wecom });
  const dingtalk = inbound.dingtalkHandler({ ...common, ...cfg.dingtalk });
  const feishu = inbound.feishuHandler({ ...common, ...cfg.feishu, baseUrl: cfg.platform });
  return (request, ctx) => {
    const path = new URL(request.url).pathname;
    if (path === "/wecom/bot") return wecom(request, ctx);
    if (path === "/dingtalk/bot") return dingtalk(request, ctx);
    if (path === "/feishu/events") return feishu(request, ctx);
    return Promise.resolve(new Response("not found", { status: 404 }));
  };
}
