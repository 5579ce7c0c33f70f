// The Worker of bench/send-runtimes.mjs in workerd (Miniflare): imports the installed package by
// name; POST /setup stores the workloads (bench/lib/rt-loop.mjs), POST /run { workload, runner, n,
// concurrency } runs one of them and answers { ms, failed, errors }. Timing and CPU are taken
// outside (the Worker's clock stands still between I/O; workerd's CPU from /proc).
import * as wp from "webhook-push";
import { makeRunners } from "./rt-loop.mjs";

let runners = null;
const errors = [];

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/setup") {
      const cfg = await request.json();
      const packages = { ours: wp };
      if (cfg.basePkg) packages.base = await import("webhook-push-base");
      runners = makeRunners(cfg, packages, errors);
      return Response.json({ ok: true, userAgent: typeof navigator === "object" ? String(navigator.userAgent) : "" });
    }
    const { workload, runner, n, concurrency } = await request.json();
    const t0 = Date.now();
    const failed = await runners[workload][runner](n, concurrency);
    return Response.json({ failed, ms: Date.now() - t0, errors: errors.splice(0) });
  },
};
