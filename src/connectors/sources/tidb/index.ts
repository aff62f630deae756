// TiDB source feed: decodes TiDB-Binlog Drainer protobuf and canal-json messages into mig's change
// events, reads the feed topic from checkpointed offsets, and finds the snapshot's commit ts.
export { decodeDrainer, type DrainerContext, type DrainerTable, type DrainerTxn } from './drainer-decode.js';
export { decodeCanal, type CanalContext, type CanalMessage } from './canal-decode.js';
export { FeedReader, groupIdOf, type FeedEnd, type FeedHandler, type FeedReaderOptions, type FeedUnit, type PartitionRange } from './feed-reader.js';
export { feedAdmin, feedError, resolveFeedSecrets } from './feed-kafka.js';
export { snapshotCommitTs } from './snapshot-ts.js';
export { composeTso, feedChangeId, tsoPhysicalMs } from './tso.js';
export type { FeedSchema } from './columns.js';
export { DRAINER_PROTO, drainerBinlogType } from './drainer-proto.js';
