// The optional project file mig.config.yaml: settings that belong to the project rather than to one
// migration: where the state lives and where metrics are served. Validated as strictly as a spec,
// with file:line:col diagnostics; a literal password is refused because the file is meant to be
// committed.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { isSecretRef } from '../spec/secrets.js';
import { hostProblem } from '../spec/host-shapes.js';
import { Locator } from '../spec/positions.js';
import { yamlErrorDiagnostics } from '../spec/yaml-errors.js';
import { SourceText } from '../spec/yaml-source.js';
import { issueDiagnostics } from '../spec/zod-issues.js';
import { MAX_STATE_NAME, parseMysqlStateUrl } from '../state/mysql-url.js';
import { MigError, SpecError, type Diagnostic } from '../util/errors.js';

export const PROJECT_CONFIG_FILE = 'mig.config.yaml';
export const DEFAULT_STATE_PATH = '.mig/state.json';

const StateConfig = z
  .strictObject({
    backend: z.enum(['file', 'mysql']).describe('where the state lives: a local file, or a table in MySQL/MariaDB'),
    path: z.string().min(1).optional().describe('backend file: the state file, relative to this file (default .mig/state.json)'),
    url: z
      .string()
      .min(1)
      .optional()
      .describe('backend mysql: ${env:NAME} or ${file:PATH} holding mysql://USER:PASSWORD@HOST:PORT/DATABASE'),
    table: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,58}$/, { message: "must be 1 to 59 letters, digits or '_', starting with a letter or '_'" })
      .optional()
      .describe('backend mysql: the state table (default mig_state; the lock table adds _lock)'),
    name: z.string().min(1).max(MAX_STATE_NAME).optional().describe('backend mysql: which state in the table (default `default`)'),
  })
  .superRefine((s, ctx) => {
    const only = (field: 'path' | 'url' | 'table' | 'name', backend: string) => {
      if (s[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: `only applies to \`backend: ${backend}\`` });
    };
    if (s.backend === 'file') for (const f of ['url', 'table', 'name'] as const) only(f, 'mysql');
    if (s.backend === 'mysql') {
      only('path', 'file');
      if (s.url === undefined) ctx.addIssue({ code: 'custom', path: ['url'], message: 'is required for `backend: mysql`' });
    }
  });

// Where mig apply and mig run serve Prometheus metrics; --metrics-port and --metrics-host win over it.
const MetricsConfig = z.strictObject({
  port: z.number().int().min(0).max(65535).describe('serve GET /metrics on this TCP port (0 picks a free one; the command prints the URL)'),
  host: z
    .string()
    .min(1)
    .superRefine((v, ctx) => {
      const problem = hostProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: `must be an address of this machine: ${problem}` });
    })
    .optional()
    .describe('the address it listens on (default 127.0.0.1; 0.0.0.0 for a Prometheus on another host)'),
});

export const ProjectConfigSchema = z.strictObject({ state: StateConfig.optional(), metrics: MetricsConfig.optional() });
export type ProjectConfig = z.infer<typeof ProjectConfigSchema>;
export type StateConfig = z.infer<typeof StateConfig>;
export type MetricsConfig = z.infer<typeof MetricsConfig>;

/** A mig.config.yaml that is not valid; the CLI renders its diagnostics like a spec's. */
export class ProjectConfigError extends SpecError {
  constructor(diagnostics: Diagnostic[]) {
    super(diagnostics);
    this.message = `${diagnostics.length} error(s) in ${diagnostics[0]?.file ?? PROJECT_CONFIG_FILE}`;
  }
}

export interface LoadedProjectConfig {
  /** The file as found, relative to the directory it was looked for in when that was relative. */
  file: string;
  /** Relative paths in the file start here. */
  dir: string;
  config: ProjectConfig;
}

/** Reads `dir`/mig.config.yaml; undefined when there is none. */
export async function loadProjectConfig(dir = '.'): Promise<LoadedProjectConfig | undefined> {
  const file = path.join(dir, PROJECT_CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new MigError('config-unreadable', `cannot read ${file} (${code ?? 'error'})`, 'check that it is a readable file');
  }
  return { file, dir, config: parseProjectConfig(text, file) };
}

/** Validates the text of a project file; throws ProjectConfigError with every problem found. */
export function parseProjectConfig(text: string, file: string): ProjectConfig {
  const lineCounter = new LineCounter();
  // prettyErrors off: no source excerpt in messages, which could show a secret.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const locator = new Locator(doc, lineCounter);
  if (doc.errors.length > 0) {
    // The same explanations as a spec's: the mistake's own line, not where the parser gave up.
    throw new ProjectConfigError(yamlErrorDiagnostics(doc, new SourceText(text), file, locator));
  }
  const input = toData(doc, file, locator) ?? {};
  const result = ProjectConfigSchema.safeParse(input);
  if (!result.success) {
    const ctx = { file, locator, input, schema: ProjectConfigSchema };
    const found = result.error.issues.flatMap((issue) => issueDiagnostics(issue, ctx));
    throw new ProjectConfigError(found.sort((x, y) => x.line - y.line || x.col - y.col));
  }
  const url = result.data.state?.url;
  if (url !== undefined && !isSecretRef(url)) checkLiteralUrl(url, file, locator);
  return result.data;
}

function toData(doc: Document, file: string, locator: Locator): unknown {
  try {
    return doc.toJS();
  } catch (err) {
    const pos = locator.documentStart();
    throw new ProjectConfigError([{ severity: 'error', code: 'yaml-syntax', file, ...pos, path: '', message: (err as Error).message }]);
  }
}

/** A literal URL is allowed only without a password; the message never repeats the URL. */
function checkLiteralUrl(url: string, file: string, locator: Locator): void {
  const at = { severity: 'error' as const, file, ...locator.node(['state', 'url']), path: 'state.url' };
  let password: string | undefined;
  try {
    password = parseMysqlStateUrl(url, '`state.url`').password;
  } catch (err) {
    if (!(err instanceof MigError)) throw err;
    throw new ProjectConfigError([{ ...at, code: 'invalid-value', message: err.message, fix: err.hint }]);
  }
  if (password !== undefined) {
    throw new ProjectConfigError([
      {
        ...at,
        code: 'literal-secret',
        message: '`state.url` holds a password: this file is meant to be committed, so it must never hold a secret',
        fix: 'write `url: ${env:MIG_STATE_URL}` and export MIG_STATE_URL=mysql://USER:PASSWORD@HOST:PORT/DATABASE where mig runs',
      },
    ]);
  }
}
