import {
  InputError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { createHmac } from 'node:crypto';
import { MlflowCredentials } from '../mlflowAuth';
import { MlflowAnswer, MlflowRestClient } from './MlflowRestClient';

/**
 * The tag naming the team an experiment or registered model belongs to.
 *
 * @public
 */
export const MLFLOW_OWNER_TAG = 'mlops.owner';

/**
 * An experiment or registered model of the job's name that belongs to another team.
 *
 * @public
 */
export class MlflowNameTakenError extends Error {}

/**
 * A version of a registered model, as MLflow describes it.
 *
 * @public
 */
export type MlflowModelVersion = {
  name: string;
  version: string;
  status?: string;
  run_id?: string;
  source?: string;
};

type Tags = Array<{ key: string; value: string }>;

/**
 * One MLflow user per team, for the team's jobs in Ray: they get their team's credentials, never
 * the portal's admin account. A team user sees only what it created or was granted; before each
 * job the portal makes sure the job's experiment and registered model exist, carry the team's
 * owner tag and are the team user's to manage.
 *
 * The team's password is derived from the admin password (HMAC), so nothing new is stored; it is
 * set again on the first use of each team in this process, which follows a change of the admin
 * password.
 *
 * @public
 */
export class MlflowTeamAccess {
  private readonly usersReady = new Set<string>();

  constructor(
    private readonly mlflow: MlflowRestClient,
    private readonly admin: MlflowCredentials,
  ) {}

  /**
   * The MLflow user of a team (an entity ref `kind:namespace/name`): `team/<namespace>/<name>`,
   * with no ':', which would end the user name in a Basic auth header.
   */
  static username(owner: string): string {
    const ref = /^[^:/]+:([^:/]+)\/([^:/]+)$/.exec(owner);
    if (!ref) {
      throw new Error(
        `"${owner}" is not a full entity ref (kind:namespace/name)`,
      );
    }
    return `team/${ref[1]}/${ref[2]}`;
  }

  credentials(owner: string): MlflowCredentials {
    const username = MlflowTeamAccess.username(owner);
    const password = createHmac('sha256', this.admin.password)
      .update(`mlflow-team-user:${username}`)
      .digest('hex');
    return { username, password };
  }

  /**
   * The team's credentials for a job that logs to experiment `name` and registers model `name`,
   * with both ready for the team user to manage.
   */
  async prepareJob(owner: string, name: string): Promise<MlflowCredentials> {
    const credentials = await this.ensureUser(owner);
    const experimentId = await this.ensureExperiment(owner, name);
    await this.grant(credentials.username, 'experiment', experimentId);
    await this.ensureRegisteredModel(owner, name);
    await this.grant(credentials.username, 'registered_model', name);
    return credentials;
  }

  /**
   * The team's credentials for the replicas that serve `modelName`: the team user exists and may
   * read the registered model (a grant it has already, say MANAGE from its job, stays).
   */
  async prepareServing(
    owner: string,
    modelName: string,
  ): Promise<MlflowCredentials> {
    const credentials = await this.ensureUser(owner);
    await this.grant(
      credentials.username,
      'registered_model',
      modelName,
      'READ',
    );
    return credentials;
  }

  /**
   * A version of a registered model of the team: NotFoundError when the model does not exist or
   * is another team's (the same answer for both), InputError when it has no such version or the
   * version is not ready.
   */
  async getTeamModelVersion(
    owner: string,
    name: string,
    version: string,
  ): Promise<MlflowModelVersion> {
    const model = await this.mlflow.call<{
      registered_model: { tags?: Tags };
    }>('GET', '/api/2.0/mlflow/registered-models/get', { name });
    const tagged =
      model.ok &&
      model.body.registered_model.tags?.find(t => t.key === MLFLOW_OWNER_TAG)
        ?.value;
    if (!model.ok && model.errorCode !== 'RESOURCE_DOES_NOT_EXIST') {
      throw this.refused(`read registered model "${name}"`, model);
    }
    if (tagged !== owner) {
      throw new NotFoundError(
        `${owner} has no registered model "${name}" in MLflow`,
      );
    }
    const found = await this.mlflow.call<{ model_version: MlflowModelVersion }>(
      'GET',
      '/api/2.0/mlflow/model-versions/get',
      { name, version },
    );
    if (!found.ok) {
      if (
        found.errorCode === 'RESOURCE_DOES_NOT_EXIST' ||
        found.errorCode === 'INVALID_PARAMETER_VALUE'
      ) {
        throw new InputError(
          `Registered model "${name}" has no version ${version} in MLflow`,
        );
      }
      throw this.refused(`read version ${version} of "${name}"`, found);
    }
    const modelVersion = found.body.model_version;
    if (modelVersion.status && modelVersion.status !== 'READY') {
      throw new InputError(
        `Version ${version} of registered model "${name}" is ${modelVersion.status}, not READY`,
      );
    }
    return { ...modelVersion, version: String(modelVersion.version) };
  }

  /** Points alias `alias` of a registered model at `version`; undefined removes the alias. */
  async setAlias(name: string, alias: string, version: string | undefined) {
    if (version === undefined) {
      const deleted = await this.mlflow.call(
        'DELETE',
        '/api/2.0/mlflow/registered-models/alias',
        { name, alias },
      );
      if (deleted.ok || deleted.errorCode === 'RESOURCE_DOES_NOT_EXIST') return;
      throw this.refused(`remove alias "${alias}" of "${name}"`, deleted);
    }
    const set = await this.mlflow.call(
      'POST',
      '/api/2.0/mlflow/registered-models/alias',
      { name, alias, version },
    );
    if (!set.ok) {
      throw this.refused(
        `point alias "${alias}" of "${name}" at version ${version}`,
        set,
      );
    }
  }

  private async ensureUser(owner: string): Promise<MlflowCredentials> {
    const credentials = this.credentials(owner);
    if (this.usersReady.has(credentials.username)) return credentials;
    const created = await this.mlflow.call(
      'POST',
      '/api/2.0/mlflow/users/create',
      credentials,
    );
    if (!created.ok) {
      if (created.errorCode !== 'RESOURCE_ALREADY_EXISTS') {
        // MLflow's message is left out: for users it may quote what it stored.
        throw this.refused(
          'create the MLflow user of the team',
          created,
          false,
        );
      }
      const updated = await this.mlflow.call(
        'PATCH',
        '/api/2.0/mlflow/users/update-password',
        credentials,
      );
      if (!updated.ok) {
        throw this.refused('set the password of the team', updated, false);
      }
    }
    this.usersReady.add(credentials.username);
    return credentials;
  }

  private async ensureExperiment(owner: string, name: string) {
    type Experiment = { experiment_id: string; tags?: Tags };
    const tags = [{ key: MLFLOW_OWNER_TAG, value: owner }];
    const created = await this.mlflow.call<{ experiment_id: string }>(
      'POST',
      '/api/2.0/mlflow/experiments/create',
      { name, tags },
    );
    if (created.ok) return String(created.body.experiment_id);
    if (created.errorCode !== 'RESOURCE_ALREADY_EXISTS') {
      throw this.refused(`create experiment "${name}"`, created);
    }
    const found = await this.mlflow.call<{ experiment: Experiment }>(
      'GET',
      '/api/2.0/mlflow/experiments/get-by-name',
      { experiment_name: name },
    );
    if (!found.ok) throw this.refused(`read experiment "${name}"`, found);
    const { experiment } = found.body;
    await this.claim('experiment', name, owner, experiment.tags, () =>
      this.mlflow.call(
        'POST',
        '/api/2.0/mlflow/experiments/set-experiment-tag',
        {
          experiment_id: experiment.experiment_id,
          key: MLFLOW_OWNER_TAG,
          value: owner,
        },
      ),
    );
    return String(experiment.experiment_id);
  }

  private async ensureRegisteredModel(owner: string, name: string) {
    type RegisteredModel = { tags?: Tags };
    const tags = [{ key: MLFLOW_OWNER_TAG, value: owner }];
    const created = await this.mlflow.call(
      'POST',
      '/api/2.0/mlflow/registered-models/create',
      { name, tags },
    );
    if (created.ok) return;
    if (created.errorCode !== 'RESOURCE_ALREADY_EXISTS') {
      throw this.refused(`create registered model "${name}"`, created);
    }
    const found = await this.mlflow.call<{ registered_model: RegisteredModel }>(
      'GET',
      '/api/2.0/mlflow/registered-models/get',
      { name },
    );
    if (!found.ok) throw this.refused(`read registered model "${name}"`, found);
    await this.claim(
      'registered model',
      name,
      owner,
      found.body.registered_model.tags,
      () =>
        this.mlflow.call('POST', '/api/2.0/mlflow/registered-models/set-tag', {
          name,
          key: MLFLOW_OWNER_TAG,
          value: owner,
        }),
    );
  }

  /**
   * A resource of the job's name that exists already is the team's when its owner tag names the
   * team; one without the tag (made before MLflow asked for credentials) becomes the team's.
   */
  private async claim(
    what: string,
    name: string,
    owner: string,
    tags: Tags | undefined,
    setTag: () => Promise<MlflowAnswer<unknown>>,
  ) {
    const tagged = tags?.find(t => t.key === MLFLOW_OWNER_TAG)?.value;
    if (tagged === owner) return;
    if (tagged !== undefined) {
      throw new MlflowNameTakenError(
        `MLflow ${what} "${name}" belongs to another team: choose another model name`,
      );
    }
    const answer = await setTag();
    if (!answer.ok) throw this.refused(`tag ${what} "${name}"`, answer);
  }

  /**
   * Grants `permission` unless the user has a grant on the resource already; a READ grant (from
   * serving) is raised to MANAGE when a job needs it.
   */
  private async grant(
    username: string,
    resourceType: 'experiment' | 'registered_model',
    resourceId: string,
    permission: 'READ' | 'MANAGE' = 'MANAGE',
  ) {
    const resource = {
      username,
      resource_type: resourceType,
      resource_id: resourceId,
    };
    const grant = () =>
      this.mlflow.call('POST', '/api/3.0/mlflow/users/permissions/grant', {
        ...resource,
        permission,
      });
    const granted = await grant();
    if (granted.ok) return;
    if (granted.errorCode !== 'RESOURCE_ALREADY_EXISTS') {
      throw this.refused(`grant the team its ${resourceType}`, granted);
    }
    if (permission !== 'MANAGE') return;
    const held = await this.mlflow.call<{ permission?: string }>(
      'GET',
      '/api/3.0/mlflow/users/permissions/get',
      resource,
    );
    if (!held.ok) throw this.refused(`read the team's grant`, held);
    if (held.body.permission === 'MANAGE') return;
    const revoked = await this.mlflow.call(
      'POST',
      '/api/3.0/mlflow/users/permissions/revoke',
      resource,
    );
    const regranted = revoked.ok ? await grant() : revoked;
    if (!regranted.ok) {
      throw this.refused(`raise the team's grant to MANAGE`, regranted);
    }
  }

  private refused(
    what: string,
    answer: Extract<MlflowAnswer<unknown>, { ok: false }>,
    withMessage = true,
  ) {
    return new ServiceUnavailableError(
      `MLflow refused to ${what} (HTTP ${answer.status}${
        answer.errorCode ? ` ${answer.errorCode}` : ''
      })${withMessage && answer.message ? `: ${answer.message}` : ''}`,
    );
  }
}
