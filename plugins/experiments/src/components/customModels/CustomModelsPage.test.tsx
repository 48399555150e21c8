import { CustomModelVersion } from '@internal/backstage-plugin-experiments-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { cnnTemplate, fakeExperimentsApi } from '../../testing/fixtures';
import { renderExperimentsAt } from '../../__testUtils__/renderExperiments';
import {
  aVersion,
  responseError,
  TINY_MLP_SOURCE,
  tinyMlp,
  tinyMlpTemplate,
} from './testFixtures';

jest.setTimeout(30_000);

async function fillUpload(name: string, source = TINY_MLP_SOURCE) {
  await userEvent.type(await screen.findByLabelText(/^Name/), name);
  // Pasted, as a user would: typing would read "{" as a key descriptor.
  await userEvent.click(screen.getByLabelText(/^Python source/));
  await userEvent.paste(source);
}

describe('CustomModelsPage', () => {
  it("is linked from the runs list and lists the team's models with each version's source and Train link", async () => {
    const { api, mocks } = fakeExperimentsApi({
      listCustomModels: jest.fn(async () => ({ items: [tinyMlp] })),
      getCustomModelVersion: jest.fn(
        async (_name: string, version: number) => ({
          ...aVersion(version),
          source: TINY_MLP_SOURCE,
        }),
      ),
    });
    await renderExperimentsAt('/experiments', api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Custom models' }),
    );

    expect(await screen.findByText('tiny-mlp')).toBeInTheDocument();
    const row = screen.getByText('tiny-mlp').closest('tr')!;
    for (const text of [
      'group:default/team-a',
      'v2',
      '12,730',
      'user:default/ada',
      'A small MLP',
    ]) {
      expect(within(row).getByText(text)).toBeInTheDocument();
    }
    expect(
      within(row).getAllByText(/^v[12]: 12,730 parameters, user:default\/ada/),
    ).toHaveLength(2);
    expect(
      screen.getByRole('button', { name: 'Train tiny-mlp v1' }),
    ).toHaveAttribute(
      'href',
      '/experiments/new?template=custom%3Atiny-mlp%401',
    );

    await userEvent.click(
      screen.getByRole('button', { name: 'Source of tiny-mlp v1' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'tiny-mlp v1: source',
    });
    await waitFor(() =>
      expect(dialog).toHaveTextContent('def build_model(config):'),
    );
    expect(mocks.getCustomModelVersion).toHaveBeenCalledWith(
      'tiny-mlp',
      1,
      'group:default/team-a',
    );
  });

  it('says so when the team has no custom model yet', async () => {
    const { api } = fakeExperimentsApi({
      listCustomModels: jest.fn(async () => ({ items: [] })),
    });
    await renderExperimentsAt('/experiments/custom-models', api);
    expect(
      await screen.findByText('No custom models yet: upload one below.'),
    ).toBeInTheDocument();
    expect(screen.getByText('The interface')).toBeInTheDocument();
  });

  it('shows the check running, then every problem of a rejected module with its line', async () => {
    let reject: (error: Error) => void = () => {};
    const { api, mocks } = fakeExperimentsApi({
      listCustomModels: jest.fn(async () => ({ items: [] })),
      createCustomModel: jest.fn(
        () =>
          new Promise<CustomModelVersion>((_resolve, rejectWith) => {
            reject = rejectWith;
          }),
      ),
    });
    await renderExperimentsAt('/experiments/custom-models', api);
    await fillUpload('bad-model');
    await userEvent.click(
      screen.getByRole('button', { name: 'Check and upload' }),
    );

    expect(
      await screen.findByText(/Checking the module in Ray/),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Check and upload' }),
    ).toBeDisabled();
    expect(mocks.createCustomModel).toHaveBeenCalledWith({
      name: 'bad-model',
      source: TINY_MLP_SOURCE,
      description: undefined,
    });

    reject(
      await responseError(
        400,
        "Custom model \"bad-model\" does not implement the interface: line 3: expected ':'; the module raised NameError at line 7: name 'nn' is not defined",
      ),
    );
    const problems = await screen.findByRole('list', { name: 'problems' });
    expect(
      screen.getByText(
        'Custom model "bad-model" does not implement the interface',
      ),
    ).toBeInTheDocument();
    expect(
      within(problems)
        .getAllByRole('listitem')
        .map(item => item.textContent),
    ).toEqual([
      "Line 3: expected ':'",
      "Line 7: the module raised NameError at line 7: name 'nn' is not defined",
    ]);
    expect(screen.queryByText(/Checking the module in Ray/)).toBeNull();
  });

  it('shows a refusal that lists no problems, such as a name another team owns', async () => {
    const { api } = fakeExperimentsApi({
      listCustomModels: jest.fn(async () => ({ items: [] })),
      createCustomModel: jest.fn(async () => {
        throw await responseError(
          409,
          'The custom model name "secret" is taken; choose another',
        );
      }),
    });
    await renderExperimentsAt('/experiments/custom-models', api);
    await fillUpload('secret');
    await userEvent.click(
      screen.getByRole('button', { name: 'Check and upload' }),
    );
    expect(
      await screen.findByText('The custom model was not uploaded'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'The custom model name "secret" is taken; choose another',
      ),
    ).toBeInTheDocument();
  });

  it('uploads a picked .py file and shows the version, its hyperparameters and a Train link that opens the form with it', async () => {
    const { api, mocks } = fakeExperimentsApi({
      listCustomModels: jest.fn(async () => ({ items: [] })),
      createCustomModel: jest.fn(async () => aVersion(2)),
      listTemplates: jest.fn(async () => ({
        items: [cnnTemplate, tinyMlpTemplate],
      })),
    });
    await renderExperimentsAt('/experiments/custom-models', api);
    await userEvent.upload(
      await screen.findByLabelText('Python file'),
      new File([TINY_MLP_SOURCE], 'Tiny_MLP.py', { type: 'text/x-python' }),
    );
    await waitFor(() =>
      expect(screen.getByLabelText(/^Python source/)).toHaveValue(
        TINY_MLP_SOURCE,
      ),
    );
    expect(screen.getByLabelText(/^Name/)).toHaveValue('tiny-mlp');
    await userEvent.type(screen.getByLabelText('Description'), 'A small MLP');
    await userEvent.click(
      screen.getByRole('button', { name: 'Check and upload' }),
    );

    expect(
      await screen.findByText('tiny-mlp version 2 is ready to train'),
    ).toBeInTheDocument();
    expect(mocks.createCustomModel).toHaveBeenCalledWith({
      name: 'tiny-mlp',
      source: TINY_MLP_SOURCE,
      description: 'A small MLP',
    });
    expect(screen.getByText(/12,730 parameters\./)).toBeInTheDocument();
    const hyperparameters = screen.getByRole('table', {
      name: 'hyperparameters',
    });
    const row = within(hyperparameters).getByText('hidden').closest('tr')!;
    expect(
      within(row)
        .getAllByRole('cell')
        .map(cell => cell.textContent),
    ).toEqual([
      'hiddenHidden units',
      'integer',
      '16',
      'at least 8, at most 256',
      'Width of the hidden layer.',
    ]);
    await waitFor(() =>
      expect(mocks.listCustomModels).toHaveBeenCalledTimes(2),
    );

    await userEvent.click(
      screen.getByRole('button', { name: 'Train this model' }),
    );
    expect(
      await screen.findByRole('spinbutton', { name: /Hidden units/ }),
    ).toHaveValue(16);
    expect(screen.getByText('tiny-mlp v2 (custom) (2)')).toBeInTheDocument();
  });
});
