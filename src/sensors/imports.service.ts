import { createHash } from 'node:crypto';
import { refuseOwnWork } from '../accounts/four-eyes.js';
import { type Actor, hasRole, requireRole } from '../accounts/roles.js';
import type { Clock } from '../clock.js';
import type { ImportAutoApproval } from '../config.js';
import { TallyError, validationError } from '../errors.js';
import { uuidv7 } from '../ids.js';
import type { PublicRecord, RecordActor } from '../ledger/public-record.js';
import {
  type BgeigieLine,
  type BgeigieLog,
  BgeigieLogParser,
  type RejectedBgeigieLine,
} from './decoders/bgeigie.js';
import type { Device } from './device.js';
import type { DevicesService } from './devices.service.js';
import type { ImportFilter, ImportsRepository } from './imports.repository.js';
import { doseRate, futureToleranceMs, type NewReading, readingFlags } from './reading.js';
import {
  type ImportMetadata,
  type ImportStatus,
  rejectedLinesKept,
  type SensorImport,
  summarize,
} from './sensor-import.js';

/** How far an import has got: the share of the file's bytes parsed, then storing. */
export type ImportProgress = (stage: 'parsing' | 'storing', done: number, total: number) => void;

/** Parsed a piece at a time, so a progress bar can follow a large file. */
const parseChunkBytes = 1024 * 1024;

function parseInPieces(bytes: Buffer, progress: ImportProgress | undefined): BgeigieLog {
  const parser = new BgeigieLogParser();
  const decoder = new TextDecoder('utf-8');
  const lines: BgeigieLine[] = [];
  const rejected: RejectedBgeigieLine[] = [];
  const keep = (batch: { lines: BgeigieLine[]; rejected: RejectedBgeigieLine[] }) => {
    for (const line of batch.lines) lines.push(line);
    for (const line of batch.rejected) rejected.push(line);
  };
  for (let start = 0; start < bytes.length; start += parseChunkBytes) {
    const end = Math.min(bytes.length, start + parseChunkBytes);
    keep(parser.push(decoder.decode(bytes.subarray(start, end), { stream: end < bytes.length })));
    progress?.('parsing', end, bytes.length);
  }
  keep(parser.end());
  return { lines, rejected, format: parser.format, deadTime: parser.deadTime, lineCount: parser.lineCount };
}

export interface BgeigieUpload {
  fileName: string;
  bytes: Buffer;
  /** The owner's device that logged it; when absent, the one writing the log's serial (registered if new). */
  deviceId?: string;
}

/** The drive-logger models by the header their lines start with. */
const modelByHeader: Record<string, string> = {
  $BNRDD: 'bGeigie Nano',
  $BNXRDD: 'bGeigie Nano',
  $BGRDD: 'bGeigie',
  $BMRDD: 'bGeigie Mini',
  $CZRDD: 'CzechRad',
  $CZRA1: 'CzechRad',
  $PNTDD: 'Pointcast',
};

/**
 * Drive logs: imported (every good line kept, every bad one listed), submitted by their owner with a
 * description, then approved or rejected by a volunteer, or approved by the deployment's rules. Only
 * approved readings reach the map and the open data; each decision is on the public record.
 */
export class ImportsService {
  constructor(
    private readonly imports: ImportsRepository,
    private readonly devices: DevicesService,
    private readonly record: PublicRecord,
    private readonly clock: Clock,
    private readonly autoApproval: ImportAutoApproval,
    /** Whether one may approve or reject one's own drive log (a one-person deployment). */
    private readonly allowSelfReview = false,
  ) {}

  async importBgeigie(actor: Actor, upload: BgeigieUpload, progress?: ImportProgress): Promise<SensorImport> {
    const owner = requireRole(actor, 'reporter', 'import a drive log');
    const md5 = createHash('md5').update(upload.bytes).digest('hex');
    const earlier = await this.imports.findByMd5(owner.userId, md5);
    if (earlier) {
      throw new TallyError('duplicate_import', `${upload.fileName} was already imported as ${earlier.id}`);
    }
    const log = parseInPieces(upload.bytes, progress);
    const nowMs = this.clock.now().getTime();
    const { lines, future } = splitFuture(log.lines, nowMs);
    const rejected = [
      ...log.rejected,
      ...future.map((line) => ({
        line: line.line,
        reason: 'timed in the future',
        text: line.text.slice(0, 200),
      })),
    ].sort((a, b) => a.line - b.line);
    const first = lines[0];
    if (!first) {
      const shown = rejected
        .slice(0, 20)
        .map((line) => ({ field: `/lines/${line.line}`, message: line.reason }));
      throw new TallyError(
        'empty_import',
        `None of the ${log.lineCount} lines of ${upload.fileName} is a good drive-log line`,
        shown,
      );
    }
    const device = upload.deviceId
      ? await this.devices.owned(owner, upload.deviceId)
      : await this.devices.forLogSerial(owner, first.deviceSerial, modelByHeader[first.header] ?? 'bGeigie');
    const factor = this.countsFactor(device);
    const id = uuidv7();
    const readings = toReadings(lines, device, factor, id, nowMs);
    // A fixed station's log places it by its GPS, which is its owner's home: its readings, summary and
    // rejected lines must say no more than where the public sees the device.
    const hidden = hidesItsPlace(device);
    const shownRejected = hidden ? rejected.map((line) => ({ ...line, text: '' })) : rejected;
    const item: SensorImport = {
      id,
      ownerId: owner.userId,
      deviceId: device.id,
      kind: 'bgeigie',
      fileName: upload.fileName,
      md5,
      sizeBytes: upload.bytes.length,
      status: 'processed',
      format: log.format,
      deadTime: log.deadTime,
      lineCount: log.lineCount,
      acceptedCount: lines.length,
      // Two lines of one file at the same instant: the first is stored, the second is a duplicate.
      duplicateCount: 0,
      rejectedCount: rejected.length,
      rejectedLines: shownRejected.slice(0, rejectedLinesKept),
      metadata: {},
      summary: summarize(lines, device.mobility === 'fixed' ? device.publicLocation : undefined),
      createdAt: new Date(nowMs).toISOString(),
      submittedAt: null,
      decidedAt: null,
      decidedBy: null,
      decisionReason: null,
    };
    progress?.('storing', 0, readings.length);
    const stored = await this.imports.insert(item, readings);
    progress?.('storing', readings.length, readings.length);
    return stored;
  }

  /** The owner asks for review; the deployment's rules may approve it at once. */
  async submit(actor: Actor, id: string, metadata: ImportMetadata): Promise<SensorImport> {
    const owner = requireRole(actor, 'reporter', 'submit a drive log');
    const current = await this.get(owner, id);
    if (current.ownerId !== owner.userId)
      throw new TallyError('forbidden', 'Only its owner may submit a drive log');
    const submitted: SensorImport = {
      ...current,
      status: 'submitted',
      metadata: { ...current.metadata, ...metadata },
      submittedAt: this.clock.now().toISOString(),
    };
    await this.move(submitted, 'processed', []);
    if (await this.meetsApprovalRules(submitted)) {
      return this.decide(submitted, 'approved', 'rule:auto-approve', 'rule:auto-approve', null);
    }
    return submitted;
  }

  async approve(actor: Actor, id: string, reason: string | null): Promise<SensorImport> {
    const reviewer = requireRole(actor, 'volunteer', 'approve drive logs');
    const current = await this.get(reviewer, id);
    refuseOwnWork(reviewer, current.ownerId, this.allowSelfReview, 'You may not approve your own drive log');
    return this.decide(current, 'approved', reviewer, reviewer.userId, reason);
  }

  async reject(actor: Actor, id: string, reason: string): Promise<SensorImport> {
    const reviewer = requireRole(actor, 'volunteer', 'reject drive logs');
    if (!reason.trim()) throw validationError('/reason', 'say why, so the owner can fix it');
    const current = await this.get(reviewer, id);
    refuseOwnWork(reviewer, current.ownerId, this.allowSelfReview, 'You may not reject your own drive log');
    return this.decide(current, 'rejected', reviewer, reviewer.userId, reason.trim());
  }

  /** Approved imports for anyone; the owner's own and, for volunteers, all the others too. */
  async get(actor: Actor, id: string): Promise<SensorImport> {
    const item = await this.imports.findById(id);
    if (!item || !mayRead(actor, item)) throw new TallyError('import_not_found', `No import ${id}`);
    return item;
  }

  async list(
    actor: Actor,
    filter: ImportFilter & { mine?: boolean },
    limit: number,
  ): Promise<SensorImport[]> {
    if (filter.mine) {
      const owner = requireRole(actor, 'reporter', 'list your imports');
      return this.imports.list({ ...filter, ownerId: owner.userId }, limit);
    }
    if (hasRole(actor, 'volunteer')) return this.imports.list(filter, limit);
    if (filter.status && filter.status !== 'approved') {
      requireRole(actor, 'volunteer', 'see drive logs waiting for review');
    }
    return this.imports.list({ ...filter, status: 'approved' }, limit);
  }

  private async decide(
    current: SensorImport,
    status: Extract<ImportStatus, 'approved' | 'rejected'>,
    actor: RecordActor,
    decidedBy: string,
    reason: string | null,
  ): Promise<SensorImport> {
    const decided: SensorImport = {
      ...current,
      status,
      decidedAt: this.clock.now().toISOString(),
      decidedBy,
      decisionReason: reason,
    };
    const content = {
      id: decided.id,
      device: decided.deviceId,
      md5: decided.md5,
      lines: decided.lineCount,
      accepted: decided.acceptedCount,
      duplicates: decided.duplicateCount,
      rejected: decided.rejectedCount,
      name: decided.metadata.name ?? null,
      cities: decided.metadata.cities ?? null,
      first_captured_at: decided.summary.firstCapturedAt,
      last_captured_at: decided.summary.lastCapturedAt,
      reason,
    };
    const action = status === 'approved' ? 'import.approved' : 'import.rejected';
    await this.move(decided, 'submitted', [
      this.record.change(action, `import:${decided.id}`, actor, content),
    ]);
    return decided;
  }

  private async move(
    item: SensorImport,
    from: ImportStatus,
    changes: Parameters<ImportsRepository['transition']>[2],
  ) {
    if (!(await this.imports.transition(item, from, changes))) {
      const now = await this.imports.findById(item.id);
      throw new TallyError(
        'import_state_conflict',
        `Import ${item.id} is ${now?.status ?? 'gone'}; only a ${from} import can become ${item.status}`,
      );
    }
  }

  private async meetsApprovalRules(item: SensorImport): Promise<boolean> {
    const rules = this.autoApproval;
    if (!rules.enabled) return false;
    const { minCpm, maxCpm, gpsFixShare } = item.summary;
    if (minCpm === null || maxCpm === null) return false;
    if (rules.requirePositiveCpm && !(minCpm > 0)) return false;
    if (maxCpm > rules.maxCpm) return false;
    if (gpsFixShare < rules.minGpsFixShare) return false;
    return (await this.imports.countApproved(item.ownerId)) >= rules.minApprovedImports;
  }

  private countsFactor(device: Device): number {
    if (device.quantity !== 'radiation' || !device.cpmPerUnit) {
      throw validationError(
        '/device_id',
        `device ${device.id} is not a radiation counter with a conversion factor (cpm_per_unit)`,
      );
    }
    return device.cpmPerUnit;
  }
}

function mayRead(actor: Actor, item: SensorImport): boolean {
  if (item.status === 'approved') return true;
  if (actor.kind !== 'user') return false;
  return item.ownerId === actor.userId || hasRole(actor, 'volunteer');
}

function splitFuture(lines: readonly BgeigieLine[], nowMs: number) {
  const limit = nowMs + futureToleranceMs;
  const kept: BgeigieLine[] = [];
  const future: BgeigieLine[] = [];
  for (const line of lines) (line.capturedAt > limit ? future : kept).push(line);
  return { lines: kept, future };
}

/** A fixed device shown at the centre of its hexagon rather than at its place. */
function hidesItsPlace(device: Device): boolean {
  return device.mobility === 'fixed' && device.locationPrecision === 'coarse';
}

/**
 * A fixed device's lines are placed where the public sees the device, as its live readings are: a station
 * does not drive, and a coarse one's GPS positions are the home its owner chose to hide.
 */
function toReadings(
  lines: readonly BgeigieLine[],
  device: Device,
  factor: number,
  importId: string,
  receivedMs: number,
): NewReading[] {
  const fixedAt = device.mobility === 'fixed' ? (device.publicLocation ?? null) : undefined;
  return lines.map((line) => ({
    deviceId: device.id,
    quantity: 'radiation',
    capturedMs: line.capturedAt,
    value: doseRate(line.cpm, factor),
    cpm: line.cpm,
    lat: fixedAt === undefined ? line.lat : (fixedAt?.lat ?? null),
    lon: fixedAt === undefined ? line.lon : (fixedAt?.lon ?? null),
    altitude: fixedAt === undefined ? line.altitude : null,
    flags: (line.gpsValid ? 0 : readingFlags.noGpsFix) | (line.cpmValid ? 0 : readingFlags.countsNotValid),
    importId,
    line: line.line,
    receivedMs,
  }));
}
