-- The ledger read model: one row per Stripe object, written by the grain that owns the object
-- (LedgerStore) and read by the list endpoints (LedgerQueries). `document` holds the whole record
-- (snapshot + derived fields) and is what a read returns; the other columns exist only for what the
-- lists filter and order on. Every key starts with organization_id and every query filters on it.
-- Lists are keyset-paginated (never OFFSET): each filter has an index whose order is the list's.

CREATE TABLE IF NOT EXISTS upflow_customers (
    organization_id text        NOT NULL,
    id              text        NOT NULL,
    deleted         boolean     NOT NULL DEFAULT false,  -- kept as a tombstone for the grain; not listed
    updated_at      timestamptz NOT NULL,
    document        jsonb       NOT NULL,
    PRIMARY KEY (organization_id, id)
);

-- Contacts are derived from their customer and replaced whenever it is saved.
-- id = 'cont_' + hash(customer id, upper-cased address): stable, and reveals no address.
CREATE TABLE IF NOT EXISTS upflow_contacts (
    organization_id text NOT NULL,
    id              text NOT NULL,
    customer_id     text NOT NULL,
    email           text NOT NULL,
    source          text NOT NULL,  -- stripe | custom_field
    role            text NOT NULL,  -- main | to | cc
    PRIMARY KEY (organization_id, id)
);
CREATE INDEX IF NOT EXISTS upflow_contacts_customer ON upflow_contacts (organization_id, customer_id, id);
CREATE INDEX IF NOT EXISTS upflow_contacts_source ON upflow_contacts (organization_id, source, id);

-- Drafts are never stored. due_key orders open invoices by due date, no due date last
-- ('infinity'), so DUE and OVERDUE pages are one range of one index whatever their mix: OVERDUE is
-- due_key < start of today in the organization's zone, DUE is due_key >= it.
CREATE TABLE IF NOT EXISTS upflow_invoices (
    organization_id text        NOT NULL,
    id              text        NOT NULL,
    customer_id     text,
    stripe_status   text        NOT NULL,  -- open | paid | void | uncollectible
    due_at          timestamptz,
    due_key         timestamptz GENERATED ALWAYS AS (COALESCE(due_at, 'infinity'::timestamptz)) STORED,
    issue_at        timestamptz NOT NULL,  -- effective_at, else finalized_at, else created
    paid_at         timestamptz,
    updated_at      timestamptz NOT NULL,
    document        jsonb       NOT NULL,
    PRIMARY KEY (organization_id, id)
);
CREATE INDEX IF NOT EXISTS upflow_invoices_open_by_due ON upflow_invoices (organization_id, due_key, id)
    WHERE stripe_status = 'open';
CREATE INDEX IF NOT EXISTS upflow_invoices_paid ON upflow_invoices (organization_id, id)
    WHERE stripe_status IN ('paid', 'uncollectible');
CREATE INDEX IF NOT EXISTS upflow_invoices_voided ON upflow_invoices (organization_id, id)
    WHERE stripe_status = 'void';
CREATE INDEX IF NOT EXISTS upflow_invoices_customer ON upflow_invoices (organization_id, customer_id, id);

CREATE TABLE IF NOT EXISTS upflow_payments (
    organization_id text        NOT NULL,
    id              text        NOT NULL,
    source          text        NOT NULL,  -- stripe | portal
    invoice_id      text,
    customer_id     text,
    export_status   text        NOT NULL,  -- not_applicable | pending | exported | error
    paid_at         timestamptz,
    updated_at      timestamptz NOT NULL,
    document        jsonb       NOT NULL,
    PRIMARY KEY (organization_id, id)
);
CREATE INDEX IF NOT EXISTS upflow_payments_invoice ON upflow_payments (organization_id, invoice_id, id);
CREATE INDEX IF NOT EXISTS upflow_payments_source ON upflow_payments (organization_id, source, id);
-- Stripe's own payments are all not_applicable; only portal payments have an export to list by,
-- so this index stays as small as the portal's share. not_applicable pages walk the primary key.
CREATE INDEX IF NOT EXISTS upflow_payments_export ON upflow_payments (organization_id, export_status, id)
    WHERE export_status <> 'not_applicable';

-- The settings version each row's contacts and custom fields were derived with: a settings change
-- re-derives, page by page, the rows still below the new version (RederivationGrain).
ALTER TABLE upflow_customers ADD COLUMN IF NOT EXISTS settings_version bigint NOT NULL DEFAULT 0;
ALTER TABLE upflow_invoices ADD COLUMN IF NOT EXISTS settings_version bigint NOT NULL DEFAULT 0;
ALTER TABLE upflow_payments ADD COLUMN IF NOT EXISTS settings_version bigint NOT NULL DEFAULT 0;
