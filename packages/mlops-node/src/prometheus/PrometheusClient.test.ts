import { ConfigReader } from '@backstage/config';
import { ServiceUnavailableError } from '@backstage/errors';
import { requireTestService } from '../testServices';
import { PrometheusClient, promqlString } from './PrometheusClient';

const prometheusUrl = requireTestService('MLOPS_TEST_PROMETHEUS_URL');

describe('PrometheusClient against a real Prometheus', () => {
  const client = new PrometheusClient(prometheusUrl);
  const lastMinute = () => {
    const end = new Date();
    return { start: new Date(end.getTime() - 60_000), end, stepSeconds: 5 };
  };

  it('returns the series of a range query with their labels and points', async () => {
    // The stack's Prometheus scrapes its Ray head: `up` has a series.
    const series = await client.queryRange('up{job="ray"}', lastMinute());
    expect(series.length).toBeGreaterThan(0);
    expect(series[0].labels).toMatchObject({ job: 'ray', __name__: 'up' });
    expect(series[0].points.length).toBeGreaterThan(0);
    for (const [time, value] of series[0].points) {
      expect(time).toBeGreaterThan(Date.now() / 1000 - 120);
      expect([0, 1]).toContain(value);
    }
  });

  it('drops NaN points (a ratio over nothing)', async () => {
    const series = await client.queryRange(
      'vector(0) / vector(0)',
      lastMinute(),
    );
    expect(series).toEqual([{ labels: {}, points: [] }]);
  });

  it('returns the latest value of each series of an instant query', async () => {
    const samples = await client.query('up{job="ray"}');
    expect(samples.length).toBeGreaterThan(0);
    expect(samples[0]).toEqual({
      labels: expect.objectContaining({ job: 'ray', __name__: 'up' }),
      value: 1,
    });
    expect(await client.query('vector(0) / vector(0)')).toEqual([]);
  });

  it('turns a refused query into a 503 naming the problem', async () => {
    await expect(client.queryRange('rate(up[', lastMinute())).rejects.toThrow(
      /Prometheus refused a query: .*parse error/,
    );
  });
});

describe('PrometheusClient', () => {
  it('answers 503 when Prometheus is unreachable', async () => {
    const client = new PrometheusClient('http://127.0.0.1:9');
    const end = new Date();
    const error = await client
      .queryRange('up', {
        start: new Date(end.getTime() - 60_000),
        end,
        stepSeconds: 5,
      })
      .catch(e => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error.message).toMatch(/^Prometheus is unreachable/);
  });

  it('is configured by mlops.monitoring.prometheus.baseUrl, or absent', () => {
    const config = new ConfigReader({
      mlops: { monitoring: { prometheus: { baseUrl: 'http://prom:9090/' } } },
    });
    expect(PrometheusClient.fromConfig(config)?.baseUrl).toBe(
      'http://prom:9090',
    );
    expect(PrometheusClient.fromConfig(new ConfigReader({}))).toBeUndefined();
  });

  it('quotes label values so that a name cannot widen a query', () => {
    expect(promqlString('a"} or up{x="')).toBe('"a\\"} or up{x=\\""');
  });
});
