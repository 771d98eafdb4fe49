// Public surface of the tracker.
export * from './api.js';
export { defaultHAConfig, validateHAConfig, configFor, tenantConfigs, goDuration } from './config.js';
export { createTracker, findHALabels, META } from './tracker.js';
