#!/usr/bin/env bash
# The fuzz suites at full size (issue #19 item 3): FUZZ_REQUESTS fuzzed HTTP requests (100,000 by
# default) over every route, and poison messages on every consumed topic; the totals go to
# docs/reliability.json. The test command runs the same suites with a few thousand requests.
source "$(dirname "$0")/lib.sh"
ensure_dependencies
build
infrastructure_up
export FUZZ_SEED="${FUZZ_SEED:-$((RANDOM * 32768 + RANDOM))}" FUZZ_REQUESTS="${FUZZ_REQUESTS:-100000}" RELIABILITY_SUMMARY="${RELIABILITY_SUMMARY:-docs/reliability.json}"
log "fuzzing (seed ${FUZZ_SEED}): ${FUZZ_REQUESTS} HTTP requests, poison messages on every consumed topic"
npx jest test/fuzz --selectProjects integration --runInBand "$@"
