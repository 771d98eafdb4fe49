// Where a recorded request's tenant comes from: the X-Scope-OrgID header; else, when a
// --tenant-from-path pattern is given and the request path matches it, the path segment in
// place of `{tenant}`; else the --tenant fallback; else "" (replay then applies its own --tenant).
// A tenant taken from the path must be one Cortex and Mimir accept (validTenantId); the server
// answers 400 with the reason otherwise.
import { usageError } from '../model/index.js';

type TenantSource = 'header' | 'path' | 'fallback' | 'none';

interface TenantResolution {
  tenant: string;
  source: TenantSource;
  /** Set when the tenant came from the path and Cortex/Mimir would refuse it: why. */
  invalid?: string;
}

export interface TenantResolver {
  resolve(orgIdHeader: string | undefined, path: string): TenantResolution;
}

/** Longest tenant id Cortex and Mimir accept, in bytes (dskit tenant.MaxTenantIDLength). */
const MAX_TENANT_ID_BYTES = 150;

/** Bytes allowed in a tenant id besides letters and digits (dskit tenant.ValidTenantID). */
const TENANT_SPECIALS = "!-_.*'()";

function allowedByte(b: number): boolean {
  if (b > 0x7f) return false;
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || TENANT_SPECIALS.includes(String.fromCharCode(b));
}

function showChar(ch: string): string {
  const c = ch.codePointAt(0)!;
  if (c < 0x20 || c === 0x7f) return `'\\x${c.toString(16).padStart(2, '0')}' (a control character)`;
  return `'${ch}'`;
}

/**
 * Why Cortex or Mimir would refuse `id` as a tenant, or null when they accept it. The rules of
 * their shared validation (grafana/dskit tenant.ValidTenantID, as Cortex's pkg/tenant): not
 * empty (the auth middleware answers "no org id"); only the bytes a-z A-Z 0-9 ! - _ . * ' ( );
 * at most 150 bytes; not "." or "..". So "/", control characters, spaces, non-ASCII, "|" (their
 * separator of several tenants) and ":" (Mimir's subtenant separator) are all refused.
 */
export function validTenantId(id: string): string | null {
  if (id === '') return 'the tenant id is empty (Cortex/Mimir answer "no org id")';
  for (const ch of id) {
    // a character outside ASCII is several bytes, none of them allowed
    if (ch.length !== 1 || !allowedByte(ch.charCodeAt(0))) {
      return `contains unsupported character ${showChar(ch)} (allowed: a-z A-Z 0-9 and ${TENANT_SPECIALS.split('').join(' ')})`;
    }
  }
  const bytes = Buffer.byteLength(id, 'utf8');
  if (bytes > MAX_TENANT_ID_BYTES) return `it is ${bytes} bytes long; the limit is ${MAX_TENANT_ID_BYTES}`;
  if (id === '.' || id === '..') return `"${id}" is not allowed (an unsafe path segment)`;
  return null;
}

/**
 * Compile a --tenant-from-path pattern such as `/tenants/{tenant}/api/v1/push`. The pattern is
 * matched against the whole request path (query string excluded); `{tenant}` stands for exactly
 * one path segment (an empty one matches too, and is then refused as a tenant) and must appear
 * exactly once; `*` stands for any one non-empty segment.
 */
export function compileTenantPattern(pattern: string): RegExp {
  if (!pattern.startsWith('/')) throw usageError(`--tenant-from-path: pattern "${pattern}" must start with "/"`);
  const count = pattern.split('{tenant}').length - 1;
  if (count !== 1) throw usageError(`--tenant-from-path: pattern "${pattern}" must contain {tenant} exactly once`);
  const segments = pattern.split('/');
  const re = segments
    .map((seg) => {
      if (seg === '*') return '[^/]+';
      return seg
        .split('{tenant}')
        .map((lit) => lit.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('([^/]*)');
    })
    .join('/');
  return new RegExp(`^${re}$`);
}

export function createTenantResolver(opts: { fallback?: string | undefined; pathPattern?: string | undefined }): TenantResolver {
  const re = opts.pathPattern !== undefined ? compileTenantPattern(opts.pathPattern) : undefined;
  const fallback = opts.fallback ?? '';
  return {
    resolve(orgIdHeader, path) {
      if (orgIdHeader !== undefined && orgIdHeader.trim() !== '') return { tenant: orgIdHeader.trim(), source: 'header' };
      if (re) {
        const q = path.indexOf('?');
        const m = re.exec(q < 0 ? path : path.slice(0, q));
        if (m) {
          let t = m[1]!;
          try {
            t = decodeURIComponent(t);
          } catch {
            // keep the raw segment when it is not valid percent-encoding
          }
          const invalid = validTenantId(t);
          return invalid === null ? { tenant: t, source: 'path' } : { tenant: t, source: 'path', invalid };
        }
      }
      if (fallback !== '') return { tenant: fallback, source: 'fallback' };
      return { tenant: '', source: 'none' };
    },
  };
}
