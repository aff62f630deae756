import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PLAN_COMMENT_MARKER, renderPlanMarkdown } from '../../../src/cli/views/plan-markdown.js';
import { renderPlan } from '../../../src/cli/views/plan-format.js';
import { withBase, type PlanView } from '../../../src/cli/views/plan-view.js';
import type { BaseSummary } from '../../../src/plan/git-base.js';
import { applied, empty, liveOk, offline, plan, spec } from './plan-fixtures.js';

const GOLDEN = path.join(__dirname, '../../fixtures/plans');

function golden(name: string, text: string) {
  const file = path.join(GOLDEN, `${name}.golden.md`);
  if (process.env.UPDATE_GOLDEN) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, text);
  }
  if (!existsSync(file)) throw new Error(`missing golden ${file}: run with UPDATE_GOLDEN=1 and review it`);
  expect(text).toBe(readFileSync(file, 'utf8'));
}

const base = (migrations: BaseSummary['migrations']): BaseSummary => ({
  ref: 'origin/main',
  base: '0123456789abcdef0123456789abcdef01234567',
  head: 'fedcba9876543210fedcba9876543210fedcba98',
  files: Object.entries(migrations).map(([n, s]) => ({ path: `migrations.d/${n}.yaml`, status: s })),
  migrations,
});

/** A pull request that touches three migrations: one changed, one removed, one new. */
function pullRequestPlan(): PlanView {
  const shop = spec();
  const legacy = spec(() => {}, 'legacy-feed');
  const shop2 = spec((d) => {
    d.spec.objects[0]!.tables[0]!.filter = "status NOT IN ('draft', 'void')";
    d.spec.objects[0]!.tables[0]!.partitions = 6;
  });
  const crm = spec((d) => { d.spec.destination = { ...(d.spec.destination as object), topic: 'crm' }; d.spec.objects[0]!.tables = [{ name: 'customers', topic: 'crm.customers' }]; }, 'crm-to-kafka');
  const p = plan([crm, shop2], applied(shop, legacy), liveOk({ shop: 1, 'shop.orders': 3 }));
  return withBase(p, base({ 'crm-to-kafka': 'added', 'legacy-feed': 'removed', 'old-draft': 'removed', 'shop-to-kafka': 'modified' }));
}

describe('plan as a pull-request comment', () => {
  it('shows counts, what changed since the base, actions with risk labels and spec diffs', () => {
    const text = renderPlanMarkdown(pullRequestPlan());
    expect(text.startsWith(`${PLAN_COMMENT_MARKER}\n## mig plan: `)).toBe(true);
    for (const label of ['re-snapshot', 'destructive', 'breaks-key-order', 'long-running']) expect(text).toContain(label);
    expect(text).toContain('```diff');
    golden('pull-request', text);
  });

  it('says what could not be verified when planned offline', () => {
    const p = plan([spec()], empty, offline);
    const text = renderPlanMarkdown(p, { offline: true });
    expect(text).toContain('planned with `--offline`');
    expect(text).toContain('source not inspected: offline');
    expect(text).toContain('Kafka not inspected: offline');
    golden('offline', text);
  });

  it('shows errors and the precheck results a plan carries', () => {
    const m = spec((d) => { d.spec.objects[0]!.tables.push({ name: 'nope' }); });
    const p = plan([m], empty, liveOk());
    const finding = (id: string, severity: string, status: string, observed: string, message: string, fix = '') => ({ id, severity, ignorable: false, status, observed, expected: '', message, fix });
    // The shape of the precheck report mig plan attaches.
    const withPrecheck = {
      ...p,
      precheck: {
        ok: false,
        summary: { passed: 1, failed: 1, warnings: 1, ignored: 1, skipped: 2 },
        migrations: [{
          migration: 'shop-to-kafka',
          file: 'migrations.d/shop-to-kafka.yaml',
          findings: [
            finding('binlog-format', 'error', 'fail', 'MIXED', 'the binary log must be row-based', 'SET GLOBAL binlog_format = ROW'),
            finding('binlog-retention', 'warning', 'fail', '1 day', 'binlogs are kept 1 day; a full load of 2 days would lose its start position', 'SET GLOBAL binlog_expire_logs_seconds = 604800'),
            finding('table-has-key', 'warning', 'ignored', 'shop.log', 'no primary key | unique key'),
            finding('topic-free', 'error', 'skipped', '', 'not checked: Kafka could not be reached (ECONNREFUSED)'),
            finding('replica-updates', 'error', 'skipped', '', 'not needed: incremental is not in spec.types, so mig does not register as a replica'),
            finding('server-version', 'error', 'pass', '10.11.6-MariaDB', ''),
          ],
        }],
      },
    };
    const text = renderPlanMarkdown(withPrecheck);
    expect(text).toContain('❌ **1 error**');
    expect(text).toContain('2 failed (1 blocking), 1 passed, 1 ignored, 2 skipped');
    golden('errors-and-prechecks', text);
  });

  it('renders nothing about prechecks when the plan has none, or an unexpected shape', () => {
    const p = plan([spec()], empty, liveOk());
    expect(renderPlanMarkdown(p)).not.toContain('Prechecks');
    expect(renderPlanMarkdown({ ...p, precheck: { results: 'nope' } } as unknown as PlanView)).not.toContain('Prechecks');
  });

  it('reads a flat list of precheck results too', () => {
    const p = plan([spec()], empty, liveOk());
    const text = renderPlanMarkdown({ ...p, precheck: { results: [{ id: 'binlog-format', severity: 'error', status: 'fail', observed: 'MIXED', message: 'must be ROW', fix: 'SET GLOBAL binlog_format = ROW' }] } } as unknown as PlanView);
    expect(text).toContain('| ❌ | `binlog-format` (error) | `MIXED` | must be ROW | SET GLOBAL binlog\\_format = ROW |');
  });

  it('no changes, and no migration changed since the base', () => {
    const m = spec();
    const p = withBase(plan([m], applied(m), liveOk({ shop: 1, 'shop.orders': 3 })), base({}));
    golden('no-changes', renderPlanMarkdown(p));
  });

  it('a spec changed since the base without effect is still listed', () => {
    const m = spec();
    const p = withBase(plan([m], applied(m), liveOk({ shop: 1, 'shop.orders': 3 })), base({ 'shop-to-kafka': 'renamed' }));
    const text = renderPlanMarkdown(p);
    expect(text).toContain('### `shop-to-kafka` · moved to another file in this change');
    expect(text).toContain('No effect on the plan');
  });

  it('cuts long diffs to stay under GitHub\'s comment size limit, keeping the actions', () => {
    const full = renderPlanMarkdown(pullRequestPlan());
    const cut = renderPlanMarkdown(pullRequestPlan(), { maxChars: full.length - 200 });
    expect(cut.length).toBeLessThanOrEqual(full.length - 200);
    expect(cut).toMatch(/more lines left out|left out to fit/);
    expect(cut).toContain('| `-/+` | table `shop.orders` → topic `shop.orders` |');
  });

  it('keeps text from specs and servers literal: no HTML, emphasis or extra table columns', () => {
    const m = spec((d) => { d.spec.objects[0]!.tables[0]!.filter = "note <> '<b>x</b>' OR a*b = 2 OR c = '|'"; });
    const p = plan([m], applied(spec()), liveOk({ shop: 1, 'shop.orders': 3 }));
    p.notes.push({ severity: 'warning', message: 'table `a|b` is odd <script>', hint: 'do *this*' });
    const text = renderPlanMarkdown(p);
    expect(text).not.toContain('<script>');
    expect(text).toContain('\\<script\\>');
    expect(text).toContain('do \\*this\\*');
    const row = text.split('\n').find((l) => l.startsWith('| `-/+`'))!;
    // Four cells: the unescaped pipes are exactly the five borders.
    expect(row.replace(/\\\|/g, '').split('|')).toHaveLength(6);
  });

  it('json and human formats carry the base too', () => {
    const p = pullRequestPlan();
    expect(JSON.parse(renderPlan(p, 'json')).base.migrations['legacy-feed']).toBe('removed');
    expect(renderPlan(p, 'human').split('\n')[0]).toBe('Changed since origin/main (merge base 0123456789ab): crm-to-kafka (added), legacy-feed (removed), old-draft (removed), shop-to-kafka (modified)');
  });
});
