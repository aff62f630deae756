// The cli folder: what commands share (flags, error rendering, confirmation) and the views that turn
// plans, apply progress and status into text. Commands themselves live in src/commands (oclif's layout).
export { MigCommand, dirFlag, jsonFlag, stateFlag } from './base.js';
export { renderDiagnostics } from './views/diagnostics.js';
export { renderPlanHuman } from './views/plan-human.js';
export { applyLine } from './views/apply-human.js';
export { renderStatus, statusOf } from './views/status.js';
