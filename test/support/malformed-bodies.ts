/**
 * Malformed queue bodies for the consumers' robustness tests (test/workers/*\/malformed.test.ts).
 *
 * `malformedCases` derives, from one valid body and the kinds of its fields, bodies the consumer
 * must dead-letter with a reason naming the bad field ('(body)' when the body is not an object);
 * `toleratedCases` are bodies that look odd but are valid by design and must be processed:
 * unknown extra fields (a newer producer; zod strips them) and bad trace carriers (a new trace,
 * `carrier.status` = missing/invalid, README "How context crosses the queues").
 *
 * Bodies are plain values a queue can carry (JSON, or V8 serialization: NaN and ±Infinity too).
 * `__proto__` keys are made with JSON.parse, which creates an own property, as a JSON body would.
 */

export type FieldKind = 'version' | 'zip' | 'instant' | 'lat' | 'lon' | 'enum' | 'run_id';

export interface MalformedCase {
  name: string;
  body: unknown;
  /** The field the dead letter's reason must name: `<field>: …`, or `(body): …` for a non-object. */
  field: string;
}

export interface ToleratedCase {
  name: string;
  body: unknown;
  /** The carrier status the consumer span must record, when the case is about the carrier. */
  carrier?: 'missing' | 'invalid';
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
      return [['unknown version 2', 2], ['version 0', 0], ['version 1.5', 1.5], ['version "1"', '1'], ['version NaN', NaN]];
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
      return [['90.0001', 90.0001], ['-91', -91], ['NaN', NaN], ['Infinity', Infinity], ['1e309 (Infinity from JSON)', JSON.parse('1e309')]];
    case 'lon':
      return [['180.5', 180.5], ['-181', -181], ['-Infinity', -Infinity], ['NaN', NaN]];
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
      return [['not hex', 'not-a-run-id'], ['upper-case hex', 'A'.repeat(32)], ['31 chars', 'a'.repeat(31)], ['33 chars', 'a'.repeat(33)]];
  }
}

export function malformedCases(valid: Record<string, unknown>, fields: Record<string, FieldKind>): MalformedCase[] {
  const cases: MalformedCase[] = [
    // Not objects at all.
    { name: 'a string', body: 'hello', field: '(body)' },
    { name: 'an empty string', body: '', field: '(body)' },
    { name: 'the JSON text of a valid body (double-encoded)', body: JSON.stringify(valid), field: '(body)' },
    { name: 'a number', body: 42, field: '(body)' },
    { name: 'NaN', body: NaN, field: '(body)' },
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
    for (const [label, value] of badValuesFor(kind)) cases.push({ name: `${field} ${label}`, body: { ...valid, [field]: value }, field });
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
  return cases;
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
  ];
}
