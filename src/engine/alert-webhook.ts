// Delivers alert bodies to webhooks: a POST of JSON with a short timeout, retried with backoff when
// the receiver is down or answers 5xx/429, on one queue per alert so its firing and resolved
// notices arrive in order. Nothing here blocks the stream or throws into the engine: a delivery
// that fails for good is an outcome. The URL is a secret (a Slack webhook's path is its key), so
// outcomes and messages name only its scheme and host.
import { webhookOrigin } from './alert-body.js';

export interface WebhookOptions {
  /** Per attempt (default 5 s). */
  timeoutMs?: number;
  /** Attempts after the first (default 3). */
  retries?: number;
  /** The first wait between attempts, doubled each time (default 1 s). */
  backoffMs?: number;
  /** For tests. */
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

export type DeliveryOutcome =
  | { ok: true; to: string; attempts: number }
  | { ok: false; to: string; attempts: number; message: string };

const DEFAULTS = { timeoutMs: 5000, retries: 3, backoffMs: 1000 };

/** POSTs `body` to `url` until it is accepted (2xx), refused (4xx other than 408/429), or the retries are spent. */
export async function postWebhook(url: string, body: unknown, o: WebhookOptions = {}): Promise<DeliveryOutcome> {
  const to = webhookOrigin(url);
  if (!/^https?:$/.test(safeProtocol(url))) return { ok: false, to, attempts: 0, message: `the webhook is not an http(s) URL (${to})` };
  const timeoutMs = o.timeoutMs ?? DEFAULTS.timeoutMs;
  const retries = o.retries ?? DEFAULTS.retries;
  const backoffMs = o.backoffMs ?? DEFAULTS.backoffMs;
  const doFetch = o.fetch ?? fetch;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const payload = JSON.stringify(body);
  let last = '';
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    const r = await attemptOnce(doFetch, url, payload, timeoutMs);
    if (r.ok) return { ok: true, to, attempts: attempt };
    last = r.why;
    if (!r.retry) return { ok: false, to, attempts: attempt, message: `${to} refused the alert: ${last}` };
    if (attempt <= retries) await sleep(backoffMs * 2 ** (attempt - 1));
  }
  return { ok: false, to, attempts: retries + 1, message: `${to} did not take the alert after ${retries + 1} attempts: ${last}` };
}

async function attemptOnce(doFetch: typeof fetch, url: string, payload: string, timeoutMs: number): Promise<{ ok: true } | { ok: false; retry: boolean; why: string }> {
  try {
    const res = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'mig-alerts' },
      body: payload,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
    // The answer's body is not read into any message: a receiver may echo the request.
    await res.body?.cancel().catch(() => undefined);
    if (res.ok) return { ok: true };
    const retry = res.status >= 500 || res.status === 408 || res.status === 429;
    return { ok: false, retry, why: `HTTP ${res.status}` };
  } catch (e) {
    return { ok: false, retry: true, why: networkReason(e, timeoutMs) };
  }
}

/**
 * Why a request did not get an answer, from error codes only: fetch's messages and causes may
 * carry the URL.
 */
function networkReason(e: unknown, timeoutMs: number): string {
  if (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')) return `no answer within ${timeoutMs / 1000} s`;
  const cause = e instanceof Error ? (e.cause as { code?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code === 'ECONNRESET') return 'connection reset';
  return code ? `network error ${code}` : 'network error';
}

function safeProtocol(url: string): string {
  try {
    return new URL(url).protocol;
  } catch {
    return '';
  }
}

/**
 * One queue per key: jobs run one after another, in the order added. `settled` resolves once
 * everything queued so far has run, or after `ms`, whichever comes first.
 */
export class DeliveryQueues {
  private tails = new Map<string, Promise<void>>();

  add(key: string, job: () => Promise<void>): void {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const tail = prev.then(job).catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
  }

  pending(): number {
    return this.tails.size;
  }

  async settled(ms: number): Promise<void> {
    if (this.tails.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((r) => (timer = setTimeout(r, ms)));
    try {
      await Promise.race([Promise.all([...this.tails.values()]), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
