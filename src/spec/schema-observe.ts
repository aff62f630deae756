// How a running migration is seen: the heartbeat that keeps lag true on a quiet source (DTS's
// heartbeat table) and the alerts sent when it fails or falls behind (DTS's monitoring and alerting).
import { z } from 'zod';
import { secretRef } from './schema-common.js';

const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_$]{0,63}$/, { message: "must be 1 to 64 letters, digits, '_' or '$', not starting with a digit" });

export const Heartbeat = z.strictObject({
  enabled: z.boolean().describe("Write a heartbeat row on the source every intervalSeconds so lag stays true while the source is quiet. false is DTS's \"do not write SQL operations on heartbeat tables\": lag is then measured from the last change."),
  intervalSeconds: z.number().int().min(1).max(3600).optional().describe('Seconds between heartbeat writes (default 1).'),
  database: identifier.optional().describe("The source database holding the heartbeat table (default: the first database in spec.objects). mig's user needs INSERT, UPDATE and CREATE there."),
  table: identifier.optional().describe('The heartbeat table (default mig_heartbeat); mig creates it and never forwards its rows to the destination.'),
});
export type Heartbeat = z.infer<typeof Heartbeat>;

export const HEARTBEAT_DEFAULTS = { intervalSeconds: 1, table: 'mig_heartbeat' } as const;

const alertBase = {
  webhook: secretRef.describe('Where the alert is POSTed as JSON (with a Slack-compatible `text`): ${env:NAME} or ${file:PATH}, since a webhook URL is a credential.'),
  name: z.string().min(1).max(100).optional().describe('A name for the alert, carried in its body (default: what it is on).'),
};

export const Alert = z.discriminatedUnion('on', [
  z.strictObject({
    on: z.literal('failure'),
    ...alertBase,
  }).describe('Alert when the migration fails: a failure no retry window covers, or a retry window that ran out. Resolved once it runs again.'),
  z.strictObject({
    on: z.literal('lag'),
    thresholdSeconds: z.number().positive().max(31_536_000).describe('Lag, in seconds, above which the migration is behind.'),
    forSeconds: z.number().min(0).max(86_400).optional().describe('How long lag must stay above the threshold before the alert fires (default 60).'),
    ...alertBase,
  }).describe('Alert when lag stays above thresholdSeconds for forSeconds; resolved once it is back under.'),
]);
export type Alert = z.infer<typeof Alert>;

export const Alerts = z.array(Alert).max(20);

/** metadata.labels: DTS's environment tag, and any other grouping a team uses (shown by plan and status, on metrics and alerts). */
export const Labels = z
  .record(
    z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]{0,62}$/, { message: "a label name must be letters, digits and '_', starting with a letter or '_' (it becomes a Prometheus label)" }),
    z.string().max(200),
  )
  .superRefine((r, ctx) => {
    if (Object.keys(r).length > 20) ctx.addIssue({ code: 'custom', message: 'at most 20 labels' });
    for (const k of Object.keys(r)) {
      if (RESERVED_LABELS.has(k) || k.startsWith('__')) ctx.addIssue({ code: 'custom', path: [k], message: `\`${k}\` is a label mig sets itself on metrics; choose another name` });
    }
  });

/** Label names mig's metrics carry themselves (and Prometheus's own). */
export const RESERVED_LABELS: ReadonlySet<string> = new Set(['migration', 'table', 'phase', 'status', 'window', 'kind', 'basis', 'job', 'instance', 'le', 'quantile']);
