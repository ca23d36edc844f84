#!/usr/bin/env bash
# Local PostgreSQL + Redis for AgentOps: make sure both answer, start them if they
# are installed but stopped, and create the application database if missing.
#
# usage: deploy/local/datastores.sh up | status
#
# Environment (all optional; same names the apps and libpq/psql use):
#   PGHOST        PostgreSQL host                     (default: 127.0.0.1)
#   PGPORT        PostgreSQL port                     (default: 5432)
#   PGUSER        role used to connect / create db    (default: postgres)
#   PGPASSWORD    password, if the server wants one   (default: unset; local trust auth)
#   PGDATABASE    application database to ensure      (default: agentops)
#   PG_MAINTENANCE_DB  db to connect to for CREATE DATABASE (default: postgres)
#   PG_CLUSTER    Debian cluster name to auto-start   (default: main)
#   REDIS_URL     redis://[user:pass@]host:port[/db]  (default: redis://127.0.0.1:6379)
#   REDIS_HOST / REDIS_PORT  override the host/port parsed from REDIS_URL
#   REDIS_DIR / REDIS_LOGFILE  where an auto-started redis-server keeps its files
#                 (default: /var/lib/redis, /var/log/redis/ci.log; falls back to
#                 ${AGENTOPS_STATE_DIR:-<repo>/.local}/redis if not writable)
#
# Auto-start only happens for a loopback host (we never touch remote servers) and
# uses the Debian-packaged binaries (pg_ctlcluster, redis-server); no systemd needed.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "${SCRIPT_DIR}/../.." && pwd)"
STATE_ROOT="${AGENTOPS_STATE_DIR:-${REPO_ROOT}/.local}"

export PGHOST="${PGHOST:-127.0.0.1}"
export PGPORT="${PGPORT:-5432}"
export PGUSER="${PGUSER:-postgres}"
PGDATABASE_APP="${PGDATABASE:-agentops}"
PG_MAINTENANCE_DB="${PG_MAINTENANCE_DB:-postgres}"
PG_CLUSTER="${PG_CLUSTER:-main}"

REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"

log() { printf 'datastores: %s\n' "$*"; }
die() { printf 'datastores: ERROR: %s\n' "$*" >&2; exit 1; }

# Parse host/port/password out of REDIS_URL (redis:// or rediss://; [v6] hosts ok).
redis_url_re='^rediss?://(([^:@/]*)(:([^@/]*))?@)?(\[[^]]+\]|[^:/?]+)(:([0-9]+))?'
if [[ "$REDIS_URL" =~ $redis_url_re ]]; then
  url_host="${BASH_REMATCH[5]}"
  url_port="${BASH_REMATCH[7]:-6379}"
  url_pass="${BASH_REMATCH[4]:-}"
else
  die "cannot parse REDIS_URL='${REDIS_URL}' (expected redis://[user:pass@]host:port[/db])"
fi
url_host="${url_host#[}"
url_host="${url_host%]}"
REDIS_HOST="${REDIS_HOST:-$url_host}"
REDIS_PORT="${REDIS_PORT:-$url_port}"
# redis-cli reads the password from the environment (keeps it out of `ps`).
if [[ -n "$url_pass" && -z "${REDISCLI_AUTH:-}" ]]; then export REDISCLI_AUTH="$url_pass"; fi

is_loopback() { [[ "$1" == 127.* || "$1" == localhost || "$1" == ::1 || "$1" == /* ]]; }

wait_for() { # wait_for <seconds> <command...>: poll until the command succeeds
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
}

# ---------------------------------------------------------------- PostgreSQL
pg_ready() { pg_isready -q -h "$PGHOST" -p "$PGPORT" -t 2 >/dev/null 2>&1; }

psql_maint() { psql -w -X -q -t -A -v ON_ERROR_STOP=1 -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d "$PG_MAINTENANCE_DB" "$@"; }

# Prints nothing on success, else one line saying what is wrong/missing.
ensure_postgres() {
  if ! command -v pg_isready >/dev/null 2>&1 || ! command -v psql >/dev/null 2>&1; then
    echo "PostgreSQL client tools (pg_isready, psql) are not installed (apt-get install postgresql-client, or postgresql for the server too)"
    return
  fi
  pg_ready && return
  if ! is_loopback "$PGHOST"; then
    echo "PostgreSQL at ${PGHOST}:${PGPORT} is not accepting connections (remote host; not starting anything)"
    return
  fi
  # Debian layout: /etc/postgresql/<major>/<cluster>. Newest major that has the cluster.
  local ver=""
  if [[ -d /etc/postgresql ]]; then
    ver="$(find /etc/postgresql -mindepth 2 -maxdepth 2 -type d -name "$PG_CLUSTER" -printf '%h\n' \
      | xargs -r -n1 basename | sort -V | tail -n1)"
  fi
  if [[ -z "$ver" ]] || ! command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "PostgreSQL server is not installed (nothing on ${PGHOST}:${PGPORT}, no /etc/postgresql/<version>/${PG_CLUSTER} cluster; apt-get install postgresql)"
    return
  fi
  log "PostgreSQL not answering on ${PGHOST}:${PGPORT}; starting cluster ${ver}/${PG_CLUSTER}" >&2
  # --skip-systemctl-redirect: works in containers/CI without systemd.
  if ! pg_ctlcluster --skip-systemctl-redirect "$ver" "$PG_CLUSTER" start >&2; then
    echo "could not start PostgreSQL cluster ${ver}/${PG_CLUSTER} (see /var/log/postgresql/postgresql-${ver}-${PG_CLUSTER}.log; needs root or the postgres user)"
    return
  fi
  wait_for 30 pg_ready \
    || echo "PostgreSQL ${ver}/${PG_CLUSTER} started but ${PGHOST}:${PGPORT} is still not ready after 30s (port/listen_addresses mismatch? see /var/log/postgresql/postgresql-${ver}-${PG_CLUSTER}.log)"
}

# Prints 1/0; fails (with psql's error as output) on connection or auth problems,
# so "cannot log in" is never mistaken for "database missing".
db_count() {
  psql_maint -v db="$PGDATABASE_APP" <<<"SELECT count(*) FROM pg_database WHERE datname = :'db';" 2>&1
}

ensure_database() {
  local n
  n="$(db_count)" || die "cannot query PostgreSQL as ${PGUSER}@${PGHOST}:${PGPORT}/${PG_MAINTENANCE_DB}: ${n##*$'\n'} (check PGUSER/PGPASSWORD and pg_hba.conf)"
  if [[ "$n" == 1 ]]; then
    log "database '${PGDATABASE_APP}' exists"
    return 0
  fi
  log "creating database '${PGDATABASE_APP}' (owner ${PGUSER})"
  # :"db" quotes it as an identifier. A concurrent creator may win the race; re-check.
  local err
  if ! err="$(psql_maint -v db="$PGDATABASE_APP" <<<'CREATE DATABASE :"db";' 2>&1)" \
      && [[ "$(db_count)" != 1 ]]; then
    die "could not create database '${PGDATABASE_APP}' as ${PGUSER}@${PGHOST}:${PGPORT}: ${err##*$'\n'}"
  fi
}

# --------------------------------------------------------------------- Redis
redis_ping() { [[ "$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]; }

writable_dir() { mkdir -p "$1" 2>/dev/null && [[ -w "$1" ]]; }

ensure_redis() {
  if ! command -v redis-cli >/dev/null 2>&1; then
    echo "redis-cli is not installed (apt-get install redis-tools, or redis-server for the server too)"
    return
  fi
  redis_ping && return
  if ! is_loopback "$REDIS_HOST"; then
    echo "Redis at ${REDIS_HOST}:${REDIS_PORT} does not answer PING (remote host; not starting anything)"
    return
  fi
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "Redis server is not installed (nothing answers on ${REDIS_HOST}:${REDIS_PORT}; apt-get install redis-server)"
    return
  fi
  local dir="${REDIS_DIR:-/var/lib/redis}" logfile="${REDIS_LOGFILE:-/var/log/redis/ci.log}"
  # Non-root dev machines cannot write the Debian dirs: keep files in the state dir.
  writable_dir "$dir" || dir="${STATE_ROOT}/redis"
  writable_dir "$(dirname "$logfile")" || logfile="${STATE_ROOT}/redis/redis.log"
  mkdir -p "$dir" "$(dirname "$logfile")"
  log "Redis not answering on ${REDIS_HOST}:${REDIS_PORT}; starting redis-server (log ${logfile})" >&2
  # Ephemeral dev/CI cache: no RDB/AOF persistence. '-::1' = bind IPv6 loopback if available.
  if ! redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" \
      --save "" --appendonly no --dir "$dir" --logfile "$logfile" >&2; then
    echo "redis-server failed to start (see ${logfile})"
    return
  fi
  wait_for 15 redis_ping || echo "redis-server started but ${REDIS_HOST}:${REDIS_PORT} does not answer PING after 15s (see ${logfile})"
}

# ------------------------------------------------------------------ commands
cmd_up() {
  local -a problems=()
  local p
  # Check both before failing, so a fresh machine learns everything missing at once.
  p="$(ensure_postgres)"
  if [[ -z "$p" ]]; then log "postgres ready on ${PGHOST}:${PGPORT}"; else problems+=("$p"); fi
  p="$(ensure_redis)"
  if [[ -z "$p" ]]; then log "redis ready on ${REDIS_HOST}:${REDIS_PORT}"; else problems+=("$p"); fi
  if ((${#problems[@]})); then
    p="$(printf '%s; ' "${problems[@]}")"
    die "${p%; }"
  fi
  ensure_database
}

cmd_status() {
  local rc=0
  if command -v pg_isready >/dev/null 2>&1 && pg_ready; then
    local n
    if ! n="$(db_count)"; then
      echo "postgres: ready on ${PGHOST}:${PGPORT}, but cannot query it as ${PGUSER}: ${n##*$'\n'}"
      rc=3
    elif [[ "$n" == 1 ]]; then
      echo "postgres: ready on ${PGHOST}:${PGPORT}, database '${PGDATABASE_APP}' exists"
    else
      echo "postgres: ready on ${PGHOST}:${PGPORT}, database '${PGDATABASE_APP}' MISSING (run: $0 up)"
      rc=3
    fi
  else
    echo "postgres: NOT ready on ${PGHOST}:${PGPORT}"
    rc=3
  fi
  if command -v redis-cli >/dev/null 2>&1 && redis_ping; then
    echo "redis: ready on ${REDIS_HOST}:${REDIS_PORT}"
  else
    echo "redis: NOT answering on ${REDIS_HOST}:${REDIS_PORT}"
    rc=3
  fi
  return "$rc"
}

case "${1:-}" in
  up) cmd_up ;;
  status) cmd_status ;;
  *) echo "usage: $0 up | status" >&2; exit 2 ;;
esac
