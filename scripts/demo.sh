#!/usr/bin/env bash
# The demo on a fresh machine: installs what is missing, starts the project's MariaDB and Kafka,
# loads a small `shop` database, then runs the example migration migrations.d/shop-to-kafka.yaml:
# validate, plan, apply (schema + full load), some source changes, apply --until-caught-up, and
# prints the Canal JSON messages from Kafka. The services keep running afterwards; stop them with
# `npm run services -- down`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Bold only for a person at a terminal who has not asked for no colour (NO_COLOR, no-color.org):
# a CI log or a file gets no escape codes.
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ] && [ "${TERM:-}" != dumb ]; then
  step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
else
  step() { printf '\n==> %s\n' "$*"; }
fi

# shellcheck source=lib/run-env.sh
. scripts/lib/run-env.sh
ensure_npm demo
step "building mig"
npm run --silent build
step "starting MariaDB (127.0.0.1:3307) and Kafka (127.0.0.1:19092)"
bash scripts/services.sh up mariadb kafka
set -a
eval "$(bash scripts/services.sh env)"
set +a
if [ "$MIG_TEST_MYSQL_PORT" != 3307 ] || [ "$MIG_TEST_KAFKA_PORT" != 19092 ]; then
  echo "demo: the example spec targets 127.0.0.1:3307 and 127.0.0.1:19092; unset MIG_TEST_*_PORT for the demo" >&2
  exit 1
fi

mig() { printf '\n$ mig %s\n' "$*"; node bin/run.js "$@"; }
export SHOP_DB_PASSWORD=""   # the demo's root user has no password; real specs read it from the environment
STATE=.mig/demo-state.json

step "resetting the demo (shop database, its topics, the demo state)"
mariadb --no-defaults --default-character-set=utf8mb4 -uroot --socket="$MIG_TEST_MYSQL_SOCKET" < scripts/demo/shop.sql
node scripts/demo/topic.mjs delete "$MIG_TEST_KAFKA_BROKERS" shop shop.orders
rm -f "$STATE" "$STATE".*

step "validate, plan, apply"
mig validate
set +e
mig plan --state "$STATE" --detailed-exitcode
code=$?
set -e
echo "(plan exit code $code: 2 means there are changes to apply)"
mig apply --state "$STATE" --auto-approve

step "changing the source while mig is not running"
mariadb --no-defaults --default-character-set=utf8mb4 -uroot --socket="$MIG_TEST_MYSQL_SOCKET" < scripts/demo/changes.sql
cat scripts/demo/changes.sql | grep -v '^--'
mig apply --state "$STATE" --auto-approve --until-caught-up
mig plan --state "$STATE"
mig status --state "$STATE"

step "what Kafka received (Canal JSON; message key = primary key)"
node scripts/demo/topic.mjs show "$MIG_TEST_KAFKA_BROKERS" shop shop.orders

printf '\nDemo done. The services keep running; stop them with: npm run services -- down\n'
