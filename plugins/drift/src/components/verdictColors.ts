import { DriftVerdict } from '@internal/backstage-plugin-drift-common';
import { green, grey, orange } from '@material-ui/core/colors';

/** One colour per verdict, for chips and chart points. */
export const VERDICT_COLORS: Record<DriftVerdict, string> = {
  DRIFT: orange[900],
  NO_DRIFT: green[700],
  NOT_ENOUGH_DATA: grey[600],
};

export const VERDICT_LABELS: Record<DriftVerdict, string> = {
  DRIFT: 'Drift',
  NO_DRIFT: 'No drift',
  NOT_ENOUGH_DATA: 'Not enough data',
};
