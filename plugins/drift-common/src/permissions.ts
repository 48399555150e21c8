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

/**
 * Create a drift monitor on a deployment the caller may read. Basic (no resource): the monitor
 * does not exist yet.
 *
 * @public
 */
export const driftMonitorCreatePermission = createPermission({
  name: 'drift.monitor.create',
  attributes: { action: 'create' },
});

/**
 * Run a check now, or delete the monitor; granted to the owning team.
 *
 * @public
 */
export const driftMonitorUpdatePermission = createPermission({
  name: 'drift.monitor.update',
  attributes: { action: 'update' },
  resourceType: DRIFT_MONITOR_RESOURCE_TYPE,
});

/** @public */
export const driftPermissions = [
  driftStatusReadPermission,
  driftMonitorReadPermission,
  driftMonitorCreatePermission,
  driftMonitorUpdatePermission,
];
