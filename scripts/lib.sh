# Shared by the project's scripts: repo root, state dir, dependency install and build.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export AGENTOPS_STATE_DIR="${AGENTOPS_STATE_DIR:-$ROOT/.local}"
# How the scripts run a compiled entry point: plain node (the @agentops/* imports resolve through the
# npm workspace links that `npm install` makes under node_modules/@agentops/).
NODE_RUN=(node)
# A second stack on one machine (another work tree, say) runs its own broker on KAFKA_PORT;
# everything that connects follows it unless KAFKA_BROKERS is given. KAFKA_BROKER_COUNT=3 (or
# `infrastructure_up --brokers 3`) runs the local three-node cluster on KAFKA_PORT, +1, +2 instead.
_KAFKA_BROKERS_GIVEN="${KAFKA_BROKERS:-}"
# The clients' bootstrap list of the local layout of KAFKA_BROKER_COUNT nodes.
local_kafka_brokers() {
  local i list=""
  for ((i = 0; i < ${KAFKA_BROKER_COUNT:-1}; i++)); do list+="${list:+,}127.0.0.1:$((${KAFKA_PORT:-9092} + i))"; done
  printf '%s' "$list"
}
export KAFKA_BROKERS="${KAFKA_BROKERS:-$(local_kafka_brokers)}"

# The local platform's HTTP ports: console at AGENTOPS_PORT_BASE (default 3000), then ingest,
# guardrail, escalation, killswitch, audit, rollout, access at +1…+7, so a second platform on one machine
# (another work tree, a benchmark) runs beside the first. Exported as the URLs the services, the
# CLI and the simulation read (their defaults are the 3000 layout).
PLATFORM_PORT_BASE="${AGENTOPS_PORT_BASE:-3000}"
declare -A PLATFORM_PORTS=([console]=$PLATFORM_PORT_BASE [ingest]=$((PLATFORM_PORT_BASE + 1)) [guardrail]=$((PLATFORM_PORT_BASE + 2))
  [escalation]=$((PLATFORM_PORT_BASE + 3)) [killswitch]=$((PLATFORM_PORT_BASE + 4)) [audit]=$((PLATFORM_PORT_BASE + 5)) [rollout]=$((PLATFORM_PORT_BASE + 6))
  [access]=$((PLATFORM_PORT_BASE + 7)))
export_platform_urls() {
  local s
  for s in "${!PLATFORM_PORTS[@]}"; do
    export "${s^^}_URL=http://127.0.0.1:${PLATFORM_PORTS[$s]}" "AGENTOPS_${s^^}_URL=http://127.0.0.1:${PLATFORM_PORTS[$s]}"
  done
  export AUTH_JWKS_URL="http://127.0.0.1:${PLATFORM_PORTS[console]}/.well-known/jwks.json"
}

log() { printf '\033[1m▸ %s\033[0m\n' "$*"; }

# Install only when node_modules is missing or older than the lock file. `npm install` rather than
# `npm ci`: this machine's npm writes locks without other platforms' optional binaries (@swc/core-*),
# which `npm ci` then rejects as out of sync; `npm install` follows the same lock and pins the same versions.
ensure_dependencies() {
  command -v node >/dev/null || { echo "node is not installed (Node 20 is required)" >&2; exit 1; }
  # node_modules/@agentops/*: the workspace links a tree installed before the workspaces lacks.
  if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json || ! -e node_modules/@agentops/contracts ]]; then
    log "installing npm dependencies"
    npm install --no-audit --no-fund --loglevel=error
  fi
}

build() {
  log "compiling TypeScript (tsc -p tsconfig.build.json) and bundling the console (esbuild)"
  npx tsc -p tsconfig.build.json
  npm run --silent build:web
}

# Debian's Chromium for the console's browser tests and screenshots (playwright-core drives it;
# no browser download). Installed with apt when missing and we may; otherwise one clear message.
ensure_chromium() {
  [[ -x /usr/bin/chromium ]] && return 0
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    log "installing Debian's chromium (browser tests)"
    { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } ||
      { echo "could not install chromium with apt-get (see above); the console's browser tests need /usr/bin/chromium" >&2; exit 1; }
  else
    echo "chromium is not installed: run 'sudo apt-get install -y chromium' (the console's browser tests need it)" >&2
    exit 1
  fi
}

KAFKA_CREDENTIALS="$AGENTOPS_STATE_DIR/kafka/credentials"

# Runs a setup tool (topics, ACLs) as the local broker's admin; the admin's password goes into that
# process's environment only, never into the services'.
as_kafka_admin() {
  KAFKA_SASL_MECHANISM=scram-sha-512 KAFKA_SASL_USERNAME=admin \
    KAFKA_SASL_PASSWORD="$(<"$KAFKA_CREDENTIALS/admin")" "$@"
}

# The password file of a service's own Kafka principal (agentops-<service>), made by infrastructure_up.
kafka_password_file() {
  local file="$KAFKA_CREDENTIALS/users/agentops-$1"
  [[ -s "$file" ]] || { echo "no Kafka password for agentops-$1 in $file: run 'npm run infra:up' first" >&2; return 1; }
  printf '%s' "$file"
}

# Kafka (KRaft, from Maven Central jars), PostgreSQL and Redis, then this deployment's topics and
# its principals: a SCRAM user per service (password generated on first start) and the ACLs
# generated from libs/contracts KafkaAccess. `--brokers 3` (or KAFKA_BROKER_COUNT=3): the
# three-node cluster, its topics with replication 3 / min.insync.replicas 2 (one node: 1 / 1).
infrastructure_up() {
  while (($# > 0)); do
    case "$1" in
      --brokers) export KAFKA_BROKER_COUNT="${2:-}"; shift 2 || { echo "--brokers needs 1 or 3" >&2; return 2; } ;;
      --brokers=*) export KAFKA_BROKER_COUNT="${1#--brokers=}"; shift ;;
      *) echo "infrastructure_up: unknown argument '$1' (--brokers 1|3)" >&2; return 2 ;;
    esac
  done
  local count="${KAFKA_BROKER_COUNT:-1}"
  [[ "$count" == 1 || "$count" == 3 ]] || { echo "KAFKA_BROKER_COUNT / --brokers: 1 or 3 (got '$count')" >&2; return 2; }
  export KAFKA_BROKER_COUNT="$count"
  [[ -n "$_KAFKA_BROKERS_GIVEN" ]] || KAFKA_BROKERS="$(local_kafka_brokers)"
  # Replication follows the node count unless given: 3 nodes => RF 3, min ISR 2 (one may go).
  local rf=1 isr=1
  ((count == 1)) || rf=3 isr=2
  log "starting infrastructure (PostgreSQL, Redis, Kafka: ${count} node(s), ${KAFKA_BROKERS})"
  bash deploy/local/up.sh
  KAFKA_REPLICATION_FACTOR="${KAFKA_REPLICATION_FACTOR:-$rf}" KAFKA_MIN_INSYNC_REPLICAS="${KAFKA_MIN_INSYNC_REPLICAS:-$isr}" \
    as_kafka_admin "${NODE_RUN[@]}" dist/tools/topics/create-topics.js
  local -a principals
  mapfile -t principals < <("${NODE_RUN[@]}" dist/tools/kafka-access/kafka-access.js principals)
  bash deploy/local/kafka.sh users "${principals[@]}"
  as_kafka_admin "${NODE_RUN[@]}" dist/tools/kafka-access/kafka-access.js apply
}
