#!/usr/bin/env bash
# Builds the consumer conformance harness (test/consumers/java): the consumers' jars from Maven and
# the harness compiled against them, into $MIG_CACHE_DIR/consumers (<project>/.cache/consumers). The
# build is stamped with the checksum of the pom and the sources, so a rerun with nothing changed
# returns at once. test.sh runs it before vitest; the conformance tests run it too (cached).
#
# Usage: scripts/consumers.sh        build if needed, then print the harness's classpath
set -euo pipefail

MSG_PREFIX="consumers: "
# Sets ROOT (the working directory from here on), CACHE, APT_LOG's folder STATE, and `need`.
# shellcheck source=scripts/lib/daemon.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/daemon.sh"
APT_LOG="$STATE/apt-consumers.log"

SRC="$ROOT/test/consumers/java"
OUT="$CACHE/consumers"
want="$(cat "$SRC/pom.xml" $(find "$SRC/src" -name '*.java' | sort) | sha256sum | cut -c1-16)"

if [ "$(cat "$OUT/.complete" 2>/dev/null)" != "$want" ]; then
  mkdir -p "$STATE"
  need consumers mvn maven
  need consumers javac openjdk-17-jdk-headless
  say "building the consumer harness (Flink canal-json, Canal FlatMessage, Avro) with Maven..." >&2
  rm -rf "$OUT"
  mkdir -p "$OUT/lib" "$OUT/classes"
  mvn -q -B -Dstyle.color=never -f "$SRC/pom.xml" dependency:copy-dependencies -DoutputDirectory="$OUT/lib" >&2
  javac -nowarn -encoding UTF-8 --release 17 -cp "$OUT/lib/*" -d "$OUT/classes" $(find "$SRC/src" -name '*.java') >&2
  printf '%s' "$want" >"$OUT/.complete"
fi
printf '%s\n' "$OUT/classes:$OUT/lib/*"
