import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  DatasetConnection,
  DatasetsClient,
} from '@internal/backstage-plugin-datasets-common';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { datasetsApiRef } from '../api';
import { ConnectionsCard } from './ConnectionsCard';

jest.setTimeout(30_000);

const lake: DatasetConnection = {
  id: 'c1',
  name: 'lake',
  owner: 'group:default/data-science',
  endpoint: 'https://minio.example.com',
  region: 'us-east-1',
  bucket: 'ml-data',
  prefix: 'exports/',
  forcePathStyle: true,
  createdBy: 'user:default/guest',
  createdAt: '2026-01-01T00:00:00.000Z',
};

describe('ConnectionsCard', () => {
  it('lists connections and shows why a new one was refused', async () => {
    const createConnection = jest.fn(async () => {
      throw new Error(
        "Connection check failed: The bucket 'nope' does not exist at https://minio.example.com",
      );
    });
    const api = {
      listConnections: async () => ({ items: [lake] }),
      createConnection,
    } as unknown as DatasetsClient;
    await renderInTestApp(<ConnectionsCard />, {
      apis: [[datasetsApiRef, api]],
    });

    expect(await screen.findByText('lake')).toBeInTheDocument();
    expect(screen.getByText('ml-data')).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText('Name'), 'other');
    await userEvent.type(
      screen.getByLabelText('Endpoint URL'),
      'https://minio.example.com',
    );
    await userEvent.type(screen.getByLabelText('Bucket'), 'nope');
    await userEvent.type(screen.getByLabelText('Access key id'), 'AKIA');
    await userEvent.type(screen.getByLabelText('Secret access key'), 's3cret');
    await userEvent.click(
      screen.getByRole('button', { name: 'Check and save' }),
    );

    expect(
      await screen.findByText(
        "Connection check failed: The bucket 'nope' does not exist at https://minio.example.com",
      ),
    ).toBeInTheDocument();
    expect(createConnection).toHaveBeenCalledWith({
      name: 'other',
      endpoint: 'https://minio.example.com',
      bucket: 'nope',
      prefix: undefined,
      accessKeyId: 'AKIA',
      secretAccessKey: 's3cret',
    });
  });
});
