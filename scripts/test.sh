#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs, starts what it needs, runs every tier.
source "$(dirname "$0")/lib.sh"
ensure_dependencies
build

log "type-check (strict)"
npx tsc -p tsconfig.json --noEmit
npm run typecheck:web
log "lint (ESLint with Nx module boundaries)"
NX_DAEMON=false npx nx show projects >/dev/null   # the boundary rule needs the project graph
npx eslint . --max-warnings=0
log "format (Prettier)"
npx prettier --check --log-level warn "libs/**/*.ts" "services/**/*.ts" "tools/**/*.ts" "test/**/*.ts" "bench/**/*.ts"
log "contracts: AsyncAPI and JSON Schemas match the code"
"${NODE_RUN[@]}" dist/tools/contracts/generate-contract-docs.js --check

log "policy tests: the shipped retail pack against its fixtures (like opa test)"
"${NODE_RUN[@]}" dist/tools/policy/policy-test.js policies/retail
"${NODE_RUN[@]}" dist/tools/policy/policy-test.js policies/tenants/maison-demo --baseline policies/retail

mkdir -p reports
log "unit tests (with coverage of the domain libraries; the threshold is in jest.config.js)"
unit_rc=0
npx jest --selectProjects unit --coverage --json --outputFile=reports/unit.json || unit_rc=$?

infrastructure_up
ensure_chromium
log "integration and end-to-end tests (real Kafka, PostgreSQL, Redis)"
int_rc=0
npx jest --selectProjects integration --runInBand --json --outputFile=reports/integration.json || int_rc=$?

node -e '
  const r = ["unit", "integration"].map((n) => { try { return require(`./reports/${n}.json`); } catch { return { numPassedTests: 0, numFailedTests: 1 }; } });
  const passed = r.reduce((s, x) => s + x.numPassedTests, 0), failed = r.reduce((s, x) => s + x.numFailedTests, 0);
  console.log(`\ntests: ${passed} passed, ${failed} failed`);
'
if (( unit_rc != 0 )) && grep -q '"numFailedTests":0,' reports/unit.json 2>/dev/null; then
  echo "unit tests passed, but the coverage threshold (jest.config.js) was not met: see the unit tier's summary"
fi
if (( unit_rc != 0 || int_rc != 0 )); then exit 1; fi
