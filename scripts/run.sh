#!/usr/bin/env bash
# Runs the product (silo + HTTP API) on a project-local PostgreSQL, installed and started if needed.
#   scripts/run.sh            the service on http://127.0.0.1:5080
#   scripts/run.sh --demo     also the Stripe emulator with generated data, an organization
#                             connected to it, and the backfill's progress until it is live
set -euo pipefail
source "$(dirname "$0")/pg.sh"
cd "$UPFLOW_ROOT"

demo=false
for argument in "$@"; do
  case "$argument" in
    --demo) demo=true ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "unknown argument: $argument" >&2; exit 2 ;;
  esac
done

pg_start
export ConnectionStrings__Upflow="$UPFLOW_PG;Database=upflow"
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
export Urls="${Urls:-http://127.0.0.1:5080}"

# The admin key and the key that encrypts Stripe secrets are generated once per checkout and kept
# out of the repository (.data/ is ignored). Losing the encryption key means reconnecting Stripe.
if [[ ! -s "$PG_STATE/admin-key" ]]; then
  (umask 077; head -c 32 /dev/urandom | base64 | tr -d '/+=' > "$PG_STATE/admin-key")
fi
if [[ ! -s "$PG_STATE/encryption-key" ]]; then
  (umask 077; head -c 32 /dev/urandom | base64 > "$PG_STATE/encryption-key")
fi
export Upflow__AdminKey="$(cat "$PG_STATE/admin-key")"
export Upflow__EncryptionKey="${Upflow__EncryptionKey:-$(cat "$PG_STATE/encryption-key")}"

echo "==> Building"
dotnet build -c Release --nologo -v quiet silo/Upflow.Orleans.Silo.csproj >/dev/null
echo "==> Upflow.Orleans on $Urls (admin key in .data/admin-key; PostgreSQL on 127.0.0.1:$UPFLOW_PG_PORT)"

if [[ "$demo" == true ]]; then
  source "$(dirname "$0")/demo.sh"
  run_demo
else
  exec dotnet run -c Release --no-build --project silo/Upflow.Orleans.Silo.csproj
fi
