#!/usr/bin/env bash
# npm run chaos -- [--rate 200] [--faults kill-ingest,postgres,...] [--brokers 3] [--soak --minutes 30]
# Issue #19 items 2 and 6 (tools/chaos, docs/reliability.md): the platform as OS processes on a stack
# of its own, steady load through the SDK, one fault at a time, the stores checked afterwards.
#
# The run stops and starts its datastores, so it never uses the shared ones: a PostgreSQL cluster
# of its own (CHAOS_PG_CLUSTER, default `chaos`, on CHAOS_PG_PORT 5499; made with pg_createcluster
# on first use, which needs root or the postgres user) and a Redis of its own (CHAOS_REDIS_PORT
# 6499, started by deploy/local/datastores.sh). One broker: the services reach it through the
# tool's TCP proxy (a second listener on KAFKA_PORT+10, advertised as the proxy's KAFKA_PORT+11),
# for the latency and partition faults. `--brokers 3`: the three-node cluster, no proxy faults.
# Before lib.sh: it lays out the platform's ports (and their URLs) from AGENTOPS_PORT_BASE.
export AGENTOPS_PORT_BASE="${AGENTOPS_PORT_BASE:-3700}"
source "$(dirname "$0")/lib.sh"
args=() brokers=1
while (($# > 0)); do
  case "$1" in
    --brokers) brokers="${2:-}"; shift 2 || { echo "--brokers needs 1 or 3" >&2; exit 2; } ;;
    --brokers=*) brokers="${1#--brokers=}"; shift ;;
    *) args+=("$1"); shift ;;
  esac
done
export PGHOST=127.0.0.1 PGPORT="${CHAOS_PG_PORT:-5499}" PG_CLUSTER="${CHAOS_PG_CLUSTER:-chaos}"
export PGDATABASE="${CHAOS_PGDATABASE:-agentops_chaos}"
export REDIS_URL="redis://127.0.0.1:${CHAOS_REDIS_PORT:-6499}" REDIS_DIR="$AGENTOPS_STATE_DIR/chaos/redis" REDIS_LOGFILE="$AGENTOPS_STATE_DIR/chaos/redis/redis.log"
if [[ $PGPORT == 5432 || $REDIS_URL == *:6379 ]]; then
  echo "chaos stops its PostgreSQL and Redis: give it its own (CHAOS_PG_PORT, CHAOS_REDIS_PORT), never the shared 5432/6379" >&2
  exit 2
fi
export CHAOS_PG_VERSION="${CHAOS_PG_VERSION:-15}"
# Every fault restarts services while the load runs: give them longer than a quiet start needs.
export PLATFORM_READY_TIMEOUT_S="${PLATFORM_READY_TIMEOUT_S:-180}"
if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -qx "$CHAOS_PG_VERSION $PG_CLUSTER"; then
  log "creating PostgreSQL cluster $CHAOS_PG_VERSION/$PG_CLUSTER on port $PGPORT (trust auth on loopback, like the dev cluster)"
  pg_createcluster "$CHAOS_PG_VERSION" "$PG_CLUSTER" --port "$PGPORT" -- --auth-host=trust --auth-local=trust >/dev/null
fi
export_platform_urls
if [[ $brokers == 1 ]]; then
  export KAFKA_PROXIED_PORT="$((${KAFKA_PORT:-9092} + 10))" KAFKA_PROXY_PORT="$((${KAFKA_PORT:-9092} + 11))"
fi
ensure_dependencies
build
infrastructure_up --brokers "$brokers"
log "migrating $PGDATABASE on :$PGPORT"
bash scripts/platform.sh migrate
"${NODE_RUN[@]}" dist/tools/chaos/main.js "${args[@]}"
