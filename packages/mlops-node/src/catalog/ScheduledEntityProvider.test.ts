import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { EntityProviderConnection } from '@backstage/plugin-catalog-node';
import {
  ScheduledEntityProvider,
  ScheduledEntityProviderOptions,
} from './ScheduledEntityProvider';

class ListEntityProvider extends ScheduledEntityProvider {
  constructor(
    readonly read: () => Promise<Entity[]>,
    options: ScheduledEntityProviderOptions,
  ) {
    super('things', 'things-refresh', options);
  }

  protected readEntities() {
    return this.read();
  }
}

const thing: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name: 'a', annotations: { 'example.com/id': '1' } },
  spec: { type: 'thing', owner: 'group:default/team' },
};

describe('ScheduledEntityProvider', () => {
  it('applies a full mutation of the read entities with their location on each scheduled run, and logs failed reads', async () => {
    const scheduler = mockServices.scheduler();
    const logger = mockServices.logger.mock();
    let read = async () => [thing];
    const provider = new ListEntityProvider(() => read(), {
      taskRunner: scheduler.createScheduledTaskRunner({
        frequency: { seconds: 30 },
        timeout: { seconds: 30 },
      }),
      logger,
    });
    const mutations: Parameters<
      EntityProviderConnection['applyMutation']
    >[0][] = [];
    await provider.connect({
      applyMutation: async mutation => {
        mutations.push(mutation);
      },
      refresh: async () => {},
    });
    expect((await scheduler.getScheduledTasks()).map(t => t.id)).toEqual([
      'things-refresh',
    ]);

    await scheduler.triggerTask('things-refresh');
    expect(mutations).toEqual([
      {
        type: 'full',
        entities: [
          {
            locationKey: 'things:provider',
            entity: {
              ...thing,
              metadata: {
                name: 'a',
                annotations: {
                  'backstage.io/managed-by-location': 'things:provider',
                  'backstage.io/managed-by-origin-location': 'things:provider',
                  'example.com/id': '1',
                },
              },
            },
          },
        ],
      },
    ]);

    read = async () => {
      throw new Error('service unavailable');
    };
    await scheduler.triggerTask('things-refresh');
    expect(mutations).toHaveLength(1);
    expect(logger.warn).toHaveBeenCalledWith(
      'things entities not refreshed in the catalog: service unavailable',
    );
  });

  it('refuses to refresh before the catalog connects it', async () => {
    const provider = new ListEntityProvider(async () => [], {
      taskRunner: mockServices.scheduler().createScheduledTaskRunner({
        frequency: { seconds: 30 },
        timeout: { seconds: 30 },
      }),
      logger: mockServices.logger.mock(),
    });
    await expect(provider.refresh()).rejects.toThrow(
      'things is not connected yet',
    );
  });
});
