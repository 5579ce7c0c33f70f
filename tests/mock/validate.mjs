// Payload validation for the mock platforms server (tests/mock/platforms.mjs).
//
// Pure functions, no I/O. Each validator throws a `Reject` carrying the exact body the
// platform answers; it returns normally when the payload is acceptable.
//
// Two kinds of problems:
// - what the real platform rejects (documented, or seen in public error reports): always an error;
// - what the real platform accepts but silently drops or alters (unknown or misspelt fields,
//   over-long WeCom news titles it cuts, ambiguous action cards): an error in strict mode (the
//   default, so that a sender bug cannot hide behind "the platform said ok"), a warning otherwise.

import { createHash } from "node:crypto";

export class Reject extends Error {
  constructor(body, status = 200) {
    super(typeof body === "string" ? body : JSON.stringify(body));
    this.body = body;
    this.status = status;
  }
}

export const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
export const byteLen = (s) => Buffer.byteLength(s, "utf8");
const isStr = (v) => typeof v === "string";
const nonEmpty = (v) => typeof v === "string" && v.length > 0;
const isInt = (v) => Number.isInteger(v);

/** A validation context: `fail(code, msg)` throws the platform's error body. */
export function makeCtx(strict, errorBody) {
  const ctx = {
    strict,
    warnings: [],
    fail(code, msg) {
      throw new Reject(errorBody(code, msg));
    },
    /** Accepted by the real platform, silently dropped or altered there. */
    quirk(code, msg) {
      ctx.warnings.push(msg);
      if (strict) ctx.fail(code, `${msg} (mock strict mode: the real platform accepts this and silently drops or alters it)`);
    },
  };
  return ctx;
}

function unknownFields(ctx, code, obj, allowed, path) {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) {
      const near = allowed.find((a) => a.toLowerCase() === k.toLowerCase());
      ctx.quirk(code, `unknown field ${path}.${k}${near ? ` (did you mean ${path}.${near}? field names are case-sensitive)` : ""}`);
    }
  }
}

/** " (found X: ...)" when obj has a key equal to `field` but for case or underscores. */
function caseHint(obj, field, path) {
  if (!isObj(obj)) return "";
  const norm = (s) => s.toLowerCase().replace(/_/g, "");
  const k = Object.keys(obj).find((x) => x !== field && norm(x) === norm(field));
  return k ? ` (found ${path ? `${path}.` : ""}${k}: field names are exact)` : "";
}

function strList(v) {
  return Array.isArray(v) && v.every(isStr);
}

/** Every string in a message body that a keyword filter would look at (not URLs, keys, tags). */
export function collectText(v, out = [], depth = 0) {
  if (depth > 64) return out;
  if (isStr(v)) out.push(v);
  else if (Array.isArray(v)) for (const x of v) collectText(x, out, depth + 1);
  else if (isObj(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (/url$|href$|_key$|^tag$|^user_id$|^media_id$|^md5$|^base64$/i.test(k)) continue;
      collectText(x, out, depth + 1);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// WeCom group bot

export const WECOM_MSGTYPES = ["text", "markdown", "markdown_v2", "image", "news", "file", "voice", "template_card"];
const WECOM_TEXT_MAX = 2048;
const WECOM_MD_MAX = 4096;
const WECOM_IMAGE_MAX = 2 * 1024 * 1024;
const B64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

export function wecomError(code, msg) {
  return { errcode: code, errmsg: msg };
}

/**
 * @param p parsed JSON body
 * @param ctx makeCtx(strict, wecomError)
 * @param lookupMedia (media_id) => {type, ...} | undefined (only ids issued to this bot and not expired)
 */
export function validateWecom(p, ctx, lookupMedia) {
  const P = 40058;
  const bad = (m) => ctx.fail(P, `${m}. invalid Request Parameter`);
  const t = p.msgtype;
  if (!isStr(t) || !WECOM_MSGTYPES.includes(t)) ctx.fail(40008, `invalid message type${isStr(t) ? `: ${JSON.stringify(t)}` : ", msgtype missing"}`);
  const b = p[t];
  if (!isObj(b)) bad(`missing ${t}${caseHint(p, t, "")}`);
  switch (t) {
    case "text": {
      if (!nonEmpty(b.content)) bad("missing text.content");
      if (byteLen(b.content) > WECOM_TEXT_MAX) bad(`text.content exceed max length ${WECOM_TEXT_MAX}`);
      for (const f of ["mentioned_list", "mentioned_mobile_list"]) {
        if (b[f] !== undefined && !strList(b[f])) bad(`text.${f} must be an array of strings`);
      }
      unknownFields(ctx, P, b, ["content", "mentioned_list", "mentioned_mobile_list"], "text");
      break;
    }
    case "markdown":
    case "markdown_v2": {
      if (!nonEmpty(b.content)) bad(`missing ${t}.content`);
      if (byteLen(b.content) > WECOM_MD_MAX) bad(`${t}.content exceed max length ${WECOM_MD_MAX}`);
      unknownFields(ctx, P, b, ["content"], t);
      break;
    }
    case "image": {
      if (!nonEmpty(b.base64)) bad("missing image.base64");
      if (!nonEmpty(b.md5)) bad("missing image.md5");
      if (b.base64.length % 4 !== 0 || !B64_RE.test(b.base64)) bad("image.base64 is not valid base64");
      if (!/^[0-9a-fA-F]{32}$/.test(b.md5)) bad("image.md5 must be 32 hex digits");
      const raw = Buffer.from(b.base64, "base64");
      const md5 = nodeMd5(raw);
      if (md5 !== b.md5.toLowerCase()) ctx.fail(301019, "media md5 not match");
      if (raw.length > WECOM_IMAGE_MAX) bad(`image size ${raw.length} exceed max size ${WECOM_IMAGE_MAX}`);
      if (!isJpeg(raw) && !isPng(raw)) bad("image must be JPG or PNG");
      unknownFields(ctx, P, b, ["base64", "md5"], "image");
      break;
    }
    case "news": {
      const a = b.articles;
      if (!Array.isArray(a) || a.length === 0) bad("missing news.articles");
      if (a.length > 8) bad(`news.articles count ${a.length} exceed max 8`);
      a.forEach((art, i) => {
        const path = `news.articles[${i}]`;
        if (!isObj(art)) bad(`${path} must be an object`);
        if (!nonEmpty(art.title)) bad(`missing ${path}.title`);
        if (!nonEmpty(art.url)) bad(`missing ${path}.url${caseHint(art, "url", path)}`);
        for (const f of ["description", "picurl", "appid", "pagepath"]) {
          if (art[f] !== undefined && !isStr(art[f])) bad(`${path}.${f} must be a string`);
        }
        if (byteLen(art.title) > 128) ctx.quirk(P, `${path}.title is ${byteLen(art.title)} bytes, over 128: WeCom cuts it`);
        if (isStr(art.description) && byteLen(art.description) > 512) {
          ctx.quirk(P, `${path}.description is ${byteLen(art.description)} bytes, over 512: WeCom cuts it`);
        }
        unknownFields(ctx, P, art, ["title", "description", "url", "picurl", "appid", "pagepath"], path);
      });
      unknownFields(ctx, P, b, ["articles"], "news");
      break;
    }
    case "file":
    case "voice": {
      if (!nonEmpty(b.media_id)) bad(`missing ${t}.media_id`);
      const m = lookupMedia(b.media_id);
      if (!m || m.type !== t) ctx.fail(40007, `invalid media_id${m ? ` (issued for type ${m.type}, used as ${t})` : ""}`);
      unknownFields(ctx, P, b, ["media_id"], t);
      break;
    }
    case "template_card":
      validateTemplateCard(b, ctx);
      break;
  }
  for (const k of Object.keys(p)) {
    if (k !== "msgtype" && k !== t) ctx.warnings.push(`top-level field ${k} ignored`);
  }
}

const TC_FIELDS = [
  "card_type", "source", "action_menu", "task_id", "main_title", "emphasis_content", "quote_area",
  "sub_title_text", "horizontal_content_list", "jump_list", "card_action", "card_image",
  "image_text_area", "vertical_content_list",
];
const TC_TEXT_ONLY = ["emphasis_content", "sub_title_text"];
const TC_NEWS_ONLY = ["card_image", "image_text_area", "vertical_content_list"];

function validateTemplateCard(c, ctx) {
  const P = 40058;
  const bad = (m) => ctx.fail(P, `template_card.${m}. invalid Request Parameter`);
  const optStr = (o, f, path) => {
    if (o[f] !== undefined && !isStr(o[f])) bad(`${path}.${f} must be a string`);
  };
  const optObj = (f) => {
    if (c[f] !== undefined && !isObj(c[f])) bad(`${f} must be an object`);
    return c[f];
  };
  const ct = c.card_type;
  if (ct !== "text_notice" && ct !== "news_notice") bad(`card_type ${JSON.stringify(ct ?? null)} invalid (text_notice or news_notice)`);
  unknownFields(ctx, P, c, TC_FIELDS, "template_card");
  for (const f of ct === "text_notice" ? TC_NEWS_ONLY : TC_TEXT_ONLY) {
    if (c[f] !== undefined) ctx.quirk(P, `template_card.${f} is not part of ${ct}`);
  }

  const source = optObj("source");
  if (source) {
    optStr(source, "icon_url", "source");
    optStr(source, "desc", "source");
    if (source.desc_color !== undefined && !(isInt(source.desc_color) && source.desc_color >= 0 && source.desc_color <= 3)) {
      bad("source.desc_color must be 0..3");
    }
  }
  const main = optObj("main_title");
  if (main) {
    optStr(main, "title", "main_title");
    optStr(main, "desc", "main_title");
  }
  if (c.sub_title_text !== undefined && !isStr(c.sub_title_text)) bad("sub_title_text must be a string");
  if (ct === "text_notice") {
    if (!nonEmpty(main?.title) && !nonEmpty(c.sub_title_text)) bad("main_title.title or sub_title_text required for text_notice");
  } else if (!nonEmpty(main?.title)) {
    bad("main_title.title required for news_notice");
  }
  const emph = optObj("emphasis_content");
  if (emph) {
    optStr(emph, "title", "emphasis_content");
    optStr(emph, "desc", "emphasis_content");
  }

  const quote = optObj("quote_area");
  if (quote) {
    if (quote.type !== undefined && ![0, 1, 2].includes(quote.type)) bad("quote_area.type must be 0, 1 or 2");
    if (quote.type === 1 && !nonEmpty(quote.url)) bad("quote_area.url required when type is 1");
    if (quote.type === 2 && !nonEmpty(quote.appid)) bad("quote_area.appid required when type is 2");
    for (const f of ["url", "appid", "pagepath", "title", "quote_text"]) optStr(quote, f, "quote_area");
  }

  const hl = c.horizontal_content_list;
  if (hl !== undefined) {
    if (!Array.isArray(hl)) bad("horizontal_content_list must be an array");
    if (hl.length > 6) bad(`horizontal_content_list has ${hl.length} items, max 6`);
    hl.forEach((h, i) => {
      const path = `horizontal_content_list[${i}]`;
      if (!isObj(h)) bad(`${path} must be an object`);
      if (!nonEmpty(h.keyname)) bad(`${path}.keyname required`);
      optStr(h, "value", path);
      if (h.type !== undefined && ![0, 1, 2, 3].includes(h.type)) bad(`${path}.type must be 0..3`);
      if (h.type === 1 && !nonEmpty(h.url)) bad(`${path}.url required when type is 1`);
      if (h.type === 2 && !nonEmpty(h.media_id)) bad(`${path}.media_id required when type is 2`);
      if (h.type === 3 && !nonEmpty(h.userid)) bad(`${path}.userid required when type is 3`);
    });
  }

  const jl = c.jump_list;
  if (jl !== undefined) {
    if (!Array.isArray(jl)) bad("jump_list must be an array");
    if (jl.length > 3) bad(`jump_list has ${jl.length} items, max 3`);
    jl.forEach((j, i) => {
      const path = `jump_list[${i}]`;
      if (!isObj(j)) bad(`${path} must be an object`);
      if (!nonEmpty(j.title)) bad(`${path}.title required`);
      if (j.type !== undefined && ![0, 1, 2].includes(j.type)) bad(`${path}.type must be 0, 1 or 2`);
      if (j.type === 1 && !nonEmpty(j.url)) bad(`${path}.url required when type is 1`);
      if (j.type === 2 && !nonEmpty(j.appid)) bad(`${path}.appid required when type is 2`);
    });
  }

  const act = c.card_action;
  if (!isObj(act)) bad("card_action required");
  if (act.type !== 1 && act.type !== 2) bad("card_action.type must be 1 (url) or 2 (mini program)");
  if (act.type === 1 && !nonEmpty(act.url)) bad("card_action.url required when type is 1");
  if (act.type === 2 && !nonEmpty(act.appid)) bad("card_action.appid required when type is 2");
  for (const f of ["url", "appid", "pagepath"]) optStr(act, f, "card_action");

  if (ct === "news_notice") {
    const img = optObj("card_image");
    const ita = optObj("image_text_area");
    if (!img && !ita) bad("card_image or image_text_area required for news_notice");
    if (img) {
      if (!nonEmpty(img.url)) bad("card_image.url required");
      if (img.aspect_ratio !== undefined && !(typeof img.aspect_ratio === "number" && img.aspect_ratio >= 1.3 && img.aspect_ratio <= 2.25)) {
        bad("card_image.aspect_ratio must be a number in 1.3..2.25");
      }
    }
    if (ita) {
      if (!nonEmpty(ita.image_url)) bad("image_text_area.image_url required");
      if (ita.type !== undefined && ![0, 1, 2].includes(ita.type)) bad("image_text_area.type must be 0, 1 or 2");
      if (ita.type === 1 && !nonEmpty(ita.url)) bad("image_text_area.url required when type is 1");
      if (ita.type === 2 && !nonEmpty(ita.appid)) bad("image_text_area.appid required when type is 2");
    }
    const vl = c.vertical_content_list;
    if (vl !== undefined) {
      if (!Array.isArray(vl)) bad("vertical_content_list must be an array");
      if (vl.length > 4) bad(`vertical_content_list has ${vl.length} items, max 4`);
      vl.forEach((v, i) => {
        if (!isObj(v) || !nonEmpty(v.title)) bad(`vertical_content_list[${i}].title required`);
        optStr(v, "desc", `vertical_content_list[${i}]`);
      });
    }
  }

  const menu = optObj("action_menu");
  if (menu) {
    if (!Array.isArray(menu.action_list) || menu.action_list.length < 1 || menu.action_list.length > 3) {
      bad("action_menu.action_list must have 1..3 items");
    }
    menu.action_list.forEach((a, i) => {
      if (!isObj(a) || !nonEmpty(a.text) || !nonEmpty(a.key)) bad(`action_menu.action_list[${i}] needs text and key`);
    });
    if (!nonEmpty(c.task_id)) bad("task_id required with action_menu");
  }
}

function nodeMd5(buf) {
  return createHash("md5").update(buf).digest("hex");
}
export function isJpeg(b) {
  return b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
}
const PNG_SIG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
export function isPng(b) {
  return b.length >= 8 && b.subarray(0, 8).equals(PNG_SIG);
}

// ---------------------------------------------------------------------------------------------
// DingTalk custom robot

export const DINGTALK_MSGTYPES = ["text", "markdown", "link", "actionCard", "feedCard"];

export function dingtalkError(code, msg) {
  return { errcode: code, errmsg: msg };
}

export function validateDingtalk(p, ctx) {
  const P = 400403;
  const miss = (path, obj, field) => ctx.fail(P, `miss param : ${path}${caseHint(obj, field, path.replace(/->[^>]*$/, ""))}`);
  const invalid = (path, why) => ctx.fail(P, `invalid param : ${path}${why ? ` (${why})` : ""}`);
  const reqStr = (obj, f, base) => {
    if (!nonEmpty(obj[f])) {
      if (obj[f] !== undefined && !isStr(obj[f])) invalid(`${base}->${f}`, "must be a string");
      miss(`${base}->${f}`, obj, f);
    }
  };
  const t = p.msgtype;
  if (t === undefined || t === null || t === "") ctx.fail(40035, "缺少参数 msgtype");
  if (!isStr(t) || !DINGTALK_MSGTYPES.includes(t)) ctx.fail(400105, `不支持的消息类型 (unsupported msgtype ${JSON.stringify(t)})`);
  const b = p[t];
  if (!isObj(b)) miss(t, p, t);
  switch (t) {
    case "text":
      reqStr(b, "content", "text");
      unknownFields(ctx, P, b, ["content"], "text");
      break;
    case "markdown":
      reqStr(b, "title", "markdown");
      reqStr(b, "text", "markdown");
      unknownFields(ctx, P, b, ["title", "text"], "markdown");
      break;
    case "link":
      reqStr(b, "title", "link");
      reqStr(b, "text", "link");
      reqStr(b, "messageUrl", "link");
      if (b.picUrl !== undefined && !isStr(b.picUrl)) invalid("link->picUrl", "must be a string");
      unknownFields(ctx, P, b, ["title", "text", "messageUrl", "picUrl"], "link");
      break;
    case "actionCard": {
      reqStr(b, "title", "actionCard");
      reqStr(b, "text", "actionCard");
      const single = b.singleTitle !== undefined || b.singleURL !== undefined;
      if (single) {
        reqStr(b, "singleTitle", "actionCard");
        reqStr(b, "singleURL", "actionCard");
        if (b.btns !== undefined) ctx.quirk(P, "actionCard has both singleURL and btns: btns are ignored");
      } else if (b.btns !== undefined) {
        if (!Array.isArray(b.btns) || b.btns.length === 0) invalid("actionCard->btns", "must be a non-empty array");
        b.btns.forEach((btn, i) => {
          const path = `actionCard->btns[${i}]`;
          if (!isObj(btn)) invalid(path, "must be an object");
          reqStr(btn, "title", path);
          reqStr(btn, "actionURL", path);
          unknownFields(ctx, P, btn, ["title", "actionURL"], `actionCard.btns[${i}]`);
        });
      } else {
        miss("actionCard->singleURL or actionCard->btns", b, "singleURL");
      }
      for (const f of ["btnOrientation", "hideAvatar"]) {
        if (b[f] !== undefined && b[f] !== "0" && b[f] !== "1") ctx.quirk(P, `actionCard.${f} should be "0" or "1"`);
      }
      unknownFields(ctx, P, b, ["title", "text", "singleTitle", "singleURL", "btnOrientation", "btns", "hideAvatar"], "actionCard");
      break;
    }
    case "feedCard": {
      if (!Array.isArray(b.links) || b.links.length === 0) miss("feedCard->links", b, "links");
      b.links.forEach((l, i) => {
        const path = `feedCard->links[${i}]`;
        if (!isObj(l)) invalid(path, "must be an object");
        reqStr(l, "title", path);
        reqStr(l, "messageURL", path);
        reqStr(l, "picURL", path);
        unknownFields(ctx, P, l, ["title", "messageURL", "picURL"], `feedCard.links[${i}]`);
      });
      unknownFields(ctx, P, b, ["links"], "feedCard");
      break;
    }
  }
  if (p.at !== undefined) {
    const at = p.at;
    if (!isObj(at)) invalid("at", "must be an object");
    for (const f of ["atMobiles", "atUserIds"]) {
      if (at[f] !== undefined && at[f] !== null && !strList(at[f])) invalid(`at->${f}`, "must be an array of strings");
    }
    if (at.isAtAll !== undefined && typeof at.isAtAll !== "boolean") invalid("at->isAtAll", "must be a boolean");
    unknownFields(ctx, P, at, ["atMobiles", "atUserIds", "isAtAll"], "at");
  }
  for (const k of Object.keys(p)) {
    if (k !== "msgtype" && k !== t && k !== "at") ctx.warnings.push(`top-level field ${k} ignored`);
  }
}

// ---------------------------------------------------------------------------------------------
// Feishu / Lark custom bot

export const FEISHU_MSGTYPES = ["text", "post", "image", "share_chat", "interactive"];
export const FEISHU_CARD_MAX = 30 * 1024;

export function feishuError(code, msg) {
  return { code, msg, data: {} };
}

const POST_TAGS = {
  text: { req: ["text"], opt: ["un_escape", "style"] },
  a: { req: ["text", "href"], opt: ["style"] },
  at: { req: ["user_id"], opt: ["user_name", "style"] },
  img: { req: ["image_key"], opt: ["width", "height"] },
  media: { req: ["file_key"], opt: ["image_key"] },
  emotion: { req: ["emoji_type"], opt: [] },
  code_block: { req: ["text"], opt: ["language"] },
  hr: { req: [], opt: [] },
  md: { req: ["text"], opt: [] },
};
const LOCALE_RE = /^[a-z]{2}_[a-z]{2}$/;

export function validateFeishu(p, ctx) {
  const P = 9499;
  const bad = (m) => ctx.fail(P, `Bad Request: ${m}`);
  const t = p.msg_type;
  if (t === undefined || t === null || t === "") ctx.fail(19002, `params error, msg_type need${caseHint(p, "msg_type", "")}`);
  if (!isStr(t) || !FEISHU_MSGTYPES.includes(t)) ctx.fail(19002, `params error, unknown msg_type ${JSON.stringify(t)}`);
  const c = p.content;
  if (t !== "interactive") {
    if (!isObj(c)) bad(`content must be an object for msg_type ${t}`);
  }
  switch (t) {
    case "text":
      if (!nonEmpty(c.text)) bad("content.text required");
      unknownFields(ctx, P, c, ["text"], "content");
      break;
    case "image":
      if (!nonEmpty(c.image_key)) bad("content.image_key required");
      unknownFields(ctx, P, c, ["image_key"], "content");
      break;
    case "share_chat":
      if (!nonEmpty(c.share_chat_id)) bad("content.share_chat_id required");
      unknownFields(ctx, P, c, ["share_chat_id"], "content");
      break;
    case "post": {
      const post = c.post;
      if (!isObj(post) || Object.keys(post).length === 0) bad("content.post must be an object with at least one locale (zh_cn, en_us, ...)");
      unknownFields(ctx, P, c, ["post"], "content");
      for (const [loc, body] of Object.entries(post)) {
        const path = `content.post.${loc}`;
        if (!LOCALE_RE.test(loc)) ctx.quirk(P, `${path}: unknown locale ${loc}`);
        if (!isObj(body)) bad(`${path} must be an object`);
        if (body.title !== undefined && !isStr(body.title)) bad(`${path}.title must be a string`);
        if (!Array.isArray(body.content)) bad(`${path}.content must be an array of paragraphs`);
        unknownFields(ctx, P, body, ["title", "content"], path);
        body.content.forEach((para, i) => {
          if (!Array.isArray(para)) bad(`${path}.content[${i}] must be an array of elements`);
          para.forEach((el, j) => {
            const ep = `${path}.content[${i}][${j}]`;
            if (!isObj(el)) bad(`${ep} must be an object`);
            const spec = POST_TAGS[el.tag];
            if (!spec) bad(`${ep}.tag ${JSON.stringify(el.tag ?? null)} unknown (${Object.keys(POST_TAGS).join("/")})`);
            for (const f of spec.req) {
              if (!nonEmpty(el[f])) bad(`${ep}.${f} required for tag ${el.tag}`);
            }
            unknownFields(ctx, P, el, ["tag", ...spec.req, ...spec.opt], ep);
          });
        });
      }
      break;
    }
    case "interactive": {
      if (p.card === undefined) {
        const hint = isObj(c) && c.card !== undefined ? " (found content.card: the card goes at the top level)" : "";
        ctx.fail(19002, `params error, unknown card value${hint}`);
      }
      if (!isObj(p.card)) ctx.fail(19002, "params error, unknown card value (card must be a JSON object)");
      if (c !== undefined) ctx.warnings.push("content ignored for msg_type interactive");
      const size = byteLen(JSON.stringify(p.card));
      if (size > FEISHU_CARD_MAX) ctx.fail(19036, `card content size ${size} bytes exceeds the ${FEISHU_CARD_MAX}-byte limit`);
      validateCard(p.card, ctx);
      break;
    }
  }
  for (const k of Object.keys(p)) {
    if (!["msg_type", "content", "card", "timestamp", "sign"].includes(k)) ctx.warnings.push(`top-level field ${k} ignored`);
  }
}

const CARD_FIELDS = ["schema", "config", "card_link", "header", "elements", "i18n_elements", "i18n_header", "body", "type", "data", "fallback"];
const HEADER_TEMPLATES = ["blue", "wathet", "turquoise", "green", "yellow", "orange", "red", "carmine", "violet", "purple", "indigo", "grey", "default"];
const V1_TAGS = ["div", "markdown", "action", "hr", "img", "note", "column_set"];
const V1_ACTION_TAGS = ["button", "select_static", "select_person", "overflow", "date_picker", "picker_time", "picker_datetime"];

function validateCard(card, ctx) {
  const P = 9499;
  const bad = (m) => ctx.fail(P, `Bad Request: ${m}`);
  unknownFields(ctx, P, card, CARD_FIELDS, "card");
  if (card.type === "template") {
    if (!isObj(card.data) || !nonEmpty(card.data.template_id)) bad("card.data.template_id required for a template card");
    return;
  }
  const v2 = card.schema !== undefined;
  if (v2 && card.schema !== "2.0") bad(`card.schema ${JSON.stringify(card.schema)} unknown (only "2.0")`);
  if (card.config !== undefined && !isObj(card.config)) bad("card.config must be an object");
  if (card.header !== undefined) {
    const h = card.header;
    if (!isObj(h)) bad("card.header must be an object");
    if (!isObj(h.title)) bad("card.header.title required when header is present");
    if (!nonEmpty(h.title.content) && !isObj(h.title.i18n)) bad("card.header.title.content required");
    if (h.title.tag !== undefined && h.title.tag !== "plain_text") ctx.quirk(P, `card.header.title.tag should be "plain_text"`);
    if (h.template !== undefined && !HEADER_TEMPLATES.includes(h.template)) ctx.quirk(P, `card.header.template ${JSON.stringify(h.template)} is not a known colour`);
  }
  const st = { v2, depth: 0 };
  if (v2) {
    if (!isObj(card.body) || !Array.isArray(card.body.elements)) bad("card.body.elements required for a schema 2.0 card");
    if (card.elements !== undefined) ctx.quirk(P, "card.elements is ignored in a schema 2.0 card (use card.body.elements)");
    validateElements(card.body.elements, "card.body.elements", ctx, st);
  } else {
    if (card.body !== undefined) ctx.quirk(P, "card.body is ignored without schema \"2.0\"");
    if (card.elements === undefined && card.i18n_elements === undefined) bad("card.elements required");
    if (card.elements !== undefined) {
      if (!Array.isArray(card.elements)) bad("card.elements must be an array");
      validateElements(card.elements, "card.elements", ctx, st);
    }
    if (card.i18n_elements !== undefined) {
      if (!isObj(card.i18n_elements)) bad("card.i18n_elements must be an object");
      for (const [loc, els] of Object.entries(card.i18n_elements)) {
        if (!Array.isArray(els)) bad(`card.i18n_elements.${loc} must be an array`);
        validateElements(els, `card.i18n_elements.${loc}`, ctx, st);
      }
    }
  }
}

function textObj(v, path, ctx, tags = ["plain_text", "lark_md"]) {
  const bad = (m) => ctx.fail(9499, `Bad Request: ${m}`);
  if (!isObj(v)) bad(`${path} must be a text object {tag, content}`);
  if (!tags.includes(v.tag)) bad(`${path}.tag must be ${tags.join(" or ")}`);
  if (!isStr(v.content) && !isObj(v.i18n)) bad(`${path}.content required`);
}

function validateElements(els, path, ctx, st) {
  const bad = (m) => ctx.fail(9499, `Bad Request: ${m}`);
  if (st.depth > 16) bad(`${path}: elements nested too deeply`);
  els.forEach((el, i) => {
    const ep = `${path}[${i}]`;
    if (!isObj(el)) bad(`${ep} must be an object`);
    if (!nonEmpty(el.tag)) bad(`${ep}.tag required`);
    if (!st.v2 && !V1_TAGS.includes(el.tag)) bad(`${ep}.tag ${JSON.stringify(el.tag)} unknown (${V1_TAGS.join("/")})`);
    if (st.v2 && (el.tag === "action" || el.tag === "note")) ctx.quirk(9499, `${ep}.tag ${el.tag} is not supported in a schema 2.0 card`);
    switch (el.tag) {
      case "div":
        if (el.text === undefined && el.fields === undefined) bad(`${ep} needs text or fields`);
        if (el.text !== undefined) textObj(el.text, `${ep}.text`, ctx);
        if (el.fields !== undefined) {
          if (!Array.isArray(el.fields)) bad(`${ep}.fields must be an array`);
          el.fields.forEach((f, j) => {
            if (!isObj(f)) bad(`${ep}.fields[${j}] must be an object`);
            if (f.is_short !== undefined && typeof f.is_short !== "boolean") bad(`${ep}.fields[${j}].is_short must be a boolean`);
            textObj(f.text, `${ep}.fields[${j}].text`, ctx);
          });
        }
        break;
      case "markdown":
        if (!isStr(el.content) && !isObj(el.i18n_content)) bad(`${ep}.content required`);
        break;
      case "hr":
        break;
      case "img":
        if (!nonEmpty(el.img_key)) bad(`${ep}.img_key required`);
        if (!st.v2) textObj(el.alt, `${ep}.alt`, ctx, ["plain_text"]);
        break;
      case "note":
        if (!Array.isArray(el.elements) || el.elements.length === 0) bad(`${ep}.elements required`);
        el.elements.forEach((n, j) => {
          if (isObj(n) && n.tag === "img") {
            if (!nonEmpty(n.img_key)) bad(`${ep}.elements[${j}].img_key required`);
          } else textObj(n, `${ep}.elements[${j}]`, ctx);
        });
        break;
      case "action":
        if (!Array.isArray(el.actions) || el.actions.length === 0) bad(`${ep}.actions required`);
        el.actions.forEach((a, j) => {
          const ap = `${ep}.actions[${j}]`;
          if (!isObj(a) || !nonEmpty(a.tag)) bad(`${ap}.tag required`);
          if (!V1_ACTION_TAGS.includes(a.tag)) ctx.quirk(9499, `${ap}.tag ${JSON.stringify(a.tag)} is not a known action`);
          if (a.tag === "button") textObj(a.text, `${ap}.text`, ctx);
        });
        break;
      case "button":
        if (st.v2) textObj(el.text, `${ep}.text`, ctx);
        break;
      case "column_set":
        if (!Array.isArray(el.columns)) bad(`${ep}.columns required`);
        el.columns.forEach((col, j) => {
          const cp = `${ep}.columns[${j}]`;
          if (!isObj(col) || col.tag !== "column") bad(`${cp}.tag must be "column"`);
          if (col.elements !== undefined) {
            if (!Array.isArray(col.elements)) bad(`${cp}.elements must be an array`);
            validateElements(col.elements, `${cp}.elements`, ctx, { ...st, depth: st.depth + 1 });
          }
        });
        break;
    }
  });
}
