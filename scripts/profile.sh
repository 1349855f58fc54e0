#!/usr/bin/env bash
# Profiles the silo while a bench scenario runs: sampled stacks of every thread (dotnet-trace, a local
# tool pinned in .config/dotnet-tools.json), from --after seconds after the silo starts, for --for
# seconds. Writes bench/profiles/<scenario>-<time>.nettrace and .speedscope.json (speedscope.app,
# PerfView or Visual Studio read them) and prints the functions with the most samples.
#   scripts/profile.sh <scenario> [--after S] [--for S] [bench options, e.g. --objects 200000]
# Thread-time samples include waiting threads: read the leaf frames with that in mind.
set -euo pipefail
source "$(dirname "$0")/pg.sh"
cd "$UPFLOW_ROOT"

scenario=${1:?"usage: scripts/profile.sh <backfill|live-limits|tenants|webhooks|reads|writeback|recovery> [--after S] [--for S] [bench options]"}
shift
after=10
duration=15
bench_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --after) after=$2; shift 2 ;;
    --for) duration=$2; shift 2 ;;
    *) bench_args+=("$1"); shift ;;
  esac
done

pg_start
dotnet tool restore >/dev/null
dotnet build -c Release --nologo -v quiet silo/Upflow.Orleans.Silo.csproj >/dev/null
dotnet build -c Release --nologo -v quiet tests/Upflow.Bench/Upflow.Bench.csproj >/dev/null

out="bench/profiles/$scenario-$(date -u +%Y%m%d-%H%M%S)"
mkdir -p bench/profiles
dotnet run -c Release --no-build --project tests/Upflow.Bench -- "$scenario" "${bench_args[@]}" &
bench=$!

silo=""
for _ in $(seq 1 120); do
  silo=$(pgrep -n -f "silo/bin/Release/net10.0/Upflow.Orleans.Silo.dll" || true)
  [ -n "$silo" ] && break
  sleep 1
done
[ -n "$silo" ] || { echo "The bench started no silo." >&2; wait "$bench"; exit 1; }

sleep "$after"
echo "Profiling silo $silo for $duration s"
dotnet tool run dotnet-trace collect -p "$silo" --profile dotnet-sampled-thread-time \
  --duration "00:00:00:$duration" -o "$out.nettrace" >/dev/null
wait "$bench"

dotnet tool run dotnet-trace convert "$out.nettrace" --format Speedscope -o "$out.json" >/dev/null
dotnet tool run dotnet-trace report "$out.nettrace" topN -n 25
echo "Saved $out.nettrace and $out.speedscope.json"
