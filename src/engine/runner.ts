// The data plane: a runner holds a migration's lease, takes up the generations `mig apply` records,
// and runs the migration (schema, full load or backfill, stream). While it streams it watches the
// state; a new generation stops the stream at a checkpoint and the run starts again in this process
// from that checkpoint with the new spec: tables already streaming are never copied again, new and
// re-snapshotted ones are backfilled while the stream runs (backfill.ts). Another runner on the same
// state stands by and takes the lease over once it lapses.
import type { Migration } from '../spec/schema.js';
import type { MigrationState, State } from '../state/model.js';
import type { StateStore } from '../state/store.js';
import { LeaseKeeper } from '../state/lease-keeper.js';
import { pendingGeneration, takeUpGeneration } from '../state/generation.js';
import type { ApplyHook } from '../model/events.js';
import type { LiveView } from '../plan/build.js';
import { inspectLive } from '../plan/live.js';
import { endpointFor } from '../connectors/sources/mysql/endpoint.js';
import { sourceByChanges } from '../connectors/registry.js';
import { MigError } from '../util/errors.js';
import { Checkpointer } from './checkpointer.js';
import type { ApplyOptions } from './context.js';
import { runBinlogMigration } from './run-binlog.js';
import { runTidbMigration } from './run-tidb.js';
import { runnerStatusHook, setRunnerStatus } from './runner-status.js';
import { classifyFailure } from './failure-class.js';
import { HEALTHY_RUN_MS, Outage, retryMinuteMs } from './retry-window.js';
import { progressOf } from '../model/progress.js';
import { ALERT_FLUSH_MS, alertingHook } from './alerts.js';

export interface RunnerOptions {
  specDir: string;
  leaseMs: number;
  /** How far to go: stream until signalled, until caught up, or only the load (then hand off). */
  mode: 'follow' | 'until-caught-up' | 'load';
  /** Wait for a lease another runner holds (mig run) instead of reporting it (mig apply). */
  standby: boolean;
  signal: AbortSignal;
  hook: ApplyHook;
  /** The plan's inspection, used for the first run instead of reading the live systems again. */
  live?: ReadonlyMap<string, LiveView>;
  /** How often a streaming runner looks for a new generation. */
  pollMs?: number;
  /**
   * After a failure no retry window covers (a fatal one): end with it (mig apply), or stay up and try
   * again after `retryMs` or as soon as a new generation is recorded (mig run, following).
   */
  awaitFix: boolean;
  /** After a fatal failure a standing runner tries again this much later (a new generation sooner). */
  retryMs?: number;
  /** A retry window's minute (MIG_RETRY_MINUTE_MS, else 60 s). */
  retryMinuteMs?: number;
  /** How often a running migration reports its progress event (default 1 s). */
  progressMs?: number;
}

const PROGRESS_MS = 1000;

export type RunOutcome =
  | { migration: string; result: 'done'; handoff: boolean }
  | { migration: string; result: 'held-elsewhere'; holder: NonNullable<Awaited<ReturnType<StateStore['leases']>>[string]> }
  | { migration: string; result: 'removed' | 'stopped' | 'absent' };

/**
 * Runs each named migration under its own lease. A failure that ends one run (one the runner does
 * not retry) stops the others at their next checkpoint too, so the process exits with it instead of
 * following the rest while the failed one stays down unseen.
 */
export async function runMigrations(store: StateStore, names: string[], opts: RunnerOptions): Promise<RunOutcome[]> {
  const stop = new AbortController();
  const o = { ...opts, signal: AbortSignal.any([opts.signal, stop.signal]) };
  const results = await Promise.allSettled(names.map((n) => runOne(store, n, o).catch((e: unknown) => {
    stop.abort();
    throw e;
  })));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<RunOutcome>).value);
}

export async function runOne(store: StateStore, name: string, opts: RunnerOptions): Promise<RunOutcome> {
  for (;;) {
    const lost = new AbortController();
    const keeper = new LeaseKeeper(store, name, opts.leaseMs, () => lost.abort());
    const held = await takeLease(keeper, name, opts);
    if (held !== true) return held;
    try {
      const r = await runHeld(store, name, keeper, lost.signal, opts);
      if (!lost.signal.aborted || !opts.standby || opts.signal.aborted) return r;
    } catch (e) {
      // A standing runner that lost its lease (the state backend was out of reach longer than the
      // lease) stands by again: the runner that took it over carries on, and this one is the spare.
      if (!lost.signal.aborted || !opts.standby || opts.signal.aborted) throw e;
    } finally {
      await keeper.release().catch(() => undefined);
      opts.hook({ type: 'lease', migration: name, event: lost.signal.aborted ? 'lost' : 'released' });
    }
  }
}

/** Takes the lease, standing by while another live runner holds it (when asked to). */
async function takeLease(keeper: LeaseKeeper, name: string, opts: RunnerOptions): Promise<true | RunOutcome> {
  let announced: string | undefined;
  while (!opts.signal.aborted) {
    const o = await keeper.acquire();
    if (o.held) {
      opts.hook({ type: 'lease', migration: name, event: o.takenOver ? 'took-over' : 'taken', holder: o.takenOver ?? o.lease });
      return true;
    }
    if (!opts.standby) return { migration: name, result: 'held-elsewhere', holder: o.holder };
    if (announced !== o.holder.id) opts.hook({ type: 'lease', migration: name, event: 'standby', holder: o.holder });
    announced = o.holder.id;
    await sleep(Math.max(200, Math.min(opts.leaseMs / 3, Date.parse(o.holder.expiresAt) - Date.now() + 100)), opts.signal);
  }
  return { migration: name, result: 'stopped' };
}

async function runHeld(store: StateStore, name: string, keeper: LeaseKeeper, lost: AbortSignal, opts: RunnerOptions): Promise<RunOutcome> {
  let live = opts.live;
  let outage: Outage | undefined;
  let spec: Migration | undefined;
  // spec.alerts: every event of this run passes the alerting hook, which reads the spec running now.
  const alerting = alertingHook(() => spec, opts.specDir, opts.hook);
  opts = { ...opts, hook: alerting };
  const minuteMs = opts.retryMinuteMs ?? retryMinuteMs();
  for (;;) {
    if (opts.signal.aborted || lost.aborted) return { migration: name, result: 'stopped' };
    let cp: Checkpointer | undefined;
    let ms: MigrationState | undefined;
    const restart = new AbortController();
    let stopWatching = (): void => undefined;
    let stopTicker = (): void => undefined;
    const attemptStart = Date.now();
    try {
      // Inside the retry: the state backend may be what is out of reach.
      cp = new Checkpointer(store, await store.read(), { runs: new Set([name]), fence: () => [keeper.fence()] });
      ms = cp.state.migrations[name];
      if (!ms) return { migration: name, result: 'absent' };
      spec = ms.spec;
      alerting.failedBefore(ms.runner);
      const taken = await takeUp(cp, ms, name, opts.hook);
      if (taken === 'removed') return { migration: name, result: 'removed' };
      spec = ms.spec;
      stopWatching = watchGenerations(cp, name, restart, opts);
      // Data moving again ends an outage: the next failure starts a new window.
      const recovered = () => {
        if (!outage) return;
        opts.hook({ type: 'runner-recovered', migration: name, attempts: outage.attempts, seconds: Math.round((Date.now() - outage.since) / 1000) });
        outage = undefined;
      };
      let streaming = false;
      const hook = onProgress(opts.hook, recovered, () => (streaming = true));
      const cancel = new AbortController();
      const current = ms;
      const ticker = setInterval(() => opts.hook({ type: 'progress', migration: name, progress: progressOf(current, Date.now()), final: false }), opts.progressMs ?? PROGRESS_MS);
      ticker.unref();
      stopTicker = () => clearInterval(ticker);
      const attempt = runOnce(ms.spec, ms, cp, { ...opts, hook }, live, AbortSignal.any([opts.signal, restart.signal, lost, cancel.signal]));
      // An attempt during an outage may hang in a client's own reconnecting: the window still ends on time.
      const handoff = await withinWindow(attempt, () => {
        // A stream that has run a while without failing has recovered, even on a quiet source.
        if (streaming && Date.now() - attemptStart >= HEALTHY_RUN_MS) recovered();
        return outage && spec ? outage.until(spec, minuteMs) : undefined;
      }, cancel);
      if (!restart.signal.aborted || opts.signal.aborted) {
        stopTicker();
        if (opts.signal.aborted || lost.aborted) {
          setRunnerStatus(ms, 'stopped');
          await cp.save().catch(() => undefined);
          opts.hook({ type: 'progress', migration: name, progress: progressOf(ms, Date.now()), final: true });
          return { migration: name, result: 'stopped' };
        }
        // Done (caught up, or the load handed off): no runner streams it now, and status must not say it does.
        if (ms.runner?.status !== 'stopped') {
          setRunnerStatus(ms, 'stopped');
          await cp.save().catch(() => undefined);
        }
        opts.hook({ type: 'progress', migration: name, progress: progressOf(ms, Date.now()), final: true });
        return { migration: name, result: 'done', handoff };
      }
    } catch (e) {
      if (lost.aborted) throw leaseLost(name);
      let err = e === WINDOW_OVER ? outage!.lastError : e instanceof MigError ? e : new MigError('runner-failed', e instanceof Error ? e.message : String(e), undefined, { cause: e });
      // A run that stayed up a while had recovered, even if nothing moved (a quiet source).
      if (outage && e !== WINDOW_OVER && Date.now() - attemptStart >= HEALTHY_RUN_MS) outage = undefined;
      const cls = e === WINDOW_OVER ? outage!.window : classifyFailure(e, spec);
      let exhausted = false;
      if (cls !== 'fatal' && !opts.signal.aborted && spec) {
        outage ??= new Outage(Date.now(), err);
        const delay = e === WINDOW_OVER ? undefined : outage.next(cls, err, spec, Date.now(), minuteMs);
        if (delay !== undefined) {
          const retry = outage.status(spec, minuteMs);
          if (ms && cp) {
            setRunnerStatus(ms, 'retrying', { error: err, retry });
            await cp.save().catch(() => undefined);
          }
          opts.hook({ type: 'runner-retry', migration: name, code: err.code, message: err.message, window: retry.window, attempt: retry.attempts, since: retry.since, until: retry.until, retryInSeconds: delay / 1000 });
          stopWatching();
          // A new generation (a fix approved meanwhile) starts the next attempt at once.
          await waitForGeneration(cp, name, delay, opts, AbortSignal.any([opts.signal, lost]));
          live = undefined;
          continue;
        }
        err = outage.exhausted(spec, minuteMs);
        outage = undefined;
        exhausted = true;
      }
      if (ms && cp) {
        setRunnerStatus(ms, 'failed', { error: err });
        await cp.save().catch(() => undefined);
      }
      const ends = exhausted || !opts.awaitFix || opts.mode !== 'follow' || opts.signal.aborted;
      if (!opts.signal.aborted) opts.hook({ type: 'run-failed', migration: name, code: err.code, message: err.message, ...(err.hint ? { fix: err.hint } : {}), windowExhausted: exhausted, willRetry: !ends });
      if (ms) opts.hook({ type: 'progress', migration: name, progress: progressOf(ms, Date.now()), final: ends });
      if (ends) {
        // The failure alert goes out before the process exits with the failure.
        await alerting.flush(ALERT_FLUSH_MS);
        throw exhausted ? err : e;
      }
      const retryMs = opts.retryMs ?? 60_000;
      opts.hook({ type: 'runner-error', migration: name, code: err.code, message: err.message, fix: err.hint, retryInSeconds: retryMs / 1000 });
      // A standing runner stays up after a failure a retry window does not cover: it tries again
      // later, or at once when a fix is approved.
      await waitForGeneration(cp, name, retryMs, opts, AbortSignal.any([opts.signal, lost]));
    } finally {
      stopWatching();
      stopTicker();
    }
    live = undefined;
  }
}

const WINDOW_OVER = new Error('the retry window ended during an attempt');

/**
 * The attempt's outcome, or WINDOW_OVER once the outage's window (asked again each time, since the
 * outage ends when data moves) has passed; then the attempt is cancelled and left to wind down.
 */
function withinWindow<T>(attempt: Promise<T>, windowEnd: () => number | undefined, cancel: AbortController): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setInterval(() => {
      const end = windowEnd();
      if (end === undefined || Date.now() < end) return;
      clearInterval(timer);
      cancel.abort();
      attempt.catch(() => undefined);
      reject(WINDOW_OVER);
    }, 250);
    attempt.then(resolve, reject).finally(() => clearInterval(timer));
  });
}

/** Calls `moved` when the run reports rows or changes written, `streaming` once it streams; passes every event on. */
function onProgress(next: ApplyHook, moved: () => void, streaming: () => void): ApplyHook {
  return (e) => {
    if (e.type === 'chunk' || e.type === 'stream-progress' || e.type === 'feed-progress' || e.type === 'backfill-chunk' || e.type === 'table-done') moved();
    if (e.type === 'stream-start' || e.type === 'feed-start') streaming();
    next(e);
  };
}

/** Takes up a waiting generation (and saves it), reporting what it is. */
async function takeUp(cp: Checkpointer, ms: MigrationState, name: string, hook: ApplyHook): Promise<'taken' | 'removed' | 'none'> {
  const pending = pendingGeneration(ms);
  if (pending === undefined) {
    setRunnerStatus(ms, 'starting');
    return 'none';
  }
  const d = ms.desired!;
  const r = takeUpGeneration(ms);
  if (r === 'removed') {
    delete cp.state.migrations[name];
    await cp.save();
    hook({ type: 'generation', migration: name, generation: pending, event: 'removed' });
    hook({ type: 'change-applied', migration: name, summary: 'forgotten (topics kept)' });
    return r;
  }
  setRunnerStatus(ms, 'starting');
  await cp.save();
  hook({ type: 'generation', migration: name, generation: pending, event: 'taken-up' });
  const starting = new Set(d.addTables.map((t) => t.id));
  if (d.resnapshot) hook({ type: 'change-applied', migration: name, summary: 'checkpoint dropped; every table is copied again from a new snapshot' });
  for (const id of d.dropTables) {
    if (d.resnapshot && starting.has(id)) continue;
    hook({ type: 'change-applied', migration: name, summary: starting.has(id) ? `${id}: reset for a new snapshot` : `${id}: no longer replicated` });
  }
  return 'taken';
}

/** One run of the migration at its current generation, until done, signalled or restarted. */
async function runOnce(m: Migration, ms: MigrationState, cp: Checkpointer, opts: RunnerOptions, live: ReadonlyMap<string, LiveView> | undefined, signal: AbortSignal): Promise<boolean> {
  const name = m.metadata.name;
  const view = live?.get(name) ?? (await inspectLive(m, await endpointFor(m, opts.specDir), Object.keys(ms.topics), opts.specDir));
  const apply: ApplyOptions = {
    specDir: opts.specDir,
    live: new Map([[name, view]]),
    untilCaughtUp: opts.mode === 'until-caught-up',
    follow: opts.mode === 'follow',
    signal,
    hook: runnerStatusHook(ms, cp, opts.hook),
  };
  const by = sourceByChanges(m.spec.source);
  return by.changes === 'kafka-feed' ? runTidbMigration(m, by.source, cp, apply) : runBinlogMigration(m, by.source, cp, apply);
}

/** Polls the state for a generation newer than the one running; aborts `restart` when one comes. */
function watchGenerations(cp: Checkpointer, name: string, restart: AbortController, opts: RunnerOptions): () => void {
  if (opts.mode === 'load') return () => undefined;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void cp
      .refresh()
      .then((disk) => {
        if (pendingGeneration(disk.migrations[name]) !== undefined) restart.abort();
      })
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, opts.pollMs ?? 1000);
  timer.unref();
  return () => clearInterval(timer);
}

/** Waits for a new generation, the retry time, or `signal` (a stop, or the lease lost). */
async function waitForGeneration(cp: Checkpointer | undefined, name: string, ms: number, opts: RunnerOptions, signal: AbortSignal): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until && !signal.aborted) {
    await sleep(Math.min(opts.pollMs ?? 1000, until - Date.now()), signal);
    const disk: State | undefined = await cp?.refresh().catch(() => undefined);
    if (disk && pendingGeneration(disk.migrations[name]) !== undefined) return;
  }
}

function leaseLost(name: string): MigError {
  return new MigError('lease-lost', `${name}: this runner lost its lease (it could not renew it in time and another runner took it over); it stopped without writing further`, 'make sure the runner can reach the state backend; the runner holding the lease now carries on from the last checkpoint');
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, Math.max(0, ms));
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}


/**
 * `mig run` without names: every migration in the state, and each one recorded later, each under
 * its own lease. Ends when signalled, or (until caught up) once every run has ended.
 */
export async function runAll(store: StateStore, opts: RunnerOptions, onOutcome: (o: RunOutcome) => void): Promise<void> {
  const running = new Map<string, Promise<void>>();
  const failures: unknown[] = [];
  // As in runMigrations: a run that ends in failure stops the others, and the process reports it.
  const stop = new AbortController();
  const o = { ...opts, signal: AbortSignal.any([opts.signal, stop.signal]) };
  const start = (name: string) => {
    const run = runOne(store, name, o).then((r) => {
      // A migration removed (mig destroy, or its spec deleted) and later applied again is run anew.
      if (r.result === 'removed') running.delete(name);
      onOutcome(r);
    }, (e: unknown) => {
      failures.push(e);
      stop.abort();
    });
    running.set(name, run);
  };
  for (;;) {
    const state = await store.read();
    for (const name of Object.keys(state.migrations)) if (!running.has(name)) start(name);
    if (opts.mode !== 'follow') break;
    if (o.signal.aborted) break;
    await sleep(opts.pollMs ?? 1000, o.signal);
    if (o.signal.aborted) break;
  }
  await Promise.all(running.values());
  if (failures.length > 0) throw failures[0];
}
