// The message formats mig can write, by the name a spec uses in destination.format.
import { canalJson } from './canal-json.js';
import { dtsAvro } from './dts-avro.js';
import { shareplexJson } from './shareplex-json.js';
import type { FormatName, MessageFormat } from './format.js';

const FORMATS: Partial<Record<FormatName, MessageFormat>> = {
  'canal-json': canalJson,
  'dts-avro': dtsAvro,
  'shareplex-json': shareplexJson,
};

export function formatFor(name: FormatName): MessageFormat {
  const f = FORMATS[name];
  if (!f) throw new Error(`message format ${name} is not available`);
  return f;
}

export type { EncodeContext, FormatName, MessageFormat, TableCodec } from './format.js';
