import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
// @ts-expect-error: a plain JavaScript build script without type declarations
import { bundleServer } from '../../scripts/bundle-server.mjs';
import { projectRoot } from '../../src/paths.js';

test('the bundled server that npm start runs serves the API', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tally-bundle-'));
  // Inside the project, so the packages left out of the bundle resolve from node_modules as in dist/.
  mkdirSync(path.join(projectRoot, 'dist'), { recursive: true });
  const bundleDir = mkdtempSync(path.join(projectRoot, 'dist', 'test-bundle-'));
  const bundle = (await bundleServer(path.join(bundleDir, 'tally.mjs'))) as string;
  const child = spawn(process.execPath, [bundle, 'serve'], {
    env: {
      ...process.env,
      TALLY_DATA_DIR: dir,
      TALLY_PORT: '0',
      TALLY_HOST: '127.0.0.1',
      TALLY_LOG_LEVEL: 'silent',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let said = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        said += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(said);
        if (match?.[1]) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`the bundle exited with ${code}: ${said}`)));
    });
    const health = (await (await fetch(`${url}/api/v1/health`)).json()) as {
      status: string;
      database: string;
    };
    assert.deepEqual([health.status, health.database], ['ok', 'sqlite']);
    const places = (await (await fetch(`${url}/api/v1/geo/places?q=Nairobi&limit=1`)).json()) as {
      items: { country: string }[];
    };
    assert.equal(places.items[0]?.country, 'KE');
    assert.equal((await fetch(`${url}/api/docs`)).status, 200);
  } finally {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
    rmSync(bundleDir, { recursive: true, force: true });
  }
});
