// The plan as a pull-request comment: what the human view says, laid out for GitHub's Markdown, with
// a hidden marker so a workflow can find and update its one comment instead of adding a new one.
import { ACTION_SYMBOL, TARGET_LABEL, hasChanges, hasErrors, precheckFailed, type Change, type MigrationPlan, type PlanNote, type Risk } from '../../plan/change.js';
import type { SpecChange } from '../../plan/git-base.js';
import { codeSpan, fence, inline } from './markdown.js';
import { notVerified, precheckResults, type PlanView, type PrecheckResultView } from './plan-view.js';
import { SIZED_RISKS, copyEstimateText, shownDiff } from './plan-human.js';

export const PLAN_COMMENT_MARKER = '<!-- mig-plan -->';

export interface PlanMarkdownOptions {
  /** Planned with --offline: say that nothing was checked against the live systems. */
  offline?: boolean;
  /** GitHub refuses comments over 65,536 characters; long diffs are cut to stay under this. */
  maxChars?: number;
  /** The normalised spec diff rather than the spec as written (--full-diff). */
  fullDiff?: boolean;
}

const RISK_LABEL: Record<Risk, string> = {
  're-snapshot': '🔁 re-snapshot',
  destructive: '🔥 destructive',
  'breaks-key-order': '🔀 breaks-key-order',
  'long-running': '⏳ long-running',
  backfill: '🌊 backfill, stream keeps running',
};

// 'renamed' is a spec unchanged in meaning whose file moved (or that moved to another file).
const CHANGE_WORD: Record<SpecChange, string> = { added: 'added', modified: 'modified', removed: 'removed', renamed: 'moved to another file' };

/** Diffs longer than this are folded, so the actions stay on the first screen. */
const FOLD_LINES = 30;

export function renderPlanMarkdown(plan: PlanView, opts: PlanMarkdownOptions = {}): string {
  const max = opts.maxChars ?? 60_000;
  // Cut the diffs step by step rather than the text at a byte count, which could break a table.
  let text = '';
  for (const diffLines of [Infinity, 200, 60, 0]) {
    text = render(plan, opts, diffLines);
    if (text.length <= max) return text;
  }
  return text;
}

function render(plan: PlanView, opts: PlanMarkdownOptions, diffLines: number): string {
  const out: string[] = [PLAN_COMMENT_MARKER, `## ${title(plan)}`, ''];
  const status = statusLines(plan, opts);
  if (status.length > 0) out.push(...status, '');
  const base = baseLines(plan);
  if (base.length > 0) out.push(...base, '');

  const changedSinceBase = plan.base?.migrations ?? {};
  for (const m of plan.migrations) {
    const since = changedSinceBase[m.name];
    if (m.changes.length === 0 && since === undefined) continue;
    out.push(...migrationSection(m, plan.base ? since : null, diffLines, opts.fullDiff ?? false), '');
  }

  const prechecks = precheckLines(plan);
  if (prechecks.length > 0) out.push(...prechecks, '');
  const notes = plan.notes.filter((n) => !isUnverified(n));
  if (notes.length > 0) out.push('### Notes', '', ...notes.map(noteLine), '');
  out.push(footer(plan));
  return out.join('\n') + '\n';
}

function counts(plan: PlanView): Record<Change['action'], number> {
  const c = { create: 0, update: 0, replace: 0, delete: 0 };
  for (const m of plan.migrations) for (const ch of m.changes) c[ch.action]++;
  return c;
}

function title(plan: PlanView): string {
  const c = counts(plan);
  const changes = hasChanges(plan) ? `${c.create} to create, ${c.update} to update, ${c.replace} to replace, ${c.delete} to delete` : 'no changes';
  return blockingPrechecks(plan).length > 0 || precheckFailed(plan) ? `mig plan: ❌ precheck failed, cannot be applied (${changes})` : `mig plan: ${changes}`;
}

/** Failed checks that stop apply (error severity, not accepted by spec.precheck.ignore). */
function blockingPrechecks(plan: PlanView): PrecheckResultView[] {
  return precheckResults(plan).filter((r) => r.status === 'fail' && r.severity === 'error');
}

/** The first thing a reviewer reads when the precheck failed: that the plan cannot run, each failed check and its fix. */
function precheckFailedBlock(plan: PlanView): string[] {
  const blocking = blockingPrechecks(plan);
  if (blocking.length === 0 && !precheckFailed(plan)) return [];
  const checks = blocking.map((r) => {
    const observed = r.observed === undefined || r.observed === null || String(r.observed) === '' ? '' : ` (observed ${codeSpan(String(r.observed))})`;
    return `> - ${codeSpan(r.id)}${r.migration ? ` of ${codeSpan(r.migration)}` : ''}: ${inline(r.message)}${observed}${r.fix ? `. **Fix:** ${inline(r.fix)}` : ''}`;
  });
  return ['> [!CAUTION]', '> **Precheck failed — this plan cannot be applied.** `mig apply` refuses to run until the failed checks pass; fix them, then plan again:', ...checks];
}

/** One paragraph each: the verdict lines, then what could not be verified as a GitHub alert. */
function statusLines(plan: PlanView, opts: PlanMarkdownOptions): string[] {
  const paragraphs: string[][] = [];
  const errors = plan.notes.filter((n) => n.severity === 'error').length;
  if (errors > 0) paragraphs.push([`❌ **${errors} error${errors === 1 ? '' : 's'}**: \`mig apply\` refuses this plan until ${errors === 1 ? 'it is' : 'they are'} fixed (see the notes below).`]);
  const failed = precheckFailedBlock(plan);
  if (failed.length > 0) paragraphs.unshift(failed);
  if (errors === 0 && failed.length === 0 && !hasChanges(plan)) paragraphs.push(['✅ The migrations match the recorded state and the live systems.']);
  const unverified = unverifiedItems(plan);
  if (plan.partial || opts.offline || unverified.length > 0) {
    const lead = opts.offline
      ? '**Not verified**: planned with `--offline`, so nothing was checked against the source or Kafka. `mig apply` plans again with both reachable.'
      : plan.partial
        ? '**Not verified**: some facts could not be checked against the live systems, so this plan may be incomplete. `mig apply` refuses to run until it can check them.'
        : '**Not verified**: some prechecks could not run.';
    paragraphs.push(['> [!WARNING]', `> ${lead}`, ...unverified.map((item) => `> - ${item}`)]);
  }
  return paragraphs.flatMap((p, i) => (i === 0 ? p : ['', ...p]));
}

/** What the planner could not check, from its notes and from prechecks skipped for want of a connection. */
function unverifiedItems(plan: PlanView): string[] {
  const items = plan.notes.filter(isUnverified).map((n) => `${n.migration ? `${codeSpan(n.migration)}: ` : ''}${inline(n.message)}${n.hint ? ` (${inline(n.hint)})` : ''}`);
  for (const r of precheckResults(plan).filter(notVerified)) {
    items.push(`precheck ${codeSpan(r.id)}${r.migration ? ` of ${codeSpan(r.migration)}` : ''}: ${inline(r.message)}`);
  }
  return items;
}

// The planner words these notes itself (build.ts); anything else stays under Notes.
function isUnverified(n: PlanNote): boolean {
  return n.severity === 'warning' && /^(source|Kafka) not inspected: |which could not be read$/.test(n.message);
}

function baseLines(plan: PlanView): string[] {
  const b = plan.base;
  if (!b) return [];
  const against = `${codeSpan(b.ref)} (merge base ${codeSpan(b.base.slice(0, 12))})`;
  const names = Object.entries(b.migrations);
  if (names.length === 0) {
    return [`No migration changed since ${against}${hasChanges(plan) ? ': the changes below come from the recorded state and the live systems' : ''}.`];
  }
  const list = names.map(([n, s]) => `${codeSpan(n)} ${CHANGE_WORD[s]}`).join(', ');
  const out = [`**Changed since ${against}**: ${list}.`];
  const planned = new Set(plan.migrations.filter((m) => m.changes.length > 0).map((m) => m.name));
  const notPlanned = names.filter(([n, s]) => s === 'removed' && !planned.has(n)).map(([n]) => codeSpan(n));
  if (notPlanned.length > 0) out.push(`Removed but never applied, so nothing to undo: ${notPlanned.join(', ')}.`);
  return out;
}

/** What a change acts on, for a table cell. */
function subject(c: Change): string {
  switch (c.kind) {
    case 'migration': return `migration ${codeSpan(c.migration, true)}`;
    case 'table': return `table ${codeSpan(c.table, true)} → ${TARGET_LABEL[c.into ?? 'topic']} ${codeSpan(c.topic, true)}`;
    case 'target': return `${TARGET_LABEL[c.into]} ${codeSpan(c.target, true)}`;
    case 'topic': return `topic ${codeSpan(c.topic, true)} (${c.fromPartitions !== undefined ? `${c.fromPartitions} → ` : ''}${c.partitions} partition${c.partitions === 1 ? '' : 's'})`;
    case 'setting': return `setting ${codeSpan(c.field, true)}`;
  }
}

/** `since`: how the spec changed since the base; undefined when it did not, null without --base. */
function migrationSection(m: MigrationPlan, since: SpecChange | undefined | null, diffLines: number, fullDiff: boolean): string[] {
  const tag = since === null ? '' : since === undefined ? ' · unchanged since the base' : ` · ${CHANGE_WORD[since]} in this change`;
  const out = [`### ${codeSpan(m.name)}${tag}`, ''];
  if (m.file) out.push(`Spec: ${codeSpan(m.file)}`, '');
  if (m.changes.length === 0) {
    out.push('No effect on the plan: the spec still describes what is applied.');
  } else {
    out.push('| | Object | Reason | Risk |', '|:-:|---|---|---|');
    for (const c of m.changes) {
      const estimate = copyEstimateText(c);
      const risks = c.risks.map((r) => (SIZED_RISKS.includes(r) && estimate ? `${RISK_LABEL[r]} (${inline(estimate, true)})` : RISK_LABEL[r])).join('<br>');
      out.push(`| ${codeSpan(ACTION_SYMBOL[c.action])} | ${subject(c)} | ${inline(c.reason, true)} | ${risks} |`);
    }
  }
  const diff = shownDiff(m, fullDiff ? 'full' : 'written');
  const defaultsLeftOut = !fullDiff && m.writtenDiff !== undefined && m.writtenDiff !== m.specDiff;
  if (diff) out.push('', ...diffBlock(diff, diffLines, defaultsLeftOut));
  return out;
}

function diffBlock(diff: string, maxLines: number, defaultsLeftOut: boolean): string[] {
  const all = diff.trimEnd().split('\n');
  const summary = `Spec diff (${all.length} lines${defaultsLeftOut ? ', fields at their defaults left out' : ''})`;
  if (maxLines === 0) return [`${summary} left out to fit GitHub's size limit for a comment; \`mig plan\` prints it.`];
  const shown = all.length > maxLines ? all.slice(0, maxLines) : all;
  const cut = all.length - shown.length;
  const block = [...fence('diff', shown.join('\n')), ...(cut > 0 ? [`… ${cut} more lines left out to fit GitHub's size limit for a comment; \`mig plan\` prints them.`] : [])];
  if (all.length <= FOLD_LINES) return [...(defaultsLeftOut ? ['Spec diff (fields at their defaults left out; `mig plan --full-diff` shows them):', ''] : []), ...block];
  return ['<details>', `<summary>${summary}</summary>`, '', ...block, '', '</details>'];
}

const PRECHECK_ICON: Record<PrecheckResultView['status'], string> = { pass: '✅', fail: '❌', ignored: '➖', skipped: '⏭️' };

function precheckLines(plan: PlanView): string[] {
  const results = precheckResults(plan);
  if (results.length === 0) return [];
  const n = (s: PrecheckResultView['status']) => results.filter((r) => r.status === s).length;
  const failed = results.filter((r) => r.status === 'fail');
  const errors = failed.filter((r) => r.severity === 'error').length;
  const out = ['### Prechecks', ''];
  out.push(`${errors > 0 ? '❌' : failed.length > 0 ? '⚠️' : '✅'} ${failed.length} failed${errors > 0 ? ` (${errors} blocking)` : ''}, ${n('pass')} passed, ${n('ignored')} ignored, ${n('skipped')} skipped.`);
  const shown = results.filter((r) => r.status === 'fail' || r.status === 'ignored');
  if (shown.length > 0) {
    const withMigration = shown.some((r) => r.migration);
    out.push('', `| | Check |${withMigration ? ' Migration |' : ''} Observed | Problem | Fix |`, `|:-:|---|${withMigration ? '---|' : ''}---|---|---|`);
    for (const r of shown) {
      const icon = r.status === 'fail' && r.severity !== 'error' ? '⚠️' : PRECHECK_ICON[r.status];
      const observed = r.observed === undefined || r.observed === null || String(r.observed) === '' ? '' : codeSpan(String(r.observed), true);
      const migration = withMigration ? ` ${r.migration ? codeSpan(r.migration, true) : ''} |` : '';
      out.push(`| ${icon} | ${codeSpan(r.id, true)} (${inline(r.severity, true)}) |${migration} ${observed} | ${inline(r.message, true)} | ${inline(r.fix ?? '', true)} |`);
    }
  }
  return out;
}

const NOTE_ICON: Record<PlanNote['severity'], string> = { error: '❌', warning: '⚠️', info: 'ℹ️' };

function noteLine(n: PlanNote): string {
  return `- ${NOTE_ICON[n.severity]} **${n.severity}**${n.migration ? ` ${codeSpan(n.migration)}` : ''}: ${inline(n.message)}${n.hint ? `  \n  Fix: ${inline(n.hint)}` : ''}`;
}

function footer(plan: PlanView): string {
  const parts = [
    plan.base ? `commit ${codeSpan(plan.base.head.slice(0, 12))}` : '',
    `state serial ${plan.stateSerial}`,
    `planned ${plan.createdAt}`,
    hasErrors(plan) ? 'not applicable (errors)' : plan.partial ? 'partial' : '',
  ].filter(Boolean);
  return `<sub>${parts.join(' · ')}. Symbols: ${codeSpan('+')} create, ${codeSpan('~')} update, ${codeSpan('-/+')} replace, ${codeSpan('-')} delete.</sub>`;
}
