import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';
import { basemap } from './basemap-plugin.ts';
import { siteHeader } from './site-header.ts';

const root = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root,
  base: '/',
  publicDir: resolve(root, 'public'),
  plugins: [preact(), basemap(), siteHeader()],
  worker: { format: 'es' },
  build: {
    outDir: resolve(root, '../dist/web'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // MapLibre is one large module, loaded only by pages that show a map.
    chunkSizeWarningLimit: 1200,
    rolldownOptions: {
      input: {
        index: resolve(root, 'index.html'),
        report: resolve(root, 'report.html'),
        volunteer: resolve(root, 'volunteer.html'),
        'report-page': resolve(root, 'report-page.html'),
        about: resolve(root, 'about.html'),
        sensors: resolve(root, 'sensors.html'),
        account: resolve(root, 'account.html'),
      },
    },
  },
  server: {
    // During `vite` development the API comes from a running `tally serve`.
    proxy: { '/api': process.env.TALLY_API ?? 'http://127.0.0.1:8080' },
  },
});
