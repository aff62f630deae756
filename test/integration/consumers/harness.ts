// The consumer conformance harness (test/consumers/java, built by scripts/consumers.sh): one JVM per
// call decodes a batch of mig's messages with Flink's canal-json format, Canal's FlatMessage and the
// Avro reader, and reports what each consumer decoded.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/env.js';

export interface HarnessRequest {
  /** Flink table columns: name and Flink SQL type, in order. */
  flink?: { columns: { name: string; type: string }[]; messages: Buffer[] };
  canal?: { messages: Buffer[] };
  avro?: { messages: Buffer[] };
}

export interface FlinkRow { kind: string; values: Record<string, string | null>; metadata: Record<string, unknown> }
export interface HarnessLine {
  consumer: 'flink' | 'canal' | 'avro';
  index: number;
  error?: string;
  rows?: FlinkRow[];
  message?: Record<string, unknown>;
  record?: AvroRecord;
}
export interface AvroValue { branch: string; [field: string]: unknown }
export interface AvroRecord {
  operation: string;
  objectName: string | null;
  fields: { name: string; dataTypeNumber: number }[];
  beforeImages: AvroValue[] | null;
  afterImages: AvroValue[] | null;
  ddl?: string;
  sdkProblems: string[];
}

/** Builds the harness when its sources changed (cached otherwise) and returns its classpath. */
export function harnessClasspath(): string {
  return execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 'consumers.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

export function decode(req: HarnessRequest): HarnessLine[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'mig-consumers-'));
  try {
    const b64 = (ms: Buffer[]) => ms.map((m) => m.toString('base64'));
    const body = {
      ...(req.flink ? { flink: { columns: req.flink.columns, messages: b64(req.flink.messages) } } : {}),
      ...(req.canal ? { canal: { messages: b64(req.canal.messages) } } : {}),
      ...(req.avro ? { avro: { schema: path.join(REPO_ROOT, 'schemas', 'dts-avro', 'Record.avsc'), messages: b64(req.avro.messages) } } : {}),
    };
    writeFileSync(path.join(dir, 'request.json'), JSON.stringify(body));
    execFileSync('java', ['-Xmx512m', '-cp', harnessClasspath(), 'dev.mig.consumers.Harness', path.join(dir, 'request.json'), path.join(dir, 'out.jsonl')], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 120_000,
    });
    return readFileSync(path.join(dir, 'out.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as HarnessLine);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
