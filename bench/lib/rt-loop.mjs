// The send workloads of bench/send-runtimes.mjs, run inside the runtime measured (Deno, Bun,
// workerd): our MessageSender and that runtime's plain fetch loop over the same precomputed
// payloads (bench/lib/workloads.mjs's, written again here with web globals only, as a module the
// runtime loads beside the package). No Node API: the caller passes a CPU clock when the runtime
// has one (Deno and Bun: node:process cpuUsage), none in workerd (measured from outside there).

/** Run `one(i)` for i in [0, n) with `concurrency` workers; the count of failures. */
export async function pool(n, concurrency, one) {
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      if (!(await one(i))) failed++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return failed;
}

/** `MessageSender.send` of each combo in turn; a failure's error kept for the report. */
export function oursRunner(wp, combos, baseUrls, errors) {
  return (n, concurrency) => {
    const sender = new wp.MessageSender({ rateLimit: false, baseUrls });
    return pool(n, concurrency, async (i) => {
      const c = combos[i % combos.length];
      const r = await sender.send(c.message, c.platform, c.target);
      if (!r.success && errors.length < 3) errors.push(r.error);
      return r.success;
    });
  };
}

/** The plain loop: the same bodies POSTed with the runtime's fetch, each answer parsed. */
export function fetchRunner(pre, errors) {
  return (n, concurrency) =>
    pool(n, concurrency, async (i) => {
      const p = pre[i % pre.length];
      let ok = true;
      for (const body of p.bodies) {
        try {
          const res = await fetch(p.url, { method: "POST", headers: { "Content-Type": "application/json" }, body });
          const j = await res.json();
          if ((j.errcode ?? j.code) !== 0) ok = false;
        } catch (e) {
          if (errors.length < 3) errors.push(String(e));
          ok = false;
        }
      }
      return ok;
    });
}

/** The runners of a config: `{ [workload]: { ours, fetch, base? } }`. */
export function makeRunners(cfg, packages, errors) {
  const out = {};
  for (const w of cfg.workloads) {
    out[w.name] = { fetch: fetchRunner(w.pre, errors) };
    for (const [name, wp] of Object.entries(packages)) out[w.name][name] = oursRunner(wp, w.combos, cfg.baseUrls, errors);
  }
  return out;
}

/**
 * Every workload at each concurrency: a warm-up of each runner, then `rounds` rounds of all of
 * them in an order that rotates each round. `{ [workload]: { [c]: { [runner]: [{ ms, cpuMs, failed }] } } }`.
 */
export async function runAll(cfg, runners, cpuMs) {
  const out = {};
  for (const w of cfg.workloads) {
    out[w.name] = {};
    for (const c of cfg.concurrencies) {
      const n = cfg.n[c];
      const names = Object.keys(runners[w.name]);
      for (const name of names) await runners[w.name][name](Math.min(cfg.warmup, n), c);
      const runs = Object.fromEntries(names.map((k) => [k, []]));
      for (let k = 0; k < cfg.rounds; k++) {
        for (let j = 0; j < names.length; j++) {
          const name = names[(j + k) % names.length];
          const c0 = cpuMs ? cpuMs() : null;
          const t0 = performance.now();
          const failed = await runners[w.name][name](n, c);
          const ms = performance.now() - t0;
          runs[name].push({ ms, cpuMs: cpuMs ? cpuMs() - c0 : null, failed });
        }
      }
      out[w.name][c] = runs;
    }
  }
  return out;
}
