#!/usr/bin/env bash
# Starts/stops the six services and the console as local processes (logs and pids under .local/);
# `migrate` applies the migrations, creating each service's database role.
source "$(dirname "$0")/lib.sh"
SERVICES=(audit guardrail escalation killswitch rollout access ingest console)
export_platform_urls
# More than one instance of a service (PLATFORM_INSTANCES="ingest=2,guardrail=2"): instance k > 1 is
# named <service>-<k> and listens 10·(k−1) above the first; every instance joins its service's
# consumer groups, so Kafka spreads the partitions between them.
# `start` waits up to PLATFORM_READY_TIMEOUT_S (60) seconds for each instance's /health/ready; on
# a machine whose load is many times its cores, eight processes starting at once take longer.
declare -A INSTANCES=()
IFS=',' read -ra _wanted <<<"${PLATFORM_INSTANCES:-}"
for w in "${_wanted[@]}"; do [[ $w == *=* ]] && INSTANCES[${w%%=*}]=${w#*=}; done
instances_of() {
  local s="$1" k
  echo "$s"
  for ((k = 2; k <= ${INSTANCES[$s]:-1}; k++)); do echo "$s-$k"; done
}
service_of() { echo "${1%-[0-9]*}"; }
port_of() {
  local s; s="$(service_of "$1")"
  local k="${1##*-}"; [[ $1 == "$s" ]] && k=1
  echo $((PLATFORM_PORTS[$s] + 10 * (k - 1)))
}
all_instances() { local s; for s in "${SERVICES[@]}"; do instances_of "$s"; done; }
RUN_DIR="$AGENTOPS_STATE_DIR/run"
LOG_DIR="$AGENTOPS_STATE_DIR/logs"
mkdir -p "$RUN_DIR" "$LOG_DIR"

# Secrets are generated locally on first use into .local/ (mode 600); never committed.
local_secret() {
  local f="$AGENTOPS_STATE_DIR/$1" bytes="$2"
  [[ -s "$f" ]] || (umask 077; openssl rand -hex "$bytes" >"$f")
  cat "$f"
}
# Keys are made the same way. The console
# alone gets the user-token signing keys (every service fetches the public half from its JWKS);
# escalation, rollout and access alone get service keys (guardrail trusts escalation's public half,
# killswitch rollout's and access's). There is no standing
# operator token: `operator-token` mints a short-lived, recorded break-glass token.
KEYS=("${NODE_RUN[@]}" dist/tools/auth/keys.js)
local_key() {
  local f="$AGENTOPS_STATE_DIR/$1"
  [[ -s "$f" ]] || (umask 077; mkdir -p "$(dirname "$f")"; "${KEYS[@]}" "$2" >"$f")
  cat "$f"
}
signing_keys() { local_key auth-signing-keys.json ring; }
service_key() { local_key "service-keys/$1.jwk" new >/dev/null; echo "$AGENTOPS_STATE_DIR/service-keys/$1.jwk"; }
service_principals() {
  "${KEYS[@]}" service-principals "escalation=$(service_key escalation)" "rollout=$(service_key rollout)" "access=$(service_key access)"
}
# What a service gets besides the common environment: its own secrets only.
secrets_of() {
  case "$1" in
    console) printf 'AUTH_SIGNING_KEYS=%s\n' "$(signing_keys)" ;;
    escalation | rollout | access) printf 'SERVICE_SIGNING_KEY=%s\n' "$(cat "$(service_key "$1")")" ;;
  esac
}

# PostgreSQL: migrations and seed run as the admin; each service connects as its own role
# (<database>_<service>, audit as <database>_audit_writer), with a password made once per service.
PG_AT="${PGHOST:-127.0.0.1}:${PGPORT:-5432}/${PGDATABASE:-agentops}"
ROLE_PREFIX="${DATABASE_ROLE_PREFIX:-${PGDATABASE:-agentops}}"
admin_database_url() { echo "${DATABASE_ADMIN_URL:-postgres://${PGUSER:-postgres}@${PG_AT}}"; }
service_database_url() {
  local role="${ROLE_PREFIX}_$1"; [[ $1 == audit ]] && role+=_writer
  echo "postgres://${role}:$(local_secret "db-password-$1" 16)@${PG_AT}"
}
migrate() {
  local -a urls=(DATABASE_ADMIN_URL="$(admin_database_url)")
  for s in "${SERVICES[@]}"; do urls+=("${s^^}_DATABASE_URL=$(service_database_url "$s")"); done
  env "${urls[@]}" "${NODE_RUN[@]}" dist/tools/db/migrate.js
}
# Audit's signing key, pseudonym secret and key-encryption key, made once (npm run audit:keys).
# Trusted key ids are left unpinned here (a warning, development only): a database from before
# kept checkpoints of the ephemeral keys that verification would otherwise reject.
audit_keys() {
  local f="$AGENTOPS_STATE_DIR/audit-keys.env"
  [[ -s "$f" ]] || (umask 077; "${NODE_RUN[@]}" dist/tools/audit/generate-keys.js >"$f")
  grep -v -e '^#' -e '^AUDIT_TRUSTED_KEY_IDS=' "$f"
}

is_running() { [[ -f "$RUN_DIR/$1.pid" ]] && kill -0 "$(cat "$RUN_DIR/$1.pid")" 2>/dev/null; }

start() {
  # Secrets of the HS256/static-token era mean nothing any more.
  rm -f "$AGENTOPS_STATE_DIR/operator-token" "$AGENTOPS_STATE_DIR/jwt-secret"
  local principals; principals="$(service_principals)"
  local i s
  for i in $(all_instances); do
    s="$(service_of "$i")"
    if is_running "$i"; then echo "$i already running"; continue; fi
    local -a own=(DATABASE_URL="$(service_database_url "$s")")
    [[ $s == audit ]] && mapfile -t -O 1 own < <(audit_keys)
    mapfile -t -O "${#own[@]}" own < <(secrets_of "$s")
    # NODE_ARGS_<SERVICE> (e.g. NODE_ARGS_INGEST="--cpu-prof --cpu-prof-dir=/tmp/prof"): node flags
    # for that service's instances alone — a profile of one service under a benchmark's load. On the
    # command line, since Node 20 refuses --cpu-prof in NODE_OPTIONS.
    local node_args_var="NODE_ARGS_${s^^}"
    local -a node_args=()
    read -ra node_args <<<"${!node_args_var:-}"
    local kafka_password; kafka_password="$(kafka_password_file "$s")"
    # Local processes are a development deployment (AGENTOPS_ENV, see .env.example) unless told
    # otherwise; each service connects to Kafka as its own principal (docs/security.md § Kafka).
    # A young generation of 8 MB semi-spaces (V8's default grows to 16): ~15–20 MB less RSS per
    # service at idle, GC cost unchanged at these allocation rates (docs/benchmarks.md § Idle RSS).
    env "${own[@]}" AGENTOPS_ENV="${AGENTOPS_ENV:-development}" NODE_OPTIONS="--max-semi-space-size=8 ${NODE_OPTIONS:-}" \
      KAFKA_SASL_MECHANISM=scram-sha-512 KAFKA_SASL_USERNAME="agentops-$s" KAFKA_SASL_PASSWORD="$(<"$kafka_password")" \
      SERVICE_PRINCIPALS_JWKS="$principals" HTTP_PORT="$(port_of "$i")" INSTANCE_ID="$i-local" LOG_LEVEL="${LOG_LEVEL:-info}" \
      nohup node "${node_args[@]}" "${NODE_RUN[@]:1}" "dist/services/$s/src/main.js" >>"$LOG_DIR/$i.log" 2>&1 &
    echo $! >"$RUN_DIR/$i.pid"
  done
  for i in $(all_instances); do
    local deadline=$((SECONDS + ${PLATFORM_READY_TIMEOUT_S:-60}))
    until curl -fsS "http://127.0.0.1:$(port_of "$i")/health/ready" >/dev/null 2>&1; do
      if ! is_running "$i" || (( SECONDS > deadline )); then
        echo "$i did not become ready; last log lines:" >&2; tail -n 30 "$LOG_DIR/$i.log" >&2; exit 1
      fi
      sleep 0.3
    done
    echo "$i ready on http://127.0.0.1:$(port_of "$i")"
  done
}

# Stops every instance that has a pid file, whatever PLATFORM_INSTANCES says now.
stop() {
  local f i
  for f in "$RUN_DIR"/*.pid; do
    [[ -e $f ]] || continue
    i="$(basename "$f" .pid)"
    if is_running "$i"; then
      kill -TERM "$(cat "$f")"
      for _ in $(seq 1 50); do is_running "$i" || break; sleep 0.2; done
      is_running "$i" && kill -KILL "$(cat "$f")"
      echo "$i stopped"
    fi
    rm -f "$f"
  done
}

status() { local i; for i in $(all_instances); do if is_running "$i"; then echo "$i running (pid $(cat "$RUN_DIR/$i.pid"), :$(port_of "$i"))"; else echo "$i stopped"; fi; done; }

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  migrate) migrate ;;
  # A break-glass token, minted with the console's key, configuration and database role, recorded
  # in its database:  bash scripts/platform.sh operator-token --reason "why" [--ttl 15m]
  operator-token)
    shift
    DATABASE_URL="$(service_database_url console)" AUTH_SIGNING_KEYS="$(signing_keys)" \
      "${NODE_RUN[@]}" dist/services/console/src/operator-token.js "$@" ;;
  *) echo "usage: $0 start|stop|status|migrate|operator-token --reason … [--ttl 15m]" >&2; exit 2 ;;
esac
