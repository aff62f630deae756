#!/usr/bin/env bash
# Starts and stops the real services that mig's integration tests and demo use,
# on 127.0.0.1 only:
#   - a private MariaDB (Debian's mariadb-server binaries) with a ROW binlog, and Debian's
#     percona-toolkit for the tests that run pt-online-schema-change against it,
#   - a single-node Apache Kafka 4 broker in KRaft mode (jars from Maven, see scripts/kafka/pom.xml;
#     MIG_KAFKA_LINE=3.9 takes scripts/kafka/pom-3.9.xml instead),
#     with three client listeners: PLAINTEXT, SASL_PLAINTEXT with SCRAM-SHA-256/512 (user mig-test,
#     password generated at first start into .services/kafka/scram.env) and SSL (a test CA and a
#     broker certificate for 127.0.0.1/localhost, generated once into .services/kafka/tls/).
#
# Usage: scripts/services.sh up     [mariadb|kafka]...   start (idempotent)
#        scripts/services.sh down   [--purge] [mariadb|kafka]...
#                                     stop what `up` started; --purge also deletes the data
#        scripts/services.sh status [mariadb|kafka]...   exit 0 if all running, 3 otherwise
#        scripts/services.sh env      print connection settings as KEY=value lines, e.g.
#                                     set -a; eval "$(bash scripts/services.sh env)"; set +a
# (or `npm run services -- up`)
#
# Settings (environment):
#   MIG_TEST_MYSQL_PORT              MariaDB port (3307)
#   MIG_TEST_KAFKA_PORT              Kafka client port (19092)
#   MIG_TEST_KAFKA_CONTROLLER_PORT   KRaft controller port (Kafka port + 1)
#   MIG_TEST_KAFKA_SCRAM_PORT        SASL_PLAINTEXT (SCRAM) listener port (Kafka port + 2)
#   MIG_TEST_KAFKA_TLS_PORT          SSL listener port (Kafka port + 3)
#   MIG_SERVICES_DIR                 state: data, logs, pid files (<project>/.services)
#   MIG_CACHE_DIR                    downloaded Kafka jars go to $MIG_CACHE_DIR/kafka-<version>/lib
#                                    (<project>/.cache)
#   MIG_SERVICES_TIMEOUT             seconds to wait for each service to answer (90)
#   MIG_KAFKA_HEAP_OPTS              broker heap ("-Xmx768m -Xms256m")
#   MIG_KAFKA_LINE                   4 (the default) or 3.9: which Kafka the broker runs; a broker of
#                                    one line keeps its data when the other one is started
#
# Only processes recorded in $MIG_SERVICES_DIR/<name>.pid are ever stopped, and only after
# checking that their command line is the one `up` started.
set -euo pipefail

# Each message names its service itself.
MSG_PREFIX=""
# Sets ROOT (the working directory from here on), HOST, STATE, CACHE and TIMEOUT.
# shellcheck source=scripts/lib/daemon.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/daemon.sh"

MYSQL_PORT="${MIG_TEST_MYSQL_PORT:-3307}"
KAFKA_PORT="${MIG_TEST_KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${MIG_TEST_KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}"
KAFKA_SCRAM_PORT="${MIG_TEST_KAFKA_SCRAM_PORT:-$((KAFKA_PORT + 2))}"
KAFKA_TLS_PORT="${MIG_TEST_KAFKA_TLS_PORT:-$((KAFKA_PORT + 3))}"
KAFKA_HEAP="${MIG_KAFKA_HEAP_OPTS:--Xmx768m -Xms256m}"
case "${MIG_KAFKA_LINE:-4}" in
  4) POM="$ROOT/scripts/kafka/pom.xml" ;;
  3.9) POM="$ROOT/scripts/kafka/pom-3.9.xml" ;;
  *) echo "services: MIG_KAFKA_LINE must be 4 or 3.9, not ${MIG_KAFKA_LINE}" >&2; exit 2 ;;
esac

MDIR="$STATE/mariadb"
MSOCK="$MDIR/run/mysqld.sock"
MERR="$MDIR/run/mysqld.err"
# Each line keeps its own data: a 4.x log cannot be read by 3.9.
KDIR="$STATE/kafka"
[ "${MIG_KAFKA_LINE:-4}" = 4 ] || KDIR="$STATE/kafka-$MIG_KAFKA_LINE"
KLOG="$KDIR/server.log"
KTLS="$KDIR/tls"
SCRAM_ENV="$KDIR/scram.env"
SCRAM_USER=mig-test
APT_LOG="$STATE/apt.log"

KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM" | head -n 1)"
KLIB="$CACHE/kafka-$KAFKA_VERSION/lib"

ALL_SERVICES=(mariadb kafka)

# ---------------------------------------------------------------- helpers

check_settings "$MYSQL_PORT" "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$KAFKA_SCRAM_PORT" "$KAFKA_TLS_PORT"
[ -n "$KAFKA_VERSION" ] || die "cannot read <kafka.version> from $POM"

# The argument that identifies a process as ours (it is on that process's command line).
marker() {
  case "$1" in
    mariadb) printf -- '--datadir=%s' "$MDIR/data" ;;
    kafka) printf '%s' "$KDIR/server.properties" ;;
  esac
}

configured_port() {
  case "$1" in mariadb) printf '%s' "$MYSQL_PORT" ;; kafka) printf '%s' "$KAFKA_PORT" ;; esac
}

# answers NAME PORT: what status checks; MariaDB with a login (see mysql_tcp_ping).
answers() {
  case "$1" in
    mariadb) mysql_tcp_ping "$2" ;;
    *) port_open "$2" ;;
  esac
}

endpoint() { printf '%s:%s' "$HOST" "$2"; }

# ---------------------------------------------------------------- MariaDB

mysql_client() { mariadb --no-defaults -uroot --socket="$MSOCK" "$@"; }
mysql_ping() { mariadb-admin --no-defaults -uroot --socket="$MSOCK" --connect-timeout=2 ping >/dev/null 2>&1; }
# mysql_tcp_ping PORT: a full login over TCP (a bare connect would log "Aborted connection").
mysql_tcp_ping() {
  mariadb-admin --no-defaults -h"$HOST" -P"$1" -uroot --connect-timeout=2 ping >/dev/null 2>&1
}

mariadb_up() {
  local pid port t0 dirs

  # The online-schema-change tests run Percona's pt-online-schema-change against this server.
  need mariadb pt-online-schema-change percona-toolkit
  if pid="$(running mariadb)"; then
    port="$(recorded_port mariadb)"
    [ "$port" = "$MYSQL_PORT" ] ||
      die "mariadb: already running on $HOST:$port (pid $pid), not on $MYSQL_PORT; run 'down' first (or use another MIG_SERVICES_DIR)"
    if mysql_ping && mysql_tcp_ping "$port"; then
      say "mariadb: already running on $HOST:$port (pid $pid)"
      return 0
    fi
    say "mariadb: pid $pid is running but not answering yet, waiting..."
    mariadb_wait "$pid" "$(now)"
    say "mariadb: up on $HOST:$port (pid $pid)"
    return 0
  fi
  forget mariadb

  if ! command -v mariadbd >/dev/null 2>&1 && [ -x /usr/sbin/mariadbd ]; then PATH="$PATH:/usr/sbin"; fi
  if ! command -v mariadbd >/dev/null 2>&1 || ! command -v mariadb-install-db >/dev/null 2>&1 ||
    ! command -v mariadb-admin >/dev/null 2>&1 || ! command -v mariadb >/dev/null 2>&1; then
    say "mariadb: installing package mariadb-server..."
    apt_install mariadb-server
    if ! command -v mariadbd >/dev/null 2>&1 && [ -x /usr/sbin/mariadbd ]; then PATH="$PATH:/usr/sbin"; fi
    command -v mariadbd >/dev/null 2>&1 || die "mariadb: mariadbd still not found after installing mariadb-server"
  fi

  if port_open "$MYSQL_PORT"; then
    die "mariadb: port $HOST:$MYSQL_PORT is already in use by another process (set MIG_TEST_MYSQL_PORT)"
  fi
  # The unix socket path is limited to 107 bytes.
  [ "${#MSOCK}" -lt 100 ] || die "mariadb: socket path too long (${#MSOCK} bytes): $MSOCK; set MIG_SERVICES_DIR to a shorter path"

  dirs=("$MDIR/data" "$MDIR/binlog" "$MDIR/run")
  if [ ! -f "$MDIR/.installed" ]; then
    rm -rf "$MDIR/data" "$MDIR/binlog"
  fi
  mkdir -p "${dirs[@]}"
  local user_args=()
  if is_root; then
    id mysql >/dev/null 2>&1 || die "mariadb: system user 'mysql' is missing (reinstall mariadb-server)"
    chown -R mysql:mysql "${dirs[@]}"
    # mariadbd runs as mysql: every parent directory must be traversable by it.
    runuser -u mysql -- test -w "$MDIR/run" ||
      die "mariadb: user 'mysql' cannot write $MDIR/run (a parent directory is not world-searchable); set MIG_SERVICES_DIR elsewhere"
    user_args=(--user=mysql)
  fi

  local common=(--datadir="$MDIR/data" --innodb-log-file-size=16M)

  if [ ! -f "$MDIR/.installed" ]; then
    say "mariadb: creating data dir (first run only)..."
    mariadb-install-db --no-defaults "${user_args[@]}" "${common[@]}" \
      --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve \
      >"$MDIR/install.log" 2>&1 || die "mariadb: mariadb-install-db failed" "$MDIR/install.log"
  fi

  : >"$MERR"
  : >"$MDIR/mariadbd.out"
  is_root && chown mysql:mysql "$MERR"
  t0="$(now)"
  local started="$EPOCHREALTIME"
  pid="$(start_detached "$MDIR/mariadbd.out" "$ROOT" mariadbd --no-defaults "${user_args[@]}" "${common[@]}" \
    --port="$MYSQL_PORT" --bind-address="$HOST" --skip-name-resolve \
    --socket="$MSOCK" --pid-file="$MDIR/run/mysqld.pid" --log-error="$MERR" \
    --log-bin="$MDIR/binlog/mariadb-bin" --binlog-format=ROW --binlog-row-image=FULL \
    --binlog-row-metadata=FULL --server-id=1 \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
    --default-time-zone=+00:00 --max-allowed-packet=64M)"
  record mariadb "$pid" "$MYSQL_PORT"

  mariadb_wait "$pid" "$t0"

  if [ ! -f "$MDIR/.installed" ]; then
    # root@127.0.0.1 with full rights over TCP; drop root@<hostname>, which only causes
    # warnings under --skip-name-resolve. Kept out of the binlog so CDC tests start clean.
    mysql_client -e "SET SESSION sql_log_bin=0;
      CREATE USER IF NOT EXISTS 'root'@'127.0.0.1';
      GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
      DELETE FROM mysql.global_priv WHERE User = 'root' AND Host NOT IN ('localhost', '127.0.0.1', '::1');
      DELETE FROM mysql.proxies_priv WHERE User = 'root' AND Host NOT IN ('localhost', '127.0.0.1', '::1');
      FLUSH PRIVILEGES;" >>"$MDIR/install.log" 2>&1 ||
      { report "mariadb: granting root@127.0.0.1 failed" "$MDIR/install.log"; mariadb_abort "$pid"; exit 1; }
    touch "$MDIR/.installed"
  fi
  mysql_tcp_ping "$MYSQL_PORT" ||
    { report "mariadb: root cannot log in over TCP on $HOST:$MYSQL_PORT" "$MERR"; mariadb_abort "$pid"; exit 1; }

  say "mariadb: up on $HOST:$MYSQL_PORT (pid $pid, $(took "$started"))"
}

mariadb_abort() {
  stop_pid mariadb "$1" 20
  forget mariadb
}

# mariadb_wait PID T0: until the server answers a ping on its socket.
mariadb_wait() {
  local pid="$1" t0="$2"
  until mysql_ping; do
    is_ours mariadb "$pid" || {
      forget mariadb
      die "mariadb: server exited during start-up" "$MERR" "$MDIR/mariadbd.out"
    }
    if [ $(($(now) - t0)) -ge "$TIMEOUT" ]; then
      report "mariadb: no answer after ${TIMEOUT}s; stopping it" "$MERR"
      mariadb_abort "$pid"
      exit 1
    fi
    sleep 0.1
  done
}

# ---------------------------------------------------------------- Kafka

kafka_fetch_jars() {
  # .complete holds the checksum of the pom the jars came from: editing the pom refetches.
  local want
  want="$(sha256sum "$POM" | cut -c1-16)"
  [ "$(cat "$CACHE/kafka-$KAFKA_VERSION/.complete" 2>/dev/null)" = "$want" ] && return 0
  need kafka mvn maven
  say "kafka: fetching Kafka $KAFKA_VERSION jars with Maven (first run only)..."
  local dir="$CACHE/kafka-$KAFKA_VERSION" log
  mkdir -p "$dir"
  log="$dir/mvn.log"
  rm -rf "${dir:?}/lib.tmp"
  mvn -B --no-transfer-progress -Dstyle.color=never -f "$POM" dependency:copy-dependencies \
    -DoutputDirectory="$dir/lib.tmp" >"$log" 2>&1 ||
    die "kafka: mvn dependency:copy-dependencies failed" "$log"
  ls "$dir/lib.tmp"/kafka_2.13-*.jar >/dev/null 2>&1 || die "kafka: no kafka_2.13 jar after the fetch" "$log"
  rm -rf "${dir:?}/lib"
  mv "$dir/lib.tmp" "$dir/lib"
  printf '%s\n' "$want" >"$dir/.complete"
}

# kafka_tls_files: a test CA and a broker certificate it signed (SAN 127.0.0.1 and localhost) in a
# PKCS12 keystore, made once: clients keep trusting $KTLS/ca.pem across restarts.
kafka_tls_files() {
  [ -f "$KTLS/.complete" ] && return 0
  need kafka openssl openssl
  say "kafka: creating a test CA and broker certificate (first run only)..."
  local tmp="$KTLS.tmp" log="$KDIR/tls.log" pass
  rm -rf "$tmp"
  mkdir -p "$tmp"
  pass="$(random_secret)"
  (
    set -e
    cd "$tmp"
    umask 077
    printf '%s\n' "$pass" >keystore.pass
    openssl req -x509 -new -newkey rsa:2048 -nodes -sha256 -days 3650 -keyout ca.key -out ca.pem \
      -subj "/CN=mig test CA" -addext "basicConstraints=critical,CA:TRUE" \
      -addext "keyUsage=critical,keyCertSign,cRLSign"
    openssl req -new -newkey rsa:2048 -nodes -sha256 -keyout broker.key -out broker.csr -subj "/CN=localhost"
    printf '%s\n' "subjectAltName=IP:$HOST,DNS:localhost" "basicConstraints=CA:FALSE" \
      "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" >broker.ext
    openssl x509 -req -sha256 -days 3650 -in broker.csr -CA ca.pem -CAkey ca.key \
      -set_serial "0x$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" -extfile broker.ext -out broker.pem
    openssl pkcs12 -export -name broker -in broker.pem -inkey broker.key -certfile ca.pem \
      -passout "pass:$pass" -out broker.p12
    rm -f broker.csr broker.ext
    chmod 644 ca.pem
  ) >"$log" 2>&1 || die "kafka: creating the TLS files failed" "$log"
  touch "$tmp/.complete"
  rm -rf "$KTLS"
  mv "$tmp" "$KTLS"
}

# random_secret: 24 letters and digits (nothing that needs quoting in a properties file or
# in StorageTool's and ConfigCommand's [key=value] syntax).
random_secret() {
  local s=""
  while [ "${#s}" -lt 24 ]; do s="$s$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"; done
  printf '%s' "${s:0:24}"
}

# scram_password: the SCRAM test user's password, generated into $SCRAM_ENV on first use.
scram_password() {
  if [ ! -s "$SCRAM_ENV" ]; then
    mkdir -p "$KDIR"
    (umask 077 && printf 'MIG_TEST_KAFKA_SCRAM_USER=%s\nMIG_TEST_KAFKA_SCRAM_PASSWORD=%s\n' \
      "$SCRAM_USER" "$(random_secret)" >"$SCRAM_ENV")
  fi
  sed -n 's/^MIG_TEST_KAFKA_SCRAM_PASSWORD=//p' "$SCRAM_ENV"
}

# scram_marker: names the credentials the data dir holds (user, password, cluster id); kept in
# $KDIR/scram.users once they are stored, so later starts skip ConfigCommand's JVM.
scram_marker() {
  local cluster
  cluster="$(sed -n 's/^cluster.id=//p' "$KDIR/data/meta.properties" 2>/dev/null)"
  printf '%s:%s:%s' "$SCRAM_USER" "$1" "$cluster" | sha256sum | cut -c1-16
}

# kafka_scram_users: data dirs formatted before the SCRAM listener existed lack the test user;
# add it (both mechanisms) through the running broker.
kafka_scram_users() {
  local pass want
  pass="$(scram_password)"
  want="$(scram_marker "$pass")"
  [ "$(cat "$KDIR/scram.users" 2>/dev/null)" = "$want" ] && return 0
  say "kafka: storing SCRAM credentials for user $SCRAM_USER..."
  : >"$KDIR/scram.log"
  local mech
  # One mechanism per call: the broker refuses to alter a user's credentials twice in one request.
  for mech in SCRAM-SHA-256 SCRAM-SHA-512; do
    java "-Dlog4j.configuration=file:$KDIR/log4j-tools.properties" "-Dlog4j2.configurationFile=$KDIR/log4j2-tools.properties" -cp "$KLIB/*" kafka.admin.ConfigCommand \
      --bootstrap-server "$HOST:$KAFKA_PORT" --alter --entity-type users --entity-name "$SCRAM_USER" \
      --add-config "$mech=[password=$pass]" >>"$KDIR/scram.log" 2>&1 ||
      die "kafka: adding $mech credentials for $SCRAM_USER failed" "$KDIR/scram.log"
  done
  printf '%s\n' "$want" >"$KDIR/scram.users"
}

kafka_write_config() {
  mkdir -p "$KDIR/data"
  local kpass
  kpass="$(cat "$KTLS/keystore.pass")"
  cat >"$KDIR/server.properties" <<EOF
# Generated by scripts/services.sh; rewritten on every 'up'.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT,SCRAM://$HOST:$KAFKA_SCRAM_PORT,TLS://$HOST:$KAFKA_TLS_PORT
advertised.listeners=PLAINTEXT://$HOST:$KAFKA_PORT,SCRAM://$HOST:$KAFKA_SCRAM_PORT,TLS://$HOST:$KAFKA_TLS_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SCRAM:SASL_PLAINTEXT,TLS:SSL
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.name.scram.sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512
listener.name.scram.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.scram.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.tls.ssl.keystore.type=PKCS12
listener.name.tls.ssl.keystore.location=$KTLS/broker.p12
listener.name.tls.ssl.keystore.password=$kpass
listener.name.tls.ssl.key.password=$kpass
log.dirs=$KDIR/data
auto.create.topics.enable=false
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
group.initial.rebalance.delay.ms=0
message.max.bytes=16777216
replica.fetch.max.bytes=16777216
num.network.threads=2
num.io.threads=4
EOF
  cat >"$KDIR/log4j.properties" <<'EOF'
# Generated by scripts/services.sh: the broker logs to server.log only (new file per start).
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=${kafka.logs.dir}/server.log
log4j.appender.file.Append=false
log4j.appender.file.MaxFileSize=20MB
log4j.appender.file.MaxBackupIndex=2
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
EOF
  cat >"$KDIR/log4j-tools.properties" <<'EOF'
log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
EOF
  # Kafka 4 logs through log4j2, which ignores -Dlog4j.configuration: same settings in its format.
  cat >"$KDIR/log4j2.properties" <<'EOF'
status = warn
appender.file.type = RollingFile
appender.file.name = file
appender.file.fileName = ${sys:kafka.logs.dir}/server.log
appender.file.filePattern = ${sys:kafka.logs.dir}/server.log.%i
appender.file.append = false
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 20MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 2
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
logger.request.name = kafka.request.logger
logger.request.level = WARN
EOF
  cat >"$KDIR/log4j2-tools.properties" <<'EOF'
status = warn
appender.stderr.type = Console
appender.stderr.name = stderr
appender.stderr.target = SYSTEM_ERR
appender.stderr.layout.type = PatternLayout
appender.stderr.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.stderr.ref = stderr
EOF
}

# A random KRaft cluster id: 16 bytes, base64url without padding, not starting with '-'.
new_cluster_id() {
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    [[ "$id" == -* ]] || break
  done
  printf '%s' "$id"
}

# kafka_probe: the broker answers metadata requests (kafkajs from node_modules), or,
# without node/kafkajs, its log says it has started.
kafka_probe() {
  if command -v node >/dev/null 2>&1 && [ -d "$ROOT/node_modules/kafkajs" ]; then
    MIG_PROBE_BROKER="$HOST:$KAFKA_PORT" timeout 15 node -e '
      const { Kafka, logLevel } = require("kafkajs");
      const kafka = new Kafka({ clientId: "mig-services-probe", brokers: [process.env.MIG_PROBE_BROKER],
        logLevel: logLevel.NOTHING, connectionTimeout: 2000, requestTimeout: 5000, retry: { retries: 0 } });
      const admin = kafka.admin();
      admin.connect()
        .then(() => admin.describeCluster())
        .then((c) => admin.listTopics().then(() => c))
        .then((c) => admin.disconnect().then(() => process.exit(c.brokers.length > 0 ? 0 : 1)))
        .catch(() => process.exit(1));
    ' >/dev/null 2>&1
  else
    grep -q 'Kafka Server started' "$KLOG" 2>/dev/null
  fi
}

# kafka_features: a data directory a 3.9 broker formatted keeps 3.9's feature levels under Kafka 4,
# among them transaction.version 0, under which transactional clients of Kafka 4's protocol fail;
# raise them to the release's once (a marker records it), as an operator does after an upgrade.
kafka_features() {
  [ "${MIG_KAFKA_LINE:-4}" = 4 ] || return 0
  local release="${KAFKA_VERSION%.*}"
  [ "$(cat "$KDIR/features.release" 2>/dev/null)" = "$release" ] && return 0
  java "-Dlog4j2.configurationFile=$KDIR/log4j2-tools.properties" -cp "$KLIB/*" org.apache.kafka.tools.FeatureCommand \
    --bootstrap-server "$HOST:$KAFKA_PORT" upgrade --release-version "$release" >"$KDIR/features.log" 2>&1 ||
    die "kafka: raising the feature levels to release $release failed" "$KDIR/features.log"
  printf '%s\n' "$release" >"$KDIR/features.release"
}

kafka_up() {
  local pid port t0

  if pid="$(running kafka)"; then
    port="$(recorded_port kafka)"
    [ "$port" = "$KAFKA_PORT" ] ||
      die "kafka: already running on $HOST:$port (pid $pid), not on $KAFKA_PORT; run 'down' first (or use another MIG_SERVICES_DIR)"
    if port_open "$port" && kafka_probe; then
      say "kafka: already running on $HOST:$port (pid $pid)"
    else
      say "kafka: pid $pid is running but not answering yet, waiting..."
      kafka_wait "$pid" "$(now)"
      say "kafka: up on $HOST:$port (pid $pid)"
    fi
    if [ -z "$(listener_port SCRAM)" ]; then
      say "kafka: note: this broker was started without the SCRAM and TLS listeners; run 'down kafka' and 'up kafka' to add them"
    else
      kafka_scram_users
      kafka_features
    fi
    return 0
  fi
  forget kafka

  need kafka java openjdk-17-jre-headless
  kafka_fetch_jars

  local p
  for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$KAFKA_SCRAM_PORT" "$KAFKA_TLS_PORT"; do
    if port_open "$p"; then
      die "kafka: port $HOST:$p is already in use by another process (set MIG_TEST_KAFKA_PORT / MIG_TEST_KAFKA_CONTROLLER_PORT / MIG_TEST_KAFKA_SCRAM_PORT / MIG_TEST_KAFKA_TLS_PORT)"
    fi
  done
  [ "$(printf '%s\n' "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$KAFKA_SCRAM_PORT" "$KAFKA_TLS_PORT" | sort -u | wc -l)" -eq 4 ] ||
    die "kafka: client, controller, SCRAM and TLS ports must all differ"

  kafka_tls_files
  kafka_write_config
  local log4j_tools="-Dlog4j.configuration=file:$KDIR/log4j-tools.properties" log4j2_tools="-Dlog4j2.configurationFile=$KDIR/log4j2-tools.properties"
  if [ ! -f "$KDIR/data/meta.properties" ]; then
    say "kafka: formatting storage (first run only)..."
    rm -rf "$KDIR/data"
    rm -f "$KDIR/scram.users"
    mkdir -p "$KDIR/data"
    local spass
    spass="$(scram_password)"
    java "$log4j_tools" "$log4j2_tools" -cp "$KLIB/*" kafka.tools.StorageTool format \
      --cluster-id "$(new_cluster_id)" --config "$KDIR/server.properties" \
      --add-scram "SCRAM-SHA-256=[name=$SCRAM_USER,password=$spass]" \
      --add-scram "SCRAM-SHA-512=[name=$SCRAM_USER,password=$spass]" >"$KDIR/format.log" 2>&1 ||
      die "kafka: storage format failed" "$KDIR/format.log"
    scram_marker "$spass" >"$KDIR/scram.users"
  fi

  t0="$(now)"
  local started="$EPOCHREALTIME"
  : >"$KDIR/kafka.out"
  if [ -f "$KLOG" ]; then mv -f "$KLOG" "$KLOG.prev"; fi
  # shellcheck disable=SC2086 # KAFKA_HEAP is a list of JVM flags
  pid="$(start_detached "$KDIR/kafka.out" "$ROOT" java $KAFKA_HEAP -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$KDIR/log4j.properties" -Dlog4j2.configurationFile="$KDIR/log4j2.properties" -Dkafka.logs.dir="$KDIR" \
    -cp "$KLIB/*" kafka.Kafka "$KDIR/server.properties")"
  record kafka "$pid" "$KAFKA_PORT"

  kafka_wait "$pid" "$t0"
  for p in "$KAFKA_SCRAM_PORT" "$KAFKA_TLS_PORT"; do
    port_open "$p" || {
      report "kafka: the broker answers on $HOST:$KAFKA_PORT but not on $HOST:$p; stopping it" "$KLOG"
      stop_pid kafka "$pid" 30
      forget kafka
      exit 1
    }
  done
  kafka_scram_users
  kafka_features
  say "kafka: up on $HOST:$KAFKA_PORT, SCRAM on $KAFKA_SCRAM_PORT, TLS on $KAFKA_TLS_PORT (pid $pid, $(took "$started"))"
}

# listener_port NAME: the port of listener NAME in the broker's generated configuration (empty if none).
listener_port() {
  sed -n "s|^listeners=.*$1://[^:,]*:\([0-9]*\).*|\1|p" "$KDIR/server.properties" 2>/dev/null
}

# kafka_wait PID T0: until the port accepts connections and the broker answers.
kafka_wait() {
  local pid="$1" t0="$2"
  until port_open "$KAFKA_PORT" && kafka_probe; do
    is_ours kafka "$pid" || {
      forget kafka
      die "kafka: broker exited during start-up" "$KLOG" "$KDIR/kafka.out"
    }
    if [ $(($(now) - t0)) -ge "$TIMEOUT" ]; then
      report "kafka: no answer on $HOST:$KAFKA_PORT after ${TIMEOUT}s; stopping it" "$KLOG" "$KDIR/kafka.out"
      stop_pid kafka "$pid" 30
      forget kafka
      exit 1
    fi
    sleep 0.3
  done
}

# ---------------------------------------------------------------- commands

# pick_services ARG...: validates service names; none given means all.
pick_services() {
  SERVICES=()
  local a
  for a in "$@"; do
    case "$a" in
      mariadb | kafka) SERVICES+=("$a") ;;
      *) die "unknown service '$a' (expected: ${ALL_SERVICES[*]})" ;;
    esac
  done
  [ "${#SERVICES[@]}" -gt 0 ] || SERVICES=("${ALL_SERVICES[@]}")
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  up)
    pick_services "$@"
    lock_state "$STATE/.lock"
    for s in "${SERVICES[@]}"; do "${s}_up"; done
    ;;
  down)
    purge=0
    args=()
    for a in "$@"; do
      if [ "$a" = --purge ]; then purge=1; else args+=("$a"); fi
    done
    pick_services "${args[@]+"${args[@]}"}"
    lock_state "$STATE/.lock"
    for s in "${SERVICES[@]}"; do
      case "$s" in
        mariadb) service_down mariadb "$MDIR/run/mysqld.pid" ;; # written by our own mariadbd
        *) service_down "$s" ;;
      esac
    done
    if [ "$purge" = 1 ]; then
      # Only what `up` creates is deleted, never the whole of a user-chosen MIG_SERVICES_DIR.
      for s in "${SERVICES[@]}"; do
        rm -rf "${STATE:?}/$s" "$(pidfile "$s")" "$(portfile "$s")"
        say "$s: purged data"
      done
      if [ "${#args[@]}" -eq 0 ]; then
        rm -f "$APT_LOG" "$STATE/.lock"
        rmdir "$STATE" 2>/dev/null || true
      fi
    fi
    ;;
  status)
    pick_services "$@"
    rc=0
    for s in "${SERVICES[@]}"; do service_status "$s" || rc=3; done
    exit "$rc"
    ;;
  env)
    mport="$MYSQL_PORT"
    kport="$KAFKA_PORT"
    running mariadb >/dev/null && mport="$(recorded_port mariadb)"
    sport="$KAFKA_SCRAM_PORT"
    tport="$KAFKA_TLS_PORT"
    if running kafka >/dev/null; then
      kport="$(recorded_port kafka)"
      sport="$(listener_port SCRAM)"
      tport="$(listener_port TLS)"
    fi
    printf 'MIG_TEST_MYSQL_HOST=%s\n' "$HOST"
    printf 'MIG_TEST_MYSQL_PORT=%s\n' "$mport"
    printf 'MIG_TEST_MYSQL_USER=root\n'
    printf 'MIG_TEST_MYSQL_PASSWORD=\n'
    printf 'MIG_TEST_MYSQL_SOCKET=%s\n' "$MSOCK"
    printf 'MIG_TEST_KAFKA_PORT=%s\n' "$kport"
    printf 'MIG_TEST_KAFKA_BROKERS=%s:%s\n' "$HOST" "$kport"
    printf 'MIG_TEST_KAFKA_SCRAM_BROKERS=%s\n' "${sport:+$HOST:$sport}"
    printf 'MIG_TEST_KAFKA_TLS_BROKERS=%s\n' "${tport:+$HOST:$tport}"
    printf 'MIG_TEST_KAFKA_TLS_CA=%s\n' "$KTLS/ca.pem"
    printf 'MIG_TEST_KAFKA_VERSION=%s\n' "$KAFKA_VERSION"
    printf 'MIG_TEST_KAFKA_LIB=%s\n' "$KLIB"
    printf 'MIG_TEST_KAFKA_DIR=%s\n' "$KDIR"
    printf 'MIG_TEST_KAFKA_SCRAM_USER=%s\n' "$SCRAM_USER"
    printf 'MIG_TEST_KAFKA_SCRAM_PASSWORD=%s\n' "$(sed -n 's/^MIG_TEST_KAFKA_SCRAM_PASSWORD=//p' "$SCRAM_ENV" 2>/dev/null)"
    ;;
  -h | --help | help)
    usage
    ;;
  *)
    bad_command "$cmd"
    ;;
esac
