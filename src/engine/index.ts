// The engine: executes an applied plan. It records the plan's changes in the state, then runs each
// migration's phases (schema → full → incremental) through the connectors, checkpointing as it goes.
export { executeApply, defaultServerId, type ApplyOptions, type ApplyResult } from './execute.js';
export type { ApplyEvent, ApplyHook } from '../model/events.js';
export { sourceLag } from './lag.js';
