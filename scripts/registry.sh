#!/usr/bin/env bash
# Starts and stops a schema registry with a Confluent-compatible REST API for mig's tests, on
# 127.0.0.1 only: Apicurio Registry 3.0 (its Quarkus distribution from Maven, see
# scripts/registry/pom.xml) with in-memory storage, so every start begins empty. Its Confluent API
# lives under /apis/ccompat/v7, which is part of the URL that `env` prints.
#
# Usage: scripts/registry.sh up              start (idempotent)
#        scripts/registry.sh down [--purge]  stop what `up` started; --purge also deletes its logs
#        scripts/registry.sh status          exit 0 if running and answering, 3 otherwise
#        scripts/registry.sh env             print connection settings as KEY=value lines, e.g.
#                                              set -a; eval "$(bash scripts/registry.sh env)"; set +a
#
# Settings (environment):
#   MIG_TEST_REGISTRY_PORT    HTTP port (18081)
#   MIG_SERVICES_DIR          pid file, logs (<project>/.services)
#   MIG_CACHE_DIR             the unpacked registry goes to $MIG_CACHE_DIR/apicurio-registry-<version>
#                             (<project>/.cache)
#   MIG_SERVICES_TIMEOUT      seconds to wait for the registry to answer (90)
#   MIG_REGISTRY_HEAP_OPTS    JVM heap ("-Xmx384m -Xms64m")
#
# Only the process recorded in $MIG_SERVICES_DIR/registry.pid is ever stopped, and only after
# checking that its command line is the one `up` started.
set -euo pipefail

MSG_PREFIX="registry: "
# Sets ROOT (the working directory from here on), HOST, STATE, CACHE and TIMEOUT.
# shellcheck source=scripts/lib/daemon.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/daemon.sh"

PORT="${MIG_TEST_REGISTRY_PORT:-18081}"
HEAP="${MIG_REGISTRY_HEAP_OPTS:--Xmx384m -Xms64m}"
POM="$ROOT/scripts/registry/pom.xml"
# Apicurio's Confluent-compatible API; clients are configured with this as the registry URL.
BASE_PATH=/apis/ccompat/v7

RDIR="$STATE/registry"
RLOG="$RDIR/registry.log"
APT_LOG="$STATE/apt-registry.log"
# A lock of its own: scripts/services.sh may hold its lock for minutes while Kafka starts.
LOCK="$STATE/.registry.lock"

VERSION="$(sed -n 's:.*<apicurio.version>\(.*\)</apicurio.version>.*:\1:p' "$POM" | head -n 1)"
DIST="$CACHE/apicurio-registry-$VERSION"
RUNNER="$DIST/app/apicurio-registry-app-$VERSION-runner.jar"

# ---------------------------------------------------------------- helpers

check_settings "$PORT"
[ -n "$VERSION" ] || die "cannot read <apicurio.version> from scripts/registry/pom.xml"

# api_ok PORT: the Confluent API answers GET /subjects with 200. Plain bash, so the check needs
# neither curl nor node.
api_ok() {
  local status
  # shellcheck disable=SC2016 # expanded by the inner bash, from its arguments
  status="$(timeout 5 bash -c '
    exec 3<>"/dev/tcp/$0/$1" || exit 1
    printf "GET %s/subjects HTTP/1.0\r\nHost: %s:%s\r\nAccept: application/json\r\n\r\n" "$2" "$0" "$1" >&3
    IFS= read -r line <&3 && printf "%s" "$line"
  ' "$HOST" "$1" "$BASE_PATH" 2>/dev/null)" || return 1
  [[ "$status" == "HTTP/1."?" 200"* ]]
}

# The argument that identifies the process as ours (it is on that process's command line).
marker() { printf -- '-Dmig.registry.dir=%s' "$RDIR"; }

configured_port() { printf '%s' "$PORT"; }
answers() { api_ok "$2"; }
endpoint() { printf 'http://%s:%s%s' "$HOST" "$2" "$BASE_PATH"; }

# ---------------------------------------------------------------- fetch

fetch_registry() {
  # .complete holds the checksum of the pom the archive came from: editing the pom refetches.
  local want log archive
  want="$(sha256sum "$POM" | cut -c1-16)"
  [ "$(cat "$DIST/.complete" 2>/dev/null)" = "$want" ] && [ -f "$RUNNER" ] && return 0
  need registry mvn maven
  say "fetching Apicurio Registry $VERSION with Maven (first run only)..."
  mkdir -p "$DIST"
  log="$DIST/mvn.log"
  rm -rf "${DIST:?}/download" "${DIST:?}/app.tmp"
  mkdir -p "$DIST/download"
  mvn -B --no-transfer-progress -Dstyle.color=never -f "$POM" dependency:get \
    -Ddest="$DIST/download/" >"$log" 2>&1 ||
    die "mvn dependency:get failed" "$log"
  archive="$DIST/download/apicurio-registry-app-$VERSION-all.tar.gz"
  [ -f "$archive" ] || die "no apicurio-registry-app-$VERSION-all.tar.gz after the fetch" "$log"
  mkdir -p "$DIST/app.tmp"
  tar -xzf "$archive" -C "$DIST/app.tmp" 2>>"$log" || die "cannot unpack $archive" "$log"
  [ -f "$DIST/app.tmp/apicurio-registry-app-$VERSION-runner.jar" ] ||
    die "the archive has no apicurio-registry-app-$VERSION-runner.jar" "$log"
  rm -rf "${DIST:?}/app" "${DIST:?}/download"
  mv "$DIST/app.tmp" "$DIST/app"
  printf '%s\n' "$want" >"$DIST/.complete"
}

# ---------------------------------------------------------------- commands

registry_up() {
  local pid port

  if pid="$(running registry)"; then
    port="$(recorded_port registry)"
    [ "$port" = "$PORT" ] ||
      die "already running on $HOST:$port (pid $pid), not on $PORT; run 'down' first (or use another MIG_SERVICES_DIR)"
    if api_ok "$port"; then
      say "already running on $HOST:$port (pid $pid)"
      return 0
    fi
    say "pid $pid is running but not answering yet, waiting..."
    registry_wait "$pid" "$(now)"
    say "up on $HOST:$port (pid $pid)"
    return 0
  fi
  forget registry

  need registry java openjdk-17-jre-headless
  fetch_registry

  if port_open "$PORT"; then
    die "port $HOST:$PORT is already in use by another process (set MIG_TEST_REGISTRY_PORT)"
  fi

  mkdir -p "$RDIR"
  if [ -f "$RLOG" ]; then mv -f "$RLOG" "$RLOG.prev"; fi
  : >"$RLOG"
  local t0 started="$EPOCHREALTIME"
  t0="$(now)"
  # use-canonical-hash: the same schema written with other whitespace or key order is the same
  # schema (same id, no new version), as in Confluent's registry. The snapshot location is where
  # Apicurio would write exports; it defaults to /tmp. Quarkus also reads .env and
  # config/application.properties from its working directory: a directory of our own ($RDIR) keeps
  # a project's or user's files out of the registry's configuration.
  # shellcheck disable=SC2086 # HEAP is a list of JVM flags
  pid="$(start_detached "$RLOG" "$RDIR" java $HEAP -XX:+UseSerialGC -Djava.awt.headless=true \
    "$(marker registry)" \
    -Dquarkus.http.host="$HOST" -Dquarkus.http.port="$PORT" \
    -Dquarkus.log.console.color=false \
    -Dapicurio.ccompat.use-canonical-hash=true \
    -Dapicurio.storage.snapshot.location="$RDIR" \
    -jar "$RUNNER")"
  record registry "$pid" "$PORT"

  registry_wait "$pid" "$t0"
  say "up on $HOST:$PORT (pid $pid, $(took "$started")); Confluent API at http://$HOST:$PORT$BASE_PATH"
}

# registry_wait PID T0: until the Confluent API answers.
registry_wait() {
  local pid="$1" t0="$2"
  until api_ok "$PORT"; do
    is_ours registry "$pid" || {
      forget registry
      die "exited during start-up" "$RLOG"
    }
    if [ $(($(now) - t0)) -ge "$TIMEOUT" ]; then
      report "no answer on http://$HOST:$PORT$BASE_PATH after ${TIMEOUT}s; stopping it" "$RLOG"
      stop_pid registry "$pid" 30
      forget registry
      exit 1
    fi
    sleep 0.3
  done
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  up)
    [ $# -eq 0 ] || die "up takes no arguments"
    lock_state "$LOCK"
    registry_up
    ;;
  down)
    purge=0
    for a in "$@"; do
      case "$a" in
        --purge) purge=1 ;;
        *) die "unknown argument '$a' (expected: --purge)" ;;
      esac
    done
    lock_state "$LOCK"
    service_down registry
    if [ "$purge" = 1 ]; then
      # Only what `up` creates is deleted, never the whole of a user-chosen MIG_SERVICES_DIR.
      rm -rf "${RDIR:?}" "$APT_LOG" "$LOCK"
      say "purged logs"
    fi
    ;;
  status)
    service_status registry || exit 3
    ;;
  env)
    port="$PORT"
    running registry >/dev/null && port="$(recorded_port registry)"
    printf 'MIG_TEST_REGISTRY_PORT=%s\n' "$port"
    printf 'MIG_TEST_REGISTRY_URL=http://%s:%s%s\n' "$HOST" "$port" "$BASE_PATH"
    ;;
  -h | --help | help)
    usage
    ;;
  *)
    bad_command "$cmd"
    ;;
esac
