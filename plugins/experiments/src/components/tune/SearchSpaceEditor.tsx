import Checkbox from '@material-ui/core/Checkbox';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import MenuItem from '@material-ui/core/MenuItem';
import Switch from '@material-ui/core/Switch';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { DimensionDraft } from './autoTuneDraft';

function isNumeric(type: string) {
  return type === 'integer' || type === 'number';
}

/**
 * Which hyperparameters to tune and over what: a range (min, max, log scale for numbers) or a
 * comma-separated list of choices, per hyperparameter.
 */
export function SearchSpaceEditor(props: {
  dimensions: DimensionDraft[];
  problems: Record<string, string[]>;
  disabled?: boolean;
  onChange: (dimensions: DimensionDraft[]) => void;
}) {
  const { dimensions, problems, disabled } = props;
  const change = (name: string, patch: Partial<DimensionDraft>) =>
    props.onChange(
      dimensions.map(d => (d.name === name ? { ...d, ...patch } : d)),
    );
  return (
    <Table size="small" aria-label="Search space">
      <TableHead>
        <TableRow>
          <TableCell>Tune</TableCell>
          <TableCell>Hyperparameter</TableCell>
          <TableCell>Search over</TableCell>
          <TableCell>Values</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {dimensions.map(d => {
          const rowProblems = problems[d.name];
          const off = disabled || !d.tuned;
          return (
            <TableRow key={d.name}>
              <TableCell padding="checkbox">
                <Checkbox
                  checked={d.tuned}
                  disabled={disabled}
                  inputProps={{ 'aria-label': `Tune ${d.title}` }}
                  onChange={e => change(d.name, { tuned: e.target.checked })}
                />
              </TableCell>
              <TableCell>{d.title}</TableCell>
              <TableCell>
                <TextField
                  select
                  size="small"
                  value={d.kind}
                  disabled={off || !isNumeric(d.valueType)}
                  inputProps={{ 'aria-label': `${d.title}: search over` }}
                  onChange={e =>
                    change(d.name, {
                      kind: e.target.value as DimensionDraft['kind'],
                    })
                  }
                >
                  <MenuItem value="range">range</MenuItem>
                  <MenuItem value="choice">choices</MenuItem>
                </TextField>
              </TableCell>
              <TableCell>
                {d.kind === 'range' ? (
                  <>
                    <TextField
                      size="small"
                      label="min"
                      value={d.min}
                      disabled={off}
                      onChange={e => change(d.name, { min: e.target.value })}
                      inputProps={{ 'aria-label': `${d.title} min` }}
                      style={{ width: 100, marginRight: 8 }}
                    />
                    <TextField
                      size="small"
                      label="max"
                      value={d.max}
                      disabled={off}
                      onChange={e => change(d.name, { max: e.target.value })}
                      inputProps={{ 'aria-label': `${d.title} max` }}
                      style={{ width: 100, marginRight: 8 }}
                    />
                    {d.valueType === 'number' && (
                      <FormControlLabel
                        control={
                          <Switch
                            size="small"
                            checked={d.log}
                            disabled={off}
                            onChange={e =>
                              change(d.name, { log: e.target.checked })
                            }
                          />
                        }
                        label="log scale"
                      />
                    )}
                  </>
                ) : (
                  <TextField
                    size="small"
                    label="choices, comma-separated"
                    value={d.values}
                    disabled={off}
                    onChange={e => change(d.name, { values: e.target.value })}
                    inputProps={{ 'aria-label': `${d.title} choices` }}
                    fullWidth
                  />
                )}
                {d.tuned && rowProblems && (
                  <Typography
                    variant="caption"
                    color="error"
                    component="div"
                    role="alert"
                  >
                    {rowProblems.join('; ')}
                  </Typography>
                )}
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
