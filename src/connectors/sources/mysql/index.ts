// MySQL-family source: connections, inspection of the live server, the consistent-snapshot chunk
// reader, the binlog reader, positions, and the one canonical value per column type.
export { connectSource, connectionOptions, sourceError, type SourceEndpoint } from './connect.js';
export { currentBinlogEnd, describeTable, listDatabases, listTables, serverInfo, type ServerInfo } from './inspect.js';
export { closeSnapshot, openSnapshot, TableChunker, type Chunk } from './snapshot-reader.js';
export { BinlogReader, type BinlogReaderOptions } from './binlog-reader.js';
export { changeId, comparePositions, fileIndex, formatPosition, MariadbGtidTracker } from './position.js';
