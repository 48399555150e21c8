import { ResponseError } from '@backstage/errors';
import {
  CustomModel,
  CustomModelVersion,
  ModelTemplate,
} from '@internal/backstage-plugin-experiments-common';
import { cnnTemplate } from '../../testing/fixtures';

export const TINY_MLP_SOURCE = `from torch import nn

HYPERPARAMETER_SCHEMA = {
    "type": "object",
    "properties": {
        "hidden": {"type": "integer", "minimum": 8, "maximum": 256, "default": 16,
                   "title": "Hidden units", "description": "Width of the hidden layer."},
    },
}

def build_model(config):
    return nn.Sequential(nn.Flatten(), nn.Linear(784, config["hidden"]), nn.ReLU(),
                         nn.Linear(config["hidden"], 10))
`;

const hidden = {
  type: 'integer',
  minimum: 8,
  maximum: 256,
  default: 16,
  title: 'Hidden units',
  description: 'Width of the hidden layer.',
};

export function aVersion(version: number): CustomModelVersion {
  return {
    name: 'tiny-mlp',
    owner: 'group:default/team-a',
    version,
    templateId: `custom:tiny-mlp@${version}`,
    sha256: `${version}`.repeat(64),
    hyperparameterSchema: { type: 'object', properties: { hidden } },
    parameterCount: 784 * 16 + 16 + 16 * 10 + 10,
    createdBy: 'user:default/ada',
    createdAt: `2026-11-2${version}T10:00:00.000Z`,
  };
}

export const tinyMlp: CustomModel = {
  name: 'tiny-mlp',
  owner: 'group:default/team-a',
  description: 'A small MLP',
  createdBy: 'user:default/ada',
  createdAt: '2026-11-21T10:00:00.000Z',
  versions: [aVersion(2), aVersion(1)],
};

/** Version 2 as `GET /templates` lists it: the training loop's hyperparameters and its own. */
export const tinyMlpTemplate: ModelTemplate = {
  ...cnnTemplate,
  id: 'custom:tiny-mlp@2',
  version: '2',
  title: 'tiny-mlp v2 (custom)',
  description: 'A small MLP',
  hyperparameterSchema: {
    type: 'object',
    properties: { ...cnnTemplate.hyperparameterSchema.properties, hidden },
  },
};

/** The error ExperimentsClient throws for an error response with this message. */
export function responseError(
  status: number,
  message: string,
  extra: Record<string, unknown> = {},
): Promise<ResponseError> {
  const text = JSON.stringify({
    error: { name: 'InputError', message, ...extra },
    response: { statusCode: status },
  });
  return ResponseError.fromResponse({
    status,
    statusText: 'Error',
    url: 'http://localhost/api/experiments/custom-models',
    headers: new Map([['content-type', 'application/json']]),
    text: async () => text,
  } as unknown as Response);
}
