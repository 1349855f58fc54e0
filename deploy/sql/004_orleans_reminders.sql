-- Orleans reminders (Microsoft.Orleans.Reminders.AdoNet).
-- @ServiceId is ClusterOptions.ServiceId; @GrainId is GrainId.ToString() ("type/key").
-- Version is the reminder's ETag: a delete must present the version it read, so a silo
-- holding a stale copy cannot remove a reminder that was re-registered meanwhile.

CREATE TABLE IF NOT EXISTS orleans_reminder
(
    service_id    varchar(150)  NOT NULL,
    grain_id      varchar(1024) NOT NULL,
    reminder_name varchar(150)  NOT NULL,
    start_time    timestamptz   NOT NULL,
    period_ms     bigint        NOT NULL, -- Orleans sends int or bigint milliseconds
    -- GrainId.GetUniformHashCode() cast to a signed int: places the grain on the hash ring.
    grain_hash    integer       NOT NULL,
    version       integer       NOT NULL,
    CONSTRAINT pk_orleans_reminder PRIMARY KEY (service_id, grain_id, reminder_name)
);

-- Each silo periodically loads the reminders of its own slice of the hash ring.
CREATE INDEX IF NOT EXISTS ix_orleans_reminder_ring ON orleans_reminder (service_id, grain_hash);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES

-- Register or re-register; any change gives a new version. Returns it as "Version".
('UpsertReminderRowKey', $q$
INSERT INTO orleans_reminder AS r
    (service_id, grain_id, reminder_name, start_time, period_ms, grain_hash, version)
VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE
SET start_time = EXCLUDED.start_time,
    period_ms  = EXCLUDED.period_ms,
    grain_hash = EXCLUDED.grain_hash,
    version    = r.version + 1
RETURNING r.version AS "Version";
$q$),

('ReadReminderRowsKey', $q$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
       period_ms AS "Period", version AS "Version"
FROM orleans_reminder
WHERE service_id = @ServiceId AND grain_id = @GrainId;
$q$),

('ReadReminderRowKey', $q$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
       period_ms AS "Period", version AS "Version"
FROM orleans_reminder
WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName;
$q$),

-- Ring slice (@BeginHash, @EndHash]. Orleans casts both to signed int and picks this key when
-- begin < end as signed ints, so the comparison matches the signed grain_hash column.
('ReadRangeRows1Key', $q$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
       period_ms AS "Period", version AS "Version"
FROM orleans_reminder
WHERE service_id = @ServiceId AND grain_hash > @BeginHash AND grain_hash <= @EndHash;
$q$),

-- The slice wraps around the end of the ring: two index ranges instead of an OR, so both
-- halves are answered from ix_orleans_reminder_ring.
('ReadRangeRows2Key', $q$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
       period_ms AS "Period", version AS "Version"
FROM orleans_reminder
WHERE service_id = @ServiceId AND grain_hash > @BeginHash
UNION ALL
SELECT grain_id, reminder_name, start_time, period_ms, version
FROM orleans_reminder
WHERE service_id = @ServiceId AND grain_hash <= @EndHash;
$q$),

-- Returns 1 if the reminder was deleted, 0 if it was gone or its version moved on.
('DeleteReminderRowKey', $q$
WITH deleted AS (
    DELETE FROM orleans_reminder
    WHERE service_id = @ServiceId AND grain_id = @GrainId
      AND reminder_name = @ReminderName AND version = @Version
    RETURNING 1
)
SELECT count(*)::integer AS "Deleted" FROM deleted;
$q$),

('DeleteReminderRowsKey', $q$
DELETE FROM orleans_reminder WHERE service_id = @ServiceId;
$q$)

ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
