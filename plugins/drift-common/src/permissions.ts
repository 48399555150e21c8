import { createPermission } from '@backstage/plugin-permission-common';

/** @public */
export const DRIFT_MONITOR_RESOURCE_TYPE = 'drift-monitor';

/**
 * Read the plugin's dependency status.
 *
 * @public
 */
export const driftStatusReadPermission = createPermission({
  name: 'drift.status.read',
  attributes: { action: 'read' },
});

/**
 * See a drift monitor and its reports; granted to the owning team.
 *
 * @public
 */
export const driftMonitorReadPermission = createPermission({
  name: 'drift.monitor.read',
  attributes: { action: 'read' },
  resourceType: DRIFT_MONITOR_RESOURCE_TYPE,
});

/** @public */
export const driftPermissions = [
  driftStatusReadPermission,
  driftMonitorReadPermission,
];
