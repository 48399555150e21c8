/**
 * The serving backend plugin.
 *
 * @packageDocumentation
 */

export { servingPlugin as default } from './plugin';
