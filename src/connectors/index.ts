// Connectors: one folder per source and sink kind, each with its config, live inspection and
// factory, all behind the contract (contract.ts) and found through the registry (registry.ts).
export type { ChangeSink, ErrorClass, RestartOutcome, SinkCapabilities, SinkKind, SourceKind, TransactionalSink } from './contract.js';
export { SINKS, SOURCES, sinkKindOf, sourceKindOf, pairAllowed } from './registry.js';
export { isTransactional } from './contract.js';
