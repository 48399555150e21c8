import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  isTemplateEntityV1beta3,
  templateEntityV1beta3Validator,
} from '@backstage/plugin-scaffolder-common';
import {
  mlflowAuthHeaders,
  requireTestMlflowCredentials,
  requireTestService,
} from '@internal/mlops-node';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { parse } from 'yaml';
import { bindDatasetAction } from './actions/bindDataset';
import { fetchCustomModelAction } from './actions/fetchCustomModel';
import { publishLocalGitAction } from './actions/publishLocalGit';
import { registerLocalProjectAction } from './actions/registerLocalProject';
import {
  BIND_DATASET_ACTION,
  CREATE_MLFLOW_EXPERIMENT_ACTION,
  CREATE_PROJECT_ACTION,
  FETCH_CUSTOM_MODEL_ACTION,
  PUBLISH_LOCAL_GIT_ACTION,
  REGISTER_LOCAL_PROJECT_ACTION,
} from './index';
import { runAction } from './__testUtils__/actionContext';
import { startPortalBackend } from './__testUtils__/portalBackend';

// A real MLflow server started by the test command (the experiments plugin checks it).
const trackingUrl = requireTestService('MLOPS_TEST_MLFLOW_URL');

jest.setTimeout(180_000);

const templatesDir = resolvePackagePath(
  '@internal/backstage-plugin-scaffolder-backend-module-mlops',
  '../../templates',
);

async function readTemplates(): Promise<
  Array<{ file: string; entity: Entity }>
> {
  const files = (await fs.readdir(templatesDir)).filter(f =>
    f.endsWith('.yaml'),
  );
  return Promise.all(
    files.sort().map(async file => ({
      file,
      entity: parse(await fs.readFile(path.join(templatesDir, file), 'utf8')),
    })),
  );
}

type TemplateStep = {
  id: string;
  if?: string;
  action: string;
  input?: Record<string, unknown>;
};
type JsonSchema = { properties?: Record<string, JsonSchema> };

function templateSteps(entity: Entity): TemplateStep[] {
  return (entity.spec as { steps: TemplateStep[] }).steps;
}

function stepById(entity: Entity, id: string): TemplateStep {
  const step = templateSteps(entity).find(s => s.id === id);
  if (!step) throw new Error(`${entity.metadata.name} has no step ${id}`);
  return step;
}

/** The input keys (dotted paths) that an action's input schema does not declare. */
function undeclaredInputs(
  input: unknown,
  schema: JsonSchema | undefined,
  prefix = '',
): string[] {
  if (!schema?.properties || typeof input !== 'object' || input === null) {
    return [];
  }
  const properties = schema.properties;
  return Object.entries(input).flatMap(([key, value]) =>
    properties[key]
      ? undeclaredInputs(value, properties[key], `${prefix}${key}.`)
      : [`${prefix}${key}`],
  );
}

/** The GitLab counterpart of a GitHub part of a template. */
function asGitlab<T>(githubPart: T): T {
  return JSON.parse(
    JSON.stringify(githubPart)
      .replaceAll('github', 'gitlab')
      .replaceAll('GitHub', 'GitLab'),
  );
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 500));
  }
}

describe('the New ML project templates on a portal backend', () => {
  let started: Awaited<ReturnType<typeof startPortalBackend>>;
  let localGitRoot: string;

  beforeAll(async () => {
    localGitRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'mlops-projects-'));
    started = await startPortalBackend({ trackingUrl, localGitRoot });
  });
  afterAll(async () => {
    await started?.backend.stop();
    await fs.rm(localGitRoot, { recursive: true, force: true });
  });

  it('registers the actions, and every template is a valid Template whose steps use registered actions', async () => {
    const res = await request(started.server)
      .get('/api/scaffolder/v2/actions')
      .expect(200);
    const inputSchemas = new Map<string, JsonSchema>(
      res.body.map((a: { id: string; schema?: { input?: JsonSchema } }) => [
        a.id,
        a.schema?.input,
      ]),
    );
    const registered = new Set(inputSchemas.keys());
    for (const id of [
      CREATE_PROJECT_ACTION,
      CREATE_MLFLOW_EXPERIMENT_ACTION,
      BIND_DATASET_ACTION,
      FETCH_CUSTOM_MODEL_ACTION,
      PUBLISH_LOCAL_GIT_ACTION,
      REGISTER_LOCAL_PROJECT_ACTION,
    ]) {
      expect(registered).toContain(id);
    }

    const templates = await readTemplates();
    expect(templates.map(t => t.file)).toEqual([
      'ml-project-custom-model.yaml',
      'ml-project-mnist-cnn.yaml',
      'ml-project-tabular.yaml',
    ]);
    for (const { file, entity } of templates) {
      expect({
        file,
        valid: await templateEntityV1beta3Validator.check(entity),
      }).toEqual({
        file,
        valid: true,
      });
      expect(isTemplateEntityV1beta3(entity)).toBe(true);
      const steps = templateSteps(entity);
      const unknown = steps.filter(s => !registered.has(s.action));
      expect({ file, unknown }).toEqual({ file, unknown: [] });
      const undeclared = steps.flatMap(s =>
        undeclaredInputs(s.input, inputSchemas.get(s.action)).map(
          key => `${s.id}: ${key}`,
        ),
      );
      expect({ file, undeclared }).toEqual({ file, undeclared: [] });
      // Each template publishes locally, to GitHub and to GitLab, and makes its project entity.
      expect(steps.map(s => s.action)).toEqual(
        expect.arrayContaining([
          CREATE_PROJECT_ACTION,
          CREATE_MLFLOW_EXPERIMENT_ACTION,
          BIND_DATASET_ACTION,
          PUBLISH_LOCAL_GIT_ACTION,
          REGISTER_LOCAL_PROJECT_ACTION,
          'publish:github',
          'publish:gitlab',
        ]),
      );
      await fs.access(path.join(templatesDir, 'skeleton', 'README.md'));
    }
  });

  it('the portal backend adds the scaffolder modules whose actions the templates use', async () => {
    // The backend starts every feature that packages/backend/src/features.ts imports.
    const backendFeatures = await fs.readFile(
      resolvePackagePath(
        '@internal/backstage-plugin-scaffolder-backend-module-mlops',
        '../../packages/backend/src/features.ts',
      ),
      'utf8',
    );
    const added = [
      ...backendFeatures.matchAll(/^import \w+ from '([^']+)';$/gm),
    ].map(m => m[1]);
    expect(added).toEqual(
      expect.arrayContaining([
        '@backstage/plugin-scaffolder-backend',
        '@backstage/plugin-scaffolder-backend-module-github',
        '@backstage/plugin-scaffolder-backend-module-gitlab',
        '@internal/backstage-plugin-scaffolder-backend-module-mlops',
      ]),
    );
  });

  it('publishes to GitLab the way it publishes to GitHub, in every template', async () => {
    for (const { entity } of await readTemplates()) {
      const spec = entity.spec as any;
      const publishTo = spec.parameters.find(
        (p: any) => p.properties?.publishTo,
      );
      expect(publishTo.properties.publishTo.enum).toEqual([
        'local',
        'github',
        'gitlab',
      ]);
      const branches = publishTo.dependencies.publishTo.oneOf;
      const githubBranch = branches.find(
        (b: any) => b.properties.publishTo.const === 'github',
      );
      expect(branches).toContainEqual(asGitlab(githubBranch));
      expect(
        asGitlab(githubBranch).properties.repoUrl['ui:options'].allowedHosts,
      ).toEqual(['gitlab.com']);

      const publishGithub = stepById(entity, 'publish-github');
      const publishGitlab = stepById(entity, 'publish-gitlab');
      expect(publishGitlab.if).toBe(asGitlab(publishGithub.if));
      expect(publishGitlab.input).toEqual({
        repoUrl: publishGithub.input?.repoUrl,
        defaultBranch: publishGithub.input?.defaultBranch,
        // publish:gitlab takes these as project settings (repoVisibility is deprecated there).
        settings: {
          description: publishGithub.input?.description,
          visibility: publishGithub.input?.repoVisibility,
        },
      });
      expect(stepById(entity, 'register-gitlab')).toEqual(
        asGitlab(stepById(entity, 'register-github')),
      );
      const ids = templateSteps(entity).map(s => s.id);
      expect(ids.indexOf('publish-gitlab')).toBeLessThan(
        ids.indexOf('register-gitlab'),
      );

      const githubLink = spec.output.links.find(
        (l: any) => l.if === publishGithub.if,
      );
      expect(spec.output.links).toContainEqual(asGitlab(githubLink));
    }
  });

  it('mlops:dataset:bind checks the dataset through the datasets API and writes the template defaults', async () => {
    const action = bindDatasetAction(started.services);
    const dataset = await waitFor('the MNIST sample dataset', async () => {
      try {
        const { outputs, workspacePath } = await runAction(action, {
          dataset: 'mnist',
          templateId: 'mnist-cnn',
          hyperparameters: { epochs: 2 },
        });
        return { outputs, workspacePath };
      } catch (error) {
        if (/does not exist/.test(String(error))) return undefined;
        throw error;
      }
    });
    const config = JSON.parse(
      await fs.readFile(
        path.join(dataset.workspacePath, 'config', 'training.json'),
        'utf8',
      ),
    );
    const templates = await request(started.server)
      .get('/api/experiments/templates')
      .set('Authorization', mockCredentials.user.header())
      .expect(200);
    const cnn = templates.body.items.find((t: any) => t.id === 'mnist-cnn');
    expect(config.templateId).toBe('mnist-cnn');
    expect(config.dataset).toMatchObject({ name: 'mnist', format: 'idx' });
    expect(config.dataset.id).toBe(dataset.outputs.datasetId);
    expect(config.hyperparameters.epochs).toBe(2);
    expect(config.hyperparameters.learning_rate).toBe(
      cnn.hyperparameterSchema.properties.learning_rate.default,
    );
    expect(config.resources).toEqual(cnn.defaultResources);

    await expect(
      runAction(action, { dataset: 'no-such-data', templateId: 'mnist-cnn' }),
    ).rejects.toThrow(/Dataset "no-such-data" does not exist/);
    await expect(
      runAction(action, { dataset: 'mnist', templateId: 'tabular-hgb' }),
    ).rejects.toThrow(/mnist" is idx; model template tabular-hgb takes csv/);
    await expect(
      runAction(action, { dataset: 'mnist', templateId: 'custom:nope@1' }),
    ).rejects.toThrow(/Model template "custom:nope@1" does not exist/);
    await expect(
      runAction(action, {
        dataset: 'mnist',
        templateId: 'mnist-cnn',
        hyperparameters: { colour: 'red' },
      }),
    ).rejects.toThrow(/has no hyperparameter colour/);
  });

  it('mlops:custom-model:fetch names a malformed id and a version the user cannot see', async () => {
    const action = fetchCustomModelAction(started.services);
    await expect(
      runAction(action, { templateId: 'mnist-cnn' }),
    ).rejects.toThrow(
      /is not a custom model version: write custom:<name>@<version>/,
    );
    await expect(
      runAction(action, { templateId: 'custom:nope@1' }),
    ).rejects.toThrow(
      /Custom model version nope@1 does not exist or your teams cannot see it \(No custom model "nope"\)/,
    );
  });

  it.each([
    ['ml-project-mnist-cnn', 'mnist', 'mnist-cnn', {}],
    [
      'ml-project-tabular',
      'iris-synthetic',
      'tabular-logreg',
      { modelTemplate: 'tabular-logreg' },
    ],
  ])(
    'runs %s end to end: repository, training config, MLflow experiment and catalog entity',
    async (templateName, dataset, templateId, extra) => {
      const user = mockCredentials.user.header();
      await waitFor('the template in the catalog', async () => {
        const res = await request(started.server)
          .get(
            '/api/catalog/entities/by-name/template/default/ml-project-mnist-cnn',
          )
          .set('Authorization', user);
        return res.status === 200;
      });
      const name = `${dataset}-project-${Date.now()}`;
      const created = await request(started.server)
        .post('/api/scaffolder/v2/tasks')
        .set('Authorization', user)
        .send({
          templateRef: `template:default/${templateName}`,
          values: {
            name,
            description: 'Handwritten digits',
            owner: 'group:default/team-a',
            dataset,
            publishTo: 'local',
            ...extra,
          },
        })
        .expect(201);
      const task = await waitFor('the task to end', async () => {
        const res = await request(started.server)
          .get(`/api/scaffolder/v2/tasks/${created.body.id}`)
          .set('Authorization', user);
        return ['completed', 'failed', 'cancelled'].includes(res.body.status)
          ? res.body
          : undefined;
      });
      if (task.status !== 'completed') {
        const events = await request(started.server)
          .get(`/api/scaffolder/v2/tasks/${created.body.id}/events`)
          .set('Authorization', user);
        throw new Error(
          `task ${task.status}: ${JSON.stringify(events.body.slice(-3))}`,
        );
      }
      const repo = path.join(localGitRoot, name);
      const config = JSON.parse(
        await fs.readFile(path.join(repo, 'config', 'training.json'), 'utf8'),
      );
      expect(config).toMatchObject({
        templateId,
        dataset: { name: dataset },
      });
      const readme = await fs.readFile(path.join(repo, 'README.md'), 'utf8');
      expect(readme).toContain('Handwritten digits');
      expect(readme).toContain('`group:default/team-a`');
      const experiment = await fetch(
        `${trackingUrl}/api/2.0/mlflow/experiments/get-by-name?experiment_name=${name}`,
        { headers: mlflowAuthHeaders(requireTestMlflowCredentials()) },
      ).then(r => r.json());
      const entity = await waitFor('the project in the catalog', async () => {
        const res = await request(started.server)
          .get(`/api/catalog/entities/by-name/system/default/${name}`)
          .set('Authorization', user);
        return res.status === 200 ? (res.body as Entity) : undefined;
      });
      expect(entity.spec).toEqual({
        type: 'ml-project',
        owner: 'group:default/team-a',
      });
      expect(entity.metadata.annotations).toMatchObject({
        'mlops-portal.io/model-template': templateId,
        'mlops-portal.io/dataset-id': config.dataset.id,
        'mlops-portal.io/mlflow-experiment-id':
          experiment.experiment.experiment_id,
      });
    },
  );

  it('publishes a project to a local git repository and registers it in the catalog', async () => {
    const workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'mlops-ws-'));
    await fs.writeFile(
      path.join(workspace, 'catalog-info.yaml'),
      [
        'apiVersion: backstage.io/v1alpha1',
        'kind: System',
        'metadata:',
        '  name: registered-project',
        'spec:',
        '  type: ml-project',
        '  owner: group:default/team-a',
        '',
      ].join('\n'),
    );
    const published = await runAction(
      publishLocalGitAction({ localGitRoot }),
      { repoName: 'registered-project' },
      { workspacePath: workspace },
    );
    const register = registerLocalProjectAction({
      localGitRoot,
      events: started.services.events,
    });
    const { outputs } = await runAction(register, {
      catalogInfoPath: published.outputs.catalogInfoPath as string,
    });
    expect(outputs.entityRef).toBe('system:default/registered-project');
    const entity = await waitFor('the project in the catalog', async () => {
      const res = await request(started.server)
        .get('/api/catalog/entities/by-name/system/default/registered-project')
        .set('Authorization', mockCredentials.user.header());
      return res.status === 200 ? (res.body as Entity) : undefined;
    });
    expect(entity.spec).toMatchObject({
      type: 'ml-project',
      owner: 'group:default/team-a',
    });
    expect(
      entity.metadata.annotations?.['backstage.io/managed-by-location'],
    ).toBe(
      `file:${path.join(
        localGitRoot,
        'registered-project',
        'catalog-info.yaml',
      )}`,
    );

    await expect(
      runAction(register, { catalogInfoPath: '/etc/passwd' }),
    ).rejects.toThrow(
      /is not the catalog-info.yaml of a project repository under/,
    );
  });
});
