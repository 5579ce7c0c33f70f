#!/usr/bin/env node
// A few 1 MiB cases through two builds in one process, the builds alternating (and their order)
// render by render: the median CPU ms of each build and new/base per case, and whether their
// payloads are equal (timestamps and signatures left out). For telling one lever's effect on a
// few inputs from the noise (more renders per case than bench/large-ab.mjs's whole table).
//
//   node bench/large-case-ab.mjs BASE_PKG_DIR NEW_PKG_DIR RUNS 'platform|unit|overflow[|type]' ...
//   a unit is a JSON string body: 'dingtalk|1. a\n|truncate' repeats "1. a\n" to 1 MiB.
// Exit code 1 when any case's payloads differ.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { renderOrRefused } from "./lib/common.mjs";
import { SECRETS } from "./lib/messages.mjs";

const [baseDir, newDir, runsArg, ...cases] = process.argv.slice(2);
if (!baseDir || !newDir || !cases.length) {
  console.error("usage: node bench/large-case-ab.mjs BASE_PKG_DIR NEW_PKG_DIR RUNS 'platform|unit|overflow[|type]' ...");
  process.exit(2);
}
const load = async (d) => import(pathToFileURL(path.resolve(d, "node.mjs")).href);
const builds = [await load(baseDir), await load(newDir)];
const MIB = (1 << 20) - 8;
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const bare = (r) => JSON.stringify(r.refused ?? r.payloads.map((p) => ({ ...p, timestamp: undefined, sign: undefined })));
const once = (wp, msg, platform, opts) => {
  const c0 = process.cpuUsage();
  const r = renderOrRefused(wp, msg, platform, opts);
  const c = process.cpuUsage(c0);
  return [(c.user + c.system) / 1000, bare(r)];
};
let differ = 0;
for (const c of cases) {
  const [platform, u, overflow, type = "markdown"] = c.split("|");
  const unit = JSON.parse(`"${u}"`);
  const s = unit.repeat(Math.floor(MIB / Buffer.byteLength(unit)));
  const msg = { content: { type, body: type === "markdown" ? { content: s } : { text: s } } };
  const opts = { webhook: `bench${platform}key01`, overflow, ...(SECRETS[platform] ? { secret: SECRETS[platform] } : {}) };
  const t = [[], []];
  let same = true;
  for (let i = 0; i < Number(runsArg); i++) {
    const order = i % 2 ? [0, 1] : [1, 0];
    const out = order.map((k) => {
      const [ms, r] = once(builds[k], msg, platform, opts);
      t[k].push(ms);
      return r;
    });
    same &&= out[0] === out[1];
  }
  if (!same) differ++;
  const [b, n] = t.map(median);
  console.log(`${c.padEnd(30)} base ${b.toFixed(2).padStart(7)}  new ${n.toFixed(2).padStart(7)}  new/base ${(n / b).toFixed(3)}${same ? "" : "  PAYLOADS DIFFER"}`);
}
process.exit(differ ? 1 : 0);
