/// <reference lib="esnext.disposable" />
// The types of webhook-push/inbound: the inbound wasm's declarations (everything the main
// entry has, plus the inbound functions) and the three handlers. Self-contained: no DOM or
// Node typings needed (Request / Response are described structurally).
/* @inbound-declarations */

/** The parts of a Fetch API Request a handler reads. */
export interface InboundRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: { get(name: string): string | null };
  /** The body; a request's `body` stream, when it has one, is read instead, chunk by chunk, and cancelled past 1 MiB. */
  text(): Promise<string>;
}

/** The Fetch API Response a handler resolves to (the host's global `Response`). */
export interface InboundResponse {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/** The parts of a fetch Response the package reads from a reply or a download. */
export interface FetchResponse extends InboundResponse {
  readonly body: {
    getReader(): { read(): Promise<{ done: boolean; value?: Uint8Array | undefined }>; cancel(): Promise<unknown> };
  } | null;
}

/** A fetch (default: the host's global fetch). Its init also carries the host's AbortSignal, aborted on timeout. */
export type FetchLike = (
  input: string,
  init: { method: string; headers?: { [name: string]: string }; body?: string },
) => Promise<FetchResponse>;

/** Workers' ExecutionContext (or anything with waitUntil): keeps a slow onMessage alive. */
export interface WaitUntil {
  waitUntil(promise: Promise<unknown>): void;
}

/**
 * What a handler resolves to: the host's own `Response` (the handler builds it with the global
 * constructor) when the host's typings declare one (DOM, Node, Deno), else `InboundResponse`.
 */
export type HostResponse = typeof globalThis extends { Response: { prototype: infer R } } ? R : InboundResponse;

export type InboundHandler = (request: InboundRequest, ctx?: WaitUntil) => Promise<HostResponse>;

/** What `reply.send` resolves to (it never rejects for a delivery failure). */
export interface ReplyResult {
  success: boolean;
  /** "passive": in the callback's HTTP answer; "active": posted (response_url, sessionWebhook, IM API). */
  mode?: "passive" | "active";
  attempts: number;
  error?: { code: ErrorCode; message: string; platformCode?: number };
}

export interface Reply {
  /** A message of the model, or a string (sent as markdown). Rendered by the package's renderer. */
  send(message: UnifiedMessageInit | UnifiedMessage | string): Promise<ReplyResult>;
}

/** What onMessage may return: for WeCom card events and Feishu card actions, the answer body. */
export type OnMessageResult = void | undefined | { [key: string]: JsonValue };

export interface HandlerOptions<M> {
  onMessage(message: M, reply: Reply): Promise<OnMessageResult> | OnMessageResult;
  /** Sender ids allowed to talk to the bot (WeCom userid, DingTalk staff id, Feishu open_id or user_id). Empty or absent: everyone. */
  allowFrom?: string[];
  /** Duplicate callbacks (same msgid / event_id) within `ttl` ms (default 600000) are answered and not passed on. */
  dedup?: { ttl?: number; maxEntries?: number; store?: DedupStore };
  /** How long the HTTP answer waits for onMessage (ms, default 1000) before acknowledging; replies after it go out actively. */
  replyWindow?: number;
  /** Log lines (refusals, duplicates); never carry a credential. Default console.warn; null to silence. */
  log?: ((line: string) => void) | null;
  /** The fetch to post replies with (default the global fetch). */
  fetch?: FetchLike;
  /** Each outgoing request (a reply, the Feishu tenant token), answer and body, in ms (default 10000); past it: `TIMEOUT`. */
  timeout?: number;
}

export interface WecomHandlerOptions extends HandlerOptions<WecomMessage>, WecomCrypto {
  /** Accepted clock skew of the callback's timestamp, seconds (default 3600; 0 disables the check). */
  maxSkew?: number;
}

export interface DingTalkHandlerOptions extends HandlerOptions<DingTalkMessage> {
  /** The robot app's AppSecret (signs the `sign` header). */
  appSecret: string;
}

export interface FeishuHandlerOptions extends HandlerOptions<FeishuMessage | FeishuCardAction>, FeishuCredentials {
  appId: string;
  appSecret: string;
  /** Lark (open.larksuite.com) instead of Feishu. */
  lark?: boolean;
  /** Scheme and host of the Open API instead of Feishu's / Lark's (proxies, tests). */
  baseUrl?: string;
  /** Accepted skew of X-Lark-Request-Timestamp, seconds (default 3600; 0 disables the check). */
  maxSkew?: number;
}

/** WeCom AI bot (API mode): URL verification (GET) and encrypted callbacks (POST). */
export declare function wecomHandler(options: WecomHandlerOptions): InboundHandler;
/** DingTalk robot, HTTP mode: signed messages; replies through sessionWebhook. */
export declare function dingtalkHandler(options: DingTalkHandlerOptions): InboundHandler;
/**
 * Feishu / Lark events: url_verification, im.message.receive_v1, card.action.trigger; replies through the IM API.
 * Throws `INVALID_CONFIG` unless `encryptKey` or `verificationToken` is set (without either, events cannot be told from forgeries).
 */
export declare function feishuHandler(options: FeishuHandlerOptions): InboundHandler;
/**
 * Download an image or file of a WeCom AI-bot callback (`message.images[i]`, `message.fileUrl`;
 * valid 5 minutes) and decrypt it with the bot's key. Reads at most `maxBytes` (default 10 MB)
 * within `timeout` ms (default 10000); rejects with a `WebhookPushError` (`isWebhookPushError(e)`
 * is true): `INVALID_MESSAGE` over the limit, empty or undecryptable (with the core's `reason`),
 * `NETWORK_ERROR`, `TIMEOUT`, `PLATFORM_ERROR` for a non-200 answer, `INVALID_CONFIG`.
 */
export declare function wecomDownloadMedia(
  credentials: WecomCrypto & { fetch?: FetchLike },
  url: string,
  init?: { maxBytes?: number; fetch?: FetchLike; timeout?: number },
): Promise<{ bytes: Uint8Array; contentType: string | null }>;
