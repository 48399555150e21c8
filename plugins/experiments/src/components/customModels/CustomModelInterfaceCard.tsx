import { CodeSnippet, InfoCard } from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';
import { EXAMPLE_MODULE } from './exampleModule';

/** What a custom model module must define, with an example to copy. */
export function CustomModelInterfaceCard() {
  return (
    <InfoCard title="The interface">
      <Typography variant="body2" component="div">
        A custom model is one Python module that defines:
        <ul>
          <li>
            <code>build_model(config)</code>, returning a{' '}
            <code>torch.nn.Module</code> that maps a float32 batch of shape{' '}
            <code>(N, 1, 28, 28)</code> with values in [0, 1] to{' '}
            <code>(N, 10)</code> logits; <code>config</code> holds the
            hyperparameters with their defaults filled in;
          </li>
          <li>
            optionally <code>HYPERPARAMETER_SCHEMA</code>: an object JSON Schema
            whose every property has a type, a default, a title and a
            description (<code>minimum</code>, <code>maximum</code>,{' '}
            <code>enum</code> allowed).
          </li>
        </ul>
        The portal's training loop does the rest (data, loss, optimizer, epochs,
        batch size, learning rate). Only the runtime's packages (torch, numpy)
        can be imported. The module runs only inside Ray: on upload it is loaded
        there and <code>build_model</code> runs on a test batch. The same name
        again adds a version; the same source again is the same version.
      </Typography>
      <CodeSnippet text={EXAMPLE_MODULE} language="python" showCopyCodeButton />
    </InfoCard>
  );
}
