// `ha-dedup replay --help` pinned: option names are part of the contract (SPEC 3). If this
// changes on purpose, update the snapshot below and the README's usage block. Without a
// terminal help is wrapped at 80 columns, as commander does (issue 14.1: replay's was not
// wrapped at all, its option names being long), and it lists what --expect accepts (14.6).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXPECT_KEYS } from '../../src/report/expect.js';
import { runCli } from './run.js';


const EXPECTED = `Usage: ha-dedup replay [options] [INPUT...]

replay captured remote-write traffic through the HA tracker: deduplicated
samples plus a report

Arguments:
  INPUT                                   capture files (rwcap, rwcap-json,
                                          remote-write, ndjson, vm-json; gzip
                                          ok); none or - reads stdin

Options:
  --format <format>                       input format: auto, rwcap, rwcap-json,
                                          remote-write, remote-write2, ndjson,
                                          vm-json (default: "auto")
  --tenant <id>                           tenant for records that carry none
                                          (default: "anonymous")
  --clock <source>                        source of "now": received or sample
                                          (default: received if the input
                                          carries receive times, else sample)
  --delay <duration>                      added to sample-derived now (send lag)
                                          (default: "0s")
  --semantics <model>                     decision model: cortex or mimir
                                          (default: "cortex")
  --dedupe <mode>                         per-request or per-sample (default:
                                          "per-request")
  --cluster-label <name>                  HA cluster label (default: "cluster")
  --replica-label <name>                  HA replica label (default:
                                          "__replica__")
  --update-timeout <duration>             HA tracker update timeout (default:
                                          "15s")
  --update-timeout-jitter-max <duration>  largest update timeout jitter (seeded)
                                          (default: "5s")
  --seed <n>                              seed of the jitter generator (default:
                                          "1")
  --failover-timeout <duration>           HA tracker failover timeout (default:
                                          "30s")
  --sample-failover-timeout <duration>    mimir only; 0s = off (default: "0s")
  --max-clusters <n>                      HA clusters per tenant; 0 = no limit
                                          (default: 0 with cortex, 100 with
                                          mimir, as in those systems)
  --overrides <file>                      per-tenant YAML overrides (Cortex
                                          runtime-config shape)
  --db <file>                             persisted tracker state (SQLite); an
                                          existing file resumes
  --allow-config-change                   resume a --db under settings other
                                          than the ones it recorded (one warning
                                          per difference)
  -o, --output <file>                     deduplicated output (default: stdout)
  --output-format <format>                ndjson, rwcap, vm-json or none
                                          (default: "ndjson")
  --report <file>                         write the JSON report to FILE ("-" for
                                          stdout)
  --report-format <format>                human report: table, json, markdown or
                                          html (default: "table")
  --html <file>                           write the HTML report (a timeline per
                                          cluster) to FILE, beside any other
                                          report
  --expect <expr>                         CI check on report totals, e.g.
                                          lost_samples==0 (repeatable; exit 1
                                          when one fails; keys below)
  --strict                                stop at the first bad record (exit 3)
  --max-decoded-size <bytes>              largest decoded body accepted (e.g.
                                          64MiB) (default: "67108864")
  --allow-empty                           an input with no request is not an
                                          error (without it: exit 3, "no
                                          requests in the input")
  --sort                                  order the records by clock time first
                                          (input not in time order, e.g. a
                                          VictoriaMetrics export)
  --no-color                              no colour in the report
  -q, --quiet                             no human report and no warnings
                                          (errors and failed --expect checks
                                          still)
  -h, --help                              display help for command

--expect EXPR: KEY OP NUMBER, e.g. elections<=2, lost_samples==0,
  max_gap_ms<4.5e4, bad_records!=0
  OP: < <= == != >= >
  KEY (a key of the report's totals): accepted_samples, bad_records,
    deduped_samples, elections, lost_samples, max_gap_ms, non_ha_samples,
    overlap_samples, passthrough_samples, rejected_samples, requests, samples

`;

test('replay --help is the pinned text and names every SPEC 3 option', async () => {
  const r = await runCli(['replay', '--help'], { env: { ...process.env, COLUMNS: '80' } });
  assert.equal(r.status, 0);
  assert.equal(r.stdout, EXPECTED);
  for (const opt of ['--format', '--tenant', '--clock', '--delay', '--semantics', '--dedupe', '--cluster-label', '--replica-label', '--update-timeout', '--update-timeout-jitter-max', '--seed', '--failover-timeout', '--sample-failover-timeout', '--max-clusters', '--overrides', '--db', '--allow-config-change', '-o, --output', '--output-format', '--report', '--report-format', '--html', '--expect', '--strict', '--sort']) {
    assert.ok(r.stdout.includes(`  ${opt} `), `--help lists ${opt}`);
  }
  for (const line of r.stdout.split('\n')) assert.ok(line.length <= 80, `over 80 columns: ${line}`);
  const flat = r.stdout.replace(/\s+/g, ' ');
  for (const key of EXPECT_KEYS) assert.ok(flat.includes(key), `--help lists the --expect key ${key}`);
  assert.ok(flat.includes('OP: < <= == != >= >'));
});

test('every command\'s --help fits 80 columns without a terminal', async () => {
  for (const cmd of [[], ['record'], ['inspect'], ['convert'], ['state'], ['send']]) {
    const r = await runCli([...cmd, '--help'], { env: { ...process.env, COLUMNS: '200' } });
    assert.equal(r.status, 0);
    for (const line of r.stdout.split('\n')) assert.ok(line.length <= 80, `${cmd.join(' ')} --help: over 80 columns: ${line}`);
  }
});
