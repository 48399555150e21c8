/**
 * The job queue of the experiments area: one interface with a database-backed embedded driver
 * and a RabbitMQ production driver, and the background {@link Loop} that its consumers and the
 * experiments workers run on.
 *
 * @packageDocumentation
 */

export type {
  DeliveredJobMessage,
  JobConsumer,
  JobDeliveryContext,
  JobHandler,
  JobMessage,
  JobOutcome,
  JobQueue,
  JobRetryOptions,
} from './types';
export * from './DatabaseJobQueue';
export * from './Loop';
export * from './RabbitMqJobQueue';
export * from './RayJobsClient';
