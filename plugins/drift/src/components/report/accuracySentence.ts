import { DriftReport } from '@internal/backstage-plugin-drift-common';
import { countOf, formatShare } from '../formatValues';

type Accuracy = NonNullable<DriftReport['accuracy']>;

const known = (value?: number | null): value is number =>
  value !== undefined && value !== null;

/** Whether the window had labelled inputs to measure the real accuracy on. */
export function hasRealAccuracy(accuracy: Accuracy): boolean {
  return known(accuracy.real) && (accuracy.labelled ?? 1) > 0;
}

/**
 * "Accuracy: estimated 71 % · real 69 % on 100 labelled inputs (reference 98 %)"; nothing about
 * the real accuracy without labelled inputs, and undefined when nothing is known.
 */
export function accuracySentence(accuracy: Accuracy): string | undefined {
  const { estimated, reference, real, labelled } = accuracy;
  const withReal = hasRealAccuracy(accuracy);
  if (!known(estimated) && !known(reference) && !withReal) return undefined;
  const parts = [
    known(estimated) ? `estimated ${formatShare(estimated)}` : 'no estimate',
  ];
  if (withReal) {
    parts.push(
      `real ${formatShare(real)}${
        labelled ? ` on ${countOf(labelled, 'labelled input')}` : ''
      }`,
    );
  }
  const sentence = `Accuracy: ${parts.join(' · ')}`;
  return known(reference)
    ? `${sentence} (reference ${formatShare(reference)})`
    : sentence;
}
