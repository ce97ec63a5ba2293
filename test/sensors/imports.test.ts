// Drive logs from ../shared/data/bgeigie: Safecast/safecastapi spec fixtures (CC0), Safecast/bGeigieNanoKit's
// sample log and juhele/CzechRad's sample (see ../shared/data/README.md).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTestApp } from '../helpers/app.js';
import { forEachDatabase } from '../helpers/databases.js';
import { assertProblem } from '../helpers/reports.js';
import {
  approvedLog,
  bgeigieSample,
  type Headers,
  type ImportJson,
  importLog,
  registerDevice,
  uploadLog,
} from '../helpers/sensors.js';

type App = Awaited<ReturnType<typeof buildTestApp>>['app'];

/** A log line with its checksum: the XOR of the bytes between `$` and `*`. */
function logLine(body: string): string {
  let sum = 0;
  for (const char of body) sum ^= char.charCodeAt(0);
  return `$${body}*${sum.toString(16).toUpperCase().padStart(2, '0')}`;
}

async function cellsNear(app: App, bbox: string) {
  const response = await app.inject({ url: `/api/v1/sensors/cells?bbox=${bbox}&zoom=9` });
  assert.equal(response.statusCode, 200, response.body);
  return response.json<{ features: { properties: { count: number } }[] }>().features;
}

const amsterdam = '4.5,52.2,5.0,52.5';

async function submit(app: App, owner: Headers, id: string) {
  return app.inject({
    method: 'POST',
    url: `/api/v1/sensors/imports/${id}/submit`,
    headers: owner,
    payload: { name: 'Drive' },
  });
}

forEachDatabase('drive-log imports', (open) => {
  test('the New York log keeps all 29 of its lines', async () => {
    const { app, as } = await buildTestApp(await open());
    const imported = await importLog(app, await as('reporter'), 'safecastapi-bgeigie_nyc.log');
    assert.deepEqual(
      [imported.status, imported.lines, imported.accepted, imported.rejected],
      ['processed', 31, 29, 0],
    );
    assert.equal(imported.summary.gps_fix_share, 0.7241);
  });

  test('the malformed log keeps its 7 good lines and lists the 4 bad ones with their numbers and reasons', async () => {
    const { app, as } = await buildTestApp(await open());
    const imported = await importLog(app, await as('reporter'), 'safecastapi-malformed_bgeigie.log');
    assert.equal(imported.accepted, 7);
    assert.deepEqual(
      imported.rejected_lines.map((line) => [line.line, line.reason]),
      [
        [6, 'invalid longitude "00010>5185"'],
        [7, 'unknown header "$BNRdD"'],
        [8, 'junk after checksum: "-"'],
        [9, 'junk after checksum: "\\r*"'],
      ],
    );
    assert.equal(imported.dead_time, true);
  });

  test('the Nano log keeps 8,511 lines and rejects the garbled one and the one cut off at power-off', async () => {
    const { app, as } = await buildTestApp(await open());
    const imported = await importLog(app, await as('reporter'), 'bGeigieNanoKit-204-0920.LOG');
    assert.equal(imported.accepted, 8_511);
    assert.deepEqual(
      imported.rejected_lines.map((line) => [line.line, line.reason]),
      [
        [7520, 'invalid longitude "13716.42949612813.30"'],
        [8515, 'line cut off (no checksum)'],
      ],
    );
  });

  test('the CzechRad log keeps all 194 lines', async () => {
    const { app, as } = await buildTestApp(await open());
    const imported = await importLog(app, await as('reporter'), 'CzechRad-data_sample.LOG');
    assert.deepEqual([imported.accepted, imported.rejected, imported.format], [194, 0, '2.0.0CzechRad']);
  });

  test('an import without a device is filed under the logger writing its serial, registered on first use', async () => {
    const { app, as } = await buildTestApp(await open());
    const owner = await as('reporter');
    const first = await importLog(app, owner, 'bGeigieNanoKit-204-0920.LOG');
    const device = (
      await app.inject({ url: `/api/v1/sensors/devices/${first.device_id}`, headers: owner })
    ).json<{
      name: string;
      serial: string;
      cpm_per_unit: number;
    }>();
    assert.deepEqual([device.name, device.serial, device.cpm_per_unit], ['bGeigie Nano 204', '204', 334]);
  });

  test('an import names the device it was logged by when the owner says so', async () => {
    const { app, as } = await buildTestApp(await open());
    const owner = await as('reporter');
    const { device } = await registerDevice(app, owner);
    const imported = await importLog(app, owner, 'safecastapi-bgeigie_nyc.log', `&device_id=${device.id}`);
    assert.equal(imported.device_id, device.id);
  });

  test('the same file twice is refused with 409 duplicate_import', async () => {
    const { app, as } = await buildTestApp(await open());
    const owner = await as('reporter');
    const first = await importLog(app, owner, 'safecastapi-bgeigie_nyc.log');
    const again = await uploadLog(app, owner, 'safecastapi-bgeigie_nyc.log');
    const problem = assertProblem(again, 409, 'duplicate_import');
    assert.match(problem.detail, new RegExp(first.id));
  });

  test('lines already stored from another file are counted as duplicates, not stored twice', async () => {
    const { app, as } = await buildTestApp(await open());
    const owner = await as('reporter');
    const first = await importLog(app, owner, 'safecastapi-bgeigie_nyc.log');
    const copy = Buffer.concat([
      Buffer.from('# copied from the card again\n'),
      bgeigieSample('safecastapi-bgeigie_nyc.log'),
    ]);
    const response = await app.inject({
      method: 'POST',
      url: `/api/v1/sensors/imports?file_name=copy.log&device_id=${first.device_id}`,
      headers: { ...owner, 'content-type': 'application/octet-stream' },
      payload: copy,
    });
    const second = response.json<ImportJson>();
    assert.deepEqual([second.accepted, second.duplicates], [29, 29]);
  });

  test('a file without one good line is refused with 422 empty_import and nothing is kept', async () => {
    const { app, as } = await buildTestApp(await open());
    const owner = await as('reporter');
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/sensors/imports?file_name=notes.txt',
      headers: { ...owner, 'content-type': 'text/plain' },
      payload: 'shopping list\neggs\n',
    });
    const problem = assertProblem(response, 422, 'empty_import');
    assert.deepEqual(
      problem.errors?.map((error) => error.field),
      ['/lines/1', '/lines/2'],
    );
    const mine = (await app.inject({ url: '/api/v1/sensors/imports?mine=true', headers: owner })).json<{
      data: unknown[];
    }>();
    assert.equal(mine.data.length, 0);
  });

  test('lines timed in the future are rejected and the rest kept', async () => {
    const { app, as } = await buildTestApp(await open());
    const log = [
      '# NEW LOG',
      logLine('BNRDD,204,2012-09-20T15:13:40Z,11,2,11,A,5218.7185,N,445.6503,E,4.80,A,6,132'),
      logLine('BNRDD,204,2099-09-20T15:13:45Z,12,2,13,A,5218.7185,N,445.6503,E,4.80,A,6,132'),
      '',
    ].join('\r\n');
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/sensors/imports?file_name=future.log',
      headers: { ...(await as('reporter')), 'content-type': 'text/plain' },
      payload: log,
    });
    const imported = response.json<ImportJson>();
    assert.equal(imported.accepted, 1);
    assert.deepEqual(
      imported.rejected_lines.map((line) => [line.line, line.reason]),
      [[3, 'timed in the future']],
    );
  });

  test('a drive log uploaded as a form file is imported like the bare file', async () => {
    const { app, as } = await buildTestApp(await open());
    const boundary = '----tally-test';
    const body = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="nyc.log"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
      bgeigieSample('safecastapi-bgeigie_nyc.log'),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/sensors/imports',
      headers: { ...(await as('reporter')), 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: body,
    });
    assert.equal(response.statusCode, 201, response.body);
    assert.deepEqual(
      [response.json<ImportJson>().accepted, response.json<ImportJson>().file_name],
      [29, 'nyc.log'],
    );
  });

  test('an import is not on the map until a volunteer approves it', async () => {
    const { app, as } = await buildTestApp(await open());
    const owner = await as('reporter');
    const imported = await importLog(app, owner, 'bGeigieNanoKit-204-0920.LOG');
    await submit(app, owner, imported.id);
    assert.equal((await cellsNear(app, amsterdam)).length, 0);
    const approved = await app.inject({
      method: 'POST',
      url: `/api/v1/sensors/imports/${imported.id}/approve`,
      headers: await as('volunteer'),
      payload: {},
    });
    assert.equal(approved.json<ImportJson>().status, 'approved');
    const cells = await cellsNear(app, amsterdam);
    assert.ok(cells.length > 0);
  });

  test('only readings with a GPS fix and a full minute of counts reach the map', async () => {
    const { app, as } = await buildTestApp(await open());
    await approvedLog(app, await as('reporter'), await as('volunteer'), 'safecastapi-bgeigie_nyc.log');
    const cells = await app.inject({ url: '/api/v1/sensors/cells?bbox=-74,41.6,-73.8,41.8&resolution=1' });
    const counted = cells.json<{ features: { properties: { count: number } }[] }>().features;
    // 21 of the 29 lines have a fix; the first 4 of those were logged before the counter had run a minute.
    assert.deepEqual(
      counted.map((cell) => cell.properties.count),
      [17],
    );
  });

  test('the public cannot see an import before it is approved; a volunteer can', async () => {
    const { app, as } = await buildTestApp(await open());
    const imported = await importLog(app, await as('reporter'), 'safecastapi-bgeigie_nyc.log');
    assertProblem(
      await app.inject({ url: `/api/v1/sensors/imports/${imported.id}` }),
      404,
      'import_not_found',
    );
    const seen = await app.inject({
      url: `/api/v1/sensors/imports/${imported.id}`,
      headers: await as('volunteer'),
    });
    assert.equal(seen.statusCode, 200);
  });

  test('a reporter may not approve an import: 403 forbidden', async () => {
    const { app, as } = await buildTestApp(await open());
    const owner = await as('reporter');
    const imported = await importLog(app, owner, 'safecastapi-bgeigie_nyc.log');
    await submit(app, owner, imported.id);
    const response = await app.inject({
      method: 'POST',
      url: `/api/v1/sensors/imports/${imported.id}/approve`,
      headers: owner,
      payload: {},
    });
    assertProblem(response, 403, 'forbidden');
  });

  test('an import its owner has not submitted cannot be approved: 409 import_state_conflict', async () => {
    const { app, as } = await buildTestApp(await open());
    const imported = await importLog(app, await as('reporter'), 'safecastapi-bgeigie_nyc.log');
    const response = await app.inject({
      method: 'POST',
      url: `/api/v1/sensors/imports/${imported.id}/approve`,
      headers: await as('volunteer'),
      payload: {},
    });
    assertProblem(response, 409, 'import_state_conflict');
  });

  test('an approved import cannot be approved again', async () => {
    const { app, as } = await buildTestApp(await open());
    const volunteer = await as('volunteer');
    const approved = await approvedLog(app, await as('reporter'), volunteer, 'safecastapi-bgeigie_nyc.log');
    const again = await app.inject({
      method: 'POST',
      url: `/api/v1/sensors/imports/${approved.id}/approve`,
      headers: volunteer,
      payload: {},
    });
    assertProblem(again, 409, 'import_state_conflict');
  });

  test('a rejection needs a reason, and a rejected import stays off the map', async () => {
    const { app, as } = await buildTestApp(await open());
    const owner = await as('reporter');
    const volunteer = await as('volunteer');
    const imported = await importLog(app, owner, 'bGeigieNanoKit-204-0920.LOG');
    await submit(app, owner, imported.id);
    const url = `/api/v1/sensors/imports/${imported.id}/reject`;
    assertProblem(
      await app.inject({ method: 'POST', url, headers: volunteer, payload: {} }),
      400,
      'validation_failed',
    );
    const rejected = await app.inject({
      method: 'POST',
      url,
      headers: volunteer,
      payload: { reason: 'The tube was in the car boot' },
    });
    assert.deepEqual(
      [rejected.json<ImportJson>().status, rejected.json<ImportJson>().decision_reason],
      ['rejected', 'The tube was in the car boot'],
    );
    assert.equal((await cellsNear(app, amsterdam)).length, 0);
  });

  test('the approval is on the public record', async () => {
    const { app, as } = await buildTestApp(await open());
    const approved = await approvedLog(
      app,
      await as('reporter'),
      await as('volunteer'),
      'CzechRad-data_sample.LOG',
    );
    const entries = (await app.inject({ url: '/api/v1/ledger/entries?start=0&end=100' })).json<{
      entries: { leaf: string }[];
    }>();
    const leaves = entries.entries.map((entry) =>
      JSON.parse(Buffer.from(entry.leaf, 'base64').toString('utf8')),
    );
    const approval = leaves.find((leaf) => leaf.action === 'import.approved');
    assert.equal(approval?.subject, `import:${approved.id}`);
    assert.match(approval?.actor, /^p-[0-9a-f]{16}$/);
  });

  test('the list of imports shows the public only approved ones', async () => {
    const { app, as } = await buildTestApp(await open());
    const owner = await as('reporter');
    const approved = await approvedLog(app, owner, await as('volunteer'), 'CzechRad-data_sample.LOG');
    await importLog(app, owner, 'safecastapi-bgeigie_nyc.log');
    const listed = (await app.inject({ url: '/api/v1/sensors/imports' })).json<{ data: ImportJson[] }>();
    assert.deepEqual(
      listed.data.map((item) => item.id),
      [approved.id],
    );
  });

  test('the public may not list imports waiting for review', async () => {
    const { app } = await buildTestApp(await open());
    assertProblem(
      await app.inject({ url: '/api/v1/sensors/imports?status=submitted' }),
      401,
      'unauthenticated',
    );
  });
});

forEachDatabase('drive-log approval rules', (open) => {
  const rules = (minApprovedImports: number, maxCpm = 5_000) => ({
    importAutoApproval: {
      enabled: true,
      minApprovedImports,
      requirePositiveCpm: true,
      maxCpm,
      minGpsFixShare: 0.9,
    },
  });

  test('an owner with an approved drive has the next clean one approved on submission', async () => {
    const { app, as } = await buildTestApp(await open(), rules(1));
    const owner = await as('reporter');
    await approvedLog(app, owner, await as('volunteer'), 'safecastapi-bgeigie_nyc.log');
    const next = await importLog(app, owner, 'CzechRad-data_sample.LOG');
    const submitted = (await submit(app, owner, next.id)).json<ImportJson>();
    assert.deepEqual([submitted.status, submitted.auto_approved], ['approved', true]);
  });

  test('a newcomer’s first drive waits for a volunteer', async () => {
    const { app, as } = await buildTestApp(await open(), rules(1));
    const owner = await as('reporter');
    const first = await importLog(app, owner, 'CzechRad-data_sample.LOG');
    assert.equal((await submit(app, owner, first.id)).json<ImportJson>().status, 'submitted');
  });

  test('a drive counting more than the plausible maximum waits for a volunteer', async () => {
    const { app, as } = await buildTestApp(await open(), rules(0, 30));
    const owner = await as('reporter');
    const drive = await importLog(app, owner, 'CzechRad-data_sample.LOG');
    assert.ok(drive.summary.max_cpm > 30);
    assert.equal((await submit(app, owner, drive.id)).json<ImportJson>().status, 'submitted');
  });

  test('a drive mostly without a GPS fix waits for a volunteer', async () => {
    const { app, as } = await buildTestApp(await open(), rules(0));
    const owner = await as('reporter');
    const drive = await importLog(app, owner, 'safecastapi-bgeigie_nyc.log');
    assert.ok(drive.summary.gps_fix_share < 0.9);
    assert.equal((await submit(app, owner, drive.id)).json<ImportJson>().status, 'submitted');
  });
});
