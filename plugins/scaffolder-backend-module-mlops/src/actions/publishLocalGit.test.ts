import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runAction } from '../__testUtils__/actionContext';
import { createProjectAction } from './createProject';
import { publishLocalGitAction } from './publishLocalGit';
import { parse } from 'yaml';
import { mockServices } from '@backstage/backend-test-utils';

const userInfo = mockServices.userInfo({
  ownershipEntityRefs: ['user:default/mock', 'group:default/team-a'],
});

describe('mlops:project:create and mlops:publish:local-git', () => {
  let root: string;
  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'mlops-projects-'));
  });
  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('writes the System entity and publishes the skeleton as a git repository with one commit', async () => {
    const { workspacePath, outputs: project } = await runAction(
      createProjectAction({ userInfo }),
      {
        name: 'digits',
        owner: 'team-a',
        description: 'Digits',
        templateId: 'mnist-cnn',
        datasetId: 'ds-1',
        mlflowExperimentId: '7',
        mlflowExperimentUrl: 'http://mlflow/#/experiments/7',
      },
    );
    expect(project.entityRef).toBe('system:default/digits');
    await fs.mkdir(path.join(workspacePath, 'config'));
    await fs.writeFile(
      path.join(workspacePath, 'config', 'training.json'),
      '{}',
    );
    await fs.writeFile(path.join(workspacePath, 'README.md'), '# Digits\n');

    const { outputs } = await runAction(
      publishLocalGitAction({ localGitRoot: root }),
      { repoName: 'digits' },
      { workspacePath },
    );
    const repo = path.join(root, 'digits');
    expect(outputs.repoPath).toBe(repo);
    expect(outputs.remoteUrl).toBe(`file://${repo}`);
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
    expect(git('rev-list', '--count', 'HEAD')).toBe('1');
    expect(git('rev-parse', 'HEAD')).toBe(outputs.commitHash);
    expect(git('branch', '--show-current')).toBe('main');
    expect(git('ls-files').split('\n').sort()).toEqual([
      'README.md',
      'catalog-info.yaml',
      'config/training.json',
    ]);
    expect(git('status', '--porcelain')).toBe('');

    const entity = parse(
      await fs.readFile(path.join(repo, 'catalog-info.yaml'), 'utf8'),
    );
    expect(entity).toMatchObject({
      kind: 'System',
      metadata: {
        name: 'digits',
        annotations: {
          'mlops-portal.io/model-template': 'mnist-cnn',
          'mlops-portal.io/dataset-id': 'ds-1',
          'mlops-portal.io/mlflow-experiment-id': '7',
        },
        links: [{ url: 'http://mlflow/#/experiments/7' }],
      },
      spec: { type: 'ml-project', owner: 'group:default/team-a' },
    });

    // A second project of the same name never overwrites the first.
    await expect(
      runAction(
        publishLocalGitAction({ localGitRoot: root }),
        { repoName: 'digits' },
        { workspacePath },
      ),
    ).rejects.toThrow(/already exists/);
    expect(git('rev-list', '--count', 'HEAD')).toBe('1');
  });

  it('refuses names that are not entity or folder names', async () => {
    await expect(
      runAction(createProjectAction({ userInfo }), {
        name: 'Not A Name',
        owner: 'team-a',
        templateId: 'mnist-cnn',
      }),
    ).rejects.toThrow(/not a valid entity name/);
    await expect(
      runAction(createProjectAction({ userInfo }), {
        name: 'theirs',
        owner: 'group:default/team-b',
        templateId: 'mnist-cnn',
      }),
    ).rejects.toThrow(/not a member of it/);
    await expect(
      runAction(publishLocalGitAction({ localGitRoot: root }), {
        repoName: '../escape',
      }),
    ).rejects.toThrow(/must be lower-case/);
    expect(await fs.readdir(root)).toEqual([]);
  });
});
