#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs npm packages, builds, starts the project's own
# MariaDB and Kafka (installing them if missing), runs unit, integration and end-to-end tests, and
# stops the services again if this run started them. Extra arguments go to vitest.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "test: installing npm packages…"
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "test: building…"
npx tsc -p tsconfig.json
node dist/spec/json-schema-cli.js --check

started=()
for svc in mariadb kafka; do
  if ! bash scripts/services.sh status "$svc" >/dev/null 2>&1; then started+=("$svc"); fi
done
stop_started() {
  if [ "${#started[@]}" -gt 0 ]; then bash scripts/services.sh down "${started[@]}" || true; fi
}
trap stop_started EXIT
if [ "${#started[@]}" -gt 0 ]; then bash scripts/services.sh up "${started[@]}"; fi
set -a
eval "$(bash scripts/services.sh env)"
set +a

start=$(date +%s)
npx vitest run "$@"
echo "test: suite took $(( $(date +%s) - start )) s"
