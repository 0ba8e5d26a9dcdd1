'use strict';
// inventory: stock levels and reservations, kept in memory (one replica owns them).

const { randomUUID } = require('node:crypto');

const SEED = {
  'abc-1': { name: 'Espresso cup', available: 500, unit_price: 1250 },
  'xyz-2': { name: 'Milk jug', available: 200, unit_price: 2900 },
  'gpu-9': { name: 'Grinder', available: 3, unit_price: 8900 },
};
const LOW_STOCK = 5;

const levels = { debug: 10, info: 20, warn: 30, error: 40 };

function makeLogger(minLevel = process.env.LOG_LEVEL || 'info', out = process.stdout, err = process.stderr) {
  return (level, msg, fields = {}) => {
    if (levels[level] < (levels[minLevel] ?? 20)) return;
    const line = JSON.stringify({ ts: new Date().toISOString(), level, msg, ...fields }) + '\n';
    (levels[level] >= levels.warn ? err : out).write(line);
  };
}

class Inventory {
  constructor(seed = SEED) {
    this.seed = seed;
    this.items = new Map(Object.entries(structuredClone(seed)));
    this.reservations = new Map();
  }

  // A supplier delivery: tops every item back up to its seed level. Returns the skus refilled.
  restock() {
    const refilled = [];
    for (const [sku, item] of this.items) {
      if (item.available < this.seed[sku].available) {
        item.available = this.seed[sku].available;
        refilled.push(sku);
      }
    }
    return refilled;
  }

  item(sku) {
    const item = this.items.get(sku);
    return item && { sku, ...item };
  }

  list() {
    return [...this.items.keys()].map((sku) => this.item(sku));
  }

  // Returns [status, body] so the HTTP layer stays a thin mapping.
  reserve(sku, qty) {
    if (typeof sku !== 'string' || !Number.isInteger(qty) || qty < 1) {
      return [400, { error: 'expected {"sku": string, "qty": integer >= 1}' }];
    }
    const item = this.items.get(sku);
    if (!item) return [404, { error: `unknown sku ${sku}` }];
    if (item.available < qty) return [409, { error: 'insufficient stock', available: item.available }];
    item.available -= qty;
    const reservation = { id: `res-${randomUUID().slice(0, 8)}`, sku, qty, unit_price: item.unit_price };
    this.reservations.set(reservation.id, reservation);
    return [201, { ...reservation, available: item.available }];
  }

  release(id) {
    const reservation = this.reservations.get(id);
    if (!reservation) return [404, { error: `unknown reservation ${id}` }];
    this.reservations.delete(id);
    this.items.get(reservation.sku).available += reservation.qty;
    return [204, null];
  }
}

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  try {
    return JSON.parse(Buffer.concat(chunks).toString() || 'null');
  } catch {
    return null;
  }
}

function createHandler(inventory, log) {
  async function route(req, path) {
    let m;
    if (req.method === 'GET' && path === '/items') return [200, { items: inventory.list() }];
    if (req.method === 'GET' && (m = path.match(/^\/items\/([\w-]+)$/))) {
      const item = inventory.item(m[1]);
      return item ? [200, item] : [404, { error: `unknown sku ${m[1]}` }];
    }
    if (req.method === 'POST' && path === '/reservations') {
      const body = (await readJson(req)) || {};
      return inventory.reserve(body.sku, body.qty);
    }
    if (req.method === 'DELETE' && (m = path.match(/^\/reservations\/([\w-]+)$/))) return inventory.release(m[1]);
    return [404, { error: `no route for ${req.method} ${path}` }];
  }

  return async (req, res) => {
    const requestId = req.headers['x-request-id'] || randomUUID().replaceAll('-', '');
    const path = new URL(req.url, 'http://localhost').pathname;
    let status, body;
    try {
      [status, body] = await route(req, path);
    } catch (err) {
      log('error', 'request failed', { request_id: requestId, error: String(err) });
      [status, body] = [500, { error: 'internal error' }];
    }
    const data = body === null ? '' : JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(data),
      'X-Request-ID': requestId,
    });
    res.end(data);
    log('info', 'request', { request_id: requestId, method: req.method, path, status });
    if (status === 201 && body.available < LOW_STOCK) {
      log('warn', 'low stock', { request_id: requestId, sku: body.sku, available: body.available });
    }
  };
}

module.exports = { Inventory, createHandler, makeLogger, SEED };
