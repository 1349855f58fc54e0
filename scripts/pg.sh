# shellcheck shell=bash
# Sourced by run.sh and test.sh: makes sure a project-local PostgreSQL is installed, initialised and
# running, then exports UPFLOW_PG (an admin connection string without a database name).
# The cluster lives in .data/pg (gitignored), listens on 127.0.0.1 only, on a free port it remembers.

set -euo pipefail

UPFLOW_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PG_STATE="$UPFLOW_ROOT/.data"
mkdir -p "$PG_STATE"

pg_bin_dir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [[ -n "$dir" && -x "$dir/initdb" ]] && echo "$dir"
}

pg_install() {
  if [[ -n "$(pg_bin_dir)" ]]; then return; fi
  echo "==> Installing PostgreSQL from Debian packages"
  local sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  # policy-rc.d keeps the package from starting its own system-wide cluster on 5432.
  $sudo sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d'
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  $sudo rm -f /usr/sbin/policy-rc.d
}

# As root, PostgreSQL refuses to run: it runs as the postgres user, which must reach the data folder.
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}

pg_data_dir() {
  local dir="$PG_STATE/pg"
  if [[ $(id -u) -eq 0 ]] && ! su postgres -s /bin/bash -c "test -x '$PG_STATE'" 2>/dev/null; then
    # The checkout sits under a folder the postgres user cannot traverse (e.g. /root): keep the
    # cluster in a per-checkout folder it can reach instead.
    dir="/var/tmp/upflow-pg-$(echo -n "$UPFLOW_ROOT" | md5sum | cut -c1-8)"
  fi
  echo "$dir"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pg_start() {
  pg_install
  local bin data port_file port
  bin=$(pg_bin_dir)
  data=$(pg_data_dir)
  port_file="$PG_STATE/pg.port"

  if [[ ! -f "$data/PG_VERSION" ]]; then
    echo "==> Initialising PostgreSQL cluster in $data"
    mkdir -p "$data"
    [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$data" && chmod 700 "$data"
    # Local development cluster bound to loopback: trust auth for the upflow superuser.
    as_pg "'$bin/initdb' -D '$data' -U upflow --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null"
  fi

  if as_pg "'$bin/pg_ctl' -D '$data' status" >/dev/null 2>&1 && [[ -f "$port_file" ]]; then
    port=$(cat "$port_file")
  else
    port=${UPFLOW_PG_PORT:-54329}
    # A port nobody answers on can still refuse a bind (a postmaster shutting down, a socket in
    # TIME_WAIT): on a failed start, try the next few ports before giving up.
    local attempt
    for attempt in 1 2 3 4 5; do
      while ! port_free "$port"; do port=$((port + 1)); done
      echo "==> Starting PostgreSQL on 127.0.0.1:$port"
      if as_pg "'$bin/pg_ctl' -D '$data' -l '$data/server.log' -w -t 60 start \
        -o \"-p $port -k '$data' -c listen_addresses=127.0.0.1 -c max_connections=400 ${UPFLOW_PG_OPTIONS:-}\"" >/dev/null; then
        break
      fi
      [[ $attempt -eq 5 ]] && { echo "PostgreSQL did not start; see $data/server.log" >&2; tail -n 5 "$data/server.log" >&2; return 1; }
      port=$((port + 1))
    done
    echo "$port" > "$port_file"
  fi
  export UPFLOW_PG="Host=127.0.0.1;Port=$port;Username=upflow"
  export UPFLOW_PG_BIN="$bin"
  export UPFLOW_PG_PORT="$port"
  "$bin/psql" -h 127.0.0.1 -p "$port" -U upflow -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='upflow'" | grep -q 1 \
    || "$bin/createdb" -h 127.0.0.1 -p "$port" -U upflow upflow
}

pg_stop() {
  local bin data
  bin=$(pg_bin_dir); data=$(pg_data_dir)
  as_pg "'$bin/pg_ctl' -D '$data' -m fast stop" >/dev/null 2>&1 || true
}
