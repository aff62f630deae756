# Shared by test.sh, bench.sh and demo.sh (sourced, not run): npm packages and the services a run needs.

# shellcheck source=node.sh
. "$(dirname "${BASH_SOURCE[0]}")/node.sh"

# Puts a Node.js new enough first on PATH, then installs npm packages when node_modules is missing
# or older than the lock file.
ensure_npm() {
  ensure_node "$1"
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "$1: installing npm packages…"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

# Starts the services that are not running and records them in STARTED_SERVICES, so that
# stop_started_services stops only those; then exports their connection settings (MIG_TEST_*).
# `start_services with-registry` also starts the schema registry.
STARTED_SERVICES=()
start_services() {
  local svc
  for svc in mariadb kafka; do
    if ! bash scripts/services.sh status "$svc" >/dev/null 2>&1; then STARTED_SERVICES+=("$svc"); fi
  done
  if [ "${#STARTED_SERVICES[@]}" -gt 0 ]; then bash scripts/services.sh up "${STARTED_SERVICES[@]}"; fi
  # The schema registry (Apicurio, Confluent-compatible API) for dts-avro with schemaRegistry.
  if [ "${1:-}" = with-registry ] && ! bash scripts/registry.sh status >/dev/null 2>&1; then
    STARTED_REGISTRY=1
    bash scripts/registry.sh up
  fi
  set -a
  eval "$(bash scripts/services.sh env)"
  if [ "${1:-}" = with-registry ]; then eval "$(bash scripts/registry.sh env)"; fi
  set +a
}

STARTED_REGISTRY=0
stop_started_services() {
  if [ "$STARTED_REGISTRY" = 1 ]; then bash scripts/registry.sh down || true; fi
  if [ "${#STARTED_SERVICES[@]}" -gt 0 ]; then bash scripts/services.sh down "${STARTED_SERVICES[@]}" || true; fi
}
