/**
 * The datasets backend plugin.
 *
 * @packageDocumentation
 */

export { datasetsPlugin as default } from './plugin';
