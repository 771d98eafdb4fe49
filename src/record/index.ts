// `ha-dedup record`: a remote-write receiver that appends every request to an rwcap capture.
export { Recorder, DEFAULT_MAX_BODY, DEFAULT_DRAIN_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS } from './server.js';
export type { RecorderOptions, RecorderStats, TenantStats } from './server.js';
export { CaptureWriter } from './writer.js';
export { FileSink, StdoutSink, SinkClosedError, openCaptureFile, openStdoutSink, damageMessage } from './sink.js';
export type { CaptureSink, OpenedCapture } from './sink.js';
export { scanCapture, recordProblem } from './scan.js';
export type { ScanResult, ScanDamage, ScanTail } from './scan.js';
export { acquireCaptureLock, lockPathFor, parseLock, holderAlive } from './lock.js';
export type { CaptureLock, LockHolder } from './lock.js';
export { startPipeProbe } from './pipe.js';
export type { PipeProbe, PipeState } from './pipe.js';
export { classifyContentType, classifyContentEncoding } from './content.js';
export { keptHeaders } from './headers.js';
export { compileTenantPattern, createTenantResolver, validTenantId, MAX_TENANT_ID_BYTES } from './tenant.js';
export { countRw2 } from './rw2count.js';
export { formatBytes } from './options.js';
