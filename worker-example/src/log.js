// One JSON object per line (Workers Logs / `wrangler tail` index the fields).
// Log lines carry channel NAMES, platforms, outcomes, attempts and error codes: never a URL,
// key, token or secret. The package already scrubs its results; `scrubber` removes any
// configured secret value that might still slip in (defence in depth).

/** A function that replaces every secret value in a string by ***. */
export function scrubber(secrets) {
  if (!secrets.length) return (s) => s;
  return (s) => {
    let out = s;
    for (const v of secrets) {
      if (out.includes(v)) out = out.split(v).join("***");
      // the JSON-escaped and URL-encoded spellings too
      const e = encodeURIComponent(v);
      if (e !== v && out.includes(e)) out = out.split(e).join("***");
    }
    return out;
  };
}

/** @param {(s: string) => string} scrub */
export function logger(scrub) {
  const emit = (level, event, fields) => {
    const line = scrub(JSON.stringify({ level, event, ...fields }));
    if (level === "error") console.error(line);
    else if (level === "warn") console.warn(line);
    else console.log(line);
  };
  return {
    info: (event, fields = {}) => emit("info", event, fields),
    warn: (event, fields = {}) => emit("warn", event, fields),
    error: (event, fields = {}) => emit("error", event, fields),
  };
}

/** The loggable part of a SendResult's error. */
export function errorFields(error) {
  if (!error) return {};
  return {
    code: error.code,
    platformCode: error.platformCode ?? null,
    error: typeof error.message === "string" ? error.message.slice(0, 300) : undefined,
  };
}
