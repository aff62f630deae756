// A table verified by key ranges (MySQL destination): both servers checksum each chunk, a chunk whose
// count or checksum differs is cut again until its pieces are small, and only then are rows read
// and compared. Equal chunks never leave their servers.
import type { KeyRange, RangeVerifier } from '../connectors/contract.js';
import { rangesBetween, isLeaf, splitEvery } from './chunks.js';
import { addTally, compareRows, emptyTally, type Tally } from './compare.js';

export interface RangeOptions {
  /** Rows per first-level chunk. */
  chunkRows: number;
  /** A chunk with at most this many rows on either side is compared row by row. */
  leafRows: number;
  /** Differences kept (shown and re-checked). */
  keep: number;
}

export interface RangeResult {
  tally: Tally;
  sourceRows: number;
  destinationRows: number;
  chunks: number;
  /** The row-compared pieces that held differences: where a re-check looks. */
  leaves: KeyRange[];
}

export async function verifyRanges(v: RangeVerifier, o: RangeOptions): Promise<RangeResult> {
  const out: RangeResult = { tally: emptyTally(), sourceRows: 0, destinationRows: 0, chunks: 0, leaves: [] };
  if (v.fallback) {
    const [expected, actual] = await Promise.all([v.rows('source', {}), v.rows('destination', {})]);
    out.sourceRows = expected.length;
    out.destinationRows = actual.length;
    addLeaf(out, {}, compareRows(expected, actual, o.keep), o.keep);
    return out;
  }
  const top = rangesBetween(await v.boundaries({}, o.chunkRows));
  for (const range of top) {
    const [s, d] = await Promise.all([v.checksum('source', range), v.checksum('destination', range)]);
    out.chunks++;
    out.sourceRows += s.rows;
    out.destinationRows += d.rows;
    if (s.rows !== d.rows || s.sum !== d.sum) await drill(v, range, s.rows, d.rows, o, out);
  }
  return out;
}

/** A chunk known to differ: cut again, or compared row by row once small. */
async function drill(v: RangeVerifier, range: KeyRange, sourceRows: number, destinationRows: number, o: RangeOptions, out: RangeResult): Promise<void> {
  const every = splitEvery(Math.max(sourceRows, destinationRows), o.leafRows);
  const cuts = isLeaf(sourceRows, destinationRows, o.leafRows) ? [] : await v.boundaries(range, every);
  if (cuts.length === 0) {
    addLeaf(out, range, await compareLeaf(v, range, o.keep), o.keep);
    return;
  }
  for (const piece of rangesBetween(cuts, range)) {
    const [s, d] = await Promise.all([v.checksum('source', piece), v.checksum('destination', piece)]);
    if (s.rows === d.rows && s.sum === d.sum) continue;
    await drill(v, piece, s.rows, d.rows, o, out);
  }
}

export async function compareLeaf(v: RangeVerifier, range: KeyRange, keep: number): Promise<Tally> {
  const [expected, actual] = await Promise.all([v.rows('source', range), v.rows('destination', range)]);
  return compareRows(expected, actual, keep);
}

function addLeaf(out: RangeResult, range: KeyRange, t: Tally, keep: number): void {
  if (t.missing + t.extra + t.differing === 0) return;
  out.leaves.push(range);
  addTally(out.tally, t, keep);
}
