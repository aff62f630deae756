// mig verify: compares what each destination holds with what the source says it should hold, through
// the spec's own mapping, by checksums of key ranges (MySQL) or by reading the destination back.
export { verify, type VerifyOptions } from './run.js';
export { EXIT_DIFFERENT, EXIT_EQUAL, EXIT_ERROR, exitCodeOf, type Difference, type MigrationReport, type TableReport, type VerifyMethod, type VerifyReport } from './report.js';
export { cutover, LOCK_SOURCE_STATEMENTS, type CutoverOptions, type CutoverResult, type CutoverStep } from './cutover.js';
