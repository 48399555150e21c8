import { mockServices } from '@backstage/backend-test-utils';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ProjectRepositoriesProvider } from './ProjectRepositoriesProvider';

describe('ProjectRepositoriesProvider', () => {
  it('reads the entities of each repository, with their file as location, and skips other kinds', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'mlops-projects-'));
    await fs.mkdir(path.join(root, 'digits'));
    await fs.writeFile(
      path.join(root, 'digits', 'catalog-info.yaml'),
      [
        'apiVersion: backstage.io/v1alpha1',
        'kind: System',
        'metadata:',
        '  name: digits',
        'spec:',
        '  type: ml-project',
        '  owner: group:default/team-a',
        '---',
        'apiVersion: backstage.io/v1alpha1',
        'kind: Group',
        'metadata:',
        '  name: sneaky-admins',
        'spec:',
        '  type: team',
        '  children: []',
        '',
      ].join('\n'),
    );
    await fs.mkdir(path.join(root, 'empty'));
    const provider = new ProjectRepositoriesProvider(
      root,
      mockServices.logger.mock(),
    );
    const entities = await provider.read();
    expect(entities.map(e => `${e.kind}:${e.metadata.name}`)).toEqual([
      'System:digits',
    ]);
    const location = `file:${path.join(root, 'digits', 'catalog-info.yaml')}`;
    expect(entities[0].metadata.annotations).toEqual({
      'backstage.io/managed-by-location': location,
      'backstage.io/managed-by-origin-location': location,
    });

    const applyMutation = jest.fn();
    await provider.connect({ applyMutation, refresh: jest.fn() });
    await provider.refresh();
    expect(applyMutation).toHaveBeenCalledWith({
      type: 'full',
      entities: [
        { entity: entities[0], locationKey: 'mlops-project-repositories' },
      ],
    });
    await fs.rm(root, { recursive: true, force: true });
  });
});
