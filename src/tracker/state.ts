// The tracker's working state, held in memory (the store only persists it).
import { NEVER_MS, type ClusterMemory, type HAConfig, type ReplicaDesc } from '../model/index.js';

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

