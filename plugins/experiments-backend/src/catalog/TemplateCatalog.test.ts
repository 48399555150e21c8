import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TemplateCatalog, templatesFolder } from './TemplateCatalog';

const repoRuntimePath = resolvePackagePath(
  '@internal/backstage-plugin-experiments-backend',
  '../../runtime',
);

const BUILT_IN = ['mnist-cnn', 'mnist-mlp', 'tabular-hgb', 'tabular-logreg'];

async function readManifest(id: string) {
  return JSON.parse(
    await fs.readFile(
      path.join(templatesFolder(repoRuntimePath), `${id}.json`),
      'utf8',
    ),
  );
}

/** A runtime folder holding only the given manifests, by file name. */
async function runtimeWith(manifests: Record<string, unknown>) {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'templates-'));
  const folder = templatesFolder(root);
  await fs.mkdir(folder, { recursive: true });
  for (const [file, manifest] of Object.entries(manifests)) {
    await fs.writeFile(path.join(folder, file), JSON.stringify(manifest));
  }
  return root;
}

describe('TemplateCatalog', () => {
  const roots: string[] = [];
  afterAll(async () => {
    await Promise.all(
      roots.map(root => fs.rm(root, { recursive: true, force: true })),
    );
  });

  it('loads every built-in manifest of the runtime, each with its entrypoint and search space', async () => {
    const logger = mockServices.logger.mock();
    const catalog = await TemplateCatalog.load({
      runtimePath: repoRuntimePath,
      logger,
    });
    expect(logger.warn).not.toHaveBeenCalled();
    expect(
      catalog
        .list()
        .map(t => t.id)
        .sort(),
    ).toEqual(expect.arrayContaining(BUILT_IN));
    for (const id of BUILT_IN) {
      const { template } = catalog.get(id);
      expect(template).toEqual(await readManifest(id));
      expect(Object.keys(template.searchSpace ?? {}).length).toBeGreaterThan(0);
    }
    expect(catalog.get('mnist-mlp').template.entrypoint).toBe(
      'mlops_runtime.train',
    );
    expect(catalog.get('tabular-hgb').template).toMatchObject({
      task: 'tabular-classification',
      datasetFormats: ['csv', 'parquet'],
      entrypoint: 'mlops_runtime.train_tabular',
    });
    expect(catalog.get('tabular-logreg').template.entrypoint).toBe(
      'mlops_runtime.train_tabular',
    );
  });

  it('fills the defaults of a tabular template, target column included, and rejects a non-string target', async () => {
    const catalog = await TemplateCatalog.load({
      runtimePath: repoRuntimePath,
      logger: mockServices.logger.mock(),
    });
    const { validate } = catalog.get('tabular-hgb');
    const values: Record<string, unknown> = { max_iter: 50 };
    expect(validate(values)).toBe(true);
    expect(values).toMatchObject({
      target_column: 'species',
      task: 'classification',
      max_iter: 50,
    });
    expect(validate({ target_column: 3 })).toBe(false);
    expect(validate({ task: 'clustering' })).toBe(false);
  });

  it('skips a manifest whose search space is invalid, naming each problem, and keeps the others', async () => {
    const good = await readManifest('mnist-mlp');
    const root = await runtimeWith({
      'good.json': { ...good, id: 'good' },
      'bad.json': {
        ...good,
        id: 'bad',
        searchSpace: {
          learning_rate: { type: 'uniform', min: 0.5, max: 0.1 },
          hidden_layers: { type: 'int', min: 1, max: 9 },
          batch_size: { type: 'choice', values: [] },
          momentum: { type: 'uniform', min: 0, max: 1 },
          dropout: { type: 'gaussian', min: 0, max: 1 },
        },
      },
    });
    roots.push(root);
    const logger = mockServices.logger.mock();
    const catalog = await TemplateCatalog.load({ runtimePath: root, logger });
    expect(catalog.list().map(t => t.id)).toEqual(['good']);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    const warning = logger.warn.mock.calls[0][0] as string;
    expect(warning).toContain('bad.json');
    expect(warning).toContain(
      'searchSpace: learning_rate: min (0.5) must be less than max (0.1)',
    );
    expect(warning).toContain('searchSpace: hidden_layers.max: must be <= 4');
    expect(warning).toContain(
      'searchSpace: batch_size.values: must be a non-empty list',
    );
    expect(warning).toContain(
      'searchSpace: momentum: is not a hyperparameter of this template',
    );
    expect(warning).toContain('searchSpace: dropout.type: must be one of');
  });

  it('accepts a manifest without a search space', async () => {
    const { searchSpace: _omitted, ...manifest } = await readManifest(
      'mnist-cnn',
    );
    const root = await runtimeWith({ 'plain.json': manifest });
    roots.push(root);
    const logger = mockServices.logger.mock();
    const catalog = await TemplateCatalog.load({ runtimePath: root, logger });
    expect(catalog.get('mnist-cnn').template.searchSpace).toBeUndefined();
    expect(logger.warn).not.toHaveBeenCalled();
  });
});
