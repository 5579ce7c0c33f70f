-- The delivery log also records what the queue consumer delivered (or retried, or gave up on).
-- Apply with `wrangler d1 migrations apply webhook-push-relay` (it applies only the new files).
--   via            request: the request's own attempts; queue: a queue consumer attempt
--   queue_attempt  the Queue's attempt number (1, 2, ...) for via = queue, else NULL
ALTER TABLE deliveries ADD COLUMN via TEXT NOT NULL DEFAULT 'request';
ALTER TABLE deliveries ADD COLUMN queue_attempt INTEGER;
