// The example Grafana dashboard holds together with what mig serves: it parses, its panels are
// laid out and take the datasource from the dashboard's variable (so it imports into any Grafana),
// every variable it uses is defined, and every metric it queries is one /metrics has.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MigMetrics } from '../../../src/cli/metrics.js';
import { parseExposition } from '../../support/exposition.js';

interface Target { expr: string; refId: string; datasource: { uid: string } }
interface Panel { id: number; type: string; title: string; gridPos: { x: number; y: number; w: number; h: number }; datasource: { type: string; uid: string }; targets: Target[] }
interface Dashboard { title: string; uid: string; schemaVersion: number; panels: Panel[]; templating: { list: { name: string }[] } }

const dashboard = JSON.parse(readFileSync(path.resolve(__dirname, '../../../examples/grafana/mig-dashboard.json'), 'utf8')) as Dashboard;
const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));

/** Every metric name (with its _bucket, _sum… series) a fully fed registry serves. */
async function served(): Promise<Set<string>> {
  const m = new MigMetrics();
  m.onEvent({
    type: 'progress', migration: 'm', final: false,
    progress: {
      migration: 'm', labels: {}, runner: 'streaming', tables: [{ table: 'd.t', target: 't', phase: 'incremental', rowsCopied: 1, estimatedRows: 1 }],
      rows: { copied: 1, estimated: 1 }, events: { read: 1, written: 1, filtered: 0, skipped: 0 }, lag: { seconds: 1, basis: 'last-event' },
      throttle: { full: { sourceQps: 1, rowsPerSecond: 1, mbPerSecond: 1 }, incremental: { rowsPerSecond: 1, mbPerSecond: 1 } }, at: new Date().toISOString(),
    },
  });
  return new Set(parseExposition(await m.render()).samples.map((s) => s.name));
}

describe('examples/grafana/mig-dashboard.json', () => {
  it('is a dashboard Grafana imports: unique panel ids and refIds, every panel placed, the datasource a variable', () => {
    expect(dashboard.uid).toBe('mig-migrations');
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(6);
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    for (const p of dashboard.panels) {
      expect(p.gridPos.w, p.title).toBeGreaterThan(0);
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
      expect(p.datasource, p.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(new Set(p.targets.map((t) => t.refId)).size, p.title).toBe(p.targets.length);
      for (const t of p.targets) expect(t.datasource.uid, p.title).toBe('${datasource}');
    }
  });

  it('defines every variable it uses', () => {
    const defined = new Set(dashboard.templating.list.map((v) => v.name));
    const used = new Set(exprs.flatMap((e) => [...e.matchAll(/\$([a-z_]+)/g)].map((m) => m[1]!)).filter((v) => !v.startsWith('__')));
    for (const v of used) expect(defined, v).toContain(v);
    expect(defined).toContain('datasource');
  });

  it('queries only metrics /metrics serves, and covers what the dashboard promises', async () => {
    const names = await served();
    // A name, or a name prefix matched by regex (`{__name__=~"mig_throttle_.+"}`), which must match some.
    const refs = exprs.flatMap((e) => [...e.matchAll(/\b((?:mig|process|nodejs)_[a-z0-9_]+)(\.\+)?/g)].map((m) => ({ name: m[1]!, prefix: m[2] !== undefined })));
    for (const r of refs) expect(r.prefix ? [...names].some((n) => n.startsWith(r.name)) : names.has(r.name), r.name).toBe(true);
    const queried = new Set(refs.map((r) => r.name));
    for (const want of ['mig_rows_copied_total', 'mig_rows_estimated', 'mig_change_events_total', 'mig_lag_seconds', 'mig_runner_status', 'mig_retries_total', 'process_resident_memory_bytes']) {
      expect(queried, want).toContain(want);
    }
  });
});
