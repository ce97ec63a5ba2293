#!/usr/bin/env node
// The `tally` command. It runs the compiled code; `npm run build` (or `npm start`) makes it.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/server/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('tally: not built yet; run `npm run build` first');
  process.exit(1);
}
const { main } = await import(entry.href);
await main(process.argv);
