#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs npm packages, builds and lints, starts the project's own
# MariaDB and Kafka (installing them if missing), runs unit, integration and end-to-end tests, and
# stops the services again if this run started them. Extra arguments go to vitest.
# Ends with each phase's time, so a slow run shows where it went.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# shellcheck source=lib/run-env.sh
. scripts/lib/run-env.sh
# shellcheck source=lib/phases.sh
. scripts/lib/phases.sh
trap 'phases_report' EXIT

phase npm
ensure_npm test
phase build
echo "test: building…"
npm run --silent build
node dist/spec/json-schema-cli.js --check
phase lint
echo "test: linting…"
npm run --silent lint

# The consumer conformance harness (test/integration/consumers): Maven fetches the consumers' jars
# once into the cache; later runs find it built.
phase consumer-harness
echo "test: building the consumer harness…"
bash scripts/consumers.sh >/dev/null

trap 'phases_report; stop_started_services' EXIT
phase services
start_services with-registry

phase vitest
start=$(date +%s)
npx vitest run "$@"
echo "test: suite took $(( $(date +%s) - start )) s"
phase done
