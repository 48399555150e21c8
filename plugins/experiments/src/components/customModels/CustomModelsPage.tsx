import {
  Content,
  ContentHeader,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import Grid from '@material-ui/core/Grid';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { experimentsApiRef } from '../../api';
import { CustomModelInterfaceCard } from './CustomModelInterfaceCard';
import { CustomModelsTable } from './CustomModelsTable';
import { UploadCustomModelCard } from './UploadCustomModelCard';

/** The team's custom models and their versions, and a way to upload one. */
export function CustomModelsPage() {
  const api = useApi(experimentsApiRef);
  const models = useAsyncRetry(
    async () => (await api.listCustomModels()).items,
    [api],
  );
  return (
    <Content>
      <Grid container spacing={3}>
        <Grid item xs={12}>
          <ContentHeader title="Custom models" />
          {models.loading && !models.value && <Progress />}
          {models.error && <ResponseErrorPanel error={models.error} />}
          {models.value && <CustomModelsTable models={models.value} />}
        </Grid>
        <Grid item xs={12} md={7}>
          <UploadCustomModelCard onUploaded={models.retry} />
        </Grid>
        <Grid item xs={12} md={5}>
          <CustomModelInterfaceCard />
        </Grid>
      </Grid>
    </Content>
  );
}
