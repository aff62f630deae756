// The engine: executes an applied plan. It records the plan's changes in the state, then runs each
// migration's phases (schema → full → incremental) through the connectors, checkpointing as it goes.
export { defaultServerId } from '../connectors/sources/mysql/endpoint.js';
export type { ApplyOptions } from './context.js';
export { runAll, runMigrations, runOne, type RunnerOptions, type RunOutcome } from './runner.js';
export { recordGenerations, type RecordedGeneration } from './record-generation.js';
export { parseDuration, waitForRunners } from './wait-runner.js';
export type { ApplyEvent, ApplyHook } from '../model/events.js';
export { sourceLag } from './lag.js';
