#!/usr/bin/env node
// The 1 MiB markdown inputs of bench/render.mjs ("Large inputs", issue 8) rendered by two or more
// installed packages in one process, rounds alternating the builds and their order; median ms per
// input, platform and overflow mode, and each build's worst markup input over plain text. Also
// checks that every build's payloads equal the first's (timestamps and signatures left out).
//
//   node bench/ab-large.mjs BASE_PKG_DIR NEW_PKG_DIR [MORE_PKG_DIRS...]
// Environment: R (rounds, default 5), OVER (default "split"), PLATS, ONLY (inputs, comma-separated).
import path from "node:path";
import { pathToFileURL } from "node:url";
import { renderOrRefused } from "./lib/common.mjs";
import { LARGE_EXTRA, LARGE_INPUTS, SECRETS } from "./lib/messages.mjs";

const dirs = process.argv.slice(2);
if (dirs.length < 2) {
  console.error("usage: node bench/ab-large.mjs BASE_PKG_DIR NEW_PKG_DIR [MORE_PKG_DIRS...]");
  process.exit(2);
}
const builds = await Promise.all(dirs.map((d) => import(pathToFileURL(path.resolve(d, "node.mjs")).href)));
const ROUNDS = Number(process.env.R || 5);
const OVER = (process.env.OVER || "split").split(",");
const PLATS = (process.env.PLATS || "wecom,dingtalk,feishu").split(",");
const MIB = (1 << 20) - 8;
const INPUTS = { ...LARGE_INPUTS, ...LARGE_EXTRA };
const only = process.env.ONLY ? process.env.ONLY.split(",") : Object.keys(INPUTS);
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const bare = (r) => JSON.stringify(r.payloads.map((p) => ({ ...p, timestamp: undefined, sign: undefined })));
let differ = 0;
for (const overflow of OVER) {
  for (const platform of PLATS) {
    const opts = { webhook: `bench${platform}key01`, overflow, ...(SECRETS[platform] ? { secret: SECRETS[platform] } : {}) };
    const t = builds.map(() => ({}));
    for (const name of only) {
      const s = INPUTS[name].repeat(Math.floor(MIB / INPUTS[name].length));
      const message = { content: { type: "markdown", body: { content: s } } };
      const outs = builds.map((b) => bare(renderOrRefused(b, message, platform, opts)));
      if (outs.some((o) => o !== outs[0])) {
        differ++;
        console.log(`  payloads differ: ${platform} ${overflow} ${name}`);
      }
      builds.forEach((_, i) => (t[i][name] = []));
      for (let r = 0; r < ROUNDS; r++) {
        const order = builds.map((_, i) => (r % 2 ? builds.length - 1 - i : i));
        for (const i of order) {
          const t0 = performance.now();
          renderOrRefused(builds[i], message, platform, opts);
          t[i][name].push(performance.now() - t0);
        }
      }
    }
    builds.forEach((_, i) => {
      const m = Object.fromEntries(only.map((k) => [k, med(t[i][k])]));
      const marks = only.filter((k) => k !== "plain");
      const worst = marks.reduce((a, k) => (m[k] > m[a] ? k : a), marks[0]);
      const ratio = m.plain ? `  worst ${worst} ${(m[worst] / m.plain).toFixed(1)}x plain` : "";
      console.log(`${platform.padEnd(9)} ${overflow.padEnd(8)} ${String(i).padEnd(2)} ${only.map((k) => `${k} ${m[k].toFixed(1)}`).join(", ")}${ratio}`);
    });
  }
}
console.log(`builds: ${dirs.map((d, i) => `${i} ${d}`).join("; ")}${differ ? `; ${differ} input(s) with different payloads` : "; payloads equal"}`);
process.exitCode = differ ? 1 : 0;
