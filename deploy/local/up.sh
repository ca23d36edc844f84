#!/usr/bin/env bash
# Bring up everything AgentOps needs locally / in CI, idempotently:
#   1. PostgreSQL + Redis (started if installed but stopped; app database created)
#   2. Kafka: one KRaft node on 127.0.0.1:${KAFKA_PORT:-9092}, or three (KAFKA_BROKER_COUNT=3) on
#      KAFKA_PORT, +1, +2 (see kafka.sh for the port layout)
# Topics are deliberately NOT created here; the project's topic script owns that.
# Env vars: see the headers of datastores.sh and kafka.sh.
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
start=$SECONDS
"${DIR}/datastores.sh" up
"${DIR}/kafka.sh" up
echo "local infra up in $((SECONDS - start))s"
