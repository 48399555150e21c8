import { ModelTemplate } from '@internal/backstage-plugin-experiments-common';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';

export function TemplatePicker(props: {
  templates: ModelTemplate[];
  value: string;
  onChange: (template: ModelTemplate) => void;
  error?: string;
  disabled?: boolean;
}) {
  const chosen = props.templates.find(t => t.id === props.value);
  return (
    <>
      <TextField
        select
        fullWidth
        required
        id="run-template"
        label="Model template"
        value={props.value}
        disabled={props.disabled}
        error={!!props.error}
        helperText={props.error ?? (chosen && `Task: ${chosen.task}`)}
        onChange={event => {
          const template = props.templates.find(
            t => t.id === event.target.value,
          );
          if (template) props.onChange(template);
        }}
      >
        {props.templates.map(template => (
          <MenuItem key={template.id} value={template.id}>
            {template.title} ({template.version})
          </MenuItem>
        ))}
      </TextField>
      {chosen && (
        <Typography variant="body2" color="textSecondary" paragraph>
          {chosen.description}
        </Typography>
      )}
    </>
  );
}
