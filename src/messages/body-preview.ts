/**
 * Any queue body, made safe to keep in a dead letter. A queue delivers whatever a producer sent:
 * JSON, text, bytes (an ArrayBuffer) or a V8-serialized value, which may hold what JSON cannot
 * encode (BigInt, cycles, Map, Set, Date, typed arrays, NaN, undefined, holes, boxed primitives,
 * errors) or be near the 128 KB message limit. A dead letter travels as JSON and is stored as
 * JSON, so it carries either the body itself, when JSON keeps it exactly and it fits, or a
 * preview: a JSON value of bounded size in which each value JSON cannot hold is a tagged object
 * `{"$type": …}` and every cut is said in `notes`.
 *
 * Hand-written: devalue, superjson and flatted encode such values losslessly for a program to revive,
 * with no size bound; node:util's inspect bounds each string and array but not the whole, and gives
 * one string where the admin page and the tests read fields.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface BodyPreview {
  /** True when the body is plain JSON that fits: the dead letter keeps it as it is, and it can be replayed. */
  exact: boolean;
  /** The body itself when exact, otherwise the bounded, tagged preview. JSON-safe either way. */
  value: unknown;
  /** What the preview changed or cut, first few (empty when exact). */
  notes: string[];
}

export interface PreviewLimits {
  /** The largest body (JSON bytes) kept as it is: a dead letter must still fit a 128 KB queue message. */
  maxExactBytes: number;
  /** A preview's approximate size in JSON characters. */
  budgetChars: number;
  /** Characters kept of one string (or key, or decoded bytes). */
  maxStringChars: number;
  /** Items kept of one array, object, Map or Set. */
  maxEntries: number;
  /** Nesting kept. */
  maxDepth: number;
}

export const DEFAULT_LIMITS: PreviewLimits = {
  maxExactBytes: 120_000,
  budgetChars: 16_000,
  maxStringChars: 1_000,
  maxEntries: 100,
  maxDepth: 32,
};

/** Small enough for a last-resort record (see src/pipeline/dead-letters.ts). */
export const SHORT_LIMITS: PreviewLimits = { maxExactBytes: 2_000, budgetChars: 2_000, maxStringChars: 200, maxEntries: 20, maxDepth: 8 };

const MAX_NOTES = 10;
const MAX_NOTE_CHARS = 300;
/** Nodes visited while checking that a body is plain JSON: a shared-reference graph can be exponential once written out. */
const MAX_EXACT_NODES = 50_000;

export function previewBody(body: unknown, limits: PreviewLimits = DEFAULT_LIMITS): BodyPreview {
  if (isExactJson(body, limits)) return { exact: true, value: body, notes: [] };
  const notes: string[] = [];
  const value = new Previewer(limits, notes).node(body, '$', 0, []);
  return { exact: false, value, notes };
}

/** Plain JSON (plain objects, dense arrays, strings, finite numbers, booleans, null), acyclic, within maxExactBytes. */
function isExactJson(body: unknown, limits: PreviewLimits): boolean {
  let nodes = 0;
  const ancestors = new Set<object>();
  const plain = (value: unknown, depth: number): boolean => {
    if (++nodes > MAX_EXACT_NODES || depth > limits.maxDepth) return false;
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
    if (typeof value === 'number') return Number.isFinite(value);
    if (typeof value !== 'object') return false;
    if (ancestors.has(value)) return false;
    ancestors.add(value);
    try {
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!(i in value) || !plain(value[i], depth + 1)) return false;
        return true;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      for (const key of Object.keys(value)) if (!plain((value as Record<string, unknown>)[key], depth + 1)) return false;
      return true;
    } finally {
      ancestors.delete(value);
    }
  };
  if (!plain(body, 0)) return false;
  try {
    return new TextEncoder().encode(JSON.stringify(body)).byteLength <= limits.maxExactBytes;
  } catch {
    return false;
  }
}

const tagOf = (value: object) => Object.prototype.toString.call(value).slice(8, -1);

class Previewer {
  private left: number;
  constructor(
    private readonly limits: PreviewLimits,
    private readonly notes: string[],
  ) {
    this.left = limits.budgetChars;
  }

  private note(text: string) {
    if (this.notes.length < MAX_NOTES) this.notes.push(text.length > MAX_NOTE_CHARS ? `${text.slice(0, MAX_NOTE_CHARS)}…` : text);
    else if (this.notes.length === MAX_NOTES) this.notes.push('… more');
  }

  private spend(chars: number) {
    this.left -= chars;
  }

  private text(value: string, path: string, what = 'string'): string {
    if (value.length <= this.limits.maxStringChars) {
      this.spend(value.length + 2);
      return value;
    }
    this.note(`${what} at ${path} cut to ${this.limits.maxStringChars} of ${value.length} chars`);
    this.spend(this.limits.maxStringChars + 20);
    return `${value.slice(0, this.limits.maxStringChars)}…[${value.length} chars]`;
  }

  private tagged(type: string, path: string, fields: Record<string, JsonValue>, why = `${type} at ${path}`): JsonValue {
    this.note(why);
    this.spend(type.length + 16);
    return { $type: type, ...fields };
  }

  node(value: unknown, path: string, depth: number, ancestors: Array<{ value: object; path: string }>): JsonValue {
    if (this.left <= 0) {
      this.note(`preview size limit reached at ${path}`);
      return '…';
    }
    switch (typeof value) {
      case 'string':
        return this.text(value, path);
      case 'boolean':
        this.spend(5);
        return value;
      case 'number':
        if (Number.isFinite(value)) {
          this.spend(String(value).length);
          return value;
        }
        return this.tagged('number', path, { value: String(value) }, `${String(value)} at ${path}`);
      case 'bigint':
        return this.tagged('BigInt', path, { value: this.text(value.toString(), path, 'BigInt') });
      case 'undefined':
        return this.tagged('undefined', path, {});
      case 'symbol':
      case 'function':
        return this.tagged(typeof value, path, { value: this.text(String(value), path) });
    }
    if (value === null) {
      this.spend(4);
      return null;
    }
    const object = value as object;
    const seen = ancestors.find((a) => a.value === object);
    if (seen) {
      this.spend(seen.path.length);
      return this.tagged('Circular', path, { ref: seen.path }, `cycle at ${path} back to ${seen.path}`);
    }
    if (depth >= this.limits.maxDepth) return this.tagged('Cut', path, { depth }, `nesting cut at ${path}`);
    const inner = [...ancestors, { value: object, path }];
    const tag = tagOf(object);

    if (Array.isArray(object)) {
      const out: JsonValue[] = [];
      const shown = Math.min(object.length, this.limits.maxEntries);
      for (let i = 0; i < shown && this.left > 0; i++) {
        out.push(i in object ? this.node(object[i], `${path}[${i}]`, depth + 1, inner) : this.tagged('hole', `${path}[${i}]`, {}));
      }
      if (out.length < object.length) {
        this.note(`array at ${path} cut to ${out.length} of ${object.length} items`);
        out.push(`…[${object.length - out.length} more]`);
      }
      return out;
    }
    if (object instanceof Date || tag === 'Date') {
      const time = (object as Date).getTime();
      return this.tagged('Date', path, { value: Number.isNaN(time) ? 'Invalid Date' : new Date(time).toISOString() });
    }
    if (tag === 'RegExp') return this.tagged('RegExp', path, { value: this.text((object as RegExp).toString(), path) });
    if (object instanceof Error || tag === 'Error') {
      const error = object as Error;
      return this.tagged('Error', path, { name: this.text(String(error.name), path), message: this.text(String(error.message), path) });
    }
    if (tag === 'String' || tag === 'Number' || tag === 'Boolean' || tag === 'BigInt') {
      return this.tagged(tag, path, { value: this.text(String((object as { valueOf(): unknown }).valueOf()), path) }, `boxed ${tag} at ${path}`);
    }
    if (object instanceof Map || tag === 'Map') {
      const map = object as Map<unknown, unknown>;
      const entries: JsonValue[] = [];
      for (const [k, v] of map) {
        if (entries.length >= this.limits.maxEntries || this.left <= 0) break;
        const at = `${path}.get(#${entries.length})`;
        entries.push([this.node(k, `${at}.key`, depth + 1, inner), this.node(v, at, depth + 1, inner)]);
      }
      if (entries.length < map.size) this.note(`Map at ${path} cut to ${entries.length} of ${map.size} entries`);
      return this.tagged('Map', path, { size: map.size, entries });
    }
    if (object instanceof Set || tag === 'Set') {
      const set = object as Set<unknown>;
      const values: JsonValue[] = [];
      for (const v of set) {
        if (values.length >= this.limits.maxEntries || this.left <= 0) break;
        values.push(this.node(v, `${path}.values(#${values.length})`, depth + 1, inner));
      }
      if (values.length < set.size) this.note(`Set at ${path} cut to ${values.length} of ${set.size} values`);
      return this.tagged('Set', path, { size: set.size, values });
    }
    if (object instanceof ArrayBuffer || ArrayBuffer.isView(object) || tag === 'ArrayBuffer' || tag === 'SharedArrayBuffer') {
      return this.binary(object as ArrayBuffer | ArrayBufferView, tag, path);
    }

    const out: Record<string, JsonValue> = {};
    const keys = Object.keys(object);
    let shown = 0;
    for (const key of keys) {
      if (shown >= this.limits.maxEntries || this.left <= 0) break;
      const name = this.text(key, `${path} (a key)`, 'key');
      // An own "__proto__" key (JSON.parse makes one) stays data: defineProperty never sets the prototype.
      Object.defineProperty(out, name, {
        value: this.node((object as Record<string, unknown>)[key], `${path}.${name.slice(0, 40)}`, depth + 1, inner),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      shown++;
    }
    if (shown < keys.length) {
      this.note(`object at ${path} cut to ${shown} of ${keys.length} keys`);
      out['…'] = `${keys.length - shown} more keys`;
    }
    const proto: unknown = Object.getPrototypeOf(object);
    if (proto !== Object.prototype && proto !== null) this.note(`${tag} object at ${path} shown by its own keys`);
    return out;
  }

  /** Bytes are shown as text when they are UTF-8 text (a JSON body sent as bytes reads as JSON), else as hex. */
  private binary(value: ArrayBuffer | ArrayBufferView, tag: string, path: string): JsonValue {
    const bytes = ArrayBuffer.isView(value) ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength) : new Uint8Array(value);
    const fields: Record<string, JsonValue> = { byte_length: bytes.byteLength };
    const isByteArray =
      !ArrayBuffer.isView(value) || tag === 'Uint8Array' || tag === 'Int8Array' || tag === 'Uint8ClampedArray' || tag === 'DataView' || tag === 'Buffer';
    if (!isByteArray) {
      const items = value as unknown as ArrayLike<number | bigint>;
      const shown = Array.from({ length: Math.min(items.length, this.limits.maxEntries) }, (_, i) => {
        const item = items[i];
        return typeof item === 'bigint' ? item.toString() : Number.isFinite(item) ? item : String(item);
      });
      fields.length = items.length;
      fields.values = shown;
      this.spend(shown.length * 4);
      if (shown.length < items.length) this.note(`${tag} at ${path} cut to ${shown.length} of ${items.length} values`);
      return this.tagged(tag, path, fields);
    }
    let decoded: string | undefined;
    try {
      decoded = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    } catch {
      decoded = undefined;
    }
    // Control characters other than tab and newlines mean binary data that happens to decode.
    if (decoded !== undefined && !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(decoded)) {
      fields.utf8 = this.text(decoded, path, 'decoded text');
    } else {
      const shown = bytes.subarray(0, Math.min(bytes.byteLength, Math.floor(this.limits.maxStringChars / 2)));
      fields.hex = Array.from(shown, (b) => b.toString(16).padStart(2, '0')).join('');
      this.spend(fields.hex.length);
      if (shown.byteLength < bytes.byteLength) this.note(`${tag} at ${path} shown as its first ${shown.byteLength} of ${bytes.byteLength} bytes`);
    }
    return this.tagged(tag, path, fields);
  }
}
