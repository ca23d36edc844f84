#!/usr/bin/env bash
# Stop the local Kafka broker, or every node of the three-node cluster (data kept; use
# `kafka.sh reset` to wipe it).
# PostgreSQL and Redis are machine-wide services shared with other projects,
# so they are intentionally left running.
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"${DIR}/kafka.sh" down
