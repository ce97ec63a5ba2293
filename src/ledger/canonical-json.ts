/**
 * RFC 8785 JSON Canonicalization Scheme: the one byte sequence for a JSON value, so that anyone can
 * recompute a ledger leaf's hash in any language. Object keys sorted by UTF-16 code units, no white space,
 * numbers and strings as ECMAScript's JSON.stringify writes them.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export function canonicalJson(value: JsonValue): string {
  // Every report published and every entry verified passes through here. JSON.stringify already writes
  // strings and numbers as RFC 8785 asks and keeps keys in insertion order, so a copy with sorted keys goes
  // through it in one native call, several times faster than writing each member here. Objects enumerate
  // integer-like keys first whatever the insertion order, so a value holding one is written by hand.
  const sorted = withSortedKeys(value);
  return sorted === integerKeys ? writeCanonical(value) : JSON.stringify(sorted);
}

const integerKeys = Symbol('integer-like keys');

function withSortedKeys(value: JsonValue): JsonValue | typeof integerKeys {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('canonical JSON has no NaN or Infinity');
    return value;
  }
  if (Array.isArray(value)) {
    const items: JsonValue[] = [];
    for (const item of value) {
      if (item === undefined) throw new TypeError('canonical JSON cannot hold undefined in an array');
      const sorted = withSortedKeys(item);
      if (sorted === integerKeys) return integerKeys;
      items.push(sorted);
    }
    return items;
  }
  if (typeof value === 'object') {
    // The default sort compares UTF-16 code units, which is exactly what RFC 8785 asks for.
    const keys = Object.keys(value).sort();
    const sorted: { [key: string]: JsonValue } = {};
    for (const key of keys) {
      const member = value[key];
      if (member === undefined) continue;
      if (isArrayIndex(key)) return integerKeys;
      const inner = withSortedKeys(member);
      if (inner === integerKeys) return integerKeys;
      sorted[key] = inner;
    }
    return sorted;
  }
  throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
}

function isArrayIndex(key: string): boolean {
  return /^(0|[1-9]\d*)$/.test(key) && Number(key) < 2 ** 32 - 1;
}

/** The same canonical form, member by member. */
function writeCanonical(value: JsonValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(writeCanonical).join(',')}]`;
  const members: string[] = [];
  for (const key of Object.keys(value).sort()) {
    const member = value[key];
    if (member !== undefined) members.push(`${JSON.stringify(key)}:${writeCanonical(member)}`);
  }
  return `{${members.join(',')}}`;
}

/** Whether two JSON values have the same canonical form, without building it. */
export function sameJson(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  // Members that are undefined are not written, so they do not count.
  let count = 0;
  for (const key in a) {
    if (a[key] === undefined) continue;
    if (!sameJson(a[key], b[key])) return false;
    count++;
  }
  for (const key in b) if (b[key] !== undefined) count--;
  return count === 0;
}
