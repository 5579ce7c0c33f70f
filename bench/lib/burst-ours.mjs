// One burst with our MessageSender at its defaults (only baseUrls points it at the mock), as a
// user meets it: n sends started at once to one bot. Run in its own process by bench/apprise.mjs.
//   node burst-ours.mjs JOB_JSON   ->  one JSON line: started_at, finished_at, results summary
import { loadPackage } from "./common.mjs";
import { MESSAGES, SHORT } from "./messages.mjs";

const job = JSON.parse(process.argv[2]);
// When each request actually leaves (the sender posts through the global fetch): timing only.
const posted = [];
const hostFetch = globalThis.fetch;
globalThis.fetch = (...args) => {
  posted.push(Date.now());
  return hostFetch(...args);
};
const wp = await loadPackage();
const sender = new wp.MessageSender({ baseUrls: job.baseUrls });
const target = job.secret ? { webhookUrl: job.key, secret: job.secret } : { webhookUrl: job.key };
const msgs = Array.from({ length: job.n }, (_, i) => ({ ...MESSAGES[SHORT[i % SHORT.length]], metadata: { message_id: `${job.key}-${i}` } }));
const startedAt = Date.now();
const doneAt = [];
const results = await Promise.all(
  msgs.map((m) =>
    sender.send(m, job.platform, target).then((r) => {
      doneAt.push(Date.now());
      return r;
    }),
  ),
);
const finishedAt = Date.now();
const errors = {};
for (const r of results) if (!r.success) errors[r.error?.code ?? "?"] = (errors[r.error?.code ?? "?"] || 0) + 1;
console.log(JSON.stringify({
  n: job.n,
  ok: results.filter((r) => r.success).length,
  attempts: results.reduce((a, r) => a + r.attempts, 0),
  errors,
  started_at: startedAt,
  finished_at: finishedAt,
  posted_s: posted.map((t) => (t - startedAt) / 1000),
}));
