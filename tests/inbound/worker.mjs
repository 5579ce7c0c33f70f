// The test bot as a Cloudflare Worker (workerd through Miniflare). The config arrives as the
// CONFIG binding; ctx.waitUntil keeps a slow onMessage alive after the acknowledgement.
import * as inbound from "webhook-push/inbound";
import { makeBot } from "./bot.mjs";

let bot = null;
export default {
  fetch(request, env, ctx) {
    bot ??= makeBot(inbound, JSON.parse(env.CONFIG));
    return bot(request, ctx);
  },
};
