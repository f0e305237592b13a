#!/usr/bin/env bash
# Runs Kyso as several replicas on one machine: a PostgreSQL (scripts/postgres.sh, unless --db
# names one), N `kyso serve` processes on free ports sharing it, and Debian's nginx in front of
# them on one port (deploy/nginx/kyso.conf.in). Runs in the foreground until Ctrl-C or SIGTERM,
# then stops nginx and the replicas (SIGTERM; they finish their requests) and exits.
#
#   deploy/run-local.sh [--replicas N] [--port P] [--host ADDR] [--db postgres://...] [--dir DIR] [-- kyso serve flags...]
#
#   --replicas N   replicas (default 3)
#   --port P       nginx's port (default: a free port)
#   --host ADDR    nginx's address (default 127.0.0.1)
#   --db URL       the shared database (default: $KYSO_DB, else database kyso_local on the server
#                  that scripts/postgres.sh starts)
#   --max-conns N  requests nginx lets each replica work on at once (nginx's max_conns; default
#                  0: no bound, each replica's --max-pending refuses early with 503 itself); past
#                  it nginx answers 503 + Retry-After without touching a replica
#   --dir DIR      where the nginx configuration, its logs and the replicas' logs go (default: a
#                  new 0711 folder under /tmp); kept after exit
#   after --       flags for every `kyso serve`, e.g. --trust /etc/kyso/roots --rate-limit 600/min
#
# Users and API keys live in the database: create them before or while it runs, e.g.
#   KYSO_PASSWORD=... node cli/dist/bin.js users add lan --role clerk --db "$DB"
#
# When everything answers it prints one line `kyso: ready URL` on stdout and writes DIR/state,
# one line per process: `replica <n> <pid> <port>` and `nginx <pid> <port>`. Replica n's output is
# in DIR/replica-<n>.log; nginx's access log (with the replica that answered) in DIR/access.log.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"

replicas=3
port=""
host=127.0.0.1
db="${KYSO_DB:-}"
dir=""
max_conns=0
while [ $# -gt 0 ]; do
  case "$1" in
    --replicas) replicas="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --host) host="$2"; shift 2 ;;
    --db) db="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --max-conns) max_conns="$2"; shift 2 ;;
    --) shift; break ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "run-local.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
serve_args=("$@")
[[ "$replicas" =~ ^[1-9][0-9]*$ ]] || { echo "run-local.sh: --replicas must be a positive number" >&2; exit 2; }
[[ "$max_conns" =~ ^[0-9]+$ ]] || { echo "run-local.sh: --max-conns must be a number" >&2; exit 2; }
# Replicas on one machine share its cores: unless told otherwise, each gets cores/replicas
# verification workers (at least 1) instead of one per core each.
if [[ " ${serve_args[*]} " != *" --workers"* ]]; then
  cores="$(nproc 2>/dev/null || echo 1)"
  serve_args+=(--workers "$(( cores / replicas > 0 ? cores / replicas : 1 ))")
fi

nginx_bin="$(command -v nginx || true)"
[ -n "$nginx_bin" ] || nginx_bin=/usr/sbin/nginx
[ -x "$nginx_bin" ] || { echo "run-local.sh: nginx not found (apt-get install nginx; scripts/install.sh does)" >&2; exit 1; }
kyso=(node "$repo/cli/dist/bin.js")
[ -f "$repo/cli/dist/bin.js" ] || { echo "run-local.sh: build first (pnpm -s build)" >&2; exit 1; }

if [ -z "$db" ]; then
  # shellcheck source=../scripts/postgres.sh
  . "$repo/scripts/postgres.sh" >&2
  db="${KYSO_TEST_PG_URL%/*}/kyso_local"
  if [ "$(psql "$KYSO_TEST_PG_URL" -qtAc "SELECT 1 FROM pg_database WHERE datname = 'kyso_local'")" != "1" ]; then
    psql "$KYSO_TEST_PG_URL" -qc "CREATE DATABASE kyso_local" >/dev/null
  fi
fi
case "$db" in postgres://*|postgresql://*) ;; *) echo "run-local.sh: --db must be a postgres:// URL (replicas share it)" >&2; exit 2 ;; esac

if [ -z "$dir" ]; then dir="$(mktemp -d /tmp/kyso-deploy.XXXXXX)"; fi
mkdir -p "$dir"
# nginx's workers (nobody when started as root) reach their temporary folders inside it.
chmod 711 "$dir"
: >"$dir/state"

pids=()
nginx_pid=""
sleeper=""
stopping=0
stop_all() {
  [ "$stopping" = 1 ] && return
  stopping=1
  [ -n "$sleeper" ] && kill "$sleeper" 2>/dev/null || true
  [ -n "$nginx_pid" ] && kill -QUIT "$nginx_pid" 2>/dev/null || true
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}" $nginx_pid; do wait "$p" 2>/dev/null || true; done
}
trap stop_all EXIT
trap 'exit 0' INT TERM

# The replicas, each on a port of its own choosing (--port 0), all believing X-Forwarded-* from
# nginx on loopback only.
for i in $(seq 1 "$replicas"); do
  KYSO_DB="$db" "${kyso[@]}" serve --port 0 --host 127.0.0.1 --trust-proxy loopback "${serve_args[@]}" \
    >"$dir/replica-$i.out" 2>"$dir/replica-$i.log" &
  pids+=($!)
done
ports=()
for i in $(seq 1 "$replicas"); do
  p=""
  for _ in $(seq 1 300); do
    p="$(sed -n 's#.* on http://127\.0\.0\.1:\([0-9]*\).*#\1#p' "$dir/replica-$i.out" | head -n 1)"
    [ -n "$p" ] && break
    kill -0 "${pids[$((i - 1))]}" 2>/dev/null || { echo "run-local.sh: replica $i exited:" >&2; tail -n 20 "$dir/replica-$i.log" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$p" ] || { echo "run-local.sh: replica $i did not start in 30 s" >&2; exit 1; }
  ports+=("$p")
  echo "replica $i ${pids[$((i - 1))]} $p" >>"$dir/state"
done

if [ -z "$port" ]; then
  port="$(node -e 'const s=require("net").createServer().listen(0,process.argv[1],()=>{console.log(s.address().port);s.close()})' "$host")"
fi
upstreams=""
bound=""
[ "$max_conns" -gt 0 ] && bound=" max_conns=$max_conns"
for p in "${ports[@]}"; do upstreams+="        server 127.0.0.1:$p max_fails=1 fail_timeout=5s$bound;\n"; done
workers="$(nproc 2>/dev/null || echo 1)"
sed -e "s#@DIR@#$dir#g" -e "s#@LISTEN@#$host:$port#g" -e "s#@WORKERS@#$workers#g" -e "s#^@UPSTREAMS@\$#$upstreams#" \
  "$here/nginx/kyso.conf.in" >"$dir/nginx.conf"
"$nginx_bin" -t -q -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf"
"$nginx_bin" -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
echo "nginx $nginx_pid $port" >>"$dir/state"

url="http://$host:$port"
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null "$url/healthz" 2>/dev/null && break
  kill -0 "$nginx_pid" 2>/dev/null || { echo "run-local.sh: nginx exited:" >&2; tail -n 20 "$dir/error.log" >&2; exit 1; }
  sleep 0.1
done
curl -fsS -o /dev/null "$url/healthz" || { echo "run-local.sh: $url/healthz does not answer" >&2; exit 1; }
echo "kyso: ready $url ($replicas replicas on ports ${ports[*]}, database ${db%%://*}://...${db##*@}, logs in $dir)"

# In the foreground until stopped; a replica that dies is left dead (nginx routes around it).
while true; do
  sleep 3600 &
  sleeper=$!
  wait "$sleeper" || true
done
