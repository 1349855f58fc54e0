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
    payload         text        NOT NULL,   -- the body Stripe signed, byte for byte
    applied_at      timestamptz,
    outcome         text,
    PRIMARY KEY (organization_id, event_id)
);

ALTER TABLE upflow_events ADD COLUMN IF NOT EXISTS trace_parent text;

-- The payload is kept as text: verbatim (what was signed can be verified again), and cheaper to
-- record than jsonb, which parses every body on the webhook's acknowledgement path (~16 µs a row
-- here) for queries nothing runs. Tables created with jsonb are converted once (a rewrite).
-- lz4 compresses the ~2 KB bodies that cross the TOAST threshold at a fraction of pglz's cost
-- (50-row insert: 1.8 → 1.5 ms); a server built without lz4 keeps its default.
DO $$
BEGIN
    IF (SELECT data_type FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = 'upflow_events' AND column_name = 'payload') = 'jsonb' THEN
        ALTER TABLE upflow_events ALTER COLUMN payload TYPE text USING payload::text;
    END IF;
    IF (SELECT attcompression FROM pg_attribute WHERE attrelid = 'upflow_events'::regclass AND attname = 'payload') <> 'l' THEN
        BEGIN
            ALTER TABLE upflow_events ALTER COLUMN payload SET COMPRESSION lz4;
        EXCEPTION WHEN feature_not_supported THEN
            NULL;
        END;
    END IF;
END $$;

-- lastEventAt and lag of one organization.
CREATE INDEX IF NOT EXISTS upflow_events_created ON upflow_events (organization_id, created);

-- The dispatcher's drain: only the (few) rows still waiting.
CREATE INDEX IF NOT EXISTS upflow_events_unapplied ON upflow_events (received_at) WHERE applied_at IS NULL;
