// What bench/profile.mjs runs under `node --cpu-prof`: one workload on the package installed in
// WP_BENCH_CONSUMER (a copy whose wasm keeps its name section).
//   render <message> <platform> <iterations>     sendmix|sendtext <messages> <concurrency>
//   large <input>/<type>/<platform>/<overflow> <iterations>   (an input of bench/large-ab.mjs, 1 MiB)
import { loadPackage, renderOrRefused } from "./common.mjs";
import { LARGE_DEFS, LARGE_EXTRA, LARGE_INPUTS, MESSAGES, SECRETS } from "./messages.mjs";
import { startMockProcess } from "./mock.mjs";
import { makeCombos, oursRunner } from "./workloads.mjs";

const [mode, a, b, c] = process.argv.slice(2);
const wp = await loadPackage();
if (mode === "render") {
  const opts = { webhook: `bench${b}key01`, ...(SECRETS[b] ? { secret: SECRETS[b] } : {}) };
  for (let i = 0, n = Number(c); i < n; i++) wp.render(MESSAGES[a], b, opts);
} else if (mode === "large") {
  const [input, type, platform, overflow] = a.split("/");
  const unit = { ...LARGE_INPUTS, ...LARGE_EXTRA, ...LARGE_DEFS }[input];
  const MIB = (1 << 20) - 8;
  const s = typeof unit === "function" ? unit(MIB) : unit.repeat(Math.floor(MIB / Buffer.byteLength(unit)));
  const message = { content: { type, body: type === "text" ? { text: s } : { content: s } } };
  const opts = { webhook: `bench${platform}key01`, overflow, ...(SECRETS[platform] ? { secret: SECRETS[platform] } : {}) };
  for (let i = 0, n = Number(b); i < n; i++) renderOrRefused(wp, message, platform, opts);
} else if (mode === "sendmix" || mode === "sendtext") {
  const mock = await startMockProcess({ rateLimits: false });
  try {
    const { combos } = await makeCombos(mock, mode === "sendtext" ? { prefix: "prof-text-", messages: ["text_mentions"] } : { prefix: "prof-" });
    const ours = oursRunner(wp, combos, mock.baseUrls);
    await ours(Number(a), Number(b));
  } finally {
    await mock.close();
  }
} else throw new Error(`unknown mode ${mode}`);
