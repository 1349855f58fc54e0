#!/usr/bin/env bash
# Runs the whole test suite against a project-local PostgreSQL (installed and started if needed).
# Each test fixture creates and drops its own database, so runs never see each other's data.
set -euo pipefail
source "$(dirname "$0")/pg.sh"
source "$(dirname "$0")/chromium.sh"
cd "$UPFLOW_ROOT"
chromium_install
# Tests do not need crash-durability of the PostgreSQL server itself: trade it for speed.
UPFLOW_PG_OPTIONS="-c fsync=off -c synchronous_commit=off -c full_page_writes=off" pg_start
export UPFLOW_TEST_PG="$UPFLOW_PG"
dotnet test Upflow.Orleans.sln -c Release --nologo "$@"
