import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { type TestContext, test } from 'node:test';
import { TallyError } from '../errors.js';
import { outboundRequest } from './http.js';
import { OutboundPolicy } from './policy.js';

/** A local HTTP server answering with `answer`; each request is kept for the test to look at. */
async function server(
  t: TestContext,
  answer: (request: IncomingMessage) => [number, Record<string, string>],
) {
  const seen: { method: string; url: string; host: string }[] = [];
  const http = createServer((request, response) => {
    seen.push({ method: request.method ?? '', url: request.url ?? '', host: request.headers.host ?? '' });
    const [status, headers] = answer(request);
    request.resume();
    response.writeHead(status, headers).end('answer');
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => http.close(() => resolve())));
  return { port: (http.address() as { port: number }).port, seen };
}

test('a request goes to the checked address with the host name as Host, and path and query as given', async (t) => {
  const { port, seen } = await server(t, () => [200, {}]);
  const policy = new OutboundPolicy([`localhost:${port}`]);
  const response = await outboundRequest(policy, `http://localhost:${port}/cgi-bin/sendsms?to=%2B254&x=1`);
  assert.equal(response.status, 200);
  assert.equal(response.body.toString(), 'answer');
  assert.deepEqual(seen, [
    { method: 'GET', url: '/cgi-bin/sendsms?to=%2B254&x=1', host: `localhost:${port}` },
  ]);
});

test('a redirect to a target the policy refuses is not followed', async (t) => {
  const { port, seen } = await server(t, () => [302, { location: `http://127.0.0.1:${port}/inside` }]);
  const policy = new OutboundPolicy(['localhost']);
  await assert.rejects(
    outboundRequest(policy, `http://localhost:${port}/`, { maxRedirects: 5 }),
    (error: unknown) => error instanceof TallyError && error.code === 'outbound_target_refused',
  );
  assert.equal(seen.length, 1);
});

test('a redirect to an allowed target is followed, and a POST becomes a GET after a 303', async (t) => {
  const { port, seen } = await server(t, (request) =>
    request.url === '/done' ? [200, {}] : [303, { location: '/done' }],
  );
  const policy = new OutboundPolicy(['localhost']);
  const response = await outboundRequest(policy, `http://localhost:${port}/send`, {
    method: 'POST',
    body: 'text=hello',
    maxRedirects: 5,
  });
  assert.equal(response.status, 200);
  assert.deepEqual(
    seen.map(({ method, url }) => `${method} ${url}`),
    ['POST /send', 'GET /done'],
  );
});

test('without maxRedirects the redirect itself is the answer', async (t) => {
  const { port } = await server(t, () => [301, { location: 'https://example.org/' }]);
  const response = await outboundRequest(new OutboundPolicy(['localhost']), `http://localhost:${port}/`);
  assert.equal(response.status, 301);
});
