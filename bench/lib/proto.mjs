// protobufjs reflection types for the naive baseline and the generator test: Remote-Write 1.0
// (prometheus.WriteRequest, as in prometheus/prompb/remote.proto + types.proto) and the rwcap
// CapturedRequest envelope (SPEC 4.1). Built with reflection, no .proto file and no codegen.
import protobuf from 'protobufjs';

const { Root, Type, Field, MapField, Enum } = protobuf;

export function buildTypes() {
  const root = new Root();
  const ns = root.define('prometheus');
  ns.add(new Type('Label').add(new Field('name', 1, 'string')).add(new Field('value', 2, 'string')));
  ns.add(new Type('Sample').add(new Field('value', 1, 'double')).add(new Field('timestamp', 2, 'int64')));
  ns.add(
    new Type('Exemplar')
      .add(new Field('labels', 1, 'Label', 'repeated'))
      .add(new Field('value', 2, 'double'))
      .add(new Field('timestamp', 3, 'int64')),
  );
  ns.add(new Type('BucketSpan').add(new Field('offset', 1, 'sint32')).add(new Field('length', 2, 'uint32')));
  ns.add(new Enum('ResetHint', { UNKNOWN: 0, YES: 1, NO: 2, GAUGE: 3 }));
  const h = new Type('Histogram');
  h.add(new protobuf.OneOf('count', ['count_int', 'count_float']));
  h.add(new protobuf.OneOf('zero_count', ['zero_count_int', 'zero_count_float']));
  h.add(new Field('count_int', 1, 'uint64', undefined, undefined, undefined));
  h.add(new Field('count_float', 2, 'double'));
  h.add(new Field('sum', 3, 'double'));
  h.add(new Field('schema', 4, 'sint32'));
  h.add(new Field('zero_threshold', 5, 'double'));
  h.add(new Field('zero_count_int', 6, 'uint64'));
  h.add(new Field('zero_count_float', 7, 'double'));
  h.add(new Field('negative_spans', 8, 'BucketSpan', 'repeated'));
  h.add(new Field('negative_deltas', 9, 'sint64', 'repeated'));
  h.add(new Field('negative_counts', 10, 'double', 'repeated'));
  h.add(new Field('positive_spans', 11, 'BucketSpan', 'repeated'));
  h.add(new Field('positive_deltas', 12, 'sint64', 'repeated'));
  h.add(new Field('positive_counts', 13, 'double', 'repeated'));
  h.add(new Field('reset_hint', 14, 'ResetHint'));
  h.add(new Field('timestamp', 15, 'int64'));
  h.add(new Field('custom_values', 16, 'double', 'repeated'));
  h.oneofs.count.add(h.fields.count_int);
  h.oneofs.count.add(h.fields.count_float);
  h.oneofs.zero_count.add(h.fields.zero_count_int);
  h.oneofs.zero_count.add(h.fields.zero_count_float);
  ns.add(h);
  ns.add(
    new Type('TimeSeries')
      .add(new Field('labels', 1, 'Label', 'repeated'))
      .add(new Field('samples', 2, 'Sample', 'repeated'))
      .add(new Field('exemplars', 3, 'Exemplar', 'repeated'))
      .add(new Field('histograms', 4, 'Histogram', 'repeated')),
  );
  ns.add(
    new Type('MetricMetadata')
      .add(new Field('type', 1, 'uint32'))
      .add(new Field('metric_family_name', 2, 'string'))
      .add(new Field('help', 4, 'string'))
      .add(new Field('unit', 5, 'string')),
  );
  ns.add(
    new Type('WriteRequest')
      .add(new Field('timeseries', 1, 'TimeSeries', 'repeated'))
      .add(new Field('metadata', 3, 'MetricMetadata', 'repeated')),
  );
  const cap = root.define('hadedup');
  cap.add(
    new Type('CapturedRequest')
      .add(new Field('received_at_ms', 1, 'int64'))
      .add(new Field('tenant', 2, 'string'))
      .add(new Field('content_type', 3, 'string'))
      .add(new Field('content_encoding', 4, 'string'))
      .add(new Field('body', 5, 'bytes'))
      .add(new MapField('headers', 6, 'string', 'string'))
      .add(new Field('remote_addr', 7, 'string'))
      .add(new Field('path', 8, 'string'))
      .add(new Field('body_crc32', 9, 'fixed32')),
  );
  root.resolveAll();
  return {
    WriteRequest: root.lookupType('prometheus.WriteRequest'),
    CapturedRequest: root.lookupType('hadedup.CapturedRequest'),
  };
}

/** Iterate the records of an rwcap buffer (delimited framing after the 7-byte magic). Yields [offset, bytes]. */
export function* rwcapRecords(buf) {
  const magic = 'RWCAP1\n';
  for (let i = 0; i < 7; i++) if (buf[i] !== magic.charCodeAt(i)) throw new Error('not an rwcap file (bad magic)');
  let p = 7;
  while (p < buf.length) {
    const start = p;
    let len = 0;
    let shift = 0;
    let b;
    do {
      if (p >= buf.length) throw new Error(`truncated record length at offset ${start}`);
      b = buf[p++];
      len += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    if (p + len > buf.length) throw new Error(`truncated record at offset ${start}`);
    yield [start, buf.subarray(p, p + len)];
    p += len;
  }
}
