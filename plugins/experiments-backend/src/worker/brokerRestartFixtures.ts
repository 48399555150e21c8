import { execFile } from 'node:child_process';
import http from 'node:http';
import { AddressInfo, connect } from 'node:net';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

async function rabbitmqctl(...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('rabbitmqctl', args, {
    timeout: 120_000,
  });
  return stdout;
}

/** Messages ready and unacked in `queueName` and the queues named after it (dead, retry). */
export async function queueDepths(
  queueName: string,
): Promise<Map<string, { ready: number; unacked: number }>> {
  const out = await rabbitmqctl(
    'list_queues',
    '-q',
    '--no-table-headers',
    'name',
    'messages_ready',
    'messages_unacknowledged',
  );
  const depths = new Map<string, { ready: number; unacked: number }>();
  for (const line of out.split('\n')) {
    const [name, ready, unacked] = line.trim().split(/\s+/);
    if (name === queueName || name?.startsWith(`${queueName}.`)) {
      depths.set(name, { ready: Number(ready), unacked: Number(unacked) });
    }
  }
  return depths;
}

/** True once the broker answers the AMQP 0-9-1 protocol header with a method frame. */
function answersAmqp(host: string, port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = connect(port, host);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () =>
      socket.write(Buffer.from([65, 77, 81, 80, 0, 0, 9, 1])),
    );
    socket.once('data', data => done(data[0] === 1));
  });
}

/**
 * The machine's RabbitMQ node, stopped and started with `rabbitmqctl stop_app` / `start_app`.
 * `start` returns once the broker at `url` accepts AMQP again.
 */
export function restartableBroker(url: string) {
  const { hostname, port } = new URL(url);
  let stopped = false;
  const broker = {
    async stop() {
      stopped = true;
      await rabbitmqctl('stop_app');
    },
    async start() {
      await rabbitmqctl('start_app');
      const deadline = Date.now() + 60_000;
      while (!(await answersAmqp(hostname, Number(port || 5672)))) {
        if (Date.now() > deadline) {
          throw new Error(`RabbitMQ at ${hostname}:${port} did not come back`);
        }
        await new Promise(r => setTimeout(r, 250));
      }
      stopped = false;
    },
    /** Puts the broker back if this test stopped it. */
    async ensureStarted() {
      if (stopped) await broker.start();
    },
  };
  return broker;
}

/**
 * A pass-through proxy to the Ray dashboard that lets the first `open` job submissions
 * (`POST /api/jobs/`) through and holds the next ones until `release`: a worker caught
 * mid-dispatch. Everything else passes at once.
 */
export async function startRaySubmitGate(rayUrl: string, open: number) {
  const target = new URL(rayUrl);
  let left = open;
  const held: Array<() => Promise<void>> = [];

  const forward = (req: http.IncomingMessage, res: http.ServerResponse) =>
    new Promise<void>(resolve => {
      res.once('close', () => resolve());
      const upstream = http.request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: target.host },
        },
        answer => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.once('error', () => res.destroy());
      req.pipe(upstream);
    });

  const server = http.createServer((req, res) => {
    const isSubmit =
      req.method === 'POST' && /^\/api\/jobs\/?$/.test(req.url ?? '');
    if (isSubmit && left <= 0) {
      let gone = false;
      res.once('close', () => {
        gone = true;
      });
      // A client that gave up meanwhile never reaches Ray.
      held.push(() => (gone ? Promise.resolve() : forward(req, res)));
      return;
    }
    if (isSubmit) left--;
    void forward(req, res);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    heldSubmissions: () => held.length,
    /** Opens the gate and forwards what it held; resolves once Ray has answered those. */
    async release() {
      left = Infinity;
      await Promise.all(held.splice(0).map(f => f()));
    },
    async close() {
      left = Infinity;
      held.splice(0);
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
    },
  };
}
