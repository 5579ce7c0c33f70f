// The host-contract Worker for workerd (run by contract.test.mjs through Miniflare): runs
// contract.mjs for the plan POSTed to it and answers with the report.
import * as wp from "webhook-push";
import { runContract } from "./scenarios.mjs";

export default {
  async fetch(request) {
    const plan = await request.json();
    const report = await runContract(wp, plan, { log: console.log });
    return Response.json({ info: { runtime: "workerd", entry: plan.workerEntry }, report });
  },
};
