// `ha-dedup convert INPUT -o OUT --to FORMAT`: change format without deduplicating. Labels are
// untouched, so rwcap/rwcap-json output of a capture keeps every body byte for byte.
import type { Command } from 'commander';
import type { OutputFormat } from '../../model/index.js';
import { usageError } from '../../model/index.js';
import { BadRecordWarnings, checkInputs, openInput, parseByteSize, parseInputFormat } from '../../pipeline/inputs.js';
import { createOutputWriter } from '../../wire/writers.js';
import { DEFAULT_MAX_DECODED_SIZE } from '../../wire/snappy.js';
import { checkOutputs, namedInputs, openOutput } from '../outfile.js';
import { guardIo } from '../stdio.js';
import { printable } from '../../report/format.js';
import { processIo, type CliIo } from '../io.js';

const TO: readonly OutputFormat[] = ['ndjson', 'vm-json', 'rwcap', 'rwcap-json'];

interface ConvertOptions {
  output: string;
  to: string;
  format: string;
  tenant?: string;
  strict?: boolean;
  maxDecodedSize: string;
}

export async function runConvert(input: string, o: ConvertOptions, rawIo: CliIo = processIo()): Promise<{ records: number; bad: number }> {
  const io = guardIo(rawIo);
  const to = o.to.trim().toLowerCase() as OutputFormat;
  if (!TO.includes(to)) throw usageError(`--to: "${o.to}" is not one of ${TO.join(', ')}`);
  const format = parseInputFormat(o.format);
  if (format === undefined) throw usageError(`--format: "${o.format}" is not one of auto, rwcap, rwcap-json, remote-write, remote-write2, ndjson, vm-json`);
  const maxDecodedSize = parseByteSize(o.maxDecodedSize);
  if (maxDecodedSize === undefined) throw usageError(`--max-decoded-size: "${o.maxDecodedSize}" is not a size (e.g. 67108864, 64MiB)`);
  checkInputs([input]);
  if (o.output === '') throw usageError('-o: "" is not a file name ("-" is stdout)');
  // issue 12.9: `convert X -o X` would destroy X (also through a link); the output is written
  // beside the target and put in place only when the conversion succeeds
  if (o.output !== '-') checkOutputs([{ what: '-o', path: o.output }], namedInputs([input]));
  const file = o.output === '-' ? null : openOutput(o.output, '-o', io.stdio);
  const writer = createOutputWriter(to, file?.sink ?? io.stdout, { onWarning: (m) => io.stderr.write(`ha-dedup: warning: ${printable(m)}\n`) });
  let records = 0;
  let bad = 0;
  const warnings = new BadRecordWarnings((line) => io.stderr.write(printable(line) + '\n'));
  try {
    for await (const req of openInput(input, 0, {
      format,
      maxDecodedSize,
      strict: o.strict === true,
      stdin: io.stdin,
      onBadRecord: (b) => {
        bad++;
        warnings.bad(b);
      },
    })) {
      if (file?.failure()) break;
      // stdout's reader gone (`| head`): nothing more to write; stdout or stderr unwritable: exit 2
      if (io.stdio.failed || (file === null && io.stdio.stdoutClosed)) break;
      records++;
      // without --tenant a record keeps its own tenant (or none)
      const tenant = req.tenant ?? o.tenant ?? null;
      const p = writer.write(req, tenant, req.write.timeseries, false, req.write.metadata);
      if (p) await p;
    }
    await writer.end();
    warnings.finish();
  } catch (err) {
    const f = file?.failure();
    await file?.discard();
    throw f ?? err;
  }
  if (io.stdio.failed) {
    await file?.discard();
    throw io.stdio.error();
  }
  if (file !== null) await file.close();
  return { records, bad };
}

export function register(program: Command, io: CliIo): void {
  program
    .command('convert')
    .description('change format without deduplicating')
    .argument('<INPUT>', 'input file; "-" reads stdin')
    .requiredOption('-o, --output <file>', 'output file; "-" writes stdout')
    .requiredOption('--to <format>', 'ndjson, vm-json, rwcap, rwcap-json')
    .option('--format <format>', 'input format: auto, rwcap, rwcap-json, remote-write, remote-write2, ndjson, vm-json', 'auto')
    .option('--tenant <tenant>', 'tenant for records that carry none (default: leave them without one)')
    .option('--max-decoded-size <bytes>', 'largest decoded body accepted (e.g. 64MiB)', String(DEFAULT_MAX_DECODED_SIZE))
    .option('--strict', 'stop at the first bad record (exit 3)')
    .action(async (input: string, o: ConvertOptions) => {
      await runConvert(input, o, io);
    });
}
