import {
  LoggerService,
  SchedulerServiceTaskRunner,
} from '@backstage/backend-plugin-api';
import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
} from '@backstage/catalog-model';
import {
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';

/**
 * What runs the provider's refresh, given by the module that installs it.
 *
 * @public
 */
export interface ScheduledEntityProviderOptions {
  taskRunner: SchedulerServiceTaskRunner;
  logger: LoggerService;
}

/**
 * An entity provider that replaces all of its entities (a full mutation) on each run of its
 * scheduled task, so items that are gone leave the catalog. Subclasses only read the entities.
 *
 * @public
 */
export abstract class ScheduledEntityProvider implements EntityProvider {
  private connection?: EntityProviderConnection;
  /** The location key of the provider's entities, `<providerName>:provider`. */
  protected readonly location: string;

  /**
   * @param providerName - also names the entities' location, `<providerName>:provider`
   * @param taskId - id of the scheduler task that refreshes the entities
   */
  protected constructor(
    private readonly providerName: string,
    private readonly taskId: string,
    private readonly options: ScheduledEntityProviderOptions,
  ) {
    this.location = `${providerName}:provider`;
  }

  /** Every entity the provider currently has, without location annotations. */
  protected abstract readEntities(): Promise<Entity[]>;

  getProviderName(): string {
    return this.providerName;
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.connection = connection;
    await this.options.taskRunner.run({
      id: this.taskId,
      fn: async () => {
        try {
          await this.refresh();
        } catch (error) {
          this.options.logger.warn(
            `${this.providerName} entities not refreshed in the catalog: ${
              (error as Error).message
            }`,
          );
        }
      },
    });
  }

  async refresh(): Promise<void> {
    if (!this.connection) {
      throw new Error(`${this.providerName} is not connected yet`);
    }
    const entities = await this.readEntities();
    await this.apply(
      this.connection,
      entities.map(entity => withLocation(entity, this.location)),
    );
  }

  /**
   * Hands the read entities, located, to the catalog: a full mutation. A provider that keeps
   * what it applied may send only the changes.
   */
  protected async apply(
    connection: EntityProviderConnection,
    entities: Entity[],
  ): Promise<void> {
    await connection.applyMutation({
      type: 'full',
      entities: entities.map(entity => ({
        entity,
        locationKey: this.location,
      })),
    });
  }
}

/**
 * The entity with `location` as its location and origin location (a provider's own key), unless
 * it names others.
 *
 * @public
 */
export function withLocation(entity: Entity, location: string): Entity {
  return {
    ...entity,
    metadata: {
      ...entity.metadata,
      annotations: {
        [ANNOTATION_LOCATION]: location,
        [ANNOTATION_ORIGIN_LOCATION]: location,
        ...entity.metadata.annotations,
      },
    },
  };
}
