#!/usr/bin/env node
// Run the mock platforms server as a process (demo, benchmarks).
//
//   node tests/mock/cli.mjs [--port N] [--host H] [--bot platform:key[:secret[:kw1,kw2]]]...
//                           [--bots bots.json] [--lenient] [--no-rate-limits] [--block-ms N]
//                           [--max-received N] [--no-control] [--log]
//
// Prints one JSON line on stdout once listening:
//   {"url":"http://127.0.0.1:PORT","baseUrls":{...},"bots":[{"platform","key","webhookUrl",...}],"pid":N}
// and stops cleanly on SIGINT / SIGTERM (exit code 0). With --log, one JSON line per request on
// stderr. The /__mock/ control API (received, reset, bots, script) is on unless --no-control.
// bots.json: an array of {platform, key, secret?, keywords?, rateLimit?} or {wecom: [...], ...}.

import { readFileSync } from "node:fs";
import { startMockPlatforms } from "./platforms.mjs";

const USAGE = `usage: node tests/mock/cli.mjs [--port N] [--host H] [--bot platform:key[:secret[:kw1,kw2]]]...
       [--bots bots.json] [--lenient] [--no-rate-limits] [--block-ms N] [--max-received N] [--no-control] [--log]`;

function fail(msg) {
  process.stderr.write(`${msg}\n${USAGE}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const o = { bots: [], strict: true, rateLimits: true, control: true, log: false, maxReceived: 10000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) fail(`${a} needs a value`);
      return argv[++i];
    };
    const int = () => {
      const v = val();
      if (!/^\d+$/.test(v)) fail(`${a} needs a non-negative integer, got ${v}`);
      return Number(v);
    };
    switch (a) {
      case "--port": o.port = int(); break;
      case "--host": o.host = val(); break;
      case "--bot": {
        const [platform, key, secret, kws] = val().split(":");
        if (!platform || !key) fail(`--bot needs platform:key, got ${argv[i]}`);
        o.bots.push({ platform, key, ...(secret ? { secret } : {}), ...(kws ? { keywords: kws.split(",").filter(Boolean) } : {}) });
        break;
      }
      case "--bots": {
        const file = val();
        let spec;
        try {
          spec = JSON.parse(readFileSync(file, "utf8"));
        } catch (e) {
          fail(`cannot read ${file}: ${e.message}`);
        }
        if (Array.isArray(spec)) o.bots.push(...spec);
        else if (spec && typeof spec === "object") {
          for (const [platform, list] of Object.entries(spec)) {
            for (const b of Array.isArray(list) ? list : [list]) o.bots.push(typeof b === "string" ? { platform, key: b } : { ...b, platform });
          }
        } else fail(`${file}: expected an array or an object`);
        break;
      }
      case "--lenient": o.strict = false; break;
      case "--no-rate-limits": o.rateLimits = false; break;
      case "--block-ms": o.blockMs = int(); break;
      case "--max-received": o.maxReceived = int(); break;
      case "--no-control": o.control = false; break;
      case "--log": o.log = true; break;
      case "-h":
      case "--help":
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
        break;
      default: fail(`unknown argument ${a}`);
    }
  }
  return o;
}

const o = parseArgs(process.argv.slice(2));
let mock;
try {
  mock = await startMockPlatforms({
    port: o.port ?? 0,
    host: o.host,
    strict: o.strict,
    rateLimits: o.rateLimits,
    blockMs: o.blockMs,
    maxReceived: o.maxReceived,
    control: o.control,
    onRequest: o.log
      ? (r) => process.stderr.write(`${JSON.stringify({ at: r.at, platform: r.platform, key: r.key, path: r.path, body: Buffer.isBuffer(r.raw) ? r.body : r.body ?? r.raw, outcome: r.outcome, warnings: r.warnings })}\n`)
      : undefined,
  });
} catch (e) {
  fail(`cannot start: ${e.message}`);
}
const bots = [];
try {
  for (const b of o.bots) bots.push(mock.addBot(b));
} catch (e) {
  await mock.close();
  fail(`bad bot: ${e.message}`);
}
process.stdout.write(`${JSON.stringify({ url: mock.url, baseUrls: mock.baseUrls, bots, pid: process.pid })}\n`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await mock.close();
  process.exit(0);
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
