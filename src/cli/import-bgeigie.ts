import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { TallyError } from '../errors.js';
import type { ImportProgress } from '../sensors/imports.service.js';
import type { SensorImport } from '../sensors/sensor-import.js';
import type { Services } from '../services.js';

export interface ImportOptions {
  owner: string;
  device?: string;
  /** Submit each import for review with this name (the file name when empty). */
  submit?: boolean;
  name?: string;
  /** Where the progress bar and the per-file lines go (standard error). */
  out?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

const barWidth = 24;

/** A one-line bar redrawn in place on a terminal; nothing but the final lines when piped to a file. */
function progressBar(out: ImportOptions['out'], label: string): ImportProgress {
  if (!out?.isTTY) return () => {};
  return (stage, done, total) => {
    const share = total === 0 ? 1 : done / total;
    const filled = Math.round(share * barWidth);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}`;
    const line = `${bar} ${String(Math.round(share * 100)).padStart(3)}% ${stage} ${label}`;
    out.write(`\r${line.slice(0, (out.columns ?? 100) - 1)}\u001b[K`);
  };
}

function describe(item: SensorImport, file: string): string {
  const parts = [
    `${file}: ${item.status}`,
    `${item.lineCount} lines`,
    `${item.acceptedCount} accepted`,
    `${item.duplicateCount} already stored`,
    `${item.rejectedCount} rejected`,
    `import ${item.id}`,
  ];
  return parts.join(', ');
}

/**
 * `tally import bgeigie FILE…`: each file imported as the owner's, with its rejected lines listed by number
 * and reason. A file that cannot be imported (already imported, no good line) is reported and the others
 * go on; the exit code says whether any failed.
 */
export async function importBgeigieFiles(
  services: Services,
  files: readonly string[],
  options: ImportOptions,
): Promise<number> {
  const out = options.out ?? process.stderr;
  const owner = await services.accounts.actAs(options.owner);
  let failed = 0;
  for (const [index, file] of files.entries()) {
    const label = `${path.basename(file)} (${index + 1}/${files.length})`;
    try {
      const bytes = await readFile(file);
      const upload = {
        fileName: path.basename(file),
        bytes,
        ...(options.device ? { deviceId: options.device } : {}),
      };
      let item = await services.imports.importBgeigie(owner, upload, progressBar(out, label));
      if (out.isTTY) out.write('\r\u001b[K');
      if (options.submit) {
        item = await services.imports.submit(owner, item.id, { name: options.name || path.basename(file) });
      }
      out.write(`${describe(item, file)}\n`);
      for (const rejected of item.rejectedLines) out.write(`  line ${rejected.line}: ${rejected.reason}\n`);
      if (item.rejectedCount > item.rejectedLines.length) {
        out.write(`  … and ${item.rejectedCount - item.rejectedLines.length} more rejected lines\n`);
      }
    } catch (error) {
      if (out.isTTY) out.write('\r\u001b[K');
      if (!(error instanceof TallyError) && !isFileError(error)) throw error;
      failed += 1;
      out.write(`${file}: not imported: ${(error as Error).message}\n`);
      if (error instanceof TallyError && error.errors) {
        for (const problem of error.errors) out.write(`  ${problem.field}: ${problem.message}\n`);
      }
    }
  }
  return failed;
}

function isFileError(error: unknown): boolean {
  return (
    error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code.startsWith('E')
  );
}
