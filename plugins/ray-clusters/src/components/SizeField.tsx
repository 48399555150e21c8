import TextField from '@material-ui/core/TextField';

/** A number input of the cluster dialogs, labelled for screen readers and tests. */
export function SizeField(props: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  helperText?: string;
}) {
  return (
    <TextField
      id={props.id}
      label={props.label}
      type="number"
      value={props.value}
      onChange={e => props.onChange(e.target.value)}
      helperText={props.helperText}
      fullWidth
      margin="dense"
    />
  );
}
