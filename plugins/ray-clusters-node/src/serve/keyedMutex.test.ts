import { KeyedMutex } from './keyedMutex';

const tick = () => new Promise(resolve => setTimeout(resolve, 5));

describe('KeyedMutex', () => {
  it('runs sections of one key one at a time, in order; other keys meanwhile', async () => {
    const mutex = new KeyedMutex();
    const events: string[] = [];
    const section = (key: string, name: string) =>
      mutex.run(key, async () => {
        events.push(`${name} start`);
        await tick();
        events.push(`${name} end`);
        return name;
      });
    const results = await Promise.all([
      section('x', 'x1'),
      section('x', 'x2'),
      section('y', 'y1'),
    ]);
    expect(results).toEqual(['x1', 'x2', 'y1']);
    expect(events.indexOf('x1 end')).toBeLessThan(events.indexOf('x2 start'));
    expect(events.indexOf('y1 start')).toBeLessThan(events.indexOf('x1 end'));
  });

  it('releases the key when a section fails', async () => {
    const mutex = new KeyedMutex();
    await expect(
      mutex.run('x', async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await expect(mutex.run('x', async () => 'next')).resolves.toBe('next');
  });
});
