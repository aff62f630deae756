// When an alert fires and when it is resolved, as a pure state machine over the runner's events
// and a clock passed in (so tests drive time). An episode is one stretch of trouble: it fires once
// when it starts (for lag, once lag has stayed over the threshold for forSeconds) and is resolved
// once when it ends; nothing is sent in between, however many failures or readings it spans.
import type { Alert } from '../spec/schema-observe.js';
import type { ApplyEvent } from '../model/events.js';

/** What a failure alert reports: the run's last error. */
export interface FailureValue {
  code: string;
  message: string;
  fix?: string;
}

/** What a lag alert reports: the lag read when it fired (or, resolved, the lag back under). */
export interface LagValue {
  lagSeconds: number;
}

/** One thing to send: an alert firing or resolved. */
export interface AlertNotice {
  status: 'firing' | 'resolved';
  alert: Alert;
  /** The alert's identity in the spec (see alertKey): one delivery queue per key keeps its notices in order. */
  key: string;
  /** When the episode's trouble began (ms): the failure, or the first reading over the threshold. */
  startsAt: number;
  /** When this notice was decided (ms). */
  at: number;
  /** firing: what it fired on; resolved: how it ended (lag now; for a failure, the error it had). */
  value: FailureValue | LagValue;
  /** Labels of the migration as the reading that decided it carried them (progress events), else the spec's. */
  labels: Record<string, string>;
  /** Set on a resolved notice when the alert ended because the spec no longer has it. */
  removed?: true;
}

type Episode =
  | { state: 'ok' }
  /** Lag over the threshold since `since`, not yet for forSeconds. */
  | { state: 'pending'; since: number }
  | { state: 'firing'; startsAt: number; value: FailureValue | LagValue };

export const DEFAULT_FOR_SECONDS = 60;

/** An alert's identity: its whole definition, so an edited threshold or webhook is a new alert. */
export function alertKey(a: Alert): string {
  return JSON.stringify(a.on === 'lag' ? [a.on, a.name ?? '', a.webhook, a.thresholdSeconds, a.forSeconds ?? DEFAULT_FOR_SECONDS] : [a.on, a.name ?? '', a.webhook]);
}

/** The name an alert goes by in bodies and events: its own, else what it is on. */
export function alertName(a: Alert): string {
  return a.name ?? a.on;
}

/** Events that show the migration working again after a failure. */
const WORKING: ReadonlySet<ApplyEvent['type']> = new Set(['stream-start', 'feed-start', 'table-start', 'runner-recovered']);

export class AlertEpisodes {
  private alerts = new Map<string, Alert>();
  private episodes = new Map<string, Episode>();
  private labels: Record<string, string> = {};

  /**
   * Takes up the spec's alerts (call it with each event: the spec changes when a new generation is
   * taken up). An alert that is no longer in the spec while firing is resolved as removed, so a
   * receiver is not left with an alert nothing will ever resolve.
   */
  configure(alerts: readonly Alert[], labels: Record<string, string>, now: number): AlertNotice[] {
    this.labels = labels;
    const next = new Map(alerts.map((a) => [alertKey(a), a]));
    const out: AlertNotice[] = [];
    for (const [key, alert] of this.alerts) {
      if (next.has(key)) continue;
      const ep = this.episodes.get(key);
      if (ep?.state === 'firing') out.push({ status: 'resolved', alert, key, startsAt: ep.startsAt, at: now, value: ep.value, labels: this.labels, removed: true });
      this.episodes.delete(key);
    }
    for (const key of next.keys()) if (!this.episodes.has(key)) this.episodes.set(key, { state: 'ok' });
    this.alerts = next;
    return out;
  }

  /**
   * A failure an earlier process left unresolved (the state says its run failed): failure alerts
   * take it up as firing without sending it again, so this process resolves it once the migration
   * works. Alerts already firing are left as they are.
   */
  carryOver(value: FailureValue, since: number): void {
    for (const [key, alert] of this.alerts) {
      if (alert.on === 'failure' && this.episodes.get(key)?.state !== 'firing') this.episodes.set(key, { state: 'firing', startsAt: since, value });
    }
  }

  /** The notices one event causes at `now` (ms). */
  observe(e: ApplyEvent, now: number): AlertNotice[] {
    if (e.type === 'progress') this.labels = e.progress.labels;
    const out: AlertNotice[] = [];
    for (const [key, alert] of this.alerts) {
      const ep = this.episodes.get(key) ?? { state: 'ok' };
      const r = alert.on === 'failure' ? failureStep(ep, e, now) : lagStep(ep, alert, e, now);
      this.episodes.set(key, r.next);
      if (r.notice) out.push({ ...r.notice, alert, key, at: now, labels: this.labels });
    }
    return out;
  }

  /** Whether any alert is firing (for tests and views). */
  firing(): string[] {
    return [...this.episodes].filter(([, ep]) => ep.state === 'firing').map(([key]) => key);
  }
}

type Step = { next: Episode; notice?: Pick<AlertNotice, 'status' | 'startsAt' | 'value'> };

function failureStep(ep: Episode, e: ApplyEvent, now: number): Step {
  if (e.type === 'run-failed') {
    // A standing runner that fails again before it ever ran is still the same episode.
    if (ep.state === 'firing') return { next: ep };
    const value: FailureValue = { code: e.code, message: e.message, ...(e.fix ? { fix: e.fix } : {}) };
    return { next: { state: 'firing', startsAt: now, value }, notice: { status: 'firing', startsAt: now, value } };
  }
  if (ep.state === 'firing' && WORKING.has(e.type)) {
    return { next: { state: 'ok' }, notice: { status: 'resolved', startsAt: ep.startsAt, value: ep.value } };
  }
  return { next: ep };
}

function lagStep(ep: Episode, alert: Extract<Alert, { on: 'lag' }>, e: ApplyEvent, now: number): Step {
  if (e.type !== 'progress') return { next: ep };
  const lag = e.progress.lag.seconds;
  // No reading yet (nothing durable at the destination): neither trouble nor its end.
  if (lag === null) return { next: ep };
  const over = lag > alert.thresholdSeconds;
  const forMs = (alert.forSeconds ?? DEFAULT_FOR_SECONDS) * 1000;
  if (!over) {
    if (ep.state === 'firing') return { next: { state: 'ok' }, notice: { status: 'resolved', startsAt: ep.startsAt, value: { lagSeconds: lag } } };
    return { next: { state: 'ok' } };
  }
  if (ep.state === 'firing') return { next: { ...ep, value: { lagSeconds: lag } } };
  const since = ep.state === 'pending' ? ep.since : now;
  if (now - since >= forMs) {
    const value: LagValue = { lagSeconds: lag };
    return { next: { state: 'firing', startsAt: since, value }, notice: { status: 'firing', startsAt: since, value } };
  }
  return { next: { state: 'pending', since } };
}
