// Connection fields are checked for shape at validate, at the field's line and column.
import { describe, expect, it } from 'vitest';
import { brokerProblem, hostProblem, httpUrlProblem } from '../../../src/spec/host-shapes.js';
import { parseSpecText } from '../../../src/spec/load.js';
import { runSemanticChecks } from '../../../src/spec/semantic.js';
import type { Diagnostic } from '../../../src/util/errors.js';
import { edit, VALID } from './spec-fixtures.js';

const FILE = 'migrations.d/shop.yaml';

/** Semantic findings about connection fields (the schema must accept the text). */
function findings(text: string): Diagnostic[] {
  const { migrations, diagnostics } = parseSpecText(text, FILE);
  expect(diagnostics).toEqual([]);
  return runSemanticChecks(migrations).filter((d) => /^spec\.(source|destination)\b/.test(d.path));
}

const short = (d: Diagnostic) => `${d.line}:${d.col} ${d.severity} ${d.code} ${d.path}`;

const MYSQL_TO_MYSQL = (host: string, destHost: string) => `apiVersion: mig/v1
kind: Migration
metadata:
  name: copy
spec:
  source:
    type: mysql
    host: ${host}
    user: root
  destination:
    type: mysql
    host: ${destHost}
    user: root
  objects:
    - database: shop
`;

const TABLESTORE = (endpoint: string) => `apiVersion: mig/v1
kind: Migration
metadata:
  name: ots
spec:
  source: {type: mysql, host: 127.0.0.1, user: mig}
  destination:
    type: tablestore
    endpoint: ${endpoint}
    instance: shop
    accessKeyId: \${env:AK}
    accessKeySecret: \${env:SK}
  objects:
    - database: shop
      tables:
        - name: orders
          primaryKey: [{column: id, type: INTEGER}]
`;

const TIDB = (broker: string) => `apiVersion: mig/v1
kind: Migration
metadata:
  name: tidb
spec:
  source:
    type: tidb
    host: tidb-0.tidb.internal
    user: root
    binlogKafka: {brokers: ["${broker}"], topic: obinlog}
  destination: {type: mysql, host: 127.0.0.1, user: root}
  objects:
    - database: shop
`;

describe('connection fields at validate', () => {
  it('rejects a source host with a shell command, at the value, with the fix', () => {
    const found = findings(edit(VALID, '    host: 127.0.0.1', "    host: '127.0.0.1; rm -rf /'"));
    expect(found.map(short)).toEqual(['8:11 error invalid-value spec.source.host']);
    expect(found[0]!.message).toBe('`spec.source.host` must be a host name, an IPv4 address or an IPv6 address: it contains `;`, which no host name or address has');
    expect(found[0]!.fix).toMatch(/db\.example\.internal, 10\.0\.0\.5 or ::1; the port goes in `port`/);
  });

  it('rejects a space, a bad label, a bad IPv4 and a bracketed IPv6 for mysql2', () => {
    const cases: [string, RegExp][] = [
      ["'db host'", /contains a space/],
      ['-db.example.com', /label `-db` must be 1 to 63 letters/],
      ['db..example.com', /empty label/],
      ['10.0.0.256', /`10\.0\.0\.256` is not a valid IPv4 address/],
      ["'[::1]'", /write the IPv6 address without brackets: ::1/],
      ["'::g'", /not a valid IPv6 address/],
      ['db.example.com:3306', /not a valid IPv6 address/],
    ];
    for (const [host, message] of cases) {
      const found = findings(MYSQL_TO_MYSQL(host, '10.0.0.7'));
      expect(found.map(short), host).toEqual(['8:11 error invalid-value spec.source.host']);
      expect(found[0]!.message).toMatch(message);
    }
  });

  it('checks the MySQL destination host and its TLS server name', () => {
    expect(findings(MYSQL_TO_MYSQL('10.0.0.5', "'db|x'")).map(short)).toEqual(['12:11 error invalid-value spec.destination.host']);
    const tls = MYSQL_TO_MYSQL('10.0.0.5', '10.0.0.6').replace('    user: root\n  objects', "    user: root\n    tls: {servername: 'a b'}\n  objects");
    expect(findings(tls).map(short)).toEqual(['14:23 error invalid-value spec.destination.tls.servername']);
  });

  it('accepts host names, IPv4 and IPv6 addresses', () => {
    for (const host of ['localhost', 'db.example.internal', 'my-db-1.prod.example.com', 'mysql_primary', 'db.example.com.', '127.0.0.1', "'::1'", "'fe80::1%eth0'", "'2001:db8::5'"]) {
      expect(findings(MYSQL_TO_MYSQL(host, host)), host).toEqual([]);
    }
  });

  it('leaves a ${env:…} host to the existing warning: it is not resolved, and is not reported twice', () => {
    const found = findings(edit(VALID, '    host: 127.0.0.1', '    host: ${env:DB_HOST}'));
    expect(found.map(short)).toEqual(['8:11 warning reference-not-resolved spec.source.host']);
  });

  it('rejects a Kafka broker with a bad port or host, at the list entry', () => {
    const at = (brokers: string) => findings(edit(VALID, '    brokers: ["127.0.0.1:19092"]', `    brokers: ${brokers}`));
    expect(at('["127.0.0.1:19092", "kafka-2:0"]').map(short)).toEqual(['14:34 error invalid-value spec.destination.brokers[1]']);
    expect(at('["kafka-1:99999"]')[0]!.message).toMatch(/host:port .*: port 99999 is outside 1 to 65535/);
    expect(at('["kafka;1:9092"]')[0]!.message).toMatch(/contains `;`/);
    expect(at('["kafka-1.example.internal:9092", "10.0.0.9:9093", "localhost:9092"]')).toEqual([]);
  });

  it('checks the TiDB feed brokers', () => {
    expect(findings(TIDB('kafka-1:9092'))).toEqual([]);
    expect(findings(TIDB('kafka$1:9092')).map(short)).toEqual(['10:29 error invalid-value spec.source.binlogKafka.brokers[0]']);
  });

  it('wants a Tablestore endpoint over http or https', () => {
    expect(findings(TABLESTORE('https://myinstance.cn-hangzhou.ots.aliyuncs.com'))).toEqual([]);
    expect(findings(TABLESTORE('http://127.0.0.1:8080'))).toEqual([]);
    const found = findings(TABLESTORE('ftp://myinstance.ots.aliyuncs.com'));
    expect(found.map(short)).toEqual(['9:15 error invalid-value spec.destination.endpoint']);
    expect(found[0]!.message).toMatch(/must be an http or https URL: the scheme is ftp/);
    expect(found[0]!.fix).toMatch(/https:\/\/myinstance/);
  });

  it('keeps credentials of a URL out of the message', () => {
    const spec = edit(VALID, '    format: canal-json', "    format: dts-avro\n    schemaRegistry: {url: 'ftp://user:s3cret@registry'}");
    const found = findings(spec);
    expect(found.map(short)).toEqual(['17:27 error invalid-value spec.destination.schemaRegistry.url']);
    expect(found[0]!.message).not.toContain('s3cret');
  });
});

describe('host shapes', () => {
  it('accepts bracketed IPv6 only where the client parses brackets', () => {
    expect(hostProblem('[::1]', { brackets: true })).toBeUndefined();
    expect(hostProblem('[::1]')).toMatch(/without brackets/);
    expect(hostProblem('[db]', { brackets: true })).toMatch(/not a bracketed IPv6 address/);
  });

  it('limits names to 253 characters and labels to 63', () => {
    expect(hostProblem(`${'a'.repeat(63)}.example.com`)).toBeUndefined();
    expect(hostProblem(`${'a'.repeat(64)}.example.com`)).toMatch(/label/);
    expect(hostProblem(Array(64).fill('abc').join('.'))).toMatch(/at most 253/);
  });

  it('splits a broker at its last colon', () => {
    expect(brokerProblem('kafka')).toBe('a broker is host:port');
    expect(brokerProblem(':9092')).toBe('the host is missing');
    expect(brokerProblem('kafka:port')).toBe('port `port` is not a number');
  });

  it('reads URLs with the WHATWG parser', () => {
    expect(httpUrlProblem('not a url')).toBe('it is not a URL');
    expect(httpUrlProblem('https://[::1]:8080/')).toBeUndefined();
    expect(httpUrlProblem('https://ots.example.com:0')).toMatch(/port 0/);
  });
});
