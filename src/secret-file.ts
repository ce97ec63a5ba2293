import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A secret kept in the data directory (readable by its owner only), made by `create` the first time and
 * read as it is ever after. The file is written whole under a name of its own, then linked into place:
 * another process starting at the same moment never reads it half-written, and a link fails if one of them
 * linked its secret first, so everyone ends up with that one.
 */
export function readOrCreateSecretFile(file: string, create: () => string): string {
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    const draft = `${file}.${process.pid}.${Date.now()}`;
    try {
      writeFileSync(draft, create(), { mode: 0o600, flag: 'wx' });
      linkSync(draft, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      rmSync(draft, { force: true });
    }
  }
  return readFileSync(file, 'utf8');
}
