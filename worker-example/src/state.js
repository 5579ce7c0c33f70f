// Alert state and the delivery log in Cloudflare D1 (migrations/0001_alert_state.sql).
// Every function takes the D1 binding (env.DB) and the clock; none stores a payload, a webhook
// key or a secret.

/** A stable key for an alert without a fingerprint: its sorted labels. */
export function fingerprintOf(alert) {
  if (alert.fingerprint) return alert.fingerprint;
  const labels = Object.keys(alert.labels ?? {})
    .sort()
    .map((k) => `${k}=${alert.labels[k]}`)
    .join(",");
  // FNV-1a 64 over the label set, hex: short and stable (not a security boundary)
  let h = 0xcbf29ce484222325n;
  for (const b of new TextEncoder().encode(labels)) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return `l${h.toString(16).padStart(16, "0")}`;
}

const ms = (iso) => {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(t) && t > 0 ? t : null;
};

/** Record the alerts of one notification (Alertmanager or Grafana, as parsed by alerts.js). */
export async function recordAlerts(db, notification, now) {
  const stmts = notification.alerts.map((a) =>
    db
      .prepare(
        `INSERT INTO alerts (fingerprint, alertname, severity, status, labels, summary, source, starts_at, first_seen, last_notified)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)
         ON CONFLICT (fingerprint) DO UPDATE SET
           status = excluded.status, labels = excluded.labels, summary = excluded.summary,
           severity = excluded.severity, starts_at = COALESCE(excluded.starts_at, alerts.starts_at),
           last_notified = excluded.last_notified,
           -- a new firing episode after a resolve clears the acknowledgement
           acknowledged_by = CASE WHEN alerts.status = 'resolved' AND excluded.status = 'firing' THEN NULL ELSE alerts.acknowledged_by END,
           acknowledged_at = CASE WHEN alerts.status = 'resolved' AND excluded.status = 'firing' THEN NULL ELSE alerts.acknowledged_at END`,
      )
      .bind(
        fingerprintOf(a),
        a.labels.alertname ?? "",
        a.labels.severity ?? "",
        a.status,
        JSON.stringify(a.labels),
        a.annotations?.summary ?? a.annotations?.description ?? "",
        notification.source,
        ms(a.startsAt),
        now,
      ),
  );
  if (stmts.length) await db.batch(stmts);
}

/** D1 binds at most 100 parameters per query. */
export const MAX_BOUND_PARAMS = 100;

/** The acknowledgement and silence of these alerts, by fingerprint (for later notifications). */
export async function stateOf(db, alerts) {
  const fps = [...new Set(alerts.map(fingerprintOf))];
  if (!fps.length) return new Map();
  // one query per MAX_BOUND_PARAMS fingerprints, sent together in one batch
  const stmts = [];
  for (let at = 0; at < fps.length; at += MAX_BOUND_PARAMS) {
    const chunk = fps.slice(at, at + MAX_BOUND_PARAMS);
    const q = chunk.map((_, i) => `?${i + 1}`).join(",");
    stmts.push(db.prepare(`SELECT fingerprint, acknowledged_by, acknowledged_at, silenced_until FROM alerts WHERE fingerprint IN (${q})`).bind(...chunk));
  }
  const out = await db.batch(stmts);
  return new Map(out.flatMap((r) => r.results ?? []).map((r) => [r.fingerprint, r]));
}

const SEVERITY_ORDER = `CASE severity WHEN 'critical' THEN 0 WHEN 'error' THEN 1 WHEN 'warning' THEN 2 WHEN 'info' THEN 3 ELSE 4 END`;

/** Firing alerts, most severe first, oldest first; `silenced_until` in the future marks a silence. */
export async function firing(db, limit = 50) {
  const { results } = await db
    .prepare(
      `SELECT fingerprint, alertname, severity, summary, labels, starts_at, first_seen, acknowledged_by, silenced_until
       FROM alerts WHERE status = 'firing' ORDER BY ${SEVERITY_ORDER}, COALESCE(starts_at, first_seen) LIMIT ?1`,
    )
    .bind(limit)
    .all();
  return results;
}

/** D1 refuses a LIKE pattern over 50 bytes. */
export const MAX_LIKE_PATTERN_BYTES = 50;
/** A reference longer than this is no fingerprint or alert name the relay stores: not looked up. */
export const MAX_REF_LENGTH = 256;

/** One alert by fingerprint, or by a unique prefix of at least 4 characters, or by alert name. */
export async function findAlert(db, ref) {
  const r = String(ref ?? "").trim();
  if (!r) return { error: "missing" };
  if (r.length > MAX_REF_LENGTH) return { error: "not_found", candidates: [] };
  const exact = await db.prepare(`SELECT * FROM alerts WHERE fingerprint = ?1`).bind(r).first();
  if (exact) return { alert: exact };
  // a prefix: its LIKE wildcards escaped, and only while the pattern fits D1's limit
  const pattern = `${r.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const prefix = r.length >= 4 && new TextEncoder().encode(pattern).length <= MAX_LIKE_PATTERN_BYTES;
  const { results } = prefix
    ? await db
        .prepare(`SELECT * FROM alerts WHERE fingerprint LIKE ?2 ESCAPE '\\' OR (alertname = ?1 AND status = 'firing') LIMIT 5`)
        .bind(r, pattern)
        .all()
    : await db.prepare(`SELECT * FROM alerts WHERE alertname = ?1 AND status = 'firing' LIMIT 5`).bind(r).all();
  if (results.length === 1) return { alert: results[0] };
  return { error: results.length ? "ambiguous" : "not_found", candidates: results.map((a) => a.fingerprint) };
}

export async function acknowledge(db, fingerprint, by, now) {
  const r = await db
    .prepare(`UPDATE alerts SET acknowledged_by = ?2, acknowledged_at = ?3 WHERE fingerprint = ?1`)
    .bind(fingerprint, by, now)
    .run();
  return r.meta.changes === 1;
}

export async function silence(db, fingerprint, until, by) {
  const r = await db
    .prepare(`UPDATE alerts SET silenced_until = ?2, silenced_by = ?3 WHERE fingerprint = ?1`)
    .bind(fingerprint, until, by)
    .run();
  return r.meta.changes === 1;
}

/**
 * "ok", "duplicate", "queued:CODE" (put on the queue by the request), "retry:CODE" (a queue
 * attempt failed, the Queue retries it), "dead_letter:CODE" (given up: the dead-letter queue),
 * or the error code.
 */
export function resultOf(e) {
  if (e.ok === true || e.outcome === "delivered") return "ok";
  if (e.outcome === "duplicate") return "duplicate";
  const code = e.error?.code ?? e.code ?? "error";
  return e.outcome === "queued" || e.outcome === "retry" || e.outcome === "dead_letter" ? `${e.outcome}:${code}` : code;
}

/**
 * Log delivery outcomes (time, channel, result code, attempts; `via` the request or the queue
 * consumer, with the Queue's attempt number), then drop rows past retention.
 */
export async function logDeliveries(db, requestId, input, entries, now, retentionMs, via = "request") {
  const stmts = entries.map((e) =>
    db
      .prepare(
        `INSERT INTO deliveries (at, request_id, input, channel, platform, result, attempts, via, queue_attempt) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)`,
      )
      .bind(now, requestId ?? "", input ?? "", e.channel ?? e.platform ?? "", e.platform ?? "", resultOf(e), e.attempts ?? 0, via, e.queueAttempt ?? null),
  );
  stmts.push(db.prepare(`DELETE FROM deliveries WHERE at < ?1`).bind(now - retentionMs));
  await db.batch(stmts);
}

export async function listAlerts(db, status) {
  const { results } = status
    ? await db.prepare(`SELECT * FROM alerts WHERE status = ?1 ORDER BY last_notified DESC LIMIT 500`).bind(status).all()
    : await db.prepare(`SELECT * FROM alerts ORDER BY last_notified DESC LIMIT 500`).all();
  return results.map((r) => ({ ...r, labels: JSON.parse(r.labels) }));
}

export async function listDeliveries(db, limit = 200) {
  const { results } = await db.prepare(`SELECT * FROM deliveries ORDER BY id DESC LIMIT ?1`).bind(limit).all();
  return results;
}
