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

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

HOST=127.0.0.1
PORT="${MIG_TEST_REGISTRY_PORT:-18081}"
STATE="${MIG_SERVICES_DIR:-.services}"
CACHE="${MIG_CACHE_DIR:-.cache}"
TIMEOUT="${MIG_SERVICES_TIMEOUT:-90}"
HEAP="${MIG_REGISTRY_HEAP_OPTS:--Xmx384m -Xms64m}"
POM="$ROOT/scripts/registry/pom.xml"
# Apicurio's Confluent-compatible API; clients are configured with this as the registry URL.
BASE_PATH=/apis/ccompat/v7

case "$STATE" in /*) ;; *) STATE="$ROOT/$STATE" ;; esac
case "$CACHE" in /*) ;; *) CACHE="$ROOT/$CACHE" ;; esac

RDIR="$STATE/registry"
RLOG="$RDIR/registry.log"
PIDFILE="$STATE/registry.pid"
PORTFILE="$STATE/registry.port"

VERSION="$(sed -n 's:.*<apicurio.version>\(.*\)</apicurio.version>.*:\1:p' "$POM" | head -n 1)"
DIST="$CACHE/apicurio-registry-$VERSION"
RUNNER="$DIST/app/apicurio-registry-app-$VERSION-runner.jar"

# ---------------------------------------------------------------- helpers

say() { printf 'registry: %s\n' "$*"; }

# report MESSAGE [LOGFILE...]: one-line error on stderr, then the tail of each non-empty LOGFILE.
report() {
  local f
  printf 'error: registry: %s\n' "$1" >&2
  shift
  for f in "$@"; do
    [ -s "$f" ] || continue
    printf -- '--- last lines of %s ---\n' "${f#"$ROOT"/}" >&2
    tail -n 25 "$f" >&2
  done
}
die() {
  report "$@"
  exit 1
}

if ! [[ "$PORT" =~ ^[0-9]+$ ]] || [ "$PORT" -lt 1 ] || [ "$PORT" -gt 65535 ]; then
  die "not a valid port: '$PORT'"
fi
[[ "$TIMEOUT" =~ ^[0-9]+$ ]] || die "MIG_SERVICES_TIMEOUT must be a number of seconds"
[ -n "$VERSION" ] || die "cannot read <apicurio.version> from scripts/registry/pom.xml"

now() { date +%s; }

# took T0: seconds since T0 (an $EPOCHREALTIME value), one decimal.
took() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1fs", b - a }'; }

# port_open PORT: something accepts TCP connections on $HOST:PORT.
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null; }

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

# is_ours PID: PID is alive (not a zombie) and was started by `up`.
is_ours() {
  local cmd
  [[ "$1" =~ ^[0-9]+$ ]] || return 1
  cmd="$({ tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null)" || return 1
  [[ "$cmd" == *"$(marker) "* ]]
}

# running: prints the recorded pid when that process is ours and alive.
running() {
  local pid
  [ -f "$PIDFILE" ] || return 1
  pid="$(cat "$PIDFILE" 2>/dev/null)"
  is_ours "$pid" || return 1
  printf '%s' "$pid"
}

recorded_port() { if [ -f "$PORTFILE" ]; then cat "$PORTFILE"; else printf '%s' "$PORT"; fi; }

# stop_pid PID SECONDS: TERM, wait, then KILL.
stop_pid() {
  local pid="$1" limit="$2" t0
  kill -TERM "$pid" 2>/dev/null || return 0
  t0="$(now)"
  while is_ours "$pid"; do
    if [ $(($(now) - t0)) -ge "$limit" ]; then
      say "still running after ${limit}s, sending KILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
}

# apt_install PKG...: installs Debian packages; `apt-get update` only when the lists lack them.
apt_install() {
  local log="$STATE/apt-registry.log" sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "installing $* needs root (or sudo)"
    sudo=(sudo -n)
  fi
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found: install $* yourself"
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >"$log" 2>&1; then
    if grep -qE 'Unable to locate package|has no installation candidate|Failed to fetch' "$log"; then
      "${sudo[@]}" apt-get update >>"$log" 2>&1 || die "apt-get update failed" "$log"
      "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >>"$log" 2>&1 ||
        die "apt-get install $* failed" "$log"
    else
      die "apt-get install $* failed" "$log"
    fi
  fi
}

# start_detached LOGFILE DIR CMD...: runs CMD in DIR in its own session, prints its pid.
start_detached() {
  local out="$1" dir="$2"
  shift 2
  (
    # The registry must not inherit our descriptors above 2 (the lock, or a caller's pipe that
    # would then never close).
    for fd in /proc/"$BASHPID"/fd/*; do
      fd="${fd##*/}"
      if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    # Quarkus also reads .env and config/application.properties from its working directory: a
    # directory of our own keeps a project's or user's files out of the registry's configuration.
    cd "$dir"
    # A background subshell of a non-interactive shell is not a process group leader, so
    # setsid calls setsid() and execs CMD in this same process: $! is CMD's pid.
    exec setsid "$@" </dev/null >>"$out" 2>&1
  ) &
  printf '%s' "$!"
}

# ---------------------------------------------------------------- fetch

fetch_registry() {
  # .complete holds the checksum of the pom the archive came from: editing the pom refetches.
  local want log archive
  want="$(sha256sum "$POM" | cut -c1-16)"
  [ "$(cat "$DIST/.complete" 2>/dev/null)" = "$want" ] && [ -f "$RUNNER" ] && return 0
  if ! command -v mvn >/dev/null 2>&1; then
    say "installing package maven..."
    apt_install maven
  fi
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

  if pid="$(running)"; then
    port="$(recorded_port)"
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
  rm -f "$PIDFILE" "$PORTFILE"

  if ! command -v java >/dev/null 2>&1; then
    say "installing package openjdk-17-jre-headless..."
    apt_install openjdk-17-jre-headless
  fi
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
  # Apicurio would write exports; it defaults to /tmp.
  # shellcheck disable=SC2086 # HEAP is a list of JVM flags
  pid="$(start_detached "$RLOG" "$RDIR" java $HEAP -XX:+UseSerialGC -Djava.awt.headless=true \
    "$(marker)" \
    -Dquarkus.http.host="$HOST" -Dquarkus.http.port="$PORT" \
    -Dquarkus.log.console.color=false \
    -Dapicurio.ccompat.use-canonical-hash=true \
    -Dapicurio.storage.snapshot.location="$RDIR" \
    -jar "$RUNNER")"
  printf '%s\n' "$pid" >"$PIDFILE"
  printf '%s\n' "$PORT" >"$PORTFILE"

  registry_wait "$pid" "$t0"
  say "up on $HOST:$PORT (pid $pid, $(took "$started")); Confluent API at http://$HOST:$PORT$BASE_PATH"
}

# registry_wait PID T0: until the Confluent API answers.
registry_wait() {
  local pid="$1" t0="$2"
  until api_ok "$PORT"; do
    is_ours "$pid" || {
      rm -f "$PIDFILE" "$PORTFILE"
      die "exited during start-up" "$RLOG"
    }
    if [ $(($(now) - t0)) -ge "$TIMEOUT" ]; then
      report "no answer on http://$HOST:$PORT$BASE_PATH after ${TIMEOUT}s; stopping it" "$RLOG"
      stop_pid "$pid" 30
      rm -f "$PIDFILE" "$PORTFILE"
      exit 1
    fi
    sleep 0.3
  done
}

registry_down() {
  local pid=""
  [ -f "$PIDFILE" ] && pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  if [ -n "$pid" ] && is_ours "$pid"; then
    say "stopping (pid $pid)..."
    stop_pid "$pid" 30
    if is_ours "$pid"; then die "pid $pid did not exit"; fi
    say "stopped"
  elif [ -f "$PIDFILE" ]; then
    say "not running (removed stale pid file)"
  else
    say "not running"
  fi
  rm -f "$PIDFILE" "$PORTFILE"
}

registry_status() {
  local pid port
  if pid="$(running)"; then
    port="$(recorded_port)"
    if api_ok "$port"; then
      say "running (pid $pid, http://$HOST:$port$BASE_PATH)"
      return 0
    fi
    say "starting or unhealthy (pid $pid, http://$HOST:$port$BASE_PATH not answering)"
    return 1
  fi
  say "stopped"
  return 1
}

# A lock of its own: scripts/services.sh may hold its lock for minutes while Kafka starts.
lock_state() {
  mkdir -p "$STATE"
  exec 9>"$STATE/.registry.lock"
  flock -w 600 9 || die "another registry.sh is still running (lock $STATE/.registry.lock)"
}

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  up)
    [ $# -eq 0 ] || die "up takes no arguments"
    lock_state
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
    lock_state
    registry_down
    if [ "$purge" = 1 ]; then
      # Only what `up` creates is deleted, never the whole of a user-chosen MIG_SERVICES_DIR.
      rm -rf "${RDIR:?}" "$STATE/apt-registry.log" "$STATE/.registry.lock"
      say "purged logs"
    fi
    ;;
  status)
    registry_status || exit 3
    ;;
  env)
    port="$PORT"
    running >/dev/null && port="$(recorded_port)"
    printf 'MIG_TEST_REGISTRY_PORT=%s\n' "$port"
    printf 'MIG_TEST_REGISTRY_URL=http://%s:%s%s\n' "$HOST" "$port" "$BASE_PATH"
    ;;
  -h | --help | help)
    usage
    ;;
  *)
    [ -z "$cmd" ] || printf "error: unknown command '%s'\n\n" "$cmd" >&2
    usage >&2
    exit 2
    ;;
esac
