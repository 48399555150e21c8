import { act, renderHook } from '@testing-library/react';
import { usePolledAsync } from './usePolledAsync';

describe('usePolledAsync', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  async function advance(ms: number) {
    await act(async () => {
      jest.advanceTimersByTime(ms);
    });
  }

  it('keeps polling while active, and recovers after a failed load', async () => {
    const load = jest
      .fn<Promise<string>, []>()
      .mockResolvedValueOnce('RUNNING')
      .mockRejectedValueOnce(new Error('backend restarting'))
      .mockResolvedValue('SUCCEEDED');
    const { result } = renderHook(() =>
      usePolledAsync(load, [], {
        intervalMs: 100,
        active: value => value !== 'SUCCEEDED',
      }),
    );
    await advance(0);
    expect(result.current.value).toBe('RUNNING');

    await advance(100);
    expect(result.current.error?.message).toBe('backend restarting');

    // Retried after five intervals, not abandoned.
    await advance(400);
    expect(load).toHaveBeenCalledTimes(2);
    await advance(100);
    expect(load).toHaveBeenCalledTimes(3);
    expect(result.current.value).toBe('SUCCEEDED');
    expect(result.current.error).toBeUndefined();

    // Done: no more loads.
    await advance(1000);
    expect(load).toHaveBeenCalledTimes(3);
  });
});
