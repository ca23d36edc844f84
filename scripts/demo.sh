#!/usr/bin/env bash
# The main job: infrastructure, the five services and the console up, demo users created, a handful of retail intents through the
# platform, then the retail simulation (default 60 s; `npm run demo -- --duration 30`), its report
# printed and written to reports/simulation.html. Leaves the platform running.
source "$(dirname "$0")/lib.sh"
export_platform_urls
ensure_dependencies
build
infrastructure_up
log "migrating service schemas (one database role per service)"
bash scripts/platform.sh migrate
log "seeding the demo tenant (catalog, agents)"
# The seed writes where the migrations did: the admin URL of PGHOST/PGPORT/PGDATABASE (platform.sh's).
seed_json="$(DATABASE_ADMIN_URL="${DATABASE_ADMIN_URL:-postgres://${PGUSER:-postgres}@${PGHOST:-127.0.0.1}:${PGPORT:-5432}/${PGDATABASE:-agentops}}" \
  "${NODE_RUN[@]}" dist/tools/db/seed.js)"
# The simulation's data-access agents (issue #17) live through a compressed business day: the
# access service judges 2 s buckets and learns an agent's own baseline from 40 intents (its
# cohort's from 80), so both drifts are judged within the minute. Unset, the defaults are 60 s,
# 150 and 300 (a real day). `npm run demo -- --no-data-access` leaves the two agents out.
export ACCESS_BUCKET_MS="${ACCESS_BUCKET_MS:-2000}" ACCESS_MIN_OWN_INTENTS="${ACCESS_MIN_OWN_INTENTS:-40}" \
  ACCESS_MIN_COHORT_INTENTS="${ACCESS_MIN_COHORT_INTENTS:-80}"
log "starting services (restarting any left from an earlier run)"
bash scripts/platform.sh stop >/dev/null
bash scripts/platform.sh start
# No standing operator secret: the demo's setup runs on a short-lived break-glass token, recorded
# by the console and revoked when the demo ends.
BREAK_GLASS_LOG="$AGENTOPS_STATE_DIR/logs/break-glass.log"
export AGENTOPS_TOKEN
AGENTOPS_TOKEN="$(bash scripts/platform.sh operator-token --reason 'npm run demo: setup and simulation' --ttl 1h 2>>"$BREAK_GLASS_LOG")" ||
  { tail -n 3 "$BREAK_GLASS_LOG" >&2; exit 1; }
trap 'curl -fsS -X POST -H "authorization: Bearer $AGENTOPS_TOKEN" "$CONSOLE_URL/v1/auth/logout" >/dev/null 2>&1 || true' EXIT
log "creating the demo tenant's console users (one per role)"
"${NODE_RUN[@]}" dist/tools/console/demo-users.js
log "applying the retail policy pack (the platform baseline), the demo tenant's own set over it and its retail context"
"${NODE_RUN[@]}" dist/tools/cli/agentops.js policy apply policies/retail --baseline
"${NODE_RUN[@]}" dist/tools/cli/agentops.js policy apply policies/tenants/maison-demo --tenant maison-demo
"${NODE_RUN[@]}" dist/tools/cli/agentops.js context import policies/retail/fixtures --tenant maison-demo
log "running the retail walkthrough"
AGENTOPS_DEMO_AGENTS="$(node -e 'console.log(JSON.stringify(JSON.parse(process.argv[1]).agents))' "$seed_json")" \
  "${NODE_RUN[@]}" dist/tools/scenario/retail-walkthrough.js
log "running the retail simulation (four SDK agents, every failure mode, a simulated reviewer, a customer-record sweep and a slow leak)"
"${NODE_RUN[@]}" dist/tools/simulation/main.js "$@"
cat <<MSG

The platform is still running (console :${PLATFORM_PORTS[console]}, ingest :${PLATFORM_PORTS[ingest]}, guardrail :${PLATFORM_PORTS[guardrail]}, escalation :${PLATFORM_PORTS[escalation]}, killswitch :${PLATFORM_PORTS[killswitch]}, audit :${PLATFORM_PORTS[audit]}, rollout :${PLATFORM_PORTS[rollout]}, access :${PLATFORM_PORTS[access]}).
Console: $CONSOLE_URL — sign in as one of the users above (passwords: .local/console-users.json)
Report: reports/simulation.html   Logs: .local/logs/
Break-glass (admin of every tenant, recorded and logged): npm run operator-token -- --reason "why" [--ttl 15m]
Kafka: SASL/SCRAM, one principal per service; passwords in .local/kafka/credentials (docs/security.md § Kafka)
Stop it with: npm run platform:stop   (and Kafka with: npm run infra:down)
MSG
