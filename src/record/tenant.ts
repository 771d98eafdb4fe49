// Where a recorded request's tenant comes from: the X-Scope-OrgID header; else, when a
// --tenant-from-path pattern is given and the request path matches it, the path segment in
// place of `{tenant}`; else the --tenant fallback; else "" (replay then applies its own --tenant).
import { usageError } from '../model/index.js';

export type TenantSource = 'header' | 'path' | 'fallback' | 'none';

export interface TenantResolver {
  resolve(orgIdHeader: string | undefined, path: string): { tenant: string; source: TenantSource };
}

/**
 * Compile a --tenant-from-path pattern such as `/tenants/{tenant}/api/v1/push`. The pattern is
 * matched against the whole request path (query string excluded); `{tenant}` stands for exactly
 * one non-empty path segment and must appear exactly once; `*` stands for any one segment.
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
        .join('([^/]+)');
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
          if (t !== '') return { tenant: t, source: 'path' };
        }
      }
      if (fallback !== '') return { tenant: fallback, source: 'fallback' };
      return { tenant: '', source: 'none' };
    },
  };
}
