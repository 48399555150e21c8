import { createPermission } from '@backstage/plugin-permission-common';
import { HyperparameterSchema } from './types';

/** @public */
export const CUSTOM_MODEL_RESOURCE_TYPE = 'custom-model';

/**
 * Prefix of the template id of a custom model version: `custom:<name>@<version>`.
 *
 * @public
 */
export const CUSTOM_MODEL_TEMPLATE_PREFIX = 'custom:';

const CUSTOM_MODEL_TEMPLATE_ID =
  /^custom:([a-z][a-z0-9-]{1,62})@([1-9][0-9]*)$/;

/**
 * The custom model version a template id names (`custom:<name>@<version>`); undefined for any
 * other id.
 *
 * @public
 */
export function parseCustomModelTemplateId(
  templateId: string,
): CustomModelVersionRef | undefined {
  const match = CUSTOM_MODEL_TEMPLATE_ID.exec(templateId);
  return match ? { name: match[1], version: Number(match[2]) } : undefined;
}

/**
 * One version of a custom model, by name. Names are unique per owning team: `owner` tells which
 * team's model where several teams use the name.
 *
 * @public
 */
export type CustomModelVersionRef = {
  name: string;
  version: number;
  owner?: string;
};

/**
 * See a custom model, its versions and their source; granted to the owning team.
 *
 * @public
 */
export const customModelReadPermission = createPermission({
  name: 'experiments.custom-model.read',
  attributes: { action: 'read' },
  resourceType: CUSTOM_MODEL_RESOURCE_TYPE,
});

/**
 * Upload a custom model, or a new version of one the caller's team owns.
 *
 * @public
 */
export const customModelCreatePermission = createPermission({
  name: 'experiments.custom-model.create',
  attributes: { action: 'create' },
});

/** @public */
export const customModelPermissions = [
  customModelReadPermission,
  customModelCreatePermission,
];

/**
 * One version of a custom model: a Python module that passed the interface check in Ray.
 *
 * @public
 */
export type CustomModelVersion = {
  name: string;
  /** The team owning the model. */
  owner: string;
  version: number;
  /** `custom:<name>@<version>`, the model template id jobs use. */
  templateId: string;
  sha256: string;
  /** The module's own HYPERPARAMETER_SCHEMA, if it declares one. */
  hyperparameterSchema?: HyperparameterSchema;
  parameterCount: number;
  createdBy: string;
  createdAt: string;
  /** Only in the answer for a single version. */
  source?: string;
};

/**
 * A custom model with its versions, newest first.
 *
 * @public
 */
export type CustomModel = {
  name: string;
  owner: string;
  description: string;
  createdBy: string;
  createdAt: string;
  versions: CustomModelVersion[];
};

/**
 * `POST /custom-models`: a new model, or a new version of one (same name and owner).
 *
 * @public
 */
export type CreateCustomModelRequest = {
  name: string;
  /** The Python module's source text. */
  source: string;
  description?: string;
  /** One of the caller's teams; default their first group. */
  owner?: string;
  /** A Ray cluster of the owner to run the check on; default the owner's first cluster. */
  cluster?: string;
};

/**
 * A problem the check found in a module (code as in `mlops_runtime.check_model`).
 *
 * @public
 */
export type CustomModelProblem = {
  code: string;
  message: string;
  line?: number;
};
