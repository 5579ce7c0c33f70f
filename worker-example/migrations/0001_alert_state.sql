-- Alert state and the delivery log (Cloudflare D1, SQLite). Apply with
--   wrangler d1 migrations apply webhook-push-relay            (add --local for `wrangler dev`)

-- One row per alert, keyed by Alertmanager's / Grafana's fingerprint (or a hash of its labels).
CREATE TABLE IF NOT EXISTS alerts (
  fingerprint     TEXT PRIMARY KEY,
  alertname       TEXT NOT NULL,
  severity        TEXT NOT NULL DEFAULT '',
  status          TEXT NOT NULL CHECK (status IN ('firing', 'resolved')),
  labels          TEXT NOT NULL,            -- JSON object
  summary         TEXT NOT NULL DEFAULT '',
  source          TEXT NOT NULL,            -- alertmanager | grafana
  starts_at       INTEGER,                  -- ms since the epoch, from the payload
  first_seen      INTEGER NOT NULL,         -- ms, when the relay first saw it
  last_notified   INTEGER NOT NULL,         -- ms, the last notification that carried it
  acknowledged_by TEXT,
  acknowledged_at INTEGER,
  silenced_until  INTEGER,                  -- ms; the relay's own silence (no ALERTMANAGER_URL)
  silenced_by     TEXT
);
CREATE INDEX IF NOT EXISTS alerts_status ON alerts (status, severity);

-- What was delivered: no payloads, no webhook keys, no secrets.
CREATE TABLE IF NOT EXISTS deliveries (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  at          INTEGER NOT NULL,             -- ms
  request_id  TEXT NOT NULL,
  input       TEXT NOT NULL,                -- alertmanager | grafana | send | chatops
  channel     TEXT NOT NULL,
  platform    TEXT NOT NULL,
  result      TEXT NOT NULL,                -- "ok" or an error code
  attempts    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS deliveries_at ON deliveries (at);
