import { ConfigReader } from '@backstage/config';
import { readLocalDriverConfig } from './config';

describe('readLocalDriverConfig', () => {
  it("reads where the heads' scrape targets go and which Prometheus their dashboards use", () => {
    const config = readLocalDriverConfig(
      new ConfigReader({
        mlops: {
          monitoring: { prometheus: { baseUrl: 'http://127.0.0.1:29090' } },
          rayClusters: {
            local: { prometheusTargetsDir: '/srv/mlops/prometheus/targets' },
          },
        },
      }),
      { MLOPS_VENV: '/opt/venv' },
    );
    expect(config).toMatchObject({
      rayExecutable: '/opt/venv/bin/ray',
      prometheusTargetsDir: '/srv/mlops/prometheus/targets',
      prometheusUrl: 'http://127.0.0.1:29090',
    });
  });

  it('writes no targets and sets no Prometheus when neither is configured', () => {
    const config = readLocalDriverConfig(new ConfigReader({}), {
      MLOPS_VENV: '/opt/venv',
    });
    expect(config.prometheusTargetsDir).toBeUndefined();
    expect(config.prometheusUrl).toBeUndefined();
  });
});
