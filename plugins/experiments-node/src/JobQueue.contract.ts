/* eslint-disable jest/no-export */
// A shared test suite, run by each driver's test file: it exports, and is not a test file itself.

import {
  DeliveredJobMessage,
  JobHandler,
  JobQueue,
  JobRetryOptions,
  sleep,
} from './types';

/**
 * A store under test. Queues made by one fixture share one backing store (a table, or a set of
 * broker queues), like workers of one deployment.
 */
export interface JobQueueFixture {
  /** A queue with small timeouts; `visibilityTimeoutMs` matters to leasing drivers only. */
  createQueue(options: JobRetryOptions): Promise<JobQueue>;
  /** The messages dead-lettered so far. */
  deadJobs(): Promise<DeliveredJobMessage[]>;
  /** Closes all queues and removes what the fixture created. */
  cleanup(): Promise<void>;
}

/** How long a delivery of a crashed worker may take to come back, in the fixtures. */
export const REDELIVERY_TIMEOUT_MS = 5_000;

export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = REDELIVERY_TIMEOUT_MS,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(20);
  }
}

const fast: JobRetryOptions = {
  maxAttempts: 3,
  initialBackoffMs: 100,
  maxBackoffMs: 150,
};

/**
 * The contract every {@link JobQueue} driver passes; `makeFixture` gives a fresh, empty store for
 * each test.
 */
export function runJobQueueContract(
  makeFixture: () => Promise<JobQueueFixture>,
) {
  let fixture: JobQueueFixture;
  beforeEach(async () => {
    fixture = await makeFixture();
  });
  afterEach(async () => {
    await fixture.cleanup();
  });

  function recorder(outcome: JobHandler = async () => 'ack') {
    const seen: DeliveredJobMessage[] = [];
    const handler: JobHandler = async (message, context) => {
      expect(context.attempt).toBe(message.attempt);
      seen.push(message);
      return outcome(message, context);
    };
    return { seen, handler };
  }

  it('delivers each published message once and acks it', async () => {
    const queue = await fixture.createQueue(fast);
    const ids = ['a', 'b', 'c', 'd', 'e'];
    for (const jobId of ids) await queue.publish({ jobId });
    const { seen, handler } = recorder();
    const consumer = await queue.consume(handler, { prefetch: 2 });
    await waitFor(() => seen.length >= ids.length, 5000, 'deliveries');
    // Long enough for any lease or redelivery to come back.
    await sleep(800);
    await consumer.stop();
    expect(seen.map(m => m.jobId).sort()).toEqual(ids);
    expect(seen.every(m => m.attempt === 1)).toBe(true);

    const again = recorder();
    const second = await queue.consume(again.handler, { prefetch: 5 });
    await sleep(500);
    await second.stop();
    expect(again.seen).toEqual([]);
    expect(await fixture.deadJobs()).toEqual([]);
  });

  it('keeps the attempt a message was published with', async () => {
    const queue = await fixture.createQueue(fast);
    await queue.publish({ jobId: 'x', attempt: 2 });
    const { seen, handler } = recorder();
    const consumer = await queue.consume(handler, { prefetch: 1 });
    await waitFor(() => seen.length === 1);
    await consumer.stop();
    expect(seen).toEqual([{ jobId: 'x', attempt: 2 }]);
    await expect(queue.publish({ jobId: '' })).rejects.toThrow(TypeError);
    await expect(queue.publish({ jobId: 'y', attempt: 0 })).rejects.toThrow(
      TypeError,
    );
  });

  it('redelivers a retry with attempt + 1 after a backoff, then dead-letters it', async () => {
    const queue = await fixture.createQueue(fast);
    const times: number[] = [];
    const { seen, handler } = recorder(async () => {
      times.push(Date.now());
      return 'retry';
    });
    const consumer = await queue.consume(handler, { prefetch: 1 });
    await queue.publish({ jobId: 'flaky' });
    await waitFor(async () => (await fixture.deadJobs()).length === 1);
    await sleep(400);
    await consumer.stop();
    expect(seen).toEqual([
      { jobId: 'flaky', attempt: 1 },
      { jobId: 'flaky', attempt: 2 },
      { jobId: 'flaky', attempt: 3 },
    ]);
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(90);
    expect(times[2] - times[1]).toBeGreaterThanOrEqual(140);
    expect(await fixture.deadJobs()).toEqual([{ jobId: 'flaky', attempt: 3 }]);
  });

  it('counts a handler that throws as a retry', async () => {
    const queue = await fixture.createQueue(fast);
    const { seen, handler } = recorder(async message => {
      if (message.attempt === 1) throw new Error('boom');
      return 'ack';
    });
    const consumer = await queue.consume(handler, { prefetch: 1 });
    await queue.publish({ jobId: 'throws' });
    await waitFor(() => seen.length === 2);
    await sleep(400);
    await consumer.stop();
    expect(seen).toEqual([
      { jobId: 'throws', attempt: 1 },
      { jobId: 'throws', attempt: 2 },
    ]);
    expect(await fixture.deadJobs()).toEqual([]);
  });

  it("dead-letters at once on 'dead'", async () => {
    const queue = await fixture.createQueue(fast);
    const { seen, handler } = recorder(async m =>
      m.jobId === 'bad' ? 'dead' : 'ack',
    );
    const consumer = await queue.consume(handler, { prefetch: 1 });
    await queue.publish({ jobId: 'bad' });
    await queue.publish({ jobId: 'good' });
    await waitFor(() => seen.length === 2);
    await waitFor(async () => (await fixture.deadJobs()).length === 1);
    await sleep(300);
    await consumer.stop();
    expect(seen.map(m => m.jobId).sort()).toEqual(['bad', 'good']);
    expect(await fixture.deadJobs()).toEqual([{ jobId: 'bad', attempt: 1 }]);
  });

  it('redelivers the messages of a worker that died without acking', async () => {
    const crashed = await fixture.createQueue(fast);
    const held: DeliveredJobMessage[] = [];
    await crashed.consume(
      async message => {
        held.push(message);
        return new Promise(() => {}); // never settles
      },
      { prefetch: 2 },
    );
    for (const jobId of ['p', 'q', 'r']) await crashed.publish({ jobId });
    await waitFor(() => held.length === 2, 5000, 'the crashed worker');
    await crashed.close();

    const survivor = await fixture.createQueue(fast);
    const { seen, handler } = recorder();
    const consumer = await survivor.consume(handler, { prefetch: 3 });
    await waitFor(() => seen.length >= 3, REDELIVERY_TIMEOUT_MS, 'redelivery');
    await sleep(300);
    await consumer.stop();
    expect(seen.map(m => m.jobId).sort()).toEqual(['p', 'q', 'r']);
    expect(held.every(m => seen.some(s => s.jobId === m.jobId))).toBe(true);
  });

  it('never runs more than prefetch handlers at a time', async () => {
    const queue = await fixture.createQueue(fast);
    let running = 0;
    let peak = 0;
    const { seen, handler } = recorder(async () => {
      running++;
      peak = Math.max(peak, running);
      await sleep(60);
      running--;
      return 'ack';
    });
    for (let i = 0; i < 12; i++) await queue.publish({ jobId: `job-${i}` });
    const consumer = await queue.consume(handler, { prefetch: 3 });
    await waitFor(() => seen.length === 12, 10_000, 'all jobs');
    await consumer.stop();
    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBeGreaterThanOrEqual(2);
  });

  it('shares the work between competing workers, each job once', async () => {
    const a = await fixture.createQueue(fast);
    const b = await fixture.createQueue(fast);
    const seenBy = new Map<string, string[]>();
    const handlerFor =
      (name: string): JobHandler =>
      async message => {
        seenBy.set(message.jobId, [...(seenBy.get(message.jobId) ?? []), name]);
        await sleep(20);
        return 'ack';
      };
    const consumers = [
      await a.consume(handlerFor('a'), { prefetch: 2 }),
      await b.consume(handlerFor('b'), { prefetch: 2 }),
    ];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => a.publish({ jobId: `w-${i}` })),
    );
    await waitFor(() => seenBy.size === 20, 10_000, 'all jobs');
    await sleep(500);
    await Promise.all(consumers.map(c => c.stop()));
    expect([...seenBy.values()].every(by => by.length === 1)).toBe(true);
  });

  it('keeps a long-running delivery from other workers, and stop waits for it', async () => {
    const queue = await fixture.createQueue(fast);
    let finished = false;
    const { seen, handler } = recorder(async () => {
      await sleep(1500);
      finished = true;
      return 'ack';
    });
    await queue.publish({ jobId: 'long' });
    const slow = await queue.consume(handler, { prefetch: 1 });
    await waitFor(() => seen.length === 1);

    const otherQueue = await fixture.createQueue(fast);
    const other = recorder();
    const idle = await otherQueue.consume(other.handler, { prefetch: 1 });
    await slow.stop();
    expect(finished).toBe(true);
    await sleep(300);
    await idle.stop();
    expect(seen).toHaveLength(1);
    expect(other.seen).toHaveLength(0);
  });
}
