-- Orleans grain state (Microsoft.Orleans.Persistence.AdoNet).
-- Every query gets the same identity parameters:
--   @ServiceId (ClusterOptions.ServiceId), @GrainTypeString (grain class name),
--   @GrainIdN0/@GrainIdN1 (Guid halves, or 0/long key), @GrainIdExtensionString (key extension,
--   or the whole key for string keys; NULL for plain Guid/long keys),
--   @GrainIdHash/@GrainTypeHash (32-bit hashes Orleans computes of the key and of the type name).
-- Orleans treats Version as the ETag: a write or clear must present the version it last saw,
-- and gets the next one back. NULL back (or the old version) becomes InconsistentStateException.
-- Requires PostgreSQL 15+ (UNIQUE NULLS NOT DISTINCT).

CREATE TABLE IF NOT EXISTS orleans_grain_state
(
    grain_id_hash    integer       NOT NULL,
    grain_type_hash  integer       NOT NULL,
    grain_id_n0      bigint        NOT NULL,
    grain_id_n1      bigint        NOT NULL,
    service_id       varchar(150)  NOT NULL,
    grain_type       varchar(512)  NOT NULL,
    -- Bounded so the identity key stays within a btree entry (~2.7 kB): an over-long key is
    -- rejected with a clear length error instead of an index error.
    grain_key_ext    varchar(1024) NULL,
    version          integer       NOT NULL,
    payload          bytea         NULL,     -- NULL after ClearState (row kept, version bumped)
    modified_on      timestamptz   NOT NULL DEFAULT now(),
    -- The grain's identity. Hashes lead so the index is well spread and probed on 8 bytes
    -- first; NULLS NOT DISTINCT makes "no extension" a single value, so two racing first
    -- writes of the same grain collide here instead of creating two rows.
    CONSTRAINT uq_orleans_grain_state UNIQUE NULLS NOT DISTINCT
        (grain_id_hash, grain_type_hash, grain_id_n0, grain_id_n1, service_id, grain_type, grain_key_ext)
)
-- State rows are rewritten in place all the time; page headroom lets PostgreSQL keep
-- updates HOT (no index changes) since no indexed column ever changes.
WITH (fillfactor = 80);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES

-- Optimistic write in one round trip. With @GrainStateVersion NULL the grain believes no row
-- exists: insert version 1, and if another writer got there first the unique key turns the
-- insert into a no-op. Otherwise update only if the stored version still equals
-- @GrainStateVersion. Exactly one row comes back; NULL means "conflict".
('WriteToStorageKey', $q$
WITH updated AS (
    UPDATE orleans_grain_state s
    SET payload = @PayloadBinary, version = s.version + 1, modified_on = now()
    WHERE @GrainStateVersion IS NOT NULL
      AND s.grain_id_hash = @GrainIdHash AND s.grain_type_hash = @GrainTypeHash
      AND s.grain_id_n0 = @GrainIdN0 AND s.grain_id_n1 = @GrainIdN1
      AND s.service_id = @ServiceId AND s.grain_type = @GrainTypeString
      AND s.grain_key_ext IS NOT DISTINCT FROM @GrainIdExtensionString
      AND s.version = @GrainStateVersion
    RETURNING s.version
), inserted AS (
    INSERT INTO orleans_grain_state
        (grain_id_hash, grain_type_hash, grain_id_n0, grain_id_n1, service_id, grain_type,
         grain_key_ext, version, payload)
    SELECT @GrainIdHash, @GrainTypeHash, @GrainIdN0, @GrainIdN1, @ServiceId, @GrainTypeString,
           @GrainIdExtensionString, 1, @PayloadBinary
    WHERE @GrainStateVersion IS NULL
    ON CONFLICT ON CONSTRAINT uq_orleans_grain_state DO NOTHING
    RETURNING version
)
SELECT (SELECT version FROM updated UNION ALL SELECT version FROM inserted) AS "NewGrainStateVersion";
$q$),

-- Zero or one row. A row with NULL payload (cleared state) still yields its version, so the
-- next write goes through the versioned update path.
('ReadFromStorageKey', $q$
SELECT s.payload AS "PayloadBinary",
       s.version AS "Version"
FROM orleans_grain_state s
WHERE s.grain_id_hash = @GrainIdHash AND s.grain_type_hash = @GrainTypeHash
  AND s.grain_id_n0 = @GrainIdN0 AND s.grain_id_n1 = @GrainIdN1
  AND s.service_id = @ServiceId AND s.grain_type = @GrainTypeString
  AND s.grain_key_ext IS NOT DISTINCT FROM @GrainIdExtensionString;
$q$),

-- ClearState (default): keep the row, drop the payload, bump the version under the same
-- version check as a write. No row back means "conflict".
('ClearStorageKey', $q$
UPDATE orleans_grain_state s
SET payload = NULL, version = s.version + 1, modified_on = now()
WHERE s.grain_id_hash = @GrainIdHash AND s.grain_type_hash = @GrainTypeHash
  AND s.grain_id_n0 = @GrainIdN0 AND s.grain_id_n1 = @GrainIdN1
  AND s.service_id = @ServiceId AND s.grain_type = @GrainTypeString
  AND s.grain_key_ext IS NOT DISTINCT FROM @GrainIdExtensionString
  AND s.version = @GrainStateVersion
RETURNING s.version AS "NewGrainStateVersion";
$q$),

-- ClearState with AdoNetGrainStorageOptions.DeleteStateOnClear = true (read only if present).
-- Orleans wants a value different from the ETag it sent to count the delete as done, so it
-- gets the deleted version + 1.
('DeleteStorageKey', $q$
DELETE FROM orleans_grain_state s
WHERE s.grain_id_hash = @GrainIdHash AND s.grain_type_hash = @GrainTypeHash
  AND s.grain_id_n0 = @GrainIdN0 AND s.grain_id_n1 = @GrainIdN1
  AND s.service_id = @ServiceId AND s.grain_type = @GrainTypeString
  AND s.grain_key_ext IS NOT DISTINCT FROM @GrainIdExtensionString
  AND s.version = @GrainStateVersion
RETURNING s.version + 1 AS "NewGrainStateVersion";
$q$)

ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
