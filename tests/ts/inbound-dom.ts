// webhook-push/inbound with the host's Fetch API typings (lib "dom", as in a Worker, Deno or a
// browser bundle): a handler is a (Request) => Promise<Response>, and the global fetch fits `fetch`.
import { dingtalkHandler, wecomDownloadMedia } from "webhook-push/inbound";

const handler: (request: Request) => Promise<Response> = dingtalkHandler({ appSecret: "s", onMessage: () => undefined, fetch });
export default { fetch: (request: Request): Promise<Response> => handler(request) };

export async function download(url: string): Promise<number> {
  const { bytes } = await wecomDownloadMedia({ token: "t", encodingAesKey: "k".repeat(43), fetch }, url);
  return bytes.byteLength;
}
