import { deserialize, serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, previewBody, SHORT_LIMITS } from '../../../src/messages/body-preview';
import { deadLetterBody } from '../../../src/messages/dead-letter';

/** What a consumer receives for a body sent with content type `v8`. */
const viaV8 = <T>(value: T): T => deserialize(serialize(value)) as T;
const jsonBytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).byteLength;

const valid = { schema_version: 1, zip_code: '78729', scheduled_at: '2026-06-21T12:00:00.000Z', trigger: 'admin' };

function selfReferencing() {
  const body: Record<string, unknown> = { ...valid };
  body.zip_code = body;
  return body;
}

describe('previewBody', () => {
  it('keeps plain JSON as it is, and says it is exact', () => {
    for (const body of [valid, 'hello', 42, null, true, [], [valid], { nested: { deep: [[[]]] } }, JSON.parse('{"__proto__":{"x":1}}')]) {
      const preview = previewBody(viaV8(body));
      expect(preview).toEqual({ exact: true, value: body, notes: [] });
    }
  });

  it.each([
    ['a BigInt field', { ...valid, zip_code: 78729n }, { zip_code: { $type: 'BigInt', value: '78729' } }, 'BigInt at $.zip_code'],
    ['a top-level BigInt', 123n, { $type: 'BigInt', value: '123' }, 'BigInt at $'],
    ['NaN', { lat: NaN }, { lat: { $type: 'number', value: 'NaN' } }, 'NaN at $.lat'],
    ['-Infinity', -Infinity, { $type: 'number', value: '-Infinity' }, '-Infinity at $'],
    ['undefined in an object', { a: undefined }, { a: { $type: 'undefined' } }, 'undefined at $.a'],
    ['a Date', { at: new Date('2026-06-21T12:00:00Z') }, { at: { $type: 'Date', value: '2026-06-21T12:00:00.000Z' } }, 'Date at $.at'],
    ['an invalid Date', new Date(NaN), { $type: 'Date', value: 'Invalid Date' }, 'Date at $'],
    [
      'a Map',
      new Map<unknown, unknown>([
        ['zip_code', '78729'],
        [1n, { a: 1 }],
      ]),
      {
        $type: 'Map',
        size: 2,
        entries: [
          ['zip_code', '78729'],
          [{ $type: 'BigInt', value: '1' }, { a: 1 }],
        ],
      },
      'Map at $',
    ],
    ['a Set', new Set(['a', 1]), { $type: 'Set', size: 2, values: ['a', 1] }, 'Set at $'],
    ['a RegExp', /a+/g, { $type: 'RegExp', value: '/a+/g' }, 'RegExp at $'],
    ['an Error', new TypeError('boom'), { $type: 'Error', name: 'TypeError', message: 'boom' }, 'Error at $'],
    ['a boxed string', new String('x'), { $type: 'String', value: 'x' }, 'boxed String at $'],
    ['a Float64Array', new Float64Array([1.5, NaN]), { $type: 'Float64Array', byte_length: 16, length: 2, values: [1.5, 'NaN'] }, 'Float64Array at $'],
    ['a BigInt64Array', new BigInt64Array([5n]), { $type: 'BigInt64Array', byte_length: 8, length: 1, values: ['5'] }, 'BigInt64Array at $'],
    [
      'UTF-8 bytes',
      new TextEncoder().encode('{"zip_code":"78729"}'),
      { $type: 'Uint8Array', byte_length: 20, utf8: '{"zip_code":"78729"}' },
      'Uint8Array at $',
    ],
    ['binary bytes', new Uint8Array([0, 255, 1]), { $type: 'Uint8Array', byte_length: 3, hex: '00ff01' }, 'Uint8Array at $'],
    ['an ArrayBuffer (content type bytes)', new TextEncoder().encode('hi').buffer, { $type: 'ArrayBuffer', byte_length: 2, utf8: 'hi' }, 'ArrayBuffer at $'],
    ['a sparse array', [1, , 3], [1, { $type: 'hole' }, 3], 'hole at $[1]'],
  ])('tags %s', (_name, body, expected, note) => {
    const preview = previewBody(viaV8(body));
    expect(preview.exact).toBe(false);
    expect(preview.value).toMatchObject(expected);
    expect(preview.notes).toContain(note);
    expect(JSON.parse(JSON.stringify(preview.value))).toEqual(preview.value);
  });

  it('marks a cycle with the path it points back to', () => {
    const preview = previewBody(viaV8(selfReferencing()));
    expect(preview.exact).toBe(false);
    expect(preview.value).toEqual({ ...valid, zip_code: { $type: 'Circular', ref: '$' } });
    expect(preview.notes).toEqual(['cycle at $.zip_code back to $']);
    const inMap = new Map<string, unknown>();
    inMap.set('me', inMap);
    expect(previewBody(viaV8({ m: inMap })).value).toEqual({ m: { $type: 'Map', size: 1, entries: [['me', { $type: 'Circular', ref: '$.m' }]] } });
  });

  it('cuts deep nesting', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 1_000; i++) deep = { d: deep };
    const preview = previewBody(viaV8(deep));
    expect(preview.exact).toBe(false);
    expect(preview.notes[0]).toMatch(/^nesting cut at \$(\.d){32}$/);
    expect(JSON.stringify(preview.value).length).toBeLessThan(1_000);
  });

  it('keeps a body near the 128 KB message limit as its start and its size', () => {
    const body = { ...valid, zip_code: '7'.repeat(127_000) };
    const preview = previewBody(body);
    expect(preview.exact).toBe(false);
    expect((preview.value as { zip_code: string }).zip_code).toBe(`${'7'.repeat(1_000)}…[127000 chars]`);
    expect(preview.notes).toEqual(['string at $.zip_code cut to 1000 of 127000 chars']);
    // The same body a little smaller is kept whole.
    expect(previewBody({ ...valid, zip_code: '7'.repeat(100_000) }).exact).toBe(true);
  });

  it('stays within its size budget for wide, long and shared-reference bodies', () => {
    let shared: unknown = ['leaf'];
    for (let i = 0; i < 60; i++) shared = [shared, shared]; // 2^60 leaves once written out
    const wide = Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`key${i}`, 'v'.repeat(900)]));
    const bytes = new Uint8Array(127_000).fill(0xfe);
    for (const body of [shared, wide, bytes, Array.from({ length: 100_000 }, (_, i) => i), 'x'.repeat(127_000)]) {
      const preview = previewBody(viaV8(body));
      expect(preview.exact).toBe(false);
      expect(jsonBytes(preview.value)).toBeLessThan(DEFAULT_LIMITS.budgetChars * 2);
      expect(preview.notes.length).toBeGreaterThan(0);
    }
    expect(jsonBytes(previewBody(wide, SHORT_LIMITS).value)).toBeLessThan(SHORT_LIMITS.budgetChars * 2);
  });

  it('keeps an own "__proto__" key as data, never as the prototype', () => {
    const body = JSON.parse('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    body.big = 1n;
    const preview = previewBody(body).value as Record<string, unknown>;
    expect(Object.getPrototypeOf(preview)).toBe(Object.prototype);
    expect(Object.hasOwn(preview, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('deadLetterBody', () => {
  it('keeps a plain body and marks it replayable', () => {
    expect(deadLetterBody(valid)).toEqual({ body: valid, replayable: true });
  });

  it('gives a preview, not replayable, with notes, for a body JSON cannot hold', () => {
    const fields = deadLetterBody(viaV8(selfReferencing()));
    expect(fields.replayable).toBe(false);
    expect(fields.body_notes).toEqual(['cycle at $.zip_code back to $']);
    expect(() => JSON.stringify(fields)).not.toThrow();
  });
});
