// The human plan: colour only when asked for (a terminal, no NO_COLOR, no --no-color), the spec diff
// as written unless --full-diff, none for a saved plan apply shows again, and counts with separators.
import { describe, expect, it } from 'vitest';
import { renderPlanHuman } from '../../../src/cli/views/plan-human.js';
import { renderPlan } from '../../../src/cli/views/plan-format.js';
import { useColor } from '../../../src/cli/log.js';
import { applied, empty, liveOk, plan, spec } from './plan-fixtures.js';

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/;
const green = (s: string) => `\u001b[32m${s}\u001b[39m`;
const red = (s: string) => `\u001b[31m${s}\u001b[39m`;
const yellow = (s: string) => `\u001b[33m${s}\u001b[39m`;
const magenta = (s: string) => `\u001b[35m${s}\u001b[39m`;

describe('colour', () => {
  const m = spec();
  // One plan with all four actions: a new migration (+), a removed one (-), a filter change (-/+),
  // a partition count raised (~).
  const changed = spec((d) => {
    d.spec.objects[0]!.tables[0]!.filter = "status NOT IN ('draft', 'void')";
    d.spec.objects[0]!.tables[1]!.partitions = 2;
    d.spec.objects[0]!.tables[1]!.topic = 'shop.customers';
  });
  const gone = spec(() => {}, 'old-feed');
  const p = { ...plan([changed, spec(() => {}, 'crm')], applied(m, gone), liveOk({ shop: 1, 'shop.orders': 3 })) };

  it('paints + green, ~ yellow, -/+ magenta, - red and the diff lines when on', () => {
    const text = renderPlanHuman(p, { color: true });
    expect(text).toContain(`  ${green('  +')} migration crm`);
    expect(text).toContain(`  ${magenta('-/+')} table shop.orders → topic shop.orders`);
    expect(text).toContain(`  ${red('  -')} migration old-feed`);
    expect(text).toContain(`  ${red("-          filter: status <> 'draft'")}`);
    expect(text).toContain(`  ${green("+          filter: status NOT IN ('draft', 'void')")}`);
    const updated = spec((d) => { d.spec.objects[0]!.tables[0]!.partitions = 6; });
    expect(renderPlanHuman(plan([updated], applied(m), liveOk({ shop: 1, 'shop.orders': 3 })), { color: true })).toContain(`  ${yellow('  ~')} topic shop.orders (3 → 6 partitions)`);
  });

  it('writes no escape codes when off, and markdown and JSON never have any', () => {
    expect(renderPlanHuman(p)).not.toMatch(ANSI);
    expect(renderPlanHuman(p, { color: false })).not.toMatch(ANSI);
    expect(renderPlan(p, 'markdown', { color: true })).not.toMatch(ANSI);
    expect(renderPlan(p, 'json', { color: true })).not.toMatch(ANSI);
    expect(renderPlan(p, 'human', { color: true })).toMatch(ANSI);
  });

  it('is on only at a terminal without NO_COLOR, TERM=dumb or --no-color (the decision plan and apply share)', () => {
    expect(useColor({ isTTY: true }, {}, true)).toBe(true);
    expect(useColor({ isTTY: true }, { NO_COLOR: '1' }, true)).toBe(false);
    expect(useColor({ isTTY: true }, { TERM: 'dumb' }, true)).toBe(false);
    expect(useColor({ isTTY: true }, {}, false)).toBe(false);
    expect(useColor({ isTTY: false }, {}, true)).toBe(false);
    expect(useColor({}, {}, true)).toBe(false);
  });
});

describe('the spec diff', () => {
  it('shows the spec as written: fields at their defaults only with --full-diff', () => {
    const p = plan([spec()], empty, liveOk());
    const written = renderPlanHuman(p);
    const full = renderPlanHuman(p, { diff: 'full' });
    expect(written).toContain('spec diff (fields at their defaults left out; --full-diff shows them):');
    for (const defaulted of ['connectTimeoutMs: 10000', 'replicationFactor: 1', 'chunkSize: 5000', 'format: canal-json']) {
      expect(written).not.toContain(defaulted);
      expect(full).toContain(defaulted);
    }
    expect(full).not.toContain('fields at their defaults left out');
    // Secrets stay references in both.
    expect(written).toContain('+    password: ${env:PW}');
    expect(full).toContain('+    password: ${env:PW}');
    // Markdown follows the same choice.
    expect(renderPlan(p, 'markdown')).not.toContain('connectTimeoutMs');
    expect(renderPlan(p, 'markdown', { fullDiff: true })).toContain('connectTimeoutMs');
  });

  it('shows a field set back to its default as removed, and a changed default as changed', () => {
    const before = spec((d) => { d.spec.full = { chunkSize: 2000 }; });
    const after = spec();
    const diff = plan([after], applied(before), liveOk({ shop: 1, 'shop.orders': 3 })).migrations[0]!.writtenDiff!;
    expect(diff).toContain('-  full:\n-    chunkSize: 2000');
    expect(diff).not.toContain('+    chunkSize');
    expect(plan([before], applied(after), liveOk({ shop: 1, 'shop.orders': 3 })).migrations[0]!.writtenDiff).toContain('+  full:\n+    chunkSize: 2000');
  });

  it('falls back to the normalised diff for a plan saved by an earlier mig, which has no written diff', () => {
    const p = plan([spec()], empty, liveOk());
    const { writtenDiff: _, ...older } = p.migrations[0]!;
    const text = renderPlanHuman({ ...p, migrations: [older] });
    expect(text).toContain('connectTimeoutMs: 10000');
    expect(text).not.toContain('fields at their defaults left out');
  });

  it('is left out when apply shows a saved plan, which was reviewed with its diff', () => {
    const p = plan([spec()], empty, liveOk());
    const text = renderPlanHuman(p, { diff: 'none' });
    expect(text).not.toContain('+++ shop-to-kafka (spec)');
    expect(text).toContain('+ table shop.orders → topic shop.orders');
    expect(text).toContain('Plan: 5 to create, 0 to update, 0 to replace, 0 to delete.\nThe spec diff was shown when this plan was made (mig plan); --full-diff prints the normalised spec diff.');
    expect(renderPlanHuman(p, { diff: 'full' })).toContain('+++ shop-to-kafka (spec)');
  });
});

describe('no changes', () => {
  it('says the migrations have no changes without claiming nothing will stream', () => {
    const m = spec();
    const text = renderPlanHuman(plan([m], applied(m), liveOk({ shop: 1, 'shop.orders': 3 })));
    expect(text).toMatch(/^No changes to the migrations: they match the recorded state and the live systems\.\nStreaming is not part of a plan/);
    expect(text).not.toMatch(/^No changes\./);
  });

  it('with no migrations at all says nothing of streaming', () => {
    expect(renderPlanHuman(plan([], empty, liveOk()))).toBe('No changes to the migrations: they match the recorded state and the live systems.');
  });
});

describe('a backfill', () => {
  it('shows the size of the copy the stream carries along, whatever it is', () => {
    const m = spec();
    const st = applied(m);
    st.migrations['shop-to-kafka']!.checkpoint = { file: 'mariadb-bin.000001', pos: 400 };
    const added = spec((d) => { d.spec.objects[0]!.tables.push({ name: 'items' }); });
    const text = renderPlanHuman(plan([added], st, liveOk({ shop: 1, 'shop.orders': 3 })));
    expect(text).toContain('+ table shop.items → topic shop  [backfill, stream keeps running: ~12 rows]');
  });
});
