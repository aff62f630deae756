// protobufjs, required on first use: only the Tablestore sink (BulkImport, the service's error body)
// and the TiDB source (Drainer messages) parse protobuf, and a run that reads or writes neither
// should not load it (~11 MB of memory).
import { createRequire } from 'node:module';
import type protobuf from 'protobufjs';

const require = createRequire(import.meta.url);
let loaded: typeof protobuf | undefined;

export function protobufModule(): typeof protobuf {
  loaded ??= require('protobufjs') as typeof protobuf;
  return loaded;
}
