// One contract, every adapter, through the store port (src/store/port.ts) the pipeline uses: the
// memory map store, SQLite in a file, SQLite in memory, and a network-KV-style adapter whose
// every call answers with a promise (kv-adapter.ts: what an etcd adapter would look like). Every
// call is awaited, as the pipeline does when an answer is a promise.
// "Reopen" means a new store over the same backing (memory, KV server) or the same file
// (SQLite): only committed writes may survive it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Election, ReplicaDesc, StateOp, StateSnapshot } from '../../src/model/index.js';
import { NEVER_MS, type ClusterMemory } from '../../src/tracker/index.js';
import { newMemoryBacking, openMemoryStore, openSqliteStore, type StatePort } from '../../src/store/index.js';
import { newKvServer, openKvStore } from './kv-adapter.js';

interface Adapter {
  name: string;
  open(): StatePort;
  /** A new store over the same durable state; null when the adapter has none (in-memory SQLite). */
  reopen: (() => StatePort) | null;
  cleanup(): void;
}

function adapters(): Adapter[] {
  const backing = newMemoryBacking();
  const server = newKvServer();
  const dir = mkdtempSync(join(tmpdir(), 'ha-dedup-store-'));
  const file = join(dir, 'state.db');
  return [
    { name: 'memory', open: () => openMemoryStore(backing), reopen: () => openMemoryStore(backing), cleanup: () => {} },
    { name: 'sqlite file', open: () => openSqliteStore({ path: file }), reopen: () => openSqliteStore({ path: file }), cleanup: () => rmSync(dir, { recursive: true, force: true }) },
    { name: 'sqlite in memory', open: () => openSqliteStore({}), reopen: null, cleanup: () => rmSync(dir, { recursive: true, force: true }) },
    { name: 'async kv', open: () => openKvStore(server), reopen: () => openKvStore(server), cleanup: () => {} },
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

// The ops, by name.
const putRecord = (record: ReplicaDesc): StateOp => ({ op: 'put-record', record });
const deleteRecord = (tenant: string, cluster: string): StateOp => ({ op: 'delete-record', tenant, cluster });
const putMemory = (memory: ClusterMemory): StateOp => ({ op: 'put-memory', memory });
const deleteMemory = (tenant: string, cluster: string): StateOp => ({ op: 'delete-memory', tenant, cluster });
const appendElection = (election: Election): StateOp => ({ op: 'append-election', election });
const setMeta = (key: string, value: string): StateOp => ({ op: 'set-meta', key, value });

const getMeta = (s: StateSnapshot, key: string) => s.meta.find(([k]) => k === key)?.[1];

type Case = [name: string, body: (a: Adapter) => Promise<void>];

const cases: Case[] = [
  [
    'a new store is empty',
    async (a) => {
      const s = a.open();
      const snap = await s.load();
      assert.deepEqual(snap, { records: [], memory: [], elections: [], meta: [] });
      assert.equal(getMeta(snap, 'x'), undefined);
      await s.close();
    },
  ],
  [
    'committed writes survive a reopen, field for field',
    async (a) => {
      const s = a.open();
      const r1 = rec('tenant-a', 'dev-pair', 'replica1', 1_700_000_000_123, { electedChanges: 3, electedAt: 1_699_999_999_000 });
      const r2 = rec('t/with:odd chars ☃', 'c/1', 'r é', 42, { deletedAt: 1_700_000_001_000 });
      const m1 = mem('tenant-a', 'dev-pair', { electedLastSeenMs: 1_700_000_000_500, nonElectedReplica: 'replica2', nonElectedLastSeenMs: 1_700_000_000_400, nonElectedSampleTimeMs: 1_700_000_000_001 });
      await s.write([putRecord(r1), putRecord(r2), putMemory(m1)]);
      await s.write([
        appendElection({ tenant: 'tenant-a', cluster: 'dev-pair', atMs: 5, from: null, to: 'replica1' }),
        appendElection({ tenant: 'tenant-a', cluster: 'dev-pair', atMs: 9, from: 'replica1', to: 'replica2' }),
      ]);
      await s.write([setMeta('clock', '1700000000123'), setMeta('a', '')]);
      await s.commit();
      await s.close();
      if (!a.reopen) return; // nothing durable to reopen
      const t = a.reopen();
      const snap = await t.load();
      assert.deepEqual(snap.records, [r1, r2].sort((x, y) => (x.tenant < y.tenant ? -1 : 1)));
      assert.deepEqual(snap.memory, [m1]);
      assert.deepEqual(snap.elections, [
        { tenant: 'tenant-a', cluster: 'dev-pair', atMs: 5, from: null, to: 'replica1' },
        { tenant: 'tenant-a', cluster: 'dev-pair', atMs: 9, from: 'replica1', to: 'replica2' },
      ]);
      assert.equal(getMeta(snap, 'clock'), '1700000000123');
      assert.equal(getMeta(snap, 'a'), '');
      assert.deepEqual(snap.meta, [
        ['a', ''],
        ['clock', '1700000000123'],
      ]);
      await t.close();
    },
  ],
  [
    'uncommitted writes are visible to the same store but lost on reopen',
    async (a) => {
      const s = a.open();
      await s.write([putRecord(rec('t', 'c', 'r1', 1)), setMeta('k', 'v1')]);
      await s.commit();
      await s.write([putRecord(rec('t', 'c', 'r2', 2)), putRecord(rec('t', 'd', 'r1', 3))]);
      await s.write([appendElection({ tenant: 't', cluster: 'c', atMs: 2, from: 'r1', to: 'r2' }), setMeta('k', 'v2')]);
      const snap = await s.load();
      assert.deepEqual(snap.records.map((r) => r.replica), ['r2', 'r1']);
      assert.equal(getMeta(snap, 'k'), 'v2');
      assert.equal(snap.elections.length, 1);
      await s.close();
      if (!a.reopen) return;
      const t = a.reopen();
      const after = await t.load();
      assert.deepEqual(after.records, [rec('t', 'c', 'r1', 1)]);
      assert.equal(getMeta(after, 'k'), 'v1');
      assert.deepEqual(after.elections, []);
      await t.close();
    },
  ],
  [
    'the latest write of a key wins within a batch; deletes apply in order',
    async (a) => {
      const s = a.open();
      await s.write([putRecord(rec('t', 'a', 'r1', 1)), putRecord(rec('t', 'b', 'r1', 1)), putMemory(mem('t', 'a', { electedLastSeenMs: 1 }))]);
      await s.commit();
      await s.write([putRecord(rec('t', 'a', 'r2', 2)), putRecord(rec('t', 'a', 'r3', 3)), deleteRecord('t', 'b')]);
      await s.write([putRecord(rec('t', 'c', 'r1', 1)), deleteRecord('t', 'c'), deleteMemory('t', 'a'), putMemory(mem('t', 'a', { electedLastSeenMs: 7 }))]);
      await s.commit();
      const check = async (x: StatePort) => {
        const snap = await x.load();
        assert.deepEqual(snap.records, [rec('t', 'a', 'r3', 3)]);
        assert.deepEqual(snap.memory, [mem('t', 'a', { electedLastSeenMs: 7 })]);
      };
      await check(s);
      await s.close();
      if (a.reopen) {
        const t = a.reopen();
        await check(t);
        await t.close();
      }
    },
  ],
  [
    'commit writes the value at commit time, and later changes to the object do not leak in',
    async (a) => {
      const s = a.open();
      const r = rec('t', 'c', 'r1', 1);
      const ops = [putRecord(r)];
      await s.write(ops);
      ops.length = 0; // the caller reuses its array: the store took what it needed
      r.receivedAt = 2; // the tracker keeps mutating its record until the commit
      await s.commit();
      r.receivedAt = 3; // after the commit: not written
      assert.equal((await s.load()).records[0]!.receivedAt, 2);
      await s.close();
      if (a.reopen) {
        const t = a.reopen();
        assert.equal((await t.load()).records[0]!.receivedAt, 2);
        await t.close();
      }
    },
  ],
  [
    'elections keep their order across commits',
    async (a) => {
      const s = a.open();
      const all = [];
      for (let i = 0; i < 25; i++) {
        const e = { tenant: `t${i % 3}`, cluster: 'c', atMs: 1000 - i, from: i === 0 ? null : `r${i - 1}`, to: `r${i}` };
        all.push(e);
        await s.write([appendElection(e)]);
        if (i % 4 === 0) await s.commit();
      }
      await s.commit();
      assert.deepEqual((await s.load()).elections, all);
      await s.close();
      if (a.reopen) {
        const t = a.reopen();
        assert.deepEqual((await t.load()).elections, all);
        await t.close();
      }
    },
  ],
  [
    'reset clears records, memory, elections and meta for good',
    async (a) => {
      const s = a.open();
      await s.write([putRecord(rec('t', 'c', 'r1', 1)), putMemory(mem('t', 'c')), appendElection({ tenant: 't', cluster: 'c', atMs: 1, from: null, to: 'r1' }), setMeta('k', 'v')]);
      await s.commit();
      await s.write([setMeta('pending', 'x')]);
      await s.reset();
      const empty = async (x: StatePort) => assert.deepEqual(await x.load(), { records: [], memory: [], elections: [], meta: [] });
      await empty(s);
      await s.close();
      if (a.reopen) {
        const t = a.reopen();
        await empty(t);
        await t.close();
      }
    },
  ],
  [
    'records come back sorted by tenant then cluster',
    async (a) => {
      const s = a.open();
      await s.write([['b', 'x'], ['a', 'z'], ['a', 'b'], ['c', 'a']].map(([t, c]) => putRecord(rec(t!, c!, 'r', 1))));
      await s.commit();
      assert.deepEqual((await s.load()).records.map((r) => `${r.tenant}/${r.cluster}`), ['a/b', 'a/z', 'b/x', 'c/a']);
      await s.close();
    },
  ],
  [
    'a commit with nothing written is harmless, and a second store sees only what was committed',
    async (a) => {
      const s = a.open();
      await s.commit();
      await s.write([putRecord(rec('t', 'c', 'r1', 1))]);
      await s.commit();
      await s.commit();
      assert.deepEqual((await s.load()).records, [rec('t', 'c', 'r1', 1)]);
      await s.close();
      if (a.reopen) {
        const t = a.reopen();
        assert.deepEqual((await t.load()).records, [rec('t', 'c', 'r1', 1)]);
        await t.close();
      }
    },
  ],
];

for (const [name, body] of cases) {
  test(`store contract: ${name}`, async (t) => {
    for (const a of adapters()) {
      await t.test(a.name, async () => {
        try {
          await body(a);
        } finally {
          a.cleanup();
        }
      });
    }
  });
}

test('the synchronous adapters answer the port at once; the KV adapter answers every call with a promise', async () => {
  for (const a of adapters()) {
    try {
      const s = a.open();
      let promises = 0;
      for (const call of [() => s.load(), () => s.write([setMeta('k', 'v')]), () => s.commit(), () => s.close()]) {
        const answer = call();
        if (answer instanceof Promise) promises++;
        await answer; // one call at a time, as the pipeline makes them
      }
      assert.equal(promises, a.name === 'async kv' ? 4 : 0, a.name);
    } finally {
      a.cleanup();
    }
  }
});
