// send as a Consumer of the event pipeline (src/model/events.ts): each request event becomes a
// SourceRequest handed to a SendSink, whose promise is the consumer's backpressure; `end` waits
// for the last answer. Not used by the CLI yet (it reads its inputs with input.ts until the
// pipeline of issue 15 lands); written against the model's contract so that switching is one
// line where the command chooses its consumers.
//
// The decoded request is turned back into a WriteRequest by `materialize` (the wire layer's
// materializeRequest(req, catalog) once it exists) only when its body cannot go out as recorded;
// the counts are read from the columns. A lane with a tracker (replay --send) would send what
// survives the decision; this consumer sends every request as read (decision null, as `send`
// and `convert` run), and refuses to be given decisions rather than send deduplicated samples.
import type { Consumer, DecodedRequest, EndEvent, RequestEvent, RunStart, SeriesCatalog, WriteRequest } from '../model/index.js';
import type { SendSink } from './run.js';
import type { SendReport, SourceRequest } from './types.js';

type Materialize = (req: DecodedRequest, catalog: SeriesCatalog) => WriteRequest;

export class SendConsumer implements Consumer {
  private catalog: SeriesCatalog | null = null;
  private inputs: readonly string[] = [];
  /** The report, once `end` has run. */
  report: SendReport | null = null;

  constructor(
    private readonly sink: SendSink,
    private readonly materialize: Materialize,
    /** Whether an input's records are counted as records or lines (from its format); default: by protocol. */
    private readonly unitOf: (inputIndex: number, req: DecodedRequest) => 'record' | 'line' = (_i, req) => (req.protocol === null ? 'line' : 'record'),
  ) {}

  begin(ctx: RunStart): void {
    this.catalog = ctx.catalog;
    this.inputs = ctx.inputs;
  }

  request(ev: RequestEvent): Promise<void> | void {
    if (this.sink.stopping) return;
    if (ev.decision !== null) throw new Error('SendConsumer sends requests as read: it cannot be given a lane with a tracker');
    return this.sink.add(this.source(ev));
  }

  async end(_ev: EndEvent): Promise<void> {
    this.report = await this.sink.end();
  }

  /** The SourceRequest of a request event. */
  source(ev: RequestEvent): SourceRequest {
    const req = ev.request;
    const catalog = this.catalog;
    if (catalog === null) throw new Error('SendConsumer: request before begin');
    const materialize = this.materialize;
    let write: WriteRequest | null = null;
    const c = req.captured;
    const src: SourceRequest = {
      tenant: ev.tenant === '' ? null : ev.tenant,
      timeMs: ev.recordTimeMs,
      protocol: req.protocol,
      // materialised on first use: a body sent as recorded needs only the counts
      get write(): WriteRequest {
        return (write ??= materialize(req, catalog));
      },
      counts: { samples: req.timestamps.length, histograms: req.histograms.length, exemplars: req.exemplars.length },
      body: c === null ? null : { bytes: c.body, encoding: c.contentEncoding },
      headers: c?.headers ?? {},
      origin: { input: this.inputs[req.inputIndex] ?? String(req.inputIndex), unit: this.unitOf(req.inputIndex, req), first: req.recordIndex, last: req.recordIndex },
    };
    return src;
  }
}
