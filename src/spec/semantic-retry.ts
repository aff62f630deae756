// DTS's rule for its two retry windows: other failures are retried for less time than lost
// connections, so a failure that is not a connection problem cannot hold a run longer than one that is.
import { RETRY_DEFAULTS, retryWindows } from './schema-operations.js';
import { at, type SemanticCheck } from './semantic-at.js';

/** The largest window either field accepts. */
const MAX_MINUTES = 1440;

/**
 * Only an explicit otherMinutes can break the rule: left out, it defaults below the connection
 * window (retryWindows() takes min(10, connection - 1)).
 */
export const retryWindowOrder: SemanticCheck = (m) => {
  const retry = m.migration.spec.retry;
  if (retry?.otherMinutes === undefined) return [];
  const { connectionMinutes, otherMinutes } = retryWindows(retry);
  if (otherMinutes < connectionMinutes) return [];
  const connection =
    retry.connectionMinutes === undefined
      ? `the default retry time for failed connections (${RETRY_DEFAULTS.connectionMinutes} minutes)`
      : `spec.retry.connectionMinutes (${connectionMinutes})`;
  return [
    at(m, ['spec', 'retry', 'otherMinutes'], {
      severity: 'error',
      code: 'retry-window-order',
      message: `spec.retry.otherMinutes (${otherMinutes}) must be less than ${connection}: the retry time for other issues must be less than the retry time for failed connections`,
      // connectionMinutes stops at 1440, so raising it is only offered when it can help.
      fix: otherMinutes < MAX_MINUTES
        ? `set otherMinutes to at most ${connectionMinutes - 1}, or raise connectionMinutes above ${otherMinutes}`
        : `set otherMinutes to at most ${connectionMinutes - 1}`,
    }),
  ];
};
