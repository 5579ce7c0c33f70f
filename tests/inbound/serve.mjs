// Serve the test bot on 127.0.0.1 from Node, Deno or Bun; prints "LISTENING <port>".
// The config (credentials, the loopback platform's URL) is the JSON in argv's last item.
import * as inbound from "webhook-push/inbound";
import { makeBot } from "./bot.mjs";

const args = globalThis.Deno ? Deno.args : process.argv.slice(2);
const cfg = JSON.parse(args[args.length - 1]);
const bot = makeBot(inbound, cfg);
const runtime = globalThis.Deno ? "deno" : globalThis.Bun ? "bun" : "node";
const listening = (port) => console.log(`LISTENING ${port} ${runtime}`);

if (runtime === "deno") {
  Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: ({ port }) => listening(port) }, (req) => bot(req));
} else if (runtime === "bun") {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (req) => bot(req) });
  listening(server.port);
} else {
  // Node: the smallest Request adapter over node:http.
  const http = await import("node:http");
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    const request = new Request(`http://127.0.0.1${req.url}`, {
      method: req.method,
      headers: Object.entries(req.headers).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]])),
      body: req.method === "GET" || req.method === "HEAD" ? undefined : body,
    });
    const response = await bot(request);
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  server.listen(0, "127.0.0.1", () => listening(server.address().port));
}
