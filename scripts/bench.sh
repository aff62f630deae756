#!/usr/bin/env bash
# Benchmark (npm run bench): installs npm packages if missing, builds mig, starts the project's
# MariaDB and Kafka if they are not running (and stops only those it started), then runs
# bench/run.mjs, which drives the built CLI and sets it against baselines measured in the same run:
#   full load      1,000,000 rows of ~200 bytes, per format (canal-json, dts-avro, shareplex-json),
#                  into a 1-partition lz4 topic; against a mysql2 streaming SELECT, mariadb-dump
#                  --quick, a raw kafkajs producer sending messages of mig's size in mig's batches, and
#                  Kafka's own Java producer (ProducerPerformance from the broker's kafka-tools jar:
#                  acks=all, lz4, batch.size 256 KiB, linger.ms 10, values of mig's messages, no keys)
#   catch-up       1,000,000 pre-written binlog row events, per format; against mariadb-binlog, and
#                  the Java producer sending as many values of a sample of mig's catch-up messages
#   latency        commit → Kafka append p50/p99 under a steady 5,000 rows/s write load (canal-json)
#   tablestore     100,000 rows (--tablestore-rows) into mig's Tablestore test server (a process),
#                  then 50,000 binlog events caught up; against the same rows written with the
#                  SDK's BatchWriteRow directly (200-row requests, mig's concurrency of 8)
#   tidb           TiDB → MySQL: 30,000 small Drainer transactions applied by apply --until-caught-up,
#                  transactions/s against a mysql2 loop of one transaction each, destinations compared
#   throttle       (only when named: --cases throttle --no-tidb) spec.throttle's limits against the
#                  rates achieved: full load at 20,000 rows/s and at 2 MB/s, the stream at 5,000
#                  rows/s and at 1 MB/s, ~10 s each; each should be within ±5% of its limit
#   peak RSS of every mig process, and the aims (full load ≥ 0.7 × raw kafkajs and ≥ 0.5 × the Java
#   producer, catch-up ≥ 50k events/s and ≥ 0.5 × the Java producer, RSS < 256 MB)
# Defaults: --rows 1000000 --runs 2: one run of everything takes about 4 minutes on 2 cores, so the
# whole benchmark takes about 8 (--runs 3 would pass 11); use --runs 3 or more for a tighter spread
# when there is time, or --cases/--formats to measure less.
#
# Usage: npm run bench -- [--ref REV] [--compare REV] [bench/run.mjs options]
#   --ref REV      benchmark a committed revision (git archive of REV) instead of the working tree,
#                  e.g. while the working tree does not compile
#   --tidb-only    run only the tidb case; --no-tidb skips it; --tidb-transactions N (default 30000);
#                  the tidb case runs next to whatever --cases names unless --no-tidb
#   --compare REV  also build REV and measure it next to mig in every run of every case (A/B, "mig /
#                  mig ref" ratios with their spread), e.g. --compare HEAD to see what uncommitted
#                  changes gain in Kafka full load, catch-up, latency, Tablestore and TiDB → MySQL
#   bench/run.mjs options: --rows N, --runs N, --formats LIST, --cases full,incremental,latency,tablestore,
#   --latency-seconds S, --latency-rate R, --tablestore-rows N, --out FILE, --profile, --node-options OPTS
#   (node bench/run.mjs --help; one file per case in bench/cases/)
# Profile: npm run bench -- --profile --runs 1 --formats canal-json,dts-avro --cases full,incremental
# Results: a table on stdout and bench/results/latest.json (bench/results/profile.json with --profile).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

REF=""
COMPARE=""
ARGS=()
CASES=""
while [ $# -gt 0 ]; do
  case "$1" in
    --ref) REF="${2:?--ref needs a revision}"; shift 2 ;;
    --ref=*) REF="${1#--ref=}"; shift ;;
    --compare) COMPARE="${2:?--compare needs a revision}"; shift 2 ;;
    --compare=*) COMPARE="${1#--compare=}"; shift ;;
    --cases) CASES="${2:?--cases needs a list}"; shift 2 ;;
    --cases=*) CASES="${1#--cases=}"; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) ARGS+=("$1"); shift ;;
  esac
done
# The tidb case was a script of its own that ran whatever --cases said: it still does, unless
# --no-tidb (or --tidb-only) is given, which bench/run.mjs applies after --cases.
if [ -n "$CASES" ]; then ARGS+=(--cases "$CASES,tidb"); fi

# shellcheck source=lib/run-env.sh
. scripts/lib/run-env.sh
ensure_npm bench
APP=""
REF_APP=""
finish() {
  if [ -n "$APP" ]; then rm -rf "$APP"; fi
  if [ -n "$REF_APP" ]; then rm -rf "$REF_APP"; fi
  stop_started_services
}
trap finish EXIT

# tsc does not copy the .proto files mig loads at run time (scripts/copy-assets.mjs does for dist/).
copy_protos() {
  (cd "$1" && find . -name '*.proto' -exec cp --parents {} "$2/" \;)
}

# Builds revision $2 (git archive, no working-tree changes) into the app directory $1, with the
# oclif manifest its npm run build writes (a revision from before that wrote none).
build_rev() {
  git archive "$2" src tsconfig.json bin package.json schemas templates | tar -x -C "$1"
  (cd "$1" && npx tsc -p tsconfig.json --outDir "$1/dist")
  copy_protos "$1/src" "$1/dist"
  if git cat-file -e "$2:scripts/oclif-manifest.mjs" 2>/dev/null; then
    git show "$2:scripts/oclif-manifest.mjs" > "$1/oclif-manifest.mjs"
    node "$1/oclif-manifest.mjs" "$1"
    rm "$1/oclif-manifest.mjs"
  fi
}

# A private build, so that a concurrent `tsc` in this checkout cannot change mig under a running
# benchmark: dist/ compiled into a temporary app directory next to copies of bin/ and package.json.
APP="$(mktemp -d "${TMPDIR:-/tmp}/mig-bench-app.XXXXXX")"
ln -s "$ROOT/node_modules" "$APP/node_modules"
if [ -n "$REF" ]; then
  BUILT_FROM="$(git rev-parse --short "$REF^{commit}")"
  echo "bench: building $REF ($BUILT_FROM)…"
  build_rev "$APP" "$BUILT_FROM"
else
  BUILT_FROM=""
  echo "bench: building the working tree…"
  npx tsc -p tsconfig.json --outDir "$APP/dist"
  copy_protos "$ROOT/src" "$APP/dist"
  cp -R bin package.json schemas templates "$APP/"
  node scripts/oclif-manifest.mjs "$APP"
fi
REF_ARGS=()
if [ -n "$COMPARE" ]; then
  REF_APP="$(mktemp -d "${TMPDIR:-/tmp}/mig-bench-ref.XXXXXX")"
  ln -s "$ROOT/node_modules" "$REF_APP/node_modules"
  REF_FROM="$(git rev-parse --short "$COMPARE^{commit}")"
  echo "bench: building the reference $COMPARE ($REF_FROM)…"
  build_rev "$REF_APP" "$REF_FROM"
  REF_ARGS=(--ref-app "$REF_APP" --ref-built-from "$REF_FROM")
fi

# The Tablestore case's test server runs from this checkout's dist/test-support (it is not mig).
npx tsc -p tsconfig.support.json
start_services
# Baselines that come with the MariaDB client, which services.sh installs with the server.
for tool in mariadb-dump mariadb-binlog; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool not found (install mariadb-client)" >&2; exit 1; }
done
start=$(date +%s)
node bench/run.mjs --app "$APP" ${BUILT_FROM:+--built-from "$BUILT_FROM"} ${REF_ARGS[@]+"${REF_ARGS[@]}"} ${ARGS[@]+"${ARGS[@]}"}
echo "bench: took $(( $(date +%s) - start )) s"
