// CRC-8 as PlainBuffer uses it: polynomial x^8 + x^2 + x + 1 (0x07), initial value 0,
// no reflection, no final xor. Every cell and every row in a PlainBuffer carries one.

const TABLE: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let bit = 0; bit < 8; bit++) c = c & 0x80 ? ((c << 1) ^ 0x07) & 0xff : (c << 1) & 0xff;
    t[i] = c;
  }
  return t;
})();

export function crcByte(crc: number, byte: number): number {
  return TABLE[(crc ^ byte) & 0xff];
}

export function crcBytes(crc: number, bytes: Uint8Array): number {
  let c = crc;
  for (const b of bytes) c = TABLE[(c ^ b) & 0xff];
  return c;
}
