// Kills a writer with SIGKILL at random points, again and again, while this process keeps reading:
// every read must parse, serials never go back, and the next writer carries on from what is on disk.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import ts from 'typescript';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FileStateStore } from '../../../src/state/file-store.js';
import { CURRENT_STATE_VERSION } from '../../../src/state/model.js';

const repo = resolve(import.meta.dirname, '../../..');
let work: string;

/** Transpiles the store and its relative imports to plain JS so a bare `node` child can run them. */
async function buildChild(out: string): Promise<void> {
  const pending = ['src/state/file-store.ts', 'test/unit/state/sample-state.ts'];
  const done = new Set<string>();
  while (pending.length) {
    const rel = pending.pop() as string;
    if (done.has(rel)) continue;
    done.add(rel);
    const source = await readFile(join(repo, rel), 'utf8');
    for (const m of source.matchAll(/from\s+'(\.{1,2}\/[^']+)\.js'/g)) {
      pending.push(relative(repo, join(repo, dirname(rel), `${m[1]}.ts`)));
    }
    const js = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const target = join(out, rel.replace(/\.ts$/, '.js'));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, js);
  }
  await writeFile(join(out, 'package.json'), '{"type":"module"}\n');
  await symlink(join(repo, 'node_modules'), join(out, 'node_modules'), 'dir');
  // Large states make a torn write likely to be seen if the store ever wrote in place.
  await writeFile(
    join(out, 'writer.js'),
    `import { FileStateStore } from './src/state/file-store.js';
import { sampleState } from './test/unit/state/sample-state.js';
const store = new FileStateStore(process.argv[2]);
const pad = 'x'.repeat(300_000);
let state = await store.read();
for (;;) {
  const m = sampleState().migrations.orders;
  state = await store.write({ ...state, migrations: { orders: { ...m, digest: 'sha256:' + state.serial + pad } } });
  process.stdout.write('w');
}
`,
  );
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mig-crash-'));
  await buildChild(join(work, 'child'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function startWriter(file: string): { child: ChildProcess; wrote: Promise<void> } {
  const child = spawn(process.execPath, [join(work, 'child', 'writer.js'), file], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const wrote = new Promise<void>((ok, fail) => {
    child.stdout?.once('data', () => ok());
    child.once('exit', (code, signal) => {
      fail(new Error(`writer exited (${code ?? signal}) before writing: ${stderr}`));
    });
  });
  return { child, wrote };
}

it('never exposes a half-written state when writers are killed mid-write', async () => {
  const file = join(work, 'project', '.mig', 'state.json');
  const store = new FileStateStore(file);
  let reading = true;
  let reads = 0;
  let lastSerial = 0;
  let failure: unknown;
  const reader = (async () => {
    while (reading) {
      try {
        const state = await store.read(); // throws on any torn or partial file
        if (state.serial < lastSerial) throw new Error(`serial went back from ${lastSerial} to ${state.serial}`);
        lastSerial = state.serial;
        reads++;
      } catch (err) {
        failure = err;
        return;
      }
      await sleep(0);
    }
  })();

  const deadline = Date.now() + 2000;
  let rounds = 0;
  while ((Date.now() < deadline || rounds < 3) && failure === undefined) {
    const { child, wrote } = startWriter(file);
    const exited = new Promise((ok) => child.once('exit', ok));
    await wrote;
    await sleep(Math.random() * 20);
    child.kill('SIGKILL');
    await exited;
    rounds++;
  }
  reading = false;
  await reader;
  if (failure !== undefined) throw failure;

  const final = await store.read();
  expect(final.serial).toBeGreaterThanOrEqual(rounds);
  expect(reads).toBeGreaterThan(rounds);
  // The backup is replaced the same way and must be whole too.
  expect(JSON.parse(await readFile(`${file}.backup`, 'utf8'))).toMatchObject({ version: CURRENT_STATE_VERSION });
  // Whatever temporaries the killed writers left behind do not stop the next write.
  expect((await store.write(final)).serial).toBe(final.serial + 1);
}, 15_000);
