import { Typography } from '@material-ui/core';

/** What came of an action: a result, or the backend's reason for refusing it. */
export type Outcome = { text: string; error?: boolean };

export function OutcomeMessage(props: { outcome?: Outcome }) {
  if (!props.outcome) return null;
  return (
    <Typography
      color={props.outcome.error ? 'error' : 'textPrimary'}
      style={{ marginTop: 8 }}
    >
      {props.outcome.text}
    </Typography>
  );
}
