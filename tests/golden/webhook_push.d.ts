/* tslint:disable */
/* eslint-disable */

/**
 * Platforms a message can be rendered for. Lark is Feishu's international edition.
 * `"webhook"` is the generic target (any URL, by template): give it a `WebhookTarget`. It is
 * served by `webhook-push/webhook` (same API, its own wasm; `webhook-push/inbound` too): the main
 * entry answers it with `UNSUPPORTED`.
 */
export type Platform = "wecom" | "dingtalk" | "feishu" | "lark" | "webhook";

/** Stable error codes, in `error.code`. */
export type ErrorCode =
| "INVALID_MESSAGE" | "INVALID_CONFIG" | "UNKNOWN_PLATFORM" | "UNSUPPORTED"
| "RATE_LIMIT" | "NETWORK_ERROR" | "TIMEOUT" | "PLATFORM_ERROR" | "DUPLICATE";

/** The Error thrown by `render`, `detectPlatform` and `new UnifiedMessage`. */
export interface WebhookPushError extends Error {
    code: ErrorCode;
    /** JSON path of the offending field of a message, e.g. `content.body.links[2].url`. */
    path?: string;
}

/** Any JSON value (platform payloads, raw bodies). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface Mention {
    type: "mobile" | "user_id" | "all";
    /** Mobile number or user id (Feishu: open_id); omitted for `all`. */
    value?: string;
    display_name?: string;
}

export interface Article {
    title: string;
    description?: string;
    url: string;
    image_url?: string;
}

export interface CardButton {
    text: string | { tag?: string; content: string };
    url: string;
    style?: "default" | "primary" | "danger" | "positive";
    type?: string;
}

export interface CardField {
    name: string;
    value: string | number;
    url?: string;
}

/** The neutral card: renders natively on every platform. */
export interface NeutralCard {
    card_type?: "neutral";
    title?: string;
    subtitle?: string;
    /** Markdown. */
    text?: string;
    emphasis?: { title: string; desc?: string };
    fields?: CardField[];
    buttons?: CardButton[];
    image?: string | { url: string };
    /** Where a click on the card goes. */
    url?: string;
    /** Header colour: blue, green, orange, red, grey, or info / warning / danger / success. */
    color?: string;
}

/** The seed's WeCom template cards (WeCom's own keys pass through). */
export interface WecomCard {
    card_type: "text_notice" | "news_notice";
    title?: string;
    description?: string;
    emphasis?: { title: string; desc?: string };
    horizontal_content_list?: { keyname: string; value?: string; type?: number; url?: string }[];
    vertical_content_list?: { title: string; desc?: string }[];
    jump_list?: { type?: number; url?: string; title: string; appid?: string; pagepath?: string }[];
    action?: { type: number; url?: string; appid?: string; pagepath?: string };
    card_image?: { url: string; aspect_ratio?: number };
    [wecomKey: string]: JsonValue | undefined;
}

/** The seed's DingTalk action cards. */
export interface DingTalkCard {
    card_type: "single" | "multi";
    title?: string;
    config?: { hide_avatar?: string; btn_orientation?: string };
    elements?: { type?: string; text: string }[];
    actions?: { text: string; url: string; style?: string }[];
}

/** The seed's Feishu interactive card (card JSON 1.0 elements pass through). */
export interface FeishuCard {
    card_type?: "interactive";
    title?: string;
    config?: { [key: string]: JsonValue };
    header?: { [key: string]: JsonValue };
    elements: JsonValue[];
    actions?: CardButton[];
}

export type CardBody = NeutralCard | WecomCard | DingTalkCard | FeishuCard;

export type MessageContent =
| { type: "text"; title?: string; body: { text: string }; mentions?: Mention[] }
| { type: "markdown"; title?: string; body: { content: string }; mentions?: Mention[] }
| { type: "image"; title?: string; body: { url?: string; base64?: string; md5?: string; image_key?: string; alt?: string }; mentions?: Mention[] }
| { type: "link"; title?: string; body: { title?: string; text?: string; url: string; image_url?: string }; mentions?: Mention[] }
| { type: "news" | "feed"; title?: string; body: { links: Article[] }; mentions?: Mention[] }
| { type: "card"; title?: string; body: CardBody; mentions?: Mention[] }
| { type: "file"; title?: string; body: { url?: string; media_id?: string; name?: string; base64?: string }; mentions?: Mention[] }
| { type: "raw"; title?: string; body: { wecom?: { [key: string]: JsonValue }; dingtalk?: { [key: string]: JsonValue }; feishu?: { [key: string]: JsonValue }; lark?: { [key: string]: JsonValue } }; mentions?: Mention[] };

export interface MessageMetadata {
    message_id?: string;
    correlation_id?: string;
}

/** The unified message, in the seed's JSON shape (snake_case). */
export interface UnifiedMessageInit {
    content: MessageContent;
    metadata?: MessageMetadata;
}

export interface RenderOptions {
    /**
     * Webhook URL, or a bare WeCom key / DingTalk access token / Feishu hook id.
     * For the `"webhook"` platform: the target's configuration (or its JSON text); the one
     * payload is then the request, `{ method, headers, body }` (headers as given: credentials
     * included), and `url` the target's URL.
     */
    webhook?: string | WebhookTarget;
    /** Same as `webhook`. */
    webhookUrl?: string;
    /** DingTalk / Feishu signing secret. */
    secret?: string;
    /** Clock for signing, ms since the epoch; default `Date.now()`. */
    timestamp?: number;
    /** Content over the platform's limit: several messages (default), one cut message, or an error. */
    overflow?: "split" | "truncate" | "error";
    /** WeCom markdown flavour; `auto` picks markdown_v2 for tables, code and images without mentions. */
    wecomMarkdown?: "auto" | "v1" | "v2";
    /** Scheme and host to use instead of the platform's, e.g. a proxy or a test server. */
    baseUrl?: string;
}

/** One step down the degradation ladder. */
export interface Degradation {
    from: string;
    to: string;
    reason: string;
}

export interface RenderResult {
    platform: Platform;
    /** The URL to POST to (signed for DingTalk); null when no webhook was given. */
    url: string | null;
    /** One JSON body per message to send, in order. */
    payloads: { [key: string]: JsonValue }[];
    degraded: Degradation[];
    /** payloads.length */
    parts: number;
}

export interface RetryPolicy {
    /** Retries after the first attempt (default 3). */
    maxRetries?: number;
    /** ms before the first retry (default 1000). */
    initialDelay?: number;
    /** Cap on one wait, ms (default 30000). */
    maxDelay?: number;
    /** Growth of the wait per retry (default 2). */
    backoffMultiplier?: number;
    /** Jitter as a fraction of the wait, 0-1 (default 0.2 = ±10 %). */
    jitter?: number;
    /** Bound on the whole delivery, waits included, ms (default 180000). */
    maxTotalTime?: number;
}

/**
 * A shared dedup store, e.g. a Workers KV namespace. Values written are "done", or
 * "partial:N/M" when the first N of M parts of a split message went out (a re-send sends the rest).
 */
export interface DedupStore {
    get(key: string): Promise<unknown> | unknown;
    put(key: string, value: string, options: { expirationTtl: number }): Promise<unknown> | unknown;
}

export interface SenderOptions {
    retryPolicy?: RetryPolicy;
    /** Per attempt, ms (default 10000). */
    timeout?: number;
    /** Longest a message waits for its bot's rate window before resolving with RATE_LIMIT, ms (default 150000). */
    maxQueueDelay?: number;
    /** Keep each bot under its documented rate limit (default true). */
    rateLimit?: boolean;
    /** Scheme and host per platform instead of the public API (proxies, private deployments, tests). */
    baseUrls?: { wecom?: string; dingtalk?: string; feishu?: string; lark?: string };
    overflow?: "split" | "truncate" | "error";
    wecomMarkdown?: "auto" | "v1" | "v2";
    dedup?: { ttl?: number; maxEntries?: number; store?: DedupStore };
    /** Called when a message waits for its bot's rate window (progress display). */
    onRateWait?: (wait: { platform: Platform; waitMs: number }) => void;
    /**
     * Rate slots and message records shared by every isolate / process that sends to the same
     * bots. When given, it replaces this sender's own rate windows and dedup memory. Each call is
     * bounded by `timeout`; a coordinator that throws, rejects or does not answer in time does not
     * lose the message: the send falls back to this sender's own windows and memory and says so in
     * `degraded` (`from: "coordinator"`).
     */
    coordinator?: SendCoordinator;
    /** Named generic webhook targets, for `sendTo(message, name | names)` (`webhook-push/webhook`; the main entry throws `UNSUPPORTED`). */
    services?: { [name: string]: WebhookTarget };
}

/**
 * Shared by every isolate/process: per-bot rate slots and the per-message record.
 * `bot` is the bot's identity (`botId`: `"<platform>:<32 hex>"`), a hash of platform and credential, never a secret.
 */
export interface SendCoordinator {
    /** Take a slot for this bot now if all its windows allow (then waitMs is 0), else take nothing and say how long to wait. */
    acquire(bot: string, windows: { limit: number; periodMs: number }[]): Promise<{ waitMs: number }>;
    /**
     * Claim a message id for this bot. "new": the caller holds it now; otherwise the current record:
     * "sent", "pending", "partial:N/M". A claim that finds "partial:N/M" (or a released record) takes
     * it: the caller holds it and sends parts N+1..M. `ttlMs` bounds a "pending" hold whose sender died.
     */
    claim(bot: string, messageId: string, ttlMs: number): Promise<string>;
    /** Record the outcome: "sent", "partial:N/M", or "released" (failed: it may be claimed again). */
    settle(bot: string, messageId: string, state: string, ttlMs: number): Promise<void>;
}

/**
 * A webhook URL (or bare key), or one with its signing secret. For the `"webhook"` platform:
 * `{ webhook: WebhookTarget }` or the `WebhookTarget` itself.
 */
export type SendTarget = string | { webhookUrl: string; secret?: string } | { webhook: WebhookTarget | string } | WebhookTarget;

/**
 * A generic webhook target (platform `"webhook"`, seed 003, from `webhook-push/webhook`): push a
 * message to any URL by template. Checked when given (`INVALID_CONFIG` saying what to fix, before anything is sent).
 *
 * Placeholders in `body` and header values: `{{title}}`, `{{subTitle}}`, `{{logo}}`, `{{image}}`,
 * `{{message}}` (`|text`, `|markdown`, `|html`), `{{time}}` (`|iso`, `|unix`, `|unix_ms`),
 * `{{type}}`, `{{message_id}}`, `{{correlation_id}}`, `{{card…}}`, any `{{content.…}}` /
 * `{{metadata.…}}` path, `{{sign}}` and `{{timestamp}}`; a default after `|` (`{{title|untitled}}`);
 * `|url` percent-encodes. Inside a JSON string a value is escaped; a placeholder that is a whole
 * JSON value may insert a number, boolean, object or array.
 *
 * `{{sign}}`: base64 of HMAC-SHA256 keyed by `secret` over `"<timestamp>\n<secret>"`, `timestamp`
 * being `{{timestamp}}` (unix seconds). `signing: "standard-webhooks"` adds `webhook-id`,
 * `webhook-timestamp` and `webhook-signature: v1,<base64>` (secret `whsec_<base64>`).
 *
 * Retries: network errors, timeouts, 5xx, 408, 425 and 429 (honouring Retry-After), `retry.count`
 * times every `retry.intervalSeconds`; other statuses and a failed `check` are final unless
 * `check.retryable`.
 */
export interface WebhookTarget {
    /** http or https. */
    url: string;
    /** Default POST. */
    method?: "POST" | "PUT" | "PATCH";
    /** An object, or the seed's `Key: value` lines. CR/LF in a value is refused. */
    headers?: { [name: string]: string } | string;
    /** A JSON template (an object or array, or its text with placeholders), or a raw string with `contentType`. */
    body?: JsonValue;
    /** For a raw (non-JSON) string body. */
    contentType?: string;
    /** Per attempt, ms (default 10000). */
    timeout?: number;
    /** The answer check; default: any 2xx. */
    check?: "status" | {
        status?: number | number[] | "2xx";
        bodyContains?: string;
        jsonPath?: string;
        equals?: JsonValue;
        /** A failed body check is retried (default: final). */
        retryable?: boolean;
    };
    retry?: { count?: number; intervalSeconds?: number };
    /** At most `limit` requests per `periodMs` to this target (kept on our side). */
    rateLimit?: { limit: number; periodMs: number };
    secret?: string;
    signing?: "sign" | "standard-webhooks" | ("sign" | "standard-webhooks")[];
    /** Named services: `false` skips it in `sendTo`. Default true. */
    enabled?: boolean;
    name?: string;
    tags?: string[];
    description?: string;
}

/** `sendTo`'s answer: one result per service sent to (with its name), and the disabled ones skipped. */
export interface SendToResult {
    successCount: number;
    failedCount: number;
    results: (SendResult & { service: string })[];
    /** Services named but disabled (`enabled: false`): nothing sent. */
    skipped: string[];
}

/** A named service as `sender.services()` lists it, sorted by name (no URL, header or secret). */
export interface ServiceInfo {
    name: string;
    enabled: boolean;
    tags: string[];
    description: string | null;
}

export interface SendError {
    code: ErrorCode;
    message: string;
    /** The platform's own errcode / code, when it answered. */
    platformCode: number | null;
    platformMessage: string | null;
}

export interface SendResult {
    success: boolean;
    platform: Platform;
    /** HTTP requests made for the message. */
    attempts: number;
    error: SendError | null;
    retrySuggested: boolean;
    /** ms to wait before trying again, when known. */
    retryAfter: number | null;
    degraded: Degradation[];
    messageId: string | null;
    correlationId: string | null;
    elapsedMs: number;
    /** Messages the content was split into, and how many went out. */
    parts: number;
    partsDelivered: number;
}

export interface MultiSendOptions {
    platforms: Platform[];
    webhookUrls: { [platform: string]: string };
    secrets?: { [platform: string]: string };
}

export interface MultiSendResult {
    successCount: number;
    failedCount: number;
    results: SendResult[];
}

export interface AutoSendResult extends MultiSendResult {
    /** Platforms delivered to. */
    sentPlatforms: Platform[];
    /** Platforms with no configuration in the environment. */
    skippedPlatforms: Platform[];
    /** Platforms configured but not delivered to. */
    failedPlatforms: Platform[];
}

/** A target as `parseTarget` reads it. `redacted` is safe to show; `webhook` and `secret` are not. */
export interface ParsedTarget {
    platform: Platform;
    /** The bare key / access token / hook id, or the webhook URL as given. */
    webhook: string;
    secret: string | null;
    /** Apprise's phone targets, shoutrrr's mentioned lists. */
    mentions: Mention[];
    format: "text" | "markdown" | null;
    overflow: "split" | "truncate" | "error" | null;
    title: string | null;
    /** shoutrrr DingTalk: a keyword the bot requires. */
    keyword: string | null;
    /** shoutrrr Lark: a link to add to the message. */
    link: string | null;
    redacted: string;
}

/** What `platformInfo` says about a platform (derived from the renderers). */
export interface PlatformInfo {
    platform: Platform;
    name: string;
    /** The webhook URL's shape, with a placeholder for the credential. */
    webhook: string;
    types: { type: string; support: "native" | "degraded" | "refused"; sentAs?: string; steps?: Degradation[]; code?: ErrorCode; reason?: string }[];
    limits: { [name: string]: number };
    rateLimits: { count: number; windowMs: number }[];
    blockedMsAfterLimit: number;
    signing: { signed: boolean; how: string };
    env: { webhook: string | null; secret: string | null };
    urlSchemes: string[];
}

/** Environment variables read by sendAuto (process.env, Deno.env.toObject(), a Worker's env). */
export interface SendAutoEnv {
    WECOM_WEBHOOK_KEY?: string;
    DINGTALK_ACCESS_TOKEN?: string;
    DINGTALK_SECRET?: string;
    FEISHU_WEBHOOK_ID?: string;
    FEISHU_SECRET?: string;
    LARK_WEBHOOK_ID?: string;
    LARK_SECRET?: string;
    [name: string]: unknown;
}



/**
 * Sends messages with retries, rate limiting and dedup. One sender keeps the
 * rate windows of the bots it sends to: share it across requests.
 */
export class MessageSender {
    free(): void;
    [Symbol.dispose](): void;
    constructor(options?: SenderOptions);
    /**
     * Send to every platform configured in `env` (the seed's variable names).
     */
    sendAuto(message: UnifiedMessageInit | UnifiedMessage, env: SendAutoEnv): Promise<AutoSendResult>;
    /**
     * Send to several platforms at once.
     */
    sendMulti(message: UnifiedMessageInit | UnifiedMessage, options: MultiSendOptions): Promise<MultiSendResult>;
    /**
     * Send to named services (`options.services`), at once. A disabled
     * service is skipped (listed in `skipped`); an unknown name is a failed
     * result. Each result carries its `service` name. From `webhook-push/webhook`
     * (or `/inbound`): the main entry throws `UNSUPPORTED`.
     */
    sendTo(message: UnifiedMessageInit | UnifiedMessage, names: string | string[]): Promise<SendToResult>;
    /**
     * Send to one bot. Resolves to a result; never rejects for a delivery failure.
     */
    send(message: UnifiedMessageInit | UnifiedMessage, platform: Platform, target: SendTarget): Promise<SendResult>;
    /**
     * The named services: `{ name, enabled, tags, description }` each (no URL, header or secret).
     * From `webhook-push/webhook` (or `/inbound`): the main entry throws `UNSUPPORTED`.
     */
    services(): ServiceInfo[];
}

/**
 * A validated message. Plain objects work everywhere a `UnifiedMessage`
 * does; the class checks a message once, up front, with the same errors.
 */
export class UnifiedMessage {
    free(): void;
    [Symbol.dispose](): void;
    constructor(init: UnifiedMessageInit);
    /**
     * The message as a plain object (what `JSON.stringify` writes).
     */
    toJSON(): UnifiedMessageInit;
    readonly content: MessageContent;
    readonly metadata: MessageMetadata | undefined;
}

/**
 * The bot's identity: `"<platform>:<32 hex digits>"`, a hash of the platform
 * and the bot's credential (never the credential). A bare key and any URL
 * form of the same bot give the same identity: the sender keys its dedup
 * records and rate windows by it, and a host can key shared state (a
 * Durable Object, a KV entry) by it. Throws `INVALID_CONFIG` /
 * `UNKNOWN_PLATFORM` for a bad target or platform.
 */
export function botId(platform: Platform, target: SendTarget): string;

/**
 * The platform of a webhook URL, or `null` for a well-formed URL of no known
 * platform. Throws `INVALID_CONFIG` for a malformed URL.
 */
export function detectPlatform(url: string): Platform | null;

/**
 * `true` for an error thrown by this package (`render`, `detectPlatform`,
 * `new UnifiedMessage`, `new MessageSender`): it has a stable `code`.
 */
export function isWebhookPushError(e: unknown): e is WebhookPushError;

/**
 * A target as a user writes it (an Apprise or shoutrrr URL, a webhook URL, or a bare key
 * with its platform): its platform, key, secret, mentions and the URL's options.
 */
export function parseTarget(input: string, platform?: Platform): ParsedTarget;

/**
 * What a platform takes: each message type (native, degraded, refused), byte limits,
 * rate limits, signing and the environment variables `sendAuto` reads.
 */
export function platformInfo(platform: Platform): PlatformInfo;

/**
 * Render a message for a platform: the payloads to POST, the URL to post
 * them to (when a webhook is given), and what was degraded. Pure: sends nothing.
 */
export function render(message: UnifiedMessageInit | UnifiedMessage, platform: Platform, options?: RenderOptions): RenderResult;

export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

export interface InitOutput {
    readonly memory: WebAssembly.Memory;
    readonly __wbg_messagesender_free: (a: number, b: number) => void;
    readonly __wbg_unifiedmessage_free: (a: number, b: number) => void;
    readonly botId: (a: any, b: any) => [number, number, number, number];
    readonly detectPlatform: (a: any) => [number, number, number];
    readonly isWebhookPushError: (a: any) => number;
    readonly messagesender_new: (a: number) => [number, number, number];
    readonly messagesender_send: (a: number, b: any, c: any, d: any) => any;
    readonly messagesender_sendAuto: (a: number, b: any, c: any) => any;
    readonly messagesender_sendMulti: (a: number, b: any, c: any) => any;
    readonly messagesender_sendTo: (a: number, b: any, c: any) => [number, number, number];
    readonly messagesender_services: (a: number) => [number, number, number];
    readonly parseTarget: (a: any, b: number) => [number, number, number];
    readonly platformInfo: (a: any) => [number, number, number];
    readonly render: (a: any, b: any, c: number) => [number, number, number];
    readonly unifiedmessage_content: (a: number) => any;
    readonly unifiedmessage_metadata: (a: number) => any;
    readonly unifiedmessage_new: (a: any) => [number, number, number];
    readonly unifiedmessage_toJSON: (a: number) => [number, number, number];
    readonly wasm_bindgen__convert__closures_____invoke__h0da6f8680f230de2: (a: number, b: number, c: any, d: any) => void;
    readonly wasm_bindgen__convert__closures_____invoke__hd95e7ce0ef57304b: (a: number, b: number, c: any) => [number, number];
    readonly __wbindgen_malloc: (a: number, b: number) => number;
    readonly __wbindgen_realloc: (a: number, b: number, c: number, d: number) => number;
    readonly __wbindgen_free: (a: number, b: number, c: number) => void;
    readonly __wbindgen_exn_store: (a: number) => void;
    readonly __externref_table_alloc: () => number;
    readonly __wbindgen_externrefs: WebAssembly.Table;
    readonly __externref_drop_slice: (a: number, b: number) => void;
    readonly __wbindgen_destroy_closure: (a: number, b: number) => void;
    readonly __externref_table_dealloc: (a: number) => void;
    readonly __wbindgen_start: () => void;
}

export type SyncInitInput = BufferSource | WebAssembly.Module;

/**
 * Instantiates the given `module`, which can either be bytes or
 * a precompiled `WebAssembly.Module`.
 *
 * @param {{ module: SyncInitInput }} module - Passing `SyncInitInput` directly is deprecated.
 *
 * @returns {InitOutput}
 */
export function initSync(module: { module: SyncInitInput } | SyncInitInput): InitOutput;

/**
 * If `module_or_path` is {RequestInfo} or {URL}, makes a request and
 * for everything else, calls `WebAssembly.instantiate` directly.
 *
 * @param {{ module_or_path: InitInput | Promise<InitInput> }} module_or_path - Passing `InitInput` directly is deprecated.
 *
 * @returns {Promise<InitOutput>}
 */
export default function __wbg_init (module_or_path?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>): Promise<InitOutput>;
