// Process entry for scripts that cannot import TypeScript (demo, benchmark):
//   node dist/test-support/main.js [--port N] [--instance NAME] [--access-key-id ID]
//        [--access-key-secret SECRET] [--range-page-rows N]
// Prints one JSON line {endpoint, instance, accessKeyId, accessKeySecret} once it listens,
// and stops on SIGTERM / SIGINT.
import { parseArgs } from 'node:util';
import { startTablestoreServer } from './index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    instance: { type: 'string' },
    'access-key-id': { type: 'string' },
    'access-key-secret': { type: 'string' },
    'range-page-rows': { type: 'string' },
  },
  strict: true,
});

function intOption(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got '${raw}'`);
  return n;
}

const server = await startTablestoreServer({
  port: intOption('port', values.port),
  instance: values.instance,
  accessKeyId: values['access-key-id'],
  accessKeySecret: values['access-key-secret'],
  rangePageRows: intOption('range-page-rows', values['range-page-rows']),
});

process.stdout.write(
  `${JSON.stringify({ endpoint: server.endpoint, instance: server.instance, accessKeyId: server.accessKeyId, accessKeySecret: server.accessKeySecret })}\n`,
);

let stopping = false;
function stop(): void {
  if (stopping) return;
  stopping = true;
  server.close().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
