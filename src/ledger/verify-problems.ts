/** What both halves of `tally ledger verify` share: how problems are kept, and how column bytes are read. */
import type { JsonValue } from './canonical-json.js';
import { parseContent } from './record-content.js';

export interface VerifyProblem {
  /** The entry at fault, or null when none is (a published report that was never recorded, say). */
  index: number | null;
  message: string;
}

/** Problems as one half hands them to the other: the kept ones, and how many there were in all. */
export interface ProblemSummary {
  kept: VerifyProblem[];
  count: number;
  first: number | null;
}

export type JsonObject = { [key: string]: JsonValue };

/** Keeps the problems with the smallest indices (unindexed ones last) and counts them all. */
export class Problems {
  private kept: VerifyProblem[] = [];
  count = 0;
  first: number | null = null;

  constructor(private readonly cap: number) {}

  add(index: number | null, message: string): void {
    this.count += 1;
    if (index !== null && (this.first === null || index < this.first)) this.first = index;
    this.kept.push({ index, message });
    // Trimming only now and then keeps adding cheap when a broken log yields a problem per entry.
    if (this.kept.length >= this.cap * 4) this.trim();
  }

  /** Takes in the problems another half found. */
  absorb(other: ProblemSummary): void {
    this.kept.push(...other.kept);
    this.count += other.count;
    if (other.first !== null && (this.first === null || other.first < this.first)) this.first = other.first;
    this.trim();
  }

  list(): VerifyProblem[] {
    this.trim();
    return this.kept;
  }

  summary(): ProblemSummary {
    return { kept: this.list(), count: this.count, first: this.first };
  }

  private trim(): void {
    const rank = (problem: VerifyProblem) => problem.index ?? Number.POSITIVE_INFINITY;
    this.kept.sort((a, b) => rank(a) - rank(b));
    this.kept.length = Math.min(this.kept.length, this.cap);
  }
}

/** Column bytes as a Buffer; SQLite holds whatever type was written, so a text forged in by hand is read too. */
export function bytes(value: Uint8Array | string): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

export function parseObject(content: Uint8Array | null | undefined): JsonObject | null {
  const parsed = parseContent<JsonValue>(content ?? null);
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : null;
}
