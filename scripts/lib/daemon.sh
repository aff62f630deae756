# Shared by scripts/services.sh and scripts/registry.sh (sourced, not run): how both start, recognise,
# stop and report on the processes they own, so that a fix to one of these rules reaches every service.
#
# The sourcing script sets MSG_PREFIX (what its own messages start with: "registry: " for the
# registry, empty where each message names its service itself) before sourcing this, APT_LOG
# (apt-get's output) after, and defines, for each service NAME it manages:
#   marker NAME                    the argument on NAME's command line that marks the process as ours
#   configured_port NAME           the port NAME is to listen on (when `up` recorded none)
#   answers NAME PORT              NAME answers on PORT (for service_status)
#   endpoint NAME PORT             where NAME listens, as service_status prints it
#
# Messages about one service (stop_pid, service_down, service_status) start with "NAME: " in both
# scripts: they set MSG_PREFIX locally, which say, report and die see through bash's dynamic scoping.

# The project: relative paths in settings, and the working directory, are taken from it.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

# The settings both scripts take from the environment (each script's header documents them).
HOST=127.0.0.1
STATE="${MIG_SERVICES_DIR:-.services}"
CACHE="${MIG_CACHE_DIR:-.cache}"
TIMEOUT="${MIG_SERVICES_TIMEOUT:-90}"
case "$STATE" in /*) ;; *) STATE="$ROOT/$STATE" ;; esac
case "$CACHE" in /*) ;; *) CACHE="$ROOT/$CACHE" ;; esac

say() { printf '%s%s\n' "${MSG_PREFIX:-}" "$*"; }

# report MESSAGE [LOGFILE...]: one-line error on stderr, then the tail of each non-empty LOGFILE.
report() {
  local f
  printf 'error: %s%s\n' "${MSG_PREFIX:-}" "$1" >&2
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

# usage: the calling script's header comment, from its line 2 up to `set -euo`.
usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
}

# bad_command CMD: exit 2 with the usage on stderr, after an error line when CMD is not empty.
bad_command() {
  [ -z "$1" ] || printf "error: unknown command '%s'\n\n" "$1" >&2
  usage >&2
  exit 2
}

is_port() { [[ "$1" =~ ^[0-9]+$ ]] && [ "$1" -ge 1 ] && [ "$1" -le 65535 ]; }

# check_settings PORT...: the ports and MIG_SERVICES_TIMEOUT are numbers in range.
check_settings() {
  local p
  for p in "$@"; do
    is_port "$p" || die "not a valid port: '$p'"
  done
  [[ "$TIMEOUT" =~ ^[0-9]+$ ]] || die "MIG_SERVICES_TIMEOUT must be a number of seconds"
}

is_root() { [ "$(id -u)" -eq 0 ]; }

# port_open PORT: something accepts TCP connections on $HOST:PORT.
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null; }

now() { date +%s; }

# took T0: seconds since T0 (an $EPOCHREALTIME value), one decimal.
took() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1fs", b - a }'; }

pidfile() { printf '%s/%s.pid' "$STATE" "$1"; }
portfile() { printf '%s/%s.port' "$STATE" "$1"; }

# record NAME PID PORT: `up` started NAME as PID on PORT; only a recorded process is ever stopped.
record() {
  printf '%s\n' "$2" >"$(pidfile "$1")"
  printf '%s\n' "$3" >"$(portfile "$1")"
}

# forget NAME: NAME's process is gone (or was never started); drop what record wrote.
forget() { rm -f "$(pidfile "$1")" "$(portfile "$1")"; }

# is_ours NAME PID: PID is alive (not a zombie) and was started by `up` for NAME. The command line is
# checked, not just the pid, because a pid file can outlive its process and the pid be reused.
is_ours() {
  local cmd
  [[ "$2" =~ ^[0-9]+$ ]] || return 1
  cmd="$({ tr '\0' ' ' <"/proc/$2/cmdline"; } 2>/dev/null)" || return 1
  [[ "$cmd" == *"$(marker "$1") "* ]]
}

# running NAME: prints the recorded pid when that process is ours and alive.
running() {
  local f pid
  f="$(pidfile "$1")"
  [ -f "$f" ] || return 1
  pid="$(cat "$f" 2>/dev/null)"
  is_ours "$1" "$pid" || return 1
  printf '%s' "$pid"
}

# recorded_port NAME: the port NAME was started on; the configured one if `up` recorded none.
recorded_port() {
  local f
  f="$(portfile "$1")"
  if [ -f "$f" ]; then cat "$f"; else configured_port "$1"; fi
}

# stop_pid NAME PID SECONDS: TERM, wait, then KILL.
stop_pid() {
  local name="$1" pid="$2" limit="$3" t0 MSG_PREFIX="$1: "
  kill -TERM "$pid" 2>/dev/null || return 0
  t0="$(now)"
  while is_ours "$name" "$pid"; do
    if [ $(($(now) - t0)) -ge "$limit" ]; then
      say "still running after ${limit}s, sending KILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
}

# apt_install PKG...: installs Debian packages, apt-get's output in $APT_LOG; `apt-get update` only
# when the lists lack them.
apt_install() {
  local log="$APT_LOG" sudo=()
  if ! is_root; then
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

# need NAME COMMAND PKG: installs PKG when COMMAND, which service NAME runs with, is missing. Only
# the notice names NAME (apt_install's errors keep the script's own prefix).
need() {
  command -v "$2" >/dev/null 2>&1 && return 0
  (
    MSG_PREFIX="$1: "
    say "installing package $3..."
  )
  apt_install "$3"
}

# start_detached LOGFILE DIR CMD...: runs CMD in DIR in its own session, its output appended to
# LOGFILE; prints its pid.
start_detached() {
  local out="$1" dir="$2"
  shift 2
  (
    # The service must not inherit our descriptors above 2 (the lock taken by lock_state, or a
    # caller's pipe that would then never close).
    for fd in /proc/"$BASHPID"/fd/*; do
      fd="${fd##*/}"
      if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    cd "$dir"
    # A background subshell of a non-interactive shell is not a process group leader, so
    # setsid calls setsid() and execs CMD in this same process: $! is CMD's pid.
    exec setsid "$@" </dev/null >>"$out" 2>&1
  ) &
  printf '%s' "$!"
}

# service_down NAME [OWN_PIDFILE]: stops NAME if its recorded process is ours, then forgets it.
# OWN_PIDFILE: where the service itself writes its pid, read when there is no record.
service_down() {
  local name="$1" own="${2:-}" pid="" f MSG_PREFIX="$1: "
  f="$(pidfile "$name")"
  if [ -f "$f" ]; then
    pid="$(cat "$f" 2>/dev/null || true)"
  elif [ -n "$own" ] && [ -f "$own" ]; then
    pid="$(cat "$own" 2>/dev/null || true)"
  fi
  if [ -n "$pid" ] && is_ours "$name" "$pid"; then
    say "stopping (pid $pid)..."
    stop_pid "$name" "$pid" 30
    if is_ours "$name" "$pid"; then die "pid $pid did not exit"; fi
    say "stopped"
  elif [ -f "$f" ]; then
    say "not running (removed stale pid file)"
  else
    say "not running"
  fi
  forget "$name"
}

# service_status NAME: says whether NAME runs and answers; status 0 only if both.
service_status() {
  local name="$1" pid port MSG_PREFIX="$1: "
  if pid="$(running "$name")"; then
    port="$(recorded_port "$name")"
    if answers "$name" "$port"; then
      say "running (pid $pid, $(endpoint "$name" "$port"))"
      return 0
    fi
    say "starting or unhealthy (pid $pid, $(endpoint "$name" "$port") not answering)"
    return 1
  fi
  say "stopped"
  return 1
}

# lock_state LOCKFILE: one `up` or `down` at a time per state directory; the lock (fd 9) is held
# until the calling script exits.
lock_state() {
  mkdir -p "$STATE"
  exec 9>"$1"
  flock -w 600 9 || die "another ${0##*/} is still running (lock $1)"
}
