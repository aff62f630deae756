// Runs the built mig binary as a user would, in a project directory of the test's own.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const MIG_BIN = path.resolve(__dirname, '../../../bin/run.js');

export interface MigResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runMig(args: string[], opts: { cwd: string; env?: Record<string, string> }): Promise<MigResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MIG_BIN, ...args], { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export function spawnMig(args: string[], opts: { cwd: string; env?: Record<string, string> }): ChildProcess {
  return spawn(process.execPath, [MIG_BIN, ...args], { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
}
