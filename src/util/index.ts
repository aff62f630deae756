// Shared by every layer: errors a user can act on (code, message, fix), spec diagnostics, and
// redaction of credentials from driver messages.
export { type Diagnostic, LockedError, MigError, SpecError, redact } from './errors.js';
