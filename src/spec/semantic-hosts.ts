// Connection fields checked for shape at validate: a host that could never resolve (a typo, a pasted
// command like `127.0.0.1; rm -rf /`) is reported at its line instead of as a connect error in apply.
import type { Diagnostic } from '../util/errors.js';
import { brokerProblem, hostProblem, httpUrlProblem } from './host-shapes.js';
import { formatPath, type DataPath } from './positions.js';
import { REFERENCE_IN_TEXT } from './schema-common.js';
import type { Migration } from './schema.js';
import { at, type SemanticCheck } from './semantic-at.js';

type Shape = 'host' | 'broker' | 'url';

interface Field {
  path: DataPath;
  value: string;
  shape: Shape;
}

const SHAPES: Record<Shape, { check: (v: string) => string | undefined; must: string; fix: string }> = {
  host: {
    // mysql2 hands the host to the resolver as written, so `[::1]` would be looked up as a name.
    check: (v) => hostProblem(v, { brackets: false }),
    must: 'a host name, an IPv4 address or an IPv6 address',
    fix: 'write only the server name or address, e.g. db.example.internal, 10.0.0.5 or ::1; the port goes in `port`',
  },
  broker: {
    check: brokerProblem,
    must: 'host:port (a host name or IPv4 address, and a port from 1 to 65535)',
    fix: 'write each broker as host:port, e.g. kafka-1.example.internal:9092',
  },
  url: {
    check: httpUrlProblem,
    must: 'an http or https URL',
    fix: 'write the URL with its scheme, e.g. https://myinstance.cn-hangzhou.ots.aliyuncs.com',
  },
};

/** The connection fields of a migration, with the shape each must have. */
function connectionFields(spec: Migration['spec']): Field[] {
  const fields: Field[] = [];
  const add = (path: DataPath, value: string | undefined, shape: Shape) => {
    if (value !== undefined) fields.push({ path, value, shape });
  };
  const kafka = (base: DataPath, k: { brokers: string[]; tls?: { servername?: string } }) => {
    k.brokers.forEach((b, i) => add([...base, 'brokers', i], b, 'broker'));
    add([...base, 'tls', 'servername'], k.tls?.servername, 'host');
  };
  const src = spec.source;
  add(['spec', 'source', 'host'], src.host, 'host');
  if (src.type === 'tidb' && src.binlogKafka) kafka(['spec', 'source', 'binlogKafka'], src.binlogKafka);
  const dest = spec.destination;
  const d: DataPath = ['spec', 'destination'];
  if (dest.type === 'kafka') {
    kafka(d, dest);
    add([...d, 'schemaRegistry', 'url'], dest.schemaRegistry?.url, 'url');
  } else if (dest.type === 'mysql') {
    add([...d, 'host'], dest.host, 'host');
    add([...d, 'tls', 'servername'], dest.tls?.servername, 'host');
  } else {
    add([...d, 'endpoint'], dest.endpoint, 'url');
  }
  return fields;
}

export const connectionShapes: SemanticCheck = (m) => {
  const out: Diagnostic[] = [];
  for (const f of connectionFields(m.migration.spec)) {
    // A ${…} reference here is already warned about (only secret fields are resolved); one finding is enough.
    if (REFERENCE_IN_TEXT.test(f.value)) continue;
    const shape = SHAPES[f.shape];
    const problem = shape.check(f.value);
    if (problem === undefined) continue;
    out.push(at(m, f.path, {
      severity: 'error',
      code: 'invalid-value',
      // The path, not the value, leads: a URL may carry credentials, and they stay out of the output.
      message: `\`${formatPath(f.path)}\` must be ${shape.must}: ${problem}`,
      fix: shape.fix,
    }));
  }
  return out;
};
