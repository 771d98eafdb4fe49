// Public surface of the tracker.
export * from './api.js';
export { defaultHAConfig, validateHAConfig, configFor, tenantConfigs, goDuration } from './config.js';
export { createPureTracker, findHALabels, META } from './tracker.js';
export { createTracker } from './stored.js';
export { MODELS } from './models.js';
export { CHECK_ACCEPT, CHECK_DEDUPE, CHECK_REJECT, jitterFromDraw, type CheckCode, type DecisionModel, type MetaWriter, type ModelContext } from './model.js';
export type { Entry, TenantState } from './state.js';
