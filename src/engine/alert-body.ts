// What an alert webhook receives: JSON a program reads (status, alert, migration, labels, value,
// threshold, times) with a Slack-compatible `text`, the one line a person reads in a channel.
// Texts pass through redactSecrets: an error message may echo a driver's connection text.
import { redactSecrets } from '../spec/secrets.js';
import { alertName, DEFAULT_FOR_SECONDS, type AlertNotice, type FailureValue, type LagValue } from './alert-episodes.js';

export interface AlertBody {
  status: 'firing' | 'resolved';
  alert: { name: string; on: 'failure' | 'lag' };
  migration: string;
  labels: Record<string, string>;
  /** A sentence saying what happened. */
  what: string;
  value: FailureValue | LagValue;
  /** Lag alerts: the threshold and how long lag had to stay over it; failure alerts: null. */
  threshold: { seconds: number; forSeconds: number } | null;
  startsAt: string;
  at: string;
  /** Slack's incoming webhooks (and Mattermost, Teams' Slack-compatible ones) show this field. */
  text: string;
}

export function alertBody(migration: string, n: AlertNotice): AlertBody {
  const a = n.alert;
  const labels = { ...n.labels };
  const value = scrub(n.value);
  const threshold = a.on === 'lag' ? { seconds: a.thresholdSeconds, forSeconds: a.forSeconds ?? DEFAULT_FOR_SECONDS } : null;
  const what = sentence(migration, n, value, threshold);
  const tags = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(', ');
  const text = `[${n.status.toUpperCase()}] ${alertName(a)}${tags ? ` (${tags})` : ''}: ${what}`;
  return {
    status: n.status,
    alert: { name: alertName(a), on: a.on },
    migration,
    labels,
    what,
    value,
    threshold,
    startsAt: new Date(n.startsAt).toISOString(),
    at: new Date(n.at).toISOString(),
    text: oneLine(text),
  };
}

function sentence(migration: string, n: AlertNotice, value: FailureValue | LagValue, threshold: AlertBody['threshold']): string {
  const lasted = duration(n.at - n.startsAt);
  if (n.removed) return `${migration}: the alert was removed from the spec (or changed) after ${lasted}; it is no longer watched`;
  if ('code' in value) {
    if (n.status === 'resolved') return `${migration} is running again, ${lasted} after it failed (${value.code})`;
    // Engine messages often start with the migration's name already.
    const message = value.message.startsWith(`${migration}: `) ? value.message.slice(migration.length + 2) : value.message;
    return `${migration} failed (${value.code}): ${message}${value.fix ? `; fix: ${value.fix}` : ''}`;
  }
  const t = threshold!;
  if (n.status === 'resolved') return `${migration} is back to ${seconds(value.lagSeconds)} behind its source, under the ${seconds(t.seconds)} threshold, after ${lasted} over it`;
  return `${migration} is ${seconds(value.lagSeconds)} behind its source, over the ${seconds(t.seconds)} threshold for ${lasted}`;
}

function scrub(v: FailureValue | LagValue): FailureValue | LagValue {
  if (!('code' in v)) return { ...v };
  return { code: v.code, message: oneLine(redactSecrets(v.message)), ...(v.fix ? { fix: oneLine(redactSecrets(v.fix)) } : {}) };
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}

function seconds(s: number): string {
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

/** A span for people: "45 s", "3 min 12 s", "2 h 5 min". */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const m = Math.floor(s / 60);
  return `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}`;
}

/** A webhook URL as it may be shown: scheme and host only (its path and query are the secret). */
export function webhookOrigin(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return 'an invalid URL';
  }
}
