import {
  DriftCheck,
  DriftMonitor,
} from '@internal/backstage-plugin-drift-common';
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

/** A stored monitor of newMonitor's shape. */
export const storedMonitor: DriftMonitor = {
  ...newMonitor('digits-drift'),
  id: 'm1',
  createdAt: '2026-12-04T10:00:00.000Z',
  updatedAt: '2026-12-04T10:00:00.000Z',
};

/** A scheduled check of storedMonitor that found drift. */
export const driftFound: DriftCheck = {
  id: 'c1',
  monitorId: 'm1',
  status: 'SUCCEEDED',
  trigger: 'schedule',
  startedAt: '2026-12-04T10:00:00.000Z',
  finishedAt: '2026-12-04T10:00:20.000Z',
  verdict: 'DRIFT',
  modelVersion: '3',
  instances: 500,
  driftScore: 0.42,
  estimatedAccuracy: 0.71,
};
