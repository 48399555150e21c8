import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { JsonObject } from '@backstage/types';
import { TemplateAction } from '@backstage/plugin-scaffolder-node';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Runs a template action the way the scaffolder does, with a hand-made context (the scaffolder's
 * test utilities package is not installed): a real workspace folder, the outputs collected, and the
 * given user as the initiator.
 */
export async function runAction(
  action: TemplateAction<any, any, any>,
  input: JsonObject,
  options: { workspacePath?: string; userRef?: string } = {},
) {
  const workspacePath =
    options.workspacePath ??
    (await fs.mkdtemp(path.join(os.tmpdir(), 'mlops-scaffolder-test-')));
  const userRef = options.userRef ?? 'user:default/mock';
  const outputs: Record<string, unknown> = {};
  await action.handler({
    input,
    workspacePath,
    logger: mockServices.logger.mock(),
    output: (name: string, value: unknown) => {
      outputs[name] = value;
    },
    checkpoint: async ({ fn }: { fn: () => Promise<unknown> }) => fn(),
    createTemporaryDirectory: () =>
      fs.mkdtemp(path.join(os.tmpdir(), 'mlops-scaffolder-tmp-')),
    getInitiatorCredentials: async () => mockCredentials.user(userRef),
    task: { id: 'test-task' },
    user: { ref: userRef },
  } as any);
  return { outputs, workspacePath };
}
