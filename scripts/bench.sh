#!/usr/bin/env bash
# Measures the product: starts the project-local PostgreSQL, builds the silo and the bench in
# Release, and runs the scenarios against a Release silo process and the Stripe emulator.
#   scripts/bench.sh [all|backfill|live-limits|slow-account|tenants|webhooks|reads|writeback|recovery]
#                    [--objects N] [--tenants N] [--events N] [--connections N] [--invoices N] [--payments N]
set -euo pipefail
source "$(dirname "$0")/pg.sh"
cd "$UPFLOW_ROOT"
pg_start
# The test script starts PostgreSQL without fsync; acknowledgements measured on it would not be durable.
if [ "$("$UPFLOW_PG_BIN/psql" -h 127.0.0.1 -p "$UPFLOW_PG_PORT" -U upflow -d postgres -tAc 'SHOW fsync')" != "on" ]; then
  echo "PostgreSQL runs with fsync off (started by scripts/test.sh): restarting it with durable settings." >&2
  pg_stop
  UPFLOW_PG_OPTIONS="" pg_start
fi
dotnet build -c Release --nologo -v quiet silo/Upflow.Orleans.Silo.csproj
dotnet build -c Release --nologo -v quiet tests/Upflow.Bench/Upflow.Bench.csproj
exec dotnet run -c Release --no-build --project tests/Upflow.Bench -- "$@"
