import { HyperparameterSchema } from '@internal/backstage-plugin-experiments-common';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { formatValue } from '../tune/format';
import { allowedValues } from './format';

/** The hyperparameters a custom model declares in its HYPERPARAMETER_SCHEMA. */
export function HyperparametersTable(props: { schema?: HyperparameterSchema }) {
  const properties = Object.entries(props.schema?.properties ?? {});
  if (properties.length === 0) {
    return (
      <Typography variant="body2">
        No hyperparameters of its own: it trains with the training loop's
        epochs, batch size, learning rate and training samples.
      </Typography>
    );
  }
  return (
    <Table size="small" aria-label="hyperparameters">
      <TableHead>
        <TableRow>
          <TableCell>Hyperparameter</TableCell>
          <TableCell>Type</TableCell>
          <TableCell>Default</TableCell>
          <TableCell>Allowed</TableCell>
          <TableCell>Description</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {properties.map(([name, property]) => (
          <TableRow key={name}>
            <TableCell>
              <code>{name}</code>
              {typeof property.title === 'string' && (
                <Typography variant="caption" display="block">
                  {property.title}
                </Typography>
              )}
            </TableCell>
            <TableCell>{String(property.type ?? '—')}</TableCell>
            <TableCell>{formatValue(property.default)}</TableCell>
            <TableCell>{allowedValues(property)}</TableCell>
            <TableCell>{String(property.description ?? '')}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
