import { clusterChartQueries, platformChartQueries } from './chartQueries';

describe('chart queries', () => {
  it("select the cluster's series by its quoted name, GPUs only where it has some", () => {
    const withGpus = clusterChartQueries('team "a"', { gpus: true });
    expect(withGpus.map(c => c.id)).toEqual(['cpu', 'memory', 'gpu']);
    for (const { query } of withGpus) {
      for (const selector of query.match(/\{[^}]*\}/g)!) {
        expect(selector).toBe('{ray_cluster="team \\"a\\""}');
      }
    }
    expect(clusterChartQueries('a', { gpus: false }).map(c => c.id)).toEqual([
      'cpu',
      'memory',
    ]);
  });

  it('name no team or cluster on the platform charts', () => {
    for (const { query } of platformChartQueries(20)) {
      expect(query).not.toMatch(/ray_cluster|owner|team/);
    }
  });
});
