import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import type { Role } from '../../src/accounts/roles.js';
import { type App, buildApp } from '../../src/app.js';
import { systemClock } from '../../src/clock.js';
import { type Config, loadConfig } from '../../src/config.js';
import { createServices, type Services } from '../../src/services.js';
import type { TestDb } from './databases.js';

export const testPassword = 'correct horse battery staple';

/**
 * `outboundAllowedHosts` for tests whose gateways, mail servers, brokers or origins listen on this machine:
 * the outbound policy refuses loopback unless the operator allows it, and so do the tests.
 */
export const localTargets = ['127.0.0.1', 'localhost'];

export function testConfig(overrides: Partial<Config> = {}): Config {
  return loadConfig(
    { TALLY_DATA_DIR: '/tmp/tally-test-unused', TALLY_LOG_LEVEL: 'silent' },
    { webDir: null, ...overrides },
  );
}

export interface TestApp {
  app: App;
  services: Services;
  db: TestDb;
  /** Creates a user with the role and returns a bearer token for it. */
  tokenFor(role: Role): Promise<string>;
  /** `Authorization` headers for a freshly made user of that role. */
  as(role: Role): Promise<{ authorization: string }>;
}

export async function buildTestApp(db: TestDb, overrides: Partial<Config> = {}): Promise<TestApp> {
  const config = testConfig(overrides);
  const services = await createServices(db, systemClock, config);
  const app = await buildApp(config, { db, services, logger: false });
  const { accounts } = services;
  const tokenFor = async (role: Role) => {
    const email = `${role}-${randomUUID()}@example.org`;
    await accounts.addUser({ email, password: testPassword, role });
    return (await accounts.login(email, testPassword)).token;
  };
  return {
    app,
    services,
    db,
    tokenFor,
    as: async (role) => ({ authorization: `Bearer ${await tokenFor(role)}` }),
  };
}

/** The parsed JSON body of a response, typed loosely for assertions. */
export function json<T = Record<string, unknown>>(response: LightMyRequestResponse): T {
  return response.json() as T;
}

export const kiberaReport = {
  title: 'Burst water pipe flooding the road',
  description: 'Water has been running since 6am near the Olympic estate gate; children cannot cross.',
  location: { lat: -1.3133, lon: 36.7876, name: 'Kibera, Nairobi' },
  author_name: 'Wanjiru',
  contact: '+254722000111',
};
