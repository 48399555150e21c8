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
        {props.templates.map(template => {
          // Custom models are checked and stored; the portal cannot train them yet.
          const custom = template.id.startsWith('custom:');
          return (
            <MenuItem key={template.id} value={template.id} disabled={custom}>
              {template.title} ({template.version})
              {custom && ' (training custom models is not available yet)'}
            </MenuItem>
          );
        })}
      </TextField>
      {chosen && (
        <Typography variant="body2" color="textSecondary" paragraph>
          {chosen.description}
        </Typography>
      )}
    </>
  );
}
