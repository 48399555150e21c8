import {
  discoveryApiRef,
  identityApiRef,
} from '@backstage/frontend-plugin-api';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { DatasetsClient } from '@internal/backstage-plugin-datasets-common';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { datasetsApiRef } from '../../api';
import { UploadCard } from './UploadCard';

jest.setTimeout(30_000);

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const api = {
  uploadUrl: async (id: string, path: string) =>
    `http://backend.test/api/datasets/datasets/${id}/files?path=${path}`,
} as unknown as DatasetsClient;
const identityApi = {
  getCredentials: async () => ({ token: 'user-token' }),
};

const discoveryApi = {
  getBaseUrl: async () => 'http://backend.test/api/datasets',
};

function render(onUploaded = jest.fn(), resumableThreshold?: number) {
  return renderInTestApp(
    <UploadCard
      datasetId="d1"
      onUploaded={onUploaded}
      resumableThreshold={resumableThreshold}
    />,
    {
      apis: [
        [datasetsApiRef, api],
        [identityApiRef, identityApi as any],
        [discoveryApiRef, discoveryApi as any],
      ],
    },
  );
}

describe('UploadCard', () => {
  it('posts the file with the user token and reports the new version', async () => {
    // jsdom's XMLHttpRequest under msw does not pass a File's bytes on (a browser does), so
    // this checks where and how the file goes, not its bytes.
    const seen: { auth: string | null; type: string | null; url: string }[] =
      [];
    server.use(
      http.post(
        'http://backend.test/api/datasets/datasets/d1/files',
        async ({ request }) => {
          seen.push({
            auth: request.headers.get('authorization'),
            type: request.headers.get('content-type'),
            url: request.url,
          });
          return HttpResponse.json(
            { version: `${'c0ffee'.repeat(10)}abcd`, fileCount: 1, files: [] },
            { status: 201 },
          );
        },
      ),
    );
    const onUploaded = jest.fn();
    await render(onUploaded);

    const file = new File(['a,b\n1,2\n'], 'train.csv', { type: 'text/csv' });
    await userEvent.upload(screen.getByLabelText('file to upload'), file);

    expect(
      await screen.findByText('Uploaded train.csv: version c0ffeec0ffee'),
    ).toBeInTheDocument();
    expect(seen).toEqual([
      {
        auth: 'Bearer user-token',
        type: 'application/octet-stream',
        url: 'http://backend.test/api/datasets/datasets/d1/files?path=train.csv',
      },
    ]);
    expect(onUploaded).toHaveBeenCalledWith(
      expect.objectContaining({ fileCount: 1 }),
    );
  });

  it("shows the backend's reason when the upload is refused", async () => {
    server.use(
      http.post('http://backend.test/api/datasets/datasets/d1/files', () =>
        HttpResponse.json(
          {
            error: {
              name: 'InputError',
              message:
                "CSV file 'bad.csv': line 3 has 2 fields, the header has 3",
            },
          },
          { status: 400 },
        ),
      ),
    );
    await render();
    await userEvent.upload(
      screen.getByLabelText('file to upload'),
      new File(['x'], 'bad.csv'),
    );
    expect(
      await screen.findByText(
        "CSV file 'bad.csv': line 3 has 2 fields, the header has 3",
      ),
    ).toBeInTheDocument();
  });

  it('uploads a large file in parts and resumes it after a failure', async () => {
    const sessions =
      'http://backend.test/api/datasets/datasets/d1/upload-sessions';
    const stored = new Set<number>();
    const requests: string[] = [];
    let refuse = true;
    server.use(
      http.post(sessions, () => {
        requests.push('create');
        return HttpResponse.json(
          {
            id: 's1',
            partSize: 6,
            partCount: 2,
            state: 'open',
            parts: [],
            missingParts: [1, 2],
          },
          { status: 201 },
        );
      }),
      http.get(`${sessions}/s1`, () => {
        requests.push('get');
        return HttpResponse.json({
          id: 's1',
          partSize: 6,
          partCount: 2,
          state: 'open',
          parts: [...stored].map(n => ({ partNumber: n, size: 6 })),
          missingParts: [1, 2].filter(n => !stored.has(n)),
        });
      }),
      http.put(`${sessions}/s1/parts/:n`, ({ params }) => {
        requests.push(`part ${params.n}`);
        if (params.n === '2' && refuse) {
          refuse = false;
          return HttpResponse.json(
            { error: { message: 'Upload session is busy' } },
            { status: 409 },
          );
        }
        stored.add(Number(params.n));
        return HttpResponse.json({ partNumber: Number(params.n) });
      }),
      http.post(`${sessions}/s1/complete`, () => {
        requests.push('complete');
        return HttpResponse.json(
          { version: `${'beef'.repeat(15)}abcd`, fileCount: 1, files: [] },
          { status: 201 },
        );
      }),
    );
    window.localStorage.clear();
    await render(jest.fn(), 5);

    const file = new File(['a,b\n1,2\n3,4\n'], 'big.csv');
    await userEvent.upload(screen.getByLabelText('file to upload'), file);
    expect(
      await screen.findByText('Upload session is busy'),
    ).toBeInTheDocument();
    expect(requests).toEqual(['create', 'part 1', 'part 2']);

    await userEvent.click(
      screen.getByRole('button', { name: 'Resume upload of big.csv' }),
    );
    expect(
      await screen.findByText('Uploaded big.csv: version beefbeefbeef'),
    ).toBeInTheDocument();
    expect(requests).toEqual([
      'create',
      'part 1',
      'part 2',
      'get',
      'part 2',
      'complete',
    ]);
  });
});
