#!/usr/bin/env node
// Where a send's CPU above a plain `fetch` goes, step by step, with the host's real fetch (Node's
// undici) against the loopback mock in its own process. One process, every variant in each round
// (order rotated per round), CPU time (process.cpuUsage) per request; the table gives each
// variant's median and its median difference to the plain loop taken per round.
//
//   node bench/fetch-cost.mjs [PKG_DIR ...]   (each an installed `webhook-push` package dir; its
//                                             host.js helper and its MessageSender are measured)
//
// "send, stub fetch, cold" minus "sweep only" is the send's CPU with no network but cold caches.
// Env: WP_FC_ROUNDS (9), WP_FC_N (1500 requests a variant a round), WP_FC_C (32,1: concurrencies),
// WP_FC_ONLY (comma list of variant names).
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { stats } from "./lib/common.mjs";
import { startMockProcess } from "./lib/mock.mjs";
import { makeCombos, pool, precompute } from "./lib/workloads.mjs";

const ROUNDS = Number(process.env.WP_FC_ROUNDS || 9);
const N = Number(process.env.WP_FC_N || 1500);
const CONC = (process.env.WP_FC_C || "32,1").split(",").map(Number);
const ONLY = process.env.WP_FC_ONLY ? process.env.WP_FC_ONLY.split(",") : null;
const dirs = process.argv.slice(2);
if (!dirs.length) dirs.push("target/consumer/node_modules/webhook-push");
const CAP = 64 * 1024;

async function loadBuild(dir) {
  const abs = path.resolve(dir);
  const wp = await import(pathToFileURL(path.join(abs, "node.mjs")).href);
  const snippets = path.join(abs, "snippets");
  let host = null;
  for (const d of fs.existsSync(snippets) ? fs.readdirSync(snippets) : []) {
    const f = path.join(snippets, d, "pkg-template", "host.js");
    if (fs.existsSync(f)) host = await import(pathToFileURL(f).href);
  }
  return { name: path.basename(path.dirname(path.dirname(abs))), wp, host };
}
const builds = [];
for (const d of dirs) builds.push(await loadBuild(d));

const mock = await startMockProcess({ rateLimits: false });
try {
  const { combos } = await makeCombos(mock, { prefix: "fc-", messages: ["text_mentions"] });
  const pre = precompute(builds[0].wp, combos, mock.baseUrls);
  const req = (i) => {
    const p = pre[i % pre.length];
    return { url: p.url, body: p.bodies[0] };
  };
  const ok = (text) => {
    const j = JSON.parse(text);
    return (j.errcode ?? j.code) === 0;
  };
  const init = (body) => ({ method: "POST", headers: { "content-type": "application/json" }, body });
  const decoder = new TextDecoder();
  const junk = new Float64Array(1 << 20); // 8 MB
  const sweep = () => {
    let x = 0;
    for (let k = 0; k < junk.length; k += 8) x += junk[k]++; // one touch per 64-byte line
    return x;
  };
  const OK = { wecom: '{"errcode":0,"errmsg":"ok"}', dingtalk: '{"errcode":0,"errmsg":"ok"}', feishu: '{"code":0,"msg":"success","data":{}}' };
  const stubAnswer = (url) => {
    const u = String(url);
    const p = u.includes("/hook/") ? "feishu" : u.includes("access_token") ? "dingtalk" : "wecom";
    return new Response(OK[p], { headers: { "content-type": "application/json" } });
  };

  async function cappedRead(res) {
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
      const timer = setTimeout(() => {
        ctl?.abort();
        reject(new Error("timeout"));
      }, ms);
      work.then(
        (v) => (clearTimeout(timer), resolve(v)),
        (e) => (clearTimeout(timer), reject(e)),
      );
    });
  }

  const variants = {
    "plain: fetch + res.text()": async (i) => {
      const { url, body } = req(i);
      const res = await fetch(url, init(body));
      return ok(await res.text());
    },
    "+ AbortController signal": async (i) => {
      const { url, body } = req(i);
      const ctl = new AbortController();
      const res = await fetch(url, { ...init(body), signal: ctl.signal });
      return ok(await res.text());
    },
    "+ setTimeout race": async (i) => {
      const { url, body } = req(i);
      const ctl = new AbortController();
      return raced(
        (async () => {
          const res = await fetch(url, { ...init(body), signal: ctl.signal });
          return ok(await res.text());
        })(),
        10_000,
        ctl,
      );
    },
    "+ redirect manual": async (i) => {
      const { url, body } = req(i);
      const ctl = new AbortController();
      return raced(
        (async () => {
          const res = await fetch(url, { ...init(body), signal: ctl.signal, redirect: "manual" });
          return ok(await res.text());
        })(),
        10_000,
        ctl,
      );
    },
    "+ getReader capped read": async (i) => {
      const { url, body } = req(i);
      const ctl = new AbortController();
      return raced(
        (async () => {
          const res = await fetch(url, { ...init(body), signal: ctl.signal, redirect: "manual" });
          res.headers.get("retry-after");
          res.headers.get("content-length");
          return ok(decoder.decode(await cappedRead(res)));
        })(),
        10_000,
        ctl,
      );
    },
    "+ arrayBuffer (declared length)": async (i) => {
      const { url, body } = req(i);
      const ctl = new AbortController();
      return raced(
        (async () => {
          const res = await fetch(url, { ...init(body), signal: ctl.signal, redirect: "manual" });
          res.headers.get("retry-after");
          res.headers.get("content-length");
          return ok(decoder.decode(new Uint8Array(await res.arrayBuffer())));
        })(),
        10_000,
        ctl,
      );
    },
    "plain + getReader read": async (i) => {
      const { url, body } = req(i);
      const res = await fetch(url, init(body));
      return ok(decoder.decode(await cappedRead(res)));
    },
    "plain + arrayBuffer": async (i) => {
      const { url, body } = req(i);
      const res = await fetch(url, init(body));
      return ok(decoder.decode(new Uint8Array(await res.arrayBuffer())));
    },
  };
  for (const b of builds) {
    if (b.host) {
      variants[`${b.name}: host.js wpPost`] = async (i) => {
        const { url, body } = req(i);
        const a = await b.host.wpPost(url, body, "application/json", 10_000, CAP);
        return a.kind === 0 && ok(decoder.decode(a.body));
      };
    }
    if (b.host) {
      const renderOpts = combos.map((c) => ({ webhook: c.target.webhookUrl, secret: c.target.secret, baseUrl: mock.baseUrls[c.platform] }));
      variants[`${b.name}: wpPost + render()`] = async (i) => {
        const c = combos[i % combos.length];
        const r = b.wp.render(c.message, c.platform, renderOpts[i % combos.length]);
        const { url, body } = req(i);
        const a = await b.host.wpPost(url, body, "application/json", 10_000, CAP);
        return !!r && a.kind === 0 && ok(decoder.decode(a.body));
      };
    }
    let sender = null;
    const send = async (i) => {
      sender ??= new b.wp.MessageSender({ rateLimit: false, baseUrls: mock.baseUrls });
      const c = combos[i % combos.length];
      return (await sender.send(c.message, c.platform, c.target)).success;
    };
    variants[`${b.name}: MessageSender.send`] = send;
    // the same sends with fetch replaced by an in-process stub (no network): at once, or a
    // macrotask later (setImmediate), to see what the real fetch's event-loop turns cost us
    const stubbed = (later) => {
      const f = (i) => send(i);
      f.fetch = later ? (url) => new Promise((r) => setImmediate(() => r(stubAnswer(url)))) : async (url) => stubAnswer(url);
      return f;
    };
    variants[`${b.name}: send, stub fetch`] = stubbed(false);
    variants[`${b.name}: send, stub fetch + setImmediate`] = stubbed(true);
    // the stub send with 8 MB of memory swept before each (what undici and the kernel's TCP do
    // to the caches between two of our steps): minus "sweep only", a no-network model of the
    // send's cache-cold cost on the real fetch
    const cold = async (i) => (sweep(), send(i));
    cold.fetch = async (url) => stubAnswer(url);
    variants[`${b.name}: send, stub fetch, cold`] = cold;
  }
  {
    const f = async () => (sweep(), true);
    variants["sweep only (8 MB)"] = f;
  }
  const names = Object.keys(variants).filter((n) => !ONLY || ONLY.some((o) => n.includes(o)));

  for (const c of CONC) {
    const n = c === 1 ? Math.round(N / 3) : N;
    const run = async (k, name) => {
      const v = variants[name];
      const real = globalThis.fetch;
      if (v.fetch) globalThis.fetch = v.fetch;
      try {
        return await pool(k, c, v);
      } finally {
        globalThis.fetch = real;
      }
    };
    for (const name of names) await run(200, name); // warm: JIT, connections
    const cpu = Object.fromEntries(names.map((k) => [k, []]));
    for (let r = 0; r < ROUNDS; r++) {
      const order = names.map((_, k) => names[(k + r) % names.length]);
      if (r % 2) order.reverse();
      for (const name of order) {
        const c0 = process.cpuUsage();
        const failed = await run(n, name);
        const d = process.cpuUsage(c0);
        if (failed) throw new Error(`${name}: ${failed} failed`);
        cpu[name].push((d.user + d.system) / n);
      }
    }
    const plain = cpu[names[0]];
    console.log(`\nconcurrency ${c}, ${n} requests a variant a round, ${ROUNDS} rounds; µs CPU per request (median), over plain (median of per-round differences)`);
    for (const name of names) {
      const s = stats(cpu[name]);
      const over = stats(cpu[name].map((x, k) => x - plain[k]));
      console.log(`  ${name.padEnd(42)} ${s.median.toFixed(1).padStart(7)}   ${over.median >= 0 ? "+" : ""}${over.median.toFixed(1)}`);
    }
  }
} finally {
  await mock.close();
}
