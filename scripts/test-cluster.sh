#!/usr/bin/env bash
# Broker loss on the local three-node KRaft cluster (docs/reliability.md § 3-broker cluster): builds,
# starts the cluster (`infrastructure_up --brokers 3`), produces events through the project's
# publisher while one node gets SIGKILL half-way, reads them all back with that node down, then
# starts the node again and waits until all three serve. Not part of `npm test` (it needs the
# cluster, which the default one-node stack is not).
#
#   npm run test:cluster [-- --count 2000 --kill-node 1 ...]   (options: bench/cluster/broker-loss.ts)
#
# The cluster keeps running afterwards; stop it with `bash deploy/local/down.sh`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
build
infrastructure_up --brokers 3
log "broker loss: produce, SIGKILL one node, read back"
status=0
"${NODE_RUN[@]}" dist/bench/cluster/broker-loss.js --brokers "$KAFKA_BROKERS" "$@" || status=$?
log "bringing the killed node back"
start=$SECONDS
bash deploy/local/kafka.sh up >/dev/null
echo "all 3 nodes serving again after $((SECONDS - start))s"
bash deploy/local/kafka.sh status
exit "$status"
