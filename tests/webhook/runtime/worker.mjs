// workerd: both entries imported by name (the workerd conditions); GET /?url=RECEIVER runs the probe.
import * as wp from "webhook-push/webhook";
import * as main from "webhook-push";
import { probe } from "./probe.mjs";

export default {
  async fetch(request) {
    const url = new URL(request.url).searchParams.get("url");
    return Response.json(await probe(wp, main, "workerd", url));
  },
};
