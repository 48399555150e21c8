import { CodeSnippet, InfoCard } from '@backstage/core-components';
import { ModelDeploymentDetails } from '@internal/backstage-plugin-serving-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useRef, useState } from 'react';
import { clearCanvas, DigitCanvas } from './DigitCanvas';
import { digitTensor, imageInputShape, OipTensor } from './digitTensor';
import {
  fetchModelMetadata,
  infer,
  InferenceResponse,
  ModelMetadata,
  toProbabilities,
} from './inference';
import { ProbabilityChart } from './ProbabilityChart';
import { inferSnippets } from './snippets';
import { tabularRequest } from './tabularInputs';

type Prediction = {
  version?: string;
  probabilities?: number[];
  predicted?: number;
  outputs: InferenceResponse['outputs'];
};

function toPrediction(response: InferenceResponse, image: boolean): Prediction {
  const first = response.outputs[0];
  const numbers = first?.data.every(v => typeof v === 'number')
    ? (first.data as number[])
    : undefined;
  if (image && numbers && numbers.length > 1) {
    const probabilities = toProbabilities(numbers);
    const predicted = probabilities.indexOf(Math.max(...probabilities));
    return {
      version: response.model_version,
      probabilities,
      predicted,
      outputs: response.outputs,
    };
  }
  return { version: response.model_version, outputs: response.outputs };
}

/**
 * Calls the deployment from the browser with a key the user pastes (kept in this component's
 * state only): a canvas for 28×28 image models, a form for tabular ones; snippets for the rest.
 */
export function TryItCard(props: { deployment: ModelDeploymentDetails }) {
  const { deployment } = props;
  const modelName = deployment.name;
  const [key, setKey] = useState('');
  const [metadata, setMetadata] = useState<ModelMetadata>();
  const [values, setValues] = useState<Record<string, string>>({});
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [prediction, setPrediction] = useState<Prediction>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const endpoint = deployment.endpoint;
  const imageInput =
    metadata?.inputs.length === 1 && imageInputShape(metadata.inputs[0].shape)
      ? metadata.inputs[0]
      : undefined;
  const snippets = endpoint
    ? inferSnippets({ endpoint, modelName, inputs: metadata?.inputs })
    : undefined;

  async function run(action: () => Promise<void>) {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const loadModel = () =>
    run(async () => {
      setPrediction(undefined);
      setMetadata(await fetchModelMetadata(endpoint!, modelName, key.trim()));
    });

  const predict = () =>
    run(async () => {
      let tensors: OipTensor[];
      if (imageInput) {
        const canvas = canvasRef.current;
        const context = canvas?.getContext('2d');
        if (!canvas || !context)
          throw new Error('This browser cannot read the canvas.');
        tensors = [
          digitTensor(
            context.getImageData(0, 0, canvas.width, canvas.height),
            imageInput,
          ),
        ];
      } else {
        const request = tabularRequest(metadata!.inputs, values);
        setProblems(request.problems);
        if (!request.tensors) return;
        tensors = request.tensors;
      }
      const response = await infer(endpoint!, modelName, key.trim(), tensors);
      setPrediction(toPrediction(response, !!imageInput));
    });

  return (
    <InfoCard title="Try it">
      {!endpoint ? (
        <Typography>
          The endpoint is known once Ray Serve has deployed the model.
        </Typography>
      ) : (
        <Grid container spacing={3}>
          <Grid item xs={12} md={6}>
            <Typography variant="body2" paragraph>
              Your browser calls the inference API directly with a key of this
              deployment (create one under API keys). The key stays in this page
              and is never stored.
            </Typography>
            <Box display="flex" alignItems="flex-start" style={{ gap: 8 }}>
              <TextField
                id="try-it-key"
                label="API key"
                type="password"
                autoComplete="off"
                value={key}
                onChange={e => setKey(e.target.value)}
                fullWidth
              />
              <Button
                variant="outlined"
                disabled={!key.trim() || busy}
                onClick={loadModel}
                style={{ marginTop: 12, whiteSpace: 'nowrap' }}
              >
                Load model
              </Button>
            </Box>
            {metadata && (
              <Typography variant="caption" color="textSecondary">
                {`Inputs: ${
                  metadata.inputs
                    .map(i => `${i.name} ${i.datatype} [${i.shape.join(', ')}]`)
                    .join('; ') || 'not described by the model'
                }`}
              </Typography>
            )}
            {metadata && imageInput && (
              <Box mt={2}>
                <DigitCanvas
                  canvasRef={canvasRef}
                  onDrawn={() => setPrediction(undefined)}
                />
                <Box mt={1} display="flex" style={{ gap: 8 }}>
                  <Button
                    onClick={() => {
                      clearCanvas(canvasRef.current);
                      setPrediction(undefined);
                    }}
                  >
                    Clear
                  </Button>
                  <Button
                    color="primary"
                    variant="contained"
                    disabled={busy}
                    onClick={predict}
                  >
                    Predict
                  </Button>
                </Box>
              </Box>
            )}
            {metadata && !imageInput && metadata.inputs.length > 0 && (
              <Box mt={2}>
                {metadata.inputs.map(input => (
                  <TextField
                    key={input.name}
                    id={`try-it-input-${input.name}`}
                    label={`${input.name} (${input.datatype})`}
                    value={values[input.name] ?? ''}
                    onChange={e =>
                      setValues({ ...values, [input.name]: e.target.value })
                    }
                    error={!!problems[input.name]}
                    helperText={problems[input.name]}
                    margin="dense"
                    fullWidth
                  />
                ))}
                <Button
                  color="primary"
                  variant="contained"
                  disabled={busy}
                  onClick={predict}
                  style={{ marginTop: 8 }}
                >
                  Predict
                </Button>
              </Box>
            )}
            {metadata && metadata.inputs.length === 0 && (
              <Typography variant="body2">
                The model does not describe its inputs: use the snippets.
              </Typography>
            )}
            {error && (
              <Alert severity="error" style={{ marginTop: 8 }}>
                {error}
              </Alert>
            )}
          </Grid>
          <Grid item xs={12} md={6}>
            {prediction?.probabilities && (
              <>
                <Typography variant="h6">
                  {`Predicted: ${prediction.predicted} (${(
                    prediction.probabilities[prediction.predicted!] * 100
                  ).toFixed(1)}%)`}
                </Typography>
                <ProbabilityChart
                  probabilities={prediction.probabilities}
                  predicted={prediction.predicted!}
                />
              </>
            )}
            {prediction && !prediction.probabilities && (
              <>
                <Typography variant="h6">Prediction</Typography>
                {prediction.outputs.map(o => (
                  <Typography key={o.name} variant="body1">
                    {`${o.name}: ${o.data.join(', ')}`}
                  </Typography>
                ))}
              </>
            )}
            {prediction?.version && (
              <Typography variant="caption" color="textSecondary">
                {`Answered by version ${prediction.version}`}
              </Typography>
            )}
          </Grid>
          {snippets && (
            <Grid item xs={12}>
              <Typography variant="subtitle2">curl</Typography>
              <CodeSnippet
                text={snippets.curl}
                language="bash"
                showCopyCodeButton
                customStyle={{ maxHeight: 200, overflow: 'auto' }}
              />
              <Typography variant="subtitle2">Python</Typography>
              <CodeSnippet
                text={snippets.python}
                language="python"
                showCopyCodeButton
              />
            </Grid>
          )}
        </Grid>
      )}
    </InfoCard>
  );
}
