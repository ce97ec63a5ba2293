/**
 * Reports that could not be sent are kept in localStorage until a send succeeds. Each carries a key made on
 * this device and sent as `Idempotency-Key`, so a report whose answer was lost on the way is not created
 * twice when the server honours the header.
 */
import type { FormValues, ReportBody } from './payload';

export interface QueuedReport {
  key: string;
  saved_at: string;
  body: ReportBody;
  values: FormValues;
}

const STORAGE_KEY = 'tally.report-queue.v1';

export function newKey(): string {
  if (typeof crypto !== 'undefined' && 'randomUUID' in crypto) {
    try {
      return crypto.randomUUID();
    } catch {
      // randomUUID exists only in secure contexts on some browsers; fall through.
    }
  }
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function readQueue(): QueuedReport[] {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    return Array.isArray(parsed) ? (parsed as QueuedReport[]) : [];
  } catch {
    return [];
  }
}

function writeQueue(queue: QueuedReport[]): void {
  if (queue.length === 0) localStorage.removeItem(STORAGE_KEY);
  else localStorage.setItem(STORAGE_KEY, JSON.stringify(queue));
}

/** Returns false when the browser refuses to store it (private mode, storage full). */
export function enqueue(item: QueuedReport): boolean {
  try {
    writeQueue([...readQueue().filter((q) => q.key !== item.key), item]);
    return true;
  } catch {
    return false;
  }
}

export function dequeue(key: string): void {
  try {
    writeQueue(readQueue().filter((q) => q.key !== key));
  } catch {
    // Nothing more can be done; the next send will be answered as a duplicate if the server dedupes.
  }
}

/**
 * Runs `task` with no other tab of this site doing the same, where the browser can promise that; otherwise
 * just runs it.
 */
export async function exclusively<T>(task: () => Promise<T>): Promise<T> {
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  if (!locks) return task();
  return locks.request('tally-report-queue', task);
}
