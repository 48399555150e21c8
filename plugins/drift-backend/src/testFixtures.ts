import { NewDriftMonitor } from './database';

/** A monitor of team-a's `digits` deployment, as the tests create it; `overrides` win. */
export const newMonitor = (
  name: string,
  overrides: Partial<NewDriftMonitor> = {},
): NewDriftMonitor => ({
  name,
  owner: 'group:default/team-a',
  deploymentId: 'd1',
  deploymentName: 'digits',
  modelName: 'digits-model',
  cluster: 'alpha',
  window: { lastRequests: 500 },
  alpha: 0.05,
  createdBy: 'user:default/alice',
  ...overrides,
});
