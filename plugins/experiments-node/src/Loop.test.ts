import { Loop } from './Loop';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>(r => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Resolves once `tick` has run `count` times (each call records its time). */
function countingTick(count: number, body?: () => Promise<void>) {
  const times: number[] = [];
  const reached = deferred();
  const tick = async () => {
    times.push(Date.now());
    if (times.length === count) reached.resolve();
    await body?.();
  };
  return { tick, times, reached: reached.promise };
}

describe('Loop', () => {
  let loop: Loop | undefined;
  let unexpectedErrors: unknown[] = [];
  const unexpected = (error: unknown) => unexpectedErrors.push(error);

  afterEach(async () => {
    await loop?.stop();
    loop = undefined;
    const reported = unexpectedErrors;
    unexpectedErrors = [];
    if (reported.length > 0) {
      throw new Error(`The loop reported errors: ${reported.join(', ')}`);
    }
  });

  it('runs its tick again after each interval', async () => {
    const { tick, times, reached } = countingTick(3);
    loop = new Loop(tick, { intervalMs: 20, onError: unexpected });
    loop.start();
    await reached;
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(15);
    expect(times[2] - times[1]).toBeGreaterThanOrEqual(15);
  });

  it('runs the next tick at once when woken', async () => {
    const { tick, times, reached } = countingTick(2);
    loop = new Loop(tick, { intervalMs: 60_000, onError: unexpected });
    loop.start();
    await new Promise(resolve => setTimeout(resolve, 50));
    expect(times).toHaveLength(1);
    loop.wake();
    await reached;
    expect(times[1] - times[0]).toBeLessThan(10_000);
  });

  it('reports errors and waits longer after each, up to maxBackoffMs', async () => {
    const failure = new Error('unavailable');
    const errors: unknown[] = [];
    const { tick, times, reached } = countingTick(5, async () => {
      throw failure;
    });
    loop = new Loop(tick, {
      intervalMs: 50,
      maxBackoffMs: 200,
      onError: error => errors.push(error),
    });
    loop.start();
    await reached;
    const gaps = times.slice(1).map((time, i) => time - times[i]);
    // 100, 200, 200, 200 ms; without the cap the last would be 800 ms. Timers only run late, so
    // the lower bounds are tight and the upper one leaves a busy machine 400 ms.
    expect(gaps[0]).toBeGreaterThanOrEqual(95);
    expect(gaps[1]).toBeGreaterThanOrEqual(195);
    expect(gaps[3]).toBeGreaterThanOrEqual(195);
    expect(gaps[3]).toBeLessThan(600);
    expect(errors.length).toBeGreaterThanOrEqual(4);
    expect(errors.every(error => error === failure)).toBe(true);
  });

  it('stops after the tick in progress has finished', async () => {
    const release = deferred();
    const { tick, times, reached } = countingTick(1, () => release.promise);
    const running = new Loop(tick, { intervalMs: 1, onError: unexpected });
    running.start();
    await reached;
    let stopped = false;
    const stopping = running.stop().then(() => {
      stopped = true;
    });
    await new Promise(resolve => setTimeout(resolve, 30));
    expect(stopped).toBe(false);
    release.resolve();
    await stopping;
    await new Promise(resolve => setTimeout(resolve, 30));
    expect(times).toHaveLength(1);
  });
});
