'use strict';

const http = require('node:http');
const { Inventory, createHandler, makeLogger } = require('./inventory');

const log = makeLogger();
const inventory = new Inventory();
const server = http.createServer(createHandler(inventory, log));

// Without deliveries a long `msvc up --profile load` session would end in "out of stock".
const restockEvery = Number(process.env.RESTOCK_EVERY_S || 30) * 1000;
setInterval(() => {
  const skus = inventory.restock();
  if (skus.length) log('info', 'restocked', { skus });
}, restockEvery).unref();

server.on('error', (err) => {
  log('error', 'cannot listen', { error: err.message });
  process.exit(1);
});

server.listen(Number(process.env.PORT || 8082), '127.0.0.1', () => {
  log('info', 'listening', { url: `http://127.0.0.1:${server.address().port}` });
});

function stop(signal) {
  log('info', 'shutting down', { signal });
  server.close(() => {
    log('info', 'stopped');
    process.exit(0);
  });
  // Keep-alive connections would hold close() open until they time out.
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}

process.on('SIGTERM', stop);
process.on('SIGINT', stop);
