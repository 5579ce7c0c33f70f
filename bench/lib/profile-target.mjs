// What bench/profile.mjs runs under `node --cpu-prof`: one workload on the package installed in
// WP_BENCH_CONSUMER (a copy whose wasm keeps its name section).
//   render <message> <platform> <iterations>     sendmix|sendtext <messages> <concurrency>
import { loadPackage } from "./common.mjs";
import { MESSAGES, SECRETS } from "./messages.mjs";
import { startMockProcess } from "./mock.mjs";
import { makeCombos, oursRunner } from "./workloads.mjs";

const [mode, a, b, c] = process.argv.slice(2);
const wp = await loadPackage();
if (mode === "render") {
  const opts = { webhook: `bench${b}key01`, ...(SECRETS[b] ? { secret: SECRETS[b] } : {}) };
  for (let i = 0, n = Number(c); i < n; i++) wp.render(MESSAGES[a], b, opts);
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
