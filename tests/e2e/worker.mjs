// The scenario Worker for workerd (run by e2e.test.mjs through Miniflare): imports the package by
// name, runs the shared scenarios for the plan POSTed to it, and answers with the report. Its
// env (the Worker's bindings) is what sendAuto reads, as in a deployed Worker.
import * as wp from "webhook-push";
import { runScenarios } from "./scenarios.mjs";

export default {
  async fetch(request, env) {
    const plan = await request.json();
    const info = {
      runtime: "workerd",
      version: typeof navigator === "object" ? String(navigator.userAgent) : "",
      entry: plan.workerEntry,
      moduleSystem: "esm",
      exports: Object.keys(wp).sort(),
    };
    const report = await runScenarios(wp, plan, { env, log: console.log });
    return Response.json({ info, report });
  },
};
