// Which ordered lane (bucket) a row goes to: a pure function of the key's text, so every change
// of one key lands in the same lane, in any run, on any machine.

/**
 * 32-bit FNV-1a over the UTF-8 bytes, then MurmurHash3's fmix32 finaliser. FNV-1a alone is stable
 * but its low bits vary little between consecutive keys (id=1, id=2 …); the finaliser mixes every
 * input bit into the low bits, so `% buckets` spreads evenly even for small bucket counts.
 * Never change this: lanes only order changes within one run, but a stable choice keeps runs comparable.
 */
export function keyHash(keyText: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(keyText, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Lane 0 … buckets-1 for a key (include the table in keyText: equal keys of two tables need not share a lane). */
export function bucketOf(keyText: string, buckets: number): number {
  if (!Number.isInteger(buckets) || buckets < 1) throw new RangeError(`buckets must be a positive integer, got ${buckets}`);
  return keyHash(keyText) % buckets;
}
