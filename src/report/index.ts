export * from './types.js';
export { seriesKey, scrapeInterval } from './builder.js';
export { ReportBuilderConsumer } from './consumer.js';
export { renderJson } from './json.js';
export { loadPaint, renderTable, type Paint } from './table.js';

export { renderMarkdown } from './markdown.js';
export * from './expect.js';
