// The plan folder: specs + recorded state + live view → typed changes with their reasons (pure),
// plus the live inspection around it and the saved-plan file format.
export { buildPlan, unifiedDiff, type LiveView, type PlanInput, type PlanMigrationInput } from './build.js';
export { ACTION_SYMBOL, hasChanges, hasErrors, type Action, type Change, type MigrationPlan, type Plan, type PlanNote, type Risk } from './change.js';
export { snapshotDigest, type Desired, type DesiredTable, type DesiredTopic, type LiveSource, type LiveTopics } from '../model/targets.js';
export { desiredFor } from './desired.js';
export { endpointFor, loadValid, makePlan, type Planned } from './make.js';
export { checkFresh, readPlanFile, writePlanFile } from './planfile.js';
