import { JsonValue } from '@backstage/types';
import { HyperparameterSchema } from '@internal/backstage-plugin-experiments-common';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { HyperparameterForm } from './HyperparameterForm';
import { defaultHyperparameters } from './hyperparameterValidation';

/** The shape of the tabular templates' schema: a text field, a choice and a number. */
const TABULAR_SCHEMA: HyperparameterSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['target_column'],
  properties: {
    target_column: {
      type: 'string',
      default: 'species',
      title: 'Target column',
      description: 'Name of the column to predict.',
    },
    task: {
      type: 'string',
      enum: ['classification', 'regression'],
      default: 'classification',
      title: 'Task',
    },
    test_fraction: {
      type: 'number',
      minimum: 0.05,
      maximum: 0.5,
      default: 0.2,
      title: 'Test share',
    },
  },
};

function Harness(props: { onValues: (v: Record<string, JsonValue>) => void }) {
  const [values, setValues] = useState(defaultHyperparameters(TABULAR_SCHEMA));
  return (
    <HyperparameterForm
      schema={TABULAR_SCHEMA}
      values={values}
      onChange={next => {
        setValues(next);
        props.onValues(next);
      }}
    />
  );
}

describe('HyperparameterForm', () => {
  it('renders a string hyperparameter as a text field and an enum as a choice', async () => {
    const seen: Record<string, JsonValue>[] = [];
    render(<Harness onValues={v => seen.push(v)} />);

    const target = screen.getByRole('textbox', { name: /Target column/ });
    expect(target).toHaveValue('species');
    expect(
      screen.getByText('Name of the column to predict.'),
    ).toBeInTheDocument();

    await userEvent.clear(target);
    await userEvent.type(target, 'variety');
    expect(target).toHaveValue('variety');
    expect(seen.at(-1)).toMatchObject({
      target_column: 'variety',
      task: 'classification',
      test_fraction: 0.2,
    });

    await userEvent.click(
      screen.getByRole('button', { name: /classification/ }),
    );
    await userEvent.click(
      within(await screen.findByRole('listbox')).getByRole('option', {
        name: 'regression',
      }),
    );
    expect(seen.at(-1)).toMatchObject({ task: 'regression' });
  });

  it('says that an emptied required text field must be filled', async () => {
    render(<Harness onValues={() => {}} />);
    await userEvent.clear(
      screen.getByRole('textbox', { name: /Target column/ }),
    );
    expect(
      await screen.findByText(/must have required property/),
    ).toBeInTheDocument();
  });
});
