// `ha-dedup send`: post the requests of any input to a remote-write receiver (issue 17, SPEC 12).
export type { SourceRequest, Post, Counts, Origin, Refusal, SendReport } from './types.js';
export { Batcher, BATCH_DEADLINE_MS } from './batch.js';
export type { BatchOptions } from './batch.js';
export { encodeBody, countWrite, shiftWrite, newestTimestamp } from './encode.js';
export { WRITTEN_HEADERS, keptRecordedHeaders, requestHeaders } from './headers.js';
export { judge, parseRetryAfter, retryWait, dueWallMs } from './policy.js';
export type { Verdict } from './policy.js';
export { HttpClient, NoAnswer, MAX_MESSAGE_BYTES, invalidHeader } from './client.js';
export type { Answer, TlsFiles } from './client.js';
export { Sender, MAX_LISTED_REFUSALS } from './sender.js';
export type { PostClient, SendClock, SenderOptions, SendProgress } from './sender.js';
export { summaryLine, progressText, refusalText } from './report.js';
export type { SendConfig, Credentials } from './config.js';
export { sourceRequests, newestSampleTimestamp, spoolStdin } from './input.js';
export { runSend, sendAll, SendSink } from './run.js';
export type { RunResult } from './run.js';
export { SendConsumer } from './consumer.js';

