// Rates and ETAs from successive progress readings. The engine reports counts only (model/progress.ts);
// speed is the view's business, measured over a sliding window so one slow chunk or a pause for the
// throttle does not make the ETA jump about.

/** The window a rate is measured over. Long enough to smooth chunking, short enough to follow a change of pace. */
export const RATE_WINDOW_MS = 10_000;

/** A rate needs readings at least this far apart; below it the figure is noise. */
const MIN_SPAN_MS = 900;

export class RateMeter {
  private samples: { at: number; value: number }[] = [];

  constructor(private readonly windowMs = RATE_WINDOW_MS) {}

  /** A cumulative count at time `at` (ms). A count that goes back (a table copied again) starts over. */
  add(at: number, value: number): void {
    const last = this.samples.at(-1);
    if (last && (value < last.value || at < last.at)) this.samples = [];
    if (last && at === last.at) {
      last.value = value;
      return;
    }
    this.samples.push({ at, value });
    // Keep the newest reading that is at least a window old as the start of the window.
    while (this.samples.length > 2 && this.samples[1]!.at <= at - this.windowMs) this.samples.shift();
  }

  /** Per second over the window; null until two readings are far enough apart. */
  perSecond(): number | null {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.at - first.at < MIN_SPAN_MS) return null;
    return ((last.value - first.value) * 1000) / (last.at - first.at);
  }
}

/**
 * Seconds until `done` reaches `total` at `perSecond`; null when either is unknown or nothing moves.
 * The total is the source's estimate, so a count past it gives 0, not a negative time.
 */
export function etaSeconds(done: number, total: number | null, perSecond: number | null): number | null {
  if (total === null || perSecond === null || perSecond <= 0) return null;
  return Math.max(0, Math.ceil((total - done) / perSecond));
}

/** Percent of an estimate, rounded; 99 at most until the copy is done, since estimates run short. */
export function percentOf(done: number, total: number | null): number | null {
  if (total === null || total <= 0) return null;
  return Math.min(99, Math.round((done * 100) / total));
}
