import { RootConfigService } from '@backstage/backend-plugin-api';

/**
 * An MLflow user and its password, for an MLflow server running with its basic-auth app.
 *
 * @public
 */
export type MlflowCredentials = { username: string; password: string };

/**
 * The portal's own MLflow account (`mlops.mlflow.username` and `mlops.mlflow.password`), or
 * undefined when neither is set (an MLflow without authentication).
 *
 * @public
 */
export function readMlflowCredentials(
  config: Pick<RootConfigService, 'getOptionalString'>,
): MlflowCredentials | undefined {
  const username = config.getOptionalString('mlops.mlflow.username');
  const password = config.getOptionalString('mlops.mlflow.password');
  if (!username && !password) return undefined;
  if (!username || !password) {
    throw new Error(
      `mlops.mlflow.${
        username ? 'password' : 'username'
      } is not set: set both mlops.mlflow.username and mlops.mlflow.password (MLflow's admin user), or neither for an MLflow without authentication`,
    );
  }
  return { username, password };
}

/**
 * The headers that authenticate a request to MLflow: HTTP Basic with `credentials`, none without.
 *
 * @public
 */
export function mlflowAuthHeaders(
  credentials: MlflowCredentials | undefined,
): Record<string, string> {
  if (!credentials) return {};
  const token = Buffer.from(
    `${credentials.username}:${credentials.password}`,
  ).toString('base64');
  return { Authorization: `Basic ${token}` };
}
