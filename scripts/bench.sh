#!/usr/bin/env bash
# Throughput benchmark (npm run bench): installs npm packages if missing, builds, starts the
# project's MariaDB and Kafka if they are not running (and stops only those it started), then runs
# bench/run.mjs, which drives the built CLI and compares it with baselines measured in the same run.
# Arguments go to bench/run.mjs: --rows N (200000), --runs N (3), --out FILE.
# Results: a table on stdout and bench/results/latest.json.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "bench: installing npm packages…"
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "bench: building…"
npx tsc -p tsconfig.json

started=()
for svc in mariadb kafka; do
  if ! bash scripts/services.sh status "$svc" >/dev/null 2>&1; then started+=("$svc"); fi
done
stop_started() {
  if [ "${#started[@]}" -gt 0 ]; then bash scripts/services.sh down "${started[@]}" || true; fi
}
trap stop_started EXIT
if [ "${#started[@]}" -gt 0 ]; then bash scripts/services.sh up "${started[@]}"; fi
# The baselines: both come with the MariaDB client, which services.sh installs with the server.
for tool in mariadb-dump mariadb-binlog; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool not found (install mariadb-client)" >&2; exit 1; }
done
set -a
eval "$(bash scripts/services.sh env)"
set +a

start=$(date +%s)
node bench/run.mjs "$@"
echo "bench: took $(( $(date +%s) - start )) s"
