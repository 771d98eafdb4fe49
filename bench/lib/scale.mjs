// A report scaled to k times its clusters and elections (issue 18.2: does the human table grow
// linearly in rows?). k < 1: a prefix; k > 1: copies of the clusters under new cluster names
// ("<name>~2", ...), elections repeated. Pure: the bench times renderers on its results.

/** The report with round(k × n) clusters and elections. */
export function scaleReport(report, k) {
  const scale = (xs, rename) => {
    const n = Math.round(xs.length * k);
    const out = new Array(n);
    for (let i = 0; i < n; i++) {
      const x = xs[i % xs.length];
      const copy = Math.floor(i / xs.length);
      out[i] = copy === 0 ? x : rename(x, copy + 1);
    }
    return out;
  };
  return {
    ...report,
    clusters: scale(report.clusters, (c, j) => ({ ...c, cluster: `${c.cluster}~${j}` })),
    elections: scale(report.elections, (e, j) => ({ ...e, cluster: `${e.cluster}~${j}` })),
  };
}

/** Rows of the human report's two big tables: a row per (cluster, replica) and per election. */
export function tableRows(report) {
  let n = report.elections.length;
  for (const c of report.clusters) n += Math.max(1, c.replicas.length);
  return n;
}

/**
 * Linearity from [{ k, rows, ms }] (ascending k): per-row time of the largest over the
 * smallest, and whether it is within `limit` (1.5: allowing the machine's noise; a quadratic
 * renderer gives k_max / k_min, 8 for 0.25..2).
 */
export function linearity(points, limit = 1.5) {
  const first = points[0];
  const last = points[points.length - 1];
  const growth = last.ms / last.rows / (first.ms / first.rows);
  return { growth, limit, ok: growth <= limit };
}
