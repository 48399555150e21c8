/**
 * The experiments backend plugin.
 *
 * @packageDocumentation
 */

export { experimentsPlugin as default } from './plugin';
