// The apply folder: the engine that makes the recorded state match a plan and runs each migration's
// phases (schema → full → incremental), routing source events to the sink and checkpointing.
export { executeApply, defaultServerId, type ApplyOptions, type ApplyResult } from './execute.js';
export type { ApplyEvent, ApplyHook } from './events.js';
export { sourceLag } from './lag.js';
