#!/usr/bin/env bash
# Local Kafka (KRaft, combined broker+controller nodes) without Docker: one node by default, or a
# cluster of three (KAFKA_BROKER_COUNT=3, a controller quorum of 3, replication 3 / min ISR 2).
#
# usage: deploy/local/kafka.sh up | down | status | logs [-f] | reset | users NAME...
#
# The broker runs straight from Maven-resolved jars (deploy/local/kafka/pom.xml),
# so the only prerequisites are a JDK >= 17 (java + javac) and Maven.
#
# Authenticated and authorised (docs/security.md § Kafka): clients use SASL/SCRAM-SHA-512,
# the StandardAuthorizer denies what no ACL allows. `up` generates the admin's and the KRaft
# controller's passwords on first start; `users NAME...` gives each named principal a
# password (generated on first use) and its SCRAM credential on the broker. ACLs are the
# project's business (tools/kafka-access, from libs/contracts KafkaAccess).
#
# Environment (all optional):
#   AGENTOPS_STATE_DIR     state root                     (default: <repo>/.local)
#   KAFKA_BROKER_COUNT     nodes: 1 or 3                  (default: 1; down/status/logs find any)
#   KAFKA_PORT             broker listener port           (default: 9092)
#   KAFKA_CONTROLLER_PORT  KRaft controller listener port (default: 9093; one node only)
#   KAFKA_VERSION          override <kafka.version> of the pom (default: from pom)
#   KAFKA_HEAP_OPTS        heap of each node              (default: -Xms256m -Xmx512m; three
#                          nodes: -Xms192m -Xmx384m)
#   KAFKA_JVM_OPTS         extra broker JVM flags         (default: none)
#   KAFKA_READY_TIMEOUT    seconds to wait for readiness  (default: 90)
#   KAFKA_STOP_TIMEOUT     seconds before SIGKILL on down (default: 30)
#   KAFKA_MVN_ARGS         extra mvn args for the download, e.g. -Dmaven.repo.local=...
#   KAFKA_PROXIED_PORT,    one node only: a second client listener on KAFKA_PROXIED_PORT that
#   KAFKA_PROXY_PORT       advertises KAFKA_PROXY_PORT, where a TCP proxy forwards to it (the chaos
#                          tool's latency and partition faults); clients that bootstrap through the
#                          proxy keep talking through it, setup tools keep using KAFKA_PORT
#
# State layout (${AGENTOPS_STATE_DIR}/kafka):
#   <version>/libs/      broker classpath (jar cache, kept by `reset`)
#   <version>/libs.ok    marker: present + matching pom hash => Maven is not run
#   <version>/probe/     compiled readiness probe and access tool (KafkaReady, KafkaAccess)
#   data/                KRaft metadata + topic data (deleted by `reset`)
#   cluster.id           cluster id used to format data/
#   server.properties    rendered from kafka/server.properties.tmpl on each `up` (mode 600)
#   credentials/         mode 700: admin, controller (passwords), admin.properties (the
#                        admin's client settings), users/<name> (principals' passwords)
#   sasl.formatted       directory.id of data/ when it was formatted with the SCRAM admin
#   users.applied/<name> "<directory.id> <password sha256>" once the broker has the credential
#   kafka.config.sha     checksum of the config the running broker started with
#   kafka.pid, kafka.log
#   cluster/             the three-node cluster, apart from the one-node broker's state:
#     cluster.id, users.applied/   as above, for the cluster
#     node-<i>/          data/, server.properties, sasl.formatted, kafka.config.sha, kafka.pid,
#                        kafka.log of node i (1..3)
#
# Ports of the three-node cluster (KAFKA_CONTROLLER_PORT is not used there):
#   node i (1..3): clients KAFKA_PORT+i-1, controller KAFKA_PORT+3+i-1
#   e.g. KAFKA_PORT=9092: clients 9092, 9093, 9094; controllers 9095, 9096, 9097.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "${SCRIPT_DIR}/../.." && pwd)"
KAFKA_SRC="${SCRIPT_DIR}/kafka"
POM="${KAFKA_SRC}/pom.xml"

STATE_ROOT="${AGENTOPS_STATE_DIR:-${REPO_ROOT}/.local}"
KSTATE="${STATE_ROOT}/kafka"
KAFKA_HOST=127.0.0.1
KAFKA_PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
BROKER_COUNT="${KAFKA_BROKER_COUNT:-}"
[[ -z "$BROKER_COUNT" || "$BROKER_COUNT" == 1 || "$BROKER_COUNT" == 3 ]] \
  || { printf 'kafka: ERROR: KAFKA_BROKER_COUNT must be 1 or 3 (got %s)\n' "$BROKER_COUNT" >&2; exit 2; }
READY_TIMEOUT="${KAFKA_READY_TIMEOUT:-90}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"

LOG_ROTATE_BYTES=$((50 * 1024 * 1024))
CRED_DIR="${KSTATE}/credentials"
ADMIN_PASSWORD_FILE="${CRED_DIR}/admin"
CONTROLLER_PASSWORD_FILE="${CRED_DIR}/controller"
ADMIN_PROPERTIES="${CRED_DIR}/admin.properties"
USERS_DIR="${CRED_DIR}/users"
CSTATE="${KSTATE}/cluster"

log() { printf 'kafka: %s\n' "$*"; }
die() { printf 'kafka: ERROR: %s\n' "$*" >&2; exit 1; }

# The layout of `count` nodes (1 or 3): its cluster id, users marker and client bootstrap list.
select_layout() {
  COUNT="$1"
  local i
  if ((COUNT == 1)); then
    LSTATE="$KSTATE"
  else
    LSTATE="$CSTATE"
  fi
  CLUSTER_ID_FILE="${LSTATE}/cluster.id"
  USERS_APPLIED="${LSTATE}/users.applied"
  BOOTSTRAP=""
  for ((i = 0; i < COUNT; i++)); do BOOTSTRAP+="${BOOTSTRAP:+,}${KAFKA_HOST}:$((KAFKA_PORT + i))"; done
}

# Node i (1-based) of the selected layout: its files and ports. One node keeps the historical paths
# and KAFKA_CONTROLLER_PORT; the cluster's nodes live under cluster/node-<i>.
select_node() {
  NODE_ID="$1"
  local dir
  if ((COUNT == 1)); then
    dir="$KSTATE"
    NODE_CONTROLLER_PORT="$CONTROLLER_PORT"
  else
    dir="${CSTATE}/node-${NODE_ID}"
    NODE_CONTROLLER_PORT=$((KAFKA_PORT + COUNT + NODE_ID - 1))
  fi
  NODE_PORT=$((KAFKA_PORT + NODE_ID - 1))
  NODE_BOOTSTRAP="${KAFKA_HOST}:${NODE_PORT}"
  DATA_DIR="${dir}/data"
  PID_FILE="${dir}/kafka.pid"
  LOG_FILE="${dir}/kafka.log"
  CONFIG_FILE="${dir}/server.properties"
  SASL_MARKER="${dir}/sasl.formatted"
  CONFIG_SUM_FILE="${dir}/kafka.config.sha"
}

# The layout that is running (the cluster if any of its nodes is), else the one asked for.
running_layout() {
  if [[ -n "$BROKER_COUNT" ]]; then
    printf '%s' "$BROKER_COUNT"
  elif cluster_running; then
    printf '3'
  else
    printf '1'
  fi
}

cluster_running() {
  local i
  for i in 1 2 3; do running_pid "${CSTATE}/node-${i}/kafka.pid" >/dev/null && return 0; done
  return 1
}

# The version decides the jar cache dir, so read it from the pom (single source of truth).
pom_version() {
  local v
  v="$(sed -n 's:.*<kafka.version>\([^<]*\)</kafka.version>.*:\1:p' "$POM" | head -n1)"
  [[ -n "$v" ]] || die "cannot read <kafka.version> from ${POM}"
  printf '%s' "$v"
}
VERSION="${KAFKA_VERSION:-$(pom_version)}"
VDIR="${KSTATE}/${VERSION}"
LIBS="${VDIR}/libs"
LIBS_MARKER="${VDIR}/libs.ok"
PROBE_DIR="${VDIR}/probe"
CP="${LIBS}/*" # JVM wildcard classpath; must reach java unexpanded (always quote)

require_java() {
  command -v java >/dev/null 2>&1 || die "java not found: install a JDK >= 17 (e.g. apt-get install openjdk-17-jdk-headless)"
  local major
  # `java -version` prints e.g. 'openjdk version "17.0.15"' (or "1.8.0_x" for Java 8).
  major="$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\)\.\{0,1\}\([0-9]*\).*/\1 \2/p' | head -n1 | awk '{print ($1 == 1) ? $2 : $1}')"
  [[ -n "$major" && "$major" -ge 17 ]] || die "Kafka ${VERSION} needs Java >= 17, found: $(java -version 2>&1 | head -n1)"
}

pom_hash() { { sha256sum "$POM"; printf '%s\n' "$VERSION"; } | sha256sum | cut -c1-16; }

# Resolve the broker classpath once per (version, pom content). The marker makes a
# second `up` skip Maven entirely; download goes to a temp dir + rename so an
# interrupted download never looks complete.
ensure_libs() {
  local want
  want="$(pom_hash)"
  if [[ -f "$LIBS_MARKER" && "$(cat "$LIBS_MARKER")" == "$want" && -d "$LIBS" ]]; then
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || die "mvn not found: Maven is needed once to download the Kafka ${VERSION} jars (apt-get install maven)"
  log "resolving Kafka ${VERSION} jars with Maven into ${LIBS} (first run only)..."
  mkdir -p "$VDIR"
  local tmp="${VDIR}/libs.tmp.$$"
  rm -rf "$tmp"
  local -a extra=()
  # KAFKA_MVN_ARGS is intentionally word-split (it is a list of flags).
  # shellcheck disable=SC2206
  [[ -n "${KAFKA_MVN_ARGS:-}" ]] && extra=(${KAFKA_MVN_ARGS})
  # Output goes to a file (Maven 3.8 emits stray ANSI codes even with -q -B) and is
  # shown only when the download fails.
  local mvn_log="${VDIR}/mvn.log"
  if ! mvn -q -B -Dstyle.color=never -f "$POM" "${extra[@]}" \
      dependency:copy-dependencies \
      -Dkafka.version="$VERSION" -DincludeScope=runtime -DoutputDirectory="$tmp" >"$mvn_log" 2>&1; then
    rm -rf "$tmp"
    tail -n 30 "$mvn_log" >&2
    die "Maven could not resolve org.apache.kafka:kafka_2.13:${VERSION} (network to Maven Central? full log: ${mvn_log})"
  fi
  compgen -G "${tmp}/kafka_2.13-*.jar" >/dev/null || { rm -rf "$tmp"; die "Maven finished but no kafka_2.13 jar in ${tmp}"; }
  rm -rf "$LIBS" "$PROBE_DIR"
  mv "$tmp" "$LIBS"
  printf '%s\n' "$want" >"$LIBS_MARKER"
  log "jars cached ($(find "$LIBS" -name '*.jar' | wc -l) files)"
}

# Compile the readiness probe and the access tool once per version (javac is part of any JDK).
ensure_probe() {
  local name src cls
  for name in KafkaReady KafkaAccess; do
    src="${KAFKA_SRC}/${name}.java" cls="${PROBE_DIR}/${name}.class"
    if [[ -f "$cls" && "$cls" -nt "$src" ]]; then continue; fi
    command -v javac >/dev/null 2>&1 || die "javac not found: install a full JDK >= 17 (openjdk-17-jdk-headless), not just a JRE"
    mkdir -p "$PROBE_DIR"
    javac -nowarn -cp "$CP" -d "$PROBE_DIR" "$src" || die "could not compile ${src}"
  done
}

small_java() {
  java -Xmx128m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -Dlog4j2.configurationFile="${KAFKA_SRC}/log4j2-quiet.xml" -cp "${PROBE_DIR}:${CP}" "$@"
}

# One real Kafka round-trip (describeCluster + listTopics) with the current node, authenticated as
# admin. Quiet unless asked.
probe() {
  local timeout_ms="${1:-5000}"
  small_java KafkaReady "$NODE_BOOTSTRAP" "$timeout_ms" "$ADMIN_PROPERTIES"
}

# 256 random bits as hex, without needing openssl.
random_secret() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# A password file, generated on first use (mode 600 in a mode 700 directory); never printed.
ensure_secret() {
  local file="$1"
  [[ -s "$file" ]] && return 0
  (umask 077 && mkdir -p "$(dirname "$file")" && random_secret >"${file}.tmp" && mv "${file}.tmp" "$file")
}

# The admin and controller passwords, and the admin's client settings for the probe and tools.
ensure_credentials() {
  (umask 077 && mkdir -p "$CRED_DIR")
  chmod 700 "$CRED_DIR"
  if [[ ! -s "$ADMIN_PASSWORD_FILE" && -s "$SASL_MARKER" && -f "${DATA_DIR}/meta.properties" ]]; then
    die "${ADMIN_PASSWORD_FILE} is gone, but ${DATA_DIR} holds the admin it was made for: restore the file, or start afresh with: $0 reset"
  fi
  ensure_secret "$ADMIN_PASSWORD_FILE"
  ensure_secret "$CONTROLLER_PASSWORD_FILE"
  (umask 077 && cat >"${ADMIN_PROPERTIES}.tmp" <<PROPS && mv "${ADMIN_PROPERTIES}.tmp" "$ADMIN_PROPERTIES")
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$(<"$ADMIN_PASSWORD_FILE")";
PROPS
}

# directory.id of the formatted data dir: tells one formatting of data/ from the next.
formatted_id() { sed -n 's/^directory\.id=//p' "${DATA_DIR}/meta.properties" 2>/dev/null; }

# True if something accepts TCP on 127.0.0.1:$1 (bash built-in, no nc needed).
port_open() { (exec 3<>"/dev/tcp/${KAFKA_HOST}/$1") 2>/dev/null; }

port_owner() {
  command -v ss >/dev/null 2>&1 || return 0
  ss -Hltnp "sport = :$1" 2>/dev/null | sed -n 's/.*users:((\(.*\))).*/\1/p' | head -n1
}

# Our broker is alive if the pid file (default: the current node's) points at a live kafka.Kafka JVM
# (guards pid reuse).
running_pid() {
  local file="${1:-$PID_FILE}"
  [[ -f "$file" ]] || return 1
  local pid
  pid="$(cat "$file" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/${pid}/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka' || return 1
  printf '%s' "$pid"
}

render_config() {
  local tmpl quorum i replication=1 min_isr=1
  if ((COUNT == 1)); then
    quorum="controller.quorum.bootstrap.servers=${KAFKA_HOST}:${NODE_CONTROLLER_PORT}"
  else
    local voters=""
    for ((i = 1; i <= COUNT; i++)); do voters+="${voters:+,}${i}@${KAFKA_HOST}:$((KAFKA_PORT + COUNT + i - 1))"; done
    quorum="controller.quorum.voters=${voters}"
    replication=3 min_isr=2
  fi
  tmpl="$(<"${KAFKA_SRC}/server.properties.tmpl")"
  # Pure-bash substitution: safe for any characters in the state dir path.
  tmpl="${tmpl//@NODE_ID@/${NODE_ID}}"
  tmpl="${tmpl//@QUORUM@/${quorum}}"
  tmpl="${tmpl//@REPLICATION@/${replication}}"
  tmpl="${tmpl//@MIN_ISR@/${min_isr}}"
  tmpl="${tmpl//@KAFKA_PORT@/${NODE_PORT}}"
  tmpl="${tmpl//@CONTROLLER_PORT@/${NODE_CONTROLLER_PORT}}"
  tmpl="${tmpl//@DATA_DIR@/${DATA_DIR}}"
  local proxied_listener="" proxied_advertised="" proxied_sasl=""
  if [[ -n "${KAFKA_PROXIED_PORT:-}" && -n "${KAFKA_PROXY_PORT:-}" ]] && ((COUNT == 1)); then
    proxied_listener=",PROXIED://${KAFKA_HOST}:${KAFKA_PROXIED_PORT}"
    proxied_advertised=",PROXIED://${KAFKA_HOST}:${KAFKA_PROXY_PORT}"
    proxied_sasl=$'listener.name.proxied.sasl.enabled.mechanisms=SCRAM-SHA-512\nlistener.name.proxied.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;'
  fi
  tmpl="${tmpl//@PROXIED_LISTENER@/${proxied_listener}}"
  tmpl="${tmpl//@PROXIED_ADVERTISED@/${proxied_advertised}}"
  tmpl="${tmpl//@PROXIED_SASL@/${proxied_sasl}}"
  tmpl="${tmpl//@ADMIN_PASSWORD@/$(<"$ADMIN_PASSWORD_FILE")}"
  tmpl="${tmpl//@CONTROLLER_PASSWORD@/$(<"$CONTROLLER_PASSWORD_FILE")}"
  (umask 077 && mkdir -p "$(dirname "$CONFIG_FILE")" && printf '%s\n' "$tmpl" >"${CONFIG_FILE}.tmp")
  mv "${CONFIG_FILE}.tmp" "$CONFIG_FILE"
}

config_sum() { sha256sum "$CONFIG_FILE" | cut -c1-64; }

storage_tool() { java -Xmx256m -Dlog4j2.configurationFile="${KAFKA_SRC}/log4j2-quiet.xml" -cp "$CP" kafka.tools.StorageTool "$@"; }

# Format KRaft storage exactly once, with the admin's SCRAM credential in the bootstrap metadata
# (the broker authenticates nobody else until `users` adds them). Storage formatted before
# authentication was switched on has no admin to log in as: it is dev data, so it is reformatted,
# saying so.
ensure_formatted() {
  if [[ -f "${DATA_DIR}/meta.properties" ]]; then
    [[ -s "$SASL_MARKER" && "$(<"$SASL_MARKER")" == "$(formatted_id)" ]] && return 0
    log "${DATA_DIR} was formatted before Kafka authentication (SASL/SCRAM, ACLs) was switched on: reformatting it."
    log "This is the local dev broker: its topics and messages are deleted; create-topics makes the topics again and the services rebuild their state from PostgreSQL."
    rm -rf "$DATA_DIR"
  fi
  # --standalone (KIP-853 dynamic quorum) exists since Kafka 3.9; that is our floor. The cluster's
  # nodes are formatted alike (same cluster id, the admin in each one's bootstrap metadata) for the
  # static voter set of their config.
  storage_tool format --help 2>&1 | grep -q -- '--standalone' \
    || die "Kafka ${VERSION}: StorageTool has no 'format --standalone'; these scripts need Kafka >= 3.9"
  local cid
  if [[ -s "$CLUSTER_ID_FILE" ]]; then
    cid="$(<"$CLUSTER_ID_FILE")"
  else
    cid="$(storage_tool random-uuid | tail -n1)"
    [[ "$cid" =~ ^[A-Za-z0-9_-]{22}$ ]] || die "unexpected cluster id from StorageTool random-uuid: '${cid}'"
    printf '%s\n' "$cid" >"$CLUSTER_ID_FILE"
  fi
  mkdir -p "$DATA_DIR"
  log "formatting KRaft storage in ${DATA_DIR} (node ${NODE_ID}, cluster id ${cid}, SCRAM user admin)"
  # The password goes in on stdin (KafkaAccess), never on a command line.
  local quorum=static
  ((COUNT > 1)) || quorum=standalone
  small_java KafkaAccess format "$CONFIG_FILE" "$cid" "$quorum" \
    <"$ADMIN_PASSWORD_FILE" >>"$LOG_FILE" 2>&1 \
    || { tail -n 20 "$LOG_FILE" >&2; die "storage format failed (see ${LOG_FILE})"; }
  formatted_id >"$SASL_MARKER"
  rm -rf "$USERS_APPLIED" # a fresh metadata log holds no users yet
}

fail_with_log() {
  printf 'kafka: ---- last 40 lines of %s ----\n' "$LOG_FILE" >&2
  tail -n 40 "$LOG_FILE" >&2 || true
  die "$1"
}

# Poll the current node with a real Kafka request until it is ready (and, in a cluster, sees every
# node registered), the JVM dies, or the deadline passes.
wait_ready() {
  local pid="$1" deadline=$((SECONDS + READY_TIMEOUT)) out
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      fail_with_log "broker process ${pid} (node ${NODE_ID}) exited during startup"
    fi
    # Cheap TCP pre-check first so we don't spawn a probe JVM per loop while the
    # broker is still booting (and notice a crashed JVM within ~1 s).
    if ! port_open "$NODE_PORT"; then
      out="nothing listening on ${NODE_BOOTSTRAP} yet"
    elif out="$(probe 5000 2>&1)"; then
      if [[ "$out" == *" brokers=${COUNT} "* ]]; then
        log "${out}"
        if ((COUNT == 1)); then echo "kafka ready on ${NODE_BOOTSTRAP}"; else echo "kafka ready on ${NODE_BOOTSTRAP} (node ${NODE_ID} of ${COUNT})"; fi
        return 0
      fi
      out="${out} (waiting for ${COUNT} brokers)"
    fi
    if ((SECONDS >= deadline)); then
      fail_with_log "broker pid ${pid} not answering Kafka requests on ${NODE_BOOTSTRAP} after ${READY_TIMEOUT}s (last probe: ${out##*$'\n'})"
    fi
    sleep 0.5
  done
}

# Serialise up/down/reset (parallel CI steps or nx targets may call `up` together).
take_lock() {
  mkdir -p "$KSTATE"
  exec 9>"${KSTATE}/.lock"
  flock -w 120 9 || die "another kafka.sh is holding ${KSTATE}/.lock for >120s"
}

# Starts the current node's JVM in the background (its readiness is awaited by the caller).
start_node() {
  ensure_formatted
  # Keep the log bounded across restarts (the broker itself only writes to stdout).
  if [[ -f "$LOG_FILE" ]] && (($(stat -c %s "$LOG_FILE") > LOG_ROTATE_BYTES)); then
    mv -f "$LOG_FILE" "${LOG_FILE}.1"
  fi
  printf '\n===== %s kafka.sh up: Kafka %s node %s/%s on %s =====\n' "$(date -Is)" "$VERSION" "$NODE_ID" "$COUNT" "$NODE_BOOTSTRAP" >>"$LOG_FILE"

  local -a heap jvm_extra=()
  # Intentionally word-split: these env vars hold lists of JVM flags. Three nodes share the
  # machine, so each gets a smaller default heap.
  # shellcheck disable=SC2206
  local default_heap='-Xms256m -Xmx512m'
  ((COUNT == 1)) || default_heap='-Xms192m -Xmx384m'
  # shellcheck disable=SC2206
  heap=(${KAFKA_HEAP_OPTS:-$default_heap})
  # shellcheck disable=SC2206
  [[ -n "${KAFKA_JVM_OPTS:-}" ]] && jvm_extra=(${KAFKA_JVM_OPTS})

  # setsid: own session, so the broker survives this shell / CI step and is not hit
  # by its signals; stdin from /dev/null so nothing waits on our terminal. setsid
  # execs in place here (we are not a process-group leader), so $! is the JVM pid.
  # log4j2.shutdownHookEnabled=false: keep logging alive for Kafka's own shutdown hook.
  # 9>&-: the broker must not inherit (and forever hold) the kafka.sh lock fd.
  setsid nohup java "${heap[@]}" "${jvm_extra[@]}" \
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError \
    -Djava.awt.headless=true -Dlog4j2.shutdownHookEnabled=false \
    -Dlog4j2.configurationFile="${KAFKA_SRC}/log4j2.xml" \
    -cp "$CP" kafka.Kafka "$CONFIG_FILE" \
    </dev/null >>"$LOG_FILE" 2>&1 9>&- &
  local pid=$!
  printf '%s\n' "$pid" >"$PID_FILE"
  config_sum >"$CONFIG_SUM_FILE"
  log "started Kafka ${VERSION} node ${NODE_ID} (pid ${pid}) on ${NODE_BOOTSTRAP}, log ${LOG_FILE}"
}

# Stops every running node of the layout of `count` nodes (the other layout holds our ports).
stop_layout() {
  local saved="$COUNT" i pid
  select_layout "$1"
  for ((i = 1; i <= COUNT; i++)); do
    select_node "$i"
    if pid="$(running_pid)"; then stop_broker "$pid"; else rm -f "$PID_FILE"; fi
  done
  select_layout "$saved"
}

cmd_up() {
  require_java
  take_lock
  select_layout "${BROKER_COUNT:-1}"
  select_node 1
  ensure_credentials
  local other=$((COUNT == 1 ? 3 : 1)) i pid
  if { ((other == 3)) && cluster_running; } || { ((other == 1)) && running_pid "${KSTATE}/kafka.pid" >/dev/null; }; then
    log "the ${other}-node layout is running on these ports: stopping it first (its data is kept)"
    stop_layout "$other"
    select_node 1
  fi
  ensure_libs
  ensure_probe
  local -a started=()
  for ((i = 1; i <= COUNT; i++)); do
    select_node "$i"
    render_config
    if pid="$(running_pid)"; then
      if [[ -s "$CONFIG_SUM_FILE" && "$(<"$CONFIG_SUM_FILE")" == "$(config_sum)" ]]; then
        log "node ${NODE_ID} already running (pid ${pid})"
        started+=("$i:$pid")
        continue
      fi
      # e.g. a broker started before authentication was switched on: it would refuse no one.
      log "the running node ${NODE_ID} (pid ${pid}) was started with another configuration: restarting it"
      stop_broker "$pid"
    fi
    rm -f "$PID_FILE"
    # Someone else holds our ports: refuse instead of starting a broker that cannot bind.
    local p
    for p in "$NODE_PORT" "$NODE_CONTROLLER_PORT"; do
      if port_open "$p"; then
        local owner
        owner="$(port_owner "$p")"
        die "port ${KAFKA_HOST}:${p} is already in use by another process${owner:+ (${owner})}, not by the broker managed from ${KSTATE}. Stop it, or use KAFKA_PORT/KAFKA_CONTROLLER_PORT."
      fi
    done
    start_node
    started+=("$i:$(<"$PID_FILE")")
  done
  # A cluster elects its controller only once a majority is up, so every node is started first.
  log "waiting up to ${READY_TIMEOUT}s per node for readiness..."
  local entry
  for entry in "${started[@]}"; do
    select_node "${entry%%:*}"
    wait_ready "${entry#*:}"
  done
  ((COUNT == 1)) || echo "kafka cluster ready: ${BOOTSTRAP}"
}

stop_broker() {
  local pid="$1"
  log "stopping node ${NODE_ID} pid ${pid} (SIGTERM, up to ${STOP_TIMEOUT}s for controlled shutdown)..."
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      log "still alive after ${STOP_TIMEOUT}s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 1
      break
    fi
    sleep 0.5
  done
  rm -f "$PID_FILE" "$CONFIG_SUM_FILE"
  log "stopped"
}

# Every node of either layout. A cluster's nodes stop in reverse order, so the last ones standing
# still form a quorum while the others shut down in a controlled way; the last node's quorum is
# gone by then, hence its shorter wait before SIGKILL.
cmd_down() {
  take_lock
  local any=0 i pid
  select_layout 3
  for ((i = COUNT; i >= 1; i--)); do
    select_node "$i"
    if pid="$(running_pid)"; then
      any=1
      STOP_TIMEOUT=$((i == 1 ? (STOP_TIMEOUT < 10 ? STOP_TIMEOUT : 10) : STOP_TIMEOUT)) stop_broker "$pid"
    else
      rm -f "$PID_FILE"
    fi
  done
  select_layout 1
  select_node 1
  if pid="$(running_pid)"; then any=1 && stop_broker "$pid"; else rm -f "$PID_FILE"; fi
  ((any)) || log "not running"
}

# Each named principal gets a password (credentials/users/<name>, generated on first use) and its
# SCRAM-SHA-512 credential on the running broker(s); one JVM for all that the cluster lacks, none
# when it has them all. The project's tools read the password files; nothing here prints one.
cmd_users() {
  (($# > 0)) || die "usage: $0 users NAME..."
  require_java
  take_lock
  select_layout "$(running_layout)"
  select_node 1
  running_pid >/dev/null || die "the broker is not running (run: $0 up)"
  ensure_libs
  ensure_probe
  local id name file want plan="" count=0
  local -a applied=()
  id="$(formatted_id)"
  for name in "$@"; do
    [[ "$name" =~ ^[A-Za-z0-9._-]{1,100}$ && "$name" != admin && "$name" != controller ]] \
      || die "not a principal name: '${name}' (letters, digits, . _ -; not admin or controller)"
    file="${USERS_DIR}/${name}"
    ensure_secret "$file"
    want="${id} $(sha256sum <"$file" | cut -c1-64)"
    [[ -s "${USERS_APPLIED}/${name}" && "$(<"${USERS_APPLIED}/${name}")" == "$want" ]] && continue
    plan+="upsert ${name} $(<"$file")"$'\n'
    applied+=("${name}=${want}")
    count=$((count + 1))
  done
  if ((count > 0)); then
    printf '%s' "$plan" | small_java KafkaAccess users "$BOOTSTRAP" "$ADMIN_PROPERTIES" >/dev/null \
      || die "could not create the SCRAM users on ${BOOTSTRAP} (is the broker up? see: $0 logs)"
    mkdir -p "$USERS_APPLIED"
    local entry
    for entry in "${applied[@]}"; do printf '%s\n' "${entry#*=}" >"${USERS_APPLIED}/${entry%%=*}"; done
  fi
  log "SCRAM users ready on ${BOOTSTRAP}: $* (${count} created or updated)"
}

# One line per node of the running layout; exit 0 if any node runs, 3 if none does.
cmd_status() {
  local pid i up=0
  select_layout "$(running_layout)"
  for ((i = 1; i <= COUNT; i++)); do
    select_node "$i"
    local who="kafka"
    ((COUNT == 1)) || who="kafka node ${NODE_ID}/${COUNT}"
    if pid="$(running_pid)"; then
      up=$((up + 1))
      if port_open "$NODE_PORT"; then
        echo "${who} running (pid ${pid}) on ${NODE_BOOTSTRAP}, version ${VERSION}, state ${DATA_DIR%/data}"
      else
        echo "${who} running (pid ${pid}) but ${NODE_BOOTSTRAP} not listening yet (starting or stuck; see: $0 logs)"
      fi
    elif ((COUNT > 1)); then
      echo "${who} stopped (port ${NODE_PORT})"
    fi
  done
  ((up > 0)) && return 0
  ((COUNT == 1)) && echo "kafka stopped (state ${KSTATE})"
  return 3
}

# The running layout's logs: one node's as before, a cluster's with a header per node.
cmd_logs() {
  local i
  local -a files=()
  select_layout "$(running_layout)"
  for ((i = 1; i <= COUNT; i++)); do
    select_node "$i"
    [[ -f "$LOG_FILE" ]] && files+=("$LOG_FILE")
  done
  ((${#files[@]} > 0)) || die "no log yet under ${LSTATE} (run: $0 up)"
  if [[ "${1:-}" == "-f" ]]; then
    exec tail -n 100 -F "${files[@]}"
  fi
  tail -n "${KAFKA_LOG_LINES:-100}" "${files[@]}"
}

cmd_reset() {
  cmd_down
  # Topic data + KRaft metadata + cluster id go, for both layouts; the jar cache (<version>/) and the
  # credentials stay.
  rm -rf "${KSTATE}/data" "${KSTATE}/cluster.id" "${KSTATE}/sasl.formatted" "${KSTATE}/users.applied" \
    "${CSTATE}"/node-*/data "${CSTATE}/cluster.id" "${CSTATE}"/node-*/sasl.formatted "${CSTATE}/users.applied"
  log "deleted the KRaft data of ${KSTATE} (jar cache and credentials kept)"
}

usage() { echo "usage: [KAFKA_BROKER_COUNT=1|3] $0 up | down | status | logs [-f] | reset | users NAME..." >&2; }

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  logs) shift; cmd_logs "$@" ;;
  reset) cmd_reset ;;
  users) shift; cmd_users "$@" ;;
  -h | --help | help) usage ;;
  *) usage; exit 2 ;;
esac
