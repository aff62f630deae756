# Sourced by test.sh, bench.sh and demo.sh: puts a Node.js mig supports first on PATH. The system's
# node when it is new enough; otherwise the pinned release, taken from the npm registry's
# node-<os>-<arch> package (a plain binary, no install script) into the cache once. npm keeps running
# as installed; from here on it, and everything the run starts, runs on that node.

NODE_MIN_MAJOR=22
NODE_MIN_MINOR=22
NODE_PIN=22.23.5

node_new_enough() {
  local v major minor
  v="$("$1" -v 2>/dev/null)" || return 1
  v="${v#v}"
  major="${v%%.*}"
  minor="${v#*.}"
  minor="${minor%%.*}"
  [ "$major" -gt "$NODE_MIN_MAJOR" ] || { [ "$major" -eq "$NODE_MIN_MAJOR" ] && [ "$minor" -ge "$NODE_MIN_MINOR" ]; }
}

ensure_node() {
  if command -v node >/dev/null && node_new_enough node; then return 0; fi
  local platform cache dir bin
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) platform=linux-x64 ;;
    Linux-aarch64 | Linux-arm64) platform=linux-arm64 ;;
    *)
      echo "$1: mig needs Node.js $NODE_MIN_MAJOR.$NODE_MIN_MINOR or later (found $(node -v 2>/dev/null || echo none)); install it and run again" >&2
      return 1 ;;
  esac
  cache="${MIG_CACHE_DIR:-.cache}"
  case "$cache" in /*) ;; *) cache="${ROOT:-$PWD}/$cache" ;; esac
  dir="$cache/node-$NODE_PIN"
  bin="$dir/node_modules/node-$platform/bin"
  if ! node_new_enough "$bin/node"; then
    echo "$1: fetching Node.js $NODE_PIN (node-$platform from the npm registry; first run only)…"
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "node-$platform@$NODE_PIN" >/dev/null
    node_new_enough "$bin/node" || { echo "$1: the fetched Node.js does not run here ($bin/node)" >&2; return 1; }
  fi
  export PATH="$bin:$PATH"
  echo "$1: using Node.js $(node -v) from the cache (the system's is older than $NODE_MIN_MAJOR.$NODE_MIN_MINOR)"
}
