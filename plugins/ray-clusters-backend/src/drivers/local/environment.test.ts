import { rayHeadEnvironment } from './environment';

const base = {
  rayExecutable: '/opt/venv/bin/ray',
  home: '/tmp/rc/user/home',
  tmp: '/tmp/rc/user/tmp',
  tokenPath: '/tmp/rc/user/auth_token',
};

describe('rayHeadEnvironment', () => {
  it("points the head's dashboard at the portal's Prometheus, over the backend's own setting", () => {
    const env = rayHeadEnvironment({
      ...base,
      prometheusUrl: 'http://127.0.0.1:9090',
      source: {
        RAY_PROMETHEUS_HOST: 'http://elsewhere:9090',
        PATH: '/usr/bin',
      },
    });
    expect(env.RAY_PROMETHEUS_HOST).toBe('http://127.0.0.1:9090');
  });

  it("moves the dashboard's and the autoscaler's metrics off Ray's fixed ports", () => {
    const env = rayHeadEnvironment({
      ...base,
      metricsPorts: { dashboard: 41001, autoscaler: 41002 },
      source: { PATH: '/usr/bin' },
    });
    expect(env).toMatchObject({
      DASHBOARD_METRIC_PORT: '41001',
      AUTOSCALER_METRIC_PORT: '41002',
    });
  });

  it('sets no Prometheus when none is configured, and passes no secret on', () => {
    const env = rayHeadEnvironment({
      ...base,
      source: { PATH: '/usr/bin', APP_CONFIG_mlops_mlflow_password: 'secret' },
    });
    expect(env.RAY_PROMETHEUS_HOST).toBeUndefined();
    expect(Object.values(env)).not.toContain('secret');
  });
});
