-- Orleans ADO.NET providers read every statement they run from this table at start-up
-- ("SELECT QueryKey, QueryText FROM OrleansQuery"). The table and column names are fixed by
-- that hard-coded query; they are left unquoted so PostgreSQL folds them to lower case.
-- Later files upsert their rows, so re-running a file replaces stale query text in place.
-- Query texts use @Name parameters: Npgsql binds them by name (Orleans sets ParameterName).

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64) NOT NULL,
    QueryText text        NOT NULL,
    CONSTRAINT pk_orleans_query PRIMARY KEY (QueryKey)
);
