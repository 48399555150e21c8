import { DependencyList } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';

/** After a failed load (say, the backend restarting), try again this many intervals later. */
const RETRY_AFTER_ERROR_INTERVALS = 5;

/**
 * Loads a value and reloads it every `intervalMs` while `active`; the last value stays in place
 * during a reload, so a polled view never flickers back to a spinner. A failed load is shown and
 * retried less often, so the view recovers once the backend answers again.
 */
export function usePolledAsync<T>(
  load: () => Promise<T>,
  deps: DependencyList,
  options: { intervalMs: number; active: (value: T | undefined) => boolean },
) {
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const state = useAsyncRetry(load, deps);
  let delay: number | null = null;
  if (state.error) {
    delay = options.intervalMs * RETRY_AFTER_ERROR_INTERVALS;
  } else if (options.active(state.value)) {
    delay = options.intervalMs;
  }
  useInterval(state.retry, delay);
  return state;
}
