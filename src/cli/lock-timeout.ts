// --lock-timeout (Terraform's -lock-timeout) for every command that takes the state lock.
import { Flags } from '@oclif/core';
import { parseDuration } from '../engine/wait-runner.js';
import type { LockWait } from '../state/ops.js';

export const lockTimeoutFlag = Flags.string({
  description: 'wait this long (e.g. 30s, 5m) for a state lock another process holds, instead of failing at once',
  default: '0s',
});

/** The flag as a LockWait whose one announcement goes to `out`. */
export function lockWaitOf(text: string, out: (line: string) => void): LockWait {
  return {
    timeoutMs: parseDuration(text, '--lock-timeout'),
    onWait: (h, ms) => out(`The state is locked by ${h.operation} (pid ${h.pid} on ${h.host}, lock ${h.id}, since ${h.time}); waiting up to ${ms / 1000} s for it.`),
  };
}
