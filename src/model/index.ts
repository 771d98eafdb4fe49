export * from './types.js';
export * from './values.js';
export * from './labels.js';
export * from './errors.js';
export * from './duration.js';
export * from './json.js';
