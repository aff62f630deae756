// Turns the yaml parser's errors into findings at the line that is wrong, with a fix naming what is
// missing. The parser reports where it could no longer go on: an unclosed `[` on the next key, a
// line indented too deep on the line before it. Each common mistake is traced back to its cause;
// anything else keeps the parser's own words. The explanations never quote a value back (one may
// be a secret): only keys, brackets and quote characters.
import { isMap, isNode, isPair, isScalar, isSeq, type Document, type YAMLError } from 'yaml';
import type { Diagnostic } from '../util/errors.js';
import { formatPath, type DataPath, type Locator } from './positions.js';
import { misaligned, tooDeep } from './yaml-indent.js';
import { flowContentEnd, keyOf, SourceText, type SourceLine } from './yaml-source.js';

export interface YamlProblem {
  code: 'yaml-syntax' | 'duplicate-key';
  /** Offset in the file of the character to fix. */
  offset: number;
  /** Data path of the key concerned, when there is one (duplicate keys). */
  path: string;
  message: string;
  fix: string;
}

/** The errors of one parsed document as diagnostics of `file`; none when it parsed cleanly. */
export function yamlErrorDiagnostics(doc: Document, source: SourceText, file: string, locator: Locator): Diagnostic[] {
  return explainYamlErrors(doc.errors, doc, source).map((p) => ({
    severity: 'error',
    code: p.code,
    file,
    ...locator.at(p.offset),
    path: p.path,
    message: p.message,
    fix: p.fix,
  }));
}

const GENERIC_FIX = 'check the indentation, quotes and brackets around this position';

/** For the parser's words when a mistake could not be traced to a cause: advice by kind. */
const FALLBACK_FIXES: Partial<Record<YAMLError['code'], string>> = {
  BAD_INDENT: 'align this line with the other entries of the same map or list',
  MISSING_CHAR: 'close the quote or bracket that was opened before this point',
  MULTILINE_IMPLICIT_KEY: 'a key must fit on one line; check for a missing `:` or a stray quote',
  BLOCK_AS_IMPLICIT_KEY: 'check the indentation and the `:` after each key',
};

/**
 * The findings for one document's errors. After the first syntax error the parser's picture of the
 * document is a guess, and what it reports next mostly follows from that one mistake, so only the
 * first it found is explained; duplicate keys are independent of each other and all reported.
 */
export function explainYamlErrors(errors: readonly YAMLError[], doc: Document, source: SourceText): YamlProblem[] {
  const duplicates = errors.filter((e) => e.code === 'DUPLICATE_KEY');
  // A tab in the indentation is always a cause, never a consequence: it goes first.
  const syntax = errors.filter((e) => e.code !== 'DUPLICATE_KEY');
  const first = syntax.find((e) => e.code === 'TAB_AS_INDENT') ?? syntax[0];
  return [...duplicates.map((e) => duplicateKey(e, doc, source)), ...(first ? [explain(first, source)] : [])];
}

function explain(e: YAMLError, source: SourceText): YamlProblem {
  const base = { code: 'yaml-syntax' as const, offset: e.pos[0], path: '' };
  return { ...base, message: e.message, fix: FALLBACK_FIXES[e.code] ?? GENERIC_FIX, ...(unclosed(e, source) ?? cause(e, source)) };
}

/** The mistake behind an error the parser reports where it happens (or on the line before). */
function cause(e: YAMLError, source: SourceText): Found | undefined {
  const offset = e.pos[0];
  const line = source.lineAt(offset);
  switch (e.code) {
    case 'TAB_AS_INDENT':
      return { message: 'this line is indented with a tab; YAML allows only spaces in indentation', fix: 'replace the tab with spaces' };
    case 'MULTILINE_IMPLICIT_KEY':
      return notAKeyValue(line);
    case 'MISSING_CHAR':
      if (/followed by map values/.test(e.message)) return notAKeyValue(line);
      if (/Sequence item without/.test(e.message)) return misaligned(line, source);
      if (/directives-end/.test(e.message)) {
        return { message: 'a `%` directive line must be followed by a `---` line before the document', fix: 'add `---` after the directive, or remove the directive' };
      }
      return undefined;
    case 'BLOCK_AS_IMPLICIT_KEY':
      return /Nested mappings/.test(e.message) ? (colonInValue(line, offset) ?? tooDeep(line, source.nextContent(line), source)) : misaligned(line, source);
    case 'BAD_INDENT':
      return misaligned(line, source);
    case 'UNEXPECTED_TOKEN':
      // A key at the start of a line the parser did not expect there is out of line with the keys above.
      return offset === line.start + line.indent && /Unexpected scalar/.test(e.message) ? (misaligned(line, source) ?? strayToken(e)) : strayToken(e);
    case 'BAD_SCALAR_START':
    case 'BAD_ALIAS':
      return reservedStart(e);
    case 'BAD_DQ_ESCAPE':
      return {
        message: `inside double quotes a backslash starts an escape, and \`${/\\\S*/.exec(e.message)?.[0] ?? '\\'}\` is not one`,
        fix: 'write `\\\\` for a backslash, or use single quotes, which have no escapes',
      };
    default:
      return undefined;
  }
}

type Found = Partial<YamlProblem> & { message: string; fix: string };

/**
 * An unclosed `[`, `{` or quote, reported where it was opened. The parser finds out later: on the
 * next line that is not indented enough, or on a line inside the list it could not read as an item.
 */
function unclosed(e: YAMLError, source: SourceText): Found | undefined {
  const scalar = /^Missing closing ["']quote/.test(e.message) ? source.unclosedQuote(e.pos[0]) : undefined;
  if (scalar) {
    const q = scalar.source[0]!;
    return {
      offset: scalar.offset,
      message: `the quote \`${q}\` opened here is never closed`,
      fix: `end the value with \`${q}\` on this line`,
    };
  }
  // A quote left open that a later value's quote happens to close: the keys between became its text.
  const runaway = source.runawayQuote(e.pos[0]);
  if (runaway) {
    const q = runaway.source[0]!;
    const closed = source.lineAt(runaway.offset + runaway.source.length - 1);
    return {
      offset: runaway.offset,
      message: `the quote \`${q}\` opened here is not closed on its line, so the text up to the next \`${q}\`, on line ${closed.number}, is read as its value`,
      fix: `end the value with \`${q}\` on this line`,
    };
  }
  const flow = source.unclosedFlow(e.pos[0]);
  if (!flow || !(/end with a [\]}]/.test(e.message) || SourceText.extentEnd(flow) >= e.pos[0])) return undefined;
  const open = flow.start.source;
  const close = open === '[' ? ']' : '}';
  const what = open === '[' ? 'list' : 'map';
  const last = flowContentEnd(flow);
  const end = source.lineAt(last);
  const opened = source.lineAt(flow.start.offset);
  // With nothing after the bracket on its line, where the list was meant to end is anyone's guess.
  const bare = /^\s*(#.*)?$/.test(opened.text.slice(flow.start.offset - opened.start + 1));
  return {
    offset: flow.start.offset,
    message: `the \`${open}\` opened here is never closed: the ${what} has no \`${close}\``,
    fix: bare
      ? `remove the \`${open}\`, or write \`${close}\` where the ${what} ends`
      : `write \`${close}\` after the ${what}'s last item, at line ${end.number} column ${last - end.start + 1}`,
  };
}

/** A line the parser could not read as `key: value`: a missing space after the colon, or no colon. */
function notAKeyValue(line: SourceLine): Found | undefined {
  const body = line.text.replace(/\s+#.*$/, '');
  const lead = /^\s*(-\s+)?/.exec(body)![0].length;
  const rest = body.slice(lead);
  const glued = /^([^\s:#'"[\]{},]+):(?=\S)/.exec(rest);
  if (glued) {
    const key = glued[1]!;
    return {
      offset: line.start + lead + key.length,
      message: `there is no space after \`${key}:\`, so YAML reads the line as one word, not a key and a value`,
      fix: `put a space after the colon: \`${key}: …\``,
    };
  }
  // `user root`, `password ${env:X}`: a word, then no `: ` anywhere that would make the line a key.
  const word = /^([A-Za-z_][\w.-]*)(\s+\S.*)?$/.exec(rest);
  if (word && !/:(\s|$)/.test(rest)) {
    const key = word[1]!;
    return {
      offset: line.start + lead,
      message: `\`${key}\` has no \`:\` after it, so YAML does not read it as a key`,
      fix: word[2] ? `write \`${key}: …\`, with a colon and a space before the value` : `write \`${key}:\``,
    };
  }
  return undefined;
}

/** `user: root: admin`: a `: ` inside a plain value starts a second key on the same line. */
function colonInValue(line: SourceLine, offset: number): Found | undefined {
  const key = keyOf(line);
  const value = line.text.slice(offset - line.start).replace(/\s+#.*$/, '');
  if (key === undefined || !/:(\s|$)/.test(value)) return undefined;
  const name = key.replace(/^- /, '');
  return {
    message: `the value of \`${name}\` contains \`: \`, which YAML reads as the start of another key`,
    fix: `put the value in quotes: \`${name}: "…"\``,
  };
}

const TOKEN_WORDS: Record<string, string> = {
  scalar: 'a value',
  'double-quoted-scalar': 'a quoted value',
  'single-quoted-scalar': 'a quoted value',
  'map-value-ind': '`:`',
  'seq-item-ind': '`-`',
  comma: '`,`',
  'flow-seq-start': '`[`',
  'flow-map-start': '`{`',
};

/** A `]` or `}` with no bracket open before it; other tokens named without quoting the text. */
function strayToken(e: YAMLError): Found | undefined {
  const token = /Unexpected (\S+)( token| at node end)/.exec(e.message)?.[1];
  if (token === undefined) return undefined;
  if (token !== 'flow-seq-end' && token !== 'flow-map-end') {
    const after = /at node end/.test(e.message) ? ' after the value before it' : ' here';
    return { message: `YAML did not expect ${TOKEN_WORDS[token] ?? token}${after}`, fix: after === ' here' ? GENERIC_FIX : 'remove it, or put the whole value in quotes' };
  }
  const [close, open, what] = token === 'flow-seq-end' ? [']', '[', 'list'] : ['}', '{', 'map'];
  return {
    message: `this \`${close}\` closes no ${what}: there is no \`${open}\` open before it`,
    fix: `remove it, or add the \`${open}\` that should open the ${what}`,
  };
}

/** A plain value starting with a character YAML reserves (`@`, a backtick, `*` for an alias, …). */
function reservedStart(e: YAMLError): Found {
  const char = e.code === 'BAD_ALIAS' ? '*' : (/reserved character (\S)/.exec(e.message)?.[1] ?? /indicator (\S)/.exec(e.message)?.[1]);
  const what = char === '*' ? '`*` starts an alias (a reference to an `&anchor`)' : char ? `YAML reserves \`${char}\` at the start of a plain value` : e.message;
  return { message: what, fix: 'put the value in quotes: `"…"`' };
}

/** A key set twice in one map: named, with where it was first set and the map's path. */
function duplicateKey(e: YAMLError, doc: Document, source: SourceText): YamlProblem {
  const offset = e.pos[0];
  const found = findDuplicate(doc.contents, offset, []);
  if (!found) return { code: 'duplicate-key', offset, path: '', message: 'this key is set twice in the same map', fix: 'keep one of them' };
  const where = found.map.length === 0 ? 'at the top level' : `in \`${formatPath(found.map)}\``;
  const firstLine = source.lineAt(found.first).number;
  return {
    code: 'duplicate-key',
    offset,
    path: formatPath([...found.map, found.key]),
    message: `\`${found.key}\` is set twice ${where}: on line ${firstLine} and again here`,
    fix: `keep one of them: delete this one or the one on line ${firstLine}`,
  };
}

interface Duplicate {
  map: DataPath;
  key: string;
  /** Offset of the key's first occurrence. */
  first: number;
}

/** Finds the map whose key starts at `offset` and the first pair with the same key in it. */
function findDuplicate(node: unknown, offset: number, path: (string | number)[]): Duplicate | undefined {
  if (isSeq(node)) {
    for (const [i, item] of node.items.entries()) {
      const found = findDuplicate(item, offset, [...path, i]);
      if (found) return found;
    }
  }
  if (!isMap(node)) return undefined;
  const pairs = node.items.filter(isPair);
  const keyText = (k: unknown) => (isScalar(k) ? String(k.value) : String(k));
  const dup = pairs.find((p) => isNode(p.key) && p.key.range?.[0] === offset);
  if (dup) {
    const key = keyText(dup.key);
    const first = pairs.find((p) => p !== dup && keyText(p.key) === key)?.key;
    return { map: path, key, first: isNode(first) && first.range ? first.range[0] : offset };
  }
  for (const p of pairs) {
    const found = findDuplicate(p.value, offset, [...path, keyText(p.key)]);
    if (found) return found;
  }
  return undefined;
}
