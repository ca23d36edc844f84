#!/usr/bin/env bash
# Local single-node Kafka (KRaft, combined broker+controller) without Docker.
#
# usage: deploy/local/kafka.sh up | down | status | logs [-f] | reset
#
# The broker runs straight from Maven-resolved jars (deploy/local/kafka/pom.xml),
# so the only prerequisites are a JDK >= 17 (java + javac) and Maven.
#
# Environment (all optional):
#   AGENTOPS_STATE_DIR     state root                     (default: <repo>/.local)
#   KAFKA_PORT             broker listener port           (default: 9092)
#   KAFKA_CONTROLLER_PORT  KRaft controller listener port (default: 9093)
#   KAFKA_VERSION          override <kafka.version> of the pom (default: from pom)
#   KAFKA_HEAP_OPTS        broker heap                    (default: -Xms256m -Xmx512m)
#   KAFKA_JVM_OPTS         extra broker JVM flags         (default: none)
#   KAFKA_READY_TIMEOUT    seconds to wait for readiness  (default: 90)
#   KAFKA_STOP_TIMEOUT     seconds before SIGKILL on down (default: 30)
#   KAFKA_MVN_ARGS         extra mvn args for the download, e.g. -Dmaven.repo.local=...
#
# State layout (${AGENTOPS_STATE_DIR}/kafka):
#   <version>/libs/      broker classpath (jar cache, kept by `reset`)
#   <version>/libs.ok    marker: present + matching pom hash => Maven is not run
#   <version>/probe/     compiled readiness probe (KafkaReady.class)
#   data/                KRaft metadata + topic data (deleted by `reset`)
#   cluster.id           cluster id used to format data/
#   server.properties    rendered from kafka/server.properties.tmpl on each `up`
#   kafka.pid, kafka.log
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
BOOTSTRAP="${KAFKA_HOST}:${KAFKA_PORT}"
READY_TIMEOUT="${KAFKA_READY_TIMEOUT:-90}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"

DATA_DIR="${KSTATE}/data"
PID_FILE="${KSTATE}/kafka.pid"
LOG_FILE="${KSTATE}/kafka.log"
CONFIG_FILE="${KSTATE}/server.properties"
CLUSTER_ID_FILE="${KSTATE}/cluster.id"
LOG_ROTATE_BYTES=$((50 * 1024 * 1024))

log() { printf 'kafka: %s\n' "$*"; }
die() { printf 'kafka: ERROR: %s\n' "$*" >&2; exit 1; }

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

# Compile the AdminClient readiness probe once per version (javac is part of any JDK).
ensure_probe() {
  local src="${KAFKA_SRC}/KafkaReady.java" cls="${PROBE_DIR}/KafkaReady.class"
  if [[ -f "$cls" && "$cls" -nt "$src" ]]; then return 0; fi
  command -v javac >/dev/null 2>&1 || die "javac not found: install a full JDK >= 17 (openjdk-17-jdk-headless), not just a JRE"
  mkdir -p "$PROBE_DIR"
  javac -nowarn -cp "$CP" -d "$PROBE_DIR" "$src" || die "could not compile ${src}"
}

# One real Kafka round-trip (describeCluster + listTopics). Quiet unless asked.
probe() {
  local timeout_ms="${1:-5000}"
  java -Xmx128m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -Dlog4j2.configurationFile="${KAFKA_SRC}/log4j2-quiet.xml" \
    -cp "${PROBE_DIR}:${CP}" KafkaReady "$BOOTSTRAP" "$timeout_ms"
}

# True if something accepts TCP on 127.0.0.1:$1 (bash built-in, no nc needed).
port_open() { (exec 3<>"/dev/tcp/${KAFKA_HOST}/$1") 2>/dev/null; }

port_owner() {
  command -v ss >/dev/null 2>&1 || return 0
  ss -Hltnp "sport = :$1" 2>/dev/null | sed -n 's/.*users:((\(.*\))).*/\1/p' | head -n1
}

# Our broker is alive if the pid file points at a live kafka.Kafka JVM (guards pid reuse).
running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/${pid}/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka' || return 1
  printf '%s' "$pid"
}

render_config() {
  local tmpl
  tmpl="$(<"${KAFKA_SRC}/server.properties.tmpl")"
  # Pure-bash substitution: safe for any characters in the state dir path.
  tmpl="${tmpl//@KAFKA_PORT@/${KAFKA_PORT}}"
  tmpl="${tmpl//@CONTROLLER_PORT@/${CONTROLLER_PORT}}"
  tmpl="${tmpl//@DATA_DIR@/${DATA_DIR}}"
  printf '%s\n' "$tmpl" >"${CONFIG_FILE}.tmp"
  mv "${CONFIG_FILE}.tmp" "$CONFIG_FILE"
}

storage_tool() { java -Xmx256m -Dlog4j2.configurationFile="${KAFKA_SRC}/log4j2-quiet.xml" -cp "$CP" kafka.tools.StorageTool "$@"; }

# Format KRaft storage exactly once: meta.properties in the data dir means "formatted".
ensure_formatted() {
  if [[ -f "${DATA_DIR}/meta.properties" ]]; then
    return 0
  fi
  # --standalone (KIP-853 dynamic quorum) exists since Kafka 3.9; that is our floor.
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
  log "formatting KRaft storage in ${DATA_DIR} (cluster id ${cid})"
  storage_tool format --standalone -t "$cid" -c "$CONFIG_FILE" >>"$LOG_FILE" 2>&1 \
    || { tail -n 20 "$LOG_FILE" >&2; die "storage format failed (see ${LOG_FILE})"; }
}

fail_with_log() {
  printf 'kafka: ---- last 40 lines of %s ----\n' "$LOG_FILE" >&2
  tail -n 40 "$LOG_FILE" >&2 || true
  die "$1"
}

# Poll with a real Kafka request until ready, the JVM dies, or the deadline passes.
wait_ready() {
  local pid="$1" deadline=$((SECONDS + READY_TIMEOUT)) out
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      fail_with_log "broker process ${pid} exited during startup"
    fi
    # Cheap TCP pre-check first so we don't spawn a probe JVM per loop while the
    # broker is still booting (and notice a crashed JVM within ~1 s).
    if ! port_open "$KAFKA_PORT"; then
      out="nothing listening on ${BOOTSTRAP} yet"
    elif out="$(probe 5000 2>&1)"; then
      log "${out}"
      echo "kafka ready on ${BOOTSTRAP}"
      return 0
    fi
    if ((SECONDS >= deadline)); then
      fail_with_log "broker pid ${pid} not answering Kafka requests on ${BOOTSTRAP} after ${READY_TIMEOUT}s (last probe: ${out##*$'\n'})"
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

cmd_up() {
  require_java
  take_lock
  local pid
  if pid="$(running_pid)"; then
    # Idempotent: already ours. Still confirm it answers (it may be mid-startup).
    log "already running (pid ${pid})"
    ensure_libs
    ensure_probe
    wait_ready "$pid"
    return 0
  fi
  rm -f "$PID_FILE"
  # Someone else holds our ports: refuse instead of starting a broker that cannot bind.
  local p
  for p in "$KAFKA_PORT" "$CONTROLLER_PORT"; do
    if port_open "$p"; then
      local owner
      owner="$(port_owner "$p")"
      die "port ${KAFKA_HOST}:${p} is already in use by another process${owner:+ (${owner})}, not by the broker managed from ${KSTATE}. Stop it, or use KAFKA_PORT/KAFKA_CONTROLLER_PORT."
    fi
  done

  ensure_libs
  ensure_probe
  render_config
  ensure_formatted

  # Keep the log bounded across restarts (the broker itself only writes to stdout).
  if [[ -f "$LOG_FILE" ]] && (($(stat -c %s "$LOG_FILE") > LOG_ROTATE_BYTES)); then
    mv -f "$LOG_FILE" "${LOG_FILE}.1"
  fi
  printf '\n===== %s kafka.sh up: Kafka %s on %s =====\n' "$(date -Is)" "$VERSION" "$BOOTSTRAP" >>"$LOG_FILE"

  local -a heap jvm_extra=()
  # Intentionally word-split: these env vars hold lists of JVM flags.
  # shellcheck disable=SC2206
  heap=(${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m})
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
  pid=$!
  printf '%s\n' "$pid" >"$PID_FILE"
  log "started Kafka ${VERSION} (pid ${pid}), log ${LOG_FILE}; waiting up to ${READY_TIMEOUT}s for readiness..."
  wait_ready "$pid"
}

cmd_down() {
  take_lock
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    log "not running"
    return 0
  fi
  log "stopping pid ${pid} (SIGTERM, up to ${STOP_TIMEOUT}s for controlled shutdown)..."
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
  rm -f "$PID_FILE"
  log "stopped"
}

cmd_status() {
  local pid
  if pid="$(running_pid)"; then
    if port_open "$KAFKA_PORT"; then
      echo "kafka running (pid ${pid}) on ${BOOTSTRAP}, version ${VERSION}, state ${KSTATE}"
    else
      echo "kafka running (pid ${pid}) but ${BOOTSTRAP} not listening yet (starting or stuck; see: $0 logs)"
    fi
    return 0
  fi
  echo "kafka stopped (state ${KSTATE})"
  return 3
}

cmd_logs() {
  [[ -f "$LOG_FILE" ]] || die "no log yet at ${LOG_FILE} (run: $0 up)"
  if [[ "${1:-}" == "-f" ]]; then
    exec tail -n 100 -F "$LOG_FILE"
  fi
  tail -n "${KAFKA_LOG_LINES:-100}" "$LOG_FILE"
}

cmd_reset() {
  cmd_down
  # Topic data + KRaft metadata + cluster id go; the jar cache (<version>/) stays.
  rm -rf "$DATA_DIR" "$CLUSTER_ID_FILE"
  log "deleted ${DATA_DIR} (jar cache kept in ${VDIR})"
}

usage() { echo "usage: $0 up | down | status | logs [-f] | reset" >&2; }

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  logs) shift; cmd_logs "$@" ;;
  reset) cmd_reset ;;
  -h | --help | help) usage ;;
  *) usage; exit 2 ;;
esac
