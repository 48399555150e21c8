import { DependencyList } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';

/**
 * Loads a value and reloads it every `intervalMs` while `active`; the last value stays in place
 * during a reload, so a polled view never flickers back to a spinner.
 */
export function usePolledAsync<T>(
  load: () => Promise<T>,
  deps: DependencyList,
  options: { intervalMs: number; active: (value: T | undefined) => boolean },
) {
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const state = useAsyncRetry(load, deps);
  const polling = !state.error && options.active(state.value);
  useInterval(state.retry, polling ? options.intervalMs : null);
  return state;
}
