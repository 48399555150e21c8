import {
  resolveSafeChildPath,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  DEFAULT_NAMESPACE,
  parseEntityRef,
  stringifyEntityRef,
  SystemEntity,
} from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { promises as fs } from 'node:fs';
import { stringify } from 'yaml';

export const CREATE_PROJECT_ACTION = 'mlops:project:create';

/** Entity names: the catalog's rules, lower case for project names (they are also folder names). */
const PROJECT_NAME = /^[a-z0-9]+(?:[-_.][a-z0-9]+)*$/;

/** The annotations of an ML project System entity. */
export const PROJECT_ANNOTATIONS = {
  template: 'mlops-portal.io/model-template',
  dataset: 'mlops-portal.io/dataset-id',
  experimentId: 'mlops-portal.io/mlflow-experiment-id',
} as const;

/**
 * `mlops:project:create`: the project as a catalog System entity (`spec.type: ml-project`) owned
 * by a team, written to the skeleton's `catalog-info.yaml`, with its model template, dataset and
 * MLflow experiment as annotations and links.
 */
export function createProjectAction(deps: { userInfo: UserInfoService }) {
  return createTemplateAction({
    id: CREATE_PROJECT_ACTION,
    description:
      "Writes the ML project's catalog-info.yaml: a System entity of type ml-project owned by a team",
    schema: {
      input: {
        name: z =>
          z
            .string()
            .describe('Project name (entity name), e.g. digits-classifier'),
        owner: z =>
          z
            .string()
            .min(1)
            .describe(
              'Owning team, e.g. group:default/data-science; the user must be a member',
            ),
        title: z => z.string().optional(),
        description: z => z.string().optional(),
        templateId: z => z.string().min(1).describe('Model template id'),
        datasetId: z => z.string().optional(),
        mlflowExperimentId: z => z.string().optional(),
        mlflowExperimentUrl: z => z.string().optional(),
        repoUrl: z =>
          z
            .string()
            .optional()
            .describe('Where the project source lives, as a link'),
      },
      output: {
        entityRef: z => z.string(),
        catalogInfoPath: z => z.string(),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      if (input.name.length > 63 || !PROJECT_NAME.test(input.name)) {
        throw new InputError(
          `Project name "${input.name}" is not a valid entity name: lower-case letters, digits and - _ . between them, at most 63 characters`,
        );
      }
      let owner: string;
      try {
        owner = stringifyEntityRef(
          parseEntityRef(input.owner, {
            defaultKind: 'group',
            defaultNamespace: DEFAULT_NAMESPACE,
          }),
        );
      } catch (error) {
        throw new InputError(
          `Owner "${input.owner}" is not an entity reference: ${
            (error as Error).message
          }`,
        );
      }
      const credentials = await ctx.getInitiatorCredentials();
      const { ownershipEntityRefs } = await deps.userInfo.getUserInfo(
        credentials as Parameters<UserInfoService['getUserInfo']>[0],
      );
      if (!ownershipEntityRefs.includes(owner)) {
        throw new NotAllowedError(
          `You cannot create a project owned by ${owner}: you are not a member of it`,
        );
      }
      const entity: SystemEntity = {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'System',
        metadata: {
          name: input.name,
          ...(input.title && { title: input.title }),
          ...(input.description && { description: input.description }),
          tags: ['ml-project'],
          annotations: {
            [PROJECT_ANNOTATIONS.template]: input.templateId,
            ...(input.datasetId && {
              [PROJECT_ANNOTATIONS.dataset]: input.datasetId,
            }),
            ...(input.mlflowExperimentId && {
              [PROJECT_ANNOTATIONS.experimentId]: input.mlflowExperimentId,
            }),
          },
          links: [
            ...(input.mlflowExperimentUrl
              ? [{ url: input.mlflowExperimentUrl, title: 'MLflow experiment' }]
              : []),
            ...(input.repoUrl
              ? [{ url: input.repoUrl, title: 'Repository' }]
              : []),
          ],
        },
        spec: { type: 'ml-project', owner },
      };
      const target = resolveSafeChildPath(
        ctx.workspacePath,
        'catalog-info.yaml',
      );
      await fs.writeFile(target, stringify(entity));
      ctx.logger.info(
        `Wrote catalog-info.yaml for ${stringifyEntityRef(
          entity,
        )}, owned by ${owner}`,
      );
      ctx.output('entityRef', stringifyEntityRef(entity));
      ctx.output('catalogInfoPath', 'catalog-info.yaml');
    },
  });
}
