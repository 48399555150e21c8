import { TestDatabases } from '@backstage/backend-test-utils';
import { DatabaseDatasetStore } from '../database';
import { randomUUID } from 'node:crypto';
import {
  SessionUsage,
  UploadSessionRecord,
  UploadSessionStore,
} from './UploadSessionStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe('UploadSessionStore', () => {
  it.each(databases.eachSupportedId())(
    'keeps sessions and their parts on %s',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const datasets = await DatabaseDatasetStore.create({
        getClient: async () => knex,
      });
      const dataset = await datasets.create({
        name: 'big',
        owner: 'group:default/a',
      });
      const store = new UploadSessionStore(knex);
      const session: UploadSessionRecord = {
        id: '8f0c1f5e-5d55-4a3c-9a55-0d3f1f0f2a11',
        datasetId: dataset.id,
        path: 'train.csv',
        size: 6 * 1024 ** 3,
        contentType: 'text/csv',
        partSize: 8 * 1024 ** 2,
        tempKey: 'upload-sessions/x',
        storeUploadId: 'upload-1',
        state: 'open',
        createdBy: 'user:default/a',
        createdAt: new Date().toISOString(),
        lastActivityMs: 1_000,
      };
      await store.insert(session);
      expect(await store.get(session.id)).toEqual(session);

      expect(
        await store.savePart(session.id, { partNumber: 2, size: 5, etag: 'a' }),
      ).toBe(true);
      expect(
        await store.savePart(session.id, { partNumber: 1, size: 8, etag: 'b' }),
      ).toBe(true);
      expect(
        await store.savePart(session.id, { partNumber: 2, size: 5, etag: 'c' }),
      ).toBe(true);
      expect(await store.parts(session.id)).toEqual([
        { partNumber: 1, size: 8, etag: 'b' },
        { partNumber: 2, size: 5, etag: 'c' },
      ]);
      const touched = (await store.get(session.id))!.lastActivityMs;
      expect(touched).toBeGreaterThan(1_000);
      expect(await store.idleSince(touched)).toEqual([]);
      expect((await store.idleSince(touched + 1)).map(s => s.id)).toEqual([
        session.id,
      ]);

      expect(await store.transition(session.id, 'open', 'completing')).toBe(
        true,
      );
      expect(await store.transition(session.id, 'open', 'completing')).toBe(
        false,
      );
      expect(
        await store.savePart(session.id, { partNumber: 3, size: 1, etag: 'd' }),
      ).toBe(false);

      await store.delete(session.id);
      expect(await store.get(session.id)).toBeUndefined();
      expect(await store.parts(session.id)).toEqual([]);
    },
  );

  it.each(databases.eachSupportedId())(
    'admits sessions per owner within a limit, also when they race, on %s',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const datasets = await DatabaseDatasetStore.create({
        getClient: async () => knex,
      });
      const teamA = 'group:default/a';
      const [a1, a2, b] = await Promise.all([
        datasets.create({ name: 'one', owner: teamA }),
        datasets.create({ name: 'two', owner: teamA }),
        datasets.create({ name: 'one', owner: 'group:default/b' }),
      ]);
      const store = new UploadSessionStore(knex);
      const session = (datasetId: string): UploadSessionRecord => ({
        id: randomUUID(),
        datasetId,
        path: 'train.csv',
        size: 1000,
        partSize: 8 * 1024 ** 2,
        tempKey: 'upload-sessions/x',
        storeUploadId: 'upload-1',
        state: 'open',
        createdBy: 'user:default/a',
        createdAt: new Date().toISOString(),
        lastActivityMs: 1_000,
      });
      await store.insert(session(b.id));
      const atMostThree = {
        owner: teamA,
        admit: (usage: SessionUsage) => {
          if (usage.sessions >= 3) throw new Error('full');
        },
      };

      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? a1 : a2)).map(d =>
          store.insert(session(d.id), atMostThree),
        ),
      );

      expect(results.filter(r => r.status === 'fulfilled')).toHaveLength(3);
      expect(await store.usageOf(teamA)).toEqual({
        sessions: 3,
        reservedBytes: 3000,
      });
      expect(await store.usageOf('group:default/b')).toEqual({
        sessions: 1,
        reservedBytes: 1000,
      });
      expect(await store.usageOf('group:default/none')).toEqual({
        sessions: 0,
        reservedBytes: 0,
      });
    },
  );
});
