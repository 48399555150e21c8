import { Entity } from '@backstage/catalog-model';
import { ModelDeployment } from '@internal/backstage-plugin-serving-common';
import {
  ScheduledEntityProvider,
  ScheduledEntityProviderOptions,
} from '@internal/mlops-node';
import { uniqueEntityNames } from './entityNames';
import { inferenceApiDefinition } from './inferenceApi/inferenceApiDefinition';

/** Annotation with the deployment's id in the serving plugin. */
export const DEPLOYMENT_ID_ANNOTATION = 'mlops-portal.io/deployment-id';
/** Base URL of the deployment's inference API (Open Inference Protocol v2). */
export const DEPLOYMENT_ENDPOINT_ANNOTATION =
  'mlops-portal.io/deployment-endpoint';
/** Health of the deployment as Ray Serve reports it (DEPLOYING, HEALTHY, UNHEALTHY, DELETING). */
export const DEPLOYMENT_STATE_ANNOTATION = 'mlops-portal.io/deployment-state';
/** The versions that answer requests, comma-separated, e.g. `3,4`. */
export const DEPLOYMENT_VERSIONS_ANNOTATION =
  'mlops-portal.io/deployment-versions';
/** Percent of traffic per version, as JSON, e.g. `{"3":80,"4":20}`. */
export const DEPLOYMENT_WEIGHTS_ANNOTATION =
  'mlops-portal.io/deployment-weights';
/** Registered model name in MLflow. */
export const MODEL_NAME_ANNOTATION = 'mlops-portal.io/model-name';
/** The champion version of the deployment. */
export const MODEL_VERSION_ANNOTATION = 'mlops-portal.io/model-version';
export const RAY_CLUSTER_ANNOTATION = 'mlops-portal.io/ray-cluster';

/** Versions with traffic, then the shadow version if it has none. */
function liveVersions(deployment: ModelDeployment): string[] {
  return deployment.versions
    .filter(v => v.weight > 0 || deployment.shadow?.version === v.version)
    .map(v => v.version);
}

function weights(deployment: ModelDeployment): Record<string, number> {
  return Object.fromEntries(
    deployment.versions
      .filter(v => v.weight > 0)
      .map(v => [v.version, v.weight]),
  );
}

export function deploymentApiEntity(
  deployment: ModelDeployment,
  name: string,
  portalUrl: string,
): Entity {
  const versions = liveVersions(deployment);
  const traffic = weights(deployment);
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'API',
    metadata: {
      name,
      title: `${deployment.modelName} (${deployment.name})`,
      description: `Inference API (Open Inference Protocol v2) of model ${
        deployment.modelName
      }, version${versions.length === 1 ? '' : 's'} ${
        versions.join(', ') || deployment.modelVersion
      }, on Ray cluster ${deployment.cluster}.`,
      tags: ['inference', 'open-inference-protocol', 'ray-serve'],
      annotations: {
        [DEPLOYMENT_ID_ANNOTATION]: deployment.id,
        ...(deployment.endpoint && {
          [DEPLOYMENT_ENDPOINT_ANNOTATION]: deployment.endpoint,
        }),
        [DEPLOYMENT_STATE_ANNOTATION]: deployment.state,
        [DEPLOYMENT_VERSIONS_ANNOTATION]: versions.join(','),
        [DEPLOYMENT_WEIGHTS_ANNOTATION]: JSON.stringify(traffic),
        [MODEL_NAME_ANNOTATION]: deployment.modelName,
        [MODEL_VERSION_ANNOTATION]: deployment.modelVersion,
        [RAY_CLUSTER_ANNOTATION]: deployment.cluster,
      },
      links: [
        {
          url: `${portalUrl}/serving/deployments/${encodeURIComponent(
            deployment.id,
          )}`,
          title: 'Deployment in the portal',
        },
      ],
    },
    spec: {
      type: 'openapi',
      lifecycle: 'production',
      owner: deployment.owner,
      // The model's Component (ModelEntityProvider) lists this API in its providesApis.
      definition: JSON.stringify(
        inferenceApiDefinition({
          name: deployment.name,
          modelName: deployment.modelName,
          endpoint: deployment.endpoint,
          versions,
          weights: traffic,
        }),
        null,
        2,
      ),
    },
  };
}

/**
 * Entities of all deployments. Slugs are unique per Ray cluster but entity names per namespace:
 * the oldest deployment keeps the plain slug, later ones get their id's start appended.
 */
export function deploymentApiEntities(
  deployments: ModelDeployment[],
  portalUrl: string,
): Entity[] {
  return uniqueEntityNames(deployments, d => d.name, 'deployment').map(
    ([deployment, name]) => deploymentApiEntity(deployment, name, portalUrl),
  );
}

/**
 * Every model deployment of the serving plugin as an API entity of type openapi, owned by its
 * team, with the OIP v2 definition filled in for its model and the endpoint, versions, weights
 * and state in annotations. Each refresh replaces the provider's entities (a full mutation), so
 * deleted deployments leave the catalog.
 */
export class DeploymentApiEntityProvider extends ScheduledEntityProvider {
  constructor(
    private readonly deployments: { list(): Promise<ModelDeployment[]> },
    private readonly portalUrl: string,
    options: ScheduledEntityProviderOptions,
  ) {
    super('mlops-deployments', 'mlops-deployment-entity-provider', options);
  }

  protected async readEntities(): Promise<Entity[]> {
    return deploymentApiEntities(await this.deployments.list(), this.portalUrl);
  }
}
