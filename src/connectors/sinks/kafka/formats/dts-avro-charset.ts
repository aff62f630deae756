// Text as the bytes of its column's character set, for DTS Avro's Character record (charset name +
// raw bytes). Consumers decode with the named charset, so label and bytes must agree: a charset Node
// cannot encode is written as UTF-8 and labelled utf8mb4 rather than mislabelled.

export type TextEncoding = 'utf8' | 'latin1' | 'utf16be' | 'utf16le' | 'utf32';

export interface CharsetPlan {
  /** Charset name written to the record (MySQL's name). */
  label: string;
  encoding: TextEncoding;
}

/** MySQL charset name → how to produce its bytes. */
export function charsetPlan(charset: string | undefined): CharsetPlan {
  const cs = (charset ?? 'utf8mb4').toLowerCase();
  switch (cs) {
    case 'utf8': case 'utf8mb3': case 'utf8mb4': return { label: cs, encoding: 'utf8' };
    case 'latin1': case 'ascii': return { label: cs, encoding: 'latin1' };
    case 'ucs2': case 'utf16': return { label: cs, encoding: 'utf16be' };
    case 'utf16le': return { label: cs, encoding: 'utf16le' };
    case 'utf32': return { label: cs, encoding: 'utf32' };
    default: return { label: 'utf8mb4', encoding: 'utf8' };
  }
}

// MySQL's latin1 is Windows-1252: these code points live in 0x80–0x9F. The five bytes cp1252 leaves
// undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) map to U+0081… and are covered by the identity range.
const CP1252_HIGH = new Map<number, number>([
  [0x20ac, 0x80], [0x201a, 0x82], [0x0192, 0x83], [0x201e, 0x84], [0x2026, 0x85], [0x2020, 0x86],
  [0x2021, 0x87], [0x02c6, 0x88], [0x2030, 0x89], [0x0160, 0x8a], [0x2039, 0x8b], [0x0152, 0x8c],
  [0x017d, 0x8e], [0x2018, 0x91], [0x2019, 0x92], [0x201c, 0x93], [0x201d, 0x94], [0x2022, 0x95],
  [0x2013, 0x96], [0x2014, 0x97], [0x02dc, 0x98], [0x2122, 0x99], [0x0161, 0x9a], [0x203a, 0x9b],
  [0x0153, 0x9c], [0x017e, 0x9e], [0x0178, 0x9f],
]);

// Anything beyond U+00FF other than the table above: '?' is what MySQL stores for it too.
function latin1Bytes(s: string): Buffer {
  if (!/[^\x00-\xff]/.test(s)) return Buffer.from(s, 'latin1');
  const out = Buffer.allocUnsafe(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out[i] = c <= 0xff ? c : (CP1252_HIGH.get(c) ?? 0x3f);
  }
  return out;
}

function utf32Bytes(s: string): Buffer {
  const cps: number[] = [];
  for (const ch of s) cps.push(ch.codePointAt(0)!);
  const out = Buffer.allocUnsafe(cps.length * 4);
  for (let i = 0; i < cps.length; i++) out.writeUInt32BE(cps[i]!, i * 4);
  return out;
}

export function textBytes(encoding: TextEncoding, s: string): Buffer {
  switch (encoding) {
    case 'utf8': return Buffer.from(s, 'utf8');
    case 'latin1': return latin1Bytes(s);
    case 'utf16le': return Buffer.from(s, 'utf16le');
    case 'utf16be': return Buffer.from(s, 'utf16le').swap16();
    case 'utf32': return utf32Bytes(s);
  }
}
