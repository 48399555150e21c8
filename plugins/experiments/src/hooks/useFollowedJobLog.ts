import { useApi } from '@backstage/frontend-plugin-api';
import { useEffect, useRef, useState } from 'react';
import { experimentsApiRef } from '../api';

export const LOG_POLL_MS = 2000;

/** Once the job is over, reads at most this many chunks in a row to drain the rest of its log. */
const MAX_CHUNKS_PER_READ = 20;

/**
 * Follows a job's log: reads from the last offset every few seconds while `live`, appending each
 * chunk; once the job is over, reads what is left and stops.
 */
export function useFollowedJobLog(jobId: string, live: boolean) {
  const api = useApi(experimentsApiRef);
  const [text, setText] = useState('');
  const [error, setError] = useState<Error>();
  const [loaded, setLoaded] = useState(false);
  const offset = useRef(0);

  useEffect(() => {
    offset.current = 0;
    setText('');
    setLoaded(false);
  }, [jobId]);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;

    async function readNewText() {
      try {
        const reads = live ? 1 : MAX_CHUNKS_PER_READ;
        for (let i = 0; i < reads && !stopped; i++) {
          const chunk = await api.getJobLogs(jobId, offset.current);
          if (stopped) return;
          const grew = chunk.nextOffset > offset.current;
          offset.current = chunk.nextOffset;
          if (chunk.text) setText(previous => previous + chunk.text);
          if (!grew || !chunk.text) break;
        }
        setError(undefined);
      } catch (e) {
        if (!stopped) setError(e as Error);
      }
      if (stopped) return;
      setLoaded(true);
      if (live) timer = setTimeout(readNewText, LOG_POLL_MS);
    }

    readNewText();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [api, jobId, live]);

  return { text, error, loaded };
}
