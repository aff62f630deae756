// Runs a command to completion and measures it from outside: wall time, CPU time, peak RSS and the
// times of its stdout lines, as a user would see them (GNU time where present, else /proc sampling).
import { spawn, execFileSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './app.mjs';

const PROCESS_TIMEOUT_MS = 20 * 60 * 1000;

/** Every process started and not yet gone: an interrupt stops them all (bench/run.mjs cleanup). */
export const children = new Set();

/** Set on SIGINT/SIGTERM: cleanup runs, and whatever fails after that is not worth reporting. */
export const session = { interrupted: false };

function detectGnuTime() {
  try {
    execFileSync('/usr/bin/time', ['-v', '-o', '/dev/null', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const gnuTime = detectGnuTime();
export const resourceUsage = gnuTime ? 'GNU time' : '/proc sampling';

/** Peak RSS (kB) and CPU seconds of a running process, from /proc (fallback without GNU time). */
function procSample(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
    return { maxRssKb: hwm, cpuSeconds: ticks / 100 };
  } catch {
    return undefined;
  }
}

/** CPU, RSS and exit status as GNU time wrote them (it reports the command's exit, not its own). */
function readTimeFile(timeFile, code) {
  const t = existsSync(timeFile) ? readFileSync(timeFile, 'utf8') : '';
  rmSync(timeFile, { force: true });
  const num = (re) => Number(re.exec(t)?.[1] ?? NaN);
  const exit = /Command exited with non-zero status (\d+)/.exec(t);
  if (exit && code === 0) code = Number(exit[1]);
  if (/Command terminated by signal (\d+)/.test(t) && code === 0) code = 128;
  return {
    code,
    cpuSeconds: num(/User time \(seconds\): ([\d.]+)/) + num(/System time \(seconds\): ([\d.]+)/),
    maxRssKb: num(/Maximum resident set size \(kbytes\): (\d+)/),
  };
}

/**
 * Runs a command to completion and measures it: wall seconds (hrtime, spawn to exit), CPU seconds
 * (user + system) and peak RSS of the command itself. stdout goes to /dev/null unless captured.
 * `marks`: name → RegExp; the seconds after spawn at which a stdout line first matched.
 * `onSpawn(child)`: for commands the caller stops itself (signals go to the process group; GNU time
 * ignores SIGINT, so SIGINT reaches only the command).
 */
export function measure(cmd, args, { cwd = ROOT, captureStdout = true, marks = {}, onLine, onSpawn } = {}) {
  return new Promise((resolve, reject) => {
    const timeFile = gnuTime ? path.join(os.tmpdir(), `mig-bench-time-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.txt`) : undefined;
    const argv = gnuTime ? ['-v', '-o', timeFile, cmd, ...args] : args;
    const exe = gnuTime ? '/usr/bin/time' : cmd;
    const devnull = captureStdout ? undefined : openSync('/dev/null', 'w');
    const started = process.hrtime.bigint();
    // Own process group, so a timeout or an interrupt can stop the command and its children.
    const child = spawn(exe, argv, { cwd, detached: true, stdio: ['ignore', captureStdout ? 'pipe' : devnull, 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    let partial = '';
    let sample;
    const markAt = {};
    child.stdout?.on('data', (d) => {
      const at = Number(process.hrtime.bigint() - started) / 1e9;
      const text = d.toString();
      stdout += text;
      const lines = (partial + text).split('\n');
      partial = lines.pop();
      for (const line of lines) {
        for (const [name, re] of Object.entries(marks)) if (markAt[name] === undefined && re.test(line)) markAt[name] = at;
        onLine?.(line);
      }
    });
    child.stderr.on('data', (d) => (stderr += d));
    const poll = gnuTime ? undefined : setInterval(() => (sample = procSample(child.pid) ?? sample), 50);
    const timer = setTimeout(() => {
      stderr += `\nbench: killed after ${PROCESS_TIMEOUT_MS / 1000} s`;
      killGroup(child);
    }, PROCESS_TIMEOUT_MS);
    const done = () => {
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      children.delete(child);
    };
    child.on('error', (e) => {
      done();
      reject(e);
    });
    child.on('close', (code, signal) => {
      const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      done();
      if (devnull !== undefined) closeSync(devnull);
      let usage = { code, cpuSeconds: sample?.cpuSeconds, maxRssKb: sample?.maxRssKb };
      if (timeFile) usage = readTimeFile(timeFile, code);
      resolve({ code: usage.code ?? (signal ? 128 : -1), signal, wallSeconds, cpuSeconds: usage.cpuSeconds, maxRssKb: usage.maxRssKb, marks: markAt, stdout, stderr });
    });
    onSpawn?.(child);
  });
}

export function killGroup(child, sig = 'SIGTERM') {
  try {
    process.kill(-child.pid, sig);
  } catch {
    /* already gone */
  }
}

export function ensureOk(what, r) {
  if (r.code !== 0) {
    const out = `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-30).join('\n');
    throw new Error(`${what} failed (exit ${r.code}${r.signal ? `, ${r.signal}` : ''}):\n${out}`);
  }
  return r;
}

/** The JSON line a baseline script prints last (its own timings, from inside the process). */
export const lastJsonLine = (r) => JSON.parse(r.stdout.trim().split('\n').pop());

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
