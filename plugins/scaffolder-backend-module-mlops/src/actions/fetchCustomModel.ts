import {
  AuthService,
  DiscoveryService,
  resolveSafeChildPath,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  CUSTOM_MODEL_TEMPLATE_PREFIX,
  parseCustomModelTemplateId,
} from '@internal/backstage-plugin-experiments-common';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { mlopsClients } from '../mlopsApis';

export const FETCH_CUSTOM_MODEL_ACTION = 'mlops:custom-model:fetch';

/**
 * `mlops:custom-model:fetch`: writes the source of a custom model version the user's team can
 * see (`custom:<name>@<version>`) into the skeleton (`model.py` by default).
 */
export function fetchCustomModelAction(deps: {
  auth: AuthService;
  discovery: DiscoveryService;
}) {
  return createTemplateAction({
    id: FETCH_CUSTOM_MODEL_ACTION,
    description:
      "Writes a custom model version's Python source into the skeleton",
    schema: {
      input: {
        templateId: z =>
          z
            .string()
            .describe(`${CUSTOM_MODEL_TEMPLATE_PREFIX}<name>@<version>`),
        targetPath: z => z.string().optional().describe('Default model.py'),
      },
      output: {
        sha256: z => z.string(),
      },
    },
    async handler(ctx) {
      const ref = parseCustomModelTemplateId(ctx.input.templateId);
      if (!ref) {
        throw new InputError(
          `"${ctx.input.templateId}" is not a custom model version: write custom:<name>@<version>, e.g. custom:my-cnn@1`,
        );
      }
      const clients = mlopsClients(deps, await ctx.getInitiatorCredentials());
      const version = await clients.customModelVersion(ref.name, ref.version);
      const relative = ctx.input.targetPath ?? 'model.py';
      const target = resolveSafeChildPath(ctx.workspacePath, relative);
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.writeFile(target, version.source ?? '');
      ctx.logger.info(`Wrote ${ctx.input.templateId} to ${relative}`);
      ctx.output('sha256', version.sha256);
    },
  });
}
