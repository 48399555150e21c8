import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

export const PUBLISH_LOCAL_GIT_ACTION = 'mlops:publish:local-git';

const REPO_NAME = /^[a-z0-9]+(?:[-_.][a-z0-9]+)*$/;

async function git(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  await promisify(execFile)('git', args, {
    cwd,
    env: { ...process.env, ...env },
    timeout: 30_000,
  });
}

/**
 * `mlops:publish:local-git`: the skeleton (the workspace, or `sourcePath` in it) as a new git
 * repository `<localGitRoot>/<repoName>` with one commit on `main`, made with the git binary.
 * The publishing target that needs no network; an existing repository is a conflict, never
 * overwritten.
 */
export function publishLocalGitAction(options: { localGitRoot: string }) {
  return createTemplateAction({
    id: PUBLISH_LOCAL_GIT_ACTION,
    description:
      'Publishes the skeleton as a new local git repository under mlops.projects.localGitRoot',
    schema: {
      input: {
        repoName: z => z.string().describe('Folder name of the repository'),
        sourcePath: z =>
          z
            .string()
            .optional()
            .describe('Folder of the workspace to publish; default all of it'),
        commitMessage: z => z.string().optional(),
      },
      output: {
        repoPath: z => z.string(),
        remoteUrl: z => z.string(),
        catalogInfoPath: z => z.string(),
        commitHash: z => z.string(),
      },
    },
    async handler(ctx) {
      const { repoName } = ctx.input;
      if (repoName.length > 100 || !REPO_NAME.test(repoName)) {
        throw new InputError(
          `Repository name "${repoName}" must be lower-case letters, digits and - _ . between them`,
        );
      }
      const source = resolveSafeChildPath(
        ctx.workspacePath,
        ctx.input.sourcePath ?? '.',
      );
      await fs.mkdir(options.localGitRoot, { recursive: true });
      const repoPath = resolveSafeChildPath(options.localGitRoot, repoName);
      try {
        await fs.mkdir(repoPath);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
          throw new ConflictError(
            `A project repository ${repoPath} already exists; choose another name`,
          );
        }
        throw error;
      }
      try {
        await fs.cp(source, repoPath, {
          recursive: true,
          filter: src => path.basename(src) !== '.git',
        });
        const author = ctx.user?.entity?.spec?.profile;
        const name = author?.displayName ?? ctx.user?.ref ?? 'MLOps portal';
        const email = author?.email ?? 'mlops-portal@localhost';
        const identity = {
          GIT_AUTHOR_NAME: name,
          GIT_AUTHOR_EMAIL: email,
          GIT_COMMITTER_NAME: 'MLOps portal',
          GIT_COMMITTER_EMAIL: 'mlops-portal@localhost',
        };
        await git(repoPath, ['init', '--quiet', '--initial-branch=main']);
        await git(repoPath, ['add', '--all']);
        await git(
          repoPath,
          [
            'commit',
            '--quiet',
            '--no-gpg-sign',
            '-m',
            ctx.input.commitMessage ?? 'Initial commit from the MLOps portal',
          ],
          identity,
        );
      } catch (error) {
        await fs.rm(repoPath, { recursive: true, force: true });
        throw error;
      }
      const { stdout } = await promisify(execFile)(
        'git',
        ['rev-parse', 'HEAD'],
        {
          cwd: repoPath,
        },
      );
      const catalogInfoPath = path.join(repoPath, 'catalog-info.yaml');
      ctx.logger.info(
        `Published the project to the local git repository ${repoPath}`,
      );
      ctx.output('repoPath', repoPath);
      ctx.output('remoteUrl', pathToFileURL(repoPath).href);
      ctx.output('catalogInfoPath', catalogInfoPath);
      ctx.output('commitHash', stdout.trim());
    },
  });
}
