#!/usr/bin/env node
// The `tally` command. It runs the bundled server that `npm run build` (or `npm start`) makes.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/tally.mjs', import.meta.url);
if (!existsSync(bundle)) {
  console.error('tally: not built yet; run `npm run build` first');
  process.exit(1);
}
const { main } = await import(bundle.href);
await main(process.argv);
