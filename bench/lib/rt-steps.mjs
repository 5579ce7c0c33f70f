// The child of bench/fetch-cost-rt.mjs, in Deno or Bun (copied into the consumer project): the
// steps between a plain fetch loop and a send, each a variant measured in every round (order
// rotated), µs of CPU (node:process cpuUsage) and of wall time per request. Prints one line.
import process from "node:process";
import * as wp from "webhook-push";
import { pool } from "./rt-loop.mjs";

const MARK = "@@RT-BENCH@@";
const cfgText = globalThis.Deno ? Deno.readTextFileSync(process.argv.at(-1)) : await Bun.file(process.argv.at(-1)).text();
const cfg = JSON.parse(cfgText);
const host = await import(cfg.hostJs);
const w = cfg.workloads.find((x) => x.name === "text");
const req = (i) => w.pre[i % w.pre.length];
const ok = (j) => (j.errcode ?? j.code) === 0;
const init = (body) => ({ method: "POST", headers: { "content-type": "application/json" }, body });
const CAP = 64 * 1024;
const dec = new TextDecoder();
const realFetch = globalThis.fetch;

async function capped(res) {
  const reader = res.body.getReader();
  const chunks = [];
  let length = 0;
  for (;;) {
    const r = await reader.read();
    if (r.done) break;
    if (length + r.value.length > CAP) {
      reader.cancel().catch(() => {});
      throw new Error("too large");
    }
    chunks.push(r.value);
    length += r.value.length;
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) out.set(c, at), (at += c.length);
  return out;
}
function raced(work, ms, ctl) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (ctl.abort(), reject(new Error("timeout"))), ms);
    work.then((v) => (clearTimeout(timer), resolve(v)), (e) => (clearTimeout(timer), reject(e)));
  });
}
const OK = { wecom: '{"errcode":0,"errmsg":"ok"}', dingtalk: '{"errcode":0,"errmsg":"ok"}', feishu: '{"code":0,"msg":"success","data":{}}' };
const stub = async (url) => {
  const u = String(url);
  const p = u.includes("/hook/") ? "feishu" : u.includes("access_token") ? "dingtalk" : "wecom";
  return new Response(OK[p], { headers: { "content-type": "application/json" } });
};
const sender = new wp.MessageSender({ rateLimit: false, baseUrls: cfg.baseUrls });
const stubSender = new wp.MessageSender({ rateLimit: false, baseUrls: cfg.baseUrls });

const variants = {
  "plain: fetch + res.json()": async (i) => {
    const p = req(i);
    return ok(await (await fetch(p.url, init(p.bodies[0]))).json());
  },
  "plain + AbortController signal": async (i) => {
    const p = req(i);
    const ctl = new AbortController();
    return ok(await (await fetch(p.url, { ...init(p.bodies[0]), signal: ctl.signal })).json());
  },
  "plain + setTimeout race (no signal)": async (i) => {
    const p = req(i);
    return raced((async () => ok(await (await fetch(p.url, init(p.bodies[0]))).json()))(), 10_000, { abort() {} });
  },
  "plain + redirect manual": async (i) => {
    const p = req(i);
    return ok(await (await fetch(p.url, { ...init(p.bodies[0]), redirect: "manual" })).json());
  },
  "plain + getReader capped read": async (i) => {
    const p = req(i);
    return ok(JSON.parse(dec.decode(await capped(await fetch(p.url, init(p.bodies[0]))))));
  },
  "plain + arrayBuffer()": async (i) => {
    const p = req(i);
    return ok(JSON.parse(dec.decode(await (await fetch(p.url, init(p.bodies[0]))).arrayBuffer())));
  },
  "all of the above (signal, timer, manual, reader)": async (i) => {
    const p = req(i);
    const ctl = new AbortController();
    return raced((async () => ok(JSON.parse(dec.decode(await capped(await fetch(p.url, { ...init(p.bodies[0]), signal: ctl.signal, redirect: "manual" }))))))(), 10_000, ctl);
  },
  "host.js wpPost": async (i) => {
    const p = req(i);
    const a = await host.wpPost(p.url, p.bodies[0], "application/json", 10_000, CAP);
    return a.kind === 0 && ok(JSON.parse(dec.decode(a.body)));
  },
  "wpPost + render()": async (i) => {
    const p = req(i);
    const c = w.combos[i % w.combos.length];
    wp.render(c.message, c.platform, { webhook: c.target.webhookUrl, secret: c.target.secret, baseUrl: cfg.baseUrls[c.platform] });
    const a = await host.wpPost(p.url, p.bodies[0], "application/json", 10_000, CAP);
    return a.kind === 0 && ok(JSON.parse(dec.decode(a.body)));
  },
  "MessageSender.send": async (i) => {
    const c = w.combos[i % w.combos.length];
    return (await sender.send(c.message, c.platform, c.target)).success;
  },
  // the host's fetch replaced for the whole run of this variant (runStub below)
  "send, stub fetch (no network)": async (i) => {
    const c = w.combos[i % w.combos.length];
    return (await stubSender.send(c.message, c.platform, c.target)).success;
  },
};
const STUBBED = "send, stub fetch (no network)";
async function runVariant(name, n, c) {
  if (name !== STUBBED) return pool(n, c, variants[name]);
  globalThis.fetch = stub;
  try {
    return await pool(n, c, variants[name]);
  } finally {
    globalThis.fetch = realFetch;
  }
}
const only = cfg.only ? Object.keys(variants).filter((k) => cfg.only.some((o) => k.includes(o))) : Object.keys(variants);
const cpu = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};
const result = {};
for (const c of cfg.stepConcurrencies) {
  const n = cfg.stepN[c];
  for (const name of only) await runVariant(name, 200, c);
  const runs = Object.fromEntries(only.map((k) => [k, []]));
  for (let k = 0; k < cfg.rounds; k++) {
    const order = k % 2 ? [...only].reverse() : only;
    for (let j = 0; j < order.length; j++) {
      const name = order[(j + k) % order.length];
      const c0 = cpu();
      const t0 = performance.now();
      const failed = await runVariant(name, n, c);
      runs[name].push({ cpuUs: (cpu() - c0) / n, wallUs: ((performance.now() - t0) * 1000) / n, failed });
    }
  }
  result[c] = runs;
}
console.log(MARK + JSON.stringify({ info: { runtime: globalThis.Deno ? "deno" : "bun" }, result }));
