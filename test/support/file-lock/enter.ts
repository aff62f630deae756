// setupFiles of the it and e2e projects: takes the file lock (server.ts) before the file's own code
// runs, shared for a file vitest.config.ts lists as parallel-safe (absolute paths) and exclusive for
// any other, and gives it back once the file's last afterAll has run.
import net from 'node:net';
import path from 'node:path';
import { afterAll, expect, inject } from 'vitest';
import type { LockMode } from './server.js';

function take(port: number, mode: LockMode): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(`${mode}\n`));
    socket.setEncoding('utf8');
    socket.once('data', () => resolve(socket));
    socket.once('error', reject);
    socket.once('close', () => reject(new Error('the test file lock closed before granting')));
  });
}

const testPath = expect.getState().testPath ?? '';
const file = path.relative(process.cwd(), testPath);
const mode: LockMode = inject('parallelSafeFiles').includes(testPath) ? 'shared' : 'exclusive';
const asked = Date.now();
const held = await take(inject('fileLockPort'), mode);
const waited = Date.now() - asked;
if (waited > 1000) console.log(`test file lock: ${file} waited ${(waited / 1000).toFixed(1)} s for the ${mode} lock`);

// Registered first, so run last: after the file's own afterAll hooks have stopped what it started.
afterAll(async () => {
  await new Promise<void>((resolve) => {
    held.once('close', () => resolve());
    held.end();
  });
});
