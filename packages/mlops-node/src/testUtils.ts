/**
 * For tests only: helpers that depend on Backstage's test utilities (a dev dependency), kept
 * out of the package's main entry point.
 *
 * @packageDocumentation
 */

export * from './testTeams';
