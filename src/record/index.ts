// `ha-dedup record`: a remote-write receiver that appends every request to an rwcap capture.
export { Recorder } from './server.js';
export type { RecorderOptions, RecorderStats, TenantStats } from './server.js';
export { CaptureWriter } from './writer.js';
export { FileSink, SinkClosedError, openCaptureFile, openStdoutSink } from './sink.js';
export type { CaptureSink } from './sink.js';
export { scanCapture } from './scan.js';
export type { ScanResult, ScanDamage } from './scan.js';
export { acquireCaptureLock } from './lock.js';
export type { CaptureLock } from './lock.js';
export { startPipeProbe } from './pipe.js';
export type { PipeProbe } from './pipe.js';
export { classifyContentType, classifyContentEncoding } from './content.js';
export { keptHeaders } from './headers.js';
export { compileTenantPattern, createTenantResolver, validTenantId } from './tenant.js';
export { countRw2 } from './rw2count.js';
export { formatBytes } from './options.js';
