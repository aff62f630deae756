// Text into GitHub-flavoured Markdown without changing what it says: names, reasons and messages come
// from specs and servers, and a stray `*`, `<` or `|` must not turn into emphasis, HTML or a new
// table column. Inside a table a `|` must be escaped even within a code span (GFM splits cells first).

/** Characters that mean something inline; each is shown as itself when backslash-escaped. */
const SPECIAL = /[\\`*_~[\]<>&|#]/g;

function longestRun(text: string, ch: string): number {
  let best = 0;
  let run = 0;
  for (const c of text) {
    run = c === ch ? run + 1 : 0;
    if (run > best) best = run;
  }
  return best;
}

/** `text` as one code span, whatever backticks it holds. */
export function codeSpan(text: string, inTable = false): string {
  const body = inTable ? text.replace(/\|/g, '\\|') : text;
  const ticks = '`'.repeat(longestRun(body, '`') + 1);
  const pad = body.startsWith('`') || body.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${body.replace(/\n/g, ' ')}${pad}${ticks}`;
}

/**
 * Plain text shown as written. Pairs of single backticks stay code spans (notes and reasons quote
 * names that way); everything else is escaped, and line breaks become <br>.
 */
export function inline(text: string, inTable = false): string {
  return text
    .split(/(`[^`\n]+`)/)
    .map((part, i) => (i % 2 === 1 ? codeSpan(part.slice(1, -1), inTable) : part.replace(SPECIAL, (c) => `\\${c}`)))
    .join('')
    .replace(/\r?\n/g, '<br>');
}

/** A fenced block that no line of `body` can close early. */
export function fence(lang: string, body: string): string[] {
  const ticks = '`'.repeat(Math.max(3, longestRun(body, '`') + 1));
  return [`${ticks}${lang}`, ...body.split('\n'), ticks];
}
