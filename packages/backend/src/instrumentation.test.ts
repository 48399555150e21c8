import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { get } from 'node:http';
import { AddressInfo, createServer, Server } from 'node:net';
import path from 'node:path';

/*
 * The instrumentation file as the start script loads it (`node --require`), in a child process
 * that records metrics the way the MetricsService does (a meter from the global provider).
 */

const INSTRUMENTATION = path.resolve(__dirname, 'instrumentation.js');
const PACKAGE_DIR = path.resolve(__dirname, '..');

const RECORDING_SCRIPT = `
const { metrics } = require('@opentelemetry/api');
const meter = metrics.getMeter('backstage-plugin-probe');
meter
  .createCounter('mlops_probe_uploads_total', { description: 'Uploads of the probe' })
  .add(3, { reason: 'too_large' });
meter
  .createHistogram('mlops_probe_wait_seconds', {
    unit: 's',
    advice: { explicitBucketBoundaries: [1, 10] },
  })
  .record(4);
console.log('provider=' + metrics.getMeterProvider().constructor.name);
setInterval(() => {}, 1000);
`;

jest.setTimeout(30_000);

const children: ChildProcess[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null) {
      child.kill();
      await once(child, 'exit');
    }
  }
  await Promise.all(
    servers.splice(0).map(s => new Promise(resolve => s.close(resolve))),
  );
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise(resolve => server.close(resolve));
  return port;
}

/** Starts the child; resolves with its first line of output and what it wrote so far. */
async function startRecorder(metricsPort: string) {
  const child = spawn(
    process.execPath,
    ['--require', INSTRUMENTATION, '-e', RECORDING_SCRIPT],
    {
      cwd: PACKAGE_DIR,
      env: { ...process.env, MLOPS_BACKEND_METRICS_PORT: metricsPort },
    },
  );
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', chunk => {
    stdout += chunk;
  });
  child.stderr!.on('data', chunk => {
    stderr += chunk;
  });
  const exited = once(child, 'exit').then(([code]) => code as number);
  while (!stdout.includes('\n') && child.exitCode === null) {
    await Promise.race([exited, new Promise(r => setTimeout(r, 50))]);
  }
  return {
    child,
    exited,
    firstLine: stdout.split('\n')[0],
    stderr: () => stderr,
  };
}

function httpGet(
  url: string,
): Promise<{ status: number; contentType?: string; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, response => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', chunk => {
        body += chunk;
      });
      response.on('end', () =>
        resolve({
          status: response.statusCode!,
          contentType: response.headers['content-type'],
          body,
        }),
      );
    }).on('error', reject);
  });
}

/** The exporter's server starts asynchronously: ask until it answers. */
async function scrape(port: number) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await httpGet(`http://127.0.0.1:${port}/metrics`);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise(r => setTimeout(r, 100));
    }
  }
}

describe('instrumentation.js', () => {
  it('serves what plugins record in Prometheus text format on the configured port', async () => {
    const port = await freePort();
    const { firstLine } = await startRecorder(String(port));
    expect(firstLine).toBe('provider=MeterProvider');

    const response = await scrape(port);
    expect(response.status).toBe(200);
    expect(response.contentType).toMatch(/^text\/plain/);
    const text = response.body;
    expect(text).toContain(
      '# HELP mlops_probe_uploads_total Uploads of the probe',
    );
    expect(text).toContain('# TYPE mlops_probe_uploads_total counter');
    expect(text).toMatch(
      /^mlops_probe_uploads_total\{[^}]*reason="too_large"[^}]*\} 3$/m,
    );
    expect(text).toMatch(/otel_scope_name="backstage-plugin-probe"/);
    expect(text).toContain('# TYPE mlops_probe_wait_seconds histogram');
    expect(text).toMatch(/^mlops_probe_wait_seconds_bucket\{[^}]*le="1"\} 0$/m);
    expect(text).toMatch(
      /^mlops_probe_wait_seconds_bucket\{[^}]*le="10"\} 1$/m,
    );
    expect(text).toMatch(/^mlops_probe_wait_seconds_sum\{[^}]*\} 4$/m);
    expect(text).toMatch(/^mlops_probe_wait_seconds_count\{[^}]*\} 1$/m);
  });

  it.each(['off', '0'])(
    'starts no SDK and no exporter with MLOPS_BACKEND_METRICS_PORT=%s',
    async value => {
      const { firstLine, child } = await startRecorder(value);
      expect(firstLine).toBe('provider=NoopMeterProvider');
      expect(child.exitCode).toBeNull();
    },
  );

  it('refuses a port that is not a number', async () => {
    const { exited, stderr } = await startRecorder('metrics');
    expect(await exited).not.toBe(0);
    expect(stderr()).toContain(
      'MLOPS_BACKEND_METRICS_PORT must be a port number, 0 or "off"; got "metrics"',
    );
  });

  it('keeps the process running with a warning when the port is taken', async () => {
    const port = await freePort();
    const taken = createServer();
    servers.push(taken);
    await new Promise<void>(resolve =>
      taken.listen(port, '127.0.0.1', resolve),
    );

    const { child, stderr } = await startRecorder(String(port));
    const deadline = Date.now() + 10_000;
    while (!stderr().includes('Backend metrics are not served')) {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise(r => setTimeout(r, 100));
    }
    expect(stderr()).toContain(`cannot listen on 127.0.0.1:${port}`);
    expect(child.exitCode).toBeNull();
  });
});
