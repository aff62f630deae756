// Turns the read options of GetRow / GetRange / BatchGetRow into a ReadSpec.
import { Errors } from './errors.js';
import type { ReadOptions } from './protocol.js';
import type { ReadSpec } from './table.js';

export function readSpecOf(o: ReadOptions): ReadSpec {
  if (o.filter && o.filter.length > 0) throw Errors.invalid('Filters are not supported by this test server.');
  if (o.maxVersions !== undefined && o.maxVersions < 1) throw Errors.invalid(`Invalid max_versions: ${o.maxVersions}.`);
  const spec: ReadSpec = {
    columnsToGet: o.columnsToGet,
    maxVersions: o.maxVersions ?? (o.timeRange ? Number.MAX_SAFE_INTEGER : 1),
    startColumn: o.startColumn,
    endColumn: o.endColumn,
  };
  const tr = o.timeRange;
  if (tr) {
    if (tr.specificTime !== undefined) {
      spec.startTime = tr.specificTime;
      spec.endTime = tr.specificTime + 1n;
    } else {
      spec.startTime = tr.startTime;
      spec.endTime = tr.endTime;
      if (spec.startTime !== undefined && spec.endTime !== undefined && spec.startTime >= spec.endTime)
        throw Errors.invalid('Invalid time range: start_time must be less than end_time.');
    }
  }
  return spec;
}
