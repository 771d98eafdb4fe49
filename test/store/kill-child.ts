// Child process of crash.test.ts: replays the synthetic stream into a SQLite file through the
// tracker, committing every few requests, and says so on stdout, until it is killed.
import { createTracker, defaultHAConfig, tenantConfigs } from '../../src/tracker/index.js';
import { openStore } from '../../src/store/index.js';
import { createPrng } from '../../src/clock/prng.js';
import type { Semantics } from '../../src/model/index.js';
import { synthRequest } from './synthetic.js';

const [file, semantics] = process.argv.slice(2) as [string, Semantics];
const store = openStore({ path: file });
const tracker = createTracker({ semantics, configs: tenantConfigs(defaultHAConfig()), store, random: createPrng(7), commitEvery: 7 });
let i = Number(store.getMeta('test.next') ?? '0');
let commits = 0;
for (;;) {
  const r = synthRequest(i);
  store.setMeta('test.next', String(i + 1)); // committed together with request i's decision
  tracker.advance(r.now);
  tracker.decide(r.tenant, r.write, r.now);
  tracker.drainElections();
  i++;
  if (i % 7 === 0) {
    commits++;
    if (commits % 50 === 0) process.stdout.write(`committed ${i}\n`);
  }
}
