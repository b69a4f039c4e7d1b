/**
 * A forward proxy for tests: CONNECT tunnels (what undici and @actions/http-client use) and
 * absolute-URI requests (what http-proxy-agent uses), each recorded by host. Host names under
 * `.test` (startFakeGitHub's `host` option) resolve to 127.0.0.1 here only, the proxy's own
 * name table: a client that skips the proxy cannot reach them.
 */
import { createServer, request, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import type { Duplex } from 'node:stream';

export interface ProxiedRequest {
  /** `CONNECT` for a tunnel, else the forwarded request's method. */
  method: string;
  /** host:port of the target. */
  host: string;
  /** The forwarded request's path; empty for a tunnel. */
  path: string;
}

export interface TestProxy {
  /** `http://127.0.0.1:PORT`, for HTTPS_PROXY / HTTP_PROXY. */
  url: string;
  readonly requests: ProxiedRequest[];
  /** The hosts (without port) the proxy carried requests to. */
  hosts(): string[];
  close(): Promise<void>;
}

const resolve = (hostname: string) => (hostname.endsWith('.test') ? '127.0.0.1' : hostname);

export async function startProxy(): Promise<TestProxy> {
  const requests: ProxiedRequest[] = [];
  // Tunnels leave the server's bookkeeping: closed by hand.
  const tunnels = new Set<Duplex>();
  const server: Server = createServer((req, res) => {
    const target = new URL(req.url ?? '/');
    requests.push({ method: req.method ?? 'GET', host: target.host, path: target.pathname });
    const upstream = request(
      {
        host: resolve(target.hostname),
        port: target.port || 80,
        method: req.method,
        path: `${target.pathname}${target.search}`,
        headers: req.headers,
        // Never this process's global agent: a test may have given it a proxy.
        agent: false,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => res.writeHead(502).end(error.message));
    req.pipe(upstream);
  });
  server.on('connect', (req, client, head) => {
    const target = new URL(`http://${req.url ?? ''}`);
    requests.push({ method: 'CONNECT', host: target.host, path: '' });
    tunnels.add(client);
    client.on('close', () => tunnels.delete(client));
    const upstream = connect(Number(target.port || 443), resolve(target.hostname), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    hosts: () => [...new Set(requests.map((r) => new URL(`http://${r.host}`).hostname))].sort(),
    close: () =>
      new Promise((done) => {
        server.close(() => done());
        server.closeAllConnections();
        for (const socket of tunnels) socket.destroy();
      }),
  };
}
