/**
 * A message on the job queue: the id of a stored training job. The queue carries ids only; the
 * job itself (config, state) lives in the experiments database.
 *
 * @public
 */
export interface JobMessage {
  jobId: string;
  /** Which delivery attempt this is, starting at 1 (the default when publishing). */
  attempt?: number;
}

/**
 * A message as a handler receives it.
 *
 * @public
 */
export interface DeliveredJobMessage {
  jobId: string;
  attempt: number;
}

/**
 * What a handler knows about a delivery besides the message.
 *
 * @public
 */
export interface JobDeliveryContext {
  /** The same as the message's attempt. */
  attempt: number;
  /** After this many attempts a 'retry' dead-letters the message instead. */
  maxAttempts: number;
}

/**
 * The outcome of handling one delivery: 'ack' removes the message; 'retry' redelivers it after a
 * backoff with attempt + 1, or dead-letters it once `maxAttempts` is reached; 'dead' dead-letters
 * it now. A handler that throws counts as 'retry'.
 *
 * @public
 */
export type JobOutcome = 'ack' | 'retry' | 'dead';

/**
 * Handles one delivery.
 *
 * @public
 */
export type JobHandler = (
  message: DeliveredJobMessage,
  context: JobDeliveryContext,
) => Promise<JobOutcome>;

/**
 * A running consumer.
 *
 * @public
 */
export interface JobConsumer {
  /**
   * Takes no new deliveries and waits for the handlers in flight, whose outcomes are applied.
   */
  stop(): Promise<void>;
}

/**
 * The job queue of the experiments area. At-least-once delivery: a message is acknowledged only
 * after its handler resolves, so a worker that dies loses no job, and a handler may see the same
 * job twice. Ordering is not guaranteed.
 *
 * @public
 */
export interface JobQueue {
  /** Resolves once the message is stored durably (committed, or confirmed by the broker). */
  publish(message: JobMessage): Promise<void>;
  /** Starts a consumer that runs at most `prefetch` handlers at a time. */
  consume(
    handler: JobHandler,
    options: { prefetch: number },
  ): Promise<JobConsumer>;
  /**
   * Stops all consumers at once, without waiting for handlers in flight: their deliveries are
   * not acknowledged and come back later (to this or another worker). Stop consumers first for a
   * graceful shutdown.
   */
  close(): Promise<void>;
}

/**
 * Bounded redelivery with exponential backoff.
 *
 * @public
 */
export interface JobRetryOptions {
  /** Attempts before a message is dead-lettered (default 5). */
  maxAttempts?: number;
  /** Delay before the second attempt (default 5 s); doubles with each attempt. */
  initialBackoffMs?: number;
  /** Upper bound of the delay (default 5 min). */
  maxBackoffMs?: number;
}

/** @internal */
export type ResolvedRetryOptions = Required<JobRetryOptions>;

/** @internal */
export function resolveRetryOptions(
  options: JobRetryOptions,
): ResolvedRetryOptions {
  const resolved = {
    maxAttempts: options.maxAttempts ?? 5,
    initialBackoffMs: options.initialBackoffMs ?? 5_000,
    maxBackoffMs: options.maxBackoffMs ?? 300_000,
  };
  if (!Number.isInteger(resolved.maxAttempts) || resolved.maxAttempts < 1) {
    throw new TypeError(`maxAttempts must be an integer >= 1`);
  }
  if (resolved.initialBackoffMs < 0 || resolved.maxBackoffMs < 0) {
    throw new TypeError(`backoff delays must not be negative`);
  }
  return resolved;
}

/**
 * The delay before redelivering a message whose attempt `attempt` asked for a retry.
 *
 * @internal
 */
export function retryDelayMs(
  attempt: number,
  options: ResolvedRetryOptions,
): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 40);
  return Math.round(
    Math.min(options.initialBackoffMs * 2 ** exponent, options.maxBackoffMs),
  );
}

/** @internal */
export function validateMessage(message: JobMessage): DeliveredJobMessage {
  if (typeof message?.jobId !== 'string' || message.jobId.length === 0) {
    throw new TypeError('jobId must be a non-empty string');
  }
  if (message.jobId.length > 255) {
    throw new TypeError('jobId must be at most 255 characters');
  }
  const attempt = message.attempt ?? 1;
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new TypeError('attempt must be an integer >= 1');
  }
  return { jobId: message.jobId, attempt };
}

/** Runs a handler; a throw or an unknown outcome counts as 'retry'. @internal */
export async function runHandler(
  handler: JobHandler,
  message: DeliveredJobMessage,
  context: JobDeliveryContext,
  onError: (error: unknown) => void,
): Promise<JobOutcome> {
  try {
    const outcome = await handler({ ...message }, context);
    if (outcome === 'ack' || outcome === 'retry' || outcome === 'dead') {
      return outcome;
    }
    onError(new Error(`handler returned ${String(outcome)}`));
    return 'retry';
  } catch (error) {
    onError(error);
    return 'retry';
  }
}

/** @internal */
export function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}
