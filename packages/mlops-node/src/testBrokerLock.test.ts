import { lockTestBroker } from './testBrokerLock';

// A broker address no other suite uses, so that these locks touch nobody else's.
const url = `amqp://127.0.0.1:${40000 + (process.pid % 20000)}`;

async function settlesWithin(promise: Promise<unknown>, ms: number) {
  return Promise.race([
    promise.then(() => true),
    new Promise(resolve => setTimeout(() => resolve(false), ms)),
  ]);
}

describe('lockTestBroker', () => {
  it('lets shared holders in together and keeps an exclusive one out until they leave', async () => {
    const first = await lockTestBroker(url, 'shared');
    const second = await lockTestBroker(url, 'shared');
    const exclusive = lockTestBroker(url, 'exclusive');

    expect(await settlesWithin(exclusive, 500)).toBe(false);
    await first();
    expect(await settlesWithin(exclusive, 500)).toBe(false);
    await second();
    const release = await exclusive;

    const shared = lockTestBroker(url, 'shared');
    expect(await settlesWithin(shared, 500)).toBe(false);
    await release();
    await (
      await shared
    )();
  });

  it('fails with the lock file named when the lock is not free in time', async () => {
    const release = await lockTestBroker(url, 'exclusive');
    try {
      await expect(lockTestBroker(url, 'shared', 1_000)).rejects.toThrow(
        /Could not take the shared lock .*mlops-test-broker-127\.0\.0\.1_\d+\.lock within 1000 ms/,
      );
    } finally {
      await release();
    }
  });

  it('grants a shared lock without flock, and refuses an exclusive one', async () => {
    const pathBefore = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const release = await lockTestBroker(url, 'shared');
      await release();
      await expect(lockTestBroker(url, 'exclusive')).rejects.toThrow(
        /is util-linux flock installed\?/,
      );
    } finally {
      process.env.PATH = pathBefore;
    }
  });
});
