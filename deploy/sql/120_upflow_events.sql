-- Stripe events as received (webhooks) or listed (Events API catch-up). The row is the durable
-- acknowledgement and the dedupe at once: a webhook is answered 200 only once its row is committed,
-- and INSERT … ON CONFLICT (organization_id, event_id) DO NOTHING makes a redelivery a no-op.
-- applied_at stays null until the owning grain has applied the event; the dispatcher drains such rows
-- at silo start and periodically, so an acknowledged event is never lost between the insert and the grain.
-- outcome: applied | stale | not_imported | no_change | ignored (unknown type, never dispatched).
-- trace_parent: the W3C traceparent of the webhook request, so that applying the event after the 200
-- (or after a restart, by the drain) continues the request's trace. Never a secret: ids and flags only.

CREATE TABLE IF NOT EXISTS upflow_events (
    organization_id text        NOT NULL,
    event_id        text        NOT NULL,
    type            text        NOT NULL,
    created         timestamptz NOT NULL,   -- Stripe's event time
    received_at     timestamptz NOT NULL DEFAULT now(),
    source          text        NOT NULL,   -- webhook | catch_up
    payload         jsonb       NOT NULL,
    applied_at      timestamptz,
    outcome         text,
    PRIMARY KEY (organization_id, event_id)
);

ALTER TABLE upflow_events ADD COLUMN IF NOT EXISTS trace_parent text;

-- lastEventAt and lag of one organization.
CREATE INDEX IF NOT EXISTS upflow_events_created ON upflow_events (organization_id, created);

-- The dispatcher's drain: only the (few) rows still waiting.
CREATE INDEX IF NOT EXISTS upflow_events_unapplied ON upflow_events (received_at) WHERE applied_at IS NULL;
