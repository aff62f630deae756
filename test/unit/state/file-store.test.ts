import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileStateStore } from '../../../src/state/file-store.js';
import { CURRENT_STATE_VERSION, encodeState } from '../../../src/state/statefile.js';
import { MigError } from '../../../src/util/errors.js';
import { sampleState } from './sample-state.js';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mig-state-'));
  file = join(dir, '.mig', 'state.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function rejection(p: Promise<unknown>): Promise<MigError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof MigError) return err;
    throw err;
  }
  throw new Error('expected a MigError');
}

describe('FileStateStore read/write', () => {
  it('reads an absent file as an empty state with a stable fresh lineage, persisted by the first write', async () => {
    const store = new FileStateStore(file);
    const empty = await store.read();
    expect(empty).toMatchObject({ version: CURRENT_STATE_VERSION, serial: 0, migrations: {} });
    expect(empty.lineage).toMatch(/^[0-9a-f-]{36}$/);
    expect((await store.read()).lineage).toBe(empty.lineage);
    expect(new FileStateStore(file).location).toBe(file);

    const written = await store.write(empty);
    expect(written.serial).toBe(1);
    expect(written.lineage).toBe(empty.lineage);
    expect((await new FileStateStore(file).read()).lineage).toBe(empty.lineage);
  });

  it('creates the parent directory and round-trips the state', async () => {
    const store = new FileStateStore(file);
    const state = { ...sampleState(), serial: 0 };
    await store.write(state);
    expect(await new FileStateStore(file).read()).toEqual({ ...state, serial: 1 });
    expect(await readFile(file, 'utf8')).toBe(encodeState({ ...state, serial: 1 }));
  });

  it('increments the serial by exactly one per write, whatever the caller passed in the rest', async () => {
    const store = new FileStateStore(file);
    let state = await store.read();
    for (let i = 1; i <= 4; i++) {
      state = await store.write(state);
      expect(state.serial).toBe(i);
      expect((await store.read()).serial).toBe(i);
    }
  });

  it('does not change the caller’s object', async () => {
    const store = new FileStateStore(file);
    const state = await store.read();
    await store.write(state);
    expect(state.serial).toBe(0);
  });

  it('refuses a write based on a stale serial', async () => {
    const a = new FileStateStore(file);
    await a.write(await a.read());
    const first = await a.read();
    const second = await new FileStateStore(file).read();
    await a.write(first);
    const err = await rejection(new FileStateStore(file).write(second));
    expect(err.code).toBe('state-conflict');
    expect(err.message).toContain('serial 2 on disk, 1 in hand');
    expect((await a.read()).serial).toBe(2);
  });

  it('refuses a first write when another store created the file meanwhile', async () => {
    const a = new FileStateStore(file);
    const b = new FileStateStore(file);
    const fromA = await a.read();
    const fromB = await b.read();
    await a.write(fromA);
    expect((await rejection(b.write(fromB))).code).toBe('state-conflict');
  });

  it('refuses a write onto another lineage with the same serial', async () => {
    const store = new FileStateStore(file);
    await store.write(await store.read());
    const err = await rejection(store.write({ ...(await store.read()), lineage: 'other' }));
    expect(err.code).toBe('state-conflict');
    expect(err.message).toContain('lineage');
  });

  it('keeps the previous version as <file>.backup', async () => {
    const store = new FileStateStore(file);
    const one = await store.write(await store.read());
    expect(await readdir(join(dir, '.mig'))).toEqual(['state.json']);
    await store.write({ ...one, migrations: sampleState().migrations });
    expect(await readFile(`${file}.backup`, 'utf8')).toBe(encodeState(one));
    expect(await readdir(join(dir, '.mig'))).toEqual(['state.json', 'state.json.backup']);
  });

  it('ignores leftover and truncated temporary files from a crashed writer', async () => {
    const store = new FileStateStore(file);
    const written = await store.write({ ...sampleState(), serial: 0 });
    const full = encodeState({ ...written, serial: 9 });
    await writeFile(`${file}.tmp-99999-deadbeef`, full.slice(0, full.length / 2));
    await writeFile(`${file}.tmp-99998-cafebabe`, '');
    expect(await store.read()).toEqual(written);
    const next = await store.write(written);
    expect(next.serial).toBe(2);
  });

  it('names the file and its backup when the file is corrupt', async () => {
    const store = new FileStateStore(file);
    const one = await store.write(await store.read());
    await store.write(one);
    await writeFile(file, '{"version":1,"ser');
    const err = await rejection(store.read());
    expect(err.code).toBe('state-corrupt');
    expect(err.message).toContain(file);
    expect(err.hint).toContain(`${file}.backup`);
    // The write path reads the disk too, and must not overwrite the damaged file or its backup.
    expect((await rejection(store.write(one))).code).toBe('state-corrupt');
    expect(await readFile(`${file}.backup`, 'utf8')).toBe(encodeState(one));
  });
});
