import { existsSync } from 'node:fs';
import path from 'node:path';

/** The folder holding package.json, whether Tally runs from `src/` (tsx) or from `dist/server/`. */
function findProjectRoot(start: string): string {
  let dir = start;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) return start;
    dir = parent;
  }
  return dir;
}

export const projectRoot = findProjectRoot(import.meta.dirname);
export const webDistDir = path.join(projectRoot, 'dist', 'web');
