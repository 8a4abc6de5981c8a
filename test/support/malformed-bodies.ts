/**
 * Malformed queue bodies for the consumers' robustness tests (test/workers/*\/malformed.test.ts).
 *
 * `malformedCases` derives, from one valid body and the kinds of its fields, bodies the consumer
 * must dead-letter with a reason naming the bad field ('(body)' when the body is not an object);
 * `toleratedCases` are bodies that look odd but are valid by design and must be processed:
 * unknown extra fields (a newer producer; zod strips them) and bad trace carriers (a new trace,
 * `carrier.status` = missing/invalid, README "How context crosses the queues").
 *
 * Bodies are whatever a queue can carry: JSON, text (a string), bytes (an ArrayBuffer) or a V8-serialized
 * value, which may hold what JSON cannot (BigInt, cycles, Map, Set, Date, typed arrays, NaN, undefined).
 * `contentType` says how the injection suite (test/e2e/injection.test.ts) sends a case through a real
 * queue; the workerd-pool suites hand the value to the consumer as the runtime would deliver it.
 * `preview` marks a body a dead letter can only keep as a preview (JSON cannot hold it exactly, or it
 * is too big to fit a dead letter whole): such a dead letter is not replayable.
 * `__proto__` keys are made with JSON.parse, which creates an own property, as a JSON body would.
 */

export type ContentType = 'json' | 'text' | 'bytes' | 'v8';

export type FieldKind = 'version' | 'zip' | 'instant' | 'lat' | 'lon' | 'enum' | 'run_id';

/** The fields of each queue's body (src/messages/schemas.ts) and how to break them; shared by the pool suites and the e2e injector. */
export const QUEUE_FIELDS: Record<'fetch-jobs' | 'weather-ready' | 'landscape-jobs', Record<string, FieldKind>> = {
  'fetch-jobs': { schema_version: 'version', zip_code: 'zip', scheduled_at: 'instant', trigger: 'enum', run_id: 'run_id' },
  'weather-ready': { schema_version: 'version', zip_code: 'zip', lat: 'lat', lon: 'lon', fetched_at: 'instant', run_id: 'run_id' },
  'landscape-jobs': {
    schema_version: 'version',
    zip_code: 'zip',
    format_name: 'enum',
    lat: 'lat',
    lon: 'lon',
    fetched_at: 'instant',
    enqueued_at: 'instant',
    run_id: 'run_id',
  },
};

export interface MalformedCase {
  name: string;
  body: unknown;
  /** The field the dead letter's reason must name: `<field>: …`, or `(body): …` for a non-object. */
  field: string;
  /** How to send it (default json). */
  contentType?: ContentType;
  /** The dead letter keeps a preview of it, not the body itself. */
  preview?: boolean;
}

export interface ToleratedCase {
  name: string;
  body: unknown;
  /** The carrier status the consumer span must record, when the case is about the carrier. */
  carrier?: 'missing' | 'invalid';
  /** How to send it (default json). */
  contentType?: ContentType;
}

const KB100 = 100 * 1024;
const VALID_TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

function without(body: Record<string, unknown>, field: string): Record<string, unknown> {
  const copy = { ...body };
  delete copy[field];
  return copy;
}

function wrongTypeFor(kind: FieldKind): unknown {
  return kind === 'lat' || kind === 'lon' || kind === 'version' ? '30.45' : 12345;
}

/** Values of the right JS type that the field's rule must still reject. */
function badValuesFor(kind: FieldKind): Array<[string, unknown]> {
  switch (kind) {
    case 'version':
      return [
        ['unknown version 2', 2],
        ['version 0', 0],
        ['version 1.5', 1.5],
        ['version "1"', '1'],
        ['version NaN', NaN],
      ];
    case 'zip':
      return [
        ['100 KB', '7'.repeat(KB100)],
        ['4 digits', '7872'],
        ['6 digits', '787290'],
        ['leading space', ' 78729'],
        ['trailing newline', '78729\n'],
        ['letters', 'abcde'],
        ['full-width digits', '７８７２９'],
        ['log-forging text', '78729\n{"level":"error","message":"forged"}'],
        ['"__proto__"', '__proto__'],
        ['empty', ''],
      ];
    case 'instant':
      return [
        ['not a date', 'yesterday'],
        ['impossible date', '2026-13-45T99:00:00.000Z'],
        ['no offset', '2026-06-21T12:00:00'],
        ['empty', ''],
        ['100 KB', '2'.repeat(KB100)],
      ];
    case 'lat':
      return [
        ['90.0001', 90.0001],
        ['-91', -91],
        ['NaN', NaN],
        ['Infinity', Infinity],
        ['1e309 (Infinity from JSON)', JSON.parse('1e309')],
      ];
    case 'lon':
      return [
        ['180.5', 180.5],
        ['-181', -181],
        ['-Infinity', -Infinity],
        ['NaN', NaN],
      ];
    case 'enum':
      return [
        ['unknown value', 'sepia'],
        ['wrong case', 'RGB_LIGHT'],
        ['empty', ''],
        ['"toString"', 'toString'],
        ['"__proto__"', '__proto__'],
        ['"constructor"', 'constructor'],
        ['100 KB', 'x'.repeat(KB100)],
      ];
    case 'run_id':
      return [
        ['not hex', 'not-a-run-id'],
        ['upper-case hex', 'A'.repeat(32)],
        ['31 chars', 'a'.repeat(31)],
        ['33 chars', 'a'.repeat(33)],
      ];
  }
}

export function malformedCases(valid: Record<string, unknown>, fields: Record<string, FieldKind>): MalformedCase[] {
  const cases: MalformedCase[] = [
    // Not objects at all.
    { name: 'a string', body: 'hello', field: '(body)', contentType: 'text' },
    { name: 'an empty string', body: '', field: '(body)' },
    { name: 'the JSON text of a valid body (double-encoded)', body: JSON.stringify(valid), field: '(body)', contentType: 'text' },
    { name: 'a number', body: 42, field: '(body)' },
    { name: 'NaN', body: NaN, field: '(body)', contentType: 'v8', preview: true },
    { name: 'null', body: null, field: '(body)' },
    { name: 'true', body: true, field: '(body)' },
    { name: 'an empty array', body: [], field: '(body)' },
    { name: 'an array holding a valid body', body: [valid], field: '(body)' },
    { name: 'an empty object', body: {}, field: 'schema_version' },
  ];
  const [firstRequired] = Object.entries(fields).filter(([, kind]) => kind !== 'version' && kind !== 'run_id')[0];
  for (const [field, kind] of Object.entries(fields)) {
    if (kind !== 'run_id') {
      cases.push({ name: `${field} missing`, body: without(valid, field), field });
      cases.push({ name: `${field} null`, body: { ...valid, [field]: null }, field });
    }
    cases.push({ name: `${field} of the wrong type`, body: { ...valid, [field]: wrongTypeFor(kind) }, field });
    cases.push({ name: `${field} an array`, body: { ...valid, [field]: [valid[field] ?? 'x'] }, field });
    cases.push({ name: `${field} an object`, body: { ...valid, [field]: { value: valid[field] ?? 'x' } }, field });
    for (const [label, value] of badValuesFor(kind)) {
      // JSON has no NaN or ±Infinity: sent as V8, kept as a tagged preview.
      const unencodable = typeof value === 'number' && !Number.isFinite(value);
      cases.push({ name: `${field} ${label}`, body: { ...valid, [field]: value }, field, ...(unencodable ? { contentType: 'v8', preview: true } : {}) });
    }
  }
  cases.push(
    // A bad carrier does not rescue or hide a bad body.
    { name: `a string carrier and ${firstRequired} missing`, body: { ...without(valid, firstRequired), _otel: 'garbage' }, field: firstRequired },
    {
      name: `a carrier with a numeric traceparent and ${firstRequired} wrong`,
      body: { ...valid, [firstRequired]: 7, _otel: { traceparent: 5 } },
      field: firstRequired,
    },
    // Prototype pollution: fields hidden under __proto__ / constructor.prototype must not count.
    {
      name: 'every field under an own "__proto__" key',
      body: JSON.parse(JSON.stringify({ __proto__x: valid }).replace('"__proto__x"', '"__proto__"')),
      field: 'schema_version',
    },
    {
      name: `${firstRequired} only under "__proto__"`,
      body: JSON.parse(
        JSON.stringify({ ...without(valid, firstRequired), __proto__x: { [firstRequired]: valid[firstRequired] } }).replace('"__proto__x"', '"__proto__"'),
      ),
      field: firstRequired,
    },
    {
      name: `${firstRequired} only under constructor.prototype`,
      body: { ...without(valid, firstRequired), constructor: { prototype: { [firstRequired]: valid[firstRequired] } } },
      field: firstRequired,
    },
  );
  cases.push(...unencodableCases(valid, firstRequired));
  return cases;
}

/** Bytes of a string as an ArrayBuffer, the way a body sent with content type `bytes` arrives. */
function bytesOf(text: string): ArrayBuffer {
  const bytes = new TextEncoder().encode(text);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

function nested(levels: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < levels; i++) value = { d: value };
  return value;
}

/** Just under Cloudflare Queues' 128 KB message limit once sent as JSON. */
const NEAR_LIMIT_BYTES = 127_000;

/**
 * Bodies JSON cannot hold, or only barely: the content types `bytes` and `v8`, values only V8
 * serialization carries, and bodies near the message size limit. Each still fails its schema.
 */
function unencodableCases(valid: Record<string, unknown>, field: string): MalformedCase[] {
  const selfAsField: Record<string, unknown> = { ...valid };
  selfAsField[field] = selfAsField;
  const cycleInMap = new Map<string, unknown>(Object.entries(valid));
  cycleInMap.set('self', cycleInMap);
  const padding = NEAR_LIMIT_BYTES - new TextEncoder().encode(JSON.stringify({ ...valid, [field]: '' })).byteLength;
  const v8 = { contentType: 'v8', preview: true } as const;
  return [
    { name: `${field} a BigInt`, body: { ...valid, [field]: 78729n }, field, ...v8 },
    { name: 'a BigInt', body: 2n ** 64n, field: '(body)', ...v8 },
    { name: `${field} the body itself (a cycle)`, body: selfAsField, field, ...v8 },
    { name: "a Map of a valid body's fields, holding itself", body: cycleInMap, field: 'schema_version', ...v8 },
    { name: 'a Set holding a valid body', body: new Set([valid]), field: 'schema_version', ...v8 },
    { name: 'a Date', body: new Date('2026-06-21T12:00:00.000Z'), field: 'schema_version', ...v8 },
    { name: `${field} a Date`, body: { ...valid, [field]: new Date('2026-06-21T12:00:00.000Z') }, field, ...v8 },
    { name: `${field} a Map`, body: { ...valid, [field]: new Map([['value', valid[field]]]) }, field, ...v8 },
    { name: `${field} undefined`, body: { ...valid, [field]: undefined }, field, ...v8 },
    { name: `${field} a Uint8Array`, body: { ...valid, [field]: new TextEncoder().encode(String(valid[field])) }, field, ...v8 },
    { name: 'a Float64Array', body: new Float64Array([30.45, -97.79, NaN]), field: 'schema_version', ...v8 },
    { name: 'an Error', body: new TypeError('not a job'), field: 'schema_version', ...v8 },
    { name: 'a sparse array', body: [1, , 3], field: '(body)', ...v8 },
    { name: `${field} nested 1,000 levels deep`, body: { ...valid, [field]: nested(1_000) }, field, preview: true },
    { name: "a valid body's JSON as bytes", body: bytesOf(JSON.stringify(valid)), field: 'schema_version', contentType: 'bytes', preview: true },
    { name: 'binary bytes', body: new Uint8Array([0, 159, 146, 150, 255]).buffer, field: 'schema_version', contentType: 'bytes', preview: true },
    { name: 'empty bytes', body: new ArrayBuffer(0), field: 'schema_version', contentType: 'bytes', preview: true },
    { name: `${field} near the 128 KB message limit`, body: { ...valid, [field]: '7'.repeat(padding) }, field, preview: true },
    { name: 'a Uint8Array near the 128 KB message limit', body: new Uint8Array(NEAR_LIMIT_BYTES - 100).fill(0xfe), field: 'schema_version', ...v8 },
  ];
}

function withSelf(valid: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = { ...valid };
  body.self = body;
  return body;
}

export function toleratedCases(valid: Record<string, unknown>): ToleratedCase[] {
  const withProto = JSON.parse(JSON.stringify({ ...valid, __proto__x: { polluted: true, isAdmin: true } }).replace('"__proto__x"', '"__proto__"'));
  return [
    { name: 'extra unknown fields of odd types', body: { ...valid, extra: [1, { a: null }], zip: 12345, SCHEMA_VERSION: 'x', nested: { deep: [[[]]] } } },
    { name: 'an own "__proto__" key with junk (no pollution)', body: withProto },
    { name: 'no carrier', body: { ...valid }, carrier: 'missing' },
    { name: 'a null carrier', body: { ...valid, _otel: null }, carrier: 'invalid' },
    { name: 'a string carrier', body: { ...valid, _otel: 'traceparent' }, carrier: 'invalid' },
    { name: 'an array carrier', body: { ...valid, _otel: [VALID_TRACEPARENT] }, carrier: 'invalid' },
    { name: 'a carrier with a garbage traceparent', body: { ...valid, _otel: { traceparent: 'garbage' } }, carrier: 'invalid' },
    {
      name: 'a carrier with all-zero ids',
      body: { ...valid, _otel: { traceparent: '00-00000000000000000000000000000000-0000000000000000-01' } },
      carrier: 'invalid',
    },
    { name: 'a carrier with version ff', body: { ...valid, _otel: { traceparent: VALID_TRACEPARENT.replace(/^00/, 'ff') } }, carrier: 'invalid' },
    { name: 'a carrier with a 100 KB traceparent', body: { ...valid, _otel: { traceparent: `00-${'a'.repeat(KB100)}` } }, carrier: 'invalid' },
    { name: 'a carrier with upper-case hex', body: { ...valid, _otel: { traceparent: VALID_TRACEPARENT.toUpperCase() } }, carrier: 'invalid' },
    { name: 'a carrier with fields after version 00', body: { ...valid, _otel: { traceparent: `${VALID_TRACEPARENT}-extra` } }, carrier: 'invalid' },
    { name: 'a carrier with flags "zz"', body: { ...valid, _otel: { traceparent: VALID_TRACEPARENT.replace(/01$/, 'zz') } }, carrier: 'invalid' },
    { name: 'a carrier with a BigInt traceparent', body: { ...valid, _otel: { traceparent: 1n } }, carrier: 'invalid', contentType: 'v8' },
    { name: 'a Map carrier', body: { ...valid, _otel: new Map([['traceparent', VALID_TRACEPARENT]]) }, carrier: 'invalid', contentType: 'v8' },
    {
      name: 'a carrier with a 100 KB tracestate',
      body: { ...valid, _otel: { traceparent: VALID_TRACEPARENT, tracestate: `k=${'v'.repeat(KB100)}` } },
      contentType: 'json',
    },
    // Extra fields JSON cannot hold do not matter: the schema drops unknown fields.
    {
      name: 'extra fields JSON cannot hold (BigInt, Map, Date, bytes)',
      body: { ...valid, big: 1n, map: new Map([[1, 2]]), at: new Date(0), bytes: new Uint8Array(4) },
      contentType: 'v8',
    },
    { name: 'an extra field that is the body itself (a cycle)', body: withSelf(valid), contentType: 'v8' },
  ];
}
