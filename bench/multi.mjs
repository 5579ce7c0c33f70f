#!/usr/bin/env node
// sendMulti to three platforms against one send: the latency of one message to WeCom alone and
// to WeCom + DingTalk (signed) + Feishu (signed) at once, alternating, the mock platforms in their
// own process (rate limits off in both). Goal (issue 3): sendMulti at most 1.3x one send.
// Writes bench/out/multi.json.
import { loadPackage, loadavg, stats, writeJson } from "./lib/common.mjs";
import { startMockProcess } from "./lib/mock.mjs";

const ROUNDS = Number(process.env.WP_BENCH_ROUNDS || 9);
const PER_ROUND = 40;
const wp = await loadPackage();
const mock = await startMockProcess({ rateLimits: false });
const secrets = { dingtalk: "SECbenchmultisecret0001", feishu: "benchmultisecret0002" };
const keys = { wecom: "multi-wecom-key-01", dingtalk: "multidingtoken01", feishu: "multi-feishu-hook-01" };
await mock.addBot({ platform: "wecom", key: keys.wecom });
await mock.addBot({ platform: "dingtalk", key: keys.dingtalk, secret: secrets.dingtalk });
await mock.addBot({ platform: "feishu", key: keys.feishu, secret: secrets.feishu });
const sender = new wp.MessageSender({ baseUrls: mock.baseUrls, rateLimit: false });
const message = {
  content: { type: "markdown", title: "Deploy", body: { content: "# Deployed ✅\n- Version: v1.2.3\n- By: @zhangsan\n\n[Logs](https://example.com/logs)" } },
};
const one = () => sender.send(message, "wecom", keys.wecom);
const three = () =>
  sender.sendMulti(message, { platforms: ["wecom", "dingtalk", "feishu"], webhookUrls: keys, secrets });

async function latency(fn) {
  const t0 = performance.now();
  const r = await fn();
  const ms = performance.now() - t0;
  const ok = r.results ? r.results.every((x) => x.success) : r.success;
  if (!ok) throw new Error(`a delivery failed: ${JSON.stringify(r)}`);
  return ms;
}

const load = [loadavg()];
for (let i = 0; i < 20; i++) await latency(one), await latency(three); // warm up
const ratios = [];
const single = [];
const multi = [];
for (let round = 0; round < ROUNDS; round++) {
  const s = [];
  const m = [];
  for (let i = 0; i < PER_ROUND; i++) {
    // alternate the order so neither always runs second
    if (i % 2) s.push(await latency(one)), m.push(await latency(three));
    else m.push(await latency(three)), s.push(await latency(one));
  }
  const ms = stats(s).median;
  const mm = stats(m).median;
  single.push(ms);
  multi.push(mm);
  ratios.push(mm / ms);
}
load.push(loadavg());
await mock.close();
const out = { rounds: ROUNDS, per_round: PER_ROUND, single_ms: stats(single), multi_ms: stats(multi), ratio: stats(ratios), load };
writeJson("multi.json", out);
console.log(
  `sendMulti (3 platforms) ${out.multi_ms.median.toFixed(2)} ms vs one send ${out.single_ms.median.toFixed(2)} ms: ` +
    `ratio ${out.ratio.median.toFixed(2)} (${out.ratio.min.toFixed(2)}–${out.ratio.max.toFixed(2)}), goal <= 1.3`,
);
