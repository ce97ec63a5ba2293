import { randomFillSync } from 'node:crypto';

// Random bytes come from a pool refilled 256 ids at a time: one system call per 256 ids, not one each.
const pool = Buffer.alloc(16 * 256);
let offset = pool.length;

/** RFC 9562 UUIDv7: time-ordered, so ids sort roughly by creation and index well. */
export function uuidv7(now: number = Date.now()): string {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const bytes = Buffer.from(pool.subarray(offset, offset + 16));
  offset += 16;
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | ((bytes[6] ?? 0) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
