/**
 * Every MLOps resource (cluster, job, dataset, deployment, drift report) is owned by one catalog
 * entity, normally a team (Group). Access is granted to the owner's members and to admins.
 *
 * @public
 */
export type OwnedResource = {
  /** Entity ref of the owner, e.g. "group:default/data-science". */
  owner: string;
};

/**
 * Name of the permission rule each MLOps backend plugin registers for its resource types: the
 * resource's owner is one of the given ownership claims.
 *
 * @public
 */
export const OWNER_RULE_NAME = 'IS_OWNED_BY';

/**
 * Parameters of {@link OWNER_RULE_NAME}.
 *
 * @public
 */
export type OwnerRuleParams = {
  /** Ownership entity refs of the user (the user and their groups). */
  claims: string[];
};

/**
 * Resource types of the MLOps plugins, each with the plugin that owns it; the permission policy
 * grants them by ownership.
 *
 * @public
 */
export const MLOPS_RESOURCE_TYPES = {
  'ray-cluster': 'ray-clusters',
  dataset: 'datasets',
  'training-job': 'experiments',
  'model-deployment': 'serving',
  'drift-monitor': 'drift',
  'custom-model': 'experiments',
} as const;

/** @public */
export type MlopsResourceType = keyof typeof MLOPS_RESOURCE_TYPES;
