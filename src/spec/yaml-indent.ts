// Indentation mistakes, told from the source lines: YAML reads structure from indentation, so a
// line one space off is reported by the parser as something else (a nested mapping in a value, a
// sequence item without `-`), often on a neighbouring line.
import { keyOf, SourceText, type Level, type SourceLine } from './yaml-source.js';

export interface IndentProblem {
  offset: number;
  message: string;
  fix: string;
}

export function spaces(n: number): string {
  return n === 1 ? '1 space' : `${n} spaces`;
}

/**
 * `port: 3307` followed by `deep`, a line indented deeper: YAML reads that line as part of port's
 * value. When `line` is the first key of its block and the lines after `deep` agree with `deep`,
 * `line` may be the one out of line, and the fix offers both.
 */
export function tooDeep(line: SourceLine, deep: SourceLine | undefined, source: SourceText): IndentProblem | undefined {
  const key = keyOf(line)?.replace(/^- /, '');
  if (key === undefined || deep === undefined || deep.indent <= line.indent) return undefined;
  // Under `- name: x` the keys of the item's map line up with `name`, not with the `-`.
  const base = /^\s*-\s+/.exec(line.text)?.[0].length ?? line.indent;
  if (deep.indent <= base) return undefined;
  const name = keyOf(deep) ?? `line ${deep.number}`;
  const before = source.previousContent(line);
  const after = source.nextContent(deep);
  const firstOfBlock = before === undefined || before.indent < line.indent;
  const othersAgree = after !== undefined && after.indent === deep.indent;
  return {
    offset: deep.start + deep.indent,
    message: `\`${name}\` is indented deeper than \`${key}\` on line ${line.number} (${spaces(deep.indent)}, not ${base}), so YAML reads it as part of the value of \`${key}\``,
    fix:
      firstOfBlock && othersAgree
        ? `line them up: indent \`${key}\` on line ${line.number} by ${spaces(deep.indent)} like the keys after it, or \`${name}\` by ${base}`
        : `indent \`${name}\` by ${spaces(base)}, like \`${key}\``,
  };
}

/** A line whose indentation matches no open block, or a list item among a map's keys. */
export function misaligned(line: SourceLine, source: SourceText): IndentProblem | undefined {
  const levels = source.openLevels(line);
  const isItem = /^\s*-(\s|$)/.test(line.text);
  const name = keyOf(line) ?? (isItem ? '-' : undefined);
  const at = line.start + line.indent;
  const same = levels.filter((l) => l.indent === line.indent).at(-1);
  if (same) {
    if (!isItem || /^-(\s|$)/.test(same.line.text.slice(same.indent))) return undefined;
    return {
      offset: at,
      message: `a list item (\`- \`) among the keys of a map (like ${label(same)} on line ${same.line.number})`,
      fix: 'remove the `- `, or put the list under a key of its own',
    };
  }
  const deeper = levels.find((l) => l.indent > line.indent);
  const shallower = levels.filter((l) => l.indent < line.indent).at(-1);
  const what = name === undefined ? 'this line' : `\`${name}\``;
  if (deeper === undefined && shallower !== undefined) {
    // Deeper than every open block: the line above holds a value, which YAML reads this line into.
    const above = source.previousContent(line);
    return above === undefined ? undefined : tooDeep(above, line, source);
  }
  if (deeper === undefined) return undefined;
  if (shallower === undefined) {
    return {
      offset: at,
      message: `${what} is indented by ${spaces(line.indent)}, less than ${label(deeper)} on line ${deeper.line.number} (${deeper.indent}), and nothing above encloses it`,
      fix: `line it up with ${label(deeper)}: top-level keys start at the same column, usually the first`,
    };
  }
  return {
    offset: at,
    message: `${what} is indented by ${spaces(line.indent)}, which lines it up with nothing above: ${label(deeper)} (line ${deeper.line.number}) is at ${deeper.indent}, ${label(shallower)} (line ${shallower.line.number}) at ${shallower.indent}`,
    fix: `indent it by ${spaces(deeper.indent)} to put it beside ${label(deeper)}, or by ${shallower.indent} to put it beside ${label(shallower)}`,
  };
}

function label(l: Level): string {
  return `\`${l.key ?? `line ${l.line.number}`}\``;
}
