// Connectors: one folder per source and sink kind, each with its config, live inspection and
// factory, all behind the contract (contract.ts) and found through the registry (registry.ts).
export type { ChangeSink, RestartOutcome } from './contract.js';
