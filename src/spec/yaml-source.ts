// The raw text around a YAML error: its lines and their indentation, and the brackets and quotes
// the parser's concrete syntax tree saw opened but never closed. The parser notices a mistake
// where it can no longer go on, often a line or more after it; these tell where it began.
import { Parser, type CST } from 'yaml';

/** One line of the file, 1-based, without its newline. */
export interface SourceLine {
  number: number;
  text: string;
  /** Offset of its first character in the file. */
  start: number;
  /** Leading spaces (tabs are not indentation in YAML). */
  indent: number;
}

/** An indentation open at some line: the line that opened it last, and the key that line sets. */
export interface Level {
  line: SourceLine;
  indent: number;
  key: string | undefined;
}

export class SourceText {
  readonly lines: SourceLine[];
  private tokens?: CST.Token[];

  constructor(readonly text: string) {
    let start = 0;
    this.lines = text.split('\n').map((raw, i) => {
      const line = { number: i + 1, text: raw.replace(/\r$/, ''), start, indent: /^ */.exec(raw)![0].length };
      start += raw.length + 1;
      return line;
    });
  }

  /** The line holding `offset`. */
  lineAt(offset: number): SourceLine {
    let lo = 0;
    let hi = this.lines.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lines[mid]!.start <= offset) lo = mid;
      else hi = mid - 1;
    }
    return this.lines[lo]!;
  }

  /** A line with something for the parser: not blank, not only a comment. */
  static hasContent(line: SourceLine): boolean {
    const t = line.text.trim();
    return t !== '' && !t.startsWith('#');
  }

  /** The last line with content before `line`, if any. */
  previousContent(line: SourceLine): SourceLine | undefined {
    return this.lines.slice(0, line.number - 1).findLast(SourceText.hasContent);
  }

  /** The next line with content after `line`, if any. */
  nextContent(line: SourceLine): SourceLine | undefined {
    return this.lines.slice(line.number).find(SourceText.hasContent);
  }

  /**
   * For each indentation still open at `line` (as Python reads blocks), the last line before it
   * at that indentation: the keys a misindented line could have meant to line up with. A list item
   * opens two: its `-`, and the map its first key starts (`- name: x` at 8 opens 8 and 10).
   */
  openLevels(line: SourceLine): Level[] {
    const stack: Level[] = [];
    for (const l of this.lines.slice(0, line.number - 1)) {
      if (!SourceText.hasContent(l) || l.text.trimStart().startsWith('---')) continue;
      const key = keyOf(l);
      const item = /^(\s*-\s+)(?=\S)/.exec(l.text)?.[1]?.length;
      const levels: Level[] = [{ line: l, indent: l.indent, key }];
      if (item !== undefined) levels.push({ line: l, indent: item, key: key?.replace(/^- /, '') });
      while (stack.length > 0 && stack[stack.length - 1]!.indent >= l.indent) stack.pop();
      stack.push(...levels);
    }
    return stack;
  }

  /** Every token of the concrete syntax tree, documents and collections walked into. */
  allTokens(): CST.Token[] {
    this.tokens ??= [...new Parser().parse(this.text)].flatMap((t) => [...walk(t)]);
    return this.tokens;
  }

  /** Where the text of `token` ends, everything inside it counted. */
  static extentEnd(token: CST.Token | null | undefined): number {
    if (!token) return 0;
    let end = 'source' in token && typeof token.source === 'string' ? token.offset + token.source.length : token.offset;
    if (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection') {
      for (const item of token.items) {
        for (const t of [...item.start, item.key, ...(item.sep ?? []), item.value]) end = Math.max(end, SourceText.extentEnd(t));
      }
    }
    if (token.type === 'flow-collection') for (const t of token.end) end = Math.max(end, SourceText.extentEnd(t));
    return end;
  }

  /** The last `[` or `{` before `offset` whose collection has no closing bracket. */
  unclosedFlow(offset: number): CST.FlowCollection | undefined {
    return this.allTokens()
      .filter((t): t is CST.FlowCollection => t.type === 'flow-collection' && t.offset < offset && !isClosed(t))
      .at(-1);
  }

  /**
   * A quoted scalar over several lines whose first line holds nothing after the opening quote, with
   * `offset` inside it or just after: in a spec, a quote left open rather than a long text.
   */
  runawayQuote(offset: number): CST.FlowScalar | undefined {
    return this.allTokens()
      .filter((t): t is CST.FlowScalar => t.type === 'double-quoted-scalar' || t.type === 'single-quoted-scalar')
      .filter((t) => t.offset <= offset && t.source.includes('\n') && /^.\s*\n/.test(t.source))
      .filter((t) => this.lineAt(t.offset + t.source.length).number >= this.lineAt(offset).number - 1)
      .at(-1);
  }

  /** The last quoted scalar at or before `offset` whose closing quote is missing. */
  unclosedQuote(offset: number): CST.FlowScalar | undefined {
    return this.allTokens()
      .filter((t): t is CST.FlowScalar => (t.type === 'double-quoted-scalar' || t.type === 'single-quoted-scalar') && t.offset <= offset && !quoteClosed(t))
      .at(-1);
  }
}

/** The key a line sets (`port` of `port: 3307`, `- name` of `- name: x`), never its value. */
export function keyOf(line: SourceLine): string | undefined {
  const m = /^\s*(-\s+)?([^\s:#'"[\]{},][^:#]*?):(\s|$)/.exec(line.text);
  return m ? `${m[1] ? '- ' : ''}${m[2]}` : undefined;
}

/** Where the last item of a flow collection ends: the place its closing bracket belongs. */
export function flowContentEnd(flow: CST.FlowCollection): number {
  let end = flow.start.offset + flow.start.source.length;
  for (const item of flow.items) {
    for (const t of [item.key, item.value]) {
      if (!t) continue;
      if (t.type === 'flow-collection') end = Math.max(end, t.end.length > 0 ? t.end[0]!.offset + t.end[0]!.source.length : flowContentEnd(t));
      else if ('source' in t) end = Math.max(end, t.offset + t.source.length);
    }
  }
  return end;
}

function isClosed(flow: CST.FlowCollection): boolean {
  const closer = flow.start.source === '[' ? 'flow-seq-end' : 'flow-map-end';
  return flow.end.some((t) => t.type === closer);
}

function quoteClosed(scalar: CST.FlowScalar): boolean {
  const body = scalar.source.slice(1);
  // Inside double quotes a backslash escapes the next character; inside single quotes '' is a quote.
  const rest = scalar.type === 'double-quoted-scalar' ? body.replace(/\\[\s\S]/g, '') : body.replace(/''/g, '');
  return rest.endsWith(scalar.source[0]!);
}

function* walk(token: CST.Token | null | undefined): Generator<CST.Token> {
  if (!token) return;
  yield token;
  if (token.type === 'document') yield* walk(token.value);
  if (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection') {
    for (const item of token.items) {
      yield* walk(item.key);
      yield* walk(item.value);
    }
  }
}
