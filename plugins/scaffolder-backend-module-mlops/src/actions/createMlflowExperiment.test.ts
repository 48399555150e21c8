import {
  mlflowAuthHeaders,
  requireTestMlflowCredentials,
  requireTestService,
} from '@internal/mlops-node';
import { randomUUID } from 'node:crypto';
import { runAction } from '../__testUtils__/actionContext';
import { createMlflowExperimentAction } from './createMlflowExperiment';

// A real MLflow server started by the test command.
const trackingUrl = requireTestService('MLOPS_TEST_MLFLOW_URL');
// MLflow asks for credentials: the portal's admin user.
const credentials = requireTestMlflowCredentials();

async function experimentByName(name: string) {
  const response = await fetch(
    `${trackingUrl}/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(
      name,
    )}`,
    { headers: mlflowAuthHeaders(credentials) },
  );
  return response.ok ? (await response.json()).experiment : undefined;
}

describe('mlops:mlflow:create-experiment', () => {
  const action = createMlflowExperimentAction({ trackingUrl, credentials });

  it('creates the experiment with owner tags, and finds the same one the second time', async () => {
    const name = `project-${randomUUID().slice(0, 8)}`;
    expect(await experimentByName(name)).toBeUndefined();

    const first = await runAction(action, {
      name,
      owner: 'group:default/team-a',
    });
    expect(first.outputs.created).toBe(true);
    const experiment = await experimentByName(name);
    expect(experiment.experiment_id).toBe(first.outputs.experimentId);
    expect(experiment.tags).toEqual(
      expect.arrayContaining([
        { key: 'mlops.owner', value: 'group:default/team-a' },
        { key: 'mlops.project', value: name },
      ]),
    );
    expect(first.outputs.experimentUrl).toBe(
      `${trackingUrl}/#/experiments/${experiment.experiment_id}`,
    );

    const second = await runAction(action, { name });
    expect(second.outputs).toMatchObject({
      created: false,
      experimentId: first.outputs.experimentId,
    });
  });

  it('is refused by MLflow without credentials, and creates nothing', async () => {
    const name = `project-${randomUUID().slice(0, 8)}`;
    const anonymous = createMlflowExperimentAction({ trackingUrl });
    await expect(runAction(anonymous, { name })).rejects.toThrow(
      `MLflow at ${trackingUrl} refused to create experiment "${name}" (HTTP 401)`,
    );
    expect(await experimentByName(name)).toBeUndefined();
  });

  it('names an unreachable MLflow', async () => {
    const unreachable = createMlflowExperimentAction({
      trackingUrl: 'http://127.0.0.1:1',
    });
    await expect(runAction(unreachable, { name: 'x' })).rejects.toThrow(
      /MLflow at http:\/\/127.0.0.1:1 is unreachable/,
    );
  });
});
