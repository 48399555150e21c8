import {
  Content,
  ContentHeader,
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import { experimentsApiRef } from '../../api';
import { NewTrainingRunForm } from './NewTrainingRunForm';

/** Pick a dataset and a model template, set the hyperparameters, and start training. */
export function NewTrainingRunPage() {
  const api = useApi(experimentsApiRef);
  const choices = useAsync(async () => {
    const [templates, datasets] = await Promise.all([
      api.listTemplates(),
      api.listDatasets(),
    ]);
    return { templates: templates.items, datasets: datasets.items };
  }, [api]);

  let body;
  if (choices.loading) body = <Progress />;
  else if (choices.error) body = <ResponseErrorPanel error={choices.error} />;
  else if (!choices.value?.templates.length) {
    body = (
      <EmptyState
        missing="data"
        title="No model templates"
        description="The experiments backend offers no model template to train."
      />
    );
  } else {
    body = (
      <NewTrainingRunForm
        templates={choices.value.templates}
        datasets={choices.value.datasets}
      />
    );
  }
  return (
    <Content>
      <ContentHeader title="New training run" />
      {body}
    </Content>
  );
}
