#!/usr/bin/env bash
# Throughput benchmark (npm run bench): installs npm packages if missing, builds, starts the
# project's MariaDB and Kafka if they are not running (and stops only those it started), then runs
# bench/run.mjs, which drives the built CLI and compares it with baselines measured in the same run.
# Arguments go to bench/run.mjs: --rows N (200000), --runs N (3), --out FILE, --profile (V8 CPU
# profiles of every mig process, next to the JSON file).
# Results: a table on stdout and bench/results/latest.json.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# shellcheck source=lib/run-env.sh
. scripts/lib/run-env.sh
ensure_npm bench
APP=""
finish() {
  if [ -n "$APP" ]; then rm -rf "$APP"; fi
  stop_started_services
}
trap finish EXIT

# A private build, so that a concurrent `tsc` in this checkout cannot change mig under a running
# benchmark: dist/ compiled into a temporary app directory next to copies of bin/ and package.json.
APP="$(mktemp -d "${TMPDIR:-/tmp}/mig-bench-app.XXXXXX")"
echo "bench: building…"
npx tsc -p tsconfig.json --outDir "$APP/dist"
cp -R bin package.json schemas templates "$APP/"
ln -s "$ROOT/node_modules" "$APP/node_modules"

start_services
# The baselines: both come with the MariaDB client, which services.sh installs with the server.
for tool in mariadb-dump mariadb-binlog; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool not found (install mariadb-client)" >&2; exit 1; }
done
start=$(date +%s)
node bench/run.mjs --app "$APP" "$@"
echo "bench: took $(( $(date +%s) - start )) s"
