# syntax=docker/dockerfile:1
#
# One image for every AgentOps service and tool. The command chooses what runs:
#
#   docker build -t agentops:dev .
#   docker run --rm --env-file .env agentops:dev \
#     node dist/services/ingest/src/main.js
#
# Entry points (all under /app/dist; their @agentops/* imports resolve through the npm workspace
# links node_modules/@agentops/<lib> -> libs/<lib>, whose index.js loads dist/libs/<lib>):
#   dist/services/{ingest,guardrail,escalation,killswitch,audit,console}/src/main.js   the services
#   dist/console-web/   the console's web app, served by the console service
#   dist/tools/topics/create-topics.js    create missing topics (KAFKA_REPLICATION_FACTOR, ...)
#   dist/tools/kafka-access/kafka-access.js  principals | acls | apply: Kafka ACLs from the contracts
#   dist/tools/db/migrate.js              apply every service's migrations
#   dist/tools/db/seed.js                 demo tenant + demo agent (prints its API key)
#
# Stages: `deps` (production node_modules only), `build` (full install + tsc), `runtime`.

# Node 20 as package.json's engines and @types/node ask. Its bundled npm 10 matters: npm 11
# (Node 24's) rejects this package-lock.json in `npm ci`, because the lock lacks other platforms'
# optional binaries (@swc/core-*, @unrs/resolver-binding-*); see scripts/lib.sh.
ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------------------------
# Production dependencies only, installed from the lockfile in a clean tree (nothing left over
# from the dev install). --ignore-scripts: no production dependency needs an install script
# (only nx, @swc/core and @parcel/watcher have one, and they are dev dependencies).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# The workspaces' manifests and entry files (libs/*/package.json, index.js): npm ci links them.
COPY libs ./libs
RUN --mount=type=cache,target=/root/.npm \
    find libs -mindepth 2 -maxdepth 2 ! -name package.json ! -name '*.js' ! -name bin -exec rm -rf {} + \
    && npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# ---------------------------------------------------------------------------------------------
# Full install and `npm run build` (tsc -p tsconfig.build.json -> dist/). The source comes in
# through .dockerignore (no host node_modules, dist/ or .tsbuildinfo: a stale incremental build
# info would make tsc skip emitting).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV CI=true NX_DAEMON=false NX_NO_CLOUD=true
COPY package.json package-lock.json ./
COPY --from=deps /app/libs ./libs
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build \
    && test -f dist/services/ingest/src/main.js \
    && test -f dist/tools/db/migrate.js \
    && test -f dist/tools/topics/create-topics.js \
    && test -f dist/tools/kafka-access/kafka-access.js \
    && test -f dist/console-web/app.js

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime

# tini as PID 1: forwards SIGTERM to node and reaps zombies. The services install their own
# SIGTERM handler only once they have booted; before that, node as PID 1 would ignore SIGTERM and
# `docker stop` / a pod deletion would wait for the SIGKILL.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini \
    && rm -rf /var/lib/apt/lists/*

# Numeric, non-root user so Kubernetes' runAsNonRoot can verify it. The app files stay owned by
# root and are read-only for the process (the code writes nothing to disk).
RUN groupadd --system --gid 10001 agentops \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin agentops

WORKDIR /app
ENV NODE_ENV=production \
    NODE_OPTIONS="--enable-source-maps --max-semi-space-size=8"

COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# node_modules/@agentops/* link to these: each lib's package.json and index.js (-> dist/libs/...).
COPY --from=deps /app/libs ./libs
COPY package.json ./
# Policy packs, breaker definitions and escalation routes are read from files at start.
COPY policies ./policies

USER 10001:10001

# The services listen on HTTP_PORT (defaults 3000-3005, see services/*/src/config.ts).
EXPOSE 3000 3001 3002 3003 3004 3005

ENTRYPOINT ["/usr/bin/tini", "--"]
# No default service: say how to pick one instead of silently starting the wrong thing.
CMD ["node", "-e", "console.error('agentops image: choose what to run, e.g.\\n  node dist/services/ingest/src/main.js\\n(services: ingest guardrail escalation killswitch audit console; tools: dist/tools/topics/create-topics.js dist/tools/db/migrate.js dist/tools/db/seed.js)'); process.exit(64)"]
