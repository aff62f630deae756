// Project configuration: mig.config.yaml (where the state lives), and choosing the state store
// a command works on from flags, that file and the defaults.
export { DEFAULT_STATE_PATH, loadProjectConfig, parseProjectConfig, PROJECT_CONFIG_FILE, ProjectConfigError, ProjectConfigSchema } from './project.js';
export type { LoadedProjectConfig, MetricsConfig, ProjectConfig, StateConfig } from './project.js';
export { openConfiguredStore, openStateStore, openStoreRef, type OpenStoreOptions, type StateFlags } from './open-store.js';
export { parseStoreRef, STORE_REF_FORMS, type StoreRef } from './store-ref.js';
