// `ha-dedup inspect [INPUT...]`: what a capture holds, as a table (stdout) or --json (version 1,
// keys sorted). Bad records are warned about on stderr as they are met.
import type { Command } from 'commander';
import { stableJson, usageError } from '../../model/index.js';
import { BadRecordWarnings, checkInputs, openInput, parseByteSize, parseInputFormat } from '../../pipeline/inputs.js';
import { CaptureSummary, type InspectReport } from '../../wire/summary.js';
import { DEFAULT_MAX_DECODED_SIZE } from '../../wire/snappy.js';
import { fitGrid, type Grid } from '../../report/grid.js';
import { dur, printable, utc } from '../../report/format.js';
import { STDIN_HINT, readsTerminalStdin, terminalWidth } from '../tty.js';
import { processIo, type CliIo } from '../io.js';

interface InspectOptions {
  format: string;
  tenant: string;
  strict?: boolean;
  maxDecodedSize: string;
  clusterLabel: string;
  replicaLabel: string;
  json?: boolean;
}

const n = (x: number) => x.toLocaleString('en-US');

function span(a: number | null, b: number | null): string {
  if (a === null || b === null) return '-';
  return `${utc(a)} → ${utc(b)} (${dur(b - a)})`;
}

/**
 * The two tables of `inspect`: the summary, and one row per (tenant, cluster, replica). `width`:
 * the terminal's, when on one (narrower forms where a table does not fit); absent, full tables.
 */
export function renderInspectTable(r: InspectReport, width?: number): string {
  const t = r.totals;
  const summary: Grid = {
    rows: [
      ['inputs', r.inputs.map((i) => `${printable(i.path)} (${i.format ?? 'unreadable'}, ${n(i.records)} records, ${n(i.bad_records)} bad)`).join('\n')],
      ['tenants', String(r.tenants.length)],
      ['clusters', String(r.tenants.reduce((a, x) => a + x.clusters.length, 0))],
      ['replicas', String(r.tenants.reduce((a, x) => a + x.clusters.reduce((b, c) => b + c.replicas.length, 0), 0))],
      ['sample time span', span(r.time_span.first_sample_ms, r.time_span.last_sample_ms)],
      ['receive time span', span(r.time_span.first_received_ms, r.time_span.last_received_ms)],
      ['requests', n(t.requests)],
      ['series', n(t.series)],
      ['samples', n(t.samples)],
      ['histograms', n(t.histograms)],
      ['exemplars', n(t.exemplars)],
      ['metadata entries', n(t.metadata)],
      ['bytes on the wire', n(t.bytes_wire)],
      ['bytes decoded', n(t.bytes_decoded)],
      ['bad records', n(t.bad_records)],
    ],
  };
  const rows: string[][] = [];
  for (const tenant of r.tenants) {
    const tn = printable(tenant.tenant);
    for (const c of tenant.clusters) {
      const cn = printable(c.cluster);
      for (const rep of c.replicas) {
        rows.push([tn, cn, printable(rep.replica), n(rep.requests), n(rep.series), n(rep.samples), n(rep.histograms), utc(rep.first_sample_ms), utc(rep.last_sample_ms)]);
      }
    }
    if (tenant.non_ha_samples > 0 || tenant.clusters.length === 0) {
      rows.push([tn, '(non-HA)', '', '', '', n(tenant.non_ha_samples), '', '', '']);
    }
  }
  const replicas: Grid = {
    head: ['tenant', 'cluster', 'replica', 'requests', 'series', 'samples', 'histograms', 'first sample (UTC)', 'last sample (UTC)'],
    rows,
  };
  return fitGrid(summary, width, { titleColumns: 1 }) + '\n' + fitGrid(replicas, width, { titleColumns: 3 }) + '\n';
}

export async function runInspect(inputs: string[], o: InspectOptions, io: CliIo = processIo()): Promise<InspectReport> {
  const format = parseInputFormat(o.format);
  if (format === undefined) throw usageError(`--format: "${o.format}" is not one of auto, rwcap, rwcap-json, remote-write, remote-write2, ndjson, vm-json`);
  const maxDecodedSize = parseByteSize(o.maxDecodedSize);
  if (maxDecodedSize === undefined) throw usageError(`--max-decoded-size: "${o.maxDecodedSize}" is not a size (e.g. 67108864, 64MiB)`);
  if (o.clusterLabel === '' || o.replicaLabel === '') throw usageError('--cluster-label and --replica-label must not be empty');
  const paths = inputs.length === 0 ? ['-'] : inputs;
  checkInputs(paths);
  if (readsTerminalStdin(paths, io.stdin)) io.stderr.write(STDIN_HINT + '\n');
  const summary = new CaptureSummary({ defaultTenant: o.tenant, clusterLabel: o.clusterLabel, replicaLabel: o.replicaLabel });
  const warnings = new BadRecordWarnings((line) => io.stderr.write(printable(line) + '\n'));
  for (let i = 0; i < paths.length; i++) {
    const idx = summary.addInput(paths[i]!);
    const it = openInput(paths[i]!, i, {
      format,
      maxDecodedSize,
      strict: o.strict === true,
      stdin: io.stdin,
      onBadRecord: (bad) => {
        warnings.bad(bad);
        summary.addBad(idx, bad);
      },
      onFormat: (f) => summary.setFormat(idx, f),
      onSizes: (_req, wire, decoded) => summary.addSizes(wire, decoded),
    });
    for await (const req of it) summary.add(req);
  }
  warnings.finish();
  return summary.toJSON();
}

export function register(program: Command, io: CliIo): void {
  program
    .command('inspect')
    .description('show what a capture holds: tenants, clusters, replicas, time span, requests, series, samples, bytes, bad records')
    .argument('[INPUT...]', 'input files; none or "-" reads stdin')
    .option('--format <format>', 'auto, rwcap, rwcap-json, remote-write, remote-write2, ndjson, vm-json', 'auto')
    .option('--tenant <tenant>', 'tenant for records that carry none', 'anonymous')
    .option('--cluster-label <name>', 'HA cluster label', 'cluster')
    .option('--replica-label <name>', 'HA replica label', '__replica__')
    .option('--max-decoded-size <bytes>', 'largest decoded body accepted (e.g. 64MiB)', String(DEFAULT_MAX_DECODED_SIZE))
    .option('--strict', 'stop at the first bad record (exit 3)')
    .option('--json', 'JSON output (version 1, keys sorted)')
    .action(async (inputs: string[], o: InspectOptions) => {
      const report = await runInspect(inputs, o, io);
      const text = o.json ? stableJson(report) : renderInspectTable(report, terminalWidth(io.stdout, io.env));
      await new Promise<void>((resolve, reject) => io.stdout.write(text, (e) => (e ? reject(e) : resolve())));
    });
}
