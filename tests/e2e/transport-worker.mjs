// The transport Worker for workerd (run by transport.test.mjs through Miniflare): runs
// transport.mjs for the plan POSTed to it and answers with the report.
import * as wp from "webhook-push";
import { runTransport } from "./scenarios.mjs";

export default {
  async fetch(request) {
    const plan = await request.json();
    const report = await runTransport(wp, plan);
    return Response.json({ info: { runtime: "workerd", entry: plan.workerEntry }, report });
  },
};
