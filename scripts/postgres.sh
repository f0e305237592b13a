#!/usr/bin/env bash
# Starts a throw-away local PostgreSQL for the registry tests and exports KYSO_TEST_PG_URL.
# Sourced by scripts/test.sh (so it returns, never exits); can also be run on its own.
# Idempotent: reuses the cluster and the server if they are already there. Needs the Debian
# `postgresql` package (scripts/install.sh installs it). Runs the server as the `postgres` user
# when started as root, as the current user otherwise. Listens on 127.0.0.1 only.
#   KYSO_PG_PORT   port (default 55432)
#   KYSO_PG_DIR    cluster directory (default /var/tmp/kyso-postgres-<user>)

kyso_pg_main() {
  local port="${KYSO_PG_PORT:-55432}"
  local bindir
  bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    echo "postgres.sh: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
    return 1
  fi
  local runas=()
  local owner
  owner="$(id -un)"
  if [ "$(id -u)" = "0" ]; then
    owner=postgres
    runas=(runuser -u postgres --)
  fi
  local dir="${KYSO_PG_DIR:-/var/tmp/kyso-postgres-$owner}"
  local data="$dir/data"

  if ! "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port"; then
    mkdir -p "$dir"
    [ "$owner" = postgres ] && chown postgres:postgres "$dir"
    chmod 700 "$dir"
    if [ ! -f "$data/PG_VERSION" ]; then
      # C locale: byte order, the same everywhere. Local socket: trust; TCP: passwords.
      "${runas[@]}" "$bindir/initdb" -D "$data" -U postgres --locale=C --encoding=UTF8 \
        --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 ||
        { echo "postgres.sh: initdb failed, see $dir/initdb.log" >&2; return 1; }
    fi
    "${runas[@]}" "$bindir/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c fsync=off -c max_connections=200" start >/dev/null ||
      { echo "postgres.sh: the server did not start, see $dir/server.log" >&2; return 1; }
  fi

  # The test role may create a database per test. Test-only credentials, never real ones.
  local psql=("${runas[@]}" "$bindir/psql" -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA)
  if [ "$("${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname = 'kyso_test'" 2>/dev/null)" != "1" ]; then
    "${psql[@]}" -c "CREATE ROLE kyso_test LOGIN CREATEDB PASSWORD 'kyso-test'" >/dev/null ||
      { echo "postgres.sh: cannot create the test role (is another server on port $port?)" >&2; return 1; }
  fi
  if [ "$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = 'kyso_test'")" != "1" ]; then
    "${psql[@]}" -c "CREATE DATABASE kyso_test OWNER kyso_test" >/dev/null || return 1
  fi
  export KYSO_TEST_PG_URL="postgres://kyso_test:kyso-test@127.0.0.1:$port/kyso_test"
  echo "postgres.sh: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, KYSO_TEST_PG_URL set"
}

kyso_pg_main
kyso_pg_status=$?
unset -f kyso_pg_main
# shellcheck disable=SC2317
return $kyso_pg_status 2>/dev/null || exit $kyso_pg_status
