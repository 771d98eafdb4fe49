// `ha-dedup send`: post the requests of any input to a remote-write receiver (issue 17, SPEC 12).
export type { SourceRequest, Post, Counts, Origin, RecordedBody, Refusal, SendReport } from './types.js';
export { Batcher, DEFAULT_MAX_SAMPLES_PER_SEND, BATCH_DEADLINE_MS } from './batch.js';
export type { BatchOptions } from './batch.js';
export { encodeBody, countWrite, shiftWrite, newestTimestamp } from './encode.js';
export { CONTENT_TYPE, REMOTE_WRITE_VERSION, WRITTEN_HEADERS, keptRecordedHeaders, requestHeaders } from './headers.js';
export { judge, parseRetryAfter, retryWait, parsePace, dueWallMs } from './policy.js';
export type { Verdict } from './policy.js';
export { HttpClient, NoAnswer, MAX_MESSAGE_BYTES, MAX_HEADER_BYTES, invalidHeader } from './client.js';
export type { Answer, ClientOptions, TlsFiles } from './client.js';
export { Sender, WALL_CLOCK, MAX_LISTED_REFUSALS } from './sender.js';
export type { PostClient, SendClock, SenderOptions, SendProgress } from './sender.js';
export { summaryLine, progressText, refusalText, originText, refusedByStatusText } from './report.js';
export type { SendConfig, Credentials } from './config.js';
export { sourceRequests, newestSampleTimestamp, spoolStdin } from './input.js';
export { runSend, sendAll, SendSink } from './run.js';
export type { RunHooks, RunResult } from './run.js';
export { SendConsumer } from './consumer.js';
export type { Materialize } from './consumer.js';
