// Reads the spec directory: every *.yaml / *.yml file, every document in it, validated against the
// schema and then the semantic checks. All problems of all files come back in one pass, each
// pinned to the file, line and column to edit.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { isScalar, LineCounter, parseAllDocuments, type Document, type YAMLWarning } from 'yaml';
import { MigError, type Diagnostic } from '../util/errors.js';
import type { LoadedMigration } from './loaded-migration.js';
import { Locator } from './positions.js';
import { MigrationDoc } from './schema.js';
import { runSemanticChecks, SEMANTIC_CHECKS, type SemanticCheck } from './semantic.js';
import { yamlErrorDiagnostics } from './yaml-errors.js';
import { SourceText } from './yaml-source.js';
import { behindDiscriminators, issueDiagnostics } from './zod-issues.js';

export const DEFAULT_SPEC_DIR = 'migrations.d';

export type { LoadedMigration } from './loaded-migration.js';

export interface LoadResult {
  migrations: LoadedMigration[];
  diagnostics: Diagnostic[];
}

export interface LoadOptions {
  /** Semantic checks to run; defaults to SEMANTIC_CHECKS. */
  checks?: readonly SemanticCheck[];
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Spec files of `dir`, sorted by name (code-unit order, so the same on every machine). */
export async function findSpecFiles(dir: string = DEFAULT_SPEC_DIR): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new MigError('spec-dir-missing', `the spec directory ${dir} does not exist`, `create ${dir} and put the migration specs (*.yaml) in it`);
    }
    throw err;
  }
  const files: string[] = [];
  for (const name of names.filter((n) => /\.ya?ml$/i.test(n)).sort()) {
    const file = path.join(dir, name);
    // stat follows symlinks: a linked spec counts, a directory named x.yaml does not. A dangling
    // link stays in, to be reported as unreadable rather than silently skipped.
    const isDir = await stat(file).then((st) => !st.isFile(), () => false);
    if (!isDir) files.push(file);
  }
  return files;
}

export async function loadSpecs(dir: string = DEFAULT_SPEC_DIR, options: LoadOptions = {}): Promise<LoadResult> {
  return loadSpecFiles(await findSpecFiles(dir), options);
}

/** Loads the given files as one set: cross-file checks (duplicate names) see all of them. */
export async function loadSpecFiles(files: readonly string[], options: LoadOptions = {}): Promise<LoadResult> {
  const migrations: LoadedMigration[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      diagnostics.push({
        severity: 'error',
        code: 'file-unreadable',
        file,
        line: 1,
        col: 1,
        path: '',
        message: `cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
        fix: 'check that it exists and is readable',
      });
      continue;
    }
    const parsed = parseDocuments(text, file);
    migrations.push(...parsed.migrations);
    diagnostics.push(...parsed.diagnostics);
    if (parsed.contentDocuments === 0 && parsed.diagnostics.length === 0) diagnostics.push(emptyFile(file));
  }
  diagnostics.push(...runSemanticChecks(migrations, options.checks ?? SEMANTIC_CHECKS));
  return { migrations, diagnostics: sortDiagnostics(diagnostics, files) };
}

/**
 * A file in the spec directory without any document is most likely a spec that was emptied or never
 * written; it is not an error (nothing is wrong with the other files), but it should not pass silently.
 */
function emptyFile(file: string): Diagnostic {
  return {
    severity: 'warning',
    code: 'empty-spec-file',
    file,
    line: 1,
    col: 1,
    path: '',
    message: 'the file holds no migration document (it is empty, or only comments)',
    fix: 'delete the file or add a Migration document',
  };
}

/** Parses and validates one file's text; no semantic checks (they need the whole set). */
export function parseSpecText(text: string, file: string): LoadResult {
  const { migrations, diagnostics } = parseDocuments(text, file);
  return { migrations, diagnostics };
}

/** parseSpecText, also counting the documents with content (an empty file is only a loader's concern). */
function parseDocuments(text: string, file: string): LoadResult & { contentDocuments: number } {
  let contentDocuments = 0;
  const lineCounter = new LineCounter();
  // prettyErrors off: the message then holds no source excerpt, which could contain a secret.
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  const migrations: LoadedMigration[] = [];
  const diagnostics: Diagnostic[] = [];
  const source = new SourceText(text);
  Array.from(docs).forEach((doc, docIndex) => {
    const locator = new Locator(doc, lineCounter, text);
    for (const w of doc.warnings) diagnostics.push(yamlWarning(w, file, locator));
    if (doc.errors.length > 0) {
      // The tree of a broken document is a guess; validating it would only add noise.
      diagnostics.push(...yamlErrorDiagnostics(doc, source, file, locator));
      return;
    }
    if (isEmpty(doc)) return;
    contentDocuments++;
    const loaded = validateDocument(doc, docIndex, file, locator);
    if ('migration' in loaded) migrations.push(loaded.migration);
    else diagnostics.push(...loaded.diagnostics);
  });
  return { migrations, diagnostics, contentDocuments };
}

/** A document with no content (a trailing `---`, or only comments) is not a spec: skip it. */
function isEmpty(doc: Document): boolean {
  const c = doc.contents;
  return c === null || (isScalar(c) && c.value === null);
}

function validateDocument(
  doc: Document,
  docIndex: number,
  file: string,
  locator: Locator,
): { migration: LoadedMigration } | { diagnostics: Diagnostic[] } {
  let input: unknown;
  try {
    input = doc.toJS();
  } catch (err) {
    // toJS refuses unknown aliases and alias bombs: a problem with the YAML, not the spec.
    const pos = locator.documentStart();
    return {
      diagnostics: [
        { severity: 'error', code: 'yaml-syntax', file, ...pos, path: '', message: (err as Error).message, fix: 'check the anchors (&name) and aliases (*name): an alias must follow its anchor' },
      ],
    };
  }
  const result = MigrationDoc.safeParse(input);
  if (!result.success) {
    const ctx = { file, locator, input, schema: MigrationDoc };
    const issues = [...result.error.issues, ...behindDiscriminators(MigrationDoc, input, result.error.issues)];
    return { diagnostics: issues.flatMap((issue) => issueDiagnostics(issue, ctx)) };
  }
  return {
    migration: {
      file,
      docIndex,
      line: locator.documentStart().line,
      migration: result.data,
      locate: (p) => locator.node(p),
      locateWithin: (p, index) => locator.within(p, index),
    },
  };
}

function yamlWarning(w: YAMLWarning, file: string, locator: Locator): Diagnostic {
  return { severity: 'warning', code: 'yaml-warning', file, ...locator.at(w.pos[0]), path: '', message: w.message, fix: 'check the indentation, quotes and brackets around this position' };
}

/** File order first (as loaded), then position; ties keep the order they were found in. */
function sortDiagnostics(diagnostics: Diagnostic[], files: readonly string[]): Diagnostic[] {
  const order = new Map(files.map((f, i) => [f, i]));
  return diagnostics
    .map((d, i) => ({ d, i }))
    .sort(
      (a, b) =>
        (order.get(a.d.file) ?? 0) - (order.get(b.d.file) ?? 0) ||
        a.d.line - b.d.line ||
        a.d.col - b.d.col ||
        a.i - b.i,
    )
    .map(({ d }) => d);
}
