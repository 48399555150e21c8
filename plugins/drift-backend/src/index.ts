/**
 * The drift backend plugin.
 *
 * @packageDocumentation
 */

export { driftPlugin as default } from './plugin';
