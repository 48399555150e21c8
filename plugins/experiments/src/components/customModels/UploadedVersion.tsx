import { CustomModelVersion } from '@internal/backstage-plugin-experiments-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import PlayArrowIcon from '@material-ui/icons/PlayArrow';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { formatParameterCount } from './format';
import { HyperparametersTable } from './HyperparametersTable';
import { TrainLink } from './TrainLink';

/** A version the check accepted: what it is, its hyperparameters, and a way to train it. */
export function UploadedVersion(props: { version: CustomModelVersion }) {
  const { version } = props;
  return (
    <Box mt={2}>
      <Alert severity="success">
        <AlertTitle>
          {version.name} version {version.version} is ready to train
        </AlertTitle>
        Model template <code>{version.templateId}</code>,{' '}
        {formatParameterCount(version.parameterCount)} parameters.
      </Alert>
      <Box mt={2}>
        <Typography variant="subtitle2" gutterBottom>
          Its hyperparameters
        </Typography>
        <HyperparametersTable schema={version.hyperparameterSchema} />
      </Box>
      <Box mt={2}>
        <TrainLink
          version={version}
          variant="contained"
          color="primary"
          startIcon={<PlayArrowIcon />}
        >
          Train this model
        </TrainLink>
      </Box>
    </Box>
  );
}
