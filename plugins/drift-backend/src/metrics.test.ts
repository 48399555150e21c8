import { TestDatabases } from '@backstage/backend-test-utils';
import {
  DriftReport,
  DriftVerdict,
} from '@internal/backstage-plugin-drift-common';
import { requireTestService, TestMetrics } from '@internal/mlops-node';
import { DatabaseDriftStore } from './database';
import { DriftMetrics } from './metrics';
import { newMonitor } from './testFixtures';

jest.setTimeout(60_000);

requireTestService('BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING');
const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const report = (verdict: DriftVerdict): DriftReport => ({
  verdict,
  method: 'bbsd-ks',
  window: { requests: 40, instances: 40 },
  referenceInstances: 1000,
  alpha: 0.05,
  driftScore: verdict === 'DRIFT' ? 0.4 : 0,
  tests: [],
});

let metrics: TestMetrics;
beforeEach(() => {
  metrics = new TestMetrics();
});
afterEach(() => metrics.shutdown());

describe('DriftMetrics', () => {
  it.each(databases.eachSupportedId())(
    "counts monitors by their last finished check's result on %s",
    async databaseId => {
      const knex = await databases.init(databaseId);
      const store = await DatabaseDriftStore.create({
        getClient: async () => knex,
      });
      const driftMetrics = new DriftMetrics(metrics.forPlugin('drift'), () =>
        store.countMonitorsByLastCheck(),
      );
      let minute = 0;
      const finish = async (
        monitorId: string,
        outcome: DriftVerdict | 'FAILED',
      ) => {
        const check = await store.startCheck({ monitorId, trigger: 'manual' });
        await store.finishCheck(
          check.id,
          outcome === 'FAILED'
            ? { status: 'FAILED', message: 'no reference' }
            : { status: 'SUCCEEDED', report: report(outcome) },
        );
        // Distinct end times, in the order the checks ran.
        minute += 1;
        const finishedAt = new Date(Date.UTC(2026, 11, 4, 12, minute));
        await knex('drift_checks')
          .where('id', check.id)
          .update({ finished_at: finishedAt, started_at: finishedAt });
        const finished = (await store.getCheck(monitorId, check.id))!;
        driftMetrics.checkFinished(finished);
        return finished;
      };

      const drifting = await store.createMonitor(newMonitor('drifting'));
      const recovered = await store.createMonitor(newMonitor('recovered'));
      const broken = await store.createMonitor(newMonitor('broken'));
      await store.createMonitor(newMonitor('new'));

      await finish(drifting.id, 'DRIFT');
      // A newer check still running leaves the monitor at its last result.
      await store.startCheck({ monitorId: drifting.id, trigger: 'schedule' });
      await finish(recovered.id, 'DRIFT');
      await finish(recovered.id, 'NO_DRIFT');
      await finish(broken.id, 'NOT_ENOUGH_DATA');
      await finish(broken.id, 'FAILED');

      const monitors = async (state: string) =>
        metrics.value('mlops_drift_monitors', { state });
      expect(await monitors('DRIFT')).toBe(1);
      expect(await monitors('NO_DRIFT')).toBe(1);
      expect(await monitors('FAILED')).toBe(1);
      expect(await monitors('NOT_ENOUGH_DATA')).toBe(0);
      expect(await monitors('NONE')).toBe(1);

      const checks = async (result: string) =>
        metrics.value('mlops_drift_checks_total', { result });
      expect(await checks('DRIFT')).toBe(2);
      expect(await checks('NO_DRIFT')).toBe(1);
      expect(await checks('NOT_ENOUGH_DATA')).toBe(1);
      expect(await checks('FAILED')).toBe(1);

      await store.deleteMonitor(drifting.id);
      expect(await monitors('DRIFT')).toBe(0);
    },
  );

  it('records how long each check took, and nothing for a running one', async () => {
    const driftMetrics = new DriftMetrics(
      metrics.forPlugin('drift'),
      async () => ({ monitors: 0, lastChecks: [] }),
    );
    const started = '2026-12-04T12:00:00.000Z';
    driftMetrics.checkFinished({
      id: 'c1',
      monitorId: 'm1',
      status: 'SUCCEEDED',
      trigger: 'manual',
      startedAt: started,
      finishedAt: '2026-12-04T12:00:12.500Z',
      verdict: 'NO_DRIFT',
    });
    driftMetrics.checkFinished({
      id: 'c2',
      monitorId: 'm1',
      status: 'RUNNING',
      trigger: 'manual',
      startedAt: started,
    });
    const duration = await metrics.value('mlops_drift_check_duration_seconds');
    expect(duration).toMatchObject({ count: 1, sum: 12.5 });
    expect(
      await metrics.value('mlops_drift_checks_total', { result: 'NO_DRIFT' }),
    ).toBe(1);
    // Every result reads 0 before its first check, so rate() sees the first one.
    expect(
      await metrics.value('mlops_drift_checks_total', { result: 'DRIFT' }),
    ).toBe(0);
  });
});
