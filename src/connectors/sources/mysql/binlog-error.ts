// What a failure of the binary log connection means to the user: the one a resume cannot recover
// from by itself (the checkpoint's log is gone) gets its own error and fix; others pass unchanged.
import { MigError } from '../../../util/errors.js';

export function binlogError(e: Error & { code?: string; errno?: number }): Error {
  if (e.errno === 1236 || /1236|could not find first log|not in the master's binlog|bogus data/i.test(e.message)) {
    return new MigError(
      'binlog-position-lost',
      `the source no longer has the binary log at the checkpoint: ${e.message}`,
      'the logs were purged or the position is invalid; restore them, or take a new snapshot with: mig apply --replace <migration>',
    );
  }
  return e;
}
