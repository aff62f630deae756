// The precheck: DTS's pre-start checks as code. Each check has a stable id, a severity and whether a
// spec may ignore it; run by `mig precheck`, before `mig plan` (when it can connect) and by `mig apply`.
export { CHECKS, CHECK_IDS, IGNORABLE_CHECK_IDS, type CheckId, type CheckMeta, type PrecheckSeverity } from '../model/precheck-catalog.js';
export { evaluatePrechecks, runPrechecks, type PrecheckInput, type PrecheckOptions } from './run.js';
export { isBlocking, precheckFailedError, summarize, toFinding } from './report.js';
export { REGISTRY } from './registry.js';
export type { Check, CheckContext, DestinationFacts, Finding, FindingStatus, MigrationPrecheck, Outcome, PrecheckReport, SourceFacts } from './types.js';
