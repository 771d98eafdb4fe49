// Memory is bounded by --concurrency times the request size: the input is read only as fast as
// requests are dispatched, so however long the input, at most `concurrency` posts are in
// flight and at most one more request has been read ahead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sendAll, type SourceRequest } from '../../src/send/index.js';
import { parseSendOptions, SEND_DEFAULTS } from '../../src/cli/sendoptions.js';
import { FakeClient, FakeClock, OK, sampleSource, series } from './helpers.js';
import { encodeWriteRequest } from '../../src/wire/prompb.js';
import { snappyCompress } from '../../src/wire/snappy.js';

const creds = { authorization: null, secrets: [], tls: { insecureSkipVerify: false } };

function cfg(concurrency: number) {
  return parseSendOptions({ url: 'http://127.0.0.1:1/', format: 'auto', maxDecodedSize: '64MiB', ...SEND_DEFAULTS, concurrency: String(concurrency) });
}

for (const concurrency of [1, 4]) {
  test(`--concurrency ${concurrency}: the input is read no further ahead than the requests in flight`, async () => {
    const clock = new FakeClock();
    const client = new FakeClient(() => OK, clock, true);
    let read = 0;
    let maxAhead = 0;
    const write = { timeseries: [series('up', [1, 2, 3])], metadata: [] };
    const body = snappyCompress(encodeWriteRequest(write));
    async function* source(): AsyncGenerator<SourceRequest> {
      for (let i = 0; i < 2000; i++) {
        read++;
        maxAhead = Math.max(maxAhead, read - client.calls.length);
        yield { ...sampleSource(write), protocol: 'rw1', body: { bytes: body, encoding: 'snappy' }, origin: { input: 'big.rwcap', unit: 'record', first: i, last: i } };
      }
    }
    // answer whatever is in flight, round after round, until the run ends
    let done = false;
    const answering = (async () => {
      while (!done) {
        await new Promise((r) => setImmediate(r));
        assert.ok(client.inFlight <= concurrency, `${client.inFlight} in flight`);
        client.release();
      }
    })();
    const { report } = await sendAll(source(), cfg(concurrency), creds, { userAgent: 't', onBadRecord() {}, client, clock }, 0);
    done = true;
    await answering;
    assert.equal(report.acknowledged_requests, 2000);
    assert.equal(client.maxInFlight, concurrency);
    assert.ok(maxAhead <= concurrency + 1, `read ${maxAhead} requests ahead of the ones sent`);
  });
}
