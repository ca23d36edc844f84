#!/usr/bin/env bash
# Starts/stops the six services and the console as local processes (logs and pids under .local/);
# `migrate` applies the migrations, creating each service's database role.
source "$(dirname "$0")/lib.sh"
SERVICES=(audit guardrail escalation killswitch rollout ingest console)
declare -A PORTS=([ingest]=3001 [guardrail]=3002 [escalation]=3003 [killswitch]=3004 [audit]=3005 [rollout]=3006 [console]=3000)
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
# escalation and rollout alone get service keys (guardrail trusts escalation's public half, killswitch
# rollout's). There is no standing
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
  "${KEYS[@]}" service-principals "escalation=$(service_key escalation)" "rollout=$(service_key rollout)"
}
# What a service gets besides the common environment: its own secrets only.
secrets_of() {
  case "$1" in
    console) printf 'AUTH_SIGNING_KEYS=%s\n' "$(signing_keys)" ;;
    escalation | rollout) printf 'SERVICE_SIGNING_KEY=%s\n' "$(cat "$(service_key "$1")")" ;;
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
  for s in "${SERVICES[@]}"; do
    if is_running "$s"; then echo "$s already running"; continue; fi
    local -a own=(DATABASE_URL="$(service_database_url "$s")")
    [[ $s == audit ]] && mapfile -t -O 1 own < <(audit_keys)
    mapfile -t -O "${#own[@]}" own < <(secrets_of "$s")
    local kafka_password; kafka_password="$(kafka_password_file "$s")"
    # Local processes are a development deployment (AGENTOPS_ENV, see .env.example) unless told
    # otherwise; each service connects to Kafka as its own principal (docs/security.md § Kafka).
    env "${own[@]}" AGENTOPS_ENV="${AGENTOPS_ENV:-development}" \
      KAFKA_SASL_MECHANISM=scram-sha-512 KAFKA_SASL_USERNAME="agentops-$s" KAFKA_SASL_PASSWORD="$(<"$kafka_password")" \
      SERVICE_PRINCIPALS_JWKS="$principals" HTTP_PORT="${PORTS[$s]}" INSTANCE_ID="$s-local" LOG_LEVEL="${LOG_LEVEL:-info}" \
      nohup "${NODE_RUN[@]}" "dist/services/$s/src/main.js" >>"$LOG_DIR/$s.log" 2>&1 &
    echo $! >"$RUN_DIR/$s.pid"
  done
  for s in "${SERVICES[@]}"; do
    local deadline=$((SECONDS + 60))
    until curl -fsS "http://127.0.0.1:${PORTS[$s]}/health/ready" >/dev/null 2>&1; do
      if ! is_running "$s" || (( SECONDS > deadline )); then
        echo "$s did not become ready; last log lines:" >&2; tail -n 30 "$LOG_DIR/$s.log" >&2; exit 1
      fi
      sleep 0.3
    done
    echo "$s ready on http://127.0.0.1:${PORTS[$s]}"
  done
}

stop() {
  for s in "${SERVICES[@]}"; do
    if is_running "$s"; then
      kill -TERM "$(cat "$RUN_DIR/$s.pid")"
      for _ in $(seq 1 50); do is_running "$s" || break; sleep 0.2; done
      is_running "$s" && kill -KILL "$(cat "$RUN_DIR/$s.pid")"
      echo "$s stopped"
    fi
    rm -f "$RUN_DIR/$s.pid"
  done
}

status() { for s in "${SERVICES[@]}"; do if is_running "$s"; then echo "$s running (pid $(cat "$RUN_DIR/$s.pid"))"; else echo "$s stopped"; fi; done; }

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
