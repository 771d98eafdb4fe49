// One contract, every adapter: the memory map store, SQLite in a file, and SQLite in memory.
// "Reopen" means a new store over the same backing (memory) or the same file (SQLite): only
// committed writes may survive it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReplicaDesc } from '../../src/model/index.js';
import { NEVER_MS, type ClusterMemory } from '../../src/tracker/index.js';
import { newMemoryBacking, openMemoryStore, openSqliteStore, type StateStore } from '../../src/store/index.js';

interface Adapter {
  name: string;
  open(): StateStore;
  /** A new store over the same durable state; null when the adapter has none (in-memory SQLite). */
  reopen: (() => StateStore) | null;
  cleanup(): void;
}

function adapters(): Adapter[] {
  const backing = newMemoryBacking();
  const dir = mkdtempSync(join(tmpdir(), 'ha-dedup-store-'));
  const file = join(dir, 'state.db');
  return [
    { name: 'memory', open: () => openMemoryStore(backing), reopen: () => openMemoryStore(backing), cleanup: () => {} },
    { name: 'sqlite file', open: () => openSqliteStore({ path: file }), reopen: () => openSqliteStore({ path: file }), cleanup: () => rmSync(dir, { recursive: true, force: true }) },
    { name: 'sqlite in memory', open: () => openSqliteStore({}), reopen: null, cleanup: () => rmSync(dir, { recursive: true, force: true }) },
  ];
}

const rec = (tenant: string, cluster: string, replica: string, receivedAt: number, extra: Partial<ReplicaDesc> = {}): ReplicaDesc => ({
  tenant,
  cluster,
  replica,
  receivedAt,
  deletedAt: 0,
  electedAt: receivedAt,
  electedChanges: 0,
  ...extra,
});

const mem = (tenant: string, cluster: string, extra: Partial<ClusterMemory> = {}): ClusterMemory => ({
  tenant,
  cluster,
  electedLastSeenMs: NEVER_MS,
  nonElectedReplica: '',
  nonElectedLastSeenMs: NEVER_MS,
  nonElectedSampleTimeMs: NEVER_MS,
  ...extra,
});

type Case = [name: string, body: (a: Adapter) => void];

const cases: Case[] = [
  [
    'a new store is empty',
    (a) => {
      const s = a.open();
      assert.deepEqual(s.loadRecords(), []);
      assert.deepEqual(s.loadMemory(), []);
      assert.deepEqual(s.loadElections(), []);
      assert.deepEqual(s.metaEntries(), []);
      assert.equal(s.getMeta('x'), undefined);
      s.close();
    },
  ],
  [
    'committed writes survive a reopen, field for field',
    (a) => {
      const s = a.open();
      const r1 = rec('tenant-a', 'dev-pair', 'replica1', 1_700_000_000_123, { electedChanges: 3, electedAt: 1_699_999_999_000 });
      const r2 = rec('t/with:odd chars ☃', 'c/1', 'r é', 42, { deletedAt: 1_700_000_001_000 });
      s.putRecord(r1);
      s.putRecord(r2);
      const m1 = mem('tenant-a', 'dev-pair', { electedLastSeenMs: 1_700_000_000_500, nonElectedReplica: 'replica2', nonElectedLastSeenMs: 1_700_000_000_400, nonElectedSampleTimeMs: 1_700_000_000_001 });
      s.putMemory(m1);
      s.appendElection({ tenant: 'tenant-a', cluster: 'dev-pair', atMs: 5, from: null, to: 'replica1' });
      s.appendElection({ tenant: 'tenant-a', cluster: 'dev-pair', atMs: 9, from: 'replica1', to: 'replica2' });
      s.setMeta('clock', '1700000000123');
      s.setMeta('a', '');
      s.commit();
      s.close();
      const t = a.reopen ? a.reopen() : s;
      if (!a.reopen) return; // nothing durable to reopen
      assert.deepEqual(t.loadRecords(), [r1, r2].sort((x, y) => (x.tenant < y.tenant ? -1 : 1)));
      assert.deepEqual(t.loadMemory(), [m1]);
      assert.deepEqual(t.loadElections(), [
        { tenant: 'tenant-a', cluster: 'dev-pair', atMs: 5, from: null, to: 'replica1' },
        { tenant: 'tenant-a', cluster: 'dev-pair', atMs: 9, from: 'replica1', to: 'replica2' },
      ]);
      assert.equal(t.getMeta('clock'), '1700000000123');
      assert.equal(t.getMeta('a'), '');
      assert.deepEqual(t.metaEntries(), [
        ['a', ''],
        ['clock', '1700000000123'],
      ]);
      t.close();
    },
  ],
  [
    'uncommitted writes are visible to the same store but lost on reopen',
    (a) => {
      const s = a.open();
      s.putRecord(rec('t', 'c', 'r1', 1));
      s.setMeta('k', 'v1');
      s.commit();
      s.putRecord(rec('t', 'c', 'r2', 2));
      s.putRecord(rec('t', 'd', 'r1', 3));
      s.appendElection({ tenant: 't', cluster: 'c', atMs: 2, from: 'r1', to: 'r2' });
      s.setMeta('k', 'v2');
      assert.deepEqual(s.loadRecords().map((r) => r.replica), ['r2', 'r1']);
      assert.equal(s.getMeta('k'), 'v2');
      assert.equal(s.loadElections().length, 1);
      s.close();
      if (!a.reopen) return;
      const t = a.reopen();
      assert.deepEqual(t.loadRecords(), [rec('t', 'c', 'r1', 1)]);
      assert.equal(t.getMeta('k'), 'v1');
      assert.deepEqual(t.loadElections(), []);
      t.close();
    },
  ],
  [
    'the latest write of a key wins within a batch; deletes apply in order',
    (a) => {
      const s = a.open();
      s.putRecord(rec('t', 'a', 'r1', 1));
      s.putRecord(rec('t', 'b', 'r1', 1));
      s.putMemory(mem('t', 'a', { electedLastSeenMs: 1 }));
      s.commit();
      s.putRecord(rec('t', 'a', 'r2', 2));
      s.putRecord(rec('t', 'a', 'r3', 3));
      s.deleteRecord('t', 'b');
      s.putRecord(rec('t', 'c', 'r1', 1));
      s.deleteRecord('t', 'c');
      s.deleteMemory('t', 'a');
      s.putMemory(mem('t', 'a', { electedLastSeenMs: 7 }));
      s.commit();
      const check = (x: StateStore) => {
        assert.deepEqual(x.loadRecords(), [rec('t', 'a', 'r3', 3)]);
        assert.deepEqual(x.loadMemory(), [mem('t', 'a', { electedLastSeenMs: 7 })]);
      };
      check(s);
      s.close();
      if (a.reopen) {
        const t = a.reopen();
        check(t);
        t.close();
      }
    },
  ],
  [
    'commit writes the value at commit time, and later changes to the object do not leak in',
    (a) => {
      const s = a.open();
      const r = rec('t', 'c', 'r1', 1);
      s.putRecord(r);
      r.receivedAt = 2; // the tracker keeps mutating its record until the commit
      s.commit();
      r.receivedAt = 3; // after the commit: not written
      assert.equal(s.loadRecords()[0].receivedAt, 2);
      s.close();
      if (a.reopen) {
        const t = a.reopen();
        assert.equal(t.loadRecords()[0].receivedAt, 2);
        t.close();
      }
    },
  ],
  [
    'elections keep their order across commits',
    (a) => {
      const s = a.open();
      const all = [];
      for (let i = 0; i < 25; i++) {
        const e = { tenant: `t${i % 3}`, cluster: 'c', atMs: 1000 - i, from: i === 0 ? null : `r${i - 1}`, to: `r${i}` };
        all.push(e);
        s.appendElection(e);
        if (i % 4 === 0) s.commit();
      }
      s.commit();
      assert.deepEqual(s.loadElections(), all);
      s.close();
      if (a.reopen) {
        const t = a.reopen();
        assert.deepEqual(t.loadElections(), all);
        t.close();
      }
    },
  ],
  [
    'reset clears records, memory, elections and meta for good',
    (a) => {
      const s = a.open();
      s.putRecord(rec('t', 'c', 'r1', 1));
      s.putMemory(mem('t', 'c'));
      s.appendElection({ tenant: 't', cluster: 'c', atMs: 1, from: null, to: 'r1' });
      s.setMeta('k', 'v');
      s.commit();
      s.setMeta('pending', 'x');
      s.reset();
      const empty = (x: StateStore) => {
        assert.deepEqual(x.loadRecords(), []);
        assert.deepEqual(x.loadMemory(), []);
        assert.deepEqual(x.loadElections(), []);
        assert.deepEqual(x.metaEntries(), []);
      };
      empty(s);
      s.close();
      if (a.reopen) {
        const t = a.reopen();
        empty(t);
        t.close();
      }
    },
  ],
  [
    'records come back sorted by tenant then cluster',
    (a) => {
      const s = a.open();
      for (const [t, c] of [['b', 'x'], ['a', 'z'], ['a', 'b'], ['c', 'a']]) s.putRecord(rec(t, c, 'r', 1));
      s.commit();
      assert.deepEqual(s.loadRecords().map((r) => `${r.tenant}/${r.cluster}`), ['a/b', 'a/z', 'b/x', 'c/a']);
      s.close();
    },
  ],
];

for (const [name, body] of cases) {
  test(`store contract: ${name}`, async (t) => {
    for (const a of adapters()) {
      await t.test(a.name, () => {
        try {
          body(a);
        } finally {
          a.cleanup();
        }
      });
    }
  });
}
