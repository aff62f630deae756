// The latency case's load: rows inserted at a steady rate against the clock, with the time at which
// the server acknowledged each row's commit (the start of that row's commit → Kafka latency).
import { DB, ROW_SELECT, sourceConnection } from './services.mjs';
import { sleep } from './process.mjs';

/**
 * A writer inserting `rate` rows/s in autocommitted `txRows`-row INSERTs from `connections`
 * connections, paced against the clock, for `seconds`. commitAt[id - firstId] = Date.now() when
 * the server acknowledged the commit of that row.
 */
export async function steadyWriter({ table, rate, seconds, txRows, connections, firstId, commitAt }) {
  const conns = await Promise.all(Array.from({ length: connections }, () => sourceConnection()));
  let next = firstId;
  let txs = 0;
  let behindMax = 0;
  const t0 = Date.now();
  const endAt = t0 + seconds * 1000;
  try {
    await Promise.all(
      conns.map(async (c) => {
        for (;;) {
          const now = Date.now();
          if (now >= endAt) return;
          const due = firstId + Math.floor(((now - t0) / 1000) * rate);
          if (next >= due) {
            await sleep(1);
            continue;
          }
          behindMax = Math.max(behindMax, due - next);
          const from = next;
          const n = Math.min(txRows, firstId + commitAt.length - from);
          if (n <= 0) return;
          next += n;
          await c.query(`INSERT INTO ${DB}.${table} ${ROW_SELECT(from - 1)} FROM ${DB}.seq_1_to_${n}`);
          const at = Date.now();
          for (let id = from; id < from + n; id++) commitAt[id - firstId] = at;
          txs++;
        }
      }),
    );
  } finally {
    await Promise.all(conns.map((c) => c.end().catch(() => undefined)));
  }
  return { rows: next - firstId, txs, seconds: (Date.now() - t0) / 1000, startedAt: t0, behindMaxRows: behindMax };
}
