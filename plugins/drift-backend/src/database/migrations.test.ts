import { TestDatabases } from '@backstage/backend-test-utils';
import { DriftReport } from '@internal/backstage-plugin-drift-common';
import { requireTestService } from '@internal/mlops-node';
import { newMonitor } from '../testFixtures';
import { DatabaseDriftStore, migrationsDir } from './DatabaseDriftStore';

jest.setTimeout(60_000);

// PostgreSQL is never skipped silently: the test command must give its address.
requireTestService('BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING');
const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const monitor = (name: string, intervalMinutes?: number) =>
  newMonitor(name, { intervalMinutes });

const report: DriftReport = {
  verdict: 'DRIFT',
  method: 'bbsd-ks',
  modelVersion: '3',
  window: { requests: 40, instances: 200 },
  referenceInstances: 1000,
  alpha: 0.05,
  driftScore: 0.3,
  tests: [
    {
      name: 'p(class 0)',
      kind: 'ks',
      statistic: 0.4,
      pValue: 0.001,
      threshold: 0.005,
      drifted: true,
    },
  ],
  accuracy: {
    estimated: 0.71,
    reference: 0.98,
    method: 'atc',
    real: 0.5,
    labelled: 4,
  },
};

describe('drift store and migrations', () => {
  it.each(databases.eachSupportedId())(
    'keeps monitors and their checks, one running check at a time, and rolls back on %s',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const store = await DatabaseDriftStore.create({
        getClient: async () => knex,
      });

      const hourly = await store.createMonitor(monitor('hourly', 60));
      const manual = await store.createMonitor(monitor('manual'));
      expect(hourly).toMatchObject({
        intervalMinutes: 60,
        window: { lastRequests: 500 },
      });
      expect(manual.intervalMinutes).toBeUndefined();
      await expect(
        store.createMonitor(monitor('hourly')),
      ).rejects.toMatchObject({
        name: 'ConflictError',
      });
      expect((await store.dueMonitors(new Date())).map(m => m.name)).toEqual([
        'hourly',
      ]);

      const first = await store.startCheck({
        monitorId: hourly.id,
        trigger: 'schedule',
      });
      await expect(
        store.startCheck({ monitorId: hourly.id, trigger: 'manual' }),
      ).rejects.toMatchObject({ name: 'ConflictError' });
      // A running check is not due again.
      expect(await store.dueMonitors(new Date())).toEqual([]);
      expect(await store.runningChecks()).toEqual([first]);

      expect(
        await store.finishCheck(first.id, { status: 'SUCCEEDED', report }),
      ).toBe(true);
      // Another replica finishing it too changes nothing.
      expect(
        await store.finishCheck(first.id, {
          status: 'FAILED',
          message: 'late',
        }),
      ).toBe(false);
      const finished = await store.getCheck(hourly.id, first.id);
      expect(finished).toMatchObject({
        status: 'SUCCEEDED',
        verdict: 'DRIFT',
        modelVersion: '3',
        instances: 200,
        driftScore: 0.3,
        estimatedAccuracy: 0.71,
        realAccuracy: 0.5,
        report,
      });
      expect(await store.getCheck(manual.id, first.id)).toBeUndefined();
      expect(await store.dueMonitors(new Date())).toEqual([]);
      expect(
        (await store.dueMonitors(new Date(Date.now() + 61 * 60_000))).map(
          m => m.name,
        ),
      ).toEqual(['hourly']);

      const second = await store.startCheck({
        monitorId: hourly.id,
        trigger: 'manual',
        requestedBy: 'user:default/alice',
      });
      await store.finishCheck(second.id, {
        status: 'FAILED',
        message: 'no reference',
      });
      const checks = await store.listChecks(hourly.id, 10);
      expect(checks.map(c => c.id)).toEqual([second.id, first.id]);
      expect(checks[1].report).toBeUndefined();
      const [listed] = await store.listMonitors(['group:default/team-a']);
      expect(listed.lastCheck).toMatchObject({
        id: second.id,
        status: 'FAILED',
        message: 'no reference',
      });
      expect(await store.listMonitors(['group:default/team-b'])).toEqual([]);
      expect(await store.getMonitors([manual.id, 'missing'])).toEqual([
        manual,
        undefined,
      ]);

      expect(
        await store.addLabels(
          hourly.id,
          [
            { requestId: 'r1', label: '3' },
            { requestId: 'r2', label: ['1', '2'] },
          ],
          'user:default/alice',
        ),
      ).toBe(2);
      expect(
        await store.addLabels(
          hourly.id,
          [{ requestId: 'r1', label: '5' }],
          'user:default/bob',
        ),
      ).toBe(2);
      expect((await store.getMonitor(hourly.id))?.labels).toBe(2);
      expect(await store.latestLabels(hourly.id, 1)).toEqual([
        { requestId: 'r1', label: '5' },
      ]);

      await store.deleteMonitor(hourly.id);
      expect(await store.getMonitor(hourly.id)).toBeUndefined();
      expect(await store.listChecks(hourly.id, 10)).toEqual([]);

      await knex.migrate.rollback({ directory: migrationsDir }, true);
      expect(await knex.schema.hasTable('drift_monitors')).toBe(false);
      expect(await knex.schema.hasTable('drift_checks')).toBe(false);
      expect(await knex.schema.hasTable('drift_labels')).toBe(false);
    },
  );
});
