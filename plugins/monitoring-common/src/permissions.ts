import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Whether Prometheus answers (the status page).
 *
 * @public
 */
export const monitoringStatusReadPermission = createPermission({
  name: 'monitoring.status.read',
  attributes: { action: 'read' },
});

/**
 * The platform's health charts (no team's details in them).
 *
 * @public
 */
export const monitoringPlatformReadPermission = createPermission({
  name: 'monitoring.platform.read',
  attributes: { action: 'read' },
});

/** @public */
export const monitoringPermissions = [
  monitoringStatusReadPermission,
  monitoringPlatformReadPermission,
];
