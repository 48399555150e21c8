import { InputError } from '@backstage/errors';
import {
  buildRayService,
  RayClusterShape,
  RayServiceManifest,
  ServeApplicationConfig,
} from '@internal/backstage-plugin-ray-clusters-node';

/**
 * Names of environment variables that carry credentials. A RayService is a Kubernetes object
 * that people read (kubectl, GitOps repositories), so credentials must reach the pods from a
 * Kubernetes Secret, never through serveConfigV2.
 */
const CREDENTIAL_ENV_NAME =
  /PASSWORD|SECRET|TOKEN|CREDENTIAL|ACCESS_KEY|API_KEY/i;

/**
 * A deployment on KubeRay: the deployment's Serve application (see `buildServeApplication`) as
 * the only application of a RayService named like the application (`mlops-<slug>`), in the
 * team's namespace, on a cluster of the given shape.
 */
export function buildDeploymentRayService(options: {
  application: ServeApplicationConfig;
  /** Namespace of the owning team. */
  namespace: string;
  /** Entity ref of the owning team, e.g. `group:default/ml-team`. */
  owner: string;
  cluster: RayClusterShape;
}): RayServiceManifest {
  const { application, namespace, owner, cluster } = options;
  const credentials = Object.keys(
    application.runtime_env?.env_vars ?? {},
  ).filter(name => CREDENTIAL_ENV_NAME.test(name));
  if (credentials.length > 0) {
    throw new InputError(
      `Serve application "${
        application.name
      }" passes credentials in runtime_env.env_vars (${credentials.join(
        ', ',
      )}); on KubeRay they must come from a Kubernetes Secret, not the RayService manifest`,
    );
  }
  return buildRayService({
    name: application.name,
    namespace,
    owner,
    serveConfig: { applications: [application] },
    cluster,
  });
}
