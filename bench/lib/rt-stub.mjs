// The child of bench/send-stub-rt.mjs, in Node, Deno or Bun: a send's own CPU with the host's
// fetch replaced by a stub (no network, no socket), split into steps, each a variant measured in
// every round (order rotated), for one or two builds of the package loaded side by side. µs of
// CPU per send (node:process cpuUsage). Prints one line: MARK + JSON.
//   <runtime> rt-stub.mjs CONFIG.json
// CONFIG: { pkgs: { name: dir }, rounds, n, concurrency, only?: [substrings] }
import process from "node:process";
// copied beside this file by bench/send-stub-rt.mjs: web globals only, as Deno and Bun load them
import { MESSAGES } from "./messages.mjs";
import { pool } from "./rt-loop.mjs";

const MARK = "@@RT-STUB@@";
const rt = globalThis.Deno ? "deno" : globalThis.Bun ? "bun" : "node";
const cfgFile = process.argv.at(-1);
const cfg = JSON.parse(
  rt === "deno" ? Deno.readTextFileSync(cfgFile) : rt === "bun" ? await Bun.file(cfgFile).text() : (await import("node:fs")).readFileSync(cfgFile, "utf8"),
);
const entry = rt === "deno" ? "deno.mjs" : "node.mjs";

const text = MESSAGES.text_mentions;
const combos = [
  { platform: "wecom", target: { webhookUrl: "stub-wecom-key" } },
  { platform: "dingtalk", target: { webhookUrl: "stub-dingtalk-token", secret: "SECbench0123456789abcdef0123456789abcdef0123456789abcdef01234567" } },
  { platform: "feishu", target: { webhookUrl: "stub-feishu-hook", secret: "benchFeishuSecret0123456789" } },
];
const OK = { wecom: '{"errcode":0,"errmsg":"ok"}', dingtalk: '{"errcode":0,"errmsg":"ok"}', feishu: '{"code":0,"msg":"success","data":{}}' };
const OKB = Object.fromEntries(Object.entries(OK).map(([k, v]) => [k, new TextEncoder().encode(v)]));
const which = (url) => {
  const u = String(url);
  return u.includes("/hook/") ? "feishu" : u.includes("access_token") ? "dingtalk" : "wecom";
};
/** A runtime Response (url "": host.js reads it through its capped stream reader). */
const responseStub = async (url) => new Response(OK[which(url)], { headers: { "content-type": "application/json" } });
/** A plain answer object (no stream): host.js reads it by arrayBuffer(); the runtime's Response machinery left out. */
const noHeaders = { get: () => null };
const objectStub = async (url) => {
  const b = OKB[which(url)];
  return { status: 200, headers: noHeaders, body: undefined, arrayBuffer: async () => b.slice().buffer };
};

const variants = {};
for (const [name, dir] of Object.entries(cfg.pkgs)) {
  const wp = await import(`${dir}/${entry}`);
  const snippets = `${dir}/snippets`;
  let host;
  for await (const d of rt === "deno" ? Deno.readDir(snippets) : (await import("node:fs")).readdirSync(snippets, { withFileTypes: true })) {
    try {
      host = await import(`${snippets}/${d.name}/pkg-template/host.js`);
      break;
    } catch {}
  }
  const sender = new wp.MessageSender({ rateLimit: false });
  const send = (s) => async (i) => {
    const c = combos[i % combos.length];
    return (await s.send(text, c.platform, c.target)).success;
  };
  variants[`${name}: render()`] = { stub: objectStub, one: async (i) => {
    const c = combos[i % combos.length];
    return wp.render(text, c.platform, { webhook: c.target.webhookUrl, secret: c.target.secret }).payloads.length === 1;
  } };
  variants[`${name}: wpPost (object stub)`] = { stub: objectStub, one: async (i) => {
    const a = await host.wpPost("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", '{"msgtype":"text","text":{"content":"x"}}', "application/json", 10000, 65536);
    return a.kind === 0;
  } };
  variants[`${name}: send (object stub)`] = { stub: objectStub, one: send(sender) };
  variants[`${name}: send (Response stub)`] = { stub: responseStub, one: send(sender) };
}
// the pieces a send is made of, alone (no package): what each costs in this runtime
{
  const dec = new TextDecoder("utf-8", { ignoreBOM: true });
  const enc = new TextEncoder();
  const mem = new Uint8Array(1 << 16);
  const result = '{"success":true,"platform":"dingtalk","attempts":1,"retrySuggested":false,"degraded":[],"elapsedMs":0,"parts":1,"partsDelivered":1}';
  const resultBytes = enc.encode(result);
  mem.set(resultBytes, 4096);
  const reg = new FinalizationRegistry(() => {});
  const nothing = () => {};
  const micro = {
    "setTimeout + clearTimeout": () => (clearTimeout(setTimeout(nothing, 10000)), true),
    "new AbortController + .signal": () => new AbortController().signal !== null,
    "JSON.stringify(message)": () => JSON.stringify(text).length > 0,
    "TextDecoder.decode(200 B of memory)": () => dec.decode(mem.subarray(4096, 4096 + resultBytes.length)).length > 0,
    "encodeInto(message JSON)": () => enc.encodeInto('{"content":{"type":"text","body":{"text":"磁盘告警 disk usage on db-01 is at 91% (threshold 85%). Please check the WAL archive job and free space before 18:00."}}}', mem.subarray(8192, 8192 + 1024)).written > 0,
    "JSON.parse(result, 130 B)": () => JSON.parse(result).success,
    "2 closures + FinalizationRegistry register/unregister (a JsFuture's)": () => {
      const a = { x: 1 }, b = { x: 2 };
      const f = () => a, g = () => b;
      reg.register(f, a, a);
      reg.register(g, b, b);
      reg.unregister(a);
      reg.unregister(b);
      return true;
    },
  };
  for (const [k, f] of Object.entries(micro)) {
    variants[`piece: ${k}`] = { stub: objectStub, sync: true, one: async () => f() };
  }
  variants["piece: a resolved Promise awaited + queueMicrotask"] = { stub: objectStub, one: async () => {
    await new Promise((r) => queueMicrotask(r));
    return true;
  } };
}
const realFetch = globalThis.fetch;
async function run(v, n, c) {
  globalThis.fetch = v.stub;
  try {
    return await pool(n, c, v.one);
  } finally {
    globalThis.fetch = realFetch;
  }
}
const only = cfg.only ? Object.keys(variants).filter((k) => cfg.only.some((o) => k.includes(o))) : Object.keys(variants);
const cpu = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const result = {};
for (const c of cfg.concurrency) {
  for (const k of only) await run(variants[k], 300, c); // warm
  const runs = Object.fromEntries(only.map((k) => [k, []]));
  for (let r = 0; r < cfg.rounds; r++) {
    const order = r % 2 ? [...only].reverse() : only;
    for (let j = 0; j < order.length; j++) {
      const k = order[(j + r) % order.length];
      const c0 = cpu();
      const failed = await run(variants[k], cfg.n, c);
      runs[k].push({ cpuUs: (cpu() - c0) / cfg.n, failed });
    }
  }
  result[c] = runs;
}
console.log(MARK + JSON.stringify({ rt, result }));
