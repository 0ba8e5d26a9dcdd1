'use strict';

const assert = require('node:assert/strict');
const http = require('node:http');
const { test } = require('node:test');
const { Inventory, createHandler } = require('../inventory');

const seed = { 'abc-1': { name: 'Cup', available: 3, unit_price: 1250 } };

test('reserve takes stock and release gives it back', () => {
  const inv = new Inventory(seed);
  const [status, reservation] = inv.reserve('abc-1', 2);
  assert.equal(status, 201);
  assert.equal(reservation.unit_price, 1250);
  assert.equal(inv.item('abc-1').available, 1);
  assert.deepEqual(inv.release(reservation.id), [204, null]);
  assert.equal(inv.item('abc-1').available, 3);
});

test('reserve refuses unknown skus, too much and bad input', () => {
  const inv = new Inventory(seed);
  assert.equal(inv.reserve('nope', 1)[0], 404);
  assert.deepEqual(inv.reserve('abc-1', 4), [409, { error: 'insufficient stock', available: 3 }]);
  assert.equal(inv.reserve('abc-1', 0)[0], 400);
  assert.equal(inv.reserve('abc-1', '1')[0], 400);
});

test('restock refills to the seed level', () => {
  const inv = new Inventory(seed);
  inv.reserve('abc-1', 2);
  assert.deepEqual(inv.restock(), ['abc-1']);
  assert.equal(inv.item('abc-1').available, 3);
  assert.deepEqual(inv.restock(), []);
});

test('the seed is not shared between instances', () => {
  new Inventory(seed).reserve('abc-1', 3);
  assert.equal(new Inventory(seed).item('abc-1').available, 3);
});

test('HTTP: items, reservations and request ids', async (t) => {
  const lines = [];
  const server = http.createServer(createHandler(new Inventory(seed), (...args) => lines.push(args)));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const base = `http://127.0.0.1:${server.address().port}`;

  const item = await fetch(`${base}/items/abc-1`, { headers: { 'X-Request-ID': 'req-7' } });
  assert.equal(item.status, 200);
  assert.equal(item.headers.get('x-request-id'), 'req-7');
  assert.deepEqual(await item.json(), { sku: 'abc-1', name: 'Cup', available: 3, unit_price: 1250 });

  assert.equal((await fetch(`${base}/items/nope`)).status, 404);

  const reserved = await fetch(`${base}/reservations`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ sku: 'abc-1', qty: 3 }),
  });
  assert.equal(reserved.status, 201);
  const { id } = await reserved.json();
  assert.ok(lines.some(([level, msg]) => level === 'warn' && msg === 'low stock'));
  assert.equal((await fetch(`${base}/reservations/${id}`, { method: 'DELETE' })).status, 204);
  assert.equal((await fetch(`${base}/items/abc-1`).then((r) => r.json())).available, 3);
});
