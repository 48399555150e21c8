import { createPermissionResourceRef } from '@backstage/plugin-permission-node';
import {
  DRIFT_MONITOR_RESOURCE_TYPE,
  DriftMonitor,
} from '@internal/backstage-plugin-drift-common';
import { createOwnerRule, OwnerQuery } from '@internal/mlops-node';

export const driftMonitorResourceRef = createPermissionResourceRef<
  DriftMonitor,
  OwnerQuery
>().with({ pluginId: 'drift', resourceType: DRIFT_MONITOR_RESOURCE_TYPE });

export const driftMonitorOwnerRule = createOwnerRule(driftMonitorResourceRef);
