// Counts in human output carry thousands separators wherever they are: plan, status, apply's and the
// runner's lines, the precheck summary.
import { expect, it } from 'vitest';
import { applyLine } from '../../../src/cli/views/apply-human.js';
import { renderStatus, statusOf } from '../../../src/cli/views/status.js';
import { summaryLine } from '../../../src/cli/views/precheck-human.js';
import { renderPlanHuman } from '../../../src/cli/views/plan-human.js';
import type { PrecheckReport } from '../../../src/precheck/types.js';
import { sampleState } from '../state/sample-state.js';
import { applied, liveOk, plan, spec } from './plan-fixtures.js';

it('plan: rows to copy, rows copied by an interrupted load, chunk sizes', () => {
  const m = spec();
  const st = applied(m);
  Object.assign(st.migrations['shop-to-kafka']!.tables['shop.orders']!, { phase: 'full', rowsCopied: 212_000, fullDoneAt: undefined, cursor: ['212000'] });
  const bigger = spec((d) => { d.spec.full = { chunkSize: 20_000 }; });
  const text = renderPlanHuman(plan([bigger], st, liveOk({ shop: 1, 'shop.orders': 3 })));
  expect(text).toContain('full load interrupted: resumes from the checkpoint (212,000 rows copied)');
  expect(text).toContain('[long-running: ~285,586 rows]');
  expect(text).toContain('chunk size 5,000 → 20,000');
});

it('status: set-aside rows and their bytes', () => {
  const state = sampleState();
  state.migrations.orders!.skippedRows = Array.from({ length: 1_234 }, (_, i) => ({ table: 'shop.orders', key: `[${i}]`, bytes: 2_097_152, at: '2026-12-05T03:00:00.000Z', phase: 'full' as const }));
  const text = renderStatus(statusOf(state, new Map(), () => 'TOPIC'));
  expect(text).toContain('  set aside: 1,234 change(s), 1,234 skipped, 0 dead-lettered; 0 re-driven, 1,234 waiting (mig redrive)');
  expect(text).toContain('2,097,152 bytes, over destination.maxMessageBytes');
  expect(text).toContain('… 1,214 more in mig status --json');
});

it("apply's and the runner's lines", () => {
  expect(applyLine({ type: 'table-start', migration: 'shop', table: 'shop.orders', resumeFrom: 212_000, estimatedRows: 497_586 })).toBe('shop: shop.orders: full load resuming after 212,000 rows (~497,586 rows)');
  expect(applyLine({ type: 'backfill-start', migration: 'shop', table: 'shop.orders', resumeFrom: 12_000, estimatedRows: 497_586 })).toBe('shop: shop.orders: backfill while streaming, resuming after 12,000 rows (~497,586 rows)');
  expect(applyLine({ type: 'backfill-done', migration: 'shop', table: 'shop.orders', rows: 497_586, chunks: 1_000, seconds: 12.5, superseded: 1_500 })).toBe('shop: shop.orders: backfilled 497,586 rows in 1,000 chunk(s), 12.5 s; 1,500 row(s) superseded by changes streamed meanwhile');
});

it('precheck summary', () => {
  const report = { ok: true, migrations: [], summary: { failed: 0, warnings: 0, ignored: 0, passed: 1_200, skipped: 3 } } as unknown as PrecheckReport;
  expect(summaryLine(report)).toBe('Precheck passed: 0 error(s), 0 warning(s), 0 ignored, 1,200 passed, 3 skipped.');
});
