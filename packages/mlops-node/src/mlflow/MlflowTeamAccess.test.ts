import { randomUUID } from 'node:crypto';
import { MlflowCredentials, mlflowAuthHeaders } from '../mlflowAuth';
import {
  requireTestMlflowCredentials,
  requireTestService,
} from '../testServices';
import { MlflowRestClient } from './MlflowRestClient';
import { MlflowNameTakenError, MlflowTeamAccess } from './MlflowTeamAccess';

// The real MLflow server of the test command, with its authentication (basic-auth) on.
const mlflowUrl = requireTestService('MLOPS_TEST_MLFLOW_URL');
const admin = requireTestMlflowCredentials();

// MLflow checks each password with scrypt (its cache of checked passwords aside).
jest.setTimeout(120_000);

const TEAM_A = 'group:default/team-a';
const TEAM_B = 'group:default/team-b';

/** One REST call to MLflow as `who` (none: no credentials); the status and the body's text. */
async function call(
  who: MlflowCredentials | undefined,
  method: 'GET' | 'POST',
  path: string,
  params: Record<string, unknown> = {},
) {
  const query =
    method === 'GET'
      ? `?${new URLSearchParams(params as Record<string, string>)}`
      : '';
  const response = await fetch(`${mlflowUrl}${path}${query}`, {
    method,
    headers: {
      ...mlflowAuthHeaders(who),
      ...(method === 'POST' && { 'Content-Type': 'application/json' }),
    },
    body: method === 'POST' ? JSON.stringify(params) : undefined,
  });
  const text = await response.text();
  return { status: response.status, text };
}

function access() {
  return new MlflowTeamAccess(new MlflowRestClient(mlflowUrl, admin), admin);
}

/** What a job of `team` does with the credentials it gets: a run with a metric, in its experiment. */
async function logRunAs(team: MlflowCredentials, experimentName: string) {
  const experiment = await call(
    team,
    'GET',
    '/api/2.0/mlflow/experiments/get-by-name',
    { experiment_name: experimentName },
  );
  expect(experiment.status).toBe(200);
  const experimentId = JSON.parse(experiment.text).experiment.experiment_id;
  const run = await call(team, 'POST', '/api/2.0/mlflow/runs/create', {
    experiment_id: experimentId,
    run_name: 'secret-run-name',
    start_time: Date.now(),
  });
  expect(run.status).toBe(200);
  const runId = JSON.parse(run.text).run.info.run_id as string;
  expect(
    (
      await call(team, 'POST', '/api/2.0/mlflow/runs/log-metric', {
        run_id: runId,
        key: 'loss',
        value: 0.5,
        timestamp: Date.now(),
        step: 0,
      })
    ).status,
  ).toBe(200);
  return { experimentId: String(experimentId), runId };
}

describe('MLflow with authentication: one MLflow user per team', () => {
  it('answers 401 to a REST call without credentials, and 401 to a wrong password; /health stays open', async () => {
    for (const path of [
      '/api/2.0/mlflow/experiments/search?max_results=10',
      '/api/2.0/mlflow/registered-models/search',
      '/version',
    ]) {
      const anonymous = await fetch(`${mlflowUrl}${path}`);
      expect({ path, status: anonymous.status }).toEqual({ path, status: 401 });
      const text = await anonymous.text();
      expect(text).not.toContain('experiment_id');
    }
    const wrong = await call(
      { username: admin.username, password: `${admin.password}x` },
      'GET',
      '/api/2.0/mlflow/experiments/search',
      { max_results: '10' },
    );
    expect(wrong.status).toBe(401);
    expect((await fetch(`${mlflowUrl}/health`)).status).toBe(200);
  });

  it("gives a team's job its own user, which cannot read another team's experiment, run or model, while the admin can", async () => {
    const suffix = randomUUID().slice(0, 8);
    const nameA = `mlflow-auth-a-${suffix}`;
    const nameB = `mlflow-auth-b-${suffix}`;
    const teams = access();
    const a = await teams.prepareJob(TEAM_A, nameA);
    const b = await teams.prepareJob(TEAM_B, nameB);
    expect(a.username).toBe('team/default/team-a');
    expect(b.username).toBe('team/default/team-b');
    expect(a.password).not.toBe(admin.password);
    expect(a.password).not.toBe(b.password);
    // Derived, not stored: a second backend (or a restart) hands out the same password.
    expect(access().credentials(TEAM_A)).toEqual(a);

    const { experimentId, runId } = await logRunAs(a, nameA);
    await logRunAs(b, nameB);

    const readsOfA: Array<[string, Record<string, string>]> = [
      ['/api/2.0/mlflow/experiments/get', { experiment_id: experimentId }],
      ['/api/2.0/mlflow/experiments/get-by-name', { experiment_name: nameA }],
      ['/api/2.0/mlflow/runs/get', { run_id: runId }],
      [
        '/api/2.0/mlflow/metrics/get-history',
        { run_id: runId, metric_key: 'loss' },
      ],
      ['/api/2.0/mlflow/registered-models/get', { name: nameA }],
    ];
    for (const [path, params] of readsOfA) {
      const byB = await call(b, 'GET', path, params);
      expect({ path, status: byB.status }).toEqual({ path, status: 403 });
      expect(byB.text).not.toContain('secret-run-name');
      expect((await call(a, 'GET', path, params)).status).toBe(200);
      expect((await call(admin, 'GET', path, params)).status).toBe(200);
    }
    // B's searches list nothing of A's.
    const searches = [
      await call(b, 'GET', '/api/2.0/mlflow/experiments/search', {
        max_results: '1000',
      }),
      await call(b, 'POST', '/api/2.0/mlflow/runs/search', {
        experiment_ids: [experimentId],
      }),
      await call(b, 'GET', '/api/2.0/mlflow/registered-models/search', {
        max_results: '1000',
      }),
    ];
    for (const search of searches) {
      expect(search.text).not.toContain(nameA);
      expect(search.text).not.toContain(runId);
    }
    // Nor may B write into A's run.
    expect(
      (
        await call(b, 'POST', '/api/2.0/mlflow/runs/log-metric', {
          run_id: runId,
          key: 'loss',
          value: 9,
          timestamp: Date.now(),
        })
      ).status,
    ).toBe(403);
  });

  it("refuses a job whose experiment name is another team's, granting nothing; an untagged experiment becomes the team's", async () => {
    const suffix = randomUUID().slice(0, 8);
    const taken = `mlflow-auth-taken-${suffix}`;
    const teams = access();
    const a = await teams.prepareJob(TEAM_A, taken);
    await logRunAs(a, taken);

    await expect(teams.prepareJob(TEAM_B, taken)).rejects.toThrow(
      MlflowNameTakenError,
    );
    const b = teams.credentials(TEAM_B);
    expect(
      (
        await call(b, 'GET', '/api/2.0/mlflow/experiments/get-by-name', {
          experiment_name: taken,
        })
      ).status,
    ).toBe(403);

    // Made before MLflow asked for credentials: no owner tag, nobody's grant.
    const legacy = `mlflow-auth-legacy-${suffix}`;
    expect(
      (
        await call(admin, 'POST', '/api/2.0/mlflow/experiments/create', {
          name: legacy,
        })
      ).status,
    ).toBe(200);
    await teams.prepareJob(TEAM_B, legacy);
    const found = await call(
      b,
      'GET',
      '/api/2.0/mlflow/experiments/get-by-name',
      {
        experiment_name: legacy,
      },
    );
    expect(found.status).toBe(200);
    expect(JSON.parse(found.text).experiment.tags).toContainEqual({
      key: 'mlops.owner',
      value: TEAM_B,
    });
  });

  it('lets a team serve only its own model versions, with READ for its user, and moves aliases', async () => {
    const suffix = randomUUID().slice(0, 8);
    const name = `mlflow-serve-${suffix}`;
    const teams = access();
    // Registered by an admin with the team's tag (as the portal's custom-model upload does).
    expect(
      (
        await call(admin, 'POST', '/api/2.0/mlflow/registered-models/create', {
          name,
          tags: [{ key: 'mlops.owner', value: TEAM_A }],
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await call(admin, 'POST', '/api/2.0/mlflow/model-versions/create', {
          name,
          source: 's3://models/serve-test/model',
        })
      ).status,
    ).toBe(200);

    await expect(
      teams.getTeamModelVersion(TEAM_A, name, '1'),
    ).resolves.toMatchObject({
      name,
      version: '1',
    });
    await expect(teams.getTeamModelVersion(TEAM_B, name, '1')).rejects.toThrow(
      `${TEAM_B} has no registered model "${name}" in MLflow`,
    );
    await expect(
      teams.getTeamModelVersion(TEAM_A, `${name}-none`, '1'),
    ).rejects.toThrow(
      `${TEAM_A} has no registered model "${name}-none" in MLflow`,
    );
    await expect(teams.getTeamModelVersion(TEAM_A, name, '2')).rejects.toThrow(
      `Registered model "${name}" has no version 2 in MLflow`,
    );

    const a = await teams.prepareServing(TEAM_A, name);
    expect(a).toEqual(teams.credentials(TEAM_A));
    const read = () =>
      call(a, 'GET', '/api/2.0/mlflow/model-versions/get', {
        name,
        version: '1',
      });
    expect((await read()).status).toBe(200);
    // READ only: the team's replicas cannot change the model.
    const write = () =>
      call(a, 'POST', '/api/2.0/mlflow/registered-models/set-tag', {
        name,
        key: 'note',
        value: 'x',
      });
    expect((await write()).status).toBe(403);
    // A job of the team on the same model raises the grant to MANAGE.
    await teams.prepareJob(TEAM_A, name);
    expect((await write()).status).toBe(200);
    // Serving it again leaves MANAGE as it is.
    await teams.prepareServing(TEAM_A, name);
    expect((await write()).status).toBe(200);

    const alias = async (which: string) => {
      const answer = await call(
        admin,
        'GET',
        '/api/2.0/mlflow/registered-models/alias',
        {
          name,
          alias: which,
        },
      );
      // MLflow answers 400 for an alias that is not set.
      return answer.status === 200
        ? JSON.parse(answer.text).model_version.version
        : answer.status;
    };
    await teams.setAlias(name, 'champion', '1');
    expect(await alias('champion')).toBe('1');
    await teams.setAlias(name, 'champion', undefined);
    expect(await alias('champion')).toBe(400);
    // Removing an alias that is not there is no error.
    await teams.setAlias(name, 'challenger', undefined);
  });
});
