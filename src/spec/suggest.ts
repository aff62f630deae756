// "Did you mean …?" for typos in field names and enum values.

/**
 * Edit distance with adjacent transpositions counted as one edit (optimal string alignment), so
 * the most common typo, two swapped letters (`fliter`), is as close as a single wrong letter.
 */
export function editDistance(a: string, b: string): number {
  const cols = b.length + 1;
  // d[i][j]: the distance between the first i letters of a and the first j of b, filled row by row.
  const d: number[][] = [Array.from({ length: cols }, (_, j) => j)];
  // Only cells of rows already filled, left of the one being computed, are read.
  const at = (i: number, j: number): number => d[i]![j]!;
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    d.push(row);
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1);
      }
      row.push(best);
    }
  }
  return at(a.length, b.length);
}

/**
 * The candidate closest to `word`, if it is close enough to be a plausible typo. Case is ignored
 * (`serverID` → `serverId`); the allowance grows with length so short words do not match anything.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  const limit = Math.max(1, Math.min(3, Math.floor(w.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const dist = editDistance(w, c.toLowerCase());
    if (dist < bestDistance) {
      best = c;
      bestDistance = dist;
    }
  }
  if (best === undefined) return undefined;
  // A prefix or extension (`incremental` vs `increment`) is a typo too, even past the limit.
  const lb = best.toLowerCase();
  const prefix = w.length >= 3 && (lb.startsWith(w) || w.startsWith(lb));
  return bestDistance <= limit || prefix ? best : undefined;
}

/** `a`, `b` or `c` → "`a`, `b`, `c`" for messages. */
export function listCode(values: readonly string[]): string {
  return values.map((v) => `\`${v}\``).join(', ');
}
