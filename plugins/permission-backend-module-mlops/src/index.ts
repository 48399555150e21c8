/***/
/**
 * The mlops module for @backstage/plugin-permission-backend
 *
 * @packageDocumentation
 */

export { permissionModuleMlops as default } from './module';
