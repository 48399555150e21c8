import { useApi } from '@backstage/frontend-plugin-api';
import { DriftCheck } from '@internal/backstage-plugin-drift-common';
import { apiErrorMessage } from '@internal/mlops-react';
import { useCallback, useEffect, useRef, useState } from 'react';
import { driftApiRef } from '../../api';

/** How often a running check is read again. */
export const CHECK_POLL_MS = 2000;

/** After a failed read (the backend restarting, say), try again this many intervals later. */
const RETRY_AFTER_ERROR_INTERVALS = 5;

/**
 * Starts a check ("Run check now") or follows one already running, reading it every 2 s until it
 * has finished; then `onFinished` gets it, with its report.
 */
export function useCheckRun(
  monitorId: string,
  onFinished: (check: DriftCheck) => void,
) {
  const api = useApi(driftApiRef);
  const [check, setCheck] = useState<DriftCheck>();
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<string>();
  const [pollError, setPollError] = useState<string>();
  const finished = useRef(onFinished);
  finished.current = onFinished;

  const follow = useCallback((next: DriftCheck) => {
    setCheck(next);
    if (next.status !== 'RUNNING') finished.current(next);
  }, []);

  const start = useCallback(async () => {
    setStarting(true);
    setStartError(undefined);
    try {
      follow(await api.runCheck(monitorId));
    } catch (e) {
      setStartError(apiErrorMessage(e));
    } finally {
      setStarting(false);
    }
  }, [api, monitorId, follow]);

  useEffect(() => {
    if (check?.status !== 'RUNNING') return undefined;
    let cancelled = false;
    const delay = pollError
      ? CHECK_POLL_MS * RETRY_AFTER_ERROR_INTERVALS
      : CHECK_POLL_MS;
    const timer = setTimeout(() => {
      api.getCheck(monitorId, check.id).then(
        next => {
          if (cancelled) return;
          setPollError(undefined);
          follow(next);
        },
        e => {
          if (cancelled) return;
          setPollError(`Could not read the check: ${apiErrorMessage(e)}`);
          setCheck({ ...check });
        },
      );
    }, delay);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [api, monitorId, check, pollError, follow]);

  return {
    /** The check started or followed here, as last read. */
    check,
    running: starting || check?.status === 'RUNNING',
    /** Why the check did not start (409: another one runs), or why it could not be read. */
    error: startError ?? pollError,
    start,
    follow,
  };
}
