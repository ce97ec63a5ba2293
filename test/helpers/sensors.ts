import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { App } from '../../src/app.js';
import { projectRoot } from '../../src/paths.js';

/** The real sample files beside the project (see ../shared/data/README.md for their sources and licences). */
export const sharedData = path.resolve(projectRoot, '..', 'shared', 'data');

export function bgeigieSample(name: string): Buffer {
  return readFileSync(path.join(sharedData, 'bgeigie', name));
}

export function sensorSample(name: string): unknown {
  return JSON.parse(readFileSync(path.join(sharedData, 'sensors', name), 'utf8'));
}

export type Headers = { authorization: string };

export interface DeviceJson {
  id: string;
  name: string;
  quantity: string;
  cpm_per_unit: number | null;
  mobility: string;
  location: { lat: number; lon: number } | null;
  exact_location?: { lat: number; lon: number } | null;
  location_precision: string;
  last_reading_at: string | null;
  [key: string]: unknown;
}

export interface ImportJson {
  id: string;
  device_id: string;
  status: string;
  lines: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  rejected_lines: { line: number; reason: string; text: string }[];
  summary: { min_cpm: number; max_cpm: number; gps_fix_share: number; bbox: number[] | null };
  auto_approved: boolean;
  [key: string]: unknown;
}

export const bgeigieNano = {
  name: 'Drive logger',
  model: 'bGeigie Nano',
  sensor: 'LND 7317',
  mobility: 'mobile',
};

export async function registerDevice(
  app: App,
  owner: Headers,
  body: Record<string, unknown> = bgeigieNano,
): Promise<{ device: DeviceJson; token: string }> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/sensors/devices',
    headers: owner,
    payload: body,
  });
  assert.equal(response.statusCode, 201, response.body);
  return response.json();
}

export function uploadLog(app: App, owner: Headers, file: string, query = '') {
  return app.inject({
    method: 'POST',
    url: `/api/v1/sensors/imports?file_name=${encodeURIComponent(file)}${query}`,
    headers: { ...owner, 'content-type': 'application/octet-stream' },
    payload: bgeigieSample(file),
  });
}

export async function importLog(app: App, owner: Headers, file: string, query = ''): Promise<ImportJson> {
  const response = await uploadLog(app, owner, file, query);
  assert.equal(response.statusCode, 201, response.body);
  return response.json();
}

/** Imported and submitted by its owner, with its file name as its name: awaiting review. */
export async function submittedLog(app: App, owner: Headers, file: string, query = ''): Promise<ImportJson> {
  const imported = await importLog(app, owner, file, query);
  const submitted = await app.inject({
    method: 'POST',
    url: `/api/v1/sensors/imports/${imported.id}/submit`,
    headers: owner,
    payload: { name: file },
  });
  assert.equal(submitted.statusCode, 200, submitted.body);
  return submitted.json();
}

/** Imported, submitted by its owner and approved by a volunteer: on the map. */
export async function approvedLog(
  app: App,
  owner: Headers,
  volunteer: Headers,
  file: string,
  query = '',
): Promise<ImportJson> {
  const submitted = await submittedLog(app, owner, file, query);
  const approved = await app.inject({
    method: 'POST',
    url: `/api/v1/sensors/imports/${submitted.id}/approve`,
    headers: volunteer,
    payload: {},
  });
  assert.equal(approved.statusCode, 200, approved.body);
  return approved.json();
}

export function sendReadings(app: App, token: string, readings: unknown) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/sensors/readings',
    headers: { authorization: `Bearer ${token}` },
    payload: readings as Record<string, unknown>,
  });
}
