// The tracker's working state, held in memory (the store only persists it).
import type { Election, HAConfig, ReplicaDesc } from '../model/index.js';
import { NEVER_MS, type ClusterMemory } from './api.js';

/** One (tenant, cluster): the KV record and what a distributor keeps in memory about it. */
export interface Entry {
  tenant: string;
  cluster: string;
  /** The KV record; null when the KV holds no key for this cluster. */
  desc: ReplicaDesc | null;
  // Mimir's haClusterInfo (only meaningful while desc is live, i.e. desc.deletedAt === 0).
  electedLastSeenMs: number;
  nonElectedReplica: string;
  nonElectedLastSeenMs: number;
  nonElectedSampleTimeMs: number;
  memoryDirty: boolean;
}

export interface TenantState {
  tenant: string;
  cfg: HAConfig;
  clusters: Map<string, Entry>;
  /** Clusters whose record is live (not marked deleted): what max-clusters counts. */
  liveCount: number;
}

export const CLEANUP_PERIOD_MS = 30 * 60_000;
export const DELETION_TIMEOUT_MS = 30 * 60_000;

export function newEntry(tenant: string, cluster: string): Entry {
  return {
    tenant,
    cluster,
    desc: null,
    electedLastSeenMs: NEVER_MS,
    nonElectedReplica: '',
    nonElectedLastSeenMs: NEVER_MS,
    nonElectedSampleTimeMs: NEVER_MS,
    memoryDirty: false,
  };
}

/** Forget the distributor-memory part (what Mimir does when a record is marked deleted). */
export function resetMemory(e: Entry): void {
  e.electedLastSeenMs = NEVER_MS;
  e.nonElectedReplica = '';
  e.nonElectedLastSeenMs = NEVER_MS;
  e.nonElectedSampleTimeMs = NEVER_MS;
}

export function memoryOf(e: Entry): ClusterMemory {
  return {
    tenant: e.tenant,
    cluster: e.cluster,
    electedLastSeenMs: e.electedLastSeenMs,
    nonElectedReplica: e.nonElectedReplica,
    nonElectedLastSeenMs: e.nonElectedLastSeenMs,
    nonElectedSampleTimeMs: e.nonElectedSampleTimeMs,
  };
}

/** Result of asking the tracker about one (cluster, replica): accepted, deduped (elected set) or rejected. */
export const CHECK_ACCEPT = 0;
export const CHECK_DEDUPE = 1;
export const CHECK_REJECT = 2;
export type CheckCode = typeof CHECK_ACCEPT | typeof CHECK_DEDUPE | typeof CHECK_REJECT;

/** What a decision model needs from the tracker around it. */
export interface ModelContext {
  /** Record a KV write (the store buffers it). */
  writeRecord(ts: TenantState, e: Entry): void;
  /** Record an election. */
  elect(e: Election): void;
  /** Note that the memory part of an entry changed. */
  touchMemory(e: Entry): void;
  /** Get or create a tenant's cluster entry. */
  entry(ts: TenantState, cluster: string): Entry;
}
