// The ordered list of checks a precheck runs: connectivity first, so a reader meets the cause
// before the checks it skipped. Add a check by giving it a catalog entry and a place here.
import type { Check } from './types.js';
import { sourceConnection, sourceServerId, sourceVersion } from './checks-server.js';
import { binlogEnabled, binlogFormat, binlogRetentionCheck, binlogRowImage, binlogRowMetadata, logSlaveUpdates } from './checks-binlog.js';
import { privilegeBackfill, privilegeHeartbeat, privilegeReplication, privilegeSelect } from './checks-privileges.js';
import { invisibleColumns, objectsExist, primaryKey, tableCount, views } from './checks-tables.js';
import { destinationConnection, existingTopics, topicCollision, topicNames } from './checks-destination.js';
import { existingTables, feedTopic, tablestoreLimits } from './checks-table-destination.js';

export const REGISTRY: readonly Check[] = [
  sourceConnection,
  sourceVersion,
  destinationConnection,
  binlogEnabled,
  binlogFormat,
  binlogRowImage,
  binlogRowMetadata,
  logSlaveUpdates,
  binlogRetentionCheck,
  privilegeSelect,
  privilegeReplication,
  privilegeBackfill,
  privilegeHeartbeat,
  objectsExist,
  views,
  primaryKey,
  invisibleColumns,
  sourceServerId,
  topicNames,
  topicCollision,
  existingTopics,
  existingTables,
  tablestoreLimits,
  feedTopic,
  tableCount,
];
