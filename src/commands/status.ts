import { MigCommand, dirFlag, jsonFlag, stateFlag, stateUrlFlag } from '../cli/base.js';
import { Flags } from '@oclif/core';
import { openStateStore } from '../config/index.js';
import { renderStatus, statusOf } from '../cli/views/status.js';
import { sourceLag, targetColumn } from '../engine/lag.js';
import { loadSpecs } from '../spec/index.js';
import { Logger, logFlags, streamWriter, useColor } from '../cli/log.js';
import { LiveArea } from '../cli/views/progress-live.js';
import { durationMs } from '../cli/views/progress-reporter.js';
import type { StateStore } from '../state/store.js';
import { interruptOnSignals } from '../cli/interrupt.js';

export default class Status extends MigCommand {
  static override summary = 'Show each migration: table phases, rows copied, checkpoint and lag.';
  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status --json', '<%= config.bin %> status --offline', '<%= config.bin %> status --watch --interval 5s'];
  static override flags = {
    dir: dirFlag,
    state: stateFlag,
    'state-url': stateUrlFlag,
    json: jsonFlag,
    offline: Flags.boolean({ description: 'do not connect to the sources to measure lag' }),
    watch: Flags.boolean({ description: 'read the state again every --interval and show it anew until Ctrl-C (redrawn in place on a terminal; a timestamped block, or a JSON line with --json, otherwise)' }),
    interval: Flags.string({ description: 'with --watch: how often (e.g. 2s, 30s, 1m)', default: '2s' }),
    ...logFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Status);
    const store = await openStateStore(flags);
    if (flags.watch) {
      await this.watch(store, flags).finally(() => store.close?.());
      return;
    }
    const { text } = await this.read(store, flags).finally(() => store.close?.());
    this.out(text);
  }

  /** The status as text (or pretty JSON), and as the object --json prints. */
  private async read(store: StateStore, flags: { dir: string; offline: boolean; json: boolean }): Promise<{ text: string; value: object }> {
    const [state, leases] = await Promise.all([store.read(), store.leases()]);
    const lags = new Map<string, number | null>();
    if (!flags.offline) {
      const { migrations } = await loadSpecs(flags.dir);
      for (const l of migrations) {
        const ms = state.migrations[l.migration.metadata.name];
        if (ms) lags.set(ms.name, await sourceLag(l.migration, ms, flags.dir));
      }
    }
    const s = statusOf(state, lags, targetColumn, leases);
    const value = { serial: state.serial, migrations: s };
    return { text: flags.json ? JSON.stringify(value, null, 2) : renderStatus(s), value };
  }

  /**
   * Reads and shows the status every interval until SIGINT/SIGTERM. On a terminal the block is
   * redrawn in place; elsewhere each reading is a block under a timestamped line (a CI log, a file),
   * or one JSON line with --json.
   */
  private async watch(store: StateStore, flags: { dir: string; offline: boolean; json: boolean; interval: string; 'log-level': Logger['level']; 'log-format': Logger['format']; color: boolean }): Promise<void> {
    const everyMs = Math.max(100, durationMs(flags.interval, 'interval'));
    const interrupt = interruptOnSignals();
    const stop = interrupt.abort;
    const tty = process.stdout.isTTY === true && !flags.json && flags['log-format'] === 'text';
    const live = tty ? new LiveArea(process.stdout) : undefined;
    const color = useColor(process.stdout, process.env, flags.color) && flags['log-format'] === 'text';
    const log = new Logger({ level: flags['log-level'], format: flags['log-format'], color, write: streamWriter(process.stdout) });
    try {
      while (!stop.signal.aborted) {
        const at = new Date();
        const { text, value } = await this.read(store, { ...flags, json: false });
        if (live) live.render(`${at.toISOString()}  every ${flags.interval}, Ctrl-C to stop\n\n${text}`);
        else if (flags.json) process.stdout.write(JSON.stringify({ time: at.toISOString(), ...value }) + '\n');
        else if (log.format === 'json') log.info('status', { event: 'status', ...value });
        else log.info(`status (every ${flags.interval}):\n${text}\n`);
        await sleep(everyMs, stop.signal);
      }
    } finally {
      interrupt.release();
      // The last reading stays on the screen.
      live?.keep();
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
