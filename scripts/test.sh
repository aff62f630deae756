#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs npm packages, builds and lints, starts the project's own
# MariaDB and Kafka (installing them if missing), runs unit, integration and end-to-end tests, and
# stops the services again if this run started them. Extra arguments go to vitest.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# shellcheck source=lib/run-env.sh
. scripts/lib/run-env.sh
ensure_npm test
echo "test: building…"
npm run --silent build
node dist/spec/json-schema-cli.js --check
echo "test: linting…"
npm run --silent lint

# The consumer conformance harness (test/integration/consumers): Maven fetches the consumers' jars
# once into the cache; later runs find it built.
echo "test: building the consumer harness…"
bash scripts/consumers.sh >/dev/null

trap stop_started_services EXIT
start_services with-registry

start=$(date +%s)
npx vitest run "$@"
echo "test: suite took $(( $(date +%s) - start )) s"
