// What /healthz says about a runner, followed from the engine's events: per migration whether this
// process holds its lease, and whether its run works (streaming or loading) or failed.
import type { ApplyEvent } from '../model/events.js';
import type { HealthReport } from './health-server.js';

interface MigrationHealth {
  lease: 'held' | 'standby' | 'none';
  run: 'starting' | 'working' | 'retrying' | 'failed' | 'stopped';
  holder?: { pid: number; host: string; since: string; expiresAt: string };
  error?: string;
  since: string;
}

export class RunnerHealth {
  readonly #m = new Map<string, MigrationHealth>();

  onEvent(e: ApplyEvent): void {
    const h = this.#m.get(e.migration) ?? { lease: 'none', run: 'starting', since: new Date().toISOString() };
    this.#m.set(e.migration, h);
    switch (e.type) {
      case 'lease':
        if (e.event === 'taken' || e.event === 'took-over') {
          h.lease = 'held';
          h.holder = undefined;
          h.run = 'starting';
        } else if (e.event === 'standby') {
          h.lease = 'standby';
          h.holder = e.holder && { pid: e.holder.pid, host: e.holder.host, since: e.holder.since, expiresAt: e.holder.expiresAt };
        } else {
          h.lease = 'none';
          h.run = 'stopped';
        }
        break;
      case 'runner-error':
        h.run = 'failed';
        h.error = e.message;
        break;
      case 'runner-retry':
        h.run = 'retrying';
        h.error = e.message;
        break;
      case 'stream-start':
      case 'feed-start':
      case 'table-start':
      case 'backfill-start':
        h.run = 'working';
        h.error = undefined;
        break;
      default:
        break;
    }
    h.since = new Date().toISOString();
  }

  report(): HealthReport {
    const all = [...this.#m.entries()];
    const active = all.some(([, h]) => h.lease === 'held');
    // Leases are per migration, so two runners may each hold some: each is healthy on what it holds.
    const held = all.filter(([, h]) => h.lease === 'held');
    const healthy = held.length > 0 && held.every(([, h]) => h.run === 'working');
    return { healthy, active, body: { pid: process.pid, migrations: Object.fromEntries(all) } };
  }
}
