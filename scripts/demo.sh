# shellcheck shell=bash
# Sourced by run.sh --demo: the Stripe emulator with generated data, the silo pointed at it, an
# organization connected to it, and the backfill's progress until it is live.

run_demo() {
  local emulator_port=12111 customers="${DEMO_CUSTOMERS:-2000}" log="$PG_STATE/emulator.log"
  echo "==> Starting the Stripe emulator on 127.0.0.1:$emulator_port with $customers generated customers"
  dotnet build -c Release --nologo -v quiet tests/Upflow.StripeEmulator/Upflow.StripeEmulator.csproj >/dev/null
  dotnet run -c Release --no-build --project tests/Upflow.StripeEmulator -- \
    --urls "http://127.0.0.1:$emulator_port" --seed 42 --customers "$customers" > "$log" 2>&1 &
  local emulator=$!
  trap 'kill $emulator $silo 2>/dev/null || true' EXIT INT TERM

  local secret=""
  for _ in $(seq 1 120); do
    secret=$(awk '/^account /{print $4; exit}' "$log" 2>/dev/null || true)
    [[ -n "$secret" ]] && break
    kill -0 $emulator 2>/dev/null || { cat "$log"; echo "The emulator stopped." >&2; exit 1; }
    sleep 0.5
  done
  [[ -n "$secret" ]] || { echo "The emulator did not start in time." >&2; exit 1; }

  export Stripe__ApiBase="http://127.0.0.1:$emulator_port"
  dotnet run -c Release --no-build --project silo/Upflow.Orleans.Silo.csproj &
  local silo=$!
  for _ in $(seq 1 120); do
    curl -fs "$Urls/health/ready" >/dev/null 2>&1 && break
    kill -0 $silo 2>/dev/null || { echo "The silo stopped." >&2; exit 1; }
    sleep 0.5
  done

  local created key
  created=$(curl -fs -X POST "$Urls/v1/organizations" -H "Authorization: Bearer $Upflow__AdminKey" \
    -H 'content-type: application/json' -d '{"name":"Demo Finance","timeZone":"Europe/Paris"}')
  key=$(sed -E 's/.*"apiKey":"([^"]+)".*/\1/' <<<"$created")
  echo "==> Organization created; its API key (shown once): $key"
  curl -fs -X PUT "$Urls/v1/stripe/connection" -H "Authorization: Bearer $key" -H 'content-type: application/json' \
    -d "{\"secretKey\":\"$secret\",\"webhookSecret\":\"whsec_demo\"}" >/dev/null
  echo "==> Connected to the emulator's Stripe account; backfilling"

  local sync state
  while true; do
    sync=$(curl -fs "$Urls/v1/stripe/sync" -H "Authorization: Bearer $key")
    state=$(sed -E 's/.*"state":"([^"]+)".*/\1/' <<<"$sync")
    printf '\r    %-12s customers %-7s invoices %-7s payments %-7s' "$state" \
      "$(sed -E 's/.*"customers":([0-9]+).*/\1/' <<<"$sync")" \
      "$(sed -E 's/.*"invoices":([0-9]+).*/\1/' <<<"$sync")" \
      "$(sed -E 's/.*"payments":([0-9]+).*/\1/' <<<"$sync")"
    [[ "$state" != "backfilling" ]] && break
    sleep 0.5
  done
  echo
  echo "==> Sync is $state. Try:"
  echo "    curl -s '$Urls/v1/invoices?status=OVERDUE&limit=5' -H 'Authorization: Bearer $key'"
  echo "    curl -s '$Urls/v1/contacts?source=custom_field&limit=5' -H 'Authorization: Bearer $key'"
  echo "    (Ctrl+C stops the silo and the emulator)"
  wait $silo
}
