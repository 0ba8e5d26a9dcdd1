// {{service}}: {{description}}
//
// node: modules only. Reads PORT (and HOST, default 127.0.0.1), logs JSON lines to stdout,
// and stops gracefully on SIGTERM.
'use strict';

const http = require('node:http');
const { randomUUID } = require('node:crypto');

const SERVICE = process.env.MSVC_SERVICE || '{{service}}';

function log(level, msg, fields = {}) {
  process.stdout.write(JSON.stringify({ time: new Date().toISOString(), level, service: SERVICE, msg, ...fields }) + '\n');
}

/** Request counters in the Prometheus text format. */
class Metrics {
  constructor() {
    this.requests = new Map();
    this.seconds = 0;
    this.started = Date.now() / 1000;
  }

  record(method, path, status, seconds) {
    const key = `${method} ${path} ${status}`;
    this.requests.set(key, (this.requests.get(key) || 0) + 1);
    this.seconds += seconds;
  }

  render() {
    const lines = ['# HELP http_requests_total Requests handled.', '# TYPE http_requests_total counter'];
    for (const [key, n] of [...this.requests.entries()].sort()) {
      const [method, path, status] = key.split(' ');
      lines.push(`http_requests_total{method="${method}",path="${path}",status="${status}"} ${n}`);
    }
    lines.push('# HELP http_request_duration_seconds_sum Time spent handling requests.');
    lines.push('# TYPE http_request_duration_seconds_sum counter');
    lines.push(`http_request_duration_seconds_sum ${this.seconds}`);
    lines.push('# HELP process_start_time_seconds Start time since the epoch.');
    lines.push('# TYPE process_start_time_seconds gauge');
    lines.push(`process_start_time_seconds ${this.started}`);
    return lines.join('\n') + '\n';
  }
}

/** Creates the server: /healthz, /readyz, /metrics and the service's API. */
function createServer() {
  const metrics = new Metrics();
  return http.createServer((req, res) => {
    const start = process.hrtime.bigint();
    const requestId = req.headers['x-request-id'] || randomUUID();
    res.setHeader('X-Request-ID', requestId);
    if (req.headers.traceparent) res.setHeader('traceparent', req.headers.traceparent);
    const path = new URL(req.url, 'http://localhost').pathname;
    const send = (status, body, type = 'application/json') => {
      const data = type === 'application/json' ? JSON.stringify(body) : body;
      res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(data) });
      res.end(data);
    };
    if (req.method !== 'GET') send(405, { error: 'method not allowed' });
    else if (path === '/healthz') send(200, { status: 'ok' });
    else if (path === '/readyz') send(200, { status: 'ready' });
    else if (path === '/metrics') send(200, metrics.render(), 'text/plain; version=0.0.4');
    else if (path === '/') send(200, { service: SERVICE, message: '{{description}}' });
    else send(404, { error: 'not found', path });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (path !== '/metrics') metrics.record(req.method, path, res.statusCode, seconds);
    log('info', 'request', { method: req.method, path, status: res.statusCode, duration_ms: seconds * 1000, request_id: requestId });
  });
}

if (require.main === module) {
  const server = createServer();
  const port = Number(process.env.PORT || 8080);
  server.listen(port, process.env.HOST || '127.0.0.1', () => log('info', 'listening', { port }));
  for (const signal of ['SIGTERM', 'SIGINT']) {
    process.on(signal, () => {
      log('info', 'stopping', { signal });
      // close() stops accepting and waits for open requests; idle keep-alive sockets are closed.
      server.close(() => { log('info', 'stopped'); process.exit(0); });
      server.closeIdleConnections();
    });
  }
}

module.exports = { createServer, Metrics };
