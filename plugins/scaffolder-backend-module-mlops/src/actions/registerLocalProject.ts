import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { EventsService } from '@backstage/plugin-events-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { PROJECTS_PUBLISHED_TOPIC } from '../catalog/ProjectRepositoriesProvider';

export const REGISTER_LOCAL_PROJECT_ACTION = 'mlops:catalog:register-local';

/**
 * `mlops:catalog:register-local`: puts a project published with `mlops:publish:local-git` in the
 * catalog. The catalog module of this package reads the repositories under `localGitRoot`; this
 * action checks the file and asks that module to read them now (an event on
 * `mlops.projects.published`). The built-in `catalog:register` reads URLs, which a local folder
 * is not.
 */
export function registerLocalProjectAction(options: {
  localGitRoot: string;
  events: EventsService;
}) {
  return createTemplateAction({
    id: REGISTER_LOCAL_PROJECT_ACTION,
    description:
      "Registers a local project repository's catalog-info.yaml in the catalog",
    schema: {
      input: {
        catalogInfoPath: z =>
          z
            .string()
            .describe(
              'Absolute path of catalog-info.yaml in a repository under localGitRoot',
            ),
      },
      output: {
        entityRef: z => z.string(),
      },
    },
    async handler(ctx) {
      const root = path.resolve(options.localGitRoot);
      const target = path.resolve(ctx.input.catalogInfoPath);
      if (
        path.dirname(path.dirname(target)) !== root ||
        path.basename(target) !== 'catalog-info.yaml'
      ) {
        throw new InputError(
          `${target} is not the catalog-info.yaml of a project repository under ${root}; only those can be registered`,
        );
      }
      const text = await fs.readFile(target, 'utf8').catch(() => {
        throw new InputError(`${target} does not exist`);
      });
      const [first] = parseAllDocuments(text).map(d => d.toJS() as Entity);
      if (!first?.kind || !first.metadata?.name) {
        throw new InputError(`${target} does not declare a catalog entity`);
      }
      await options.events.publish({
        topic: PROJECTS_PUBLISHED_TOPIC,
        eventPayload: { catalogInfoPath: target },
      });
      const entityRef = stringifyEntityRef(first);
      ctx.logger.info(`Registered ${entityRef} from ${target} in the catalog`);
      ctx.output('entityRef', entityRef);
    },
  });
}
