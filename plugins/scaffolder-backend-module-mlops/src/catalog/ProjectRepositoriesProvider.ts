import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
} from '@backstage/catalog-model';
import {
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

/** Events topic on which `mlops:catalog:register-local` asks for a refresh. */
export const PROJECTS_PUBLISHED_TOPIC = 'mlops.projects.published';

/** Kinds a project repository may declare; anything else in its catalog-info.yaml is ignored. */
const PROJECT_KINDS = new Set(['System', 'Component', 'Resource', 'API']);

/**
 * The entities of the project repositories under `localGitRoot` (`<root>/<repo>/catalog-info.yaml`),
 * published by `mlops:publish:local-git`. Only that folder is read: the catalog itself keeps
 * accepting `url` locations only.
 */
export class ProjectRepositoriesProvider implements EntityProvider {
  private connection?: EntityProviderConnection;

  constructor(
    private readonly localGitRoot: string,
    private readonly logger: LoggerService,
  ) {}

  getProviderName() {
    return 'mlops-project-repositories';
  }

  async connect(connection: EntityProviderConnection) {
    this.connection = connection;
  }

  async refresh(): Promise<void> {
    if (!this.connection) return;
    const entities = await this.read();
    this.logger.info(
      `Read ${entities.length} entities of the project repositories under ${this.localGitRoot}`,
    );
    await this.connection.applyMutation({
      type: 'full',
      entities: entities.map(entity => ({
        entity,
        locationKey: this.getProviderName(),
      })),
    });
  }

  /** The entities of every repository's catalog-info.yaml; unreadable files are logged and skipped. */
  async read(): Promise<Entity[]> {
    let repos: string[];
    try {
      repos = (await fs.readdir(this.localGitRoot, { withFileTypes: true }))
        .filter(d => d.isDirectory())
        .map(d => d.name)
        .sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const entities: Entity[] = [];
    for (const repo of repos) {
      const file = path.join(this.localGitRoot, repo, 'catalog-info.yaml');
      let text: string;
      try {
        text = await fs.readFile(file, 'utf8');
      } catch {
        continue;
      }
      const location = `file:${file}`;
      for (const doc of parseAllDocuments(text)) {
        const entity = doc.toJS() as Entity | null;
        if (doc.errors.length > 0 || !entity?.metadata?.name) {
          this.logger.warn(
            `Skipping an entity of ${file}: not a catalog entity`,
          );
          continue;
        }
        if (!PROJECT_KINDS.has(entity.kind)) {
          this.logger.warn(
            `Skipping ${entity.kind} ${
              entity.metadata.name
            } of ${file}: a project repository may declare ${[
              ...PROJECT_KINDS,
            ].join(', ')}`,
          );
          continue;
        }
        entities.push({
          ...entity,
          metadata: {
            ...entity.metadata,
            annotations: {
              ...entity.metadata.annotations,
              [ANNOTATION_LOCATION]: location,
              [ANNOTATION_ORIGIN_LOCATION]: location,
            },
          },
        });
      }
    }
    return entities;
  }
}
