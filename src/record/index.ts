// `ha-dedup record`: a remote-write receiver that appends every request to an rwcap capture.
export { Recorder, DEFAULT_MAX_BODY, DEFAULT_DRAIN_TIMEOUT_MS } from './server.js';
export type { RecorderOptions, RecorderStats, TenantStats } from './server.js';
export { CaptureWriter } from './writer.js';
export { FileSink, StreamSink, openCaptureFile, openCaptureStream, completeRecordsLength } from './sink.js';
export type { CaptureSink, OpenedCapture } from './sink.js';
export { classifyContentType, classifyContentEncoding } from './content.js';
export { keptHeaders } from './headers.js';
export { compileTenantPattern, createTenantResolver } from './tenant.js';
export { countRw2 } from './rw2count.js';
export { parseListen, parseSize, parseCount, formatBytes } from './options.js';
