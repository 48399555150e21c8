import { PrometheusClient } from '@internal/mlops-node';
import { deploymentQueries, readDeploymentMetrics } from './deploymentMetrics';

describe('deploymentQueries', () => {
  it("selects only the deployment's own series", () => {
    const queries = deploymentQueries({ id: 'f3c1-42' }, 20);
    for (const query of Object.values(queries)) {
      const selectors = query.match(/\{[^}]*\}/g)!;
      expect(selectors.length).toBeGreaterThan(0);
      for (const selector of selectors) {
        expect(selector).toContain('portal_deployment="f3c1-42"');
      }
    }
    const requests =
      'ray_mlops_inference_requests_total{portal_deployment="f3c1-42"}';
    // Growth over 40 s, a series born meanwhile counted from zero (its first sample is 1).
    expect(queries.requestRate).toBe(
      `sum by (model_version, code) ((clamp_min(${requests} - ${requests} offset 40s, 0) or ${requests})) / 40`,
    );
  });

  it('quotes names, so that a crafted one cannot reach other series', () => {
    const queries = deploymentQueries({ id: 'x"} or up{a="' }, 5);
    expect(queries.requestRate).toContain(
      'portal_deployment="x\\"} or up{a=\\""',
    );
  });
});

describe('readDeploymentMetrics', () => {
  it('answers 503 naming the setting when monitoring is not configured', async () => {
    await expect(
      readDeploymentMetrics(undefined, { id: 'd' }, '1h'),
    ).rejects.toMatchObject({
      name: 'ServiceUnavailableError',
      message: expect.stringContaining('mlops.monitoring.prometheus.baseUrl'),
    });
  });

  it('turns Prometheus series into charts: milliseconds, versions, status classes', async () => {
    const asked: Array<{ query: string; stepSeconds: number }> = [];
    const prometheus = {
      queryRange: async (query: string, range: { stepSeconds: number }) => {
        asked.push({ query, stepSeconds: range.stepSeconds });
        return query.startsWith('sum by (model_version, code)')
          ? [
              {
                labels: { model_version: '2', code: '2xx' },
                points: [[100, 1.5]],
              },
              {
                labels: { model_version: '1', code: '2xx' },
                points: [[100, 6]],
              },
            ]
          : [];
      },
    } as unknown as PrometheusClient;
    const now = new Date(1_000_000);
    const metrics = await readDeploymentMetrics(
      prometheus,
      { id: 'd' },
      '6h',
      now,
    );
    expect(asked).toHaveLength(4);
    expect(asked.every(a => a.stepSeconds === 120)).toBe(true);
    expect(metrics.start).toEqual(new Date(1_000_000 - 6 * 3600_000));
    expect(metrics.requestRate).toEqual([
      { version: '1', code: '2xx', points: [{ t: 100_000, v: 6 }] },
      { version: '2', code: '2xx', points: [{ t: 100_000, v: 1.5 }] },
    ]);
    expect(metrics.latencyP99Ms).toEqual([]);
  });
});
