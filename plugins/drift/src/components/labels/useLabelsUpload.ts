import { useApi } from '@backstage/frontend-plugin-api';
import { RequestLabel } from '@internal/backstage-plugin-drift-common';
import { apiErrorMessage } from '@internal/mlops-react';
import { useCallback, useState } from 'react';
import { driftApiRef } from '../../api';
import { inChunks } from './labelsCsv';

/** The most labels one call of the API takes. */
export const LABELS_PER_CALL = 1000;

/** Where sending a set of labels stands. */
export type LabelsUpload = {
  sending: boolean;
  /** Labels sent so far, of `toSend`. */
  sent: number;
  toSend: number;
  /** Labels the backend stored, and how many the monitor has in all (after the last answer). */
  stored: number;
  total?: number;
  /** The backend's refusal, as it said it; the chunks before it were stored. */
  error?: string;
};

const IDLE: LabelsUpload = { sending: false, sent: 0, toSend: 0, stored: 0 };

/**
 * Sends labels to the monitor in chunks of at most 1,000, one call after the other, and stops at
 * the first refusal; `onStored` runs once something was stored.
 */
export function useLabelsUpload(monitorId: string, onStored: () => void) {
  const api = useApi(driftApiRef);
  const [upload, setUpload] = useState<LabelsUpload>(IDLE);

  const send = useCallback(
    async (labels: RequestLabel[]) => {
      let progress: LabelsUpload = {
        ...IDLE,
        sending: true,
        toSend: labels.length,
      };
      setUpload(progress);
      try {
        for (const chunk of inChunks(labels, LABELS_PER_CALL)) {
          const answer = await api.addLabels(monitorId, chunk);
          progress = {
            ...progress,
            sent: progress.sent + chunk.length,
            stored: progress.stored + answer.stored,
            total: answer.total,
          };
          setUpload(progress);
        }
        progress = { ...progress, sending: false };
      } catch (e) {
        progress = { ...progress, sending: false, error: apiErrorMessage(e) };
      }
      setUpload(progress);
      if (progress.stored > 0) onStored();
      return progress;
    },
    [api, monitorId, onStored],
  );

  const reset = useCallback(() => setUpload(IDLE), []);

  return { upload, send, reset };
}
