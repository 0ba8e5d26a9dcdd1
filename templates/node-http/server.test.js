// Unit tests for {{service}}: node --test
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const { createServer } = require('./server.js');

async function withServer(fn) {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await fn(`http://127.0.0.1:${server.address().port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

test('healthz returns ok', () => withServer(async (base) => {
  const res = await fetch(`${base}/healthz`);
  assert.strictEqual(res.status, 200);
  assert.deepStrictEqual(await res.json(), { status: 'ok' });
}));

test('request id is echoed and traceparent passed through', () => withServer(async (base) => {
  const trace = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
  const res = await fetch(`${base}/readyz`, { headers: { 'X-Request-ID': 'abc-123', traceparent: trace } });
  assert.strictEqual(res.headers.get('x-request-id'), 'abc-123');
  assert.strictEqual(res.headers.get('traceparent'), trace);
}));

test('metrics count requests', () => withServer(async (base) => {
  await fetch(`${base}/healthz`);
  const text = await (await fetch(`${base}/metrics`)).text();
  assert.match(text, /# TYPE http_requests_total counter/);
  assert.match(text, /path="\/healthz"/);
}));

test('unknown path is 404', () => withServer(async (base) => {
  assert.strictEqual((await fetch(`${base}/nope`)).status, 404);
}));
