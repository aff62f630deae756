// spec.alerts in the runner (DTS's alert contacts): a hook between the engine and the views that
// watches one migration's events, decides when an alert fires or is resolved (alert-episodes.ts),
// and hands the body to a webhook queue (alert-webhook.ts). Every event passes on first and
// untouched; delivery runs in the background and reports back as alert-sent or alert-failed
// events, so a slow or broken receiver never holds the stream and never fails the migration.
import type { ApplyEvent, ApplyHook } from '../model/events.js';
import type { Migration } from '../spec/schema.js';
import type { RunnerStatus } from '../state/model.js';
import { projectRootOf, resolveSecret } from '../spec/secrets.js';
import { MigError } from '../util/errors.js';
import { AlertEpisodes, alertName, type AlertNotice } from './alert-episodes.js';
import { alertBody } from './alert-body.js';
import { DeliveryQueues, postWebhook, type WebhookOptions } from './alert-webhook.js';

export interface AlertingOptions extends WebhookOptions {
  /** The clock (ms); tests pass their own. */
  now?: () => number;
  /** Where ${env:…} references are read (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * A hook that also alerts. `flush` waits (at most `ms`) for deliveries queued so far;
 * `failedBefore` takes up the failure the state records from an earlier run (RunnerStatus), so its
 * alert is resolved once the migration works, even though another process sent it.
 */
export type AlertingHook = ApplyHook & {
  flush(ms?: number): Promise<void>;
  failedBefore(runner: RunnerStatus | undefined): void;
};

/** How long a failing run waits for its alerts to go out before it ends the process. */
export const ALERT_FLUSH_MS = 5000;

export function alertingHook(specOf: () => Migration | undefined, specDir: string, next: ApplyHook, opts: AlertingOptions = {}): AlertingHook {
  const now = opts.now ?? Date.now;
  const episodes = new AlertEpisodes();
  const queues = new DeliveryQueues();
  let configured: Migration | undefined;

  const send = (migration: string, n: AlertNotice) => {
    const index = configured?.spec.alerts?.indexOf(n.alert) ?? -1;
    const field = `spec.alerts[${index < 0 ? '?' : index}].webhook`;
    const about = { migration, alert: alertName(n.alert), on: n.alert.on, status: n.status } as const;
    const body = alertBody(migration, n);
    queues.add(n.key, async () => {
      let url: string;
      try {
        // Resolved at each send: a ${file:…} secret rotated while the runner is up is picked up.
        url = await resolveSecret(n.alert.webhook, field, { projectRoot: projectRootOf(specDir), env: opts.env });
      } catch (e) {
        report({ type: 'alert-failed', ...about, message: e instanceof MigError ? e.message : 'the webhook reference could not be resolved' });
        return;
      }
      const r = await postWebhook(url, body, opts);
      report(r.ok ? { type: 'alert-sent', ...about, to: r.to, attempts: r.attempts } : { type: 'alert-failed', ...about, to: r.to, message: r.message });
    });
  };

  // A view that throws on an alert event must not turn into a failed delivery or an unhandled rejection.
  const report = (e: ApplyEvent) => {
    try {
      next(e);
    } catch {
      // Nothing to do: the event was for people to read.
    }
  };

  /** Takes up the spec's alerts when it changed; the spec running now, if any. */
  const current = (t: number): Migration | undefined => {
    const spec = specOf();
    if (spec && spec !== configured) {
      configured = spec;
      for (const n of episodes.configure(spec.spec.alerts ?? [], spec.metadata.labels ?? {}, t)) send(spec.metadata.name, n);
    }
    return spec;
  };

  const hook = ((e: ApplyEvent) => {
    next(e);
    try {
      const t = now();
      const spec = current(t);
      if (!spec || e.migration !== spec.metadata.name) return;
      for (const n of episodes.observe(e, t)) send(spec.metadata.name, n);
    } catch {
      // Alerting is a bystander: whatever goes wrong in it must not reach the engine.
    }
  }) as AlertingHook;
  hook.flush = (ms = ALERT_FLUSH_MS) => queues.settled(ms);
  hook.failedBefore = (runner) => {
    try {
      const err = runner?.status === 'failed' ? runner.lastError : undefined;
      if (!err || !current(now())) return;
      episodes.carryOver({ code: err.code, message: err.message, ...(err.fix ? { fix: err.fix } : {}) }, Date.parse(err.at) || now());
    } catch {
      // As above: never into the engine.
    }
  };
  return hook;
}
